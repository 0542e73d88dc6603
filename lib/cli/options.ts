/**
 * The options several commands share, defined once: the config files, the
 * stage, the assembly. A command spreads the groups it takes into its own
 * `options` and reads them back with `configFilesOf` / `deploymentOptionsOf`.
 */
import * as path from 'path';
import type { ConfigFiles } from '../config/load';
import type { ParsedArgs } from './args';
import { stringOption } from './args';
import type { OptionDefs } from './command';

/**
 * The directory the user ran the command in: npm sets INIT_CWD to it (and
 * runs the script in the project root); without npm, the current directory.
 */
function userDir(): string {
  return process.env.INIT_CWD || process.cwd();
}

/**
 * A path given on the command line, made absolute against the directory the
 * user is in (`userDir`), the one place the CLI does so; `-` (stdout or
 * stdin) and absent values are kept as they are.
 */
export function userPath(value: string): string;
export function userPath(value: string | undefined): string | undefined;
export function userPath(value: string | undefined): string | undefined {
  if (value === undefined || value === '-') return value;
  return path.resolve(userDir(), value);
}

/** A path option's value, resolved as `userPath` does; undefined when absent. */
export function pathOption(value: string | boolean | readonly string[] | undefined): string | undefined {
  return userPath(stringOption(value));
}

/** The config files every command that decides redirects reads. */
export const CONFIG_OPTIONS = {
  redirects: { kind: 'string', value: 'FILE', help: 'bulk redirect list', default: 'config/redirects.csv' },
  sites: { kind: 'string', value: 'FILE', help: 'sites, regions and stores', default: 'config/sites.json' },
  rules: { kind: 'string', value: 'FILE', help: 'rules file', default: 'config/rules.txt' },
  catalog: { kind: 'string', value: 'FILE', help: 'store catalogue', default: 'config/catalog.json' },
} as const satisfies OptionDefs;

/** The stage and the stages file, for commands that act on a deployment. */
export const STAGE_OPTIONS = {
  stage: { kind: 'string', value: 'NAME', help: 'stage of the stages file', default: 'its defaultStage' },
  stages: { kind: 'string', value: 'FILE', help: 'stages file', default: 'config/stages.json' },
} as const satisfies OptionDefs;

/** The config files given on the command line (absent ones undefined: the loaders' defaults). */
export function configFilesOf(args: ParsedArgs): ConfigFiles {
  const o = args.options;
  return {
    redirectsFile: pathOption(o.redirects),
    sitesFile: pathOption(o.sites),
    rulesFile: pathOption(o.rules),
    catalogFile: pathOption(o.catalog),
  };
}

/** The config files, the stages file and the stage given on the command line. */
export function deploymentOptionsOf(args: ParsedArgs): ConfigFiles & { readonly stagesFile?: string; readonly stage?: string } {
  return { ...configFilesOf(args), stagesFile: pathOption(args.options.stages), stage: stringOption(args.options.stage) };
}

/** What every AWS command takes: the deployment's config and stage (in the order the help has always listed them). */
export const AWS_OPTIONS = {
  stage: STAGE_OPTIONS.stage,
  sites: CONFIG_OPTIONS.sites,
  stages: STAGE_OPTIONS.stages,
  redirects: CONFIG_OPTIONS.redirects,
  rules: CONFIG_OPTIONS.rules,
  catalog: CONFIG_OPTIONS.catalog,
} as const satisfies OptionDefs;
