/**
 * Loads config/ (or the files named), validates everything, and compiles
 * the engine's tables. Fails once, with every problem, as a `ConfigError`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CompiledTables, MAX_INTERNAL_HOPS, RedirectEngine } from '../../lambda/engine';
import { compileTables } from './compile';
import { ConfigError, ConfigProblem, ProblemList } from './problems';
import { BulkEntry, hostRoles, parseRedirects } from './redirects';
import { parseSites, SitesConfig } from './sites';
import { parseStages, selectStage, StageConfig } from './stages';

/** The project's root folder (where package.json is). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_SITES_FILE = path.join(PROJECT_ROOT, 'config', 'sites.json');
export const DEFAULT_REDIRECTS_FILE = path.join(PROJECT_ROOT, 'config', 'redirects.csv');
export const DEFAULT_STAGES_FILE = path.join(PROJECT_ROOT, 'config', 'stages.json');

export interface LoadOptions {
  /**
   * The sites file.
   * @default config/sites.json in the project root
   */
  readonly sitesFile?: string;
  /**
   * The bulk redirect list (Cloudflare CSV format).
   * @default config/redirects.csv in the project root
   */
  readonly redirectsFile?: string;
}

export interface LoadedConfig {
  readonly sites: SitesConfig;
  readonly entries: readonly BulkEntry[];
  readonly tables: CompiledTables;
}

/**
 * How a file is named in messages and rule names: relative to the project
 * root when inside it (so names match on every checkout), else absolute.
 */
export function displayName(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(PROJECT_ROOT, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}

function read(file: string, problems: ConfigProblem[], what: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push({
      file: displayName(file),
      message: code === 'ENOENT' ? 'does not exist.' : code === 'EISDIR' ? 'is a folder, not a file.' : `cannot be read (${code ?? String(err)}).`,
      fix: `give the path of ${what}.`,
    });
    return undefined;
  }
}

/** Checks that following internal targets always ends; a loop is a problem at the entry's line. */
function checkLoops(p: ProblemList, entries: readonly BulkEntry[], tables: CompiledTables): void {
  if (!entries.some((e) => e.internal)) return;
  const engine = new RedirectEngine(tables);
  for (const e of entries) {
    if (!e.internal) continue;
    const d = engine.decide({ method: 'GET', scheme: e.scheme === 'http' ? 'http' : 'https', host: e.host, path: e.path, query: '' });
    if (d.rule.includes('fallback:redirect-loop')) {
      p.atLine(e.line, `TARGET_URL ${JSON.stringify(e.target)} leads back into this list in a loop, or through more than ${MAX_INTERNAL_HOPS} of its entries.`, 'point the target at the final destination.');
    }
  }
}

interface Collected {
  readonly problems: ConfigProblem[];
  readonly sitesFile: string;
  readonly sites?: SitesConfig;
  readonly entries: BulkEntry[];
  readonly tables?: CompiledTables;
}

function collect(options: LoadOptions): Collected {
  const sitesFile = options.sitesFile ?? DEFAULT_SITES_FILE;
  const redirectsFile = options.redirectsFile ?? DEFAULT_REDIRECTS_FILE;
  const ioProblems: ConfigProblem[] = [];
  const sitesText = read(sitesFile, ioProblems, 'the sites file (default config/sites.json)');
  const csvText = read(redirectsFile, ioProblems, 'a bulk redirect list in CSV (default config/redirects.csv)');

  const sp = new ProblemList(displayName(sitesFile));
  const sites = sitesText === undefined ? undefined : parseSites(sitesText, sp);
  const rp = new ProblemList(displayName(redirectsFile));
  let entries: BulkEntry[] = [];
  if (csvText !== undefined) entries = parseRedirects(csvText, rp, sites ? hostRoles(sites) : undefined);

  let tables: CompiledTables | undefined;
  if (sites) {
    // Compiled from the valid lines even when others are wrong, so loops are reported in the same run.
    tables = compileTables(sites, rp.file, entries);
    checkLoops(rp, entries, tables);
  }
  const byLine = (a: ConfigProblem, b: ConfigProblem): number => (a.line ?? 0) - (b.line ?? 0);
  return { problems: [...ioProblems, ...sp.problems, ...[...rp.problems].sort(byLine)], sitesFile, sites, entries, tables };
}

/** Loads and validates the config; throws one `ConfigError` listing every problem. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const { problems, sites, entries, tables } = collect(options);
  if (problems.length > 0 || !sites || !tables) throw new ConfigError(problems);
  return { sites, entries, tables };
}

export interface DeploymentOptions extends LoadOptions {
  /**
   * The stages file.
   * @default config/stages.json in the project root
   */
  readonly stagesFile?: string;
  /**
   * The stage to deploy (`cdk synth -c stage=NAME`).
   * @default the file's defaultStage
   */
  readonly stage?: unknown;
}

export interface LoadedDeployment extends LoadedConfig {
  readonly stage: StageConfig;
  /** Absolute folder of each frozen site's snapshot, by site name, for those that name one. */
  readonly contentDirs: ReadonlyMap<string, string>;
}

/** Loads sites, bulk list and one stage; throws one `ConfigError` listing every problem in all three. */
export function loadDeployment(options: DeploymentOptions = {}): LoadedDeployment {
  const { problems, sitesFile, sites, entries, tables } = collect(options);
  const stagesFile = options.stagesFile ?? DEFAULT_STAGES_FILE;
  const stagesText = read(stagesFile, problems, 'the stages file (default config/stages.json)');
  const tp = new ProblemList(displayName(stagesFile));
  const stages = stagesText === undefined ? undefined : parseStages(stagesText, tp, sites);
  const stage = stages ? selectStage(tp, stages, options.stage) : undefined;
  problems.push(...tp.problems);
  if (problems.length > 0 || !sites || !tables || !stage) throw new ConfigError(problems);
  return { sites, entries, tables, stage, contentDirs: contentDirsOf(sites, sitesFile) };
}

/** Absolute folder of each frozen site's snapshot, by site name, for those that name one (relative to the sites file). */
export function contentDirsOf(sites: SitesConfig, sitesFile: string = DEFAULT_SITES_FILE): ReadonlyMap<string, string> {
  const dirs = new Map<string, string>();
  for (const site of sites.sites) if (site.content) dirs.set(site.name, path.resolve(path.dirname(sitesFile), site.content));
  return dirs;
}
