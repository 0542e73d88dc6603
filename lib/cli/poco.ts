/**
 * The operator CLI: one entry point for the preview server, the resolver,
 * live verification, log replay and the AWS-facing commands.
 *
 *   npm run ops -- <command> [options]      (npm start runs `preview`)
 */
import { ConfigError } from '../config/problems';
import { BundleTooLargeError } from '../edge/bundle';
import { catalogCommand } from '../ops/catalog';
import { checkTargetsCommand } from '../ops/check-targets';
import { cutoverCommand } from '../ops/cutover';
import { invalidateCommand } from '../ops/invalidate';
import { preflightCommand } from '../ops/preflight';
import { previewCommand } from '../ops/preview-command';
import { replayCommand } from '../ops/replay';
import { statusCommand } from '../ops/status';
import { verifyCommand } from '../ops/verify';
import { diffCommand } from '../review/diff';
import { reportCommand } from '../review/report';
import { UsageError } from './args';
import { Command, OpsError } from './command';
import type { CliIo } from './io';
import { main as resolveMain, USAGE as RESOLVE_USAGE } from './resolve';

const resolveCommand: Command = {
  name: 'resolve',
  summary: 'print where each URL goes, as JSON lines (npm run resolve)',
  usage: RESOLVE_USAGE,
  run: (argv, io) => resolveMain(argv, io),
};

export const COMMANDS: readonly Command[] = [previewCommand, resolveCommand, verifyCommand, replayCommand, catalogCommand, checkTargetsCommand, diffCommand, reportCommand, preflightCommand, cutoverCommand, invalidateCommand, statusCommand];

export const USAGE = `Usage: npm run ops -- <command> [options]     (npm start = preview; npm run diff, npm run report)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(11)} ${c.summary}`).join('\n')}

The AWS commands (preflight, cutover, invalidate, status) use the standard AWS
credential chain (AWS_PROFILE, SSO, environment) and only read, unless --apply.
Run "npm run ops -- <command> --help" for a command's options.`;

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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`ops: unknown command ${JSON.stringify(name)}\n\n${USAGE}\n`);
    return 2;
  }
  if (command !== resolveCommand && (rest.includes('-h') || rest.includes('--help'))) {
    io.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`ops ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof BundleTooLargeError) {
      io.stderr.write(`ops ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof OpsError) {
      io.stderr.write(`ops ${name}: ${err.message}\n`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`ops ${name}: internal error: ${message}\n(set DEBUG=1 for the stack trace)\n`);
    if (process.env.DEBUG && err instanceof Error) io.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
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
  main(process.argv.slice(2), process).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`ops: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
