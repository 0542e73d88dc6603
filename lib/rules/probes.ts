/**
 * The requests `verify` sends: the contract's examples, a walk of the rules
 * file on every site (`ruleWalk`, which the diff and the report use too), and an even sample of the bulk list, each with what the
 * engine says should happen. Pure: no network, no AWS.
 */
import {
  CompiledRegion,
  CompiledRule,
  CompiledSite,
  CompiledTables,
  Decision,
  EngineRequest,
  OF_ANY_REGION,
  OF_REQUEST_REGION,
  RedirectEngine,
  wildcardOf,
} from '../../lambda/engine';
import { withoutBulkColumns } from '../config/compile';
import type { LoadedConfig } from '../config/load';

export interface Probe {
  /** `https://host/path?query`, as a visitor would write it. */
  readonly url: string;
  readonly host: string;
  /** Path and query as sent: `/uk/?a=b`. */
  readonly target: string;
  /** The viewer country the probe claims, or undefined for none. */
  readonly country?: string;
  /** Where the probe comes from: `contract`, `site <name>` or the bulk rule (`bulk:<file>:<line>`). */
  readonly origin: string;
  /** When `host` is a wildcard's sample name (`any-name.po.co`): the configured hostname it stands for (`*.po.co`). */
  readonly hostname?: string;
}

/** The examples of the redirect contract (test/lambda/engine/engine.contract.test.ts), as requests; checked against the engine, not against fixed answers. */
export const CONTRACT_EXAMPLES: readonly { readonly url: string; readonly country?: string }[] = [
  { url: 'https://www.po.co/global/product/poco-f6/specs/' },
  { url: 'https://www.po.co/global/poco-x3-nfc/specs/' },
  { url: 'https://po.co/FR/Product/POCO-X7/specs?ref=a' },
  { url: 'https://www.po.co/tw/' },
  { url: 'https://www.po.co/', country: 'ID' },
  { url: 'https://www.po.co/' },
  { url: 'https://uk.po.co/product/poco-m6' },
  { url: 'https://c.po.co/global/' },
  { url: 'https://shop.po.co/uk/product/poco-f7' },
  { url: 'https://po.co/in/' },
  { url: 'https://in.po.co/anything' },
];

/**
 * Pages of the frozen snapshot (in.po.co), through the redirect that leads
 * there and directly, folder-style: `verify` follows a redirect to the frozen
 * site one hop and expects what the snapshot answers (200 for a page it has).
 */
export const SNAPSHOT_EXAMPLES: readonly { readonly url: string }[] = [
  { url: 'https://po.co/in/product/poco-c75' },
  { url: 'https://in.po.co/product/poco-c75/' },
];

/** The first label of the name a wildcard hostname is probed with: `*.po.co` is sent as `any-name.po.co`. */
export const WILDCARD_SAMPLE_LABEL = 'any-name';

/**
 * The name requests for a wildcard hostname (`*.po.co`) are sent with:
 * `any-name.po.co`, or `any-name-2.po.co` (then -3, ...) when `taken` (the
 * configured hostnames) holds it, since an exact name wins over the wildcard.
 * Any other hostname is itself.
 */
export function sampleHost(hostname: string, taken: { has(name: string): boolean }): string {
  if (!hostname.startsWith('*.')) return hostname;
  const suffix = hostname.slice(1);
  for (let i = 1; ; i++) {
    const name = `${WILDCARD_SAMPLE_LABEL}${i === 1 ? '' : `-${i}`}${suffix}`;
    if (!taken.has(name)) return name;
  }
}

/** Whether a Host is answered by a configured hostname: itself, or a wildcard one label up (as CloudFront matches aliases). */
export function servedHostname(host: string, hostnames: { has(name: string): boolean }): string | undefined {
  if (hostnames.has(host)) return host;
  const wildcard = wildcardOf(host);
  return wildcard !== undefined && hostnames.has(wildcard) ? wildcard : undefined;
}

