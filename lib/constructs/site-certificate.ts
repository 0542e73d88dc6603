import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { regionOutsideEdge } from './redirect-function';
import { EDGE_FUNCTION_REGION } from '../edge/limits';

export interface SiteCertificateProps {
  /** The hostnames the certificate covers, each with the hosted zone that holds its validation record. */
  readonly zones: ReadonlyMap<string, route53.IHostedZone>;
}

/**
 * An ACM certificate for a site's hostnames, validated by DNS in the hosted
 * zone of each hostname (they may sit in different zones). In us-east-1,
 * the only region CloudFront takes certificates from. The hostnames are
 * sorted, so reordering them in config does not replace the certificate.
 *
 * A wildcard (`*.po.co`) is a name of the certificate like any other, and
 * keyed by itself in the zone map (`fromDnsMultiZone` looks each name up as
 * written): its zone is the zone of the name below the `*`. ACM validates it
 * with the same `_<token>.po.co` record as `po.co`; when a certificate lists
 * both, CDK gives CloudFormation the one validation option only.
 */
export class SiteCertificate extends Construct {
  readonly certificate: acm.Certificate;

  constructor(scope: Construct, id: string, props: SiteCertificateProps) {
    super(scope, id);
    const wrongRegion = regionOutsideEdge(this);
    if (wrongRegion !== undefined) {
      throw new Error(
        `SiteCertificate ${this.node.path}: CloudFront only uses certificates from ${EDGE_FUNCTION_REGION}, but the stack's region is ${wrongRegion}. Fix: give the stack env: { region: '${EDGE_FUNCTION_REGION}' }.`,
      );
    }
    // Sorted, wildcards after the other names: a wildcard is the DomainName only of a certificate of wildcards.
    // With `*.x` and `x` both listed, CDK gives CloudFormation one validation option (they share one record),
    // for `x`, which is then also the DomainName: the form CloudFormation is known to validate.
    const names = [...props.zones.keys()].sort(
      (a, b) => Number(a.startsWith('*.')) - Number(b.startsWith('*.')) || (a < b ? -1 : a > b ? 1 : 0),
    );
    if (names.length === 0)
      throw new Error(`SiteCertificate ${this.node.path}: no hostnames. Fix: give at least one hostname with its hosted zone.`);
    const byName: Record<string, route53.IHostedZone> = {};
    for (const name of names) byName[name] = props.zones.get(name)!;
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: names[0],
      subjectAlternativeNames: names.length > 1 ? names.slice(1) : undefined,
      validation: acm.CertificateValidation.fromDnsMultiZone(byName),
    });
  }
}
