/** The Lambda@Edge adapter: event in, CloudFront response (or the request) out. */
import fc from 'fast-check';
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { Decision, RedirectEngine } from '../../lambda/engine';
import { createHandler, DECISION_INPUTS, logLine } from '../../lambda/handler';
import { originRequestEvent } from '../../lib/edge/cloudfront-event';
import { entries, sites, tablesFor } from '../support/engine';
import { compileTables } from '../../lib/config/compile';
import { loadRuleset } from '../../lib/config/load';

/** A request value as the log line holds it: strings clipped to 512 characters, anything else null. */
const clip = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, 512) : null);

const logs: string[] = [];
const handler = createHandler(tablesFor('po.co/promo,https://www.mi.com/uk/sale/,302'), { log: (l) => logs.push(l) });
beforeEach(() => logs.splice(0));

describe('redirects', () => {
  test('a generated response in CloudFront form, with its headers', async () => {
    const res = (await handler(originRequestEvent({ host: 'po.co', uri: '/uk/product/POCO-F7' }))) as CloudFrontResultResponse;
    expect(res).toEqual({
      status: '301',
      statusDescription: 'Moved Permanently',
      headers: {
        location: [{ key: 'Location', value: 'https://www.mi.com/uk/product/poco-f7/' }],
        'cache-control': [{ key: 'Cache-Control', value: 'public, max-age=86400' }],
        'strict-transport-security': [{ key: 'Strict-Transport-Security', value: 'max-age=63072000' }],
        // The rule keeps the query string: the viewer-response function appends the viewer's and removes this.
        'x-poco-append-query': [{ key: 'X-Poco-Append-Query', value: '1' }],
      },
    });
  });

  test('the query string is not read (it is not in the cache key); a rule that drops it is not marked', async () => {
    const withQuery = originRequestEvent(
      { host: 'po.co', uri: '/uk/product/POCO-F7', querystring: 'a=1' },
      { headers: ['host'], queryString: true },
    );
    expect(((await handler(withQuery)) as CloudFrontResultResponse).headers?.location[0].value).toBe(
      'https://www.mi.com/uk/product/poco-f7/',
    );
    const dropped = (await handler(originRequestEvent({ host: 'c.po.co', uri: '/x' }))) as CloudFrontResultResponse;
    expect(Object.keys(dropped.headers ?? {}).sort()).toEqual(['cache-control', 'location', 'strict-transport-security']);
  });

  test('the viewer country reaches the decision through the country key', async () => {
    const res = (await handler(
      originRequestEvent({ host: 'www.po.co', uri: '/', otherHeaders: { 'x-poco-country': 'FR' } }),
    )) as CloudFrontResultResponse;
    expect(res.status).toBe('302');
    expect(res.headers?.location[0].value).toBe('https://www.mi.com/fr/');
    expect(res.headers?.['cache-control'][0].value).toBe('private, no-store');
  });

  test('one structured log line per decision: rule, status, host, uri, country (no query string)', async () => {
    await handler(
      originRequestEvent({ host: 'po.co', uri: '/promo', querystring: 'email=a@b.c', otherHeaders: { 'x-poco-country': 'GB' } }),
    );
    expect(logs.map((l) => JSON.parse(l))).toEqual([
      { rule: 'bulk:list.csv:1', action: 'redirect', status: 302, host: 'po.co', uri: '/promo', country: 'GB' },
    ]);
  });

  test('POST gets 405 with Allow', async () => {
    const res = (await handler(originRequestEvent({ host: 'po.co', method: 'POST' }))) as CloudFrontResultResponse;
    expect([res.status, res.statusDescription]).toEqual(['405', 'Method Not Allowed']);
    expect(res.headers?.allow[0].value).toBe('GET, HEAD');
  });

  test('each redirect status with its reason phrase, and its log line', async () => {
    const lines: string[] = [];
    const list = [
      'po.co/a,https://www.mi.com/uk/a/,301',
      'po.co/b,https://www.mi.com/uk/b/,302',
      'po.co/c,https://www.mi.com/uk/c/,307',
      'po.co/d,https://www.mi.com/uk/d/,308',
    ];
    const h = createHandler(tablesFor(list.join('\n')), { log: (l) => lines.push(l) });
    const got: string[] = [];
    for (const p of ['/a', '/b', '/c', '/d']) {
      const res = (await h(originRequestEvent({ host: 'po.co', uri: p }))) as CloudFrontResultResponse;
      got.push(`${res.status} ${res.statusDescription}`);
    }
    expect(got).toEqual(['301 Moved Permanently', '302 Found', '307 Temporary Redirect', '308 Permanent Redirect']);
    expect(lines.map((l) => JSON.parse(l).status)).toEqual([301, 302, 307, 308]);
  });
});

