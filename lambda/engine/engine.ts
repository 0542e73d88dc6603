/**
 * The redirect engine: one request in, one decision out.
 *
 * It reads exactly these request fields: method, scheme, Host, path, query
 * string and the viewer's country (the last only when a region-path site gets
 * a path with no region segment). It imports nothing from AWS or CDK and
 * never throws for any request.
 *
 * Every `Location` is a checked prefix (a store URL, checked when the engine
 * is built, or a bulk target, checked the first time it is used) followed by
 * canonical path segments and `safeQuery` output, which are printable ASCII
 * without `#` or `\\` by construction. A prefix that fails the check gives
 * `fallback:unsafe-location`. So a decision reads the request's path once and
 * never re-reads the location it built.
 *
 * On the request path, flags are tested with `=== true` or kept as 0 and 1:
 * a bare truth test of a value V8 cannot type (a field, a call's result)
 * compiles to a generic check of every falsy kind, and storing a boolean into
 * an object field needs a write barrier that a small integer does not
 * (docs/design.md, "The request path").
 */
import { BulkHostPlan, BulkIndex, packBulk } from './bulk';
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
  RequestFacts,
} from './types';
import { PathScan } from './path';
import { locationChecker, normaliseCountry, normaliseHost, safeQuery } from './url';

/** How many internal hops (bulk targets on this project's own hosts) are followed. */
export const MAX_INTERNAL_HOPS = 8;

type RedirectStatus = 301 | 302 | 307 | 308;

/** A hop: what one rule answers, before internal targets are followed. */
type Hop = Extract<Decision, { action: 'redirect' }>;

/** A configured host: its site, and the bulk sources its requests can match (none: undefined). */
interface HostRoute {
  readonly site: CompiledSite;
  readonly bulk: BulkHostPlan | undefined;
  /** `site.mode`, read once: comparing the mode strings on every request cost a string comparison each. */
  readonly frozen: boolean;
  readonly regionPath: boolean;
}

/** Region names are at most this long (lib/config/fields.ts NAME). */
const MAX_REGION_NAME = 32;

/** Where names of `length` characters starting with `first` (either case) sit in `regionFirst`. */
function regionSlot(length: number, first: number): number {
  return (length << 6) | (first & 31);
}

/**
 * A request field as a string, `otherwise` when it is missing. A string is
 * returned as it is: calling `String` on one still costs a builtin call.
 */
function asText(value: unknown, otherwise: string): string {
  return typeof value === 'string' ? value : String(value ?? otherwise);
}

/** Where a two-letter upper-case country code sits in a 26 × 26 table. */
function countrySlot(cc: string): number {
  return (cc.charCodeAt(0) - 65) * 26 + (cc.charCodeAt(1) - 65);
}

function isPermanent(status: number): boolean {
  return status === 301 || status === 308;
}

const TARGET_UNCHECKED = 0;
const TARGET_SAFE = 1;
const TARGET_UNSAFE = 2;

export class RedirectEngine {
  /** Each configured host's site, and the bulk sources its requests can match. */
  private readonly hostRoutes = new Map<string, HostRoute>();
  /**
   * Regions by the length and first character of their name (`regionSlot`): region index + 1 of the first
   * such region, 0 for none; `regionNext` chains the others (a path segment is compared with the names in its
   * slot only, never hashed).
   */
  private readonly regionFirst = new Int32Array((MAX_REGION_NAME + 1) << 6);
  private readonly regionNext: Int32Array;
  /** Region index + 1 by country code (`countrySlot`), 0 for a country with no region of its own. */
  private readonly countryRegion = new Uint16Array(26 * 26);
  /** Per region: 1 when its URL passed the allow-list check, else 0. */
  private readonly regionSafe: Uint8Array;
  /** Per region: whether it is a frozen site (`kind`, read once). */
  private readonly regionFrozen: readonly boolean[];
  /** Per region: its URL + `product/`, and + `support/`. */
  private readonly productPrefix: readonly string[];
  private readonly supportPrefix: readonly string[];
  private readonly allowed: ReadonlySet<string>;
  private readonly isSafe: (location: string) => boolean;
  private readonly bulk: BulkIndex;
  /** Per bulk target: `TARGET_*`. */
  private readonly targetChecks: Uint8Array;
  private readonly fallbackRegion: CompiledRegion;
  /** `bulk:<file>:`, to which a bulk entry's line number is appended. */
  private readonly bulkRule: string;
  /**
   * Whether every rule name this engine gives is JSON-plain: printable ASCII
   * without `"` or `\`, so that it can be written into a JSON string as is.
   * Rule names are constants, line numbers and `bulk:<file>:`, so this is
   * true unless the bulk list's file name has such a character.
   */
  readonly plainRules: boolean;
  /** The path of the request being decided (the engine is single-threaded; no path is kept past a decision). */
  private readonly path = new PathScan();
  /** Of the hop `bulkHop` or `defaultHop` returned last: 1 when its location is on one of this project's redirect hosts (follow it), else 0. */
  private hopInternal = 0;
  /** Of the same hop: 1 when its location's prefix passed the allow-list check (see the module comment), else 0. */
  private hopSafe = 1;

