/**
 * Safety, as properties over hostile input: whatever arrives, the handler
 * never throws, every Location is an absolute https:// URL on the allow-list
 * with no control characters, every header value is printable ASCII, and
 * every GET/HEAD to a redirect site gets a redirect.
 */
import fc from 'fast-check';
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { canonicalPath, lowerSegment, pathKey, PathScan, RedirectEngine } from '../../../lambda/engine';
import { fnv } from '../../../lambda/engine/hash';
import { createHandler } from '../../../lambda/handler';
import { originRequestEvent } from '../../../lib/edge/cloudfront-event';
import { PAYLOADS, WORDLIST } from '../../support/payloads';
import { defaultRule, tablesFor } from '../../support/engine';

const ALLOWED = new Set(['www.mi.com', 'in.po.co']);
const REDIRECT_HOSTS = ['po.co', 'www.po.co', 'uk.po.co', 'fr.po.co', 'de.po.co'];
const REGIONS = ['global', 'uk', 'fr', 'de', 'es', 'it', 'in', 'IN', 'Uk'];
const COUNTRIES = ['', 'GB', 'IN', 'US', 'DE', 'zz', '\r\n', 'GB\u0000'];
const PAYLOAD_COUNTRIES = ['', 'GB', 'IN', '\r\n'];

/** The rule of the last decision: the safety nets (unsafe-location, engine-error) must never be needed. */
let lastRule = '';
const log = (line: string): void => {
  lastRule = JSON.parse(line).rule;
};

// Two rule sets: the default one, and one whose bulk entries copy hostile
// paths and queries into the Location (root subpath match, suffix and query kept).
const handlers = {
  default: createHandler(tablesFor(''), { log }),
  copying: createHandler(
    tablesFor(
      [
        'po.co/,https://www.mi.com/global/,301,TRUE,TRUE,TRUE,TRUE',
        'uk.po.co/product,https://www.mi.com/uk/product,308,TRUE,FALSE,TRUE,TRUE',
        'www.po.co/in,https://in.po.co/,302,TRUE,FALSE,TRUE,TRUE',
      ].join('\n'),
    ),
    { log },
  ),
};

const SAFETY_NETS = /fallback:(unsafe-location|engine-error)/;

/**
 * The oracle, independent of the engine's own check: printable ASCII without
 * backslash, and what a browser's URL parser makes of it is https on an
 * allowed host, with no user-info and no port.
 */
function isSafeLocation(location: string, allowed: ReadonlySet<string>): boolean {
  if (!/^[\x21-\x7e]+$/.test(location) || location.includes('\\') || !location.startsWith('https://')) return false;
  try {
    const u = new URL(location);
    return u.protocol === 'https:' && allowed.has(u.hostname) && u.username === '' && u.password === '' && u.port === '';
  } catch {
    return false;
  }
}

/** Checks one response against the safety contract; returns a reason or undefined. */
function unsafe(res: unknown, host: string, method: string): string | undefined {
  const r = res as CloudFrontResultResponse & { uri?: string };
  if (r.uri !== undefined) return host === 'in.po.co' ? undefined : `a request to ${host} was passed to the origin`;
  for (const [name, values] of Object.entries(r.headers ?? {})) {
    for (const v of values)
      if (!/^[\x20-\x7e]*$/.test(v.value)) return `header ${name} has a control or non-ASCII character: ${JSON.stringify(v.value)}`;
  }
  const location = r.headers?.location?.[0]?.value;
  if (['GET', 'HEAD'].includes(method.toUpperCase())) {
    if (!['301', '302', '307', '308'].includes(String(r.status))) return `status ${r.status} is not a redirect`;
    if (!location) return 'a redirect without Location';
  }
  if (location !== undefined && !isSafeLocation(location, ALLOWED)) return `unsafe Location ${JSON.stringify(location)}`;
  return undefined;
}

async function check(
  kind: keyof typeof handlers,
  host: string,
  uri: string,
  querystring: string,
  country: string,
  method = 'GET',
): Promise<void> {
  const res = await handlers[kind](originRequestEvent({ host, uri, querystring, country, method }));
  const reason = unsafe(res, host, method) ?? (SAFETY_NETS.test(lastRule) ? `the engine needed its safety net (${lastRule})` : undefined);
  if (reason) throw new Error(`${kind} ${method} ${host}${uri}?${querystring} [${JSON.stringify(country)}]: ${reason}`);
}

