import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../config/problems';

/** What a command reads and writes; tests pass their own. */
export interface Output {
  write(chunk: string): unknown;
}

export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: Output;
  readonly stderr: Output;
}

/**
 * Writes a file whole or not at all: into a temporary file beside it, then
 * renamed over it. When either step fails the temporary file is removed and
 * the error thrown.
 */
export function writeFileWhole(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Refuses, as a usage error, an output file that cannot be written whole:
 * one that is a folder, or whose folder does not exist. Run before any work.
 */
export function checkOutputFile(option: string, file: string, shown: string = file): void {
  const dir = fs.statSync(path.dirname(file), { throwIfNoEntry: false });
  if (!dir?.isDirectory()) throw new UsageError(`${option} ${shown}: the folder ${path.dirname(file)} does not exist`);
  if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${option} ${shown} is a folder`);
}
