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
import { appendQueryFunctionCode, COUNTRY_KEY_STORE_HANDLER, countryKeyFunctionCode, countryKeys } from '../../lib/edge/viewer-functions';
import { tablesFor } from '../support/engine';

const TABLES = tablesFor('');
const REGIONS = TABLES.regions.map((r) => r.name);
const KEYS = countryKeys(TABLES);
const countryKey = loadViewerFunction(countryKeyFunctionCode(REGIONS, KEYS));
const appendQuery = loadViewerFunction(appendQueryFunctionCode());

type Headers = Record<string, { value: string } | undefined>;

async function keyOf(uri: string, headers: Headers = {}, fn = countryKey, host = 'po.co'): Promise<string | undefined> {
  const request = { method: 'GET', uri, querystring: {}, headers: { host: { value: host }, ...headers }, cookies: {} };
  const out = (await fn({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '198.51.100.1' }, request })) as {
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
  ])('%s -> %s', async (uri, key) => {
    expect(await keyOf(uri, GB)).toBe(key);
  });

  test('one key per region: a country with a store of its own is its key, any other "-" (the default region\'s)', async () => {
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
    const others = await Promise.all(['US', 'NL', 'NG'].map((cc) => keyOf('/', { 'cloudfront-viewer-country': { value: cc } })));
    expect(others).toEqual(['-', '-', '-']);
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

  test('an unknown or odd country is "-"; a visitor\'s own key header is replaced or removed', async () => {
    expect(await keyOf('/')).toBe('-');
    expect(await keyOf('/', { 'cloudfront-viewer-country': { value: 'gb1' } })).toBe('-');
    expect(await keyOf('/', { ...GB, [COUNTRY_KEY_HEADER]: { value: 'TW' } })).toBe('GB');
    expect(await keyOf('/uk/', { ...GB, [COUNTRY_KEY_HEADER]: { value: 'TW' } })).toBeUndefined();
  });

  test('never throws, and never leaves a key the viewer chose', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary' }),
        fc.option(fc.string(), { nil: undefined }),
        fc.string(),
        async (uri, country, forged) => {
          const headers: Headers = { [COUNTRY_KEY_HEADER]: { value: forged } };
          if (country !== undefined) headers['cloudfront-viewer-country'] = { value: country };
          const key = await keyOf(uri, headers);
          expect(key === undefined || key === '-' || key === KEYS[country ?? '']).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('the country splits (the key value store the country-key function reads)', () => {
  const SPLITS = new Map([
    ['po.co/product/poco-f6', 'ID IN PH'],
    ['po.co/product/only-global', '-'],
  ]);
  const withSplits = loadViewerFunction(countryKeyFunctionCode(REGIONS, KEYS, true), 'country-key', SPLITS);
  const from = (cc: string): Headers => ({ 'cloudfront-viewer-country': { value: cc } });

  test.each([
    ['/product/poco-f6', 'ID', 'ID'], // listed among the keys with an answer of their own
    ['/product/poco-f6', 'PH', 'PH'],
    ['/product/poco-f6', 'GB', '-'], // not listed: the answer with no country
    ['/product/poco-f6', 'US', '-'],
    ['/product/only-global', 'ID', '-'],
    ['/product/poco-f6/', 'GB', 'GB'], // a path the store does not hold keeps every country apart
    ['/Product/poco-f6', 'GB', 'GB'],
    ['/uk/product/poco-f6', 'GB', undefined], // names its region: no country at all
  ])('po.co%s from %s -> %s', async (uri, cc, key) => {
    expect(await keyOf(uri, from(cc), withSplits)).toBe(key);
  });

  test('the store is looked up by the Host as sent: another host, or another case of it, keeps every country apart', async () => {
    expect(await keyOf('/product/poco-f6', from('GB'), withSplits, 'www.po.co')).toBe('GB');
    expect(await keyOf('/product/poco-f6', from('GB'), withSplits, 'PO.CO')).toBe('GB');
  });

  test('the code opens with the key value store import, and still fits with room to spare', () => {
    const code = countryKeyFunctionCode(REGIONS, KEYS, true);
    expect(code.startsWith("import cf from 'cloudfront';\nconst kvs = cf.kvs();\n")).toBe(true);
    expect(code.endsWith(`\n${COUNTRY_KEY_STORE_HANDLER}\n`)).toBe(true);
    // CloudFront Functions allow async and await only in the top-level handler, never inside the bundle's closures.
    expect(code.slice(0, code.length - COUNTRY_KEY_STORE_HANDLER.length - 1)).not.toMatch(/\basync\b|\bawait\b/);
    expect(Buffer.byteLength(code)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES / 4);
  });

  test('whatever the host, path and country, the key is the country\'s own, "-", or none; "-" for a country only where the store says so', async () => {
    const host = fc.constantFrom('po.co', 'PO.CO', 'www.po.co', 'po.co:443', 'po.co.');
    const uri = fc.oneof(
      fc.constantFrom('/product/poco-f6', '/product/only-global', '/product/poco-f6/', '/uk/x'),
      fc.string({ unit: 'binary' }),
    );
    const country = fc.option(fc.constantFrom('GB', 'ID', 'PH', 'US', 'gb', ''), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(host, uri, country, fc.string(), async (h, u, cc, forged) => {
        const headers: Headers = { [COUNTRY_KEY_HEADER]: { value: forged } };
        if (cc !== undefined) headers['cloudfront-viewer-country'] = { value: cc };
        const withStore = await keyOf(u, { ...headers }, withSplits, h);
        const without = await keyOf(u, { ...headers }, countryKey, h);
        const listed = SPLITS.get(h + u);
        // The store only ever turns a country's own key into "-", and only for a path it lists without that key.
        if (listed === undefined || without === undefined || without === '-') expect(withStore).toBe(without);
        else expect(withStore).toBe(listed.split(' ').includes(without) ? without : '-');
      }),
      { numRuns: 2000 },
    );
  });

  test('a function that reads a key value store cannot be loaded without one', () => {
    expect(() => loadViewerFunction(countryKeyFunctionCode(REGIONS, KEYS, true), 'country-key')).toThrow(
      "country-key: imports the cloudfront module's key value store, but no key value store is associated with it",
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
