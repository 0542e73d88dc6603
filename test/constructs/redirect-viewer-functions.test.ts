/** RedirectViewerFunctions: the CloudFront Functions of the redirect behaviors. */
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { RedirectViewerFunctions } from '../../lib/constructs/redirect-viewer-functions';
import { appendQueryFunctionCode, countryKeyFunctionCode, countryKeys } from '../../lib/edge/viewer-functions';
import { CLOUDFRONT_FUNCTION_MAX_BYTES } from '../../lib/edge/limits';
import { bareStack, EDGE_ENV } from '../support/bare-stack';

const { sites, tables } = loadConfig();
const REGIONS = sites.regions.map((r) => r.name);
const KEYS = countryKeys(tables);

const APPEND_QUERY_COMMENT = 'po.co sunset: appends the viewer query string to redirects whose rule keeps it';
const COUNTRY_KEY_COMMENT = 'po.co sunset: the viewer country in the cache key only where the path names no region';

test('defaults: the viewer-response function that appends the query string, and no country-key function', () => {
  const stack = bareStack(EDGE_ENV);
  const functions = new RedirectViewerFunctions(stack, 'ViewerFunctions');
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::CloudFront::Function', 1);
  template.hasResourceProperties('AWS::CloudFront::Function', {
    AutoPublish: true,
    FunctionCode: appendQueryFunctionCode(),
    FunctionConfig: { Comment: APPEND_QUERY_COMMENT, Runtime: 'cloudfront-js-2.0' },
  });
  expect(functions.countryKey).toBeUndefined();
});

test("regions: the country-key function, built for those regions and the countries' keys", () => {
  const stack = bareStack(EDGE_ENV);
  const functions = new RedirectViewerFunctions(stack, 'ViewerFunctions', { regions: REGIONS, countryKeys: KEYS });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::CloudFront::Function', 2);
  template.hasResourceProperties('AWS::CloudFront::Function', {
    AutoPublish: true,
    FunctionCode: countryKeyFunctionCode(REGIONS, KEYS),
    FunctionConfig: { Comment: COUNTRY_KEY_COMMENT, Runtime: 'cloudfront-js-2.0' },
  });
  expect(functions.countryKey?.node.id).toBe('CountryKey');
  expect(functions.appendQuery.node.id).toBe('AppendQuery');
});

test('regions empty: no country-key function', () => {
  const stack = bareStack(EDGE_ENV);
  const functions = new RedirectViewerFunctions(stack, 'ViewerFunctions', { regions: [], countryKeys: KEYS });
  expect(functions.countryKey).toBeUndefined();
  Template.fromStack(stack).resourceCountIs('AWS::CloudFront::Function', 1);
});

test('countryKeys by default none: every country is `-`', () => {
  expect(Object.keys(KEYS).length).toBeGreaterThan(0);
  const stack = bareStack(EDGE_ENV);
  new RedirectViewerFunctions(stack, 'ViewerFunctions', { regions: REGIONS });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::CloudFront::Function', {
    FunctionCode: countryKeyFunctionCode(REGIONS, {}),
    FunctionConfig: { Comment: COUNTRY_KEY_COMMENT, Runtime: 'cloudfront-js-2.0' },
  });
  expect(countryKeyFunctionCode(REGIONS, {})).not.toBe(countryKeyFunctionCode(REGIONS, KEYS));
});

test("each function is within CloudFront Functions' 10 KB", () => {
  const stack = bareStack(EDGE_ENV);
  new RedirectViewerFunctions(stack, 'ViewerFunctions', { regions: REGIONS, countryKeys: KEYS });
  const code = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::Function')).map(
    (f) => f.Properties.FunctionCode as string,
  );
  expect(code).toHaveLength(2);
  for (const c of code) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(CLOUDFRONT_FUNCTION_MAX_BYTES);
});
