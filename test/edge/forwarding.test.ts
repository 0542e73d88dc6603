/**
 * What each redirect behavior does with a request, read from the synthesized
 * templates (cache and origin request policies, the CloudFront Functions'
 * code as deployed) and run as CloudFront runs it (lib/edge/pipeline.ts):
 * every answer a visitor gets equals the engine's on the full request, and no
 * cache key ever maps to two different answers, for every hostname × path
 * shape × country × query variant.
 */
import type { CloudFrontResultResponse } from 'aws-lambda';
import { RedirectEngine } from '../../lambda/engine';
import { createHandler } from '../../lambda/handler';
import { Forwarding, forwardingFromPolicies, redirectForwarding } from '../../lib/edge/cloudfront-event';
import { countrySplits, readKeyValueStoreAsset } from '../../lib/edge/country-splits';
import { countryKeyFunctionCode, countryKeys } from '../../lib/edge/viewer-functions';
import { cacheKey, loadViewerFunction, originAnswer, RedirectBehaviorModel, ViewerFunction, viewerAnswer } from '../../lib/edge/pipeline';
import { only, synthDeployment } from '../support/deployment';

const deployed = synthDeployment();
const { tables, entries, sites } = deployed.config;
const engine = new RedirectEngine(tables);
const handler = createHandler(tables, { log: () => undefined });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The parent-stack resource a nested site stack's parameter stands for. */
function parentResource(siteName: string, ref: Json): Json {
  const param = (ref as { Ref: string }).Ref;
  const siteTemplate = deployed.sites.get(siteName)!.toJSON();
  expect(siteTemplate.Parameters[param]).toBeDefined();
  const parentTemplate = deployed.parent.toJSON();
  const nested = deployed.stack.siteStacks.get(siteName)!;
  const value = parentTemplate.Resources[deployed.stack.getLogicalId(nested.nestedStackResource!)].Properties.Parameters[param] as Json;
  const id = (value.Ref ?? value['Fn::GetAtt'][0]) as string;
  return parentTemplate.Resources[id];
}

/** The data of the key value store a function of the stage's stack reads, from the cloud assembly's assets; undefined when it reads none. */
function keyValueStoreOf(fn: Json): ReadonlyMap<string, string> | undefined {
  const association = (fn.Properties.FunctionConfig.KeyValueStoreAssociations ?? [])[0] as Json | undefined;
  if (association === undefined) return undefined;
  const store = deployed.parent.toJSON().Resources[association.KeyValueStoreARN['Fn::GetAtt'][0]] as Json;
  expect(store.Type).toBe('AWS::CloudFront::KeyValueStore');
  return readKeyValueStoreAsset(deployed.app.outdir, store.Properties.ImportSource.SourceArn);
}

/** A site's redirect behavior, from the templates: policies, functions, and the handler around the compiled tables. */
function behaviorOf(siteName: string, overrides: Partial<RedirectBehaviorModel> = {}): RedirectBehaviorModel {
  const behavior = only(deployed.sites.get(siteName)!, 'AWS::CloudFront::Distribution').Properties.DistributionConfig
    .DefaultCacheBehavior as Json;
  const cache = parentResource(siteName, behavior.CachePolicyId);
  expect(cache.Type).toBe('AWS::CloudFront::CachePolicy');
  const key = cache.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin;
  const orp = behavior.OriginRequestPolicyId ? parentResource(siteName, behavior.OriginRequestPolicyId) : undefined;
  const load = (event: string): ViewerFunction | undefined => {
    const association = ((behavior.FunctionAssociations ?? []) as Json[]).find((a) => a.EventType === event);
    if (!association) return undefined;
    const fn = parentResource(siteName, association.FunctionARN);
    expect([fn.Type, fn.Properties.FunctionConfig.Runtime]).toEqual(['AWS::CloudFront::Function', 'cloudfront-js-2.0']);
    return loadViewerFunction(fn.Properties.FunctionCode as string, event, keyValueStoreOf(fn));
  };
  return {
    viewerRequest: load('viewer-request'),
    viewerResponse: load('viewer-response'),
    cacheKey: forwardingFromPolicies(key),
    forwarding: forwardingFromPolicies(key, orp?.Properties.OriginRequestPolicyConfig),
    handler,
    ...overrides,
  };
}

/** Path shapes: regions in any case, with extra slashes and dot segments, escapes, no region, products, the bulk list's sources. */
const PATHS = [
  '/', '/index.html', '/global/', '/uk/', '/UK/', '//uk//', '/x/../uk/', '/%75k/', '/uk/./', '/uk/..', '/in/', '/in/phones',
  '/product/poco-f6', '/product/poco-f7/specs', '/poco-x7-pro/specs_m', '/uk/product/poco-x6-pro', '/tw/product/poco-c40/buy',
  '/de/support', '/support/warranty', '/fr/community/post/1', '/nope', '/Product/POCO-F6/', '/global', '/globalx/', '/.uk/',
]; // prettier-ignore
const QUERIES = ['', 'utm_source=box&ref=qr', 'fbclid=IwAR0abc', 'a=%zz&b=<x>'];
const COUNTRIES = [undefined, 'GB', 'FR', 'DE', 'IN', 'US', 'BR', 'ID', 'TW'];

