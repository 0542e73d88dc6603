import { Annotations, CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { acknowledge, BASIC_EXECUTION_ROLE_FINDING, nagAssetBucket, nagPartition, stackSingleton } from './nag/acknowledge';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import * as fs from 'fs';
import { displayName } from '../config/load';
import { frozenIndexCode, NOT_FOUND_DOCUMENT, NOT_FOUND_PAGE, snapshotHas } from '../edge/frozen-site';

export interface FrozenSnapshotProps {
  /**
   * Folder with the site's last snapshot, deployed to the bucket (and pruned
   * to match it) on every deploy. When it is absent or not a folder, the
   * bucket is left as it is, to be filled by hand.
   * @default no deployment
   */
  readonly contentDir?: string;
}

/** How long CloudFront caches a missing page's 404 (each deploy of the snapshot invalidates everything anyway). */
export const NOT_FOUND_CACHE_TTL = Duration.minutes(5);

/**
 * A frozen site's snapshot: a private S3 bucket (public access blocked,
 * S3-managed encryption, TLS only, retained with the stack) that only
 * CloudFront reaches, through origin access control, served as a website:
 * a CloudFront Function on viewer-request gives a folder URI its index.html
 * (lambda/viewer/frozen-index.js), and S3's 403 (or 404) for a missing
 * key becomes a 404 answered with `/404.html`, the snapshot's own or, when it
 * has none, a plain page deployed with it.
 */
export class FrozenSnapshot extends Construct {
  readonly bucket: s3.Bucket;
  readonly origin: cloudfront.IOrigin;
  /** The viewer-request CloudFront Function (cloudfront-js-2.0): `/a/b/` and `/a/b` → `/a/b/index.html`. */
  readonly indexFunction: cloudfront.Function;
  /** The distribution's default behavior runs `indexFunction` on viewer-request. */
  readonly functionAssociations: cloudfront.FunctionAssociation[];
  /** S3's 403 and 404 answered as 404 with `/404.html`. */
  readonly errorResponses: cloudfront.ErrorResponse[];
  /** The snapshot folder, when it exists; deployed by `deployTo`. */
  readonly contentDir?: string;

  constructor(scope: Construct, id: string, props: FrozenSnapshotProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "Only CloudFront reads this bucket (origin access control), and the distribution's access logs already record every viewer request; S3 server access logs would repeat them. CloudTrail records management access.",
    });
    this.origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.indexFunction = new cloudfront.Function(this, 'IndexFunction', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(frozenIndexCode()),
      comment: 'Frozen site: a folder URI (/a/b/ or /a/b) serves its index.html',
    });
    this.functionAssociations = [{ function: this.indexFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }];
    // Through OAC without s3:ListBucket, S3 answers 403 for a missing key; 404 too, should listing ever be granted.
    this.errorResponses = [403, 404].map((httpStatus) => ({
      httpStatus,
      responseHttpStatus: 404,
      responsePagePath: `/${NOT_FOUND_DOCUMENT}`,
      ttl: NOT_FOUND_CACHE_TTL,
    }));
    const dir = props.contentDir;
    if (dir !== undefined && fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      this.contentDir = dir;
    } else if (dir !== undefined) {
      Annotations.of(this).addInfo(
        `No snapshot folder at ${displayName(dir)}: the bucket keeps what it holds, and a missing page answers 404 only if the bucket has a ${NOT_FOUND_DOCUMENT}. Put the snapshot there to deploy it with the stack.`,
      );
    }
  }

  /**
   * Deploys the snapshot folder (when it exists), with the plain `404.html`
   * when the folder has none, and invalidates the distribution's cache once
   * it is in place.
   */
  deployTo(distribution: cloudfront.IDistribution): void {
    if (this.contentDir === undefined) return;
    const sources = [s3deploy.Source.asset(this.contentDir)];
    if (!snapshotHas(this.contentDir, NOT_FOUND_DOCUMENT)) sources.push(s3deploy.Source.data(NOT_FOUND_DOCUMENT, NOT_FOUND_PAGE));
    new s3deploy.BucketDeployment(this, 'Content', {
      sources,
      destinationBucket: this.bucket,
      distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 512,
    });
    const provider = stackSingleton(this, 'CDKBucketDeployment');
    if (!provider) return;
    acknowledge(
      provider,
      [BASIC_EXECUTION_ROLE_FINDING],
      "CDK's bucket-deployment provider runs with AWSLambdaBasicExecutionRole, which only lets it write its own logs.",
    );
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    acknowledge(
      provider,
      [
        'AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'AwsSolutions-IAM5[Action::s3:List*]',
        'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        'AwsSolutions-IAM5[Action::s3:Abort*]',
        `AwsSolutions-IAM5[Resource::arn:${nagPartition(this)}:s3:::${nagAssetBucket(this)}/*]`,
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        'AwsSolutions-IAM5[Resource::*]',
      ],
      'CDK grants the bucket-deployment provider object access to two buckets only, the bootstrap asset bucket (to read the snapshot zip) and this snapshot bucket (to write and prune it), plus cloudfront:CreateInvalidation and GetInvalidation, which take no resource ARN.',
    );
    acknowledge(
      provider,
      ['AwsSolutions-L1'],
      "The bucket-deployment provider's runtime is chosen by aws-cdk-lib and moves with it; it runs only while a deployment copies the snapshot.",
    );
  }
}
