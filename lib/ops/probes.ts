/**
 * The requests `verify` sends: the contract's examples, a walk of every
 * site's rules, and an even sample of the bulk list, each with what the
 * engine says should happen. Pure: no network, no AWS.
 */
import { Decision, EngineRequest, RedirectEngine } from '../../lambda/engine';
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
}

/** The examples of the redirect contract (README), as requests; checked against the engine, not against fixed answers. */
export const CONTRACT_EXAMPLES: readonly { readonly url: string; readonly country?: string }[] = [
  { url: 'https://po.co/', country: 'GB' },
  { url: 'https://po.co/' },
  { url: 'https://po.co/product/poco-f6', country: 'DE' },
  { url: 'https://www.po.co/global/' },
  { url: 'https://po.co/uk/product/poco-f6-pro' },
  { url: 'https://po.co/FR/Product/POCO-X7/specs?ref=a' },
  { url: 'https://po.co/de/support/warranty' },
  { url: 'https://po.co/es/some/old/page' },
  { url: 'https://uk.po.co/product/poco-m6' },
  { url: 'https://po.co/in/product/poco-c75' },
  { url: 'https://in.po.co/anything' },
];

/** Paths probed within each region: home, a product page below its slug, support, and an unknown page. */
const REGION_PATHS = ['', 'product/poco-f6/specs', 'support/faq', 'old/page?utm_source=box'];

/** The paths the reviewer tools walk each region with: one per default rule. */
export const WALK_PATHS = ['', 'product/poco-f6', 'support/faq', 'old/page'];

/**
 * A walk of one hostname's default rules, as `[path, country]` (`''`: no
 * country): on a region-path site, the root for each of `countries`, then
 * each of `paths` below each region segment; on any other site, each of
 * `paths` from the root.
 */
export function siteWalk(mode: string, regions: readonly string[], countries: readonly string[], paths: readonly string[]): [string, string][] {
  if (mode !== 'region-path') return paths.map((p) => [`/${p}`, '']);
  return [...countries.map((c): [string, string] => ['/', c]), ...regions.flatMap((r) => paths.map((p): [string, string] => [`/${r}/${p}`, '']))];
}

function probe(host: string, target: string, origin: string, country?: string): Probe {
  return { url: `https://${host}${target}`, host, target, country, origin };
}

/** Splits `https://host/path?q` (the engine's tables hold only such URLs). */
function splitUrl(url: string): { host: string; target: string } {
  const m = /^https?:\/\/([^/?#]+)([^#]*)$/.exec(url);
  if (!m) throw new Error(`probes: ${JSON.stringify(url)} is not an absolute http(s) URL`);
  return { host: m[1], target: m[2] || '/' };
}

/**
 * Every probe for a config: the contract examples on configured hostnames,
 * each site's rules (every region segment on region-path sites, every
 * configured country and none on their root), and `sample` bulk entries
 * spread evenly over the list (all of them when the list is shorter).
 * Duplicates (same URL and country) are sent once.
 */
export function buildProbes(config: LoadedConfig, sample: number): Probe[] {
  const hosts = new Set(config.sites.sites.flatMap((s) => s.hostnames));
  const out: Probe[] = [];
  for (const ex of CONTRACT_EXAMPLES) {
    const { host, target } = splitUrl(ex.url);
    if (hosts.has(host)) out.push(probe(host, target, 'contract', ex.country));
  }
  const countries = [...config.sites.countries.keys()].sort();
  const regions = config.sites.regions.map((r) => r.name);
  for (const site of config.sites.sites) {
    const origin = `site ${site.name}`;
    for (const host of site.hostnames) {
      if (site.mode === 'frozen') {
        out.push(probe(host, '/', origin));
        continue;
      }
      for (const [target, country] of siteWalk(site.mode, regions, ['', ...countries], REGION_PATHS)) out.push(probe(host, target, origin, country || undefined));
    }
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
  return { method: 'GET', scheme: 'https', host: p.host, path: q < 0 ? p.target : p.target.slice(0, q), query: q < 0 ? '' : p.target.slice(q + 1), country };
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
