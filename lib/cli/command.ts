/**
 * One way to write a command: its options declared once, with their help
 * (`OptionDefs`), its help text built from them (`usageOf`), and one runner
 * that parses the arguments and turns the result or the error into an exit
 * status (`runCommand`). Every entry point (lib/cli/poco.ts, bench,
 * report-check) runs its commands through `runCommand`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, OpsError, UsageError } from '../config/problems';
import { BundleTooLargeError } from '../edge/bundle';
import { OptionKind, OptionSpec, ParsedArgs, parseArgs } from './args';
import type { CliIo } from './io';

/** One option: what it takes, the word its value is shown as, one line of help and its default. */
export interface OptionDef {
  readonly kind: OptionKind;
  /** The placeholder its value is shown as (`FILE`, `N`); none for flags. */
  readonly value?: string;
  readonly help: string;
  /** The default as the help shows it. */
  readonly default?: string;
}

export type OptionDefs = Readonly<Record<string, OptionDef>>;

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** How it is run, without options: `npm run diff --`, `npm run ops -- status`. */
  readonly invocation: string;
  /** Positional arguments as the usage line shows them (`URL...`, `[FILE...]`); none when it takes none. */
  readonly positionals?: string;
  /** What it does, a paragraph. */
  readonly description: string;
  readonly options: OptionDefs;
  /** The exit statuses and what each means. */
  readonly exitStatus: string;
  /** Runs the command on parsed arguments; resolves to the exit status. Throws `UsageError`, `ConfigError` or `OpsError` for clear failures. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

function specOf(options: OptionDefs): OptionSpec {
  return Object.fromEntries(Object.entries(options).map(([name, def]) => [name, def.kind]));
}

/** The options as help lines: name and value, help, default in brackets; aligned. */
function optionsHelp(options: OptionDefs): string {
  const rows = Object.entries(options).map(([name, def]) => [
    `--${name}${def.value ? ` ${def.value}` : ''}`,
    def.help,
    def.default === undefined ? '' : `[${def.default}]`,
  ]);
  rows.push(['-h, --help', 'print this help', '']);
  rows.push(['--version', 'print the name and version', '']);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${c ? b.padEnd(w1) + '  ' + c : b}`.trimEnd()).join('\n');
}

/** A command's whole help: usage line, description, options, exit status. */
function usageOf(command: Command): string {
  const line = [command.invocation, Object.keys(command.options).length ? '[options]' : '', command.positionals ?? '']
    .filter(Boolean)
    .join(' ');
  return `Usage: ${line}\n\n${command.description}\n\nOptions:\n${optionsHelp(command.options)}\n\nExit status: ${command.exitStatus}`;
}

/** Refuses positional arguments a command does not take. */
export function noPositionals(args: ParsedArgs): void {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
}

/** `poco-sunset 0.1.0`: the package's name and version, from package.json. */
export function versionLine(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name?: string; version?: string };
  return `${pkg.name ?? 'poco-sunset'} ${pkg.version ?? ''}`.trimEnd();
}

/**
 * Parses `argv` for `command`, runs it and resolves to its exit status:
 * `--help` prints the help (0); `--version` the package's name and version
 * (0); a `UsageError` prints the message and where the help is, two lines (2); a config or
 * bundle error its message (2); an `OpsError` its message (1); anything
 * else "internal error" and the message (1), the
 * stack trace only with DEBUG set. `label` prefixes messages (`ops diff`).
 */
export async function runCommand(command: Command, argv: readonly string[], io: CliIo, label: string = command.name): Promise<number> {
  try {
    const spec = specOf(command.options);
    let parsed: ParsedArgs;
    try {
      parsed = parseArgs(argv, { ...spec, version: 'boolean' });
    } catch (err) {
      parseArgs(argv, spec); // the error as the command's own options give it (without --version in the list)
      throw err;
    }
    const { options, ...rest } = parsed;
    const { version, ...own } = options;
    if (rest.help) {
      io.stdout.write(usageOf(command) + '\n');
      return 0;
    }
    if (version === true) {
      io.stdout.write(versionLine() + '\n');
      return 0;
    }
    return await command.run({ ...rest, options: own }, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${label}: ${err.message}\nSee "${command.invocation} --help".\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof BundleTooLargeError) {
      io.stderr.write(`${label}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof OpsError) {
      io.stderr.write(`${label}: ${err.message}\n`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${label}: internal error: ${message}\n(set DEBUG=1 for the stack trace)\n`);
    if (process.env.DEBUG && err instanceof Error) io.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
}

/** The error a stream gives when its reader has gone away (`| head`): EPIPE, or a write after that. */
function isBrokenPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

/**
 * When the reader of standard output or error goes away (`... | head`), the
 * process ends at once and quietly, with the status set so far (0 if none):
 * there is no one left to tell. Any other error of those streams is left
 * to fail as before.
 */
function exitQuietlyOnBrokenPipe(proc: NodeJS.Process = process): void {
  for (const stream of [proc.stdout, proc.stderr]) {
    stream.on('error', (err: unknown) => {
      if (!isBrokenPipe(err)) throw err;
      const code = proc.exitCode;
      proc.exit(typeof code === 'number' ? code : 0);
    });
  }
}

/**
 * Runs an entry point's `main` on this process's arguments and sets the exit
 * status from it; ends quietly when the reader of its output goes away.
 */
export function runMain(main: (argv: readonly string[], io: CliIo) => Promise<number>, label: string): void {
  exitQuietlyOnBrokenPipe();
  main(process.argv.slice(2), process).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (isBrokenPipe(err)) process.exit(0);
      process.stderr.write(`${label}: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
