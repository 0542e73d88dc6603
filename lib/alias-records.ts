import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

export interface AliasRecordsProps {
  /** The distribution the names point at. */
  readonly distribution: cloudfront.IDistribution;
  /** Each hostname with the hosted zone it is created in. */
  readonly zones: ReadonlyMap<string, route53.IHostedZone>;
}

/**
 * An A and an AAAA alias record for every hostname, in its own hosted zone,
 * pointing at the distribution. Construct ids are the hostnames, so
 * reordering hostnames in config replaces no record.
 */
export class AliasRecords extends Construct {
  constructor(scope: Construct, id: string, props: AliasRecordsProps) {
    super(scope, id);
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(props.distribution));
    for (const [hostname, zone] of props.zones) {
      const scopeForName = new Construct(this, hostname);
      const common = { zone, recordName: `${hostname}.`, target, comment: `po.co sunset: ${hostname}` };
      new route53.ARecord(scopeForName, 'A', common);
      new route53.AaaaRecord(scopeForName, 'AAAA', common);
    }
  }
}
