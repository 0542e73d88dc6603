/**
 * config/sites.json: sites, hostnames, regions and their stores, the
 * country map, the allow-list of redirect targets and response headers.
 * Validated field by field; every problem is collected before failing.
 */
import type { CompiledHeaders, SiteMode } from '../../lambda/engine';
import { checkHostname, isObject, NAME, namedEntries, parseJsonObject, unknownKeys } from './fields';
import { oneOf, ProblemList, q } from './problems';

export interface RegionConfig {
  /** Region name, also the path segment that selects it on region-path sites. */
  readonly name: string;
  /** `store`: default rules redirect into `url`; `frozen`: paths pass through to `url` unchanged. */
  readonly kind: 'store' | 'frozen';
  /** Absolute `https://` URL ending in `/`: the store, or the frozen site. */
  readonly url: string;
  /** Where the region's home page goes (`:landing` in rules): `landing`, or the store when none is given. */
  readonly landing: string;
}

export interface SiteConfig {
  /** Site name, from the key in `sites`. */
  readonly name: string;
  readonly mode: SiteMode;
  /** Region of a `region-host` site. */
  readonly region?: string;
  /** Lower-case DNS names the site answers on; `*.po.co` (a wildcard first label) answers every name one label below po.co that no site names. */
  readonly hostnames: readonly string[];
  /**
   * Of a `frozen` site: the folder holding its snapshot, relative to the
   * folder of the sites file; deployed to the site's bucket when it exists.
   */
  readonly content?: string;
}

export interface SitesConfig {
  readonly file: string;
  readonly allowedTargetHosts: readonly string[];
  readonly regions: readonly RegionConfig[];
  readonly defaultRegion: string;
  /** ISO 3166 alpha-2 code → region name. */
  readonly countries: ReadonlyMap<string, string>;
  readonly sites: readonly SiteConfig[];
  readonly headers: CompiledHeaders;
}

/** Response headers used when `responseHeaders` leaves a value out. */
export const DEFAULT_HEADERS: CompiledHeaders = {
  permanent: 'public, max-age=86400',
  temporary: 'public, max-age=300',
  perVisitor: 'private, no-store',
  hsts: 'max-age=63072000',
};

/** One year: the least HSTS max-age accepted. */
export const MIN_HSTS_SECONDS = 31536000;

