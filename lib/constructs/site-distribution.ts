import { Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface SiteDistributionProps {
  /** The distribution's comment; the operator tools find the distribution by it (lib/config/naming.ts). */
  readonly comment: string;
  /** The aliases; sorted, so reordering them in config changes nothing. */
  readonly hostnames: readonly string[];
  /** Covers every hostname; in us-east-1. */
  readonly certificate: acm.ICertificate;
  /** Where the one behavior sends cache misses. */
  readonly origin: cloudfront.IOrigin;
  /** Cache key (and, with it, what reaches the origin request). */
  readonly cachePolicy: cloudfront.ICachePolicy;
  /**
   * What else reaches the origin request (and CloudFront Functions), outside the cache key.
   * @default none
   */
  readonly originRequestPolicy?: cloudfront.IOriginRequestPolicy;
  /**
   * Lambda@Edge associations of the behavior.
   * @default none
   */
  readonly edgeLambdas?: cloudfront.EdgeLambda[];
  /**
   * Headers added to every response.
   * @default none
   */
  readonly responseHeadersPolicy?: cloudfront.IResponseHeadersPolicy;
  /**
   * Whether CloudFront compresses responses.
   * @default false
   */
  readonly compress?: boolean;
  /**
   * Object served for the root URL.
   * @default none
   */
  readonly defaultRootObject?: string;
  /**
   * Which edge locations serve the site.
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
  /** Bucket of the standard access logs (ACLs enabled). */
  readonly logBucket: s3.IBucket;
  /** Key prefix of this site's log files. */
  readonly logPrefix: string;

  /**
   * CloudFront Functions of the behavior (the redirect sites' viewer
   * functions; the frozen site's folder index, FrozenSnapshot).
   * @default none
   */
  readonly functionAssociations?: cloudfront.FunctionAssociation[];
  /**
   * What CloudFront answers for the origin's error statuses (the frozen
   * site: S3's 403 for a missing page becomes 404 with /404.html).
   * @default the origin's answers as they are
   */
  readonly errorResponses?: cloudfront.ErrorResponse[];
}

/**
 * One site's CloudFront distribution, with what every site shares: its
 * hostnames as aliases (SNI, TLS 1.2_2021 or later), HTTP redirected to
 * HTTPS, HTTP/2 and HTTP/3, IPv6, GET and HEAD only, standard access logs.
 */
export class SiteDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: SiteDistributionProps) {
    super(scope, id);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.comment,
      domainNames: [...props.hostnames].sort(),
      certificate: props.certificate,
      sslSupportMethod: cloudfront.SSLMethod.SNI,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      defaultRootObject: props.defaultRootObject,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: props.logPrefix,
      logIncludesCookies: false,
      errorResponses: props.errorResponses,
      defaultBehavior: {
        origin: props.origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy: props.cachePolicy,
        originRequestPolicy: props.originRequestPolicy,
        edgeLambdas: props.edgeLambdas,
        functionAssociations: props.functionAssociations,
        responseHeadersPolicy: props.responseHeadersPolicy,
        compress: props.compress ?? false,
      },
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'The sites exist to send every old link, from any country, to the right store; a geo restriction would strand exactly the visitors this project keeps. Country only selects the store.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distributions accept only GET and HEAD and answer with redirects generated from a fixed table, or with a static snapshot; there is no form, login, API or origin application for a WAF rule to protect. Floods are absorbed by CloudFront and AWS Shield Standard, and repeated URLs are served from cache.',
    });
  }
}
