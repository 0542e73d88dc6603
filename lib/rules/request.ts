/**
 * Requests as a person writes them: a URL split as CloudFront sees it (the
 * path not normalised), and the `URL [COUNTRY]` lines the resolver reads.
 * Pure: no files, no network.
 */
import { EngineRequest, normaliseCountry } from '../../lambda/engine';

export interface ParsedUrl {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly path: string;
  readonly query: string;
}

/** Splits a URL without normalising it, so the engine sees the path as CloudFront would. */
export function parseRawUrl(url: string): ParsedUrl | string {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/?#\s]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/.exec(url);
  if (!m || !/^[A-Za-z0-9.-]+(:\d+)?$/.test(m[2])) return `${JSON.stringify(url)} is not a URL; give one like https://po.co/uk/`;
  const scheme = (m[1] ?? 'https').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return `${JSON.stringify(url)} has scheme "${m[1]}"; only http and https reach CloudFront`;
  return { scheme, host: m[2], path: m[3] || '/', query: m[4] ?? '' };
}

/** The engine request for a parsed URL, a method and a viewer country (`''` for none). */
export function engineRequestOf(url: ParsedUrl, method: string, country: string): EngineRequest {
  return { method, scheme: url.scheme, host: url.host, path: url.path, query: url.query, country };
}

/** One `URL [COUNTRY]` line: the URL as written, parsed, and its country (the default when it names none). */
export interface RequestLine {
  readonly url: string;
  readonly target: ParsedUrl;
  readonly country: string;
}

/** Parses a non-blank `URL [COUNTRY]` line; a string says what is wrong with it. */
export function parseRequestLine(text: string, defaultCountry: string): RequestLine | string {
  const [url, cc, ...extra] = text.trim().split(/\s+/);
  const target = parseRawUrl(url);
  const country = cc === undefined ? defaultCountry : normaliseCountry(cc);
  if (typeof target === 'string') return target;
  if (cc !== undefined && !country) return `country ${JSON.stringify(cc)} is not a two-letter code such as GB`;
  if (extra.length > 0) return `expected "URL [COUNTRY]", found ${extra.length + 2} words`;
  return { url, target, country };
}
