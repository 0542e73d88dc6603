import * as fs from 'fs';
import * as path from 'path';

/** What a command reads and writes; tests pass their own. */
export interface Output {
  write(chunk: string): unknown;
}

export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: Output;
  readonly stderr: Output;
}

/** Writes a file whole or not at all: into a temporary file beside it, then renamed over it. */
export function writeFileWhole(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
