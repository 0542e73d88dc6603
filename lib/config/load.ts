/**
 * Loads config/ (or the files named), validates everything, and compiles
 * the engine's tables. Fails once, with every problem, as a `ConfigError`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CompiledRule, CompiledTables, MAX_INTERNAL_HOPS, RedirectEngine } from '../../lambda/engine';
import { parseCatalog, ProductsByRegion } from './catalog';
import { compileTables, regionOrder } from './compile';
import { ConfigError, ConfigProblem, ProblemList } from './problems';
import { BulkEntry, hostRoles, parseRedirects } from './redirects';
import { parseRules } from './rules';
import { namesRegion } from '../../lambda/viewer/country-key';
import { parseSites, SitesConfig } from './sites';
import { parseStages, selectStage, StageConfig } from './stages';

/** The project's root folder (where package.json is). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_SITES_FILE = path.join(PROJECT_ROOT, 'config', 'sites.json');
export const DEFAULT_REDIRECTS_FILE = path.join(PROJECT_ROOT, 'config', 'redirects.csv');
export const DEFAULT_STAGES_FILE = path.join(PROJECT_ROOT, 'config', 'stages.json');
export const DEFAULT_RULES_FILE = path.join(PROJECT_ROOT, 'config', 'rules.txt');
export const DEFAULT_CATALOG_FILE = path.join(PROJECT_ROOT, 'config', 'catalog.json');

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
  /**
   * The rules file.
   * @default config/rules.txt in the project root
   */
  readonly rulesFile?: string;
  /**
   * The store catalogue.
   * @default config/catalog.json in the project root
   */
  readonly catalogFile?: string;
}