/** One request of a walk. */
export interface WalkStep {
  /** The Host sent: the configured hostname, or a wildcard's sample name (`sampleHost`). */
  readonly host: string;
  /** The configured hostname the request is for (`*.po.co` for `any-name.po.co`). */
  readonly hostname: string;
  readonly site: string;
  /** Path as sent, from `/`. */
  readonly path: string;
  /** The viewer country (`''`: none). */
  readonly country: string;
  /** The index into `tables.rules` of the rule this request is an example of; undefined for a hostname's root. */
  readonly rule?: number;
}

/** A rule's placeholder values tried per product placeholder when looking for an example the rule itself answers. */
const SLUGS_TRIED = 6;
/** Candidate examples tried per rule and hostname. */
const CANDIDATES_TRIED = 200;

/** The segment a glob placeholder is exampled by: the first glob's prefix and "x" (or the glob itself when it has no `*`). */
function globSample(globs: readonly string[]): string {
  const g = globs[0];
  return g.endsWith('*') ? g.slice(0, -1) + 'x' : g;
}

/** The index of the first rule that matches every path on `hostname` (no countries, not a rewrite, `host/*`), or Infinity. */
function catchAllOf(tables: CompiledTables, hostname: string): number {
  const i = tables.rules.findIndex(
    (r) => r.host === hostname && r.segments.length === 0 && r.splat && r.countries === undefined && r.status !== 200,
  );
  return i < 0 ? Infinity : i;
}

/** Every combination of one value per list, in order (the first list varying slowest), at most `cap`. */
function combinations(lists: readonly (readonly string[])[], cap: number): string[][] {
  let out: string[][] = [[]];
  for (const list of lists) {
    const next: string[][] = [];
    for (const prefix of out) for (const v of list) if (next.length < cap) next.push([...prefix, v]);
    out = next;
  }
  return out;
}

/**
 * The requests that show the rules file at work on a config's hostnames,
 * deterministic and bounded, decided by nothing (pure; it consults an engine
 * of the same tables, without the bulk list, only to pick examples):
 *
 * - each hostname's root (`/`): with no country, and on the first hostname
 *   of each region-path site also with each configured country;
 * - for each rule of `tables.rules`, an example path made from its source:
 *   literals as written; `:region` a region name; `:product` a slug the
 *   catalogue lists for the request's region, `:product@R` one listed for R,
 *   `:product@any` one any store lists; a glob placeholder
 *   (`:slug(poco-*|...)`) the first glob's prefix and "x"; any other
 *   placeholder "example"; a trailing `*` nothing, and a second request with
 *   one more segment, "x". A rule limited to countries is sent with the
 *   first. Where several values would do (which region segment, which
 *   slug), the first, in table order and the default region first, that the
 *   rule itself answers is taken (for a rewrite, that no earlier rule
 *   answers), else the first; a `:product` the region's catalogue lists
 *   nothing for leaves the hostname out.
 *
 *   A rule scoped to a hostname is sent there; any other on the first
 *   hostname of each redirect site (after a region segment on region-path
 *   sites), except sites where an earlier rule takes every path of that
 *   hostname (`c.po.co/*`).
 *
 * A wildcard hostname (`*.po.co`) is sent as its sample name (`sampleHost`).
 */
export function ruleWalk(tables: CompiledTables): WalkStep[] {
  const walk = walkContextOf(tables);
  const { steps, primary } = rootSteps(tables, walk.configured);
  for (let k = 0; k < tables.rules.length; k++)
    for (const [hostname, si] of placesOf(tables, k, primary)) steps.push(...ruleExamples(walk, k, hostname, si));
  return steps;
}

/** What a walk's rule examples are made and checked with, the same for every rule. */
interface WalkContext {
  readonly tables: CompiledTables;
  /** The configured hostnames. */
  readonly configured: ReadonlySet<string>;
  /** An engine of the tables without the bulk list. */
  readonly engine: RedirectEngine;
  /** Rule id → its index into `tables.rules`. */
  readonly ruleIndex: ReadonlyMap<string, number>;
  /** The store regions' indexes, the default region first. */
  readonly byDefaultFirst: readonly number[];
  /** Every slug any store lists, sorted. */
  readonly anyProducts: readonly string[];
}

