/**
 * The redirect engine: one request in, one decision out.
 *
 * It reads exactly these request fields: method, scheme, Host, path, query
 * string and the viewer's country (the last only when a region-path site gets
 * a path with no region segment, or a rule limited to some countries is
 * weighed). It imports nothing from AWS or CDK and never throws for any
 * request.
 *
 * Order: the bulk list (lambda/engine/bulk.ts) wins; then the rules file
 * (lambda/engine/rules.ts), first match in file order; then
 * `fallback:no-rule`, the region's landing. A bulk target on one of this
 * project's own hosts is followed, so the visitor gets one hop.
 *
 * Every `Location` is a checked prefix followed by parts safe by
 * construction: the prefix (a region's store or landing, a rule target's text
 * up to its first placeholder, a bulk target) is checked against the
 * allow-list once, when the engine is built or when a bulk target is first
 * used; what follows is canonical path segments and `safeQuery` output,
 * printable ASCII without `#` or `\`. A prefix that fails gives
 * `fallback:unsafe-location`. Checking each finished URL instead cost about a
 * third of a decision (docs/design.md, "The request path").
 */
import { BulkHostPlan, BulkIndex, packBulk } from './bulk';
import { PathScan } from './path';
import { fillSegments, fillTarget, RuleIndex, RuleMatch } from './rules';
import {
  BULK_PRESERVE_PATH_SUFFIX,
  BULK_PRESERVE_QUERY,
  BULK_STATUS_SHIFT,
  BULK_STATUSES,
  CompiledRule,
  CompiledSite,
  CompiledTables,
  Decision,
  EngineRequest,
  RequestFacts,
} from './types';
import { locationChecker, lowerSegment, normaliseCountry, normaliseHost, safeQuery, wildcardOf } from './url';

/** How many internal hops (bulk targets on this project's own hosts) are followed. */
export const MAX_INTERNAL_HOPS = 8;
/** How many rewrites (status 200 rules) one request may go through. */
export const MAX_REWRITES = 8;

type RedirectStatus = 301 | 302 | 307 | 308;

/** A redirect, before internal targets are followed. */
type Hop = Extract<Decision, { action: 'redirect' }>;
/** What the bulk list or the rules answer: a redirect, or a response (a gone page). */
type Answer = Hop | Extract<Decision, { action: 'respond' }>;

/** A configured host: its site, and the bulk sources its requests can match (none: undefined). */
interface HostRoute {
  /** The hostname as configured (`*.po.co` for a name a wildcard answers): rules are scoped by it. */
  readonly name: string;
  readonly site: CompiledSite;
  readonly bulk: BulkHostPlan | undefined;
}

/**
 * A request field as a string, `otherwise` when it is missing.
 */
function asText(value: unknown, otherwise: string): string {
  return typeof value === 'string' ? value : String(value ?? otherwise);
}

function isPermanent(status: number): boolean {
  return status === 301 || status === 308;
}

/** The temporary status of a redirect that differs per visitor. */
function perVisitorStatus(status: RedirectStatus): RedirectStatus {
  return status === 301 ? 302 : status === 308 ? 307 : status;
}

