/**
 * Every destination a config can send a visitor to, with the rules that lead
 * there: each region's landing, each rule target filled with every value its
 * placeholders can take (a catalogued product of each store), every bulk
 * target, and the frozen sites' roots. What `check-targets` requests.
 *
 * A rule whose target carries a value that cannot be listed (a `:splat`, or a
 * placeholder matching any segment) is listed with that part cut at its
 * start: the page above it, which is what has to be live for the rule to make
 * sense.
 */
import { CompiledRule, CompiledTables, fillTarget, OF_ANY_REGION, OF_REQUEST_REGION } from '../../lambda/engine';
import type { LoadedConfig } from './load';

/** A URL the config can redirect to, and the rules (ids as in decisions) that lead to it. */
export interface Destination {
  readonly url: string;
  readonly rules: readonly string[];
}

/** The values each placeholder segment of `rule` can take in region `region`; undefined when they cannot be listed. */
function placeholderValues(rule: CompiledRule, region: number, tables: CompiledTables): (readonly string[] | undefined)[] {
  const anyProducts = [...new Set(tables.regions.flatMap((r) => r.products))].sort();
  return rule.segments.map((s) => {
    if ('literal' in s) return [s.literal];
    if (s.type === 'region') return tables.regions.map((r) => r.name);
    if (s.type === 'product') return s.of === OF_ANY_REGION ? anyProducts : tables.regions[s.of === OF_REQUEST_REGION ? region : s.of].products;
    return undefined;
  });
}

/** Every filled target of `rule` in `region`. */
function ruleTargets(rule: CompiledRule, region: number, tables: CompiledTables): string[] {
  const values = placeholderValues(rule, region, tables);
  // A part whose value cannot be listed ends the target: keep what stands before it, up to its last "/".
  const cut = rule.target.findIndex((p) => ('segment' in p && values[p.segment] === undefined) || 'splat' in p);
  const parts = cut < 0 ? rule.target : rule.target.slice(0, cut);
  const used = [...new Set(parts.flatMap((p) => ('segment' in p ? [p.segment] : [])))];
  let fills: string[][] = [rule.segments.map(() => '')];
  for (const at of used) fills = fills.flatMap((f) => values[at]!.map((v) => f.map((x, i) => (i === at ? v : x))));
  return fills.map((segments) => {
    const url = fillTarget(parts, segments, 0, region, tables.regions);
    return cut < 0 ? url : url.slice(0, url.lastIndexOf('/') + 1);
  });
}

/** Every destination of a loaded config, sorted by URL. */
export function listDestinations(config: Pick<LoadedConfig, 'tables'>): Destination[] {
  const { tables } = config;
  const out = new Map<string, Set<string>>();
  const add = (url: string, rule: string): void => {
    if (!out.has(url)) out.set(url, new Set());
    out.get(url)!.add(rule);
  };
  const stores = tables.regions.map((r, i) => [r, i] as const).filter(([r]) => r.kind === 'store');
  for (const [r] of stores) add(r.landing, `landing of region ${r.name}`);
  for (const r of tables.regions) if (r.kind === 'frozen') add(r.url, 'default:frozen-passthrough');
  add(tables.regions[tables.defaultRegion].landing, 'fallback:*');
  for (const rule of tables.rules) {
    if (rule.status === 200) continue; // a rewrite leads to other rules, not to a page
    const perRegion = rule.usesRegion || rule.segments.some((s) => 'type' in s && s.type === 'product' && s.of === OF_REQUEST_REGION);
    for (const [, i] of perRegion ? stores : stores.slice(0, 1)) for (const url of ruleTargets(rule, i, tables)) add(url, rule.id);
  }
  const { bulk } = tables;
  const internal = new Set(bulk.internalTargets);
  bulk.target.forEach((t, entry) => {
    if (!internal.has(t)) add(bulk.targets[t], `bulk:${bulk.file}:${bulk.line[entry]}`);
  });
  return [...out]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([url, rules]) => ({ url, rules: [...rules].sort() }));
}
