/**
 * How `npm run bench` summarises a number it measured more than once
 * (`--runs N`). Pure: no timing here, so the summaries are tested without
 * running a benchmark.
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
