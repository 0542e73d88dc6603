/**
 * The viewer-request CloudFront Function of region-path sites (po.co,
 * www.po.co, poco.net): puts the viewer's country into the cache key only
 * when the path names no region, since only then can the answer depend on it.
 *
 * It must never strip the country where the redirect function would need it:
 * it keeps it unless the path is plain (no `%` escape, no `.` or `..`
 * segment) and its first segment, lower-cased, is a configured region, which
 * is exactly when the engine reads that segment as the region too
 * (`RedirectEngine.regionPath`). Anything unusual keeps the country: more
 * cache keys, never a wrong answer.
 *
 * Where the path names no region, a key value store (when one is associated)
 * lists the paths for which only some countries get an answer of their own
 * (lib/edge/country-splits.ts, decided by the engine at synth): any other
 * country is sent as `-`, the answer with no country, which the engine gives
 * it anyway. A path the store does not list keeps every country apart.
 */
import { COUNTRY_KEY_HEADER } from './keys';

/** The configured region names, lower-case; replaced when the function is built (lib/edge/viewer-functions.ts). */
declare const POCO_REGIONS: readonly string[];
/** The key of each country that has one (`countryKeys`); any other country, or none, is `-`. Replaced when built. */
declare const POCO_COUNTRY_KEYS: Readonly<Record<string, string>>;

interface CfHeaders {
  [name: string]: { value: string } | undefined;
}
interface CfRequest {
  uri: string;
  headers: CfHeaders;
}

/** Whether the engine reads the path's first segment as a configured region. */
export function namesRegion(uri: string, regions: readonly string[]): boolean {
  if (uri.indexOf('%') >= 0) return false;
  const segments = uri.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return false;
  return segments.length > 0 && regions.indexOf(segments[0].toLowerCase()) >= 0;
}

/**
 * The function's work without the store, synchronous: the country key is
 * `keys[country]`, one country standing for all that lead to the same
 * answers (`countryKeys`), or `-` for every country that leads to the
 * default region's answers (and for an unknown one). Returns what to look up
 * in the country splits: the Host as sent and the URI, where the key is a
 * country's own and the splits could make it `-`; `''` where there is nothing
 * to look up.
 */
function countryKey(request: CfRequest, regions: readonly string[], keys: Readonly<Record<string, string>>): string {
  const headers = request.headers;
  const viewer = headers['cloudfront-viewer-country'];
  delete headers[COUNTRY_KEY_HEADER]; // a visitor cannot choose another visitor's answer
  if (namesRegion(request.uri, regions)) return '';
  const key = viewer !== undefined && Object.prototype.hasOwnProperty.call(keys, viewer.value) ? keys[viewer.value] : '-';
  headers[COUNTRY_KEY_HEADER] = { value: key };
  const host = headers.host;
  return key !== '-' && host !== undefined ? host.value + request.uri : '';
}

/** The function without a key value store (no splits): `countryKey` alone. */
export function handler(event: { request: CfRequest }): CfRequest {
  countryKey(event.request, POCO_REGIONS, POCO_COUNTRY_KEYS);
  return event.request;
}

/**
 * With a key value store, the two synchronous halves around the read, which
 * the file's top-level `async function handler` makes
 * (`COUNTRY_KEY_STORE_HANDLER` in lib/edge/viewer-functions.ts): CloudFront
 * Functions allow `async` and `await` only there, not in closures. First
 * `countryKey`, returning what to look up.
 */
export function lookup(event: { request: CfRequest }): string {
  return countryKey(event.request, POCO_REGIONS, POCO_COUNTRY_KEYS);
}

/**
 * Then the country splits' verdict on the key `lookup` set: `apart` is the
 * store's value for the looked-up path (the keys that get an answer of their
 * own there), or null when the store holds none; a key it does not list
 * becomes `-`, the answer with no country.
 */
export function settle(event: { request: CfRequest }, apart: string | null): CfRequest {
  const headers = event.request.headers;
  const key = headers[COUNTRY_KEY_HEADER];
  if (apart !== null && key !== undefined && (' ' + apart + ' ').indexOf(' ' + key.value + ' ') < 0)
    headers[COUNTRY_KEY_HEADER] = { value: '-' };
  return event.request;
}
