import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import type { SiteMode } from '../../lambda/engine';
import { redirectOriginRequestHeaders } from '../edge/cloudfront-event';

export interface ViewerCountryPolicyProps {
  /** The mode of the sites using the policy; only region-path sites need the viewer's country. */
  readonly mode: SiteMode;
}

/**
 * The origin request policy of region-path redirect behaviors: it makes
 * CloudFront add CloudFront-Viewer-Country to the request, so that the
 * viewer-request function can read it and put it into the cache key where
 * the path names no region. It is not in the cache key itself, so it does
 * not fragment the cache.
 */
export class ViewerCountryPolicy extends Construct {
  readonly policy: cloudfront.OriginRequestPolicy;

  constructor(scope: Construct, id: string, props: ViewerCountryPolicyProps) {
    super(scope, id);
    const headers = redirectOriginRequestHeaders(props.mode);
    if (headers.length === 0)
      throw new Error(
        `ViewerCountryPolicy ${this.node.path}: a ${props.mode} site's decisions never read the country. Fix: use the policy on region-path sites only.`,
      );
    this.policy = new cloudfront.OriginRequestPolicy(this, 'Policy', {
      comment: `po.co sunset redirects: ${headers.join(', ')} for the viewer-request function`,
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...headers),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.none(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
  }
}
