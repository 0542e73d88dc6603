/**
 * The redirect engine: one request in, one decision out.
 *
 * It reads exactly these request fields: method, scheme, Host, path, query
 * string and the viewer's country (the last only when a region-path site gets
 * a path with no region segment). It imports nothing from AWS or CDK and
 * never throws for any request.
 */
import { BulkIndex, packBulk } from './bulk';
import {
  BULK_PRESERVE_PATH_SUFFIX,
  BULK_PRESERVE_QUERY,
  BULK_STATUS_SHIFT,
  BULK_STATUSES,
  CompiledRegion,
  CompiledSite,
  CompiledTables,
  Decision,
  EngineRequest,
} from './types';
import {
  CanonicalPath,
  canonicalPath,
  locationChecker,
  lowerSegment,
  normaliseCountry,
  normaliseHost,
  safeQuery,
} from './url';

/** How many internal hops (bulk targets on this project's own hosts) are followed. */
export const MAX_INTERNAL_HOPS = 8;

type RedirectStatus = 301 | 302 | 307 | 308;

/** One hop's outcome before headers are attached. */
interface Hop {
  readonly status: RedirectStatus;
  readonly location: string;
  readonly rule: string;
  readonly perVisitor: boolean;
  /** The location is on one of this project's redirect hosts: follow it. */
  readonly internal?: boolean;
}

const PERMANENT = new Set<number>([301, 308]);

export class RedirectEngine {
  private readonly hostSite = new Map<string, CompiledSite>();
  private readonly regionByName = new Map<string, number>();
  private readonly countryRegion = new Map<string, number>();
  private readonly allowed: ReadonlySet<string>;
  private readonly isSafe: (location: string) => boolean;
  private readonly bulk: BulkIndex;
  private readonly fallbackRegion: CompiledRegion;

  /**
   * @param tables the compiled tables
   * @param bulk the bulk list's index, when it is loaded apart from the
   *   tables (the bundle reads it from `bulk.bin`); by default packed from
   *   `tables.bulk`
   */
  constructor(private readonly tables: CompiledTables, bulk?: BulkIndex) {
    if (tables.format !== 1) throw new Error(`RedirectEngine: compiled tables of format ${String(tables.format)}; this engine reads format 1. Rebuild the bundle.`);
    for (const [host, site] of tables.hosts) this.hostSite.set(host, tables.sites[site]);
    tables.regions.forEach((r, i) => this.regionByName.set(r.name, i));
    for (const [cc, region] of tables.countries) this.countryRegion.set(cc, region);
    this.allowed = new Set(tables.allowedHosts);
    this.isSafe = locationChecker(tables.allowedHosts);
    this.bulk = bulk ?? new BulkIndex(packBulk(tables.bulk));
    this.fallbackRegion = tables.regions[tables.defaultRegion];
  }

  /** Decides what happens to one request. Never throws. */
  decide(req: EngineRequest): Decision {
    try {
      return this.decideUnsafe(req);
    } catch {
      return this.fallback('fallback:engine-error');
    }
  }

