/**
 * The bench's traffic model and cache model (lib/bench/): the generator is
 * deterministic and gives the documented shares; the cache model reads
 * hand-written template fragments as CloudFront would key them; the floor
 * asks the engine where the country changes the answer. Nothing is timed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RedirectEngine } from '../../lambda/engine';
import { loadConfig } from '../../lib/config/load';
import { aliasMatches, CacheModel, distributionsOf, PlayResult, ViewerRequest } from '../../lib/bench/cache-model';
import { floorKeys, playModel, urlSetInputOf } from '../../lib/bench/edge-runs';
import {
  buildUrlSet,
  CAMPAIGN_SHARE,
  CAMPAIGNS,
  CLICK_ID_SHARE,
  COUNTRY_WEIGHTS,
  generateTraffic,
  TrafficRequest,
  Xorshift32,
} from '../../lib/bench/traffic';
import type { Template } from '../../lib/review/assembly';
import { keyValueStoreFile } from '../../lib/edge/country-splits';
import { tmpDir } from '../support/tmp';

const config = loadConfig();
const urls = buildUrlSet(urlSetInputOf(config));

describe('the traffic model', () => {
  test('the PRNG is deterministic and spreads its values', () => {
    const a = new Xorshift32(7);
    const b = new Xorshift32(7);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
    expect(new Xorshift32(8).next()).not.toBe(new Xorshift32(7).next());
  });

  test('same seed, same URL set and same requests; another seed, other requests', () => {
    expect(buildUrlSet(urlSetInputOf(config))).toEqual(urls);
    const one = generateTraffic(urls, { requests: 2000, seed: 1 });
    expect(generateTraffic(urls, { requests: 2000, seed: 1 })).toEqual(one);
    expect(generateTraffic(urls, { requests: 2000, seed: 2 })).not.toEqual(one);
    expect(generateTraffic(urls).length).toBe(100000);
  });

  test('the URL set: the real legacy links first, each region home, products with and without /product/, the other hosts, no duplicates', () => {
    const keys = urls.map((u) => u.host + u.path);
    expect(new Set(keys).size).toBe(keys.length);
    expect(urls[0]).toEqual({ host: 'www.po.co', path: '/global/product/poco-f6/specs/', kind: 'legacy link' });
    for (const r of config.sites.regions) expect(keys).toContain(`www.po.co/${r.name}/`);
    // Generated URLs sit on one of the region-path hostnames, drawn by their shares.
    const paths = urls.map((u) => u.path);
    expect(paths).toContain('/global/product/poco-f7/');
    expect(paths).toContain('/global/product/poco-f7/specs/');
    expect(paths).toContain('/product/poco-f7');
    expect(keys.some((k) => /\/global\/poco-[a-z0-9-]+\/specs$/.test(k))).toBe(true);
    expect(keys).toContain('c.po.co/');
    expect(keys).toContain('uk.po.co/product/poco-f8-pro/');
    expect(keys).toContain('in.po.co/');
    expect(keys).toContain('po.co/uk/offers');
    const kinds = new Set(urls.map((u) => u.kind));
    for (const k of [
      'legacy link',
      'home',
      'product page',
      'product subpage',
      'product without /product/',
      'region-less product',
      'discontinued product',
      'support',
      'other host',
      'frozen',
      'bulk source',
      'variant',
    ])
      expect(kinds).toContain(k);
    // Other names under the wildcard, never a configured one.
    const others = urls.filter((u) => u.kind === 'other host').map((u) => u.host);
    expect(others.length).toBeGreaterThan(10);
    expect(
      others.every(
        (h) => /^[a-z]+\.po\.co$/.test(h) && !['c.po.co', 'uk.po.co', 'fr.po.co', 'de.po.co', 'in.po.co', 'www.po.co'].includes(h),
      ),
    ).toBe(true);
  });

  describe('the documented shares, within tolerance', () => {
    const traffic = generateTraffic(urls);
    const share = (f: (r: TrafficRequest) => boolean): number => traffic.filter(f).length / traffic.length;

    test('a quarter carry a unique click id, a tenth campaign tags from the small set', () => {
      expect(share((r) => /(^|&)(fbclid|gclid)=/.test(r.querystring))).toBeCloseTo(CLICK_ID_SHARE, 2);
      expect(share((r) => r.querystring.includes('utm_source='))).toBeCloseTo(CAMPAIGN_SHARE, 2);
      const ids = traffic.flatMap((r) => /(?:fbclid|gclid)=([^&]+)/.exec(r.querystring)?.[1] ?? []);
      expect(new Set(ids).size).toBe(ids.length);
      const tags = traffic.flatMap((r) => /utm_source=[^&]+&utm_medium=[^&]+&utm_campaign=[^&]+/.exec(r.querystring)?.[0] ?? []);
      expect(new Set(tags).size).toBeLessThanOrEqual(CAMPAIGNS.length);
      expect(tags.every((t) => CAMPAIGNS.includes(t))).toBe(true);
    });

    test('countries by their weights (31 countries and an unknown one)', () => {
      const countries = Object.keys(COUNTRY_WEIGHTS);
      expect(countries.filter((c) => c !== '').length).toBe(31);
      expect(Object.values(COUNTRY_WEIGHTS).reduce((s, w) => s + w, 0)).toBe(100);
      for (const c of countries) expect(Math.abs(share((r) => r.country === c) - COUNTRY_WEIGHTS[c] / 100)).toBeLessThan(0.005);
    });

    test('URLs by Zipf popularity: the first as often as 1/H(n), the tenth a tenth of that', () => {
      const h = urls.reduce((s, _, i) => s + 1 / (i + 1), 0);
      const first = share((r) => r.host === urls[0].host && r.uri === urls[0].path);
      const tenth = share((r) => r.host === urls[9].host && r.uri === urls[9].path);
      expect(Math.abs(first - 1 / h)).toBeLessThan(0.005);
      expect(Math.abs(tenth - 1 / (10 * h))).toBeLessThan(0.003);
    });
  });
});

// --- hand-written template fragments ---------------------------------------------------------

interface Behavior {
  headers?: string[];
  query?: 'none' | 'all' | { whitelist: string[] } | { allExcept: string[] };
  originRequestHeaders?: string[];
  functionCode?: string;
  lambda?: boolean;
  maxTtl?: number;
}

function cachePolicy(b: Behavior): Template {
  const q = b.query ?? 'none';
  return {
    Type: 'AWS::CloudFront::CachePolicy',
    Properties: {
      CachePolicyConfig: {
        MinTTL: 300,
        MaxTTL: b.maxTtl ?? 31536000,
        ParametersInCacheKeyAndForwardedToOrigin: {
          CookiesConfig: { CookieBehavior: 'none' },
          HeadersConfig: b.headers?.length ? { HeaderBehavior: 'whitelist', Headers: b.headers } : { HeaderBehavior: 'none' },
          QueryStringsConfig:
            typeof q === 'string'
              ? { QueryStringBehavior: q }
              : 'whitelist' in q
                ? { QueryStringBehavior: 'whitelist', QueryStrings: q.whitelist }
                : { QueryStringBehavior: 'allExcept', QueryStrings: q.allExcept },
        },
      },
    },
  };
}

/** One stack: a distribution with `aliases`, its policies and function beside it. */
function singleStack(aliases: string[], b: Behavior): Map<string, Template> {
  const resources: Template = { Policy: cachePolicy(b) };
  const behavior: Template = { CachePolicyId: { Ref: 'Policy' }, TargetOriginId: 'o', ViewerProtocolPolicy: 'redirect-to-https' };
  if (b.lambda !== false) behavior.LambdaFunctionAssociations = [{ EventType: 'origin-request', LambdaFunctionARN: { Ref: 'FnVersion' } }];
  if (b.originRequestHeaders) {
    resources.Orp = {
      Type: 'AWS::CloudFront::OriginRequestPolicy',
      Properties: { OriginRequestPolicyConfig: { HeadersConfig: { HeaderBehavior: 'whitelist', Headers: b.originRequestHeaders } } },
    };
    behavior.OriginRequestPolicyId = { Ref: 'Orp' };
  }
  if (b.functionCode) {
    resources.ViewerFn = {
      Type: 'AWS::CloudFront::Function',
      Properties: { FunctionCode: b.functionCode, FunctionConfig: { Runtime: 'cloudfront-js-2.0' } },
    };
    behavior.FunctionAssociations = [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['ViewerFn', 'FunctionARN'] } }];
  }
  resources.Dist = {
    Type: 'AWS::CloudFront::Distribution',
    Properties: { DistributionConfig: { Aliases: aliases, Enabled: true, DefaultCacheBehavior: behavior } },
  };
  return new Map([['Stack.template.json', { Resources: resources }]]);
}