const REDIRECT_SITES = sites.sites.filter((s) => s.mode !== 'frozen').map((s) => s.name);
/** A site's hostnames as requested (a wildcard as a name it answers). */
const hostnamesOf = (siteName: string): string[] =>
  sites.sites.find((s) => s.name === siteName)!.hostnames.map((h) => h.replace(/^\*\./, 'any-name.'));

function requestsOf(siteName: string): { host: string; uri: string; querystring: string; country: string | undefined }[] {
  const hostnames = hostnamesOf(siteName);
  const paths = [...PATHS, ...entries.filter((e) => hostnames.includes(e.host)).map((e) => e.path)];
  return hostnames.flatMap((host) =>
    paths.flatMap((uri) => QUERIES.flatMap((querystring) => COUNTRIES.map((country) => ({ host, uri, querystring, country })))),
  );
}

const brief = (r: Json): string =>
  `${r.status} ${r.headers?.location?.[0]?.value ?? ''}${Object.keys(r.headers ?? {})
    .filter((h) => h.startsWith('x-poco'))
    .map((h) => ` ${h}`)
    .join('')}`;

/** Every answer a visitor gets that differs from the engine's on the full request. */
async function mismatches(siteName: string, model: RedirectBehaviorModel): Promise<string[]> {
  const out: string[] = [];
  for (const r of requestsOf(siteName)) {
    const want = engine.decide({ method: 'GET', scheme: 'https', host: r.host, path: r.uri, query: r.querystring, country: r.country });
    const got = (await viewerAnswer(model, r)) as CloudFrontResultResponse;
    const wantText = `${want.status} ${want.location ?? ''}`;
    if (wantText !== brief(got))
      out.push(`https://${r.host}${r.uri}?${r.querystring} [${r.country ?? '-'}]: engine ${wantText}, edge ${brief(got)}`);
  }
  return out;
}

/** Every cache key under which the origin-request function answers two requests differently (what CloudFront would serve one visitor from another's). */
async function sharedKeys(siteName: string, model: RedirectBehaviorModel): Promise<string[]> {
  const seen = new Map<string, { answer: string; request: string }>();
  const out: string[] = [];
  for (const r of requestsOf(siteName)) {
    const key = `${r.host}\n${await cacheKey(model, r)}`;
    const answer = brief((await originAnswer(model, r)) as Json);
    const request = `https://${r.host}${r.uri}?${r.querystring} [${r.country ?? '-'}]`;
    const first = seen.get(key);
    if (!first) seen.set(key, { answer, request });
    else if (first.answer !== answer) out.push(`${request} (${answer}) shares a key with ${first.request} (${first.answer})`);
  }
  return out;
}

describe('what the policies forward and key on', () => {
  test('no query string in any key; the country key only on region-path sites, the viewer country only for their function', () => {
    const summary = (name: string): Json => {
      const m = behaviorOf(name);
      return {
        key: m.cacheKey,
        forwarded: m.forwarding.headers,
        viewerRequest: m.viewerRequest !== undefined,
        viewerResponse: m.viewerResponse !== undefined,
      };
    };
    const regionHost = { key: { headers: ['host'], queryString: false }, forwarded: ['host'], viewerRequest: false, viewerResponse: true };
    expect(Object.fromEntries(REDIRECT_SITES.map((n) => [n, summary(n)]))).toEqual({
      global: {
        key: { headers: ['host', 'x-poco-country'], queryString: false },
        forwarded: ['cloudfront-viewer-country', 'host', 'x-poco-country'],
        viewerRequest: true,
        viewerResponse: true,
      },
      uk: regionHost,
      fr: regionHost,
      de: regionHost,
      community: regionHost,
      other: regionHost,
    });
  });

  test("the preview's country-key function is the deployed one: the same code and the same key value store", () => {
    const behavior = only(deployed.sites.get('global')!, 'AWS::CloudFront::Distribution').Properties.DistributionConfig
      .DefaultCacheBehavior as Json;
    const association = (behavior.FunctionAssociations as Json[]).find((a) => a.EventType === 'viewer-request')!;
    const fn = parentResource('global', association.FunctionARN);
    const keys = countryKeys(tables);
    expect(fn.Properties.FunctionCode).toBe(
      countryKeyFunctionCode(
        tables.regions.map((r) => r.name),
        keys,
        true,
      ),
    );
    expect(keyValueStoreOf(fn)).toEqual(countrySplits(tables, keys));
  });

  test.each(REDIRECT_SITES)('%s: the preview forwards what the template forwards (redirectForwarding)', (name) => {
    const { headers, queryString } = redirectForwarding(sites.sites.find((s) => s.name === name)!.mode);
    expect({ headers: [...headers].sort(), queryString } as Forwarding).toEqual(behaviorOf(name).forwarding);
  });
});