/** The walk's context for `tables`: configured hostnames, the engine without the bulk list, store regions and products. */
function walkContextOf(tables: CompiledTables): WalkContext {
  const storeRegions = tables.regions
    .map((r, i) => [r, i] as const)
    .filter(([r]) => r.kind === 'store')
    .map(([, i]) => i);
  return {
    tables,
    configured: new Set(tables.hosts.map(([h]) => h)),
    engine: new RedirectEngine(withoutBulkColumns(tables)),
    ruleIndex: new Map(tables.rules.map((r, i) => [r.id, i])),
    byDefaultFirst: [...storeRegions].sort((a, b) => Number(b === tables.defaultRegion) - Number(a === tables.defaultRegion)),
    anyProducts: [...new Set(tables.regions.flatMap((r) => r.products))].sort(),
  };
}

/** Each hostname's root requests (every configured country too on a region-path site's first hostname), and each site's first hostname. */
function rootSteps(tables: CompiledTables, configured: ReadonlySet<string>): { steps: WalkStep[]; primary: Map<number, string> } {
  const countries = [...new Set(tables.countries.map(([c]) => c))].sort();
  const steps: WalkStep[] = [];
  const primary = new Map<number, string>();
  for (const [hostname, si] of tables.hosts) {
    const site = tables.sites[si];
    const host = sampleHost(hostname, configured);
    const first = !primary.has(si);
    if (first) primary.set(si, hostname);
    for (const country of site.mode === 'region-path' && first ? ['', ...countries] : [''])
      steps.push({ host, hostname, site: site.name, path: '/', country });
  }
  return { steps, primary };
}

/** Where rule `k` is sent, as [hostname, site index]: its own hostname, or each redirect site's first one no earlier catch-all takes. */
function placesOf(tables: CompiledTables, k: number, primary: ReadonlyMap<number, string>): [string, number][] {
  const rule = tables.rules[k];
  const places: [string, number][] = [];
  if (rule.host !== undefined) {
    const si = tables.hosts.find(([h]) => h === rule.host)?.[1];
    if (si !== undefined && tables.sites[si].mode !== 'frozen') places.push([rule.host, si]);
  } else {
    for (const [si, hostname] of [...primary].sort(([a], [b]) => a - b))
      if (tables.sites[si].mode !== 'frozen' && catchAllOf(tables, hostname) > k) places.push([hostname, si]);
  }
  return places;
}

/** Rule `k`'s example on one hostname (two for a `*` rule), or none when no example path can be made. */
function ruleExamples(walk: WalkContext, k: number, hostname: string, si: number): WalkStep[] {
  const rule = walk.tables.rules[k];
  const country = rule.countries?.[0] ?? '';
  const site = walk.tables.sites[si];
  const host = sampleHost(hostname, walk.configured);
  const candidates = candidatePaths(walk, k, site);
  if (candidates.length === 0) return [];
  const chosen = candidates.find((p) => answersItself(walk, k, host, country, p)) ?? candidates[0];
  const steps: WalkStep[] = [{ host, hostname, site: site.name, path: chosen, country, rule: k }];
  if (rule.splat) steps.push({ host, hostname, site: site.name, path: chosen + (chosen.endsWith('/') ? 'x' : '/x'), country, rule: k });
  return steps;
}

/** The store regions rule examples on `site` are made for: a region-host site's own store region, else all, the default first. */
function exampleRegions(walk: WalkContext, site: CompiledSite): readonly number[] {
  const { tables } = walk;
  return site.mode === 'region-host'
    ? site.region !== undefined && tables.regions[site.region].kind === 'store'
      ? [site.region]
      : []
    : walk.byDefaultFirst;
}