  /**
   * @param tables the compiled tables
   * @param bulk the bulk list's index, when it is loaded apart from the
   *   tables (the bundle reads it from `bulk.bin`); by default packed from
   *   `tables.bulk`
   */
  constructor(private readonly tables: CompiledTables, bulk?: BulkIndex) {
    if (tables.format !== 1) throw new Error(`RedirectEngine: compiled tables of format ${String(tables.format)}; this engine reads format 1. Rebuild the bundle.`);
    this.bulk = bulk ?? new BulkIndex(packBulk(tables.bulk));
    for (const [host, index] of tables.hosts) {
      const site = tables.sites[index];
      this.hostRoutes.set(host, { site, bulk: this.bulk.plan(host), frozen: site.mode === 'frozen', regionPath: site.mode === 'region-path' });
    }
    this.regionNext = new Int32Array(tables.regions.length);
    for (let i = tables.regions.length - 1; i >= 0; i--) {
      const { name } = tables.regions[i];
      if (name.length === 0 || name.length > MAX_REGION_NAME) continue;
      const slot = regionSlot(name.length, name.charCodeAt(0));
      this.regionNext[i] = this.regionFirst[slot];
      this.regionFirst[slot] = i + 1;
    }
    for (const [cc, region] of tables.countries) if (cc !== '' && normaliseCountry(cc) === cc) this.countryRegion[countrySlot(cc)] = region + 1;
    this.allowed = new Set(tables.allowedHosts);
    this.isSafe = locationChecker(tables.allowedHosts);
    this.regionSafe = Uint8Array.from(tables.regions, (r) => (this.isSafe(r.url) && r.url.endsWith('/') && !/[?#]/.test(r.url) ? 1 : 0));
    this.regionFrozen = tables.regions.map((r) => r.kind === 'frozen');
    this.productPrefix = tables.regions.map((r) => r.url + 'product/');
    this.supportPrefix = tables.regions.map((r) => r.url + 'support/');
    this.targetChecks = new Uint8Array(this.bulk.targets.length);
    this.fallbackRegion = tables.regions[tables.defaultRegion];
    this.bulkRule = `bulk:${this.bulk.file}:`;
    this.plainRules = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(this.bulkRule);
  }

  /**
   * Decides what happens to one request. Never throws.
   * @param facts when given, receives what the engine learnt about the request (`RequestFacts`)
   */
  decide(req: EngineRequest, facts?: RequestFacts): Decision {
    if (facts !== undefined) {
      facts.hostConfigured = false;
      facts.pathPlain = false;
    }
    try {
      return this.decideUnsafe(req, facts);
    } catch {
      return this.fallback('fallback:engine-error');
    }
  }

  private decideUnsafe(req: EngineRequest, facts: RequestFacts | undefined): Decision {
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
    let route = this.hostRoutes.get(req.host);
    if (route !== undefined && facts !== undefined) facts.hostConfigured = true;
    route ??= this.hostRoutes.get(normaliseHost(req.host));
    if (route === undefined) return this.fallback('fallback:unknown-host');
    if (route.frozen === true) {
      return { action: 'origin', status: null, location: null, rule: 'origin:frozen-site', perVisitor: false, headers: {} };
    }
    return this.resolve(req.scheme === 'http' ? 'http' : 'https', route, asText(req.path, '/'), asText(req.query, ''), req.country, facts);
  }

  /** Resolves a request on a redirect site, following internal bulk targets. */
  private resolve(scheme: 'http' | 'https', route: HostRoute, path: string, query: string, country: string | undefined, facts: RequestFacts | undefined): Decision {
    const cpath = this.path.load(path, route.bulk?.seeds[0]);
    if (facts !== undefined) facts.pathPlain = cpath.plain;
    const hop = this.bulkHop(scheme, route, cpath, query) ?? this.defaultHop(route, cpath, query, country);
    if (this.hopInternal === 0) return this.hopSafe === 1 ? hop : this.fallback('fallback:unsafe-location');
    const chain: Hop[] = [hop];
    let fragment = '';
    for (let hops = 1; ; hops++) {
      const next = this.internalTarget(chain[chain.length - 1].location);
      if (!next) {
        const last = this.combine(chain, fragment);
        return this.isSafe(last.location) ? last : this.fallback('fallback:unsafe-location');
      }
      if (hops > MAX_INTERNAL_HOPS) return this.fallback('fallback:redirect-loop');
      if (next.fragment) fragment = next.fragment;
      cpath.load(next.path, next.route.bulk?.seeds[0]);
      chain.push(this.bulkHop('https', next.route, cpath, next.query) ?? this.defaultHop(next.route, cpath, next.query, country));
    }
  }

  /** Checks bulk target `i`, not checked yet, against the allow-list and records the result (`targetChecks`). */
  private checkTarget(i: number): boolean {
    const safe = this.isSafe(this.bulk.targets[i]);
    this.targetChecks[i] = safe ? TARGET_SAFE : TARGET_UNSAFE;
    return safe;
  }

  /** The bulk list's answer, or undefined when no entry matches. */
  private bulkHop(scheme: 'http' | 'https', route: HostRoute, cpath: PathScan, query: string): Hop | undefined {
    if (route.bulk === undefined) return undefined;
    const { bulk } = this;
    const entry = bulk.matchEntry(scheme, route.bulk, cpath);
    if (entry < 0) return undefined;
    const meta = bulk.meta(entry);
    const targetIndex = bulk.targetIndex(entry);
    let target = bulk.targets[targetIndex];
    const depth = bulk.matchDepth;
    const addSuffix = (meta & BULK_PRESERVE_PATH_SUFFIX) !== 0 && depth < cpath.count;
    const addQuery = (meta & BULK_PRESERVE_QUERY) !== 0 && query !== '';
    if (addSuffix || addQuery) {
      const cut = target.search(/[?#]/);
      let base = cut < 0 ? target : target.slice(0, cut);
      const tail = cut < 0 ? '' : target.slice(cut);
      if (addSuffix) {
        base = (base.endsWith('/') ? base : base + '/') + cpath.join(depth) + (cpath.trailingSlash === true ? '/' : '');
      }
      // A target with its own query string never has preserve-query set (the loader rejects it).
      target = base + (addQuery ? '?' + safeQuery(query) : '') + tail;
    }
    this.hopInternal = bulk.isInternal(targetIndex) ? 1 : 0;
    // Each target is checked once, the first time it is used.
    const known = this.targetChecks[targetIndex];
    this.hopSafe = known === TARGET_SAFE || (known === TARGET_UNCHECKED && this.checkTarget(targetIndex) === true) ? 1 : 0;
    return this.redirect(BULK_STATUSES[(meta >> BULK_STATUS_SHIFT) & 3], target, this.bulkRule + bulk.line(entry), false);
  }

  /** The region a path segment names (any case), or -1. */
  private regionOf(cpath: PathScan, i: number): number {
    const length = cpath.length(i);
    if (length > MAX_REGION_NAME) return -1;
    const { regionNext } = this;
    for (let r = this.regionFirst[regionSlot(length, cpath.source.charCodeAt(cpath.start(i)))]; r !== 0; r = regionNext[r - 1]) {
      if (cpath.equalsLower(i, this.tables.regions[r - 1].name) === true) return r - 1;
    }
    return -1;
  }

  /** The default rules of the redirect contract. */
  private defaultHop(route: HostRoute, cpath: PathScan, query: string, country: string | undefined): Hop {
    let regionIndex: number;
    let from = 0;
    let perVisitor = false;
    if (route.regionPath === true) {
      regionIndex = cpath.count > 0 ? this.regionOf(cpath, 0) : -1;
      if (regionIndex >= 0) {
        from = 1;
      } else {
        const cc = normaliseCountry(country);
        const byCountry = cc === '' ? 0 : this.countryRegion[countrySlot(cc)];
        regionIndex = byCountry > 0 ? byCountry - 1 : this.tables.defaultRegion;
        perVisitor = true;
      }
    } else {
      regionIndex = route.site.region ?? this.tables.defaultRegion;
    }
    const region = this.tables.regions[regionIndex];
    this.hopInternal = 0;
    this.hopSafe = this.regionSafe[regionIndex];
    const qs = query === '' ? '' : '?' + safeQuery(query);
    const status: RedirectStatus = perVisitor ? 302 : 301;
    const rest = cpath.count - from;

    let location: string;
    let rule: string;
    if (this.regionFrozen[regionIndex] === true) {
      let path = cpath.join(from);
      if (cpath.index !== undefined) path = rest > 0 ? path + '/' + cpath.index : cpath.index;
      else if (rest > 0 && cpath.trailingSlash) path += '/';
      location = region.url + path + qs;
      rule = 'default:frozen-passthrough';
    } else if (rest === 0) {
      location = region.url + qs;
      rule = 'default:home';
    } else if (rest >= 2 && cpath.equalsLower(from, 'product') === true) {
      location = this.productPrefix[regionIndex] + cpath.lower(from + 1) + '/' + qs;
      rule = 'default:product';
    } else if (cpath.equalsLower(from, 'support') === true) {
      location = this.supportPrefix[regionIndex] + qs;
      rule = 'default:support';
    } else {
      location = region.url + qs;
      rule = 'fallback:store-home';
    }
    return this.redirect(status, location, rule, perVisitor);
  }

  /** When a location is on one of this project's redirect hosts, the request it leads to. */
  private internalTarget(location: string): { route: HostRoute; path: string; query: string; fragment: string } | undefined {
    if (!location.startsWith('https://') && !location.startsWith('http://')) return undefined;
    const m = /^https?:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/.exec(location);
    if (!m) return undefined;
    const host = m[1].toLowerCase();
    if (this.allowed.has(host)) return undefined;
    const route = this.hostRoutes.get(host);
    if (!route || route.frozen) return undefined;
    return { route, path: m[2] || '/', query: m[3] ?? '', fragment: m[4] ?? '' };
  }

  /** A temporary redirect to the default region's home, for requests nothing else can serve. */
  private fallback(rule: string): Hop {
    return this.redirect(302, this.fallbackRegion.url, rule, false);
  }

  private redirect(status: RedirectStatus, location: string, rule: string, perVisitor: boolean): Hop {
    const { headers } = this.tables;
    const cacheControl = perVisitor ? headers.perVisitor : isPermanent(status) ? headers.permanent : headers.temporary;
    return {
      action: 'redirect',
      status,
      location,
      rule,
      perVisitor,
      headers: { Location: location, 'Cache-Control': cacheControl, 'Strict-Transport-Security': headers.hsts },
    };
  }

  /**
   * Folds a chain of hops into the one redirect the visitor gets: permanent
   * only if every hop is, method-preserving (307/308) if the first hop is,
   * per visitor if any hop is; the rule names every hop.
   */
  private combine(chain: readonly Hop[], fragment: string): Hop {
    const last = chain[chain.length - 1];
    if (chain.length === 1) return last;
    const permanent = chain.every((h) => isPermanent(h.status));
    const preserveMethod = chain[0].status === 307 || chain[0].status === 308;
    const status: RedirectStatus = preserveMethod ? (permanent ? 308 : 307) : permanent ? 301 : 302;
    const location = fragment && !last.location.includes('#') ? last.location + fragment : last.location;
    return this.redirect(
      status,
      location,
      chain.map((h) => h.rule).join(' > '),
      chain.some((h) => h.perVisitor),
    );
  }
}
