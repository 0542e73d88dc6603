import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BulkIndex, CompiledTables, SiteMode } from '../../lambda/engine';
import type { SiteConfig, SitesConfig } from '../config/sites';
import type { StageConfig } from '../config/stages';
import { AccessLogBucket } from '../constructs/access-log-bucket';
import { AlarmTopic } from '../constructs/alarm-topic';
import { EdgeLogRetention } from '../constructs/edge-log-retention';
import { RedirectCachePolicy } from '../constructs/redirect-cache-policy';
import { RedirectViewerFunctions } from '../constructs/redirect-viewer-functions';
import { countryKeys } from '../edge/viewer-functions';
import { countrySplits } from '../edge/country-splits';
import { ViewerCountryPolicy } from '../constructs/viewer-country-policy';
import { decidesByCountry } from '../edge/cloudfront-event';
import { RedirectFunction } from '../constructs/redirect-function';
import { RedirectBehavior, SiteStack } from './site-stack';

/** `description` defaults to one naming the stage; `terminationProtection` to true. */
export interface PocoSunsetStackProps extends StackProps {
  /** Compiled redirect tables (from `loadDeployment`). */
  readonly tables: CompiledTables;
  /** The sites: one distribution each. */
  readonly sites: SitesConfig;
  /** Account, hosted zones, price class, retention and alarm settings. */
  readonly stage: StageConfig;
  /**
   * Snapshot folder of each frozen site, by site name.
   * @default none: frozen buckets are filled by hand
   */
  readonly contentDirs?: ReadonlyMap<string, string>;
}

const PRICE_CLASS: Record<StageConfig['priceClass'], cloudfront.PriceClass> = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
};

/** What the stage stack shares with its sites. */
interface SharedSiteResources {
  /** The redirect behavior of each redirect mode in use. */
  readonly behaviors: ReadonlyMap<string, RedirectBehavior>;
  /** The access-log bucket, one prefix per site. */
  readonly logBucket: s3.IBucket;
  /** The topic every site's alarms notify. */
  readonly alarmTopic: sns.ITopic;
}

/** The sites sorted by name, hostnames too: reordering config must not reorder (or change) the templates. */
function sortedSites(config: SitesConfig): SiteConfig[] {
  return [...config.sites].sort((a, b) => (a.name < b.name ? -1 : 1)).map((s) => ({ ...s, hostnames: [...s.hostnames].sort() }));
}

/**
 * The po.co sunset for one stage. Lives in us-east-1, where CloudFront takes
 * its certificates and Lambda@Edge functions from and publishes its metrics.
 * Shared here: the redirect function and its log retention, the redirect
 * cache policies, the access-log bucket and the alarm topic. Each site is a
 * nested stack (`Site-<name>`), named after the site, never after its place
 * in config.
 */
export class PocoSunsetStack extends Stack {
  /** The redirect function; absent when every site is frozen. */
  readonly redirectFunction?: RedirectFunction;
  readonly siteStacks: ReadonlyMap<string, SiteStack>;

  constructor(scope: Construct, id: string, props: PocoSunsetStackProps) {
    super(scope, id, {
      description: `po.co sunset (${props.stage.name}): redirects to the Xiaomi Store, Poco India frozen`,
      // The sunset must outlive any one engineer's `cdk destroy`.
      terminationProtection: true,
      ...props,
    });
    const { stage } = props;
    const sites = sortedSites(props.sites);
    const logs = new AccessLogBucket(this, 'AccessLogs', { retentionDays: stage.accessLogRetentionDays });
    const { topic } = new AlarmTopic(this, 'Alarms', { emails: [...stage.alarmEmails].sort() });

    const modes = [...new Set(sites.filter((s) => s.mode !== 'frozen').map((s) => s.mode))].sort();
    let behaviors: ReadonlyMap<string, RedirectBehavior> = new Map();
    if (modes.length > 0) {
      this.redirectFunction = this.addRedirectFunction(props);
      behaviors = this.redirectBehaviors(props, this.redirectFunction, modes);
      new CfnOutput(this, 'RedirectFunctionVersion', {
        description: 'Numbered version of the redirect function that CloudFront runs on origin-request',
        value: this.redirectFunction.currentVersion.functionArn,
      });
    }

    this.siteStacks = this.addSiteStacks(sites, props, { behaviors, logBucket: logs.bucket, alarmTopic: topic });
    new CfnOutput(this, 'AccessLogBucketName', {
      description: 'Bucket of the CloudFront access logs, one prefix per site',
      value: logs.bucket.bucketName,
    });
  }

