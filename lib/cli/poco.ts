/**
 * The operator CLI: one entry point for the preview server, the resolver,
 * live verification, log replay, review and the AWS-facing commands.
 *
 *   npm run ops -- <command> [options]      (npm start runs `preview`)
 */
import { catalogCommand } from './commands/catalog';
import { checkTargetsCommand } from './commands/check-targets';
import { cutoverCommand } from './commands/cutover';
import { diffCommand } from './commands/diff';
import { invalidateCommand } from './commands/invalidate';
import { preflightCommand } from './commands/preflight';
import { previewCommand } from './commands/preview';
import { replayCommand } from './commands/replay';
import { reportCommand } from './commands/report';
import { resolveCommand } from './commands/resolve';
import { statusCommand } from './commands/status';
import { verifyCommand } from './commands/verify';
import { Command, runCommand, runMain, versionLine } from './command';
import type { CliIo } from './io';

export const COMMANDS: readonly Command[] = [
  previewCommand,
  resolveCommand,
  verifyCommand,
  replayCommand,
  catalogCommand,
  checkTargetsCommand,
  diffCommand,
  reportCommand,
  preflightCommand,
  cutoverCommand,
  invalidateCommand,
  statusCommand,
];

export const USAGE = `Usage: npm run ops -- <command> [options]     (npm start = preview; npm run resolve, npm run diff, npm run report)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(13)} ${c.summary}`).join('\n')}

The AWS commands (preflight, cutover, invalidate, status) use the standard AWS
credential chain (AWS_PROFILE, SSO, environment) and only read, unless --apply.
Run "npm run ops -- <command> --help" for a command's options; --version prints the version.`;

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(USAGE + '\n');
    return 2;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(USAGE + '\n');
    return 0;
  }
  if (name === '--version') {
    io.stdout.write(versionLine() + '\n');
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`ops: unknown command ${JSON.stringify(name)}\n\n${USAGE}\n`);
    return 2;
  }
  return runCommand(command, rest, io, `ops ${name}`);
}

/**
 * The AWS SDK warns, in nine lines on every run, that its releases after
 * January 2027 need Node.js 22; this project runs on Node 20 (the SDK is
 * pinned). One line says the same.
 */
function condenseSdkNodeWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('NodeVersionSupportWarning')) {
      process.stderr.write('ops: note: AWS SDK releases after January 2027 need Node.js 22 or later (the pinned one runs on 20).\n');
      return;
    }
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

if (require.main === module) {
  condenseSdkNodeWarning();
  runMain(main, 'ops');
}