/** Every way the issue asks to place a payload: whole path, after each region, in a slug, in the query. */
function placements(payload: string): [string, string][] {
  const asPath = payload.startsWith('/') ? payload : '/' + payload;
  const [p, q = ''] = asPath.split(/\?(.*)/s);
  const out: [string, string][] = [
    [p, q],
    [asPath, ''],
    ['/', `next=${payload}`],
    ['/', payload],
    [`/product/${payload}`, ''],
  ];
  for (const r of REGIONS) out.push([`/${r}${p}`, q], [`/${r}/product/${payload}`, ''], [`/${r}/product${p}`, `url=${payload}`]);
  return out;
}

describe('the shared open-redirect payloads', () => {
  test(`${PAYLOADS.length} payloads and ${WORDLIST.length} paths, in every placement, host, country and rule set`, async () => {
    let checked = 0;
    for (const payload of [...PAYLOADS, ...WORDLIST]) {
      for (const [uri, qs] of placements(payload)) {
        for (const host of [...REDIRECT_HOSTS, 'in.po.co', 'evil.com']) {
          for (const country of PAYLOAD_COUNTRIES) {
            for (const kind of ['default', 'copying'] as const) {
              await check(kind, host, uri, qs, country);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100000);
  });

  test('payloads as the Host header never lead off the allow-list', async () => {
    for (const payload of [...PAYLOADS, ...WORDLIST]) {
      for (const kind of ['default', 'copying'] as const) {
        const res = await handlers[kind](originRequestEvent({ host: payload, uri: '/', country: 'GB' }));
        const reason = unsafe(res, payload, 'GET');
        if (reason) throw new Error(`Host ${JSON.stringify(payload)}: ${reason}`);
      }
    }
  });
});

describe('properties over generated input', () => {
  const hostileChar = fc.constantFrom(
    '/',
    '\\',
    '.',
    '%',
    '?',
    '#',
    '@',
    ':',
    '\r',
    '\n',
    '\t',
    '\u0000',
    ' ',
    '"',
    '<',
    '>',
    'é',
    '\u2028',
    '\ud800',
    '%2e',
    '%2f',
    '%5c',
    '%0d%0a',
    '//',
    '..',
    'https:',
    'evil.com',
    'uk',
    'product',
    'in',
  );
  const hostileString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.array(hostileChar, { maxLength: 25 }).map((a) => a.join('')),
  );
  const anyHost = fc.oneof(fc.constantFrom(...REDIRECT_HOSTS, 'in.po.co', 'PO.CO', 'po.co:443', 'po.co.'), hostileString);

  test('the handler never throws and every response is safe', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('default', 'copying') as fc.Arbitrary<keyof typeof handlers>,
        anyHost,
        hostileString.map((s) => '/' + s),
        hostileString,
        fc.oneof(fc.constantFrom(...COUNTRIES), fc.string({ maxLength: 4 })),
        fc.constantFrom('GET', 'HEAD', 'get', 'POST', 'OPTIONS', ''),
        async (kind, host, uri, qs, country, method) => {
          const res = await handlers[kind](originRequestEvent({ host, uri, querystring: qs, country, method }));
          const reason =
            unsafe(res, host.toLowerCase().replace(/:443$|\.$/, ''), method || 'GET') ??
            (SAFETY_NETS.test(lastRule) ? `safety net needed: ${lastRule}` : undefined);
          if (reason && !(method === '' && /status 405/.test(reason))) throw new Error(reason);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('events with arbitrary shapes never make the handler throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (request) => {
        const res = (await handlers.default({
          Records: [{ cf: { request } }],
        } as unknown as CloudFrontRequestEvent)) as CloudFrontResultResponse;
        expect(res).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });

  test('a store or bulk target off the allow-list (tables altered after validation) is never emitted: fallback:unsafe-location', () => {
    const tables = tablesFor('po.co/old,https://www.mi.com/uk/old,301');
    const altered = {
      ...tables,
      regions: tables.regions.map((r) =>
        r.name === 'fr' ? { ...r, url: 'https://evil.example/fr/', landing: 'https://evil.example/fr/' } : r,
      ),
      bulk: { ...tables.bulk, targets: tables.bulk.targets.map((t) => t.replace('www.mi.com', 'www.mi.com.evil.example')) },
    };
    const engine = new RedirectEngine(altered);
    const outcome = (url: string): string => {
      const u = new URL(url);
      const d = engine.decide({ method: 'GET', scheme: 'https', host: u.host, path: u.pathname, query: u.search.slice(1) });
      return `${d.status} ${d.location} ${d.rule}`;
    };
    expect(outcome('https://po.co/fr/product/x?a=1')).toBe('302 https://www.mi.com/global/poco/ fallback:unsafe-location');
    expect(outcome('https://po.co/old')).toBe('302 https://www.mi.com/global/poco/ fallback:unsafe-location');
    expect(outcome('https://po.co/old')).toBe('302 https://www.mi.com/global/poco/ fallback:unsafe-location'); // every answer is checked, not only the first
    expect(outcome('https://po.co/uk/product/poco-f7?a=1')).toBe(
      `301 https://www.mi.com/uk/product/poco-f7/?a=1 ${defaultRule('product-page')}`,
    );
  });

  test('a rule target off the allow-list (tables altered after validation) is never emitted', () => {
    const tables = tablesFor('');
    const community = tables.rules.findIndex((r) => r.id === defaultRule('community'));
    const altered = {
      ...tables,
      rules: tables.rules.map((r, i) => (i === community ? { ...r, target: [{ text: 'https://new.c.mi.com.evil.example/' }] } : r)),
    };
    const d = new RedirectEngine(altered).decide({ method: 'GET', scheme: 'https', host: 'c.po.co', path: '/x', query: '' });
    expect(`${d.status} ${d.location} ${d.rule}`).toBe('302 https://www.mi.com/global/poco/ fallback:unsafe-location');
  });

  test("the engine's path scan gives canonicalPath's segments, trailing slash and index, and the bulk key hashes, and keeps no state between paths", () => {
    const pieces = fc.constantFrom(
      'a',
      'B',
      'poco-F6',
      '.',
      '..',
      '/',
      '//',
      'index.html',
      'INDEX.html',
      '%41',
      '%2f',
      '%e9',
      '%',
      'é',
      ' ',
      '~',
      '\\',
      '?',
    );
    const rawPath = fc.oneof(
      hostileString.map((s) => '/' + s),
      fc.array(pieces, { maxLength: 12 }).map((a) => a.join('')),
      fc.array(pieces, { maxLength: 12 }).map((a) => '/' + a.join('/')),
    );
    const scan = new PathScan(); // one scan for every path, as the engine keeps one
    fc.assert(
      fc.property(rawPath, fc.integer(), (raw, seed) => {
        const expected = canonicalPath(raw);
        scan.load(raw, seed);
        // The bulk index's key hashes, one per depth, from the seed.
        expect(expected.segments.map((_, d) => scan.hash(d + 1))).toEqual(
          expected.segments.map((_, d) =>
            fnv(seed, expected.segments.slice(0, d + 1).join('/'), 0, expected.segments.slice(0, d + 1).join('/').length),
          ),
        );
        expect(scan.hash(0)).toBe(seed);
        // The length of the path part of each key.
        expect(expected.segments.map((_, d) => scan.keyLength(d + 1))).toEqual(
          expected.segments.map((_, d) => pathKey(expected.segments.slice(0, d + 1)).length),
        );
        expect(scan.keyLength(0)).toBe(1);
        expect({ segments: scan.segments(), trailingSlash: scan.trailingSlash, index: scan.index }).toEqual({
          ...expected,
          index: expected.index,
        });
        for (let from = 0; from <= scan.count; from++) expect(scan.join(from)).toBe(expected.segments.slice(from).join('/'));
        expect(expected.segments.map((_, i) => scan.lower(i))).toEqual(expected.segments.map(lowerSegment));
        expect(expected.segments.map((_, i) => scan.equalsLower(i, 'product'))).toEqual(
          expected.segments.map((seg) => seg.toLowerCase() === 'product'),
        );
      }),
      { numRuns: 5000 },
    );
  });

  test('canonical paths are a fixed point: normalising twice changes nothing', () => {
    fc.assert(
      fc.property(hostileString, (raw) => {
        const once = canonicalPath('/' + raw).segments;
        expect(canonicalPath(pathKey(once)).segments).toEqual(once);
        for (const seg of once) expect(seg).toMatch(/^[\x21-\x7e]+$/);
      }),
      { numRuns: 3000 },
    );
  });
});
