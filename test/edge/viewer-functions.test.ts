/**
 * The CloudFront Functions of the redirect sites, as built for cloudfront-js-2.0
 * (lib/edge/viewer-functions.ts) and run in a context of their own, as CloudFront
 * runs them: the country key and the query string appended, their behaviour
 * tables, and properties over hostile input.
 */
import fc from 'fast-check';
import { safeQuery } from '../../lambda/engine';
import { APPEND_QUERY_HEADER, COUNTRY_KEY_HEADER } from '../../lambda/viewer/keys';
import { parseQuery } from '../../lib/edge/cloudfront-event';
import { loadViewerFunction } from '../../lib/edge/pipeline';
import { CLOUDFRONT_FUNCTION_MAX_BYTES } from '../../lib/edge/limits';
import { appendQueryFunctionCode, countryKeyFunctionCode, countryKeys } from '../../lib/edge/viewer-functions';
import { tablesFor } from '../support/engine';

const TABLES = tablesFor('');
const REGIONS = TABLES.regions.map((r) => r.name);
const KEYS = countryKeys(TABLES);
const countryKey = loadViewerFunction(countryKeyFunctionCode(REGIONS, KEYS));
const appendQuery = loadViewerFunction(appendQueryFunctionCode());

type Headers = Record<string, { value: string } | undefined>;

function keyOf(uri: string, headers: Headers = {}): string | undefined {
  const request = { method: 'GET', uri, querystring: {}, headers: { host: { value: 'po.co' }, ...headers }, cookies: {} };
  const out = countryKey({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '198.51.100.1' }, request }) as {
    headers: Headers;
  };
  return out.headers[COUNTRY_KEY_HEADER]?.value;
}

function answer(location: string, query: string, marked = true): Record<string, string> {
  const headers: Headers = { location: { value: location }, 'cache-control': { value: 'public, max-age=86400' } };
  if (marked) headers[APPEND_QUERY_HEADER] = { value: '1' };
  const out = appendQuery({
    version: '1.0',
    context: { eventType: 'viewer-response' },
    viewer: { ip: '198.51.100.1' },
    request: { method: 'GET', uri: '/', querystring: parseQuery(query), headers: {}, cookies: {} },
    response: { statusCode: 301, headers, cookies: {} },
  }) as { headers: Headers };
  return Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k, v!.value]));
}

test("both fit CloudFront Functions' 10 KB with room to spare", () => {
  expect(Buffer.byteLength(countryKeyFunctionCode(REGIONS, KEYS))).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES / 4);
  expect(Buffer.byteLength(appendQueryFunctionCode())).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES / 2);
});

