import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import type { SiteMode } from '../../lambda/engine';
import { redirectCacheKey } from '../edge/cloudfront-event';

export interface RedirectCachePolicyProps {
  /**
   * The mode of the sites using the policy: on region-path sites the
   * viewer-request function's country key (`x-poco-country`, set only where
   * the path names no region) belongs in the key.
   */
  readonly mode: SiteMode;
  /**
   * Least time CloudFront keeps a generated redirect. Above 0, so that
   * per-country redirects (`Cache-Control: private, no-store`, meant for
   * browsers) are still cached by CloudFront, under their country.
   * @default Duration.minutes(5)
   */
  readonly minTtl?: Duration;
  /**
   * Time a redirect is kept when it has no Cache-Control.
   * @default Duration.days(1)
   */
  readonly defaultTtl?: Duration;
  /**
   * Longest time a redirect is kept; invalidate after the rules change.
   * @default Duration.days(365)
   */
  readonly maxTtl?: Duration;
}

/**
 * The cache policy of the redirect behaviors. Its key is exactly what the
 * decision reads (`redirectCacheKey`, from lambda/handler.ts `DECISION_INPUTS`):
 * the URI (always in the key), the Host header, and on region-path sites the
 * country key, which the viewer-request function sets only where the path
 * names no region. No query string (the viewer-response function appends
 * it where a rule keeps it), no cookies, no other headers, no
 * Accept-Encoding normalisation: nothing else fragments the cache. Values in
 * the key are forwarded to the origin request, so the function sees them, and
 * Host is the viewer's rather than the origin's.
 */
export class RedirectCachePolicy extends Construct {
  readonly policy: cloudfront.CachePolicy;

  constructor(scope: Construct, id: string, props: RedirectCachePolicyProps) {
    super(scope, id);
    const minTtl = props.minTtl ?? Duration.minutes(5);
    if (!minTtl.isUnresolved() && minTtl.toSeconds() <= 0) {
      throw new Error(
        `RedirectCachePolicy ${this.node.path}: minTtl must be above 0, or CloudFront would not cache per-country redirects (they say "private, no-store"). Fix: give minTtl of 1 second or more.`,
      );
    }
    const headers = redirectCacheKey(props.mode);
    this.policy = new cloudfront.CachePolicy(this, 'Policy', {
      comment: `po.co sunset redirects: key = URI, ${headers.join(', ')}`,
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList(...headers),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
      minTtl,
      defaultTtl: props.defaultTtl ?? Duration.days(1),
      maxTtl: props.maxTtl ?? Duration.days(365),
    });
  }
}