/** Candidate example paths of rule `k` on `site`, region by region, at most CANDIDATES_TRIED. */
function candidatePaths(walk: WalkContext, k: number, site: CompiledSite): string[] {
  const { tables } = walk;
  const rule = tables.rules[k];
  const withSegment = site.mode === 'region-path' && rule.host === undefined;
  const candidates: string[] = [];
  for (const region of exampleRegions(walk, site)) {
    for (const values of combinations(segmentValues(walk, rule, region), CANDIDATES_TRIED - candidates.length)) {
      candidates.push((withSegment ? `/${tables.regions[region].name}` : '') + '/' + values.join('/'));
    }
    if (candidates.length >= CANDIDATES_TRIED) break;
  }
  return candidates;
}

/** The values tried for each segment of `rule`'s source, for a request in `region`. */
function segmentValues(walk: WalkContext, rule: CompiledRule, region: number): (readonly string[])[] {
  const { tables } = walk;
  return rule.segments.map((s): readonly string[] => {
    if ('literal' in s) return [s.literal];
    if (s.type === 'region') return [tables.regions[region].name];
    if (s.type === 'any') return [s.globs === undefined ? 'example' : globSample(s.globs)];
    const slugs =
      s.of === OF_ANY_REGION
        ? walk.anyProducts
        : s.of === OF_REQUEST_REGION
          ? tables.regions[region].products
          : (tables.regions[s.of]?.products ?? []);
    return slugs.slice(0, SLUGS_TRIED);
  });
}

/** Whether rule `k` answers `path` on `host` itself (for a rewrite, 200: whether no earlier rule answers it). */
function answersItself(walk: WalkContext, k: number, host: string, country: string, path: string): boolean {
  const rule = walk.tables.rules[k];
  const d = walk.engine.decide({ method: 'GET', scheme: 'https', host, path, query: '', country });
  if (rule.status !== 200) return d.rule === rule.id;
  const at = walk.ruleIndex.get(d.rule);
  return at === undefined || at > k;
}

/**
 * A compiled rule written back as a line of the rules file: `SOURCE TARGET
 * [STATUS] [Country=...] [Query=drop]`. Placeholders the compiled form keeps
 * no name of are written `:segN` (N the segment's index).
 */
export function ruleText(rule: CompiledRule, regions: readonly CompiledRegion[]): string {
  const name = (i: number): string => {
    const s = rule.segments[i];
    if (s === undefined || 'literal' in s) return `:seg${i}`;
    if (s.type === 'region') return ':region';
    if (s.type === 'product')
      return s.of === OF_REQUEST_REGION ? ':product' : `:product@${s.of === OF_ANY_REGION ? 'any' : (regions[s.of]?.name ?? s.of)}`;
    return `:seg${i}`;
  };
  const segments = rule.segments.map((s, i) =>
    'literal' in s ? s.literal : s.type === 'any' && s.globs !== undefined ? `${name(i)}(${s.globs.join('|')})` : name(i),
  );
  const source = (rule.host ?? '') + '/' + [...segments, ...(rule.splat ? ['*'] : [])].join('/');
  const target = rule.target
    .map((p) => {
      if ('text' in p) return p.text;
      if ('segment' in p) return name(p.segment).replace(/^(:product)@.*$/, '$1');
      if ('splat' in p) return ':splat';
      const [kind, region] = 'store' in p ? ['store', p.store] : ['landing', p.landing];
      return `:${kind}${region < 0 ? '' : `@${regions[region]?.name ?? region}`}/`;
    })
    .join('')
    .replace(/^(:(?:store|landing)(?:@[a-z0-9-]+)?)\/$/, '$1');
  return [
    source,
    target,
    ...(rule.status !== 301 ? [String(rule.status)] : []),
    ...(rule.countries ? [`Country=${rule.countries.join(',')}`] : []),
    ...(rule.query ? [] : ['Query=drop']),
  ].join(' ');
}

