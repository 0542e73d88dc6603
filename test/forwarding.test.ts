/**
 * The event the redirect function receives carries every field it reads,
 * shown from the synthesized templates: each redirect distribution's cache
 * (and origin request) policy decides what CloudFront forwards, and the
 * handler, given an event built from exactly that, must decide as the engine
 * does with the full viewer request.
 */
import type { CloudFrontResultResponse } from 'aws-lambda';
import { RedirectEngine } from '../lambda/engine';
import { createHandler } from '../lambda/handler';
import { Forwarding, forwardingFromPolicies, originRequestEvent, redirectForwarding } from '../lib/cloudfront-event';
import { only, synthDeployment } from './support/deployment';

const deployed = synthDeployment();
const { tables, entries, sites } = deployed.config;
const engine = new RedirectEngine(tables);
const handler = createHandler(tables, { log: () => undefined });

/** The forwarding of a site's distribution, resolved through the nested stack's parameters to the parent's policies. */
function forwardingOf(siteName: string): Forwarding {
  const siteTemplate = deployed.sites.get(siteName)!.toJSON();
  const parentTemplate = deployed.parent.toJSON();
  const behavior = only(deployed.sites.get(siteName)!, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.DefaultCacheBehavior;
  const nested = deployed.stack.siteStacks.get(siteName)!;
  const nestedResource = parentTemplate.Resources[deployed.stack.getLogicalId(nested.nestedStackResource!)];
  const resolve = (ref: unknown, type: string): Record<string, unknown> | undefined => {
    if (ref === undefined) return undefined;
    const param = (ref as { Ref: string }).Ref;
    expect(siteTemplate.Parameters[param]).toBeDefined();
    const target = nestedResource.Properties.Parameters[param].Ref as string;
    const resource = parentTemplate.Resources[target];
    expect(resource.Type).toBe(type);
    return resource.Properties;
  };
  const cache = resolve(behavior.CachePolicyId, 'AWS::CloudFront::CachePolicy') as { CachePolicyConfig: { ParametersInCacheKeyAndForwardedToOrigin: never } };
  const orp = resolve(behavior.OriginRequestPolicyId, 'AWS::CloudFront::OriginRequestPolicy') as { OriginRequestPolicyConfig: never } | undefined;
  return forwardingFromPolicies(cache.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin, orp?.OriginRequestPolicyConfig);
}

const PATHS = ['/', '/index.html', '/global/', '/uk/', '/in/', '/in/phones', '/product/poco-f6', '/product/poco-f7/specs', '/poco-x7-pro/specs_m', '/uk/product/poco-x6-pro', '/tw/product/poco-c40/buy', '/de/support', '/support/warranty', '/fr/community/post/1', '/nope', '/Product/POCO-F6/'];
const QUERIES = ['', 'utm_source=box&ref=qr'];
const COUNTRIES = [undefined, 'GB', 'FR', 'DE', 'IN', 'US', 'BR'];

/** Every mismatch between the engine (full request) and the handler (the event CloudFront would build with `forwarding`). */
async function mismatches(siteName: string, forwarding: Forwarding): Promise<string[]> {
  // A wildcard is requested as a name it answers.
  const hostnames = sites.sites.find((s) => s.name === siteName)!.hostnames.map((h) => h.replace(/^\*\./, 'any-name.'));
  const paths = [...PATHS, ...entries.filter((e) => hostnames.includes(e.host)).map((e) => e.path)];
  const out: string[] = [];
  for (const host of hostnames) {
    for (const uri of paths) {
      for (const querystring of QUERIES) {
        for (const country of COUNTRIES) {
          const want = engine.decide({ method: 'GET', scheme: 'https', host, path: uri, query: querystring, country });
          const got = (await handler(originRequestEvent({ host, uri, querystring, country }, forwarding))) as CloudFrontResultResponse;
          const wantText = `${want.status} ${want.location ?? ''}`;
          const gotText = `${got.status} ${got.headers?.location?.[0]?.value ?? ''}`;
          if (wantText !== gotText) out.push(`https://${host}${uri}${querystring ? '?' + querystring : ''} [${country ?? '-'}]: engine ${wantText}, edge ${gotText}`);
        }
      }
    }
  }
  return out;
}

const REDIRECT_SITES = sites.sites.filter((s) => s.mode !== 'frozen').map((s) => s.name);

describe('what the policies forward is what the decision reads', () => {
  test('the template forwards host and the query string everywhere, the country only on region-path sites', () => {
    expect(Object.fromEntries(REDIRECT_SITES.map((n) => [n, forwardingOf(n)]))).toEqual({
      global: { headers: ['cloudfront-viewer-country', 'host'], queryString: true },
      uk: { headers: ['host'], queryString: true },
      fr: { headers: ['host'], queryString: true },
      de: { headers: ['host'], queryString: true },
      community: { headers: ['host'], queryString: true },
      other: { headers: ['host'], queryString: true },
    });
  });

  test.each(REDIRECT_SITES)('%s: the preview server forwards what the template forwards (redirectForwarding)', (name) => {
    const { headers, queryString } = redirectForwarding(sites.sites.find((s) => s.name === name)!.mode);
    expect({ headers: [...headers].sort(), queryString }).toEqual(forwardingOf(name));
  });

  test.each(REDIRECT_SITES)('%s: every decision at the edge equals the engine\'s on the full request', async (name) => {
    expect(await mismatches(name, forwardingOf(name))).toEqual([]);
  });

  test('the check can fail: without Host, CloudFront would pass the origin\'s name and the decisions break', async () => {
    const noHost = { ...forwardingOf('uk'), headers: [] };
    expect((await mismatches('uk', noHost)).length).toBeGreaterThan(10);
  });

  test('the check can fail: without the country header, region-path decisions break', async () => {
    const noCountry = { ...forwardingOf('global'), headers: ['host'] };
    const wrong = await mismatches('global', noCountry);
    expect(wrong.length).toBeGreaterThan(0);
    // Only requests whose country CloudFront knew are affected.
    expect(wrong.filter((m) => m.includes(' [-]: '))).toEqual([]);
  });

  test('the check can fail: without the query string, kept queries are lost', async () => {
    const noQuery = { ...forwardingOf('global'), queryString: false };
    expect((await mismatches('global', noQuery)).length).toBeGreaterThan(0);
  });

  test('policies that forward every viewer header are refused, not modelled', () => {
    expect(() => forwardingFromPolicies({ HeadersConfig: { HeaderBehavior: 'allViewer' } })).toThrow(
      'forwardingFromPolicies: header behavior "allViewer" forwards headers this model does not bound; list them instead.',
    );
  });
});
