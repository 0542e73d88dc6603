/** RedirectViewerFunctions: the CloudFront Functions of the redirect behaviors. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { RedirectViewerFunctions } from '../../lib/constructs/redirect-viewer-functions';
import { appendQueryFunctionCode, countryKeyFunctionCode, countryKeys } from '../../lib/edge/viewer-functions';
import { CLOUDFRONT_FUNCTION_MAX_BYTES } from '../../lib/edge/limits';
import { countrySplits, readKeyValueStoreAsset } from '../../lib/edge/country-splits';
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

describe('countrySplits: the key value store the country-key function reads', () => {
  const SPLITS = countrySplits(tables, KEYS);

  test('a store importing the splits, associated with the country-key function built to read it', () => {
    const stack = bareStack(EDGE_ENV);
    const functions = new RedirectViewerFunctions(stack, 'ViewerFunctions', { regions: REGIONS, countryKeys: KEYS, countrySplits: SPLITS });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
    const [storeId, store] = Object.entries(template.findResources('AWS::CloudFront::KeyValueStore'))[0];
    expect(store.Properties.Comment).toBe('po.co sunset: the countries each region-less path gives an answer of their own');
    expect(store.Properties.ImportSource.SourceType).toBe('S3');
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: countryKeyFunctionCode(REGIONS, KEYS, true),
      FunctionConfig: {
        Comment: COUNTRY_KEY_COMMENT,
        Runtime: 'cloudfront-js-2.0',
        KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': [storeId, 'Arn'] } }],
      },
    });
    const outdir = (stack.node.root as App).outdir;
    // Without an account the ARN is an Fn::Join of the assets bucket's name; the object key is its literal end.
    const arn = store.Properties.ImportSource.SourceArn['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '')).join('');
    expect(readKeyValueStoreAsset(outdir, arn)).toEqual(SPLITS);
    expect(functions.countrySplits?.node.id).toMatch(/^CountrySplits[0-9a-f]{12}$/);
  });

  test("the store's id carries its data's hash: new data is a new store (CloudFront imports data only when a store is created)", () => {
    const idOf = (splits: ReadonlyMap<string, string>): string | undefined =>
      new RedirectViewerFunctions(bareStack(EDGE_ENV), 'ViewerFunctions', { regions: REGIONS, countryKeys: KEYS, countrySplits: splits })
        .countrySplits?.node.id;
    const changed = new Map([...SPLITS, ['po.co/product/poco-new', 'GB']]);
    expect(idOf(SPLITS)).toBe(idOf(new Map([...SPLITS].reverse())));
    expect(idOf(changed)).not.toBe(idOf(SPLITS));
  });

  test('no splits, or none to store: no store, and the function reads none', () => {
    for (const countrySplits of [undefined, new Map<string, string>()]) {
      const stack = bareStack(EDGE_ENV);
      const functions = new RedirectViewerFunctions(stack, 'ViewerFunctions', { regions: REGIONS, countryKeys: KEYS, countrySplits });
      expect(functions.countrySplits).toBeUndefined();
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CloudFront::KeyValueStore', 0);
      template.hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: countryKeyFunctionCode(REGIONS, KEYS) });
    }
  });
});
