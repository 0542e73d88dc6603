/**
 * What a change of the redirect rules changes for visitors: whether sites,
 * the rules file or the store catalogue changed (any cached redirect may
 * then change), the rules file's rules added, removed and changed, and the
 * bulk entries added, removed and changed, each with an example URL and where it went
 * before and goes after (decided by the engine, so entries whose destination
 * moves because a target they follow changed are found too), and the
 * CloudFront paths to invalidate per site. Pure: no AWS, no I/O.
 *
 * It compares rule sets (the tables and the bulk index), which come from a
 * loaded config, a config at a git ref, or a synthesized cloud assembly.
 */
import {
  BULK_INCLUDE_SUBDOMAINS,
  BULK_SCHEME_HTTP,
  BULK_SCHEME_HTTPS,
  BULK_SCHEME_MASK,
  BulkIndex,
  CompiledTables,
  packBulk,
  RedirectEngine,
} from '../../lambda/engine';
import { outcomeOf, ruleText } from './probes';

/** The rules as the engine runs them: the tables, and the bulk index (whose columns the tables may leave out). */
export interface RuleSet {
  readonly tables: CompiledTables;
  readonly bulk: BulkIndex;
  /**
   * The function's code without its tables, when the rules come from a
   * function package: where two differ, the engine itself changed, which a
   * comparison of rules decided by one engine cannot show.
   */
  readonly code?: string;
}

/** The rule set of compiled tables that still hold their bulk columns (from the config loader). */
export function ruleSetOf(tables: CompiledTables): RuleSet {
  return { tables, bulk: new BulkIndex(packBulk(tables.bulk)) };
}

export interface RuleChange {
  readonly kind: 'added' | 'removed' | 'changed';
  /** The source as the list compares it: `[scheme://]host/path`. */
  readonly source: string;
  /** Source host and canonical path. */
  readonly host: string;
  readonly path: string;
  /** Whether the source (on either side) includes subdomains. */
  readonly includeSubdomains: boolean;
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
  /** Sites, regions, countries or headers changed: every cached redirect may change. */
  readonly sitesChanged: boolean;
  /** The rules file's rules or the store catalogue changed: any cached redirect of a redirect site may change. */
  readonly rulesChanged: boolean;
  /** The bulk entries that changed. */
  readonly rules: readonly RuleChange[];
}

/** A rule of the rules file added, removed or changed, matched by its source (hostname, path and countries). */
export interface RulesFileChange {
  readonly kind: 'added' | 'removed' | 'changed';
  /** The rule as a line of the rules file (`ruleText`), before and after. */
  readonly before?: string;
  readonly after?: string;
  /** The rule's id (`rule:<name>@<file>:<line>`) before and after. */
  readonly idBefore?: string;
  readonly idAfter?: string;
}