describe('the frozen site', () => {
  test('requests go to the origin untouched', async () => {
    const event = originRequestEvent({ host: 'in.po.co', uri: '/product/poco-c75', querystring: 'x=1' });
    const before = JSON.stringify(event);
    const res = await handler(event);
    expect(res).toBe(event.Records[0].cf.request);
    expect(JSON.stringify(event)).toBe(before);
    expect(JSON.parse(logs[0])).toMatchObject({ rule: 'origin:frozen-site', action: 'origin', status: null });
  });
});

describe('what the decision reads', () => {
  test('only the declared inputs: other headers, client IP and origin make no difference', async () => {
    expect(DECISION_INPUTS).toEqual({ fields: ['method', 'uri'], headers: ['host', 'x-poco-country'] });
    const plain = originRequestEvent({ host: 'po.co', uri: '/x', otherHeaders: { 'x-poco-country': 'DE' } });
    const noisy = originRequestEvent({ host: 'po.co', uri: '/x', otherHeaders: { 'x-poco-country': 'DE' } });
    const req = noisy.Records[0].cf.request as unknown as Record<string, unknown> & { headers: Record<string, unknown> };
    req.clientIp = '198.51.100.7';
    req.headers['accept-language'] = [{ key: 'Accept-Language', value: 'fr-FR' }];
    req.headers['user-agent'] = [{ key: 'User-Agent', value: 'curl' }];
    req.headers.cookie = [{ key: 'Cookie', value: 'region=uk' }];
    req.headers['cloudfront-viewer-country'] = [{ key: 'CloudFront-Viewer-Country', value: 'GB' }];
    req.querystring = 'utm_source=x';
    req.origin = {
      s3: { domainName: 'b.s3.amazonaws.com', path: '', authMethod: 'origin-access-identity', region: 'us-east-1', customHeaders: {} },
    };
    expect(await handler(noisy)).toEqual(await handler(plain));
  });

  test('the event builder forwards only the declared headers, as the policies do', () => {
    const e = originRequestEvent({
      host: 'po.co',
      country: 'GB',
      querystring: 'a=1',
      otherHeaders: { 'User-Agent': 'x', Cookie: 'y', 'X-Poco-Country': 'GB' },
    });
    expect(Object.keys(e.Records[0].cf.request.headers).sort()).toEqual(['host', 'x-poco-country']);
    expect(e.Records[0].cf.request.querystring).toBe('');
  });
});

describe('malformed events never throw and still redirect', () => {
  const odd: [string, unknown][] = [
    ['no records', { Records: [] }],
    ['no request', { Records: [{ cf: {} }] }],
    ['null event', null],
    ['headers missing', { Records: [{ cf: { request: { method: 'GET', uri: '/uk/', querystring: '' } } }] }],
    ['empty header list', { Records: [{ cf: { request: { method: 'GET', uri: '/uk/', querystring: '', headers: { host: [] } } } }] }],
    [
      'non-string fields',
      { Records: [{ cf: { request: { method: 7, uri: {}, querystring: [], headers: { host: [{ key: 'Host', value: 5 }] } } } }] },
    ],
  ];
  test.each(odd)('%s', async (_name, event) => {
    const res = (await handler(event as CloudFrontRequestEvent)) as CloudFrontResultResponse;
    expect(res.status).toBe('302');
    expect(res.headers?.location[0].value).toBe('https://www.mi.com/global/poco/');
  });

  test('a failing logger does not break the redirect', async () => {
    const h = createHandler(tablesFor(''), {
      log: () => {
        throw new Error('log sink down');
      },
    });
    const res = (await h(originRequestEvent({ host: 'po.co', uri: '/de/' }))) as CloudFrontResultResponse;
    expect(res.headers?.location[0].value).toBe('https://www.mi.com/de/');
  });
});