describe('as CloudFront runs it', () => {
  test.each(REDIRECT_SITES)("%s: every answer at the edge equals the engine's on the full request", async (name) => {
    expect(await mismatches(name, behaviorOf(name))).toEqual([]);
  });

  test.each(REDIRECT_SITES)('%s: no cache key maps to two answers', async (name) => {
    expect(await sharedKeys(name, behaviorOf(name))).toEqual([]);
  });

  test('a path that names its region is cached once for every country; one that names none, once per region a country leads to, or fewer where the splits say so', async () => {
    const m = behaviorOf('global');
    const keys = async (uri: string): Promise<number> =>
      new Set(await Promise.all(COUNTRIES.map((country) => cacheKey(m, { host: 'po.co', uri, country })))).size;
    // US and an unknown country share the default region's key, "-".
    const perCountry = COUNTRIES.length - 1;
    // poco-f7 is sold by the uk, id and tw stores (and India's is its frozen site): GB, IN, ID and TW get answers of their own;
    // FR, DE, BR, US and no country get the global store's page, one key. A path the splits do not list keeps every country apart.
    const uris = [
      '/uk/product/poco-f7',
      '/UK/',
      '/product/poco-f7',
      '/product/poco-f7/',
      '/product/poco-f7/reviews',
      '/%75k/',
      '/x/../uk/',
    ];
    expect(await Promise.all(uris.map(keys))).toEqual([1, 1, 5, 5, perCountry, perCountry, perCountry]);
  });

  test('the query string never makes a key: a unique click id is a hit', async () => {
    const m = behaviorOf('global');
    const keys = await Promise.all(QUERIES.map((querystring) => cacheKey(m, { host: 'po.co', uri: '/uk/', querystring })));
    expect(new Set(keys).size).toBe(1);
  });

  test('a visitor cannot choose the country key', async () => {
    const m = behaviorOf('global');
    const forged = { host: 'po.co', uri: '/product/poco-f7', country: 'GB', otherHeaders: { 'x-poco-country': 'TW' } };
    expect(await cacheKey(m, forged)).toBe(await cacheKey(m, { host: 'po.co', uri: '/product/poco-f7', country: 'GB' }));
    expect(brief((await viewerAnswer(m, forged)) as Json)).toBe('302 https://www.mi.com/uk/product/poco-f7/');
  });
});

describe('the checks can fail', () => {
  test("without Host in the key, CloudFront would pass the origin's name and answers break", async () => {
    const m = behaviorOf('uk');
    expect((await mismatches('uk', { ...m, forwarding: { ...m.forwarding, headers: [] } })).length).toBeGreaterThan(10);
  });

  test("without the country key in the cache key, one country's answer would be served to another", async () => {
    const m = behaviorOf('global');
    const shared = await sharedKeys('global', { ...m, cacheKey: { ...m.cacheKey, headers: ['host'] } });
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.some((s) => s.startsWith('https://po.co/product/poco-f6?'))).toBe(true);
  });

  test('without the viewer-request function, country-decided answers break', async () => {
    expect((await mismatches('global', { ...behaviorOf('global'), viewerRequest: undefined })).length).toBeGreaterThan(0);
  });

  test('with splits that send a country as "-" where it gets an answer of its own, its visitors get the global one', async () => {
    const keys = countryKeys(tables);
    const wrongSplits = new Map([...countrySplits(tables, keys), ['po.co/product/poco-f6', '-']]);
    const code = countryKeyFunctionCode(
      tables.regions.map((r) => r.name),
      keys,
      true,
    );
    const wrong = await mismatches('global', {
      ...behaviorOf('global'),
      viewerRequest: loadViewerFunction(code, 'country-key', wrongSplits),
    });
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.every((m) => m.startsWith('https://po.co/product/poco-f6?'))).toBe(true);
    expect(wrong.some((m) => m.includes('[ID]'))).toBe(true);
  });

  test('without the viewer-response function, kept query strings are lost', async () => {
    const wrong = await mismatches('global', { ...behaviorOf('global'), viewerResponse: undefined });
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.every((m) => !m.includes('?]'))).toBe(true);
  });

  test('policies that forward every viewer header are refused, not modelled', () => {
    expect(() => forwardingFromPolicies({ HeadersConfig: { HeaderBehavior: 'allViewer' } })).toThrow(
      'forwardingFromPolicies: header behavior "allViewer" forwards headers this model does not bound; list them instead.',
    );
  });
});