/** Product slugs a region's store gained or lost in the catalogue. */
export interface CatalogueChange {
  readonly region: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** The name of a rule id (`rule:<name>@<file>:<line>`), `''` when it has none. */
function nameOf(id: string): string {
  const m = /^rule:([a-z][a-z0-9-]*)@/.exec(id);
  return m ? m[1] : '';
}

/** The source part of a rule's line (before the first space), with its countries: what identifies a rule between two files. */
function sourceKey(text: string, countries: readonly string[] | undefined): string {
  return `${text.slice(0, text.indexOf(' '))}${countries ? ` Country=${countries.join(',')}` : ''}`;
}

/**
 * The rules file's rules that differ between two tables, in the order of
 * the file after (removed ones where they stood before). Rules are matched
 * by source (and countries); a rule whose target, status, options or name
 * changed is `changed`. A rule that only moved to another line is not
 * listed; what its move changes for visitors shows in the walk.
 */
export function rulesFileChanges(before: CompiledTables, after: CompiledTables): RulesFileChange[] {
  const entries = (t: CompiledTables): { key: string; text: string; id: string }[] => {
    const seen = new Map<string, number>();
    return t.rules.map((r) => {
      const text = ruleText(r, t.regions);
      const base = sourceKey(text, r.countries);
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      return { key: n === 1 ? base : `${base} #${n}`, text, id: r.id };
    });
  };
  const old = entries(before);
  const now = entries(after);
  const oldByKey = new Map(old.map((e) => [e.key, e]));
  const nowKeys = new Set(now.map((e) => e.key));
  const out: RulesFileChange[] = [];
  for (const e of now) {
    const o = oldByKey.get(e.key);
    if (!o) out.push({ kind: 'added', after: e.text, idAfter: e.id });
    else if (o.text !== e.text || nameOf(o.id) !== nameOf(e.id))
      out.push({ kind: 'changed', before: o.text, after: e.text, idBefore: o.id, idAfter: e.id });
  }
  for (const o of old) if (!nowKeys.has(o.key)) out.push({ kind: 'removed', before: o.text, idBefore: o.id });
  return out;
}

/** Per region (by name, sorted), the product slugs the catalogue added and removed. */
export function catalogueChanges(before: CompiledTables, after: CompiledTables): CatalogueChange[] {
  const productsOf = (t: CompiledTables): Map<string, ReadonlySet<string>> => new Map(t.regions.map((r) => [r.name, new Set(r.products)]));
  const [a, b] = [productsOf(before), productsOf(after)];
  const out: CatalogueChange[] = [];
  for (const region of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(region) ?? new Set<string>();
    const now = b.get(region) ?? new Set<string>();
    const added = [...now].filter((p) => !was.has(p)).sort();
    const removed = [...was].filter((p) => !now.has(p)).sort();
    if (added.length + removed.length > 0) out.push({ region, added, removed });
  }
  return out;
}

export interface Source {
  readonly key: string;
  readonly host: string;
  readonly path: string;
  readonly scheme: 'http' | 'https' | 'any';
  /** Target and parameters: what decides the entry's redirects (not its line). */
  readonly meaning: string;
  readonly includeSubdomains: boolean;
  /** Packed parameters (`BULK_*`). */
  readonly meta: number;
  readonly line: number;
}

/** Every entry of a rule set, by its source. */
export function sourcesOf(rules: RuleSet): Map<string, Source> {
  const out = new Map<string, Source>();
  const { bulk } = rules;
  for (let i = 0; i < bulk.size; i++) {
    const hostPath = bulk.key(i);
    const meta = bulk.meta(i);
    const s = meta & BULK_SCHEME_MASK;
    const scheme = s === BULK_SCHEME_HTTP ? 'http' : s === BULK_SCHEME_HTTPS ? 'https' : 'any';
    const slash = hostPath.indexOf('/');
    const key = `${scheme === 'any' ? '' : scheme + '://'}${hostPath}`;
    out.set(key, {
      key,
      host: hostPath.slice(0, slash),
      path: hostPath.slice(slash),
      scheme,
      meaning: JSON.stringify([bulk.targets[bulk.targetIndex(i)], meta]),
      includeSubdomains: (meta & BULK_INCLUDE_SUBDOMAINS) !== 0,
      meta,
      line: bulk.line(i),
    });
  }
  return out;
}

function decideAt(engine: RedirectEngine, e: Source): string {
  return outcomeOf(engine.decide({ method: 'GET', scheme: e.scheme === 'http' ? 'http' : 'https', host: e.host, path: e.path, query: '' }));
}

/** Compares two rule sets. Rules are sorted by source. */
export function configChanges(before: RuleSet, after: RuleSet): ConfigChanges {
  const strip = (r: RuleSet): string =>
    JSON.stringify({
      ...r.tables,
      bulk: undefined,
      rules: undefined,
      regions: r.tables.regions.map((g) => ({ ...g, products: undefined })),
    });
  const sitesChanged = strip(before) !== strip(after);
  // Rule ids (names and lines) are not part of any answer: a comment added above a rule changes no cached redirect.
  const rulesOf = (r: RuleSet): string =>
    JSON.stringify([r.tables.rules.map((x) => ({ ...x, id: undefined })), r.tables.regions.map((g) => g.products)]);
  const rulesChanged = rulesOf(before) !== rulesOf(after);
  const oldEngine = new RedirectEngine(before.tables, before.bulk);
  const newEngine = new RedirectEngine(after.tables, after.bulk);
  const oldByKey = sourcesOf(before);
  const newByKey = sourcesOf(after);
  const rules: RuleChange[] = [];
  for (const key of [...new Set([...oldByKey.keys(), ...newByKey.keys()])].sort()) {
    const o = oldByKey.get(key);
    const n = newByKey.get(key);
    const e = (n ?? o)!;
    const beforeOutcome = decideAt(oldEngine, e);
    const afterOutcome = decideAt(newEngine, e);
    const kind = !o ? 'added' : !n ? 'removed' : 'changed';
    if (kind === 'changed' && o!.meaning === n!.meaning && beforeOutcome === afterOutcome) continue;
    rules.push({
      kind,
      source: key,
      host: e.host,
      path: e.path,
      includeSubdomains: (o?.includeSubdomains ?? false) || (n?.includeSubdomains ?? false),
      example: `${e.scheme === 'http' ? 'http' : 'https'}://${e.host}${e.path}`,
      before: beforeOutcome,
      after: afterOutcome,
      lineBefore: o?.line,
      lineAfter: n?.line,
    });
  }
  return { sitesChanged, rulesChanged, rules };
}

/** CloudFront runs at most this many wildcard invalidation paths at once per distribution; more become one `/*`. */
export const MAX_WILDCARD_PATHS = 15;

/**
 * Invalidation paths per redirect site. Each changed source becomes
 * `<path>*`, which covers its trailing-slash, index.html and query-string
 * variants and everything below it; include-subdomains entries reach every
 * configured subdomain. Anything but the bulk list changing, or more than
 * `MAX_WILDCARD_PATHS` paths for one site, means `/*`: sites, regions,
 * countries or headers changing, and the rules file's rules or the store
 * catalogue changing, since a rule can decide any path of any redirect site. Frozen sites are
 * never listed: they have no function, and their snapshot deployment
 * invalidates them itself.
 */
export function invalidationPaths(after: CompiledTables, changes: ConfigChanges): Map<string, string[]> {
  const redirectSites = after.sites.filter((s) => s.mode !== 'frozen');
  const siteOfHost = new Map(
    after.hosts.filter(([, i]) => after.sites[i].mode !== 'frozen').map(([h, i]) => [h, after.sites[i].name] as const),
  );
  const out = new Map<string, Set<string>>();
  if (changes.sitesChanged || changes.rulesChanged) {
    for (const s of redirectSites) out.set(s.name, new Set(['/*']));
  } else {
    for (const rule of changes.rules) {
      const hosts = rule.includeSubdomains
        ? [...siteOfHost.keys()].filter((h) => h === rule.host || h.endsWith('.' + rule.host))
        : [rule.host];
      for (const h of hosts) {
        const site = siteOfHost.get(h);
        if (!site) continue;
        if (!out.has(site)) out.set(site, new Set());
        out.get(site)!.add(rule.path === '/' ? '/*' : `${rule.path}*`);
      }
    }
  }
  const result = new Map<string, string[]>();
  for (const [site, paths] of [...out].sort(([a], [b]) => (a < b ? -1 : 1))) {
    result.set(site, paths.has('/*') || paths.size > MAX_WILDCARD_PATHS ? ['/*'] : [...paths].sort());
  }
  return result;
}