test('log values are clipped to 512 characters', async () => {
  await handler(
    originRequestEvent({ host: 'x'.repeat(2000), uri: '/' + 'a'.repeat(2000), otherHeaders: { 'x-poco-country': 'G'.repeat(600) } }),
  );
  const line = JSON.parse(logs[0]);
  expect([line.host.length, line.uri.length, line.country.length]).toEqual([512, 512, 512]);
});

test('tables of another format are refused at load, before any request', () => {
  expect(() => createHandler({ ...tablesFor(''), format: 1 as never })).toThrow(
    'RedirectEngine: compiled tables of format 1; this engine reads format 2. Rebuild the bundle.',
  );
});

test('header values that never change are checked once, at load, with the fix', () => {
  const tables = tablesFor('');
  expect(() => createHandler({ ...tables, headers: { ...tables.headers, hsts: 'max-age=1\r\nSet-Cookie: a=b' } })).toThrow(
    'createHandler: header Strict-Transport-Security value "max-age=1\\r\\nSet-Cookie: a=b" is not printable ASCII. Fix config/sites.json responseHeaders and rebuild the bundle.',
  );
});

test('responses share frozen lists for the headers that never change, and a fresh Location each', async () => {
  const a = (await handler(originRequestEvent({ host: 'po.co', uri: '/uk/' }))) as CloudFrontResultResponse;
  const b = (await handler(originRequestEvent({ host: 'po.co', uri: '/fr/' }))) as CloudFrontResultResponse;
  expect(a.headers!['cache-control']).toBe(b.headers!['cache-control']);
  expect(Object.isFrozen(a.headers!['cache-control']) && Object.isFrozen(a.headers!['cache-control'][0])).toBe(true);
  expect(a.headers!.location).not.toBe(b.headers!.location);
  expect([a.headers!.location[0].value, b.headers!.location[0].value]).toEqual(['https://www.mi.com/uk/', 'https://www.mi.com/fr/']);
});

test('the log line is exactly JSON.stringify of its fields, for any values', () => {
  const tricky = fc.string({
    unit: fc.constantFrom('\ud800', '\udfff', '\ud83d\ude00', '"', '\\', '\n', '\u0000', '\u007f', '\u2028', 'a', 'é'),
    maxLength: 12,
  });
  const value = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 600 }),
    tricky,
    tricky.map((t) => 'x'.repeat(511) + t),
    fc.constant(undefined),
    fc.integer(),
    fc.constant(null),
  );
  const decision = fc.record({
    rule: fc.oneof(fc.constantFrom('default:home', 'bulk:list.csv:12', 'origin:frozen-site'), fc.string({ unit: 'binary' })),
    action: fc.constantFrom('redirect', 'origin', 'respond'),
    status: fc.constantFrom(301, 302, 307, 308, 405, null),
  });
  fc.assert(
    fc.property(decision, value, value, value, (d, host, uri, country) => {
      expect(logLine(d as unknown as Decision, host, uri, country)).toBe(
        JSON.stringify({ rule: d.rule, action: d.action, status: d.status, host: clip(host), uri: clip(uri), country: clip(country) }),
      );
    }),
    { numRuns: 3000 },
  );
});

