/**
 * config/catalog.json: the store catalogue, per store the product slugs that
 * have a page there (`npm run ops -- catalog` builds it from store sitemaps or
 * URL lists). Rules read it through `:product` placeholders.
 */
import { canonicalSegment, lowerSegment } from '../../lambda/engine';
import { isObject, parseJsonObject, unknownKeys } from './fields';
import { oneOf, ProblemList, q } from './problems';
import type { RegionConfig, SitesConfig } from './sites';

/** Product slugs by region name, for every store region (empty when the catalogue lists none). */
export type ProductsByRegion = ReadonlyMap<string, ReadonlySet<string>>;

/** Whether `slug` is a slug as requests carry it after lower-casing: one canonical path segment. */
function isSlug(slug: string): boolean {
  return slug !== '' && slug !== '.' && slug !== '..' && lowerSegment(canonicalSegment(slug)) === slug;
}

/**
 * Parses and validates the catalogue's text against the sites: every store
 * must be a configured region's store. Problems go to `p`.
 */
export function parseCatalog(text: string, p: ProblemList, sites: SitesConfig): ProductsByRegion {
  const out = new Map<string, Set<string>>(sites.regions.filter((r) => r.kind === 'store').map((r) => [r.name, new Set<string>()]));
  const raw = parseJsonObject(p, text, '{"stores": {"https://www.mi.com/global/": ["poco-f6"]}}');
  if (!raw) return out;
  unknownKeys(p, '', raw, ['stores']);
  if (!isObject(raw.stores)) {
    p.atField('stores', `must be an object of store URL → product slugs, found ${q(raw.stores)}.`, 'give {"https://www.mi.com/global/": ["poco-f6", ...]}, or rebuild it with npm run ops -- catalog.');
    return out;
  }
  const stores = sites.regions.filter((r) => r.kind === 'store');
  for (const [store, slugs] of Object.entries(raw.stores)) addStore(p, store, slugs, stores, out);
  return out;
}

/** Adds the valid slugs of `store` to every region whose store it is. */
function addStore(p: ProblemList, store: string, slugs: unknown, stores: readonly RegionConfig[], out: Map<string, Set<string>>): void {
  const field = `stores.${store}`;
  const regions = stores.filter((r) => r.url === store);
  if (regions.length === 0) {
    p.atField(field, `${q(store)} is not the store of a region in config/sites.json.`, `remove it, or use one of ${oneOf(stores.map((r) => r.url))}.`);
    return;
  }
  if (!Array.isArray(slugs)) {
    p.atField(field, `must be a list of product slugs, found ${q(slugs)}.`, 'give ["poco-f6", ...].');
    return;
  }
  slugs.forEach((slug: unknown, i) => {
    if (!checkSlug(p, `${field}[${i}]`, slug)) return;
    for (const r of regions) out.get(r.name)!.add(slug);
  });
}

/** Reports `slug` unless it is a product slug, suggesting its canonical form when that is one. */
function checkSlug(p: ProblemList, field: string, slug: unknown): slug is string {
  if (typeof slug === 'string' && isSlug(slug)) return true;
  const fixed = typeof slug === 'string' && slug !== '' ? lowerSegment(canonicalSegment(slug)) : undefined;
  p.atField(field, `${q(slug)} is not a product slug (one lower-case path segment).`, fixed !== undefined && isSlug(fixed) ? `write it as ${q(fixed)}.` : 'write the slug as it stands in the store URL, such as "poco-f6".');
  return false;
}
