/** The CDK app, assertion by assertion: one requirement of the stack each. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { deflateRawSync } from 'zlib';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DEFAULT_ALARMS } from '../../lib/config/stages';
import { SiteStack } from '../../lib/stacks/site-stack';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { EDGE_BUILD_OPTIONS } from '../../lib/edge/bundle';
import { EDGE_EVENT, EDGE_LIMITS, EDGE_NODE_MAJOR } from '../../lib/edge/limits';
import { frozenIndexCode, NOT_FOUND_PAGE } from '../../lib/edge/frozen-site';
import { loadConfig } from '../../lib/config/load';
import { RedirectCachePolicy } from '../../lib/constructs/redirect-cache-policy';
import { EDGE_RUNTIME, RedirectFunction } from '../../lib/constructs/redirect-function';
import { SiteCertificate } from '../../lib/constructs/site-certificate';
import { DEFAULT_SITE_HOSTNAMES, DEFAULT_SITES_JSON, DEFAULT_STAGES_JSON, configFiles, only, synthDeployment } from '../support/deployment';
import { tmpDir } from '../support/tmp';

const { tables } = loadConfig();
const deployed = synthDeployment();
const { parent } = deployed;
const site = (name: string): Template => deployed.sites.get(name)!;
const REDIRECT_SITES = ['global', 'uk', 'fr', 'de', 'community', 'other'];
const ALL_SITES = [...REDIRECT_SITES, 'in'];
const HOSTNAMES = DEFAULT_SITE_HOSTNAMES as Record<string, string[]>;
/** The default stage's hosted zone of each hostname (placeholders). */
const ZONE_ID = (hostname: string): string =>
  hostname === 'poco.net' || hostname.endsWith('.poco.net') ? 'Z0PLACEHOLDERPOCONET' : 'Z0PLACEHOLDERPOCO';

describe('the stage stack', () => {
  test("one stack per stage in us-east-1 with the stage's account; one nested stack per site, named after it", () => {
    expect(deployed.stack.stackName).toBe('PocoSunset-default');
    expect(deployed.stack.region).toBe('us-east-1');
    expect(deployed.stack.account).toBe('111111111111');
    expect([...deployed.sites.keys()].sort()).toEqual([...ALL_SITES].sort());
    parent.resourceCountIs('AWS::CloudFormation::Stack', ALL_SITES.length);
    for (const name of ALL_SITES) expect(deployed.stack.siteStacks.get(name)!.node.id).toBe(`Site-${name}`);
  });

  test('no hosted zone is created anywhere: zones are imported by id', () => {
    for (const t of [parent, ...deployed.sites.values()]) t.resourceCountIs('AWS::Route53::HostedZone', 0);
  });
});