export interface LoadedConfig {
  readonly sites: SitesConfig;
  readonly entries: readonly BulkEntry[];
  /** Product slugs by region name, from the store catalogue. */
  readonly products: ProductsByRegion;
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

/**
 * Checks each bulk entry that leads into this project's own hosts: following
 * it must end (a loop, or more than `MAX_INTERNAL_HOPS` entries, is a problem
 * at its line), and where the source's cache key holds no country (a host
 * that is not region-path, or a path that names its region) it must not end
 * in an answer that depends on the visitor's country: CloudFront would serve
 * the first visitor's answer to every other.
 */
function checkInternalTargets(p: ProblemList, entries: readonly BulkEntry[], tables: CompiledTables, sites: SitesConfig): void {
  if (!entries.some((e) => e.internal)) return;
  const engine = new RedirectEngine(tables);
  const regionPath = new Set(sites.sites.filter((s) => s.mode === 'region-path').flatMap((s) => s.hostnames));
  const regions = sites.regions.map((r) => r.name);
  for (const e of entries) {
    if (!e.internal) continue;
    const d = engine.decide({ method: 'GET', scheme: e.scheme === 'http' ? 'http' : 'https', host: e.host, path: e.path, query: '' });
    if (d.rule.includes('fallback:redirect-loop')) {
      p.atLine(e.line, `TARGET_URL ${JSON.stringify(e.target)} leads back into this list in a loop, or through more than ${MAX_INTERNAL_HOPS} of its entries.`, 'point the target at the final destination.');
    } else if (d.perVisitor && (!regionPath.has(e.host) || namesRegion(e.path, regions))) {
      p.atLine(
        e.line,
        `TARGET_URL ${JSON.stringify(e.target)} leads to an answer that depends on the visitor's country (${d.rule}), but the cache key of ${e.host}${e.path} holds no country: every visitor would get the first one's answer.`,
        'point the target at a page that names its region, such as https://po.co/global/..., or at the store page itself.',
      );
    }
  }
}

interface Collected {
  readonly problems: ConfigProblem[];
  readonly sitesFile: string;
  readonly sites?: SitesConfig;
  readonly entries: BulkEntry[];
  readonly products: ProductsByRegion;
  readonly tables?: CompiledTables;
}

function collect(options: LoadOptions): Collected {
  const sitesFile = options.sitesFile ?? DEFAULT_SITES_FILE;
  const redirectsFile = options.redirectsFile ?? DEFAULT_REDIRECTS_FILE;
  const rulesFile = options.rulesFile ?? DEFAULT_RULES_FILE;
  const catalogFile = options.catalogFile ?? DEFAULT_CATALOG_FILE;
  const ioProblems: ConfigProblem[] = [];
  const sitesText = read(sitesFile, ioProblems, 'the sites file (default config/sites.json)');
  const catalogText = read(catalogFile, ioProblems, 'the store catalogue (default config/catalog.json)');
  const rulesText = read(rulesFile, ioProblems, 'the rules file (default config/rules.txt)');
  const csvText = read(redirectsFile, ioProblems, 'a bulk redirect list in CSV (default config/redirects.csv)');

  const sp = new ProblemList(displayName(sitesFile));
  const sites = sitesText === undefined ? undefined : parseSites(sitesText, sp);
  const cp = new ProblemList(displayName(catalogFile));
  const products: ProductsByRegion = sites && catalogText !== undefined ? parseCatalog(catalogText, cp, sites) : new Map();
  const up = new ProblemList(displayName(rulesFile));
  const rules = sites && rulesText !== undefined ? parseRules(rulesText, up, { sites, regions: regionOrder(sites), products }) : [];
  const rp = new ProblemList(displayName(redirectsFile));
  let entries: BulkEntry[] = [];
  if (csvText !== undefined) entries = parseRedirects(csvText, rp, sites ? hostRoles(sites) : undefined);

  let tables: CompiledTables | undefined;
  if (sites) {
    // Compiled from the valid lines even when others are wrong, so loops are reported in the same run.
    tables = compileTables(sites, rp.file, entries, { rules, products });
    checkInternalTargets(rp, entries, tables, sites);
  }
  const byLine = (a: ConfigProblem, b: ConfigProblem): number => (a.line ?? 0) - (b.line ?? 0);
  return {
    problems: [...ioProblems, ...sp.problems, ...cp.problems, ...up.problems, ...[...rp.problems].sort(byLine)],
    sitesFile,
    sites,
    entries,
    products,
    tables,
  };
}

/** The rules and catalogue a set of sites is compiled with. */
export interface Ruleset {
  readonly rules: readonly CompiledRule[];
  readonly products: ProductsByRegion;
}

/** The store catalogue (the project's own by default), checked against `sites`; throws one `ConfigError` listing every problem. */
export function loadCatalog(sites: SitesConfig, catalogFile = DEFAULT_CATALOG_FILE): ProductsByRegion {
  const problems: ConfigProblem[] = [];
  const text = read(catalogFile, problems, 'the store catalogue (default config/catalog.json)');
  const cp = new ProblemList(displayName(catalogFile));
  const products = text === undefined ? new Map() : parseCatalog(text, cp, sites);
  problems.push(...cp.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return products;
}

/**
 * The rules file and catalogue (the project's own by default), checked
 * against `sites`; throws one `ConfigError` listing every problem. For
 * callers that bring their own bulk list (the bench, tests).
 */
export function loadRuleset(sites: SitesConfig, options: Pick<LoadOptions, 'rulesFile' | 'catalogFile'> = {}): Ruleset {
  const products = loadCatalog(sites, options.catalogFile);
  const problems: ConfigProblem[] = [];
  const rulesFile = options.rulesFile ?? DEFAULT_RULES_FILE;
  const text = read(rulesFile, problems, 'the rules file (default config/rules.txt)');
  const up = new ProblemList(displayName(rulesFile));
  const rules = text === undefined ? [] : parseRules(text, up, { sites, regions: regionOrder(sites), products });
  problems.push(...up.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { rules, products };
}

/** Loads and validates the config; throws one `ConfigError` listing every problem. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const { problems, sites, entries, products, tables } = collect(options);
  if (problems.length > 0 || !sites || !tables) throw new ConfigError(problems);
  return { sites, entries, products, tables };
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
  const { problems, sitesFile, sites, entries, products, tables } = collect(options);
  const stagesFile = options.stagesFile ?? DEFAULT_STAGES_FILE;
  const stagesText = read(stagesFile, problems, 'the stages file (default config/stages.json)');
  const tp = new ProblemList(displayName(stagesFile));
  const stages = stagesText === undefined ? undefined : parseStages(stagesText, tp, sites);
  const stage = stages ? selectStage(tp, stages, options.stage) : undefined;
  problems.push(...tp.problems);
  if (problems.length > 0 || !sites || !tables || !stage) throw new ConfigError(problems);
  return { sites, entries, products, tables, stage, contentDirs: contentDirsOf(sites, sitesFile) };
}

/** Absolute folder of each frozen site's snapshot, by site name, for those that name one (relative to the sites file). */
export function contentDirsOf(sites: SitesConfig, sitesFile: string = DEFAULT_SITES_FILE): ReadonlyMap<string, string> {
  const dirs = new Map<string, string>();
  for (const site of sites.sites) if (site.content) dirs.set(site.name, path.resolve(path.dirname(sitesFile), site.content));
  return dirs;
}
