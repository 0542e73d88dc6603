import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { hostnameIds } from '../config/naming';

export interface AliasRecordsProps {
  /** The distribution the names point at. */
  readonly distribution: cloudfront.IDistribution;
  /** Each hostname with the hosted zone it is created in. */
  readonly zones: ReadonlyMap<string, route53.IHostedZone>;
}

/**
 * An A and an AAAA alias record for every hostname, in its own hosted zone,
 * pointing at the distribution. A wildcard hostname (`*.po.co`) gets the
 * wildcard records `*.po.co.`, which answer every name below the zone that
 * has no records of its own. Construct ids are the hostnames (a `*` label
 * written `wildcard`, lib/config/naming.ts), so reordering hostnames in config
 * replaces no record.
 */
export class AliasRecords extends Construct {
  constructor(scope: Construct, id: string, props: AliasRecordsProps) {
    super(scope, id);
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(props.distribution));
    const ids = hostnameIds(props.zones.keys(), `AliasRecords ${this.node.path}`);
    for (const [hostname, zone] of props.zones) {
      const scopeForName = new Construct(this, ids.get(hostname)!);
      const common = { zone, recordName: `${hostname}.`, target, comment: `po.co sunset: ${hostname}` };
      new route53.ARecord(scopeForName, 'A', common);
      new route53.AaaaRecord(scopeForName, 'AAAA', common);
    }
  }
}