describe('the redirect function', () => {
  test('respects Lambda@Edge: Node.js 24, x86_64, 128 MB, 5 s, no environment, no layers, a numbered version', () => {
    parent.resourceCountIs('AWS::Lambda::Function', 2); // the redirect function and CDK's log-retention provider
    parent.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'PocoSunset-default-redirects',
      Runtime: 'nodejs24.x',
      Architectures: ['x86_64'],
      MemorySize: 128,
      Timeout: 5,
      Handler: 'index.handler',
      Environment: Match.absent(),
      Layers: Match.absent(),
    });
    parent.resourceCountIs('AWS::Lambda::Version', 1);
  });

  test("its runtime and its bundle's esbuild target come from one number, EDGE_NODE_MAJOR", () => {
    expect(EDGE_NODE_MAJOR).toBe(24);
    expect(EDGE_RUNTIME).toBe(lambda.Runtime.ALL.find((r) => r.name === 'nodejs24.x'));
    expect(EDGE_RUNTIME.name).toBe(lambda.Runtime.NODEJS_24_X.name);
    expect(EDGE_BUILD_OPTIONS.target).toBe('node24');
  });

  test(`its staged package fits the ${EDGE_EVENT} limits, which its association uses`, () => {
    const limits = EDGE_LIMITS[EDGE_EVENT];
    const fn = Object.values(
      parent.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'PocoSunset-default-redirects' } }),
    )[0];
    expect(fn.Properties.Timeout).toBeLessThanOrEqual(limits.maxTimeoutSeconds);
    expect(fn.Properties.MemorySize).toBeLessThanOrEqual(limits.maxMemoryMb);
    const staged = path.join(deployed.app.outdir, fn.Metadata['aws:asset:path']);
    const files = fs.readdirSync(staged);
    expect(files).toEqual(['bulk.bin', 'index.js']);
    const zipped = files.reduce((sum, f) => sum + deflateRawSync(fs.readFileSync(path.join(staged, f))).length, 0);
    expect(zipped).toBeLessThanOrEqual(limits.compressedPackageBytes);
    for (const name of REDIRECT_SITES) {
      const assoc = only(site(name), 'AWS::CloudFront::Distribution').Properties.DistributionConfig.DefaultCacheBehavior
        .LambdaFunctionAssociations;
      expect(assoc).toEqual([
        {
          EventType: EDGE_EVENT,
          IncludeBody: false,
          LambdaFunctionARN: { Ref: expect.stringMatching(/^referencetoPocoSunsetdefaultRedirectsFunctionCurrentVersion/) },
        },
      ]);
    }
  });

  test('function and versions are retained: CloudFront holds replicas for hours after an association goes', () => {
    parent.hasResource('AWS::Lambda::Function', {
      Properties: { FunctionName: 'PocoSunset-default-redirects' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    parent.hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('its role is trusted by Lambda and Lambda@Edge and may only write its own logs', () => {
    const roles = parent.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('redirect function') } });
    const [roleId, role] = Object.entries(roles)[0];
    const trusted = role.Properties.AssumeRolePolicyDocument.Statement.flatMap(
      (s: { Action: string; Principal: { Service: string | string[] } }) => {
        expect(s.Action).toBe('sts:AssumeRole');
        return s.Principal.Service;
      },
    );
    expect(trusted.sort()).toEqual(['edgelambda.amazonaws.com', 'lambda.amazonaws.com']);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(parent.findResources('AWS::IAM::Policy')).filter(
      (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(statements[0].Resource)).toContain(':log-group:/aws/lambda/us-east-1.PocoSunset-default-redirects:*');
  });

  test("its log groups, in every edge region and its own, keep events for the stage's retention", () => {
    const stage = deployed.config.stage;
    const retentions = Object.values(parent.findResources('Custom::LogRetention')).map((r) => [
      r.Properties.LogGroupRegion,
      r.Properties.LogGroupName,
      r.Properties.RetentionInDays,
    ]);
    expect(retentions).toEqual([
      ...[...stage.edgeLogRegions].sort().map((region) => [region, '/aws/lambda/us-east-1.PocoSunset-default-redirects', 30]),
      ['us-east-1', '/aws/lambda/PocoSunset-default-redirects', 30],
    ]);
  });
});

describe('every site', () => {
  test.each(ALL_SITES)('%s: aliases, TLS 1.2_2021 by SNI, HTTPS only, HTTP/2 and 3, IPv6, price class, GET and HEAD', (name) => {
    const config = only(site(name), 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(config.Aliases).toEqual(HOSTNAMES[name]);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: { Ref: expect.stringMatching(/^Certificate/) },
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.HttpVersion).toBe('http2and3');
    expect(config.IPV6Enabled).toBe(true);
    expect(config.PriceClass).toBe('PriceClass_100');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.DefaultCacheBehavior.CachedMethods).toEqual(['GET', 'HEAD']);
    expect(config.CacheBehaviors).toBeUndefined();
  });

  test.each(ALL_SITES)('%s: a certificate for its hostnames, validated by DNS in their zone', (name) => {
    const [first, ...rest] = HOSTNAMES[name];
    site(name).hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: first,
      SubjectAlternativeNames: rest.length ? rest : Match.absent(),
      ValidationMethod: 'DNS',
      DomainValidationOptions: HOSTNAMES[name].map((h) => ({ DomainName: h, HostedZoneId: ZONE_ID(h) })),
    });
  });

  test.each(ALL_SITES)('%s: an A and an AAAA alias record per hostname, in its zone, to the distribution', (name) => {
    const records = Object.values(site(name).findResources('AWS::Route53::RecordSet')).map((r) => r.Properties);
    const distribution = Object.keys(site(name).findResources('AWS::CloudFront::Distribution'))[0];
    expect(records.map((r) => `${r.Type} ${r.Name} ${r.HostedZoneId}`).sort()).toEqual(
      HOSTNAMES[name].flatMap((h) => [`A ${h}. ${ZONE_ID(h)}`, `AAAA ${h}. ${ZONE_ID(h)}`]).sort(),
    );
    for (const r of records)
      expect(r.AliasTarget).toEqual({
        DNSName: { 'Fn::GetAtt': [distribution, 'DomainName'] },
        HostedZoneId: { 'Fn::FindInMap': expect.anything() },
      });
  });

  test.each(ALL_SITES)('%s: standard access logs under its own prefix, no cookies', (name) => {
    const logging = only(site(name), 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Logging;
    expect(logging).toEqual({
      Bucket: { Ref: expect.stringMatching(/^referencetoPocoSunsetdefaultAccessLogsBucket.*RegionalDomainName$/) },
      IncludeCookies: false,
      Prefix: `${name}/`,
    });
  });

  test.each(ALL_SITES)('%s: a 5xx error-rate alarm to the alarm topic', (name) => {
    site(name).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/CloudFront',
      MetricName: '5xxErrorRate',
      Dimensions: Match.arrayWith([{ Name: 'Region', Value: 'Global' }]),
      Statistic: 'Average',
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^referencetoPocoSunsetdefaultAlarmsTopic') }],
    });
  });
});

