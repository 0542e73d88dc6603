/**
 * The country splits (lib/edge/country-splits.ts): which paths they list, and
 * the safety they must keep: a country sent as `-` gets exactly the answer it
 * would get with its own country, for every listed path and every country.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Decision, RedirectEngine } from '../../lambda/engine';
import { loadConfig } from '../../lib/config/load';
import {
  candidatePaths,
  countrySplits,
  CountrySplitsTooLargeError,
  keyValueStoreFile,
  parseKeyValueStoreFile,
  readKeyValueStoreAsset,
  sameResponse,
} from '../../lib/edge/country-splits';
import { countryKeys } from '../../lib/edge/viewer-functions';
import { originRequestEvent, redirectForwarding } from '../../lib/edge/cloudfront-event';
import { createHandler } from '../../lambda/handler';
import { COUNTRY_KEY_HEADER } from '../../lambda/viewer/keys';
import { tablesFor } from '../support/engine';
import { tmpDir } from '../support/tmp';

const { tables } = loadConfig();
const KEYS = countryKeys(tables);
const SPLITS = countrySplits(tables, KEYS);
const engine = new RedirectEngine(tables);
const handler = createHandler(tables, { log: () => undefined });

/** Every country the tables map, some they do not (the default region's), and none. */
const COUNTRIES: (string | undefined)[] = [...new Set(tables.countries.map(([cc]) => cc)), 'US', 'NL', 'ZZ', undefined];

function decide(hostPath: string, country: string | undefined): Decision {
  const slash = hostPath.indexOf('/');
  return engine.decide({ method: 'GET', scheme: 'https', host: hostPath.slice(0, slash), path: hostPath.slice(slash), query: '', country });
}

/** The redirect function's complete response (status, every header, body) to `host + path` with the country key header `key`. */
async function responseTo(hostPath: string, key: string): Promise<string> {
  const slash = hostPath.indexOf('/');
  const event = originRequestEvent(
    { host: hostPath.slice(0, slash), uri: hostPath.slice(slash), otherHeaders: { [COUNTRY_KEY_HEADER]: key } },
    redirectForwarding('region-path'),
  );
  return JSON.stringify(await handler(event));
}

test('every listed path: each country gets, through its key or "-", the complete response the redirect function gives its own country', async () => {
  const wrong: string[] = [];
  for (const [hostPath, value] of SPLITS) {
    const apart = value.split(' ');
    for (const country of COUNTRIES) {
      const key = country !== undefined && KEYS[country] !== undefined ? KEYS[country] : '-';
      const sent = key !== '-' && apart.includes(key) ? key : '-';
      // The redirect function reads the country from the key header: its own country's code there is the full request.
      if ((await responseTo(hostPath, sent)) !== (await responseTo(hostPath, country ?? '-')))
        wrong.push(`${hostPath} [${country ?? '-'}] sent as ${sent}`);
    }
  }
  expect(SPLITS.size).toBeGreaterThan(500);
  expect(wrong).toEqual([]);
});

test('every listed key gets an answer of its own there, and no path is listed where every key does', () => {
  const keys = [...new Set(Object.values(KEYS))];
  for (const [hostPath, value] of SPLITS) {
    const apart = value === '-' ? [] : value.split(' ');
    const none = decide(hostPath, undefined);
    expect(apart.filter((k) => sameResponse(decide(hostPath, k), none))).toEqual([]);
    expect(apart.length).toBeLessThan(keys.length);
    expect([...apart].sort()).toEqual(apart);
  }
});

test('the default config: product pages list only the stores that sell them', () => {
  expect(
    Object.fromEntries(['po.co/product/poco-f6', 'www.poco.net/poco-f6/specs/', 'po.co/product/poco-c75'].map((k) => [k, SPLITS.get(k)])),
  ).toEqual({
    'po.co/product/poco-f6': 'ID IN PH',
    'www.poco.net/poco-f6/specs/': 'ID IN PH',
    'po.co/product/poco-c75': 'IN PH',
  });
  // Only exact hostnames of region-path sites: not the regional hosts, not a wildcard's names.
  expect([...new Set([...SPLITS.keys()].map((k) => k.slice(0, k.indexOf('/'))))].sort()).toEqual([
    'po.co',
    'poco.net',
    'www.po.co',
    'www.poco.net',
  ]);
});

