/** SiteDistribution: one site's CloudFront distribution, with what every site shares. */
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SiteDistribution, SiteDistributionProps } from '../../lib/constructs/site-distribution';
import { only } from '../support/deployment';
import { bareStack, EDGE_ENV, nagFindings } from '../support/bare-stack';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';
const VERSION_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:S-redirects:7';

/** The required props, built in `stack`. */
function required(stack: Stack): SiteDistributionProps {
  return {
    comment: 'po.co sunset: S site uk',
    hostnames: ['www.po.co', 'po.co'],
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
    origin: new origins.HttpOrigin('www.mi.com'),
    cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
    logBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'access-logs'),
    logPrefix: 'uk/',
  };
}

/** The DistributionConfig of a distribution with the required props and `props(stack)` over them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation properties, read loosely
function distributionConfig(props: (stack: Stack) => Partial<SiteDistributionProps> = () => ({})): Record<string, any> {
  const stack = bareStack(EDGE_ENV);
  new SiteDistribution(stack, 'Site', { ...required(stack), ...props(stack) });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::CloudFront::Distribution', 1);
  return only(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
}

const defaults = distributionConfig();

test('the comment, and the hostnames as aliases, sorted', () => {
  expect(defaults.Comment).toBe('po.co sunset: S site uk');
  expect(defaults.Aliases).toEqual(['po.co', 'www.po.co']);
});

test('TLS 1.2_2021 or later by SNI with the certificate; HTTP/2 and 3; IPv6', () => {
  expect(defaults.ViewerCertificate).toEqual({
    AcmCertificateArn: CERTIFICATE_ARN,
    MinimumProtocolVersion: 'TLSv1.2_2021',
    SslSupportMethod: 'sni-only',
  });
  expect(defaults.HttpVersion).toBe('http2and3');
  expect(defaults.IPV6Enabled).toBe(true);
});

test('one behavior: HTTP redirected to HTTPS, GET and HEAD, the cache policy, the origin', () => {
  expect(defaults.CacheBehaviors).toBeUndefined();
  expect(defaults.DefaultCacheBehavior).toMatchObject({
    ViewerProtocolPolicy: 'redirect-to-https',
    AllowedMethods: ['GET', 'HEAD'],
    CachedMethods: ['GET', 'HEAD'],
    CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
    TargetOriginId: defaults.Origins[0].Id,
  });
  expect(defaults.Origins).toEqual([expect.objectContaining({ DomainName: 'www.mi.com' })]);
});

test('standard access logs to the bucket under the prefix, without cookies', () => {
  expect(defaults.Logging).toEqual({ Bucket: 'access-logs.s3.us-east-1.amazonaws.com', IncludeCookies: false, Prefix: 'uk/' });
});

test('defaults: price class 100, no compression, no root object, no policies, functions or error responses', () => {
  expect(defaults.PriceClass).toBe('PriceClass_100');
  expect(defaults.DefaultRootObject).toBeUndefined();
  expect(defaults.CustomErrorResponses).toBeUndefined();
  const behavior = defaults.DefaultCacheBehavior;
  expect(behavior.Compress).toBe(false);
  expect(behavior.OriginRequestPolicyId).toBeUndefined();
  expect(behavior.ResponseHeadersPolicyId).toBeUndefined();
  expect(behavior.LambdaFunctionAssociations).toBeUndefined();
  expect(behavior.FunctionAssociations).toBeUndefined();
});

test('priceClass', () => {
  expect(distributionConfig(() => ({ priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL })).PriceClass).toBe('PriceClass_All');
});

test('compress', () => {
  expect(distributionConfig(() => ({ compress: true })).DefaultCacheBehavior.Compress).toBe(true);
});

test('defaultRootObject', () => {
  expect(distributionConfig(() => ({ defaultRootObject: 'index.html' })).DefaultRootObject).toBe('index.html');
});

test('originRequestPolicy', () => {
  const config = distributionConfig(() => ({ originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER }));
  expect(config.DefaultCacheBehavior.OriginRequestPolicyId).toBe('216adef6-5c7f-47e4-b989-5492eafa07d3');
});

test('responseHeadersPolicy', () => {
  const config = distributionConfig(() => ({ responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS }));
  expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toBe('67f7725c-6f97-4210-82d7-5512b31e9d03');
});

test('edgeLambdas', () => {
  const config = distributionConfig((stack) => ({
    edgeLambdas: [
      {
        functionVersion: lambda.Version.fromVersionArn(stack, 'Version', VERSION_ARN),
        eventType: cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST,
        includeBody: false,
      },
    ],
  }));
  expect(config.DefaultCacheBehavior.LambdaFunctionAssociations).toEqual([
    { EventType: 'origin-request', IncludeBody: false, LambdaFunctionARN: VERSION_ARN },
  ]);
});

test('functionAssociations', () => {
  const functionArn = 'arn:aws:cloudfront::111111111111:function/S-AppendQuery';
  const config = distributionConfig((stack) => ({
    functionAssociations: [
      {
        function: cloudfront.Function.fromFunctionAttributes(stack, 'Function', { functionArn, functionName: 'S-AppendQuery' }),
        eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE,
      },
    ],
  }));
  expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-response', FunctionARN: functionArn }]);
});

test('errorResponses', () => {
  const config = distributionConfig(() => ({
    errorResponses: [{ httpStatus: 403, responseHttpStatus: 404, responsePagePath: '/404.html', ttl: Duration.minutes(5) }],
  }));
  expect(config.CustomErrorResponses).toEqual([
    { ErrorCode: 403, ResponseCode: 404, ResponsePagePath: '/404.html', ErrorCachingMinTTL: 300 },
  ]);
});

test('no hostnames: a distribution without aliases, which CDK warns of (SiteStack acknowledges it when every hostname awaits cutover)', () => {
  const stack = bareStack(EDGE_ENV);
  new SiteDistribution(stack, 'Site', { ...required(stack), hostnames: [] });
  expect(only(Template.fromStack(stack), 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Aliases).toEqual([]);
  expect(
    Annotations.fromStack(stack).findWarning('/S/Site/Distribution', Match.stringLikeRegexp('@aws-cdk/aws-cloudfront:emptyDomainNames')),
  ).toHaveLength(1);
});

test('cdk-nag: the geo-restriction and WAF findings are acknowledged, with nothing else found', () => {
  const stack = bareStack(EDGE_ENV);
  new SiteDistribution(stack, 'Site', required(stack));
  expect(nagFindings(stack)).toEqual([]);
});
