/**
 * URL normalisation and encoding for the redirect engine.
 *
 * Pure functions, no I/O and no AWS imports: the same code runs in the
 * Lambda@Edge bundle, the resolver CLI and the config compiler (which
 * normalises bulk-list sources exactly as requests are normalised).
 *
 * Canonical form of a path (RFC 3986 section 6.2.2, plus two project rules):
 * - repeated slashes collapse and empty segments disappear;
 * - percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded,
 *   every other escape keeps its encoding with upper-case hex digits;
 * - characters that may not appear in a path segment (controls, spaces,
 *   non-ASCII, `"<>\^`{|}`, a `%` not starting an escape) are percent-encoded
 *   as UTF-8, so a canonical segment is always printable ASCII;
 * - `.` and `..` segments resolve (after decoding, so `%2e%2e` is `..`) and
 *   never climb above the root;
 * - a trailing `index.html` (any case) is dropped and a trailing slash is
 *   remembered but does not change the segments.
 */
import { encodeExcept } from './encoding';

export { safeQuery } from './encoding';

/** A request path in canonical form. */
export interface CanonicalPath {
  /** Canonical, percent-encoded segments; never empty strings, never `.` or `..`. */
  readonly segments: readonly string[];
  /** Whether the request path ended with `/` (or with a dropped `index.html`). */
  readonly trailingSlash: boolean;
  /** The trailing `index.html` segment as sent, when one was dropped. */
  readonly index?: string;
}

/** Characters that stand for themselves in a path segment (RFC 3986 pchar without `%`). */
const SEGMENT_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]*$/;

/** One path segment in canonical form (see the module comment). */
export function canonicalSegment(raw: string): string {
  if (SEGMENT_SAFE.test(raw)) return raw;
  return encodeExcept(raw, /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/, true);
}

/** A path in which no segment needs encoding or decoding (dot segments aside). */
const PATH_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

/** Splits, cleans and resolves a raw request path. Never throws. */
export function canonicalPath(raw: string): CanonicalPath {
  const segments: string[] = [];
  const plain = PATH_SAFE.test(raw);
  let endsInDot = false;
  for (const part of raw.split('/')) {
    if (part === '') continue;
    const seg = plain ? part : canonicalSegment(part);
    endsInDot = seg === '.' || seg === '..';
    if (seg === '..') segments.pop();
    else if (!endsInDot) segments.push(seg);
  }
  const trailingSlash = raw.endsWith('/') || endsInDot || segments.length === 0;
  const last = segments[segments.length - 1];
  if (!trailingSlash && last.length === 10 && last.toLowerCase() === 'index.html') {
    const index = segments.pop();
    return { segments, trailingSlash: true, index };
  }
  return { segments, trailingSlash };
}

/** The canonical path string: `/` joined segments, no trailing slash, `/` for the root. */
export function pathKey(segments: readonly string[]): string {
  return '/' + segments.join('/');
}

/**
 * Lower-cases the letters of a canonical segment, keeping percent-escapes'
 * hex digits upper-case (so `POCO-%C3%A9` becomes `poco-%C3%A9`).
 */
export function lowerSegment(seg: string): string {
  const lower = seg.toLowerCase();
  return lower.indexOf('%') < 0 ? lower : lower.replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase());
}

/**
 * Normalises a Host header value: lower case, port and trailing dot removed.
 * Returns `''` for anything that is not a plausible DNS name.
 */
export function normaliseHost(raw: string | undefined): string {
  if (!raw) return '';
  let host = raw.trim().toLowerCase();
  const colon = host.indexOf(':');
  if (colon >= 0) host = host.slice(0, colon);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(host) && host.length <= 253 ? host : '';
}

/** A two-letter country code in upper case, or `''` for anything else. */
export function normaliseCountry(raw: string | undefined): string {
  if (!raw) return '';
  // As CloudFront sends it: two upper-case letters (see docs/performance.md, convention "Common form first").
  if (raw.length === 2) {
    const a = raw.charCodeAt(0);
    const b = raw.charCodeAt(1);
    if (a >= 65 && a <= 90 && b >= 65 && b <= 90) return raw;
  }
  const cc = raw.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(cc) ? cc : '';
}

/**
 * A checker for locations that are safe to emit: an absolute `https://` URL
 * whose host is in `allowedHosts` (no user-info, no port), made only of
 * printable ASCII other than backslash (no controls, no spaces).
 */
export function locationChecker(allowedHosts: Iterable<string>): (location: string) => boolean {
  // One compiled pattern: the exact host, then end of string or '/', '?', '#' followed only by
  // printable ASCII without space or backslash (0x21-0x7e less 0x5c).
  const hosts = [...allowedHosts].map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (hosts.length === 0) return () => false;
  const pattern = new RegExp(`^https://(?:${hosts.join('|')})(?:[/?#][\\x21-\\x5b\\x5d-\\x7e]*)?$`);
  return (location) => pattern.test(location);
}

/**
 * The wildcard hostname that answers `host` when no configured hostname is
 * `host` itself: its first label replaced by `*` (`shop.po.co` → `*.po.co`),
 * as a wildcard alias or certificate covers exactly one label; undefined for
 * a name of one label.
 */
export function wildcardOf(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot > 0 ? '*' + host.slice(dot) : undefined;
}
