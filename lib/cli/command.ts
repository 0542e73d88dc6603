/** The shape of a subcommand of the operator CLI (lib/cli/poco.ts). */
import type { CliIo } from './io';

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The command's own help: usage line, options, exit status. */
  readonly usage: string;
  /** Runs the command; resolves to the exit status. Throws `UsageError`, `ConfigError` or `OpsError` for clear failures. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
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
