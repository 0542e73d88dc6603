/**
 * Reads `bulk.bin` packages of format 1 ("PBK1"), which function packages
 * built before format 2 carry: whole `host + path` keys, and neither the
 * slots' hashes nor the keys' host column. The edge function only ever reads
 * the package it was built with; the review tools read baselines (a saved
 * cdk.out, a git ref's synth) that may be older, so they turn a format-1
 * package back into the compiled columns and pack those again.
 *
 * Format-1 layout (little-endian, every section 4-byte aligned): u32 magic
 * "PBK1", u32 n, u32 capacity, u32 key bytes, u32 header bytes; u32
 * offsets[n + 1], i32 next[n], u32 slots[capacity], u32 target[n], u32
 * line[n], u8 meta[n], the keys (ASCII), and a JSON header with file, targets
 * and internal targets.
 */
import { BulkIndex, packBulk } from '../../lambda/engine';
import type { CompiledBulk } from '../../lambda/engine';

const MAGIC_V1 = 0x314b4250; // "PBK1"
const FIXED_BYTES = 20;

function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * The compiled columns a format-1 package was packed from, or undefined when
 * `bytes` is not a format-1 package.
 * @throws Error when the package is shorter than its own sizes say
 */
export function columnsOfPackedV1(bytes: Uint8Array): CompiledBulk | undefined {
  if (bytes.length < FIXED_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC_V1) return undefined;
  const [n, capacity, keyBytes, headerBytes] = [1, 2, 3, 4].map((i) => view.getUint32(4 * i, true));
  const offsetsAt = FIXED_BYTES;
  const targetAt = offsetsAt + 4 * (n + 1) + 4 * n + 4 * capacity;
  const lineAt = targetAt + 4 * n;
  const metaAt = lineAt + 4 * n;
  const keysAt = metaAt + align4(n);
  const headerAt = keysAt + align4(keyBytes);
  if (headerAt + headerBytes > bytes.length) {
    throw new Error(
      `bulk.bin (format 1) is ${bytes.length} bytes, but its sizes need ${headerAt + headerBytes}: the package is cut short; synthesize the baseline again`,
    );
  }
  const word = (at: number, i: number): number => view.getUint32(at + 4 * i, true);
  const keys: string[] = [];
  const meta: number[] = [];
  const target: number[] = [];
  const line: number[] = [];
  for (let i = 0; i < n; i++) {
    keys.push(
      Buffer.from(bytes.buffer, bytes.byteOffset + keysAt + word(offsetsAt, i), word(offsetsAt, i + 1) - word(offsetsAt, i)).toString(
        'latin1',
      ),
    );
    meta.push(bytes[metaAt + i]);
    target.push(word(targetAt, i));
    line.push(word(lineAt, i));
  }
  const header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + headerAt, headerBytes).toString('utf8')) as Pick<
    CompiledBulk,
    'file' | 'targets' | 'internalTargets'
  >;
  return { file: header.file, keys, meta, target, line, targets: header.targets, internalTargets: header.internalTargets };
}

/** The index of a `bulk.bin`, of this format or of format 1 (packed again). */
export function bulkIndexOf(bytes: Uint8Array): BulkIndex {
  const v1 = columnsOfPackedV1(bytes);
  return new BulkIndex(v1 ? packBulk(v1) : bytes);
}
