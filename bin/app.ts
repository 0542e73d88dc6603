#!/usr/bin/env node
/**
 * The CDK app: wires config to stacks, nothing else.
 *   npx cdk synth                      default config
 *   npx cdk synth -c redirects=FILE    another bulk redirect list
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lib/config/problems';
import { loadConfig } from '../lib/config/load';
import { BundleTooLargeError } from '../lib/bundle';
import { EDGE_FUNCTION_REGION } from '../lib/redirect-function';
import { PocoSunsetStack } from '../lib/poco-sunset-stack';

const app = new App();
try {
  const redirects: unknown = app.node.tryGetContext('redirects');
  const { tables } = loadConfig({ redirectsFile: typeof redirects === 'string' ? redirects : undefined });
  new PocoSunsetStack(app, 'PocoSunset', { env: { region: EDGE_FUNCTION_REGION }, tables });
  app.synth();
} catch (err) {
  if (!(err instanceof ConfigError || err instanceof BundleTooLargeError)) throw err;
  process.stderr.write(err.message + '\n');
  process.exit(1);
}