describe('redirect sites', () => {
  test.each(REDIRECT_SITES)("%s: an alarm on the redirect function's errors", (name) => {
    const alarm = Object.values(site(name).findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.Metrics);
    expect(alarm?.Properties.Threshold).toBe(1);
    expect(
      alarm?.Properties.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map(
        (m: { MetricStat: { Metric: { MetricName: string } } }) => m.MetricStat.Metric.MetricName,
      ),
    ).toEqual(['LambdaExecutionError', 'LambdaValidationError', 'LambdaLimitExceededError']);
  });

  test('the cache key is exactly what the decision reads: host, plus the country key on the region-path site; never the query string', () => {
    const policies = Object.values(parent.findResources('AWS::CloudFront::CachePolicy')).map((p) => p.Properties.CachePolicyConfig);
    expect(policies.map((c) => c.ParametersInCacheKeyAndForwardedToOrigin)).toEqual([
      {
        CookiesConfig: { CookieBehavior: 'none' },
        EnableAcceptEncodingBrotli: false,
        EnableAcceptEncodingGzip: false,
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['host'] },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
      },
      {
        CookiesConfig: { CookieBehavior: 'none' },
        EnableAcceptEncodingBrotli: false,
        EnableAcceptEncodingGzip: false,
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['host', 'x-poco-country'] },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
      },
    ]);
    for (const c of policies) expect(c.MinTTL).toBeGreaterThan(0);
    for (const name of REDIRECT_SITES) {
      const behavior = only(site(name), 'AWS::CloudFront::Distribution').Properties.DistributionConfig.DefaultCacheBehavior;
      expect(behavior.OriginRequestPolicyId === undefined).toBe(name !== 'global');
      expect(behavior.FunctionAssociations.map((a: { EventType: string }) => a.EventType)).toEqual(
        name === 'global' ? ['viewer-request', 'viewer-response'] : ['viewer-response'],
      );
      expect(behavior.Compress).toBe(false);
    }
  });

  test('the viewer country reaches the country-key function through an origin request policy, outside the cache key', () => {
    parent.resourceCountIs('AWS::CloudFront::OriginRequestPolicy', 1);
    parent.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: {
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['cloudfront-viewer-country'] },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
      },
    });
  });

  test('two CloudFront Functions (cloudfront-js-2.0), each within the 10 KB code limit', () => {
    const functions = Object.values(parent.findResources('AWS::CloudFront::Function')).map((f) => f.Properties);
    expect(functions.map((f) => [f.FunctionConfig.Comment, f.FunctionConfig.Runtime]).sort()).toEqual([
      ['po.co sunset: appends the viewer query string to redirects whose rule keeps it', 'cloudfront-js-2.0'],
      ['po.co sunset: the viewer country in the cache key only where the path names no region', 'cloudfront-js-2.0'],
    ]);
    for (const f of functions) expect(Buffer.byteLength(f.FunctionCode)).toBeLessThanOrEqual(10 * 1024);
  });

  test('their origin is a real HTTPS name (CloudFront resolves it before the function runs) that the function never lets CloudFront reach', () => {
    for (const name of REDIRECT_SITES) {
      const [origin] = only(site(name), 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Origins;
      expect(origin).toMatchObject({
        DomainName: 'www.mi.com',
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
      });
    }
  });
});

