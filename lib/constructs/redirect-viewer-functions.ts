import { createHash } from 'crypto';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { keyValueStoreFile } from '../edge/country-splits';
import { appendQueryFunctionCode, countryKeyFunctionCode } from '../edge/viewer-functions';

export interface RedirectViewerFunctionsProps {
  /**
   * The configured region names: the country-key function keeps the country
   * out of the cache key for paths whose first segment is one of them.
   * Without any, no country-key function is made.
   * @default none
   */
  readonly regions?: readonly string[];
  /**
   * The country key of each country that has one (`countryKeys` in lib/edge/viewer-functions.ts); any other is `-`.
   * @default none: every country is `-`
   */
  readonly countryKeys?: Readonly<Record<string, string>>;
  /**
   * The country splits (`countrySplits` in lib/edge/country-splits.ts):
   * `host + path` → the country keys that get an answer of their own there.
   * When there are any, they go into a CloudFront key value store that the
   * country-key function reads, so other countries share one cache key.
   * @default none: every country key is kept apart wherever the path names no region
   */
  readonly countrySplits?: ReadonlyMap<string, string>;
}

/**
 * The CloudFront Functions of the redirect behaviors (cloudfront-js-2.0,
 * built from lambda/viewer/ by lib/edge/viewer-functions.ts): `appendQuery` on
 * viewer-response of every redirect site, `countryKey` on viewer-request of
 * region-path sites, with the key value store of the country splits it
 * reads.
 *
 * The store's data is imported when the store is created, and only then
 * (CloudFront imports a file only on creation), so the store's construct id
 * carries a hash of its data: new data is a new store, which the function is
 * moved to in the same deploy, and the old one is deleted after.
 */
export class RedirectViewerFunctions extends Construct {
  readonly appendQuery: cloudfront.Function;
  readonly countryKey?: cloudfront.Function;
  /** The country splits the country-key function reads, when there are any. */
  readonly countrySplits?: cloudfront.KeyValueStore;

  constructor(scope: Construct, id: string, props: RedirectViewerFunctionsProps = {}) {
    super(scope, id);
    this.appendQuery = new cloudfront.Function(this, 'AppendQuery', {
      comment: 'po.co sunset: appends the viewer query string to redirects whose rule keeps it',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(appendQueryFunctionCode()),
    });
    if (props.regions !== undefined && props.regions.length > 0) {
      if (props.countrySplits !== undefined && props.countrySplits.size > 0) {
        const file = keyValueStoreFile(props.countrySplits);
        const hash = createHash('sha256').update(file).digest('hex').slice(0, 12);
        this.countrySplits = new cloudfront.KeyValueStore(this, `CountrySplits${hash}`, {
          comment: 'po.co sunset: the countries each region-less path gives an answer of their own',
          source: cloudfront.ImportSource.fromInline(file),
        });
      }
      this.countryKey = new cloudfront.Function(this, 'CountryKey', {
        comment: 'po.co sunset: the viewer country in the cache key only where the path names no region',
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        code: cloudfront.FunctionCode.fromInline(
          countryKeyFunctionCode(props.regions, props.countryKeys ?? {}, this.countrySplits !== undefined),
        ),
        ...(this.countrySplits !== undefined ? { keyValueStore: this.countrySplits } : {}),
      });
    }
  }
}
