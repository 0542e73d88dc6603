/** How much of one input file `catalog` and `replay` read, and how they say a file was cut there. */

/** The most of one input file read, decompressed (1 GiB); the rest is not read, and the report says so. */
export const MAX_INPUT_BYTES = 1024 ** 3;

/** The bytes read of one file against a limit: `within` gives the part of each chunk under it, and notes the cut. */
export class ByteLimit {
  bytes = 0;
  cut = false;

  constructor(readonly maxBytes: number) {}

  /** The part of a chunk within the limit (all of it, or its start, or nothing). */
  within(chunk: Buffer): Buffer {
    const room = this.maxBytes - this.bytes;
    if (chunk.length > room) {
      this.cut = true;
      chunk = chunk.subarray(0, Math.max(0, room));
    }
    this.bytes += chunk.length;
    return chunk;
  }
}

/** A report's note on a file the limit cut. */
export function cutNote(readBytes: number): string {
  return `larger than the limit when decompressed: only its first ${readBytes.toLocaleString('en')} bytes were read`;
}