const SITE_MODES: readonly SiteMode[] = ['region-path', 'region-host', 'frozen'];
/** Checks an `https://host/path/` URL of a region. */
function checkRegionUrl(p: ProblemList, field: string, url: unknown, allowed: readonly string[]): url is string {
  if (typeof url !== 'string') {
    p.atField(field, `must be a URL string, found ${q(url)}.`, 'write an absolute https:// URL ending in "/", such as "https://www.mi.com/uk/".');
    return false;
  }
  const m = /^https:\/\/([^/?#@:]+)(\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*)$/.exec(url);
  if (!m || !url.endsWith('/')) {
    p.atField(field, `${q(url)} is not an absolute https:// URL with a path ending in "/" and no query or fragment.`, 'write it like "https://www.mi.com/uk/".');
    return false;
  }
  if (!allowed.includes(m[1])) {
    p.atField(field, `host ${q(m[1])} is not in allowedTargetHosts.`, `add ${q(m[1])} to allowedTargetHosts, or use one of ${oneOf(allowed)}.`);
    return false;
  }
  return true;
}

function checkHeaders(p: ProblemList, raw: unknown): CompiledHeaders {
  if (raw === undefined) return DEFAULT_HEADERS;
  if (!isObject(raw)) {
    p.atField('responseHeaders', `must be an object, found ${q(raw)}.`, 'remove it to use the defaults, or give {"cacheControl": {...}, "strictTransportSecurity": "..."}.');
    return DEFAULT_HEADERS;
  }
  unknownKeys(p, 'responseHeaders', raw, ['cacheControl', 'strictTransportSecurity']);
  const out: { -readonly [K in keyof CompiledHeaders]: string } = { ...DEFAULT_HEADERS };
  const cc = raw.cacheControl;
  if (cc !== undefined && !isObject(cc)) {
    p.atField('responseHeaders.cacheControl', `must be an object, found ${q(cc)}.`, 'give {"permanent": "...", "temporary": "...", "perVisitor": "..."} or remove it.');
  } else if (cc) {
    unknownKeys(p, 'responseHeaders.cacheControl', cc, ['permanent', 'temporary', 'perVisitor']);
    for (const key of ['permanent', 'temporary', 'perVisitor'] as const) {
      const v = cc[key];
      if (v === undefined) continue;
      const field = `responseHeaders.cacheControl.${key}`;
      if (typeof v !== 'string' || !/^[\x20-\x7e]+$/.test(v)) {
        p.atField(field, `must be a non-empty header value of printable ASCII, found ${q(v)}.`, `write a Cache-Control value such as ${q(DEFAULT_HEADERS[key])}.`);
      } else if (key === 'perVisitor' && !/\b(private|no-store)\b/.test(v)) {
        p.atField(field, `${q(v)} lets browsers or shared caches store a redirect that differs per visitor.`, 'include "private" or "no-store", such as "private, no-store".');
      } else {
        out[key] = v;
      }
    }
  }
  const hsts = raw.strictTransportSecurity;
  if (hsts !== undefined) {
    const m = typeof hsts === 'string' ? /^max-age=(\d+)(;\s*includeSubDomains)?(;\s*preload)?$/.exec(hsts) : null;
    if (!m) {
      p.atField('responseHeaders.strictTransportSecurity', `${q(hsts)} is not a Strict-Transport-Security value.`, 'write it like "max-age=63072000" (optionally followed by "; includeSubDomains").');
    } else if (Number(m[1]) < MIN_HSTS_SECONDS) {
      p.atField('responseHeaders.strictTransportSecurity', `max-age ${m[1]} is shorter than a year.`, `use max-age=${MIN_HSTS_SECONDS} or more.`);
    } else {
      out.hsts = hsts as string;
    }
  }
  return out;
}

/**
 * Parses and validates the text of config/sites.json.
 * Problems go to `p`; the result is only meaningful when `p.ok`.
 */
export function parseSites(text: string, p: ProblemList): SitesConfig | undefined {
  const raw = parseJsonObject(p, text, 'the default config/sites.json');
  if (!raw) return undefined;
  unknownKeys(p, '', raw, ['allowedTargetHosts', 'regions', 'defaultRegion', 'countries', 'sites', 'responseHeaders']);

  // allowedTargetHosts
  const allowed: string[] = [];
  if (!Array.isArray(raw.allowedTargetHosts) || raw.allowedTargetHosts.length === 0) {
    p.atField('allowedTargetHosts', `must be a non-empty list of hostnames, found ${q(raw.allowedTargetHosts)}.`, 'list the hosts redirects may lead to, such as ["www.mi.com"].');
  } else {
    raw.allowedTargetHosts.forEach((h, i) => {
      if (checkHostname(p, `allowedTargetHosts[${i}]`, h, 'www.mi.com')) allowed.push(h);
    });
  }

  // regions
  const regions: RegionConfig[] = [];
  const regionExample = '{"global": {"store": "https://www.mi.com/global/"}, ...}';
  for (const [name, r] of namedEntries(p, 'regions', raw.regions, 'region', regionExample, '{"store": "https://www.mi.com/<region>/"} or {"frozen": "https://<host>/"}')) {
    const field = `regions.${name}`;
    unknownKeys(p, field, r, ['store', 'frozen', 'landing']);
    const kinds = (['store', 'frozen'] as const).filter((k) => r[k] !== undefined);
    if (kinds.length !== 1) {
      p.atField(field, kinds.length === 0 ? 'has neither "store" nor "frozen".' : 'has both "store" and "frozen".', 'give exactly one: "store" for a Xiaomi store, "frozen" for a site served unchanged.');
      continue;
    }
    const kind = kinds[0];
    if (kind === 'frozen' && r.landing !== undefined) {
      p.atField(`${field}.landing`, `a frozen region has no landing of its own (found ${q(r.landing)}).`, 'remove "landing": paths of a frozen region pass through to its site unchanged.');
      continue;
    }
    const urlOk = checkRegionUrl(p, `${field}.${kind}`, r[kind], allowed);
    const landingOk = r.landing === undefined || checkRegionUrl(p, `${field}.landing`, r.landing, allowed);
    if (urlOk && landingOk) regions.push({ name, kind, url: r[kind] as string, landing: (r.landing ?? r[kind]) as string });
  }
  // References are checked against every declared region, valid or not, so one bad region is reported once.
  const regionNames = isObject(raw.regions) ? Object.keys(raw.regions).filter((n) => NAME.test(n)) : [];
  const knownRegion = (v: unknown): v is string => typeof v === 'string' && regionNames.includes(v);

  // defaultRegion
  if (!knownRegion(raw.defaultRegion)) {
    p.atField('defaultRegion', `${q(raw.defaultRegion)} is not a region defined in regions.`, `use one of ${oneOf(regionNames)}.`);
  }

  // countries
  const countries = new Map<string, string>();
  if (raw.countries !== undefined && !isObject(raw.countries)) {
    p.atField('countries', `must be an object of country code → region, found ${q(raw.countries)}.`, 'give {"GB": "uk", ...}.');
  } else if (raw.countries) {
    for (const [cc, region] of Object.entries(raw.countries)) {
      if (!/^[A-Z]{2}$/.test(cc)) {
        p.atField(`countries.${cc}`, `${q(cc)} is not an upper-case ISO 3166-1 alpha-2 country code.`, /^[a-z]{2}$/i.test(cc) ? `write it as ${q(cc.toUpperCase())}.` : 'use a two-letter code such as "GB".');
      } else if (!knownRegion(region)) {
        p.atField(`countries.${cc}`, `${q(region)} is not a region defined in regions.`, `use one of ${oneOf(regionNames)}.`);
      } else {
        countries.set(cc, region);
      }
    }
  }

  // sites
  const sites: SiteConfig[] = [];
  const hostOwner = new Map<string, string>();
  const siteExample = '{"global": {"mode": "region-path", "hostnames": ["po.co"]}, ...}';
  for (const [name, s] of namedEntries(p, 'sites', raw.sites, 'site', siteExample, '{"mode": "...", "hostnames": [...]}')) {
    const field = `sites.${name}`;
    unknownKeys(p, field, s, ['mode', 'region', 'hostnames', 'content']);
    const mode = s.mode as SiteMode;
    let ok = true;
    if (!SITE_MODES.includes(mode)) {
      p.atField(`${field}.mode`, `${q(s.mode)} is not a site mode.`, `use ${oneOf(SITE_MODES.map((m) => `"${m}"`))}.`);
      ok = false;
    }
    if (mode === 'region-host' && !knownRegion(s.region)) {
      p.atField(`${field}.region`, `${q(s.region)} is not a region defined in regions.`, `use one of ${oneOf(regionNames)}.`);
      ok = false;
    } else if (mode !== 'region-host' && s.region !== undefined) {
      p.atField(`${field}.region`, `a ${q(s.mode)} site takes no region (found ${q(s.region)}).`, 'remove "region", or set "mode": "region-host".');
      ok = false;
    }
    const hostnames: string[] = [];
    if (!Array.isArray(s.hostnames) || s.hostnames.length === 0) {
      p.atField(`${field}.hostnames`, `must be a non-empty list of hostnames, found ${q(s.hostnames)}.`, 'list the DNS names the site answers on, such as ["uk.po.co"].');
      ok = false;
    } else {
      s.hostnames.forEach((h, i) => {
        const hf = `${field}.hostnames[${i}]`;
        if (!checkHostname(p, hf, h, 'uk.po.co', true)) {
          ok = false;
        } else if (hostOwner.has(h)) {
          p.atField(hf, `${q(h)} is already a hostname of site ${q(hostOwner.get(h))}.`, 'give each hostname to one site only.');
          ok = false;
        } else {
          hostOwner.set(h, name);
          hostnames.push(h);
        }
      });
    }
    if (s.content !== undefined) {
      const c = s.content;
      if (mode !== 'frozen') {
        p.atField(`${field}.content`, `a ${q(s.mode)} site has no content of its own (found ${q(c)}).`, 'remove "content"; only a "frozen" site serves a snapshot.');
        ok = false;
      } else if (typeof c !== 'string' || c === '' || /^([a-zA-Z]:)?[\\/]/.test(c) || c.split(/[\\/]/).includes('..')) {
        p.atField(`${field}.content`, `${q(c)} is not a folder path relative to the sites file's folder.`, 'write a relative path without "..", such as "frozen/in", so the config means the same on every checkout.');
        ok = false;
      }
    }
    if (ok) {
      sites.push({
        name,
        mode,
        hostnames,
        ...(mode === 'region-host' ? { region: s.region as string } : {}),
        ...(typeof s.content === 'string' ? { content: s.content } : {}),
      });
    }
  }

  const headers = checkHeaders(p, raw.responseHeaders);
  if (!p.ok) return undefined;
  return { file: p.file, allowedTargetHosts: allowed, regions, defaultRegion: raw.defaultRegion as string, countries, sites, headers };
}