describe('the frozen site (in.po.co)', () => {
  const frozen = site('in');

  test('a private S3 origin through origin access control, and no Lambda@Edge function', () => {
    const config = only(frozen, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(config.Origins[0]).toMatchObject({
      S3OriginConfig: { OriginAccessIdentity: '' },
      OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
    });
    expect(config.DefaultCacheBehavior.LambdaFunctionAssociations).toBeUndefined();
    expect(config.DefaultRootObject).toBe('index.html');
    frozen.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    frozen.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    frozen.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    frozen.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });

  test('its snapshot is deployed from the folder config names, when that folder exists, and the cache invalidated', () => {
    frozen.hasResourceProperties('Custom::CDKBucketDeployment', { Prune: true, DistributionPaths: ['/*'] });
    const missing = path.join(os.tmpdir(), 'poco-no-such-folder');
    const absent = synthDeployment({ contentDirs: new Map([['in', missing]]) });
    absent.sites.get('in')!.resourceCountIs('Custom::CDKBucketDeployment', 0);
    absent.sites.get('in')!.resourceCountIs('AWS::S3::Bucket', 1);
    Annotations.fromStack(absent.stack).hasInfo(
      '/PocoSunset-default/Site-in/Snapshot',
      `No snapshot folder at ${missing}: the bucket keeps what it holds, and a missing page answers 404 only if the bucket has a 404.html. Put the snapshot there to deploy it with the stack.`,
    );
    // The website behaviour does not depend on the folder: the same function and error responses.
    const websiteOf = (t: Template): unknown => {
      const c = only(t, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
      return [c.CustomErrorResponses, c.DefaultCacheBehavior.FunctionAssociations, t.findResources('AWS::CloudFront::Function')];
    };
    expect(websiteOf(absent.sites.get('in')!)).toEqual(websiteOf(frozen));
  });

  test('served as a website: a cloudfront-js-2.0 function on viewer-request gives folder URIs their index.html', () => {
    const [[fnId, fn]] = Object.entries(frozen.findResources('AWS::CloudFront::Function'));
    expect(fn.Properties).toEqual({
      Name: expect.any(String),
      AutoPublish: true,
      FunctionCode: frozenIndexCode(),
      FunctionConfig: { Comment: expect.stringContaining('index.html'), Runtime: 'cloudfront-js-2.0' },
    });
    const behavior = only(frozen, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.DefaultCacheBehavior;
    expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } }]);
  });

  test("the folder-index function is the frozen site's only: no other distribution runs it, no other stack holds it", () => {
    const code = frozenIndexCode();
    for (const t of [parent, ...REDIRECT_SITES.map(site)]) {
      expect(Object.values(t.findResources('AWS::CloudFront::Function')).filter((f) => f.Properties.FunctionCode === code)).toEqual([]);
    }
    for (const name of REDIRECT_SITES) {
      const associations =
        only(site(name), 'AWS::CloudFront::Distribution').Properties.DistributionConfig.DefaultCacheBehavior.FunctionAssociations ?? [];
      expect(JSON.stringify(associations)).not.toMatch(/Snapshot|IndexFunction/);
    }
  });

  test('a missing page (S3 answers 403 through OAC, 404 were listing allowed) is a 404 with /404.html, cached 5 minutes', () => {
    const config = only(frozen, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(config.CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 404, ResponsePagePath: '/404.html', ErrorCachingMinTTL: 300 },
      { ErrorCode: 404, ResponseCode: 404, ResponsePagePath: '/404.html', ErrorCachingMinTTL: 300 },
    ]);
    for (const name of REDIRECT_SITES)
      expect(only(site(name), 'AWS::CloudFront::Distribution').Properties.DistributionConfig.CustomErrorResponses).toBeUndefined();
  });

  test("/404.html is the snapshot's own when it has one; else a plain page is deployed with the snapshot", () => {
    const assetDir = (d: { app: App }, key: string): string => {
      const manifest = JSON.parse(fs.readFileSync(path.join(d.app.outdir, 'PocoSunset-default.assets.json'), 'utf8'));
      const hash = key.replace(/\.zip$/, '');
      return path.join(d.app.outdir, manifest.files[hash].source.path);
    };
    // The fixture has a 404.html: one source, the folder.
    const keys = only(frozen, 'Custom::CDKBucketDeployment').Properties.SourceObjectKeys;
    expect(keys).toHaveLength(1);
    expect(fs.readdirSync(assetDir(deployed, keys[0])).sort()).toEqual(['404.html', 'index.html', 'product']);
    // A snapshot without one: the folder, then the plain page as 404.html.
    const dir = tmpDir('poco-snapshot-');
    fs.writeFileSync(path.join(dir, 'index.html'), '<p>home</p>');
    const bare = synthDeployment({ contentDirs: new Map([['in', dir]]) });
    const bareKeys = only(bare.sites.get('in')!, 'Custom::CDKBucketDeployment').Properties.SourceObjectKeys;
    expect(bareKeys).toHaveLength(2);
    expect(fs.readdirSync(assetDir(bare, bareKeys[0]))).toEqual(['index.html']);
    const generated = assetDir(bare, bareKeys[1]);
    expect(fs.readdirSync(generated)).toEqual(['404.html']);
    expect(fs.readFileSync(path.join(generated, '404.html'), 'utf8')).toBe(NOT_FOUND_PAGE);
  });
});