describe('the country key (viewer-request, region-path sites)', () => {
  const GB = { 'cloudfront-viewer-country': { value: 'GB' } };
  test.each([
    ['/', 'GB'],
    ['/product/poco-f6', 'GB'],
    ['/uk/', undefined],
    ['/UK/product/x', undefined],
    ['//tw//', undefined],
    ['/uk', undefined],
    ['/in/x', undefined],
    ['/ukx/', 'GB'],
    ['/%75k/', 'GB'], // an escape: kept, though the engine reads uk (more keys, never a wrong answer)
    ['/x/../uk/', 'GB'],
    ['/uk/../x', 'GB'],
    ['/./uk/', 'GB'],
    ['/index.html', 'GB'],
  ])('%s -> %s', (uri, key) => {
    expect(keyOf(uri, GB)).toBe(key);
  });

  test('one key per region: a country with a store of its own is its key, any other "-" (the default region\'s)', () => {
    expect(KEYS).toEqual({
      AU: 'AU',
      BR: 'BR',
      CO: 'CO',
      DE: 'DE',
      ES: 'ES',
      FR: 'FR',
      GB: 'GB',
      ID: 'ID',
      IN: 'IN',
      IT: 'IT',
      MX: 'MX',
      MY: 'MY',
      PH: 'PH',
      PK: 'PK',
      RS: 'RS',
      RU: 'RU',
      TH: 'TH',
      TR: 'TR',
      TW: 'TW',
      VN: 'VN',
    });
    expect(['US', 'NL', 'NG'].map((cc) => keyOf('/', { 'cloudfront-viewer-country': { value: cc } }))).toEqual(['-', '-', '-']);
  });

  test('countries of one region share a key; a country a rule names keeps its own', () => {
    const tables = tablesFor('', undefined, 'po.co/deal https://www.mi.com/uk/sale/ Country=IE,GB\n/* :landing\n');
    const keys = countryKeys({ ...tables, countries: [...tables.countries, ['JE', tables.countries.find(([cc]) => cc === 'GB')![1]]] });
    // GB is named, so it cannot stand for JE (the deal is GB's only): JE stands for the rest of the uk region.
    expect([keys.GB, keys.JE, keys.IE, keys.US]).toEqual(['GB', 'JE', 'IE', undefined]);
    const twoForUk = countryKeys({
      ...tables,
      rules: [],
      countries: [...tables.countries, ['JE', tables.countries.find(([cc]) => cc === 'GB')![1]]],
    });
    expect([twoForUk.GB, twoForUk.JE]).toEqual(['GB', 'GB']);
  });

  test('an unknown or odd country is "-"; a visitor\'s own key header is replaced or removed', () => {
    expect(keyOf('/')).toBe('-');
    expect(keyOf('/', { 'cloudfront-viewer-country': { value: 'gb1' } })).toBe('-');
    expect(keyOf('/', { ...GB, [COUNTRY_KEY_HEADER]: { value: 'TW' } })).toBe('GB');
    expect(keyOf('/uk/', { ...GB, [COUNTRY_KEY_HEADER]: { value: 'TW' } })).toBeUndefined();
  });

  test('never throws, and never leaves a key the viewer chose', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.option(fc.string(), { nil: undefined }), fc.string(), (uri, country, forged) => {
        const headers: Headers = { [COUNTRY_KEY_HEADER]: { value: forged } };
        if (country !== undefined) headers['cloudfront-viewer-country'] = { value: country };
        const key = keyOf(uri, headers);
        expect(key === undefined || key === '-' || key === KEYS[country ?? '']).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the query string (viewer-response, every redirect site)', () => {
  test.each([
    ['https://www.mi.com/uk/', 'utm_source=box&ref=qr', 'https://www.mi.com/uk/?utm_source=box&ref=qr'],
    ['https://www.mi.com/uk/', '', 'https://www.mi.com/uk/'],
    ['https://www.mi.com/uk/', 'a=1&a=2&b', 'https://www.mi.com/uk/?a=1&a=2&b='],
    ['https://www.mi.com/uk/', 'q=<script>&x=%zz', 'https://www.mi.com/uk/?q=%3Cscript%3E&x=%25zz'],
    ['https://www.mi.com/global/product/x/#buy', 'ref=1', 'https://www.mi.com/global/product/x/?ref=1#buy'],
  ])('%s + ?%s -> %s', (location, query, expected) => {
    expect(answer(location, query).location).toBe(expected);
  });

  test('an unmarked redirect keeps its location; the marker never reaches the visitor', () => {
    expect(answer('https://new.c.mi.com/global/', 'tid=1', false)).toEqual({
      location: 'https://new.c.mi.com/global/',
      'cache-control': 'public, max-age=86400',
    });
    expect(Object.keys(answer('https://www.mi.com/uk/', 'a=1'))).not.toContain(APPEND_QUERY_HEADER);
  });

  test("for name=value pairs, the same as the engine's safeQuery of the raw query string", () => {
    const pair = fc.tuple(
      fc.stringMatching(/^[a-z_]{1,8}$/),
      fc.string({ unit: 'binary' }).map((v) => v.replace(/[&=#]/g, '')),
    );
    fc.assert(
      fc.property(fc.uniqueArray(pair, { selector: (p) => p[0], maxLength: 5 }), (pairs) => {
        const raw = pairs.map(([k, v]) => `${k}=${v}`).join('&');
        expect(answer('https://www.mi.com/uk/', raw).location).toBe(
          raw === '' ? 'https://www.mi.com/uk/' : `https://www.mi.com/uk/?${safeQuery(raw)}`,
        );
      }),
      { numRuns: 2000 },
    );
  });

  test('whatever the query, the location stays on its host and printable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        const location = answer('https://www.mi.com/uk/', raw).location;
        expect(location.startsWith('https://www.mi.com/uk/')).toBe(true);
        expect(location).toMatch(/^[\x21-\x7e]*$/);
        expect(location.slice('https://www.mi.com/uk/'.length)).not.toMatch(/[#\\]/);
      }),
      { numRuns: 3000 },
    );
  });
});
