/**
 * Turns validated config into the engine's `CompiledTables`.
 *
 * Deterministic: sites, hosts, regions and countries are sorted by name, so
 * reordering config/sites.json changes neither the tables nor the bundle's
 * hash; bulk entries keep file order (their line numbers are their names).
 */
import {
  BULK_INCLUDE_SUBDOMAINS,
  BULK_PRESERVE_PATH_SUFFIX,
  BULK_PRESERVE_QUERY,
  BULK_SCHEME_ANY,
  BULK_SCHEME_HTTP,
  BULK_SCHEME_HTTPS,
  BULK_STATUS_SHIFT,
  BULK_STATUSES,
  BULK_SUBPATH_MATCHING,
  CompiledBulk,
  CompiledRule,
  CompiledTables,
} from '../../lambda/engine';
import type { ProductsByRegion } from './catalog';
import type { BulkEntry } from './redirects';
import type { RegionConfig, SitesConfig } from './sites';

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const byFirst = <T extends readonly [string, ...unknown[]]>(a: T, b: T): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

export function compileBulk(file: string, entries: readonly BulkEntry[]): CompiledBulk {
  const keys: string[] = [];
  const meta: number[] = [];
  const target: number[] = [];
  const line: number[] = [];
  const targets: string[] = [];
  const internalTargets: number[] = [];
  const targetIndex = new Map<string, number>();
  for (const e of entries) {
    keys.push(e.host + e.path);
    let t = targetIndex.get(e.target);
    if (t === undefined) {
      t = targets.length;
      targets.push(e.target);
      targetIndex.set(e.target, t);
      if (e.internal) internalTargets.push(t);
    }
    target.push(t);
    line.push(e.line);
    meta.push(
      (e.scheme === 'http' ? BULK_SCHEME_HTTP : e.scheme === 'https' ? BULK_SCHEME_HTTPS : BULK_SCHEME_ANY) |
        (e.includeSubdomains ? BULK_INCLUDE_SUBDOMAINS : 0) |
        (e.subpathMatching ? BULK_SUBPATH_MATCHING : 0) |
        (e.preserveQueryString ? BULK_PRESERVE_QUERY : 0) |
        (e.preservePathSuffix ? BULK_PRESERVE_PATH_SUFFIX : 0) |
        (BULK_STATUSES.indexOf(e.status) << BULK_STATUS_SHIFT),
    );
  }
  return { file, keys, meta, target, line, targets, internalTargets };
}

/** The regions in the order the compiled tables hold them (rules refer to regions by this index). */
export function regionOrder(sites: SitesConfig): RegionConfig[] {
  return [...sites.regions].sort(byName);
}

/**
 * The engine's tables.
 * @param ruleset the rules file's rules and the store catalogue (`loadRuleset`)
 */
export function compileTables(sites: SitesConfig, bulkFile: string, entries: readonly BulkEntry[], ruleset: { readonly rules: readonly CompiledRule[]; readonly products: ProductsByRegion }): CompiledTables {
  const { rules, products } = ruleset;
  const regions = regionOrder(sites);
  const regionIndex = new Map(regions.map((r, i) => [r.name, i]));
  const siteList = [...sites.sites].sort(byName);
  return {
    format: 2,
    sites: siteList.map((s) => ({
      name: s.name,
      mode: s.mode,
      ...(s.region !== undefined ? { region: regionIndex.get(s.region) as number } : {}),
    })),
    hosts: siteList.flatMap((s, i) => s.hostnames.map((h) => [h, i] as const)).sort(byFirst),
    regions: regions.map((r) => ({ name: r.name, kind: r.kind, url: r.url, landing: r.landing, products: [...(products.get(r.name) ?? [])].sort() })),
    countries: [...sites.countries].map(([cc, r]) => [cc, regionIndex.get(r) as number] as const).sort(byFirst),
    defaultRegion: regionIndex.get(sites.defaultRegion) as number,
    allowedHosts: [...sites.allowedTargetHosts].sort(),
    headers: sites.headers,
    bulk: compileBulk(bulkFile, entries),
    rules,
  };
}

/**
 * The tables without the bulk list's columns: what the bundle's index.js
 * embeds (the columns live in bulk.bin), and, given to an engine with no bulk
 * index, the rules file alone.
 */
export function withoutBulkColumns(tables: CompiledTables): CompiledTables {
  return { ...tables, bulk: compileBulk(tables.bulk.file, []) };
}
