/**
 * Command-line parsing shared by the operator tools: `--name value`,
 * `--name=value`, boolean flags, repeatable options, `--` ending options.
 * Problems are thrown as `UsageError` (lib/config/problems.ts), which the entry point prints with the
 * command's usage and exit status 2.
 */
import { UsageError } from '../config/problems';

/** What an option takes: a value, nothing (a flag), or a value that may be repeated. */
export type OptionKind = 'string' | 'boolean' | 'list';

export type OptionSpec = Readonly<Record<string, OptionKind>>;

export interface ParsedArgs {
  /** Values by option name without dashes; flags are `true`; lists are arrays. */
  readonly options: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
  /** `-h` or `--help` was given. */
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const options: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) {
      const known = Object.keys(spec).map((k) => `--${k}`);
      throw new UsageError(`unknown option ${JSON.stringify(arg)}${known.length ? `; this command takes ${known.join(', ')}` : ''}`);
    }
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    if (kind === 'list') options[name] = [...((options[name] as string[] | undefined) ?? []), value];
    else if (name in options) throw new UsageError(`--${name} is given twice`);
    else options[name] = value;
  }
  return { options, positionals, help };
}

/** A whole number from an option, within bounds, or a `UsageError` saying what is expected. */
export function intOption(
  value: string | boolean | readonly string[] | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${name} ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
  return n;
}

/** A string option, or undefined when absent. */
export function stringOption(value: string | boolean | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
