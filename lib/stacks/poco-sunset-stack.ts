import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import type { CompiledTables } from '../../lambda/engine';
import type { SitesConfig } from '../config/sites';
import type { StageConfig } from '../config/stages';
import { AccessLogBucket } from '../constructs/access-log-bucket';
import { AlarmTopic } from '../constructs/alarm-topic';
import { EdgeLogRetention } from '../constructs/edge-log-retention';
import { RedirectCachePolicy } from '../constructs/redirect-cache-policy';
import { RedirectViewerFunctions } from '../constructs/redirect-viewer-functions';
import { countryKeys } from '../edge/viewer-functions';
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
    // Sorted by name, hostnames too: reordering config must not reorder (or change) the templates.
    const sites = [...props.sites.sites].sort((a, b) => (a.name < b.name ? -1 : 1)).map((s) => ({ ...s, hostnames: [...s.hostnames].sort() }));
    const logs = new AccessLogBucket(this, 'AccessLogs', { retentionDays: stage.accessLogRetentionDays });
    const { topic } = new AlarmTopic(this, 'Alarms', { emails: [...stage.alarmEmails].sort() });

    const redirectSites = sites.filter((s) => s.mode !== 'frozen');
    const behaviors = new Map<string, RedirectBehavior>();
    if (redirectSites.length > 0) {
      this.redirectFunction = new RedirectFunction(this, 'Redirects', { tables: props.tables });
      new EdgeLogRetention(this, 'RedirectLogs', {
        functionName: this.redirectFunction.functionName,
        retentionDays: stage.edgeLogRetentionDays,
        regions: [...stage.edgeLogRegions].sort(),
      });
      const modes = [...new Set(redirectSites.map((s) => s.mode))].sort();
      const functions = new RedirectViewerFunctions(this, 'ViewerFunctions', {
        regions: modes.some(decidesByCountry) ? props.sites.regions.map((r) => r.name) : undefined,
        countryKeys: countryKeys(props.tables),
      });
      for (const mode of modes) {
        const { policy } = new RedirectCachePolicy(this, decidesByCountry(mode) ? 'CacheByHostAndCountry' : 'CacheByHost', { mode });
        const byCountry = decidesByCountry(mode);
        behaviors.set(mode, {
          functionVersion: this.redirectFunction.currentVersion,
          cachePolicy: policy,
          originRequestPolicy: byCountry ? new ViewerCountryPolicy(this, 'ViewerCountryForFunctions', { mode }).policy : undefined,
          functionAssociations: [
            ...(byCountry && functions.countryKey ? [{ function: functions.countryKey, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }] : []),
            { function: functions.appendQuery, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE },
          ],
        });
      }
      new CfnOutput(this, 'RedirectFunctionVersion', {
        description: 'Numbered version of the redirect function that CloudFront runs on origin-request',
        value: this.redirectFunction.currentVersion.functionArn,
      });
    }

    const siteStacks = new Map<string, SiteStack>();
    for (const site of sites) {
      const siteStack = new SiteStack(this, `Site-${site.name}`, {
        description: `po.co sunset (${stage.name}): site ${site.name}, ${site.hostnames.join(', ')}`,
        site,
        hostedZones: stage.hostedZones,
        redirect: behaviors.get(site.mode),
        contentDir: props.contentDirs?.get(site.name),
        logBucket: logs.bucket,
        alarmTopic: topic,
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
    this.siteStacks = siteStacks;
    new CfnOutput(this, 'AccessLogBucketName', { description: 'Bucket of the CloudFront access logs, one prefix per site', value: logs.bucket.bucketName });
  }
}
