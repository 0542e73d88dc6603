/** The function package of a list: its size as built for the edge, and its cold start in a fresh Node.js process. */
import { spawnSync } from 'child_process';
import type { CompiledTables } from '../../lambda/engine';
import { bundleEdgeFunction, writeBundle } from '../edge/bundle';
import { OpsError } from '../config/problems';

export interface PackageMeasure {
  /** The bundle's entry file, in the folder it was written to. */
  readonly file: string;
  readonly bytes: number;
  readonly compressedBytes: number;
  readonly coldStartMs: number;
}

/** ms to load `file` in a fresh Node.js process: the median of three. */
export function coldStart(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new OpsError(`loading ${file} failed: ${r.stderr}`);
    runs.push(Number(r.stdout));
  }
  return runs.sort((a, b) => a - b)[1];
}

/** The edge function bundled with `tables`, written into `dir`, and its cold start. */
export function measurePackage(tables: CompiledTables, dir: string): PackageMeasure {
  const bundle = bundleEdgeFunction(tables);
  const file = writeBundle(bundle, dir);
  return { file, bytes: bundle.bytes, compressedBytes: bundle.compressedBytes, coldStartMs: coldStart(file) };
}