/** HTML-escapes text for the gone page (the location is checked printable ASCII already). */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The page of a 410: what is gone, and a link to the closest live page. */
function gonePage(location: string): string {
  const href = escapeHtml(location);
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Page gone</title><p>This POCO page is gone. Continue to <a href="${href}">${href}</a>.</p></html>\n`;
}

/** A region-relative request: the region, how it was found, the path within it. */
interface RegionPath {
  readonly region: number;
  /** The region came from the visitor's country (no region segment on a region-path site). */
  readonly byCountry: boolean;
  /** Index of the path's first segment within the region. */
  readonly from: number;
}

export class RedirectEngine {
  /** Each configured host's route (wildcards under their `*.` name). */
  private readonly hostRoutes = new Map<string, HostRoute>();
  /** Region index by name. */
  private readonly regionIndex: ReadonlyMap<string, number>;
  /** Region index by country code, for countries with a region of their own. */
  private readonly countryRegion: ReadonlyMap<string, number>;
  private readonly allowed: ReadonlySet<string>;
  private readonly isSafe: (location: string) => boolean;
  /** Per region: its store and landing passed the allow-list check. */
  private readonly regionSafe: readonly boolean[];
  /** Per rule: its target's fixed text passed the check (`:store` and `:landing` are checked per region). */
  private readonly ruleSafe: readonly boolean[];
  /** Per bulk target: undefined until first used, then whether it passed the check. */
  private readonly bulkTargetSafe: (boolean | undefined)[];
  private readonly bulk: BulkIndex;
  private readonly rules: RuleIndex;
  /** `bulk:<file>:`, to which a bulk entry's line number is appended. */
  private readonly bulkRule: string;
  /**
   * Whether every rule name this engine gives is JSON-plain: printable ASCII
   * without `"` or `\`, so that it can be written into a JSON string as is
   * (see docs/performance.md, convention "Known facts").
   */
  readonly plainRules: boolean;
  /** The path of the request being decided, reused by every decision (see docs/performance.md, convention "Reused scratch"). */
  private readonly path = new PathScan();

  /**
   * @param tables the compiled tables
   * @param bulk the bulk list's index, when it is loaded apart from the
   *   tables (the bundle reads it from `bulk.bin`); by default packed from
   *   `tables.bulk`
   */
  constructor(
    private readonly tables: CompiledTables,
    bulk?: BulkIndex,
  ) {
    if (tables.format !== 2)
      throw new Error(
        `RedirectEngine: compiled tables of format ${String(tables.format)}; this engine reads format 2. Rebuild the bundle.`,
      );
    this.bulk = bulk ?? new BulkIndex(packBulk(tables.bulk));
    for (const [host, index] of tables.hosts) {
      this.hostRoutes.set(host, { name: host, site: tables.sites[index], bulk: host.startsWith('*.') ? undefined : this.bulk.plan(host) });
    }
    this.regionIndex = new Map(tables.regions.map((r, i) => [r.name, i]));
    this.countryRegion = new Map(tables.countries.filter(([cc]) => normaliseCountry(cc) === cc));
    this.allowed = new Set(tables.allowedHosts);
    this.isSafe = locationChecker(tables.allowedHosts);
    this.regionSafe = tables.regions.map((r) => this.safePrefix(r.url) && this.safePrefix(r.landing));
    this.ruleSafe = tables.rules.map((r) => this.ruleTargetSafe(r));
    this.bulkTargetSafe = new Array<boolean | undefined>(this.bulk.targets.length);
    this.rules = new RuleIndex(tables.rules, tables.regions);
    this.bulkRule = `bulk:${this.bulk.file}:`;
    const plain = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
    this.plainRules = plain.test(this.bulkRule) && tables.rules.every((r) => plain.test(r.id));
  }

  /** Whether `url` is safe to put parts after: on the allow-list, printable, its host ended by `/` or `?`. */
  private safePrefix(url: string): boolean {
    return this.isSafe(url) && /^https:\/\/[^/?#]+[/?]/.test(url);
  }

  /** Whether a rule's target text is safe: printable text, and a safe prefix before its first placeholder unless it starts with a region's URL. */
  private ruleTargetSafe(rule: CompiledRule): boolean {
    const texts = rule.target.flatMap((p) => ('text' in p ? [p.text] : []));
    if (!texts.every((t) => /^[\x21-\x5b\x5d-\x7e]*$/.test(t) && !t.includes('#'))) return false;
    if (rule.status === 200) return true; // a rewrite's target is a path, matched again
    const first = rule.target[0];
    if (first === undefined) return false;
    if ('store' in first || 'landing' in first) {
      const region = 'store' in first ? first.store : first.landing;
      return region < 0 || this.regionSafe[region];
    }
    const prefix = texts.length > 0 && 'text' in first ? first.text : '';
    return this.safePrefix(prefix);
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

  /**
   * The route of a Host header: its configured hostname, else the wildcard
   * one label up. The host is looked up as sent before it is normalised (see
   * docs/performance.md, convention "Common form first").
   */
  private route(host: string, facts: RequestFacts | undefined): HostRoute | undefined {
    const exact = this.hostRoutes.get(host);
    if (exact !== undefined) {
      if (facts !== undefined) facts.hostConfigured = true;
      return exact;
    }
    const name = normaliseHost(host);
    const route = this.hostRoutes.get(name);
    if (route !== undefined || name === '') return route;
    const wildcardName = wildcardOf(name);
    const wildcard = wildcardName === undefined ? undefined : this.hostRoutes.get(wildcardName);
    return wildcard === undefined ? undefined : { ...wildcard, bulk: this.bulk.plan(name) };
  }

  private decideUnsafe(req: EngineRequest, facts: RequestFacts | undefined): Decision {
    // GET and HEAD as CloudFront sends them need no upper-casing (see docs/performance.md, convention "Common form first").
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
    const route = this.route(req.host, facts);
    if (route === undefined) return this.fallback('fallback:unknown-host');
    if (route.site.mode === 'frozen') {
      return { action: 'origin', status: null, location: null, rule: 'origin:frozen-site', perVisitor: false, headers: {} };
    }
    return this.resolve(
      req.scheme === 'http' ? 'http' : 'https',
      route,
      asText(req.path, '/'),
      asText(req.query, ''),
      normaliseCountry(req.country),
      facts,
    );
  }

  /** Resolves a request on a redirect site, following bulk targets on this project's own hosts. */
  private resolve(
    scheme: 'http' | 'https',
    route: HostRoute,
    path: string,
    query: string,
    country: string,
    facts: RequestFacts | undefined,
  ): Decision {
    const cpath = this.path.load(path, route.bulk?.seeds[0]);
    if (facts !== undefined) facts.pathPlain = cpath.plain;
    const chain: Hop[] = [];
    let fragment = '';
    for (;;) {
      const entry = route.bulk === undefined ? -1 : this.bulk.matchEntry(scheme, route.bulk, cpath);
      const answer = entry < 0 ? this.rulesAnswer(route, cpath, query, country) : this.bulkHop(entry, cpath, query);
      if (answer.action !== 'redirect') return answer;
      chain.push(answer);
      // Only a bulk target can be on one of this project's hosts (the loader checks rule targets against the allow-list).
      const next = entry >= 0 && this.bulk.isInternal(this.bulk.targetIndex(entry)) ? this.internalTarget(answer.location) : undefined;
      if (next === undefined) break;
      if (chain.length > MAX_INTERNAL_HOPS) return this.fallback('fallback:redirect-loop');
      if (next.fragment) fragment = next.fragment;
      ({ route, query } = next);
      scheme = 'https';
      cpath.load(next.path, route.bulk?.seeds[0]);
    }
    return this.combine(chain, fragment);
  }

  /** The answer of bulk entry `entry`, which matched `cpath`. */
  private bulkHop(entry: number, cpath: PathScan, query: string): Hop {
    const { bulk } = this;
    const meta = bulk.meta(entry);
    const targetIndex = bulk.targetIndex(entry);
    let target = bulk.targets[targetIndex];
    // An internal target is on this project's own hosts, never on the allow-list: the hop it leads to is checked instead.
    if (!bulk.isInternal(targetIndex) && !(this.bulkTargetSafe[targetIndex] ??= this.isSafe(target)))
      return this.fallback('fallback:unsafe-location');
    const depth = bulk.matchDepth;
    const addSuffix = (meta & BULK_PRESERVE_PATH_SUFFIX) !== 0 && depth < cpath.count;
    const addQuery = (meta & BULK_PRESERVE_QUERY) !== 0 && query !== '';
    if (addSuffix || addQuery) {
      const cut = target.search(/[?#]/);
      let base = cut < 0 ? target : target.slice(0, cut);
      const tail = cut < 0 ? '' : target.slice(cut);
      if (addSuffix) {
        base = (base.endsWith('/') ? base : base + '/') + cpath.join(depth) + (cpath.trailingSlash ? '/' : '');
      }
      // A target with its own query string never has preserve-query set (the loader rejects it).
      target = base + (addQuery ? '?' + safeQuery(query) : '') + tail;
    }
    return this.redirect(
      BULK_STATUSES[(meta >> BULK_STATUS_SHIFT) & 3],
      target,
      this.bulkRule + bulk.line(entry),
      false,
      (meta & BULK_PRESERVE_QUERY) !== 0,
    );
  }

  /** The region a request is in, and where its path within the region starts, given the path's lower-cased segments. */
  private regionPath(route: HostRoute, lower: readonly string[], country: string): RegionPath {
    if (route.site.mode === 'region-path') {
      const named = lower.length > 0 ? this.regionIndex.get(lower[0]) : undefined;
      if (named !== undefined) return { region: named, byCountry: false, from: 1 };
      const byCountry = this.countryRegion.get(country) ?? this.tables.defaultRegion;
      return { region: byCountry, byCountry: true, from: 0 };
    }
    return { region: route.site.region ?? this.tables.defaultRegion, byCountry: false, from: 0 };
  }

  /** What the rules file answers, or the region's landing when no rule matches. */
  private rulesAnswer(route: HostRoute, cpath: PathScan, query: string, country: string): Answer {
    // The path's segments as sent and lower-cased; rules within the region read them from `where.from` on.
    let segments: string[] = [];
    let lower: string[] = [];
    for (let i = 0; i < cpath.count; i++) {
      const segment = cpath.segment(i);
      segments.push(segment);
      lower.push(cpath.lowerOf(i, segment));
    }
    const where = this.regionPath(route, lower, country);
    const regionData = this.tables.regions[where.region];
    if (regionData.kind === 'frozen') return this.frozenPassthrough(cpath, where, query);

    const host = this.rules.hasHostRules(route.name)
      ? this.rules.search(route.name, { segments: lower, from: 0, region: where.region, country, after: -1 })
      : undefined;
    const best = host !== undefined && host.rule >= 0 ? host.rule : Infinity;
    let perVisitor = host?.countryWeighed === true;
    // The rules within the region count only when one of them comes before the host's match.
    if (this.rules.firstRegional < best) {
      let from = where.from;
      let after = -1;
      for (let rewrites = 0; ; rewrites++) {
        const found: RuleMatch = this.rules.search(undefined, { segments: lower, from, region: where.region, country, after }, best);
        perVisitor ||= found.countryWeighed || where.byCountry;
        if (found.rule < 0) break;
        const rule = this.tables.rules[found.rule];
        if (rule.status !== 200) return this.ruleAnswer(found.rule, segments, from, where.region, query, perVisitor);
        if (rewrites === MAX_REWRITES) return this.fallback('fallback:rewrite-loop');
        segments = fillSegments(rule.target, segments, from);
        lower = segments.map(lowerSegment);
        from = 0;
        after = found.rule;
      }
    }
    if (best !== Infinity) {
      const rule = this.tables.rules[best];
      return this.ruleAnswer(best, segments, 0, where.region, query, perVisitor || (rule.usesRegion && where.byCountry));
    }
    if (!this.regionSafe[where.region]) return this.fallback('fallback:unsafe-location');
    return this.redirect(302, regionData.landing, 'fallback:no-rule', where.byCountry, false);
  }

  /** A frozen region: the rest of the path, as sent, on the frozen site. */
  private frozenPassthrough(cpath: PathScan, where: RegionPath, query: string): Hop {
    const rest = cpath.count - where.from;
    let path = cpath.join(where.from);
    if (cpath.index !== undefined) path = rest > 0 ? path + '/' + cpath.index : cpath.index;
    else if (rest > 0 && cpath.trailingSlash) path += '/';
    if (!this.regionSafe[where.region]) return this.fallback('fallback:unsafe-location');
    const location = this.tables.regions[where.region].url + path + (query === '' ? '' : '?' + safeQuery(query));
    return this.redirect(where.byCountry ? 302 : 301, location, 'default:frozen-passthrough', where.byCountry, true);
  }

  /** The answer of a matched rule that is not a rewrite. */
  private ruleAnswer(index: number, segments: readonly string[], from: number, region: number, query: string, perVisitor: boolean): Answer {
    const rule = this.tables.rules[index];
    if (!this.ruleSafe[index] || (rule.usesRegion && !this.regionSafe[region])) return this.fallback('fallback:unsafe-location');
    const location =
      fillTarget(rule.target, segments, from, region, this.tables.regions) + (rule.query && query !== '' ? '?' + safeQuery(query) : '');
    if (rule.status === 410) {
      const { headers } = this.tables;
      return {
        action: 'respond',
        status: 410,
        location,
        rule: rule.id,
        perVisitor,
        headers: {
          'Cache-Control': perVisitor ? headers.perVisitor : headers.permanent,
          'Content-Type': 'text/html; charset=utf-8',
          'Strict-Transport-Security': headers.hsts,
        },
        body: gonePage(location),
      };
    }
    const status = rule.status as RedirectStatus;
    return this.redirect(perVisitor ? perVisitorStatus(status) : status, location, rule.id, perVisitor, rule.query);
  }

  /** When a location is on one of this project's redirect hosts, the request it leads to. */
  private internalTarget(location: string): { route: HostRoute; path: string; query: string; fragment: string } | undefined {
    if (!location.startsWith('https://') && !location.startsWith('http://')) return undefined;
    const m = /^https?:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/.exec(location);
    if (!m) return undefined;
    const host = m[1].toLowerCase();
    if (this.allowed.has(host)) return undefined;
    const route = this.route(host, undefined);
    if (!route || route.site.mode === 'frozen') return undefined;
    return { route, path: m[2] || '/', query: m[3] ?? '', fragment: m[4] ?? '' };
  }

  /** A temporary redirect to the default region's landing, for requests nothing else can serve. */
  private fallback(rule: string): Hop {
    return this.redirect(302, this.tables.regions[this.tables.defaultRegion].landing, rule, false, false);
  }

  private redirect(status: RedirectStatus, location: string, rule: string, perVisitor: boolean, keepsQuery: boolean): Hop {
    const { headers } = this.tables;
    const cacheControl = perVisitor ? headers.perVisitor : isPermanent(status) ? headers.permanent : headers.temporary;
    return {
      action: 'redirect',
      status,
      location,
      rule,
      perVisitor,
      keepsQuery,
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
      chain.every((h) => h.keepsQuery),
    );
  }
}
