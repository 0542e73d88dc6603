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

/** One ratio measured in several runs, against an upper goal. */
export interface RunSummary {
  /** The median over the runs: what the bench reports and judges the goal by. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  /** How many runs were at or under the goal. */
  readonly withinGoal: number;
}

/** Summarises per-run values of a ratio whose goal is `≤ goal`. */
export function summariseRuns(values: readonly number[], goal: number): RunSummary {
  if (values.length === 0) throw new Error('summariseRuns: no runs to summarise');
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    runs: values.length,
    withinGoal: values.filter((v) => v <= goal).length,
  };
}

/**
 * A summary as the bench prints it, ratios with one decimal: `9.5×` for a
 * single run, `10.4× median of 16 runs (range 9.2–11.5×; ≤ 10× in 5 of 16)`
 * for more.
 */
export function describeRuns(summary: RunSummary, goal: number): string {
  const x = (n: number): string => `${n.toFixed(1)}×`;
  if (summary.runs === 1) return x(summary.median);
  return `${x(summary.median)} median of ${summary.runs} runs (range ${summary.min.toFixed(1)}–${x(summary.max)}; ≤ ${goal}× in ${summary.withinGoal} of ${summary.runs})`;
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
    if (same.some((r) => r === undefined || r.list !== first.list)) throw new Error(`mergeProcesses: the processes did not measure the same lists (${first.list})`);
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
