/**
 * How `npm run bench` summarises a number it measured more than once
 * (`--runs N`, `--processes N`). Pure: no timing here, so the summaries are
 * tested without running a benchmark.
 */

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One side-by-side timing of the engine, the handler and the floor, ns per call. */
export interface RunTimes {
  engineNs: number;
  handlerNs: number;
  mapGetNs: number;
}

/** What the bench measured of one list in one process. */
export interface ListRow {
  list: string;
  lines: number;
  compileMs: number;
  bundleBytes: number;
  bundleCompressedBytes: number;
  coldStartMs: number;
  /** Medians over `runs`. */
  engineNs: number;
  handlerNs: number;
  mapGetNs: number;
  /** Each side-by-side timing (`--runs`; with `--processes`, every process's in turn). */
  runs: RunTimes[];
  firstMatchNs: number;
}

/**
 * One row per list from the rows of several processes (`--processes`), which
 * measured the same lists in the same order: every process's timings in
 * turn, their medians, and the medians of the other measurements.
 */
export function mergeProcesses(perProcess: readonly (readonly ListRow[])[]): ListRow[] {
  if (perProcess.length === 0) throw new Error('mergeProcesses: no processes to merge');
  return perProcess[0].map((first, i) => {
    const same = perProcess.map((rows) => rows[i]);
    if (same.some((r) => r === undefined || r.list !== first.list))
      throw new Error(`mergeProcesses: the processes did not measure the same lists (${first.list})`);
    const runs = same.flatMap((r) => r.runs);
    const of = (pick: (r: ListRow) => number): number => median(same.map(pick));
    return {
      ...first,
      compileMs: of((r) => r.compileMs),
      coldStartMs: of((r) => r.coldStartMs),
      firstMatchNs: of((r) => r.firstMatchNs),
      engineNs: median(runs.map((t) => t.engineNs)),
      handlerNs: median(runs.map((t) => t.handlerNs)),
      mapGetNs: median(runs.map((t) => t.mapGetNs)),
      runs,
    };
  });
}