  private decideUnsafe(req: EngineRequest): Decision {
    const method = req.method === 'GET' || req.method === 'HEAD' ? req.method : String(req.method).toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      return {
        action: 'respond',
        status: 405,
        location: null,
        rule: 'respond:method-not-allowed',
        perVisitor: false,
        headers: { Allow: 'GET, HEAD', 'Cache-Control': 'no-store' },
      };
    }
    let host = req.host;
    let site = this.hostSite.get(host);
    if (!site) {
      host = normaliseHost(host);
      site = this.hostSite.get(host);
    }
    if (!site) return this.fallback('fallback:unknown-host');
    if (site.mode === 'frozen') {
      return { action: 'origin', status: null, location: null, rule: 'origin:frozen-site', perVisitor: false, headers: {} };
    }
    const hop = this.resolve(req.scheme === 'http' ? 'http' : 'https', host, site, String(req.path ?? '/'), String(req.query ?? ''), req.country);
    if (!this.isSafe(hop.location)) return this.fallback('fallback:unsafe-location');
    return this.redirect(hop);
  }

  /** Resolves a request on a redirect site, following internal bulk targets. */
  private resolve(scheme: 'http' | 'https', host: string, site: CompiledSite, path: string, query: string, country: string | undefined): Hop {
    let cpath = canonicalPath(path);
    const hop = this.bulkHop(scheme, host, cpath, query) ?? this.defaultHop(site, cpath, query, country);
    if (!hop.internal) return hop;
    const chain: Hop[] = [hop];
    let fragment = '';
    for (let hops = 1; ; hops++) {
      const next = this.internalTarget(chain[chain.length - 1].location);
      if (!next) return combine(chain, fragment);
      if (hops > MAX_INTERNAL_HOPS) return { ...this.fallbackHop(), rule: 'fallback:redirect-loop' };
      if (next.fragment) fragment = next.fragment;
      cpath = canonicalPath(next.path);
      chain.push(this.bulkHop('https', next.host, cpath, next.query) ?? this.defaultHop(next.site, cpath, next.query, country));
    }
  }

  /** The bulk list's answer, or undefined when no entry matches. */
  private bulkHop(scheme: 'http' | 'https', host: string, cpath: CanonicalPath, query: string): Hop | undefined {
    const match = this.bulk.match(scheme, host, cpath.segments);
    if (!match) return undefined;
    const { bulk } = this;
    const meta = bulk.meta(match.entry);
    const targetIndex = bulk.targetIndex(match.entry);
    let target = bulk.targets[targetIndex];
    const suffix = cpath.segments.slice(match.depth);
    const addSuffix = (meta & BULK_PRESERVE_PATH_SUFFIX) !== 0 && suffix.length > 0;
    const addQuery = (meta & BULK_PRESERVE_QUERY) !== 0 && query !== '';
    if (addSuffix || addQuery) {
      const cut = target.search(/[?#]/);
      let base = cut < 0 ? target : target.slice(0, cut);
      const tail = cut < 0 ? '' : target.slice(cut);
      if (addSuffix) {
        base = (base.endsWith('/') ? base : base + '/') + suffix.join('/') + (cpath.trailingSlash ? '/' : '');
      }
      // A target with its own query string never has preserve-query set (the loader rejects it).
      target = base + (addQuery ? '?' + safeQuery(query) : '') + tail;
    }
    return {
      status: BULK_STATUSES[(meta >> BULK_STATUS_SHIFT) & 3],
      location: target,
      rule: `bulk:${bulk.file}:${bulk.line(match.entry)}`,
      perVisitor: false,
      internal: bulk.isInternal(targetIndex),
    };
  }

  /** The default rules of the redirect contract. */
  private defaultHop(site: CompiledSite, cpath: CanonicalPath, query: string, country: string | undefined): Hop {
    const segs = cpath.segments;
    let regionIndex: number | undefined;
    let rest: readonly string[] = segs;
    let perVisitor = false;
    if (site.mode === 'region-path') {
      regionIndex = segs.length > 0 ? this.regionByName.get(segs[0].toLowerCase()) : undefined;
      if (regionIndex !== undefined) {
        rest = segs.slice(1);
      } else {
        regionIndex = this.countryRegion.get(normaliseCountry(country)) ?? this.tables.defaultRegion;
        perVisitor = true;
      }
    } else {
      regionIndex = site.region ?? this.tables.defaultRegion;
    }
    const region = this.tables.regions[regionIndex];
    const qs = query === '' ? '' : '?' + safeQuery(query);
    const status: RedirectStatus = perVisitor ? 302 : 301;

    if (region.kind === 'frozen') {
      const tail = cpath.index !== undefined ? [...rest, cpath.index] : rest;
      const path = tail.join('/') + (tail.length > 0 && cpath.trailingSlash && cpath.index === undefined ? '/' : '');
      return { status, location: region.url + path + qs, rule: 'default:frozen-passthrough', perVisitor };
    }
    const first = rest.length > 0 ? rest[0].toLowerCase() : '';
    if (rest.length === 0) return { status, location: region.url + qs, rule: 'default:home', perVisitor };
    if (first === 'product' && rest.length >= 2) {
      return { status, location: `${region.url}product/${lowerSegment(rest[1])}/${qs}`, rule: 'default:product', perVisitor };
    }
    if (first === 'support') return { status, location: `${region.url}support/${qs}`, rule: 'default:support', perVisitor };
    return { status, location: region.url + qs, rule: 'fallback:store-home', perVisitor };
  }

  /** When a location is on one of this project's redirect hosts, the request it leads to. */
  private internalTarget(location: string): { host: string; site: CompiledSite; path: string; query: string; fragment: string } | undefined {
    if (!location.startsWith('https://') && !location.startsWith('http://')) return undefined;
    const m = /^https?:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/.exec(location);
    if (!m) return undefined;
    const host = m[1].toLowerCase();
    if (this.allowed.has(host)) return undefined;
    const site = this.hostSite.get(host);
    if (!site || site.mode === 'frozen') return undefined;
    return { host, site, path: m[2] || '/', query: m[3] ?? '', fragment: m[4] ?? '' };
  }

  private fallbackHop(): Hop {
    return { status: 302, location: this.fallbackRegion.url, rule: 'fallback', perVisitor: false };
  }

  /** A temporary redirect to the default region's home, for requests nothing else can serve. */
  private fallback(rule: string): Decision {
    return this.redirect({ ...this.fallbackHop(), rule });
  }

  private redirect(hop: Hop): Decision {
    const { headers } = this.tables;
    const cacheControl = hop.perVisitor ? headers.perVisitor : PERMANENT.has(hop.status) ? headers.permanent : headers.temporary;
    return {
      action: 'redirect',
      status: hop.status,
      location: hop.location,
      rule: hop.rule,
      perVisitor: hop.perVisitor,
      headers: { Location: hop.location, 'Cache-Control': cacheControl, 'Strict-Transport-Security': headers.hsts },
    };
  }
}

/**
 * Folds a chain of hops into the one redirect the visitor gets: permanent only
 * if every hop is, method-preserving (307/308) if the first hop is, per
 * visitor if any hop is; the rule names every hop.
 */
function combine(chain: readonly Hop[], fragment: string): Hop {
  const last = chain[chain.length - 1];
  if (chain.length === 1) return last;
  const permanent = chain.every((h) => PERMANENT.has(h.status));
  const preserveMethod = chain[0].status === 307 || chain[0].status === 308;
  const status: RedirectStatus = preserveMethod ? (permanent ? 308 : 307) : permanent ? 301 : 302;
  const location = fragment && !last.location.includes('#') ? last.location + fragment : last.location;
  return {
    status,
    location,
    rule: chain.map((h) => h.rule).join(' > '),
    perVisitor: chain.some((h) => h.perVisitor),
  };
}
