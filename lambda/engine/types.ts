/**
 * The compiled rule tables and the engine's inputs and outputs.
 *
 * `CompiledTables` is plain JSON: the config compiler (lib/config) writes it,
 * the esbuild bundle embeds it as a string, and the engine indexes it once per
 * process. Nothing here imports AWS or CDK.
 */

/** How a site turns a request into a region. */
export type SiteMode =
  /** The first path segment names the region; without one, the visitor's country decides. */
  | 'region-path'
  /** The hostname decides the region; paths carry no region segment. */
  | 'region-host'
  /** Not redirected: served unchanged by the frozen site's origin. */
  | 'frozen';

/** A site as the engine sees it. */
export interface CompiledSite {
  readonly name: string;
  readonly mode: SiteMode;
  /** Index into `CompiledTables.regions`; only for `region-host` sites. */
  readonly region?: number;
}

/** A region's destination. */
export interface CompiledRegion {
  readonly name: string;
  /** `store`: a Xiaomi store, the rules apply; `frozen`: the frozen site, path passed through. */
  readonly kind: 'store' | 'frozen';
  /** Absolute `https://` URL ending in `/`: the store (`:store` in rules) or the frozen site. */
  readonly url: string;
  /** Where the region's home goes (`:landing` in rules); the store unless configured. */
  readonly landing: string;
  /** Product slugs the store catalogue lists for this region's store, sorted (`:product` in rules). */
  readonly products: readonly string[];
}

/**
 * One segment of a compiled rule source: a literal (lower-case, canonical)
 * or a placeholder. A placeholder's `type` restricts what it matches:
 * `any` one segment (optionally only those equal to an entry of `globs` or,
 * for entries ending in `*`, starting with it), `region` a configured region
 * name, `product` a slug the catalogue lists for the region `of` (-1: the
 * request's region, -2: any region).
 */
export type CompiledSegment =
  | { readonly literal: string }
  | { readonly type: 'any'; readonly globs?: readonly string[] }
  | { readonly type: 'region' }
  | { readonly type: 'product'; readonly of: number };

/** `of` of a product placeholder: the request's region. */
export const OF_REQUEST_REGION = -1;
/** `of` of a product placeholder: any region's store. */
export const OF_ANY_REGION = -2;

/**
 * One part of a compiled rule target, concatenated in order: literal text,
 * the (lower-cased) segment a placeholder at `segment` captured, the segments
 * from `splat` on joined by `/` (as sent), or a region's store or landing URL
 * (`region` -1: the request's region).
 */
export type CompiledTargetPart =
  | { readonly text: string }
  | { readonly segment: number }
  | { readonly splat: number }
  | { readonly store: number }
  | { readonly landing: number };

/** A rule of the rules file (config/rules.txt), compiled. Rules are tried in file order; the first that matches wins. */
export interface CompiledRule {
  /** `rule:<name>@<file>:<line>`, or `rule:<file>:<line>` for an unnamed rule. */
  readonly id: string;
  /** The configured hostname (`po.co`, `*.po.co`) whose whole path the source matches; absent: the path within a region, on every redirect site. */
  readonly host?: string;
  /** The source's fixed segments. */
  readonly segments: readonly CompiledSegment[];
  /** The source ends in `*`: any further segments (none included) match. */
  readonly splat: boolean;
  /** Viewer countries the rule is limited to (ISO codes); absent: every visitor. */
  readonly countries?: readonly string[];
  /** 301, 302, 307, 308: a redirect; 410: gone (a page that links to the target); 200: a rewrite, matched again by the rules below it. */
  readonly status: 200 | 301 | 302 | 307 | 308 | 410;
  /** Append the request's query string to the target. */
  readonly query: boolean;
  readonly target: readonly CompiledTargetPart[];
  /** The target uses the request's region (`:store`, `:landing`). */
  readonly usesRegion: boolean;
}

/** Response header values, validated by the config loader. */
export interface CompiledHeaders {
  /** Cache-Control of a redirect decided by hostname and path with a permanent status. */
  readonly permanent: string;
  /** Cache-Control of a temporary (302/307) redirect that is the same for every visitor. */
  readonly temporary: string;
  /** Cache-Control of a redirect that depends on the visitor's country: never stored outside CloudFront. */
  readonly perVisitor: string;
  /** Strict-Transport-Security of every redirect. */
  readonly hsts: string;
}

/**
 * The bulk redirect list in columns (one array per field, one index per
 * entry, in file order), so that a million entries parse quickly.
 */
