/** RedirectCachePolicy: the cache key of the redirect behaviors is exactly what the decision reads. */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RedirectCachePolicy, RedirectCachePolicyProps } from '../../lib/constructs/redirect-cache-policy';
import { bareStack, EDGE_ENV } from '../support/bare-stack';

/** The CachePolicyConfig of one policy made with `props`. */
function policyConfig(props: RedirectCachePolicyProps): Record<string, unknown> {
  const stack = bareStack(EDGE_ENV);
  new RedirectCachePolicy(stack, 'Policy', props);
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::CloudFront::CachePolicy', 1);
  return Object.values(template.findResources('AWS::CloudFront::CachePolicy'))[0].Properties.CachePolicyConfig;
}

test('a region-host site: the key is the URI and Host; no query string, cookies or encodings; TTLs 5 min, 1 day, 365 days by default', () => {
  expect(policyConfig({ mode: 'region-host' })).toEqual({
    Name: expect.any(String),
    Comment: 'po.co sunset redirects: key = URI, host',
    MinTTL: 300,
    DefaultTTL: 86400,
    MaxTTL: 31536000,
    ParametersInCacheKeyAndForwardedToOrigin: {
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['host'] },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
      EnableAcceptEncodingGzip: false,
      EnableAcceptEncodingBrotli: false,
    },
  });
});

test("a region-path site: the viewer-request function's country key joins the key", () => {
  const config = policyConfig({ mode: 'region-path' }) as {
    Comment: string;
    ParametersInCacheKeyAndForwardedToOrigin: { HeadersConfig: unknown };
  };
  expect(config.Comment).toBe('po.co sunset redirects: key = URI, host, x-poco-country');
  expect(config.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig).toEqual({
    HeaderBehavior: 'whitelist',
    Headers: ['host', 'x-poco-country'],
  });
});

test('minTtl', () => {
  expect(policyConfig({ mode: 'region-host', minTtl: Duration.seconds(1) })).toMatchObject({
    MinTTL: 1,
    DefaultTTL: 86400,
    MaxTTL: 31536000,
  });
});

test('defaultTtl', () => {
  expect(policyConfig({ mode: 'region-host', defaultTtl: Duration.hours(2) })).toMatchObject({
    MinTTL: 300,
    DefaultTTL: 7200,
    MaxTTL: 31536000,
  });
});

test('maxTtl', () => {
  expect(policyConfig({ mode: 'region-host', maxTtl: Duration.days(30) })).toMatchObject({
    MinTTL: 300,
    DefaultTTL: 86400,
    MaxTTL: 2592000,
  });
});

test('throws on a minTtl of 0, which would not cache per-country redirects', () => {
  expect(() => new RedirectCachePolicy(bareStack(EDGE_ENV), 'P', { mode: 'region-path', minTtl: Duration.seconds(0) })).toThrow(
    'RedirectCachePolicy S/P: minTtl must be above 0, or CloudFront would not cache per-country redirects (they say "private, no-store"). Fix: give minTtl of 1 second or more.',
  );
});
