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
/** What the function reads of CloudFront's key value store: `get` rejects for a key the store does not hold. */
export interface KeyValues {
  get(key: string): Promise<string>;
}

/** Whether the engine reads the path's first segment as a configured region. */
export function namesRegion(uri: string, regions: readonly string[]): boolean {
  if (uri.indexOf('%') >= 0) return false;
  const segments = uri.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return false;
  return segments.length > 0 && regions.indexOf(segments[0].toLowerCase()) >= 0;
}

/**
 * Whether `key` gets an answer of its own for `hostPath`: the store's value
 * lists the keys that do; a path the store does not hold keeps every key.
 */
async function keptApart(splits: KeyValues, hostPath: string, key: string): Promise<boolean> {
  let apart: string;
  try {
    apart = await splits.get(hostPath);
  } catch {
    return true;
  }
  return (' ' + apart + ' ').indexOf(' ' + key + ' ') >= 0;
}

/**
 * The function's work, on a CloudFront Functions request: the country key is
 * `keys[country]`, one country standing for all that lead to the same
 * answers (`countryKeys`), or `-` for every country that leads to the
 * default region's answers (and for an unknown one); and `-` too where
 * `splits` says this path gives that key the answer with no country.
 */
export async function countryKey(
  request: CfRequest,
  regions: readonly string[],
  keys: Readonly<Record<string, string>>,
  splits?: KeyValues,
): Promise<CfRequest> {
  const headers = request.headers;
  const viewer = headers['cloudfront-viewer-country'];
  delete headers[COUNTRY_KEY_HEADER]; // a visitor cannot choose another visitor's answer
  if (!namesRegion(request.uri, regions)) {
    let key = viewer !== undefined && Object.prototype.hasOwnProperty.call(keys, viewer.value) ? keys[viewer.value] : '-';
    const host = headers.host;
    if (key !== '-' && splits !== undefined && host !== undefined && !(await keptApart(splits, host.value + request.uri, key))) key = '-';
    headers[COUNTRY_KEY_HEADER] = { value: key };
  }
  return request;
}

export function handler(event: { request: CfRequest }, splits?: KeyValues): Promise<CfRequest> {
  return countryKey(event.request, POCO_REGIONS, POCO_COUNTRY_KEYS, splits);
}