export interface CompiledBulk {
  /** The list's file name as reviewers know it, used in rule names. */
  readonly file: string;
  /** `host + canonical path` of each source. */
  readonly keys: readonly string[];
  /** Packed parameters: see `BULK_*` below. */
  readonly meta: readonly number[];
  /** Index into `targets` of each entry's target URL. */
  readonly target: readonly number[];
  /** 1-based line number of each entry in `file`. */
  readonly line: readonly number[];
  /** Distinct target URLs. */
  readonly targets: readonly string[];
  /** Indexes into `targets` of those on this project's own redirect hosts, followed at request time (usually none). */
  readonly internalTargets: readonly number[];
}

/** Bits 0-1 of `meta`: the source's scheme. */
export const BULK_SCHEME_MASK = 3;
export const BULK_SCHEME_ANY = 0;
export const BULK_SCHEME_HTTP = 1;
export const BULK_SCHEME_HTTPS = 2;
export const BULK_INCLUDE_SUBDOMAINS = 4;
export const BULK_SUBPATH_MATCHING = 8;
export const BULK_PRESERVE_QUERY = 16;
export const BULK_PRESERVE_PATH_SUFFIX = 32;
/** Bits 6-7 of `meta`: index into `BULK_STATUSES`. */
export const BULK_STATUS_SHIFT = 6;
export const BULK_STATUSES = [301, 302, 307, 308] as const;
/** Subpath-matching sources may hold at most this many `/` in their path (Cloudflare's limit). */
export const BULK_MAX_SUBPATH_SLASHES = 16;

export interface CompiledTables {
  readonly format: 2;
  readonly sites: readonly CompiledSite[];
  /** `[hostname, index into sites]`. */
  readonly hosts: readonly (readonly [string, number])[];
  readonly regions: readonly CompiledRegion[];
  /** `[ISO 3166 alpha-2 code, index into regions]`. */
  readonly countries: readonly (readonly [string, number])[];
  /** Region of visitors whose country is unmapped or unknown. */
  readonly defaultRegion: number;
  /** Hosts every emitted `Location` must be on. */
  readonly allowedHosts: readonly string[];
  readonly headers: CompiledHeaders;
  readonly bulk: CompiledBulk;
  /** The rules file's rules, in file order. */
  readonly rules: readonly CompiledRule[];
}

/** One request, as the engine needs it. */
export interface EngineRequest {
  /** HTTP method, any case. */
  readonly method: string;
  /** The viewer's scheme; CloudFront redirects HTTP to HTTPS before the function runs. */
  readonly scheme: 'http' | 'https';
  /** The Host header as received (port and case are normalised here). */
  readonly host: string;
  /** The raw path, percent-encoded as received, starting with `/`. */
  readonly path: string;
  /** The raw query string without `?`, or `''`. */
  readonly query: string;
  /** CloudFront-Viewer-Country, or `''`/undefined when unknown. */
  readonly country?: string;
}

/**
 * What the engine learns about a request while deciding it, for callers
 * that would otherwise read the request again (the handler's log line: see
 * docs/performance.md, convention "Known facts"). `decide` writes every
 * field when given one; false means "not known", not "not so".
 */
export interface RequestFacts {
  /** The Host header, as sent, is one of the configured hostnames (so a DNS name: lower-case letters, digits, `-` and `.`). */
  hostConfigured: boolean;
  /** The path, as sent, needed no work: only `/` and characters that stand for themselves in a path segment, no dot segments. */
  pathPlain: boolean;
}

/** What happens to a request. */
export type Decision =
  | {
      readonly action: 'redirect';
      readonly status: 301 | 302 | 307 | 308;
      readonly location: string;
      /** Names what matched: `bulk:<file>:<line>`, `rule:<name>@<file>:<line>`, `default:frozen-passthrough` or `fallback:<reason>`. */
      readonly rule: string;
      /** Whether the visitor's country decided the destination. */
      readonly perVisitor: boolean;
      /**
       * Whether the answer carries the visitor's query string (the rule keeps it): the location ends
       * in `?` + `safeQuery(query)` when there is one. At the edge the query string is not in the
       * cache key, so the viewer-response function appends it (lambda/viewer/append-query.ts).
       */
      readonly keepsQuery: boolean;
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly action: 'origin';
      readonly status: null;
      readonly location: null;
      readonly rule: string;
      readonly perVisitor: false;
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly action: 'respond';
      readonly status: number;
      /** Of a 410: the page the gone page links to; else null. */
      readonly location: string | null;
      readonly rule: string;
      readonly perVisitor: boolean;
      readonly headers: Readonly<Record<string, string>>;
      /** An HTML page, when the response has one. */
      readonly body?: string;
    };