/** Function runs of `requests` played in order through `templates`. */
function runs(templates: Map<string, Template>, requests: Partial<ViewerRequest>[]): number {
  const model = new CacheModel(distributionsOf(templates));
  return requests.reduce(
    (n, r) => n + (model.play({ host: 'po.co', uri: '/', querystring: '', country: '', ...r }) as PlayResult).lambdaRuns,
    0,
  );
}

describe('the cache model, on template fragments', () => {
  test('query strings in the key: each query is a miss; out of it, one run', () => {
    const reqs = [{ querystring: 'fbclid=1' }, { querystring: 'fbclid=2' }, { querystring: '' }, { querystring: 'fbclid=1' }];
    expect(runs(singleStack(['po.co'], { headers: ['host'], query: 'all' }), reqs)).toBe(3);
    expect(runs(singleStack(['po.co'], { headers: ['host'], query: 'none' }), reqs)).toBe(1);
    expect(
      runs(singleStack(['po.co'], { headers: ['host'], query: { whitelist: ['page'] } }), [...reqs, { querystring: 'page=2&fbclid=9' }]),
    ).toBe(2);
    expect(
      runs(singleStack(['po.co'], { headers: ['host'], query: { allExcept: ['fbclid'] } }), [...reqs, { querystring: 'page=2&fbclid=9' }]),
    ).toBe(2);
  });

  test('the country header in the key: one run per country; out of it, one', () => {
    const reqs = [{ country: 'GB' }, { country: 'FR' }, { country: 'GB' }, { country: '' }];
    expect(runs(singleStack(['po.co'], { headers: ['host', 'CloudFront-Viewer-Country'] }), reqs)).toBe(3);
    expect(runs(singleStack(['po.co'], { headers: ['host'] }), reqs)).toBe(1);
  });

  test('Host in the key: one run per name; out of it, one per distribution', () => {
    const reqs = [{ host: 'po.co' }, { host: 'www.po.co' }];
    expect(runs(singleStack(['po.co', 'www.po.co'], { headers: ['host'] }), reqs)).toBe(2);
    expect(runs(singleStack(['po.co', 'www.po.co'], {}), reqs)).toBe(1);
  });

  const COUNTRY_KEY = `function handler(event) {
  var r = event.request;
  var c = r.headers['cloudfront-viewer-country'];
  delete r.headers['x-key'];
  if (r.uri.indexOf('/product/') === 0) r.headers['x-key'] = { value: c ? c.value : '-' };
  return r;
}`;

  test('a viewer-request function that sets a header in the key is run, and sees the country only when a policy forwards it', () => {
    const reqs = ['GB', 'FR', 'DE'].flatMap((country) => [
      { uri: '/product/x', country },
      { uri: '/uk/', country },
    ]);
    // The country reaches the function through the origin request policy; the key holds the function's header.
    expect(
      runs(
        singleStack(['po.co'], {
          headers: ['host', 'x-key'],
          originRequestHeaders: ['cloudfront-viewer-country'],
          functionCode: COUNTRY_KEY,
        }),
        reqs,
      ),
    ).toBe(4);
    // No policy forwards the country: the function sees none, and every country shares one key.
    expect(runs(singleStack(['po.co'], { headers: ['host', 'x-key'], functionCode: COUNTRY_KEY }), reqs)).toBe(2);
    // A visitor's own x-key is not what keys the cache: the function replaced it.
    const model = new CacheModel(
      distributionsOf(
        singleStack(['po.co'], {
          headers: ['host', 'x-key'],
          originRequestHeaders: ['cloudfront-viewer-country'],
          functionCode: COUNTRY_KEY,
        }),
      ),
    );
    const played = model.play({ host: 'po.co', uri: '/product/x', querystring: '', country: 'GB' }) as PlayResult;
    expect(played.key).toContain('x-key:GB');
    expect(played.cloudFrontFunctionRuns).toBe(1);
  });

  test('a function reading a key value store gets the data its import source names in the cloud assembly, and its reads are counted', async () => {
    const dir = tmpDir('poco-kvs-model-');
    const hash = 'c'.repeat(64);
    fs.writeFileSync(path.join(dir, `asset.${hash}.json`), keyValueStoreFile(new Map([['po.co/product/x', 'GB']])));
    const code = `import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  var r = event.request;
  var c = r.headers['cloudfront-viewer-country'];
  var key = c ? c.value : '-';
  try { if ((await kvs.get(r.headers.host.value + r.uri)).split(' ').indexOf(key) < 0) key = '-'; } catch (e) {}
  r.headers['x-key'] = { value: key };
  return r;
}`;
    const t = singleStack(['po.co'], {
      headers: ['host', 'x-key'],
      originRequestHeaders: ['cloudfront-viewer-country'],
      functionCode: code,
    });
    const resources = t.get('Stack.template.json')!.Resources;
    resources.Store = {
      Type: 'AWS::CloudFront::KeyValueStore',
      Properties: { Name: 'store', ImportSource: { SourceType: 'S3', SourceArn: `arn:aws:s3:::assets/${hash}.json` } },
    };
    resources.ViewerFn.Properties.FunctionConfig.KeyValueStoreAssociations = [{ KeyValueStoreARN: { 'Fn::GetAtt': ['Store', 'Arn'] } }];
    const model = new CacheModel(distributionsOf(t, dir));
    const keys: (string | undefined)[] = [];
    for (const country of ['GB', 'FR', 'DE'])
      keys.push((await model.play({ host: 'po.co', uri: '/product/x', querystring: '', country })).key);
    // GB gets its own answer there; FR and DE share the key "-".
    expect(keys.map((k) => k?.split('\n').find((l) => l.startsWith('x-key:')))).toEqual(['x-key:GB', 'x-key:-', 'x-key:-']);
    expect(model.keyValueStoreReads).toBe(3);
    expect(() => distributionsOf(t)).toThrow(
      "cache model: Stack.template.json#Dist: the data of key value store Store cannot be read without its cloud assembly's folder",
    );
  });

  test('each distribution runs its function in a context of its own', () => {
    const counter =
      'var n = 0; function handler(event) { n++; event.request.headers["x-n"] = { value: String(n) }; return event.request; }';
    const t = singleStack(['po.co'], { headers: ['x-n'], functionCode: counter });
    const model = new CacheModel(distributionsOf(t));
    const again = new CacheModel(distributionsOf(t));
    expect((model.play({ host: 'po.co', uri: '/', querystring: '', country: '' }) as PlayResult).key).toContain('x-n:1');
    expect((model.play({ host: 'po.co', uri: '/', querystring: '', country: '' }) as PlayResult).key).toContain('x-n:2');
    expect((again.play({ host: 'po.co', uri: '/', querystring: '', country: '' }) as PlayResult).key).toContain('x-n:1');
  });

  test('a response from the viewer-request function never reaches the origin-request function', () => {
    const redirect = 'function handler(event) { return { statusCode: 301, headers: { location: { value: "https://www.mi.com/" } } }; }';
    expect(runs(singleStack(['po.co'], { headers: ['host'], functionCode: redirect }), [{}, { uri: '/a' }])).toBe(0);
  });

  test('an async viewer-request function (cloudfront-js-2.0) is awaited, and the URI it rewrites is the one keyed', async () => {
    const code = 'async function handler(event) { event.request.uri = event.request.uri.toLowerCase(); return event.request; }';
    const model = new CacheModel(distributionsOf(singleStack(['po.co'], { functionCode: code })));
    const results: PlayResult[] = [];
    for (const uri of ['/a', '/A', '/b']) results.push(await model.play({ host: 'po.co', uri, querystring: '', country: '' }));
    expect(results.map((r) => r.lambdaRuns)).toEqual([1, 0, 1]);
  });

  test('no origin-request function, no runs; a policy that caches nothing, a run per request', () => {
    expect(runs(singleStack(['po.co'], { headers: ['host'], lambda: false }), [{}, { uri: '/a' }])).toBe(0);
    expect(runs(singleStack(['po.co'], { headers: ['host'], maxTtl: 0 }), [{}, {}, {}])).toBe(3);
  });

  test('a wildcard alias matches one label; an exact alias wins over it; deeper names are refused', () => {
    expect(aliasMatches('*.po.co', 'shop.po.co')).toBe(true);
    expect(aliasMatches('*.po.co', 'a.b.po.co')).toBe(false);
    expect(aliasMatches('*.po.co', 'po.co')).toBe(false);
    expect(aliasMatches('*.po.co', 'shop.po.co.evil')).toBe(false);
    const t = new Map([
      ['A.template.json', singleStack(['*.po.co'], { headers: ['host'] }).get('Stack.template.json')!],
      ['B.template.json', singleStack(['uk.po.co'], { headers: ['host'] }).get('Stack.template.json')!],
    ]);
    const model = new CacheModel(distributionsOf(t));
    expect(model.route('Shop.po.co')?.id).toBe('A.template.json#Dist');
    expect(model.route('uk.po.co')?.id).toBe('B.template.json#Dist');
    expect(model.route('a.b.po.co')).toBeUndefined();
    expect((model.play({ host: 'a.b.po.co', uri: '/', querystring: '', country: '' }) as PlayResult).distribution).toBeUndefined();
    // Each name under the wildcard is its own key when Host is in it.
    expect(runs(t, [{ host: 'a.po.co' }, { host: 'b.po.co' }, { host: 'a.po.co' }])).toBe(2);
  });

  test('policies and functions in the parent stack reach a nested stack through its parameters', () => {
    const parent = singleStack([], {
      headers: ['host', 'x-key'],
      originRequestHeaders: ['cloudfront-viewer-country'],
      functionCode: COUNTRY_KEY,
    }).get('Stack.template.json')!;
    delete parent.Resources.Dist;
    parent.Resources.Site = {
      Type: 'AWS::CloudFormation::Stack',
      Metadata: { 'aws:asset:path': 'Site.nested.template.json' },
      Properties: {
        Parameters: {
          PolicyParam: { Ref: 'Policy' },
          OrpParam: { Ref: 'Orp' },
          FnParam: { 'Fn::GetAtt': ['ViewerFn', 'FunctionARN'] },
          VersionParam: { Ref: 'FnVersion' },
        },
      },
    };
    const nested: Template = {
      Parameters: {
        PolicyParam: { Type: 'String' },
        OrpParam: { Type: 'String' },
        FnParam: { Type: 'String' },
        VersionParam: { Type: 'String' },
      },
      Resources: {
        Dist: {
          Type: 'AWS::CloudFront::Distribution',
          Properties: {
            DistributionConfig: {
              Aliases: ['po.co'],
              DefaultCacheBehavior: {
                CachePolicyId: { Ref: 'PolicyParam' },
                OriginRequestPolicyId: { Ref: 'OrpParam' },
                FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { Ref: 'FnParam' } }],
                LambdaFunctionAssociations: [{ EventType: 'origin-request', LambdaFunctionARN: { Ref: 'VersionParam' } }],
              },
            },
          },
        },
      },
    };
    const t = new Map([
      ['Parent.template.json', parent],
      ['Site.nested.template.json', nested],
    ]);
    const [d] = distributionsOf(t);
    expect(d.aliases).toEqual(['po.co']);
    expect(d.behaviors[0].cacheKey.headers.names).toEqual(['host', 'x-key']);
    expect([...d.behaviors[0].forwardedHeaders].sort()).toEqual(['cloudfront-viewer-country', 'host', 'x-key']);
    expect(d.behaviors[0].viewerRequestFunction?.name).toBe('ViewerFn');
    expect(
      runs(t, [
        { uri: '/product/x', country: 'GB' },
        { uri: '/product/x', country: 'FR' },
        { uri: '/uk/', country: 'GB' },
        { uri: '/uk/', country: 'FR' },
      ]),
    ).toBe(3);
  });

  test('a cache behavior with a path pattern comes before the default', () => {
    const t = singleStack(['po.co'], { headers: ['host'], query: 'none' });
    const stack = t.get('Stack.template.json')!;
    stack.Resources.AllQuery = cachePolicy({ headers: ['host'], query: 'all' });
    stack.Resources.Dist.Properties.DistributionConfig.CacheBehaviors = [
      {
        PathPattern: '/search*',
        CachePolicyId: { Ref: 'AllQuery' },
        LambdaFunctionAssociations: [{ EventType: 'origin-request', LambdaFunctionARN: 'arn' }],
      },
    ];
    expect(
      runs(t, [
        { uri: '/search', querystring: 'q=1' },
        { uri: '/search', querystring: 'q=2' },
        { uri: '/x', querystring: 'q=1' },
        { uri: '/x', querystring: 'q=2' },
      ]),
    ).toBe(3);
  });
});

