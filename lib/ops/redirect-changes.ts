/**
 * What a change of the redirect config changes for visitors: the bulk
 * entries added, removed and changed, each with an example URL and where it
 * went before and goes after (decided by the engine, so entries whose
 * destination moves because a target they follow changed are found too),
 * and the CloudFront paths to invalidate per site. Pure: no AWS, no I/O.
 */
import { RedirectEngine } from '../../lambda/engine';
import type { LoadedConfig } from '../config/load';
import type { BulkEntry } from '../config/redirects';
import { outcomeOf } from './probes';

export interface RuleChange {
  readonly kind: 'added' | 'removed' | 'changed';
  /** The source as the list compares it: `[scheme://]host/path`. */
  readonly source: string;
  /** A URL the entry decides. */
  readonly example: string;
  /** `301 https://...` before and after (for an unknown country). */
  readonly before: string;
  readonly after: string;
  /** Line of the entry in the old and the new list. */
  readonly lineBefore?: number;
  readonly lineAfter?: number;
}

export interface ConfigChanges {
  /** Anything but the bulk list changed (sites, regions, countries, headers): every cached redirect may change. */
  readonly sitesChanged: boolean;
  readonly rules: readonly RuleChange[];
}

function keyOf(e: BulkEntry): string {
  return `${e.scheme === 'any' ? '' : e.scheme + '://'}${e.host}${e.path}`;
}

/** Everything of an entry that decides its redirects (not its line). */
function meaning(e: BulkEntry): string {
  return JSON.stringify([e.target, e.status, e.preserveQueryString, e.includeSubdomains, e.subpathMatching, e.preservePathSuffix]);
}

function decideAt(engine: RedirectEngine, e: BulkEntry): string {
  return outcomeOf(engine.decide({ method: 'GET', scheme: e.scheme === 'http' ? 'http' : 'https', host: e.host, path: e.path, query: '' }));
}

/** Compares two loaded configs. Rules are sorted by source. */
export function configChanges(before: LoadedConfig, after: LoadedConfig): ConfigChanges {
  const strip = (c: LoadedConfig): string => JSON.stringify({ ...c.tables, bulk: undefined });
  const sitesChanged = strip(before) !== strip(after);
  const oldEngine = new RedirectEngine(before.tables);
  const newEngine = new RedirectEngine(after.tables);
  const oldByKey = new Map(before.entries.map((e) => [keyOf(e), e]));
  const newByKey = new Map(after.entries.map((e) => [keyOf(e), e]));
  const rules: RuleChange[] = [];
  for (const key of [...new Set([...oldByKey.keys(), ...newByKey.keys()])].sort()) {
    const o = oldByKey.get(key);
    const n = newByKey.get(key);
    const e = (n ?? o)!;
    const beforeOutcome = decideAt(oldEngine, e);
    const afterOutcome = decideAt(newEngine, e);
    const kind = !o ? 'added' : !n ? 'removed' : 'changed';
    if (kind === 'changed' && meaning(o!) === meaning(n!) && beforeOutcome === afterOutcome) continue;
    rules.push({ kind, source: key, example: `${e.scheme === 'http' ? 'http' : 'https'}://${e.host}${e.path}`, before: beforeOutcome, after: afterOutcome, lineBefore: o?.line, lineAfter: n?.line });
  }
  return { sitesChanged, rules };
}

/** CloudFront runs at most this many wildcard invalidation paths at once per distribution; more become one `/*`. */
export const MAX_WILDCARD_PATHS = 15;

/**
 * Invalidation paths per redirect site. Each changed source becomes
 * `<path>*`, which covers its trailing-slash, index.html and query-string
 * variants and everything below it; include-subdomains entries reach every
 * configured subdomain. Anything but the bulk list changing, or more than
 * `MAX_WILDCARD_PATHS` paths for one site, means `/*`. Frozen sites are
 * never listed: they have no function, and their snapshot deployment
 * invalidates them itself.
 */
export function invalidationPaths(after: LoadedConfig, changes: ConfigChanges, entriesBefore: readonly BulkEntry[]): Map<string, string[]> {
  const redirectSites = after.sites.sites.filter((s) => s.mode !== 'frozen');
  const siteOfHost = new Map(redirectSites.flatMap((s) => s.hostnames.map((h) => [h, s.name] as const)));
  const out = new Map<string, Set<string>>();
  if (changes.sitesChanged) {
    for (const s of redirectSites) out.set(s.name, new Set(['/*']));
  } else {
    const entries = new Map([...entriesBefore, ...after.entries].map((e) => [keyOf(e), e]));
    for (const rule of changes.rules) {
      const e = entries.get(rule.source)!;
      const hosts = e.includeSubdomains ? [...siteOfHost.keys()].filter((h) => h === e.host || h.endsWith('.' + e.host)) : [e.host];
      for (const h of hosts) {
        const site = siteOfHost.get(h);
        if (!site) continue;
        if (!out.has(site)) out.set(site, new Set());
        out.get(site)!.add(e.path === '/' ? '/*' : `${e.path}*`);
      }
    }
  }
  const result = new Map<string, string[]>();
  for (const [site, paths] of [...out].sort(([a], [b]) => (a < b ? -1 : 1))) {
    result.set(site, paths.has('/*') || paths.size > MAX_WILDCARD_PATHS ? ['/*'] : [...paths].sort());
  }
  return result;
}
