/** FrozenSnapshot: a frozen site's private bucket, served as a website, and its snapshot's deployment. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { FrozenSnapshot, NOT_FOUND_CACHE_TTL } from '../../lib/constructs/frozen-snapshot';
import { frozenIndexCode, NOT_FOUND_PAGE } from '../../lib/edge/frozen-site';
import { FROZEN_FIXTURE, only } from '../support/deployment';
import { tmpDir } from '../support/tmp';
import { bareStack, nagFindings } from '../support/bare-stack';

function distributionIn(stack: Stack): cloudfront.IDistribution {
  return cloudfront.Distribution.fromDistributionAttributes(stack, 'Distribution', {
    domainName: 'd111111abcdef8.cloudfront.net',
    distributionId: 'E1EXAMPLE',
  });
}

/** The staged folder of a deployment source, by its object key (`<hash>.zip`). */
function assetDir(stack: Stack, key: string): string {
  const outdir = (stack.node.root as App).outdir;
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, `${stack.artifactId}.assets.json`), 'utf8'));
  return path.join(outdir, manifest.files[key.replace(/\.zip$/, '')].source.path);
}

test('defaults: a private bucket, S3-managed encryption, TLS only, owner-enforced, retained', () => {
  const stack = bareStack();
  const snapshot = new FrozenSnapshot(stack, 'Snapshot');
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::S3::Bucket', 1);
  template.hasResource('AWS::S3::Bucket', {
    Properties: {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    },
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
  });
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: stack.getLogicalId(snapshot.bucket.node.defaultChild as CfnElement) },
    PolicyDocument: {
      Statement: [Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
    },
  });
});

test('defaults: no snapshot folder, so nothing is deployed and nothing reported', () => {
  const stack = bareStack();
  const snapshot = new FrozenSnapshot(stack, 'Snapshot');
  expect(snapshot.contentDir).toBeUndefined();
  snapshot.deployTo(distributionIn(stack));
  const template = Template.fromStack(stack);
  template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  template.resourceCountIs('AWS::Lambda::Function', 0);
  expect(Annotations.fromStack(stack).findInfo('*', Match.anyValue())).toEqual([]);
});

test('a cloudfront-js-2.0 function on viewer-request gives a folder URI its index.html', () => {
  const stack = bareStack();
  const snapshot = new FrozenSnapshot(stack, 'Snapshot');
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::CloudFront::Function', 1);
  template.hasResourceProperties('AWS::CloudFront::Function', {
    AutoPublish: true,
    FunctionCode: frozenIndexCode(),
    FunctionConfig: { Comment: 'Frozen site: a folder URI (/a/b/ or /a/b) serves its index.html', Runtime: 'cloudfront-js-2.0' },
  });
  expect(snapshot.functionAssociations).toEqual([
    { function: snapshot.indexFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
  ]);
});

test("S3's 403 and 404 for a missing key are answered 404 with /404.html, cached 5 minutes", () => {
  const snapshot = new FrozenSnapshot(bareStack(), 'Snapshot');
  expect(NOT_FOUND_CACHE_TTL.toSeconds()).toBe(Duration.minutes(5).toSeconds());
  expect(snapshot.errorResponses).toEqual([
    { httpStatus: 403, responseHttpStatus: 404, responsePagePath: '/404.html', ttl: NOT_FOUND_CACHE_TTL },
    { httpStatus: 404, responseHttpStatus: 404, responsePagePath: '/404.html', ttl: NOT_FOUND_CACHE_TTL },
  ]);
});

test('its origin reaches the bucket through origin access control only', () => {
  const stack = bareStack();
  const snapshot = new FrozenSnapshot(stack, 'Snapshot');
  new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: snapshot.origin } });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
    OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
  });
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
        }),
      ]),
    },
  });
  expect(only(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Origins[0]).toMatchObject({
    S3OriginConfig: { OriginAccessIdentity: '' },
  });
});

test('contentDir: the folder is deployed to the bucket, pruned, 512 MB, and the distribution invalidated', () => {
  const stack = bareStack();
  const snapshot = new FrozenSnapshot(stack, 'Snapshot', { contentDir: FROZEN_FIXTURE });
  expect(snapshot.contentDir).toBe(FROZEN_FIXTURE);
  snapshot.deployTo(distributionIn(stack));
  const template = Template.fromStack(stack);
  template.resourceCountIs('Custom::CDKBucketDeployment', 1);
  const deployment = only(template, 'Custom::CDKBucketDeployment').Properties;
  expect(deployment).toMatchObject({
    Prune: true,
    DistributionId: 'E1EXAMPLE',
    DistributionPaths: ['/*'],
    DestinationBucketName: { Ref: stack.getLogicalId(snapshot.bucket.node.defaultChild as CfnElement) },
  });
  // The fixture has its own 404.html: the folder is the one source.
  expect(deployment.SourceObjectKeys).toHaveLength(1);
  expect(fs.readdirSync(assetDir(stack, deployment.SourceObjectKeys[0])).sort()).toEqual(['404.html', 'index.html', 'product']);
  template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512 });
});

test('contentDir without a 404.html: the plain page is deployed as /404.html after the folder', () => {
  const stack = bareStack();
  const dir = tmpDir('poco-snapshot-');
  fs.writeFileSync(path.join(dir, 'index.html'), '<p>home</p>');
  new FrozenSnapshot(stack, 'Snapshot', { contentDir: dir }).deployTo(distributionIn(stack));
  const keys: string[] = only(Template.fromStack(stack), 'Custom::CDKBucketDeployment').Properties.SourceObjectKeys;
  expect(keys).toHaveLength(2);
  expect(fs.readdirSync(assetDir(stack, keys[0]))).toEqual(['index.html']);
  expect(fs.readdirSync(assetDir(stack, keys[1]))).toEqual(['404.html']);
  expect(fs.readFileSync(path.join(assetDir(stack, keys[1]), '404.html'), 'utf8')).toBe(NOT_FOUND_PAGE);
});

const MISSING = path.join(os.tmpdir(), 'poco-no-such-folder');

test.each([
  ['a missing folder', MISSING, MISSING],
  ['a file', path.join(FROZEN_FIXTURE, 'index.html'), 'test/fixtures/frozen-in/index.html'],
])('contentDir naming %s: nothing deployed, an info names the folder (relative inside the project)', (_, dir, shown) => {
  const stack = bareStack();
  const snapshot = new FrozenSnapshot(stack, 'Snapshot', { contentDir: dir });
  expect(snapshot.contentDir).toBeUndefined();
  snapshot.deployTo(distributionIn(stack));
  Template.fromStack(stack).resourceCountIs('Custom::CDKBucketDeployment', 0);
  Annotations.fromStack(stack).hasInfo(
    '/S/Snapshot',
    `No snapshot folder at ${shown}: the bucket keeps what it holds, and a missing page answers 404 only if the bucket has a 404.html. Put the snapshot there to deploy it with the stack.`,
  );
});

test("cdk-nag: the bucket's access logging and the deployment provider's findings are acknowledged, with nothing else found", () => {
  const stack = bareStack({ account: '111111111111', region: 'us-east-1' });
  const snapshot = new FrozenSnapshot(stack, 'Snapshot', { contentDir: FROZEN_FIXTURE });
  snapshot.deployTo(distributionIn(stack));
  expect(nagFindings(stack)).toEqual([]);
});