describe('what the engine already knows is not checked again in the log line', () => {
  const tables = tablesFor('po.co/promo,https://www.mi.com/uk/sale/,302');
  const configured = tables.hosts.map(([h]) => h);

  test('the engine says whether its rule names need escaping: only a bulk file name can make them', () => {
    expect(new RedirectEngine(tables).plainRules).toBe(true);
    const e = entries('po.co/promo,https://www.mi.com/uk/sale/,302');
    expect(new RedirectEngine(compileTables(sites(), 'lists/"quoted".csv', e, loadRuleset(sites()))).plainRules).toBe(false);
    expect(new RedirectEngine(compileTables(sites(), 'back\\slash.csv', e, loadRuleset(sites()))).plainRules).toBe(false);
    expect(new RedirectEngine(compileTables(sites(), 'tab\t.csv', e, loadRuleset(sites()))).plainRules).toBe(false);
  });

  test('with such a file name the log line still escapes the rule', async () => {
    const lines: string[] = [];
    const h = createHandler(
      compileTables(sites(), 'lists/"quoted".csv', entries('po.co/promo,https://www.mi.com/uk/sale/,302'), loadRuleset(sites())),
      { log: (l) => lines.push(l) },
    );
    await h(originRequestEvent({ host: 'po.co', uri: '/promo' }));
    expect(lines).toEqual([
      '{"rule":"bulk:lists/\\"quoted\\".csv:1","action":"redirect","status":302,"host":"po.co","uri":"/promo","country":null}',
    ]);
  });

  const anyHost = fc.oneof(
    fc.constantFrom(...configured),
    fc.constantFrom(...configured).map((h) => h.toUpperCase()),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
  const pathChar = fc.constantFrom(...'/aZ09-._~!$&\'()*+,;=:@%"\\ \u0000\u007f\u00e9\ud800'.split(''));
  const anyPath = fc.oneof(
    fc.string({ unit: pathChar, maxLength: 30 }).map((p) => '/' + p),
    fc.constantFrom('/uk/product/poco-f6', '/promo', '/./x', '/a/../b'),
  );

  test('what the engine learns about a request is true of it: a configured host as sent, a path read as it is', () => {
    const engine = new RedirectEngine(tables);
    const facts = { hostConfigured: true, pathPlain: true };
    fc.assert(
      fc.property(anyHost, anyPath, (host, path) => {
        engine.decide({ method: 'GET', scheme: 'https', host, path, query: '' }, facts);
        if (facts.hostConfigured) expect(configured).toContain(host);
        if (facts.pathPlain) expect(path).toMatch(/^[/A-Za-z0-9\-._~!$&'()*+,;=:@]*$/);
        if (facts.pathPlain) expect(path.split('/').some((s) => s === '.' || s === '..')).toBe(false);
      }),
      { numRuns: 3000 },
    );
    engine.decide({ method: 'GET', scheme: 'https', host: 'po.co', path: '/uk/', query: '' }, facts);
    expect(facts).toEqual({ hostConfigured: true, pathPlain: true });
    engine.decide({ method: 'GET', scheme: 'https', host: 'example.com', path: '/uk/', query: '' }, facts);
    expect(facts).toEqual({ hostConfigured: false, pathPlain: false });
  });

  test("the handler's log line is exactly JSON.stringify of the decision and the request's values, for any event", async () => {
    const lines: string[] = [];
    const h = createHandler(tables, { log: (l) => lines.push(l) });
    const engine = new RedirectEngine(tables);
    const country = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom('GB', 'DE', 'gb', 'X"', '\u0000A'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(
        anyHost,
        fc.oneof(
          anyPath,
          anyPath.map((p) => p + 'x'.repeat(520)),
        ),
        country,
        async (host, uri, cc) => {
          lines.splice(0);
          const event = originRequestEvent({ host, uri, country: cc });
          const sent = event.Records[0].cf.request.headers['cloudfront-viewer-country']?.[0].value; // the event builder leaves out an empty country
          await h(event);
          const d = engine.decide({ method: 'GET', scheme: 'https', host, path: uri, query: '', country: sent });
          expect(lines).toEqual([
            JSON.stringify({ rule: d.rule, action: d.action, status: d.status, host: clip(host), uri: clip(uri), country: clip(sent) }),
          ]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('an event that cannot be read is logged with nothing known of it, whatever the request before it was', async () => {
    const lines: string[] = [];
    const h = createHandler(tables, { log: (l) => lines.push(l) });
    await h(originRequestEvent({ host: 'po.co', uri: '/uk/' })); // a configured host and a plain path
    // The host is read, then reading the country fails: the fallback decision must not inherit the facts above.
    const headers = {
      host: [{ key: 'Host', value: 'po.co' }],
      get 'x-poco-country'(): never {
        throw new Error('unreadable');
      },
    };
    const unreadable = { Records: [{ cf: { request: { method: 'GET', uri: '/"quoted"', querystring: '', headers } } }] };
    await h(unreadable as unknown as CloudFrontRequestEvent);
    expect(lines[1]).toBe(
      '{"rule":"fallback:unknown-host","action":"redirect","status":302,"host":"po.co","uri":"/\\"quoted\\"","country":null}',
    );
  });
});