  /** The redirect function, with the retention of its log groups in every edge region. */
  private addRedirectFunction(props: PocoSunsetStackProps): RedirectFunction {
    const { stage } = props;
    const redirectFunction = new RedirectFunction(this, 'Redirects', { tables: props.tables });
    new EdgeLogRetention(this, 'RedirectLogs', {
      functionName: redirectFunction.functionName,
      retentionDays: stage.edgeLogRetentionDays,
      regions: [...stage.edgeLogRegions].sort(),
    });
    return redirectFunction;
  }

  /** The redirect behavior of each mode in `modes`: the function's version, the mode's policies and the viewer functions it runs. */
  private redirectBehaviors(
    props: PocoSunsetStackProps,
    redirectFunction: RedirectFunction,
    modes: readonly SiteMode[],
  ): Map<string, RedirectBehavior> {
    const keys = countryKeys(props.tables);
    const anyByCountry = modes.some(decidesByCountry);
    const functions = new RedirectViewerFunctions(this, 'ViewerFunctions', {
      regions: anyByCountry ? props.sites.regions.map((r) => r.name) : undefined,
      countryKeys: keys,
      countrySplits: anyByCountry ? countrySplits(props.tables, keys, new BulkIndex(redirectFunction.bundle.bulk)) : undefined,
    });
    const behaviors = new Map<string, RedirectBehavior>();
    for (const mode of modes) {
      const { policy } = new RedirectCachePolicy(this, decidesByCountry(mode) ? 'CacheByHostAndCountry' : 'CacheByHost', { mode });
      const byCountry = decidesByCountry(mode);
      behaviors.set(mode, {
        functionVersion: redirectFunction.currentVersion,
        cachePolicy: policy,
        originRequestPolicy: byCountry ? new ViewerCountryPolicy(this, 'ViewerCountryForFunctions', { mode }).policy : undefined,
        functionAssociations: [
          ...(byCountry && functions.countryKey
            ? [{ function: functions.countryKey, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }]
            : []),
          { function: functions.appendQuery, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE },
        ],
      });
    }
    return behaviors;
  }

  /** A nested stack per site (`Site-<name>`), each with an output naming its distribution. */
  private addSiteStacks(sites: readonly SiteConfig[], props: PocoSunsetStackProps, shared: SharedSiteResources): Map<string, SiteStack> {
    const { stage } = props;
    const siteStacks = new Map<string, SiteStack>();
    for (const site of sites) {
      const siteStack = new SiteStack(this, `Site-${site.name}`, {
        description: `po.co sunset (${stage.name}): site ${site.name}, ${site.hostnames.join(', ')}`,
        site,
        hostedZones: stage.hostedZones,
        redirect: shared.behaviors.get(site.mode),
        contentDir: props.contentDirs?.get(site.name),
        logBucket: shared.logBucket,
        alarmTopic: shared.alarmTopic,
        alarms: stage.alarms,
        priceClass: PRICE_CLASS[stage.priceClass],
        awaitingCutover: new Set(stage.awaitingCutover),
      });
      siteStacks.set(site.name, siteStack);
      new CfnOutput(this, `DistributionId-${site.name}`, {
        description: `CloudFront distribution of site ${site.name} (${site.hostnames.join(', ')})`,
        value: siteStack.distribution.distributionId,
      });
    }
    return siteStacks;
  }
}