function probe(host: string, target: string, origin: string, country?: string, hostname?: string): Probe {
  return {
    url: `https://${host}${target}`,
    host,
    target,
    country,
    origin,
    ...(hostname !== undefined && hostname !== host ? { hostname } : {}),
  };
}

/** Splits `https://host/path?q` (the engine's tables hold only such URLs). */
function splitUrl(url: string): { host: string; target: string } {
  const m = /^https?:\/\/([^/?#]+)([^#]*)$/.exec(url);
  if (!m) throw new Error(`probes: ${JSON.stringify(url)} is not an absolute http(s) URL`);
  return { host: m[1], target: m[2] || '/' };
}

/**
 * Every probe for a config: the contract examples and the snapshot pages
 * (`SNAPSHOT_EXAMPLES`) on hostnames the config serves, the walk of the rules file (`ruleWalk`: each hostname's root,
 * every configured country and none at the root of region-path sites, and
 * each rule's examples, the second of a `*` rule with a query string), and
 * `sample` bulk entries spread evenly over the list (all of them when the
 * list is shorter). Duplicates (same URL and country) are sent once. A
 * wildcard hostname is probed as its sample name, and says so (`hostname`).
 */
export function buildProbes(config: LoadedConfig, sample: number): Probe[] {
  const hosts = new Set(config.sites.sites.flatMap((s) => s.hostnames));
  const out: Probe[] = [];
  for (const ex of CONTRACT_EXAMPLES) {
    const { host, target } = splitUrl(ex.url);
    const hostname = servedHostname(host, hosts);
    if (hostname !== undefined) out.push(probe(host, target, 'contract', ex.country, hostname));
  }
  for (const ex of SNAPSHOT_EXAMPLES) {
    const { host, target } = splitUrl(ex.url);
    const hostname = servedHostname(host, hosts);
    if (hostname !== undefined) out.push(probe(host, target, 'snapshot', undefined, hostname));
  }
  for (const step of ruleWalk(config.tables)) {
    const query = step.rule !== undefined && step.path.endsWith('/x') ? '?utm_source=verify' : '';
    out.push(probe(step.host, step.path + query, `site ${step.site}`, step.country || undefined, step.hostname));
  }
  // Bulk entries: the source itself; http-only sources are left out, as CloudFront sends HTTP to HTTPS first.
  const usable = config.entries.filter((e) => e.scheme !== 'http');
  const n = Math.min(sample, usable.length);
  for (let i = 0; i < n; i++) {
    const e = usable[Math.floor((i * usable.length) / n)];
    out.push(probe(e.host, e.path, `bulk:${config.tables.bulk.file}:${e.line}`));
  }
  const seen = new Set<string>();
  return out.filter((p) => {
    const key = `${p.url} ${p.country ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What a decision looks like on the wire: `301 https://...`, or `not a redirect` for the origin. */
export function outcomeOf(d: Decision): string {
  return d.action === 'redirect' ? `${d.status} ${d.location}` : d.action === 'origin' ? 'not a redirect' : `${d.status}`;
}

export function requestOf(p: Probe, country: string | undefined): EngineRequest {
  const q = p.target.indexOf('?');
  return {
    method: 'GET',
    scheme: 'https',
    host: p.host,
    path: q < 0 ? p.target : p.target.slice(0, q),
    query: q < 0 ? '' : p.target.slice(q + 1),
    country,
  };
}

/**
 * The outcomes that count as right for a probe. Against production the
 * viewer's country is CloudFront's to decide, so unless `viewerCountry` is
 * known, a decision that depends on the country accepts the outcome for any
 * configured country or none.
 */
export function expectedOutcomes(engine: RedirectEngine, p: Probe, countryFixed: boolean, allCountries: readonly string[]): string[] {
  const d = engine.decide(requestOf(p, p.country));
  if (countryFixed || !d.perVisitor) return [outcomeOf(d)];
  return [...new Set(['', ...allCountries].map((c) => outcomeOf(engine.decide(requestOf(p, c)))))];
}
