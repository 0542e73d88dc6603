import { Annotations, NestedStack, NestedStackProps, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PLACEHOLDER_ORIGIN_DOMAIN } from '../edge/cloudfront-event';
import type { SiteConfig } from '../config/sites';
import { distributionComment, hostnameIds } from '../config/naming';
import { AlarmThresholds, zoneOf } from '../config/stages';
import { AccessLogBucket } from '../constructs/access-log-bucket';
import { AliasRecords } from '../constructs/alias-records';
import { DistributionAlarms } from '../constructs/distribution-alarms';
import { FrozenSnapshot } from '../constructs/frozen-snapshot';
import { SiteCertificate } from '../constructs/site-certificate';
import { SiteDistribution, SiteDistributionProps } from '../constructs/site-distribution';

/** How a redirect site's behavior runs the redirect function. */
export interface RedirectBehavior {
  /** The numbered version CloudFront runs on origin-request. */
  readonly functionVersion: lambda.IVersion;
  /** Cache policy whose key is what the decision reads for this site's mode. */
  readonly cachePolicy: cloudfront.ICachePolicy;
  /**
   * Origin request policy adding what the viewer functions read (the viewer's country on region-path sites).
   * @default none
   */
  readonly originRequestPolicy?: cloudfront.IOriginRequestPolicy;
  /**
   * The CloudFront Functions of the behavior (viewer-request country key, viewer-response query string).
   * @default none
   */
  readonly functionAssociations?: cloudfront.FunctionAssociation[];
}

export interface SiteStackProps extends NestedStackProps {
  /** The site: its name (in ids and names), mode and hostnames (sorted by the caller). */
  readonly site: SiteConfig;
  /** Hosted zone name → id; each hostname goes in the zone of its longest matching name. */
  readonly hostedZones: ReadonlyMap<string, string>;
  /**
   * How the redirect function runs: required for redirect sites
   * (`region-path`, `region-host`), refused for a frozen site.
   * @default none, as a frozen site has
   */
  readonly redirect?: RedirectBehavior;
  /**
   * Folder of a frozen site's snapshot.
   * @default no content deployment
   */
  readonly contentDir?: string;
  /** The shared access-log bucket; this site logs under `<site>/`. */
  readonly logBucket: s3.IBucket;
  /** Where this site's alarms notify. */
  readonly alarmTopic: sns.ITopic;
  /** Alarm thresholds of the stage. */
  readonly alarms: AlarmThresholds;
  /**
   * Which edge locations serve the site.
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
  /**
   * Hostnames another distribution still holds: kept on the certificate, so
   * that `npm run ops -- cutover` can move them here with AssociateAlias, but
   * not made aliases and given no alias records, which would fail the deploy.
   * @default none
   */
  readonly awaitingCutover?: ReadonlySet<string>;
}

/** What a site's distribution has whatever its mode. */
type SharedDistributionProps = Pick<
  SiteDistributionProps,
  'comment' | 'hostnames' | 'certificate' | 'priceClass' | 'logBucket' | 'logPrefix'
>;

/**
 * Everything of one site, in a nested stack of its own so that a hundred
 * sites stay under CloudFormation's resource limit per stack: certificate,
 * distribution, alias records and alarms; for the frozen site also its
 * snapshot bucket. Hosted zones are imported by id, never created.
 */
