/** AccessLogBucket: the bucket CloudFront's standard logs go to. */
import { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccessLogBucket } from '../../lib/constructs/access-log-bucket';
import { bareStack, nagFindings } from '../support/bare-stack';

test('defaults: encrypted, public access blocked, ACLs for log delivery, logs expire after 365 days, retained', () => {
  const stack = bareStack();
  new AccessLogBucket(stack, 'Logs');
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
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      LifecycleConfiguration: { Rules: [{ Id: 'expire-access-logs', ExpirationInDays: 365, Status: 'Enabled' }] },
      LoggingConfiguration: Match.absent(),
    },
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
  });
});

test('TLS only: the bucket policy denies every request without SecureTransport', () => {
  const stack = bareStack();
  const { bucket } = new AccessLogBucket(stack, 'Logs');
  Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: stack.getLogicalId(bucket.node.defaultChild as CfnElement) },
    PolicyDocument: {
      Statement: [
        Match.objectLike({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ],
    },
  });
});

test('retentionDays: how long log files are kept', () => {
  const stack = bareStack();
  new AccessLogBucket(stack, 'Logs', { retentionDays: 90 });
  Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
    LifecycleConfiguration: { Rules: [{ Id: 'expire-access-logs', ExpirationInDays: 90, Status: 'Enabled' }] },
  });
});

test('prefixFor: one key prefix per site', () => {
  expect(AccessLogBucket.prefixFor('uk')).toBe('uk/');
  expect(AccessLogBucket.prefixFor('global')).toBe('global/');
});

test("cdk-nag: the bucket's own access logging is acknowledged, with nothing else found", () => {
  const stack = bareStack();
  new AccessLogBucket(stack, 'Logs');
  expect(nagFindings(stack)).toEqual([]);
});
