/** ViewerCountryPolicy: the viewer's country reaches the viewer-request function, outside the cache key. */
import { Template } from 'aws-cdk-lib/assertions';
import { ViewerCountryPolicy } from '../../lib/constructs/viewer-country-policy';
import { bareStack, EDGE_ENV } from '../support/bare-stack';

test('a region-path site: CloudFront-Viewer-Country only; no query string, no cookies', () => {
  const stack = bareStack(EDGE_ENV);
  new ViewerCountryPolicy(stack, 'Policy', { mode: 'region-path' });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::CloudFront::OriginRequestPolicy', 1);
  template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
    OriginRequestPolicyConfig: {
      Comment: 'po.co sunset redirects: cloudfront-viewer-country for the viewer-request function',
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['cloudfront-viewer-country'] },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
    },
  });
});

test.each(['region-host', 'frozen'] as const)('throws for a %s site, whose decisions never read the country', (mode) => {
  expect(() => new ViewerCountryPolicy(bareStack(EDGE_ENV), 'Policy', { mode })).toThrow(
    `ViewerCountryPolicy S/Policy: a ${mode} site's decisions never read the country. Fix: use the policy on region-path sites only.`,
  );
});
