/** What a command reads and writes; tests pass their own. */
export interface Output {
  write(chunk: string): unknown;
}

export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: Output;
  readonly stderr: Output;
}