describe('the floor', () => {
  const engine = new RedirectEngine(config.tables);
  const req = (host: string, uri: string, country: string): TrafficRequest => ({ host, uri, querystring: '', country });

  test('the country counts only where it changes the answer (GB and PH have their own store for the product, the US gets the default region); slashes fold, the frozen site needs no run', () => {
    const { strict, perVisitor } = floorKeys(engine, [
      req('po.co', '/product/poco-f7', 'GB'),
      req('po.co', '/product/poco-f7', 'PH'),
      req('po.co', '/product/poco-f7', 'US'),
      req('po.co', '/product/poco-f7', ''),
      req('po.co', '/uk/', 'FR'),
      req('po.co', '/uk', 'GB'),
      req('in.po.co', '/', 'IN'),
    ]);
    expect(strict).toEqual([
      'po.co/product/poco-f7 GB',
      'po.co/product/poco-f7 PH',
      'po.co/product/poco-f7',
      'po.co/product/poco-f7',
      'po.co/uk',
      'po.co/uk',
      undefined,
    ]);
    // The looser floor keeps every country of a per-visitor answer, US too.
    expect(perVisitor[2]).toBe('po.co/product/poco-f7 US');
  });

  test('played through a model, runs and floor per distribution', async () => {
    const traffic = [
      req('po.co', '/product/poco-f7', 'GB'),
      req('po.co', '/product/poco-f7', 'FR'),
      req('po.co', '/uk/', 'GB'),
      req('po.co', '/uk/', 'FR'),
      req('nowhere.example', '/', ''),
    ];
    const withCountry = await playModel(
      't',
      singleStack(['po.co'], { headers: ['host', 'cloudfront-viewer-country'] }),
      traffic,
      floorKeys(engine, traffic),
    );
    expect({ runs: withCountry.functionRuns, floor: withCountry.floor, unrouted: withCountry.unrouted, ratio: withCountry.ratio }).toEqual({
      runs: 4,
      floor: 3,
      unrouted: 1,
      ratio: 4 / 3,
    });
    expect(withCountry.runsPer1000).toBe(800);
  });

  test('an async viewer-request function, whose promise is of its own context, is played like any other', async () => {
    const engine = new RedirectEngine(config.tables);
    const traffic: TrafficRequest[] = [
      { host: 'po.co', uri: '/uk/', querystring: '', country: 'GB' },
      { host: 'po.co', uri: '/UK/', querystring: '', country: 'FR' },
      { host: 'po.co', uri: '/de/', querystring: '', country: 'FR' },
    ];
    const code = 'async function handler(event) { event.request.uri = event.request.uri.toLowerCase(); return event.request; }';
    const played = await playModel(
      't',
      singleStack(['po.co'], { headers: ['host'], functionCode: code }),
      traffic,
      floorKeys(engine, traffic),
    );
    expect({ runs: played.functionRuns, unrouted: played.unrouted, cloudFrontFunctionRuns: played.cloudFrontFunctionRuns }).toEqual({
      runs: 2,
      unrouted: 0,
      cloudFrontFunctionRuns: 3,
    });
  });
});