test("the paths come from the rules file's region-less shapes and the catalogue's slugs", () => {
  const paths = candidatePaths(tables);
  expect(paths.filter((p) => p.includes('/poco-f6/') || p.endsWith('/poco-f6'))).toEqual([
    '/poco-f6',
    '/poco-f6/',
    '/poco-f6/buy',
    '/poco-f6/buy/',
    '/poco-f6/specs',
    '/poco-f6/specs/',
    '/poco-f6/specs_m',
    '/poco-f6/specs_m/',
    '/product/poco-f6',
    '/product/poco-f6/',
    '/product/poco-f6/buy',
    '/product/poco-f6/buy/',
    '/product/poco-f6/specs',
    '/product/poco-f6/specs/',
    '/product/poco-f6/specs_m',
    '/product/poco-f6/specs_m/',
  ]);
  // A new shape in the rules file is covered at the next synth.
  const shaped = tablesFor('', undefined, '/p/:product/gallery :store/product/:product/\n/* :landing\n');
  expect(candidatePaths(shaped).filter((p) => /\/poco-f6(\/|$)/.test(p))).toEqual([
    '/p/poco-f6',
    '/p/poco-f6/',
    '/p/poco-f6/gallery',
    '/p/poco-f6/gallery/',
  ]);
});

test('answers that differ in status, location, marker or headers are not the same response; the rule name alone does not count', () => {
  const base = decide('po.co/product/poco-f6', 'GB');
  expect(base.action).toBe('redirect');
  const redirect = base as Extract<Decision, { action: 'redirect' }>;
  expect(sameResponse(redirect, { ...redirect, rule: 'rule:other@x:1' })).toBe(true);
  expect(sameResponse(redirect, { ...redirect, status: 301 })).toBe(false);
  expect(sameResponse(redirect, { ...redirect, location: redirect.location + 'x' })).toBe(false);
  expect(sameResponse(redirect, { ...redirect, keepsQuery: !redirect.keepsQuery })).toBe(false);
  expect(sameResponse(redirect, { ...redirect, headers: { ...redirect.headers, 'Cache-Control': 'no-cache' } })).toBe(false);
  expect(sameResponse(redirect, { ...redirect, headers: { ...redirect.headers, 'X-More': '1' } })).toBe(false);
});

describe('the key value store file', () => {
  test('sorted by key, in the format CloudFront imports, and read back whole', () => {
    const file = keyValueStoreFile(
      new Map([
        ['po.co/b', 'GB'],
        ['po.co/a', '-'],
      ]),
    );
    expect(file).toBe('{"data":[{"key":"po.co/a","value":"-"},{"key":"po.co/b","value":"GB"}]}');
    expect(parseKeyValueStoreFile(file, 'x')).toEqual(
      new Map([
        ['po.co/a', '-'],
        ['po.co/b', 'GB'],
      ]),
    );
    expect(parseKeyValueStoreFile(keyValueStoreFile(SPLITS), 'x')).toEqual(SPLITS);
  });

  test("over CloudFront's limits, a message that says which and how to fix it", () => {
    const fix = 'Fix: shorten the hostnames or slugs in config/sites.json and config/catalog.json, or list fewer products.';
    const head = "The country-key function's key value store would not fit CloudFront's limits: ";
    const long = 'po.co/' + 'x'.repeat(600);
    expect(() => keyValueStoreFile(new Map([[long, 'GB']]))).toThrow(
      new CountrySplitsTooLargeError(`the key "po.co/${'x'.repeat(74)}…" is over 512 bytes`),
    );
    expect(() => keyValueStoreFile(new Map([[long, 'GB']]))).toThrow(head + `the key "po.co/${'x'.repeat(74)}…" is over 512 bytes. ` + fix);
    expect(() => keyValueStoreFile(new Map([['po.co/a', 'GB '.repeat(400)]]))).toThrow(
      head + 'the value of "po.co/a" is over 1024 bytes. ' + fix,
    );
    const many = new Map(Array.from({ length: 120000 }, (_, i) => [`po.co/product/poco-${i}/specs_m/`, 'GB ID IN PH TR TW']));
    expect(() => keyValueStoreFile(many)).toThrow(
      /^The country-key function's key value store would not fit CloudFront's limits: the file is \d+ bytes, over 5242880\. Fix: /,
    );
  });

  test('read from a cloud assembly: the asset its import source names', () => {
    const dir = tmpDir('poco-kvs-');
    const hash = 'a'.repeat(64);
    fs.writeFileSync(path.join(dir, `asset.${hash}.json`), keyValueStoreFile(new Map([['po.co/x', 'GB']])));
    expect(readKeyValueStoreAsset(dir, `arn:aws:s3:::cdk-hnb659fds-assets-111111111111-us-east-1/${hash}.json`)).toEqual(
      new Map([['po.co/x', 'GB']]),
    );
    expect(() => readKeyValueStoreAsset(dir, 'arn:aws:s3:::bucket/data.json')).toThrow(
      'key value store: the import source arn:aws:s3:::bucket/data.json is not an asset of the cloud assembly',
    );
    expect(() => readKeyValueStoreAsset(dir, `arn:aws:s3:::bucket/${'b'.repeat(64)}.json`)).toThrow(
      `key value store: ${path.join(dir, `asset.${'b'.repeat(64)}.json`)}, the data of arn:aws:s3:::bucket/${'b'.repeat(64)}.json, is not in the cloud assembly`,
    );
  });
});
