/** The bench's targets (docs/performance.md, "Budgets"), against a run's numbers. */
import { EDGE_EVENT, EDGE_LIMITS } from '../edge/limits';
import { fmt } from './format';
import { GENERATED_RULES, GENERATED_SLUGS_PER_STORE } from './lists';
import type { ListRow } from './stats';
import type { SynthResult } from './synth';

export interface Target {
  readonly what: string;
  readonly measured: string;
  readonly target: string;
  readonly met: boolean;
}

/** The targets of the 1,000,000-line list: its decision cost against the default list's, its package and its cold start. */
function millionLineTargets(r1m: ListRow, base: ListRow): Target[] {
  const ratio = r1m.engineNs / base.engineNs;
  const limit = EDGE_LIMITS[EDGE_EVENT].compressedPackageBytes;
  return [
    { what: 'decision cost at 1,000,000 lines / default list', measured: `${fmt(ratio, 2)}×`, target: '≤ 2×', met: ratio <= 2 },
    { what: 'engine per decision, 1,000,000 lines', measured: `${fmt(r1m.engineNs)} ns`, target: '< 1,000 ns', met: r1m.engineNs < 1000 },
    {
      what: `1,000,000-line package (zipped) / ${EDGE_EVENT} limit`,
      measured: `${fmt(r1m.bundleCompressedBytes / 1048576, 1)} MiB`,
      target: `≤ ${fmt(limit / 1048576)} MiB`,
      met: r1m.bundleCompressedBytes <= limit,
    },
    { what: '1,000,000-line cold start', measured: `${fmt(r1m.coldStartMs)} ms`, target: '< 300 ms', met: r1m.coldStartMs < 300 },
  ];
}

/** The targets, against this run's numbers (`rows[0]` the default list); those whose list or synth was not measured are left out. */
export function targets(rows: readonly ListRow[], synth: SynthResult | undefined): Target[] {
  const base = rows[0];
  const out: Target[] = [];
  const manyRules = rows.find((r) => r.list.startsWith('+'));
  if (manyRules) {
    const ratio = manyRules.engineNs / base.engineNs;
    out.push({
      what: `decision cost under +${fmt(GENERATED_RULES)} rules and +${fmt(GENERATED_SLUGS_PER_STORE)} slugs per store / default`,
      measured: `${fmt(ratio, 2)}×`,
      target: '≤ 2×',
      met: ratio <= 2,
    });
  }
  const r1m = rows.find((r) => r.lines === 1000000 && r !== base && /^generated/.test(r.list));
  if (r1m) out.push(...millionLineTargets(r1m, base));
  if (synth)
    out.push({
      what: 'synth of the app / minimal one-distribution app',
      measured: `${fmt(synth.appMedian, 2)} s / ${fmt(synth.minimalMedian, 2)} s = ${fmt(synth.ratio, 2)}×`,
      target: '≤ 1.5×',
      met: synth.ratio <= 1.5,
    });
  return out;
}
