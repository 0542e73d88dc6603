#!/usr/bin/env node
/**
 * The CDK app: wires config to one stack per stage, nothing else.
 *   npx cdk synth                      the default stage (placeholders; offline)
 *   npx cdk synth -c stage=prod        another stage of config/stages.json
 *   npx cdk synth -c redirects=FILE    another bulk redirect list
 *   npx cdk synth -c rules=FILE -c catalog=FILE   another rules file and store catalogue
 *   npx cdk synth -c sites=FILE -c stages=FILE   other sites and stages files
 */
import { Annotations, App } from 'aws-cdk-lib';
import { ConfigError } from '../lib/config/problems';
import { loadDeployment } from '../lib/config/load';
import { BundleTooLargeError } from '../lib/edge/bundle';
import { CloudFrontFunctionTooLargeError } from '../lib/edge/limits';
import { EDGE_FUNCTION_REGION } from '../lib/edge/limits';
import { PocoSunsetStack } from '../lib/stacks/poco-sunset-stack';
import { stackNameFor } from '../lib/config/naming';
import { contextTypo, placeholdersOf } from '../lib/config/context';

const app = new App();
const typo = contextTypo(app.node.getAllContext() as Record<string, unknown>);
if (typo) {
  process.stderr.write(typo + '\n');
  process.exit(1);
}
const file = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' ? value : undefined;
};
try {
  const config = loadDeployment({
    sitesFile: file('sites'),
    redirectsFile: file('redirects'),
    rulesFile: file('rules'),
    catalogFile: file('catalog'),
    stagesFile: file('stages'),
    stage: app.node.tryGetContext('stage'),
  });
  const stack = new PocoSunsetStack(app, stackNameFor(config.stage.name), {
    env: { account: config.stage.account, region: EDGE_FUNCTION_REGION },
    tables: config.tables,
    sites: config.sites,
    stage: config.stage,
    contentDirs: config.contentDirs,
  });
  const placeholders = config.stage.name === 'default' ? [] : placeholdersOf(config.stage);
  if (placeholders.length > 0) {
    const warning = `stage ${config.stage.name} still has placeholders: ${placeholders.join(', ')}; fill them in in the stages file before deploying`;
    // cdk synth and cdk deploy print it (and --strict makes it an error).
    Annotations.of(stack).addWarning(warning);
  }
  app.synth();
} catch (err) {
  if (!(err instanceof ConfigError || err instanceof BundleTooLargeError || err instanceof CloudFrontFunctionTooLargeError)) throw err;
  process.stderr.write(err.message + '\n');
  process.exit(1);
}