export class SiteStack extends NestedStack {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: SiteStackProps) {
    super(scope, id, props);
    const { site } = props;
    this.checkSite(props);
    const zones = this.importZones(site.hostnames, props.hostedZones);
    const { certificate } = new SiteCertificate(this, 'Certificate', { zones });
    const aliases = site.hostnames.filter((h) => !props.awaitingCutover?.has(h));
    const common: SharedDistributionProps = {
      comment: distributionComment(Stack.of(scope).stackName, site.name),
      hostnames: aliases,
      certificate,
      priceClass: props.priceClass,
      logBucket: props.logBucket,
      logPrefix: AccessLogBucket.prefixFor(site.name),
    };
    this.distribution = props.redirect
      ? this.redirectDistribution(common, props.redirect)
      : this.frozenDistribution(common, props.contentDir);
    if (aliases.length === 0) {
      // Intended: every hostname waits for `cutover`, which adds it with AssociateAlias.
      Annotations.of(this.distribution).acknowledgeWarning(
        '@aws-cdk/aws-cloudfront:emptyDomainNames',
        "every hostname of the site is in the stage's awaitingCutover",
      );
    }
    new AliasRecords(this, 'Records', { distribution: this.distribution, zones: new Map(aliases.map((h) => [h, zones.get(h)!])) });
    new DistributionAlarms(this, 'Alarms', {
      distribution: this.distribution,
      site: site.name,
      topic: props.alarmTopic,
      fiveXxErrorRatePercent: props.alarms.fiveXxErrorRatePercent,
      hasEdgeFunction: props.redirect !== undefined,
      functionErrors: props.alarms.functionErrors,
    });
  }

  /** Throws unless the site has a redirect behavior exactly when it redirects, and its hostnames have distinct construct ids. */
  private checkSite(props: SiteStackProps): void {
    const { site } = props;
    if ((site.mode === 'frozen') === (props.redirect !== undefined)) {
      throw new Error(
        `SiteStack ${this.node.path}: a ${site.mode} site ${site.mode === 'frozen' ? 'takes no' : 'needs a'} redirect behavior. Fix: pass redirect for region-path and region-host sites only.`,
      );
    }
    // Every hostname, awaiting cutover or not, so that a clash shows before cutover would add it.
    hostnameIds(site.hostnames, `SiteStack ${this.node.path}`);
  }

  /** The hosted zone of each hostname, each zone imported once (`Zone-<name>`); throws for a hostname no zone holds. */
  private importZones(hostnames: readonly string[], hostedZones: ReadonlyMap<string, string>): Map<string, route53.IHostedZone> {
    const imported = new Map<string, route53.IHostedZone>();
    const zones = new Map<string, route53.IHostedZone>();
    for (const hostname of hostnames) {
      const zoneName = zoneOf(hostname, hostedZones.keys());
      if (!zoneName)
        throw new Error(`SiteStack ${this.node.path}: no hosted zone holds ${hostname}. Fix: add its zone to the stage's hostedZones.`);
      let zone = imported.get(zoneName);
      if (!zone) {
        zone = route53.HostedZone.fromHostedZoneAttributes(this, `Zone-${zoneName}`, {
          hostedZoneId: hostedZones.get(zoneName)!,
          zoneName,
        });
        imported.set(zoneName, zone);
      }
      zones.set(hostname, zone);
    }
    return zones;
  }

  /** A redirect site's distribution: the redirect function on origin-request, in front of an origin it never reaches. */
  private redirectDistribution(common: SharedDistributionProps, redirect: RedirectBehavior): cloudfront.Distribution {
    return new SiteDistribution(this, 'Site', {
      ...common,
      // Never contacted: the function answers every request on these hostnames. CloudFront
      // still resolves the origin's name before running the function, so it must be real.
      origin: new origins.HttpOrigin(PLACEHOLDER_ORIGIN_DOMAIN, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      }),
      cachePolicy: redirect.cachePolicy,
      originRequestPolicy: redirect.originRequestPolicy,
      functionAssociations: redirect.functionAssociations,
      edgeLambdas: [
        { functionVersion: redirect.functionVersion, eventType: cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST, includeBody: false },
      ],
    }).distribution;
  }

  /** The frozen site's distribution: its snapshot bucket served as a website, the snapshot deployed when `contentDir` exists. */
  private frozenDistribution(common: SharedDistributionProps, contentDir: string | undefined): cloudfront.Distribution {
    const snapshot = new FrozenSnapshot(this, 'Snapshot', { contentDir });
    const distribution = new SiteDistribution(this, 'Site', {
      ...common,
      origin: snapshot.origin,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      compress: true,
      defaultRootObject: 'index.html',
      // Served as a website: folder URIs get their index.html, missing pages a 404 page.
      functionAssociations: snapshot.functionAssociations,
      errorResponses: snapshot.errorResponses,
    }).distribution;
    snapshot.deployTo(distribution);
    return distribution;
  }
}
