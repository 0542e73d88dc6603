/**
 * The errors a user acts on, printed as their message alone, never as a stack
 * trace: config problems (collected while loading, reported together, each
 * naming the file, the line or field, the bad value and the fix), bad
 * command-line input (`UsageError`) and operational failures (`OpsError`).
 */

export interface ConfigProblem {
  /** The file, as the user named it (relative to the working directory when inside it). */
  readonly file: string;
  /** 1-based line number, for line-oriented files. */
  readonly line?: number;
  /** Dotted field path, for JSON files (`sites.uk.hostnames[0]`). */
  readonly field?: string;
  /** What is wrong, quoting the bad value. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Renders one problem as `file:line: message Fix: fix` or `file: field: message Fix: fix`. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.field !== undefined ? `${p.file}: ${p.field}` : p.file;
  return `${where}: ${p.message} Fix: ${p.fix}`;
}

/** How many problems a `ConfigError`'s message lists; the rest are counted (all stay in `problems`). */
export const PROBLEMS_SHOWN = 50;

/** Thrown once per load with every problem found. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(ConfigError.render(problems));
    this.name = 'ConfigError';
  }

  static render(problems: readonly ConfigProblem[]): string {
    const n = problems.length;
    const shown = problems.slice(0, PROBLEMS_SHOWN).map((p) => '  ' + formatProblem(p));
    const more = n > PROBLEMS_SHOWN ? [`  ... and ${n - PROBLEMS_SHOWN} more (the first ${PROBLEMS_SHOWN} are shown; fix these and run again)`] : [];
    return [`Config is invalid (${n} problem${n === 1 ? '' : 's'}); nothing was written.`, ...shown, ...more].join('\n');
  }
}

/** Accumulates problems for one file. */
export class ProblemList {
  readonly problems: ConfigProblem[] = [];

  constructor(readonly file: string) {}

  atLine(line: number, message: string, fix: string): void {
    this.problems.push({ file: this.file, line, message, fix });
  }

  atField(field: string, message: string, fix: string): void {
    this.problems.push({ file: this.file, field, message, fix });
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }
}

/** Quotes a user value for a message: JSON string syntax, so control characters show. */
export function q(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? value.slice(0, 200) + '…' : value);
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 200 ? s.slice(0, 200) + '…' : s;
}

/** `a, b or c` */
export function oneOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ' or ' + items[items.length - 1];
}

/** Bad command-line input: printed with the usage, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A failure the operator can act on (missing credentials, a permission, an
 * unknown distribution, a server that does not answer): printed as its
 * message alone, exit status 1, never a stack trace.
 */
export class OpsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpsError';
  }
}