describe('the access-log bucket', () => {
  test('encrypted, public access blocked, ACLs as standard logging needs, lifecycle from config, kept when the stack goes', () => {
    parent.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
        LifecycleConfiguration: { Rules: [{ Id: 'expire-access-logs', ExpirationInDays: 90, Status: 'Enabled' }] },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('TLS only', () => {
    parent.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('the alarm topic', () => {
  test('encrypted with a rotated key CloudWatch may use, TLS only, one e-mail subscription per address', () => {
    parent.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
    parent.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    parent.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    parent.resourceCountIs('AWS::SNS::Subscription', 1);
    parent.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'poco-sunset-alarms@example.com' });
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('no unacknowledged findings, and every acknowledgment gives a reason', () => {
    const report = new AwsSolutionsChecks(deployed.app).validateScope(deployed.app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    const reasons: string[] = [];
    const walk = (c: import('constructs').IConstruct): void => {
      for (const m of c.node.metadata)
        if (m.type === 'aws:cdk:acknowledged-rules' || /acknowledg/i.test(m.type))
          reasons.push(...Object.values(m.data as Record<string, string>));
      c.node.children.forEach(walk);
    };
    walk(deployed.app);
    expect(reasons.length).toBeGreaterThan(5);
    for (const r of reasons) expect(r.length).toBeGreaterThan(60);
  });

  test('the check can fail: an unprotected bucket is reported', () => {
    const app = new App({ outdir: tmpDir('poco-cdk-') });
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Open');
    const rules = new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});

describe('config shapes the stack', () => {
  test('-c stage=prod: its account, price class and retention', () => {
    const prod = synthDeployment({ stage: 'prod' });
    expect(prod.stack.stackName).toBe('PocoSunset-prod');
    expect(prod.stack.account).toBe('222222222222');
    expect(only(prod.sites.get('uk')!, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.PriceClass).toBe('PriceClass_All');
    prod.parent.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [{ Id: 'expire-access-logs', ExpirationInDays: 400, Status: 'Enabled' }] },
    });
  });

  test('hostnames in several hosted zones: each validated and aliased in its own zone', () => {
    const sitesJson = structuredClone(DEFAULT_SITES_JSON);
    sitesJson.sites.uk.hostnames = ['uk.po.co', 'poco.co.uk', 'www.poco.co.uk'];
    const stagesJson = structuredClone(DEFAULT_STAGES_JSON);
    for (const stage of Object.values(stagesJson.stages) as { hostedZones: Record<string, string> }[])
      stage.hostedZones['poco.co.uk'] = 'Z0PLACEHOLDERUK';
    const multi = synthDeployment({ ...configFiles({ sites: sitesJson, stages: stagesJson }), stage: 'default' });
    const uk = multi.sites.get('uk')!;
    uk.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'poco.co.uk',
      SubjectAlternativeNames: ['uk.po.co', 'www.poco.co.uk'],
      DomainValidationOptions: [
        { DomainName: 'poco.co.uk', HostedZoneId: 'Z0PLACEHOLDERUK' },
        { DomainName: 'uk.po.co', HostedZoneId: 'Z0PLACEHOLDERPOCO' },
        { DomainName: 'www.poco.co.uk', HostedZoneId: 'Z0PLACEHOLDERUK' },
      ],
    });
    const records = Object.values(uk.findResources('AWS::Route53::RecordSet')).map(
      (r) => `${r.Properties.Type} ${r.Properties.Name} ${r.Properties.HostedZoneId}`,
    );
    expect(records.sort()).toEqual([
      'A poco.co.uk. Z0PLACEHOLDERUK',
      'A uk.po.co. Z0PLACEHOLDERPOCO',
      'A www.poco.co.uk. Z0PLACEHOLDERUK',
      'AAAA poco.co.uk. Z0PLACEHOLDERUK',
      'AAAA uk.po.co. Z0PLACEHOLDERPOCO',
      'AAAA www.poco.co.uk. Z0PLACEHOLDERUK',
    ]);
  });

  test('awaitingCutover: the hostname stays on the certificate, but is no alias and gets no records, until cutover moves it', () => {
    const stagesJson = structuredClone(DEFAULT_STAGES_JSON);
    stagesJson.stages.default.awaitingCutover = ['www.po.co', 'uk.po.co'];
    const waiting = synthDeployment(configFiles({ stages: stagesJson }));
    const global = waiting.sites.get('global')!;
    const uk = waiting.sites.get('uk')!;
    expect(only(global, 'AWS::CertificateManager::Certificate').Properties.SubjectAlternativeNames).toEqual([
      'poco.net',
      'www.po.co',
      'www.poco.net',
    ]);
    expect(only(global, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Aliases).toEqual([
      'po.co',
      'poco.net',
      'www.poco.net',
    ]);
    expect(
      Object.values(global.findResources('AWS::Route53::RecordSet'))
        .map((r) => `${r.Properties.Type} ${r.Properties.Name}`)
        .sort(),
    ).toEqual(['A po.co.', 'A poco.net.', 'A www.poco.net.', 'AAAA po.co.', 'AAAA poco.net.', 'AAAA www.poco.net.']);
    // Every hostname of uk waits: a distribution with no alias (CloudFront allows it; CDK's warning is acknowledged).
    expect(only(uk, 'AWS::CertificateManager::Certificate').Properties.DomainName).toBe('uk.po.co');
    expect(only(uk, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Aliases).toEqual([]);
    expect(uk.findResources('AWS::Route53::RecordSet')).toEqual({});
    expect(Annotations.fromStack(waiting.stack).findWarning('*', Match.anyValue())).toEqual([]);
    // The other sites are untouched.
    expect(JSON.stringify(waiting.sites.get('fr')!.toJSON())).toBe(JSON.stringify(site('fr').toJSON()));
  });

  test('reordering sites, hostnames, regions, countries and zones in config changes no byte of any template', () => {
    const reverse = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).reverse());
    const sitesJson = structuredClone(DEFAULT_SITES_JSON);
    sitesJson.sites = reverse(sitesJson.sites);
    for (const s of Object.values(sitesJson.sites) as { hostnames: string[] }[]) s.hostnames.reverse();
    sitesJson.regions = reverse(sitesJson.regions);
    sitesJson.countries = reverse(sitesJson.countries);
    sitesJson.allowedTargetHosts.reverse();
    const stagesJson = structuredClone(DEFAULT_STAGES_JSON);
    stagesJson.stages = reverse(stagesJson.stages);
    for (const stage of Object.values(stagesJson.stages) as { edgeLogRegions: string[] }[]) stage.edgeLogRegions.reverse();
    const reordered = synthDeployment(configFiles({ sites: sitesJson, stages: stagesJson }));
    const json = (t: Template): string => JSON.stringify(t.toJSON());
    expect(json(reordered.parent)).toBe(json(parent));
    for (const name of ALL_SITES) expect(json(reordered.sites.get(name)!)).toBe(json(site(name)));
  });
});

describe('guards', () => {
  test.each([
    [
      { region: 'eu-west-1' },
      "RedirectFunction Elsewhere/Redirects: Lambda@Edge functions must be created in us-east-1, but stack Elsewhere has region eu-west-1. Fix: give the stack env: { region: 'us-east-1' }.",
    ],
    [
      undefined,
      "RedirectFunction Elsewhere/Redirects: Lambda@Edge functions must be created in us-east-1, but stack Elsewhere has region (not set). Fix: give the stack env: { region: 'us-east-1' }.",
    ],
  ])('the function outside us-east-1 (%j)', (env, message) => {
    const stack = new Stack(new App({ outdir: tmpDir('poco-cdk-') }), 'Elsewhere', { env });
    expect(() => new RedirectFunction(stack, 'Redirects', { tables })).toThrow(message);
  });

  test('a certificate outside us-east-1', () => {
    const stack = new Stack(new App({ outdir: tmpDir('poco-cdk-') }), 'Elsewhere', { env: { region: 'eu-west-1' } });
    expect(() => new SiteCertificate(stack, 'Cert', { zones: new Map() })).toThrow(
      "SiteCertificate Elsewhere/Cert: CloudFront only uses certificates from us-east-1, but the stack's region is eu-west-1. Fix: give the stack env: { region: 'us-east-1' }.",
    );
  });

  test('a timeout past the origin-request limit', () => {
    const stack = new Stack(new App({ outdir: tmpDir('poco-cdk-') }), 'S', { env: { region: 'us-east-1' } });
    expect(() => new RedirectFunction(stack, 'R', { tables, timeout: Duration.seconds(31) })).toThrow(
      'RedirectFunction S/R: timeout 31 s exceeds the origin-request limit of 30 s. Fix: use 30 s or less.',
    );
  });

  test('a site stack given the wrong behavior for its mode, or a hostname no zone holds', () => {
    const stack = new Stack(new App({ outdir: tmpDir('poco-cdk-') }), 'S', { env: { region: 'us-east-1' } });
    const common = {
      hostedZones: new Map([['po.co', 'Z1']]),
      logBucket: new s3.Bucket(stack, 'Logs'),
      alarmTopic: new sns.Topic(stack, 'Topic'),
      alarms: DEFAULT_ALARMS,
    };
    expect(
      () =>
        new SiteStack(stack, 'Site-uk', { ...common, site: { name: 'uk', mode: 'region-host', region: 'uk', hostnames: ['uk.po.co'] } }),
    ).toThrow(
      'SiteStack S/Site-uk: a region-host site needs a redirect behavior. Fix: pass redirect for region-path and region-host sites only.',
    );
    const redirect = { functionVersion: {} as never, cachePolicy: {} as never };
    expect(
      () => new SiteStack(stack, 'Site-in', { ...common, redirect, site: { name: 'in', mode: 'frozen', hostnames: ['in.po.co'] } }),
    ).toThrow(
      'SiteStack S/Site-in: a frozen site takes no redirect behavior. Fix: pass redirect for region-path and region-host sites only.',
    );
    expect(() => new SiteStack(stack, 'Site-x', { ...common, site: { name: 'x', mode: 'frozen', hostnames: ['poco.co.uk'] } })).toThrow(
      "SiteStack S/Site-x: no hosted zone holds poco.co.uk. Fix: add its zone to the stage's hostedZones.",
    );
  });

  test('a cache policy that would not cache per-country redirects', () => {
    const stack = new Stack(new App({ outdir: tmpDir('poco-cdk-') }), 'S', { env: { region: 'us-east-1' } });
    expect(() => new RedirectCachePolicy(stack, 'P', { mode: 'region-path', minTtl: Duration.seconds(0) })).toThrow(
      'RedirectCachePolicy S/P: minTtl must be above 0, or CloudFront would not cache per-country redirects (they say "private, no-store"). Fix: give minTtl of 1 second or more.',
    );
  });
});

describe('snapshots (asset hashes masked)', () => {
  test('the stage stack', () => {
    expect(parent).toMatchSnapshot();
  });
  test.each(ALL_SITES)('site %s', (name) => {
    expect(site(name)).toMatchSnapshot();
  });
});
