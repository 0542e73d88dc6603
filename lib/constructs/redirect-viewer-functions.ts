import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
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
}

/**
 * The CloudFront Functions of the redirect behaviors (cloudfront-js-2.0,
 * built from lambda/viewer/ by lib/edge/viewer-functions.ts): `appendQuery` on
 * viewer-response of every redirect site, `countryKey` on viewer-request of
 * region-path sites.
 */
export class RedirectViewerFunctions extends Construct {
  readonly appendQuery: cloudfront.Function;
  readonly countryKey?: cloudfront.Function;

  constructor(scope: Construct, id: string, props: RedirectViewerFunctionsProps = {}) {
    super(scope, id);
    this.appendQuery = new cloudfront.Function(this, 'AppendQuery', {
      comment: 'po.co sunset: appends the viewer query string to redirects whose rule keeps it',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(appendQueryFunctionCode()),
    });
    if (props.regions !== undefined && props.regions.length > 0) {
      this.countryKey = new cloudfront.Function(this, 'CountryKey', {
        comment: 'po.co sunset: the viewer country in the cache key only where the path names no region',
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        code: cloudfront.FunctionCode.fromInline(countryKeyFunctionCode(props.regions, props.countryKeys ?? {})),
      });
    }
  }
}
