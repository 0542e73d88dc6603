/** Synthesizes the app in process, from config files, for template assertions. */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentOptions, LoadedDeployment, loadDeployment, PROJECT_ROOT } from '../../lib/config/load';
import { EDGE_FUNCTION_REGION } from '../../lib/edge/limits';
import { PocoSunsetStack } from '../../lib/stacks/poco-sunset-stack';
import { stackNameFor } from '../../lib/config/naming';
import { tmpDir } from './tmp';

/** Each site's hostnames in the default config, sorted as the stack sorts them; `other` is the wildcard site. */
export const DEFAULT_SITE_HOSTNAMES: Readonly<Record<string, readonly string[]>> = {
  global: ['po.co', 'poco.net', 'www.po.co', 'www.poco.net'],
  uk: ['uk.po.co'],
  fr: ['fr.po.co'],
  de: ['de.po.co'],
  community: ['c.po.co'],
  other: ['*.po.co'],
  in: ['in.po.co'],
};

/** The test snapshot of in.po.co, so templates do not depend on what config/frozen/ holds on this machine. */
export const FROZEN_FIXTURE = path.join(PROJECT_ROOT, 'test', 'fixtures', 'frozen-in');

export interface Synthesized {
  readonly app: App;
  readonly stack: PocoSunsetStack;
  readonly config: LoadedDeployment;
  /** The stage's stack. */
  readonly parent: Template;
  /** Each site's nested stack, by site name. */
  readonly sites: ReadonlyMap<string, Template>;
}

export interface SynthOptions extends DeploymentOptions {
  /** Snapshot folders by site; `undefined` keeps what the sites file names. @default in → FROZEN_FIXTURE */
  readonly contentDirs?: ReadonlyMap<string, string>;
}

/**
 * The context `cdk synth` gives the app: cdk.json's (feature flags) and the
 * CLI's metadata switches, so tests see the templates the CLI deploys.
 */
export const CLI_CONTEXT: Record<string, unknown> = {
  ...JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context,
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
};

export function synthDeployment(options: SynthOptions = {}): Synthesized {
  const config = loadDeployment(options);
  const app = new App({ outdir: tmpDir('poco-cdk-'), context: CLI_CONTEXT });
  const contentDirs = options.contentDirs ?? new Map([['in', FROZEN_FIXTURE]]);
  const stack = new PocoSunsetStack(app, stackNameFor(config.stage.name), {
    env: { account: config.stage.account, region: EDGE_FUNCTION_REGION },
    ...config,
    contentDirs,
  });
  const parent = Template.fromStack(stack);
  const sites = new Map([...stack.siteStacks].map(([name, s]) => [name, Template.fromStack(s)]));
  return { app, stack, config, parent, sites };
}

/** Writes config files into a fresh folder; returns their paths. */
export function configFiles(files: { sites?: unknown; stages?: unknown; redirects?: string }): DeploymentOptions {
  const dir = tmpDir('poco-config-');
  const write = (name: string, content: unknown): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  };
  return {
    sitesFile: files.sites === undefined ? undefined : write('sites.json', files.sites),
    stagesFile: files.stages === undefined ? undefined : write('stages.json', files.stages),
    redirectsFile: files.redirects === undefined ? undefined : write('redirects.csv', files.redirects),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test fixtures are edited freely
export const DEFAULT_SITES_JSON: any = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'sites.json'), 'utf8'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test fixtures are edited freely
export const DEFAULT_STAGES_JSON: any = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'stages.json'), 'utf8'));

/** The resource of `type` in a template; fails unless there is exactly one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation properties, read loosely
type Resource = { Properties: Record<string, any> };

export function only(template: Template, type: string): Resource {
  const found = Object.values(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as Resource;
}
