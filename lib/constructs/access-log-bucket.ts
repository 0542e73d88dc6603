import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface AccessLogBucketProps {
  /**
   * Days a log file is kept before S3 deletes it.
   * @default 365
   */
  readonly retentionDays?: number;
}

/**
 * The one bucket CloudFront's standard access logs go to, one prefix per site.
 *
 * Standard (legacy) logging writes through the `awslogsdelivery` account's
 * ACL grant, so the bucket keeps ACLs enabled (object ownership
 * BucketOwnerPreferred); public access stays fully blocked, which refuses
 * public ACLs but not that grant. Encrypted with S3-managed keys (CloudFront
 * cannot deliver standard logs to an SSE-KMS bucket), TLS-only, and retained
 * when the stack is deleted: logs outlive the distributions they describe.
 */
export class AccessLogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.retentionDays ?? 365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket itself; logging its own accesses into itself would log each log delivery, without end. CloudTrail records management access to it.',
    });
  }

  /** The key prefix of one site's log files: `<site>/`. */
  static prefixFor(site: string): string {
    return `${site}/`;
  }
}
