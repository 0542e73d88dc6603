/**
 * Loads config/ (or the files named), validates everything, and compiles
 * the engine's tables. Fails once, with every problem, as a `ConfigError`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CompiledRule, CompiledTables, MAX_INTERNAL_HOPS, RedirectEngine } from '../../lambda/engine';
import { parseCatalog, ProductsByRegion } from './catalog';
import { compileTables, regionOrder, withoutBulkColumns } from './compile';
import { ConfigError, ConfigProblem, formatProblem, ProblemList } from './problems';
import { BulkEntry, hostRoles, parseRedirects } from './redirects';
import { parseRules } from './rules';
import { namesRegion } from '../../lambda/viewer/country-key';
import { PROJECT_ROOT } from './paths';
import { parseSites, SitesConfig } from './sites';
import { parseStages, selectStage, StageConfig } from './stages';

export { PROJECT_ROOT };
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
  /**
   * Receives each warning (a bulk entry that never answers, or answers what
   * the rules file would), formatted like a problem.
   * @default write `warning: ...` lines to stderr
   */
  readonly onWarning?: (warning: string) => void;
}

/** The four config files, as the loaders take them (an absent one: its default). */
export type ConfigFiles = Pick<LoadOptions, 'sitesFile' | 'redirectsFile' | 'rulesFile' | 'catalogFile'>;

/** Each config file as given, or its default in the project's config/. */
export function withDefaultFiles(files: ConfigFiles): Required<ConfigFiles> {
  return {
    sitesFile: files.sitesFile ?? DEFAULT_SITES_FILE,
    redirectsFile: files.redirectsFile ?? DEFAULT_REDIRECTS_FILE,
    rulesFile: files.rulesFile ?? DEFAULT_RULES_FILE,
    catalogFile: files.catalogFile ?? DEFAULT_CATALOG_FILE,
  };
}

export interface LoadedConfig {
  readonly sites: SitesConfig;
  readonly entries: readonly BulkEntry[];
  /** Product slugs by region name, from the store catalogue. */
  readonly products: ProductsByRegion;
  readonly tables: CompiledTables;
  /** Bulk entries that never answer or change nothing (`bulkWarnings`); already passed to `onWarning`. */
  readonly warnings: readonly ConfigProblem[];
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

/**
 * How the bulk list is named inside the bundle (rule names such as
 * `bulk:config/redirects.csv:3`): relative to the project root when inside
 * it, else its file name alone, so the same file gives the same function
 * version on every machine and from every folder.
 */
export function bundleName(file: string): string {
  const name = displayName(file);
  return path.isAbsolute(name) ? path.basename(name) : name;
}

/** Byte offset of the first byte that is not part of well-formed UTF-8, or -1. */
export function invalidUtf8At(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Length and the allowed range of the second byte (no overlongs, surrogates or code points past U+10FFFF).
    const [n, lo, hi] =
      b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf] : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf]
      : b === 0xf0 ? [4, 0x90, 0xbf] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : [0, 0, 0];
    if (n === 0) return i;
    if (i + 1 >= bytes.length || bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k < n; k++) if (i + k >= bytes.length || bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += n;
  }
  return -1;
}

function read(file: string, problems: ConfigProblem[], what: string): string | undefined {
  const fail = (message: string, line?: number, fix = `give the path of ${what}.`): undefined => {
    problems.push({ file: displayName(file), ...(line !== undefined ? { line } : {}), message, fix });
    return undefined;
  };
  let bytes: Buffer;
  try {
    // A device, FIFO or socket (--redirects /dev/zero) would be read forever or block: only regular files are read.
    const stat = fs.statSync(file);
    if (stat.isDirectory()) return fail('is a folder, not a file.');
    if (!stat.isFile()) return fail('is not a regular file (a device, pipe or socket).');
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'does not exist.' : code === 'EISDIR' ? 'is a folder, not a file.' : `cannot be read (${code ?? String(err)}).`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = Math.max(0, invalidUtf8At(bytes));
    let line = 1;
    for (let i = bytes.indexOf(10); i >= 0 && i < at; i = bytes.indexOf(10, i + 1)) line++;
    const hex = bytes[at].toString(16).toUpperCase().padStart(2, '0');
    return fail(`is not valid UTF-8: byte 0x${hex} does not start or continue a character.`, line, 'save the file as UTF-8 (percent-encode non-ASCII characters in URLs).');
  }
}

/** A segment no source holds: it stands for "any further path" at the end of a probe. */
const ANY_SUFFIX = 'zz-any-suffix-probe';
/** A label no hostname holds: it stands for "any name" below a wildcard hostname. */
const ANY_LABEL = 'zz-any-name-probe';
/** How many requests are tried per entry when searching for a chain that only some suffixes take. */
const MAX_PROBES_PER_ENTRY = 256;

/** A request a probe sends: scheme, host and path (no query: sources match none, and a query never changes which entry matches). */
interface Probe {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly path: string;
}

/**
 * The engine over `tables`, made to take one hop only: internal targets are
 * not followed but answered (their hosts allowed), so each hop of a chain
 * can be seen. Matching is the engine's own.
 */
function oneHopEngine(tables: CompiledTables, internal: readonly BulkEntry[]): RedirectEngine {
  const hosts = new Set(tables.allowedHosts);
  for (const e of internal) hosts.add(new URL(e.target).hostname);
  return new RedirectEngine({ ...tables, allowedHosts: [...hosts].sort(), bulk: { ...tables.bulk, internalTargets: [] } });
}

/** The hosts a request can carry to match `e`: its own and, with INCLUDE_SUBDOMAINS, every redirect host (or name under a wildcard) below it. */
function probeHosts(e: BulkEntry, sites: SitesConfig, entries: readonly BulkEntry[]): string[] {
  if (!e.includeSubdomains) return [e.host];
  const below = (h: string): boolean => h === e.host || h.endsWith('.' + e.host);
  const hosts = new Set<string>([e.host]);
  for (const s of sites.sites) {
    if (s.mode === 'frozen') continue;
    for (const h of s.hostnames) {
      const name = h.startsWith('*.') ? ANY_LABEL + h.slice(1) : h;
      if (below(name)) hosts.add(name);
    }
  }
  for (const other of entries) if (below(other.host)) hosts.add(other.host);
  return [...hosts];
}

/**
 * Every request whose chain of internal hops must be checked for entry `e`,
 * until one that is `bad`: its own source and, with INCLUDE_SUBDOMAINS or
 * SUBPATH_MATCHING, the hosts and paths below it. A chain can depend on the
 * path below a subpath source (a later hop may match a deeper source), so
 * where a hop carries the rest of the path on, the rest is extended by each
 * source that could match one step deeper, and tried again.
 */
function findBadProbe(e: BulkEntry, hosts: readonly string[], hop: (p: Probe) => Probe | undefined, below: (host: string, path: string) => readonly BulkEntry[], bad: (p: Probe) => boolean): Probe | undefined {
  const scheme: Probe['scheme'] = e.scheme === 'http' ? 'http' : 'https';
  const queue: Probe[] = hosts.flatMap((host) => [{ scheme, host, path: e.path }, ...(e.subpathMatching ? [{ scheme, host, path: join(e.path, ANY_SUFFIX) }] : [])]);
  const seen = new Set(queue.map((p) => p.host + p.path));
  for (let tried = 0; tried < queue.length && tried < MAX_PROBES_PER_ENTRY; tried++) {
    const probe = queue[tried];
    if (bad(probe)) return probe;
    if (!probe.path.endsWith('/' + ANY_SUFFIX)) continue;
    const stem = probe.path.slice(0, -ANY_SUFFIX.length - 1) || '/';
    // Each hop of the probe's chain that still ends in the open suffix: sources one step deeper there.
    let at: Probe | undefined = probe;
    for (let hops = 0; at && hops <= MAX_INTERNAL_HOPS; hops++, at = hop(at)) {
      if (!at.path.endsWith('/' + ANY_SUFFIX)) break;
      const there = at.path.slice(0, -ANY_SUFFIX.length - 1) || '/';
      for (const deeper of below(at.host, there)) {
        const rest = deeper.path.slice(there === '/' ? 0 : there.length);
        for (const path of [join(stem, rest), join(join(stem, rest), ANY_SUFFIX)]) {
          if (seen.has(probe.host + path)) continue;
          seen.add(probe.host + path);
          queue.push({ scheme, host: probe.host, path });
        }
      }
    }
  }
  return undefined;
}

/** `path` + `/` + `rest` (`rest` with or without its leading `/`). */
function join(path: string, rest: string): string {
  return (path === '/' ? '' : path) + (rest.startsWith('/') ? rest : '/' + rest);
}

/**
 * Checks each bulk entry that leads into this project's own hosts: following
 * it must end within `MAX_INTERNAL_HOPS` entries, for every request it
 * matches (its own source, and with INCLUDE_SUBDOMAINS or SUBPATH_MATCHING
 * the hosts and paths below it, as the engine matches them); a loop, or a
 * chain through more entries, is a problem at its line. And where the
 * source's cache key holds no country (a host that is not region-path, or a
 * path that names its region) it must not end in an answer that depends on
 * the visitor's country: CloudFront would serve the first visitor's answer
 * to every other.
 */
function checkInternalTargets(
  p: ProblemList,
  entries: readonly BulkEntry[],
  tables: CompiledTables,
  sites: SitesConfig,
  engineOf: () => RedirectEngine,
): void {
  const internal = entries.filter((e) => e.internal);
  if (internal.length === 0) return;
  const engine = engineOf();
  const single = oneHopEngine(tables, internal);
  const byLine = new Map(entries.map((e) => [e.line, e]));
  const bulkRule = `bulk:${tables.bulk.file}:`;
  const decide = (probe: Probe): ReturnType<RedirectEngine['decide']> => engine.decide({ method: 'GET', ...probe, query: '' });
  // Too long: the engine gave up (a loop, or more hops than it follows), or went through more entries than documented.
  const bad = (probe: Probe): boolean => {
    const rule = decide(probe).rule;
    return rule.includes('fallback:redirect-loop') || rule.split(' > ').filter((r) => r.startsWith(bulkRule)).length > MAX_INTERNAL_HOPS;
  };
  // One hop of a chain: where an internal target sends the request next, or undefined where the chain ends.
  const hop = (probe: Probe): Probe | undefined => {
    const d = single.decide({ method: 'GET', ...probe, query: '' });
    const entry = d.rule.startsWith(bulkRule) ? byLine.get(Number(d.rule.slice(bulkRule.length))) : undefined;
    if (!entry?.internal || d.location === null) return undefined;
    const m = /^https:\/\/([^/?#]*)([^?#]*)/.exec(d.location);
    return m ? { scheme: 'https', host: m[1], path: m[2] || '/' } : undefined;
  };
  // Sources strictly below `host` + `path`, on the host or a domain of it, built on first use.
  let index: Map<string, BulkEntry[]> | undefined;
  const below = (host: string, path: string): readonly BulkEntry[] => {
    if (!index) {
      index = new Map();
      for (const e of entries) {
        const segments = e.path.split('/').filter((s) => s !== '');
        for (let d = 0; d < segments.length; d++) {
          const key = e.host + '/' + segments.slice(0, d).join('/');
          const list = index.get(key) ?? [];
          list.push(e);
          index.set(key, list);
        }
      }
    }
    const found: BulkEntry[] = [];
    for (let h = host; h !== ''; h = h.includes('.') ? h.slice(h.indexOf('.') + 1) : '') {
      for (const e of index.get(h + path) ?? []) if (h === host || e.includeSubdomains) found.push(e);
    }
    return found;
  };
  const regionPath = new Set(sites.sites.filter((s) => s.mode === 'region-path').flatMap((s) => s.hostnames));
  const regions = sites.regions.map((r) => r.name);
  for (const e of internal) {
    const own: Probe = { scheme: e.scheme === 'http' ? 'http' : 'https', host: e.host, path: e.path };
    const badProbe = findBadProbe(e, probeHosts(e, sites, entries), hop, below, bad);
    const d = decide(own);
    if (badProbe) {
      const shown = `${badProbe.scheme}://${badProbe.host.replace(ANY_LABEL, 'x')}${badProbe.path.replace(ANY_SUFFIX, 'x')}`;
      const at = badProbe.host === own.host && badProbe.path === own.path ? '' : ` (a request to ${shown} does)`;
      p.atLine(e.line, `TARGET_URL ${JSON.stringify(e.target)} leads back into this list in a loop, or through more than ${MAX_INTERNAL_HOPS} of its entries${at}.`, 'point the target at the final destination.');
    } else if (d.perVisitor && (!regionPath.has(e.host) || namesRegion(e.path, regions))) {
      p.atLine(
        e.line,
        `TARGET_URL ${JSON.stringify(e.target)} leads to an answer that depends on the visitor's country (${d.rule}), but the cache key of ${e.host}${e.path} holds no country: every visitor would get the first one's answer.`,
        'point the target at a page that names its region, such as https://po.co/global/..., or at the store page itself.',
      );
    }
  }
}

/**
 * Bulk entries that are valid but never answer, or change nothing, as
 * `npm run report` lists them: an http:// source (CloudFront redirects HTTP
 * to HTTPS before the function runs); a scheme-less source that an https://
 * line with the same source answers instead (shadowed); an entry that decides
 * only its own URL, and the rules file alone answers it the same (redundant).
 * Warnings: the list still loads.
 */
function bulkWarnings(file: string, entries: readonly BulkEntry[], tables: CompiledTables, engineOf: () => RedirectEngine): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const warn = (line: number, message: string, fix: string): number => warnings.push({ file, line, message, fix });
  const https = new Map<string, BulkEntry>();
  for (const e of entries) if (e.scheme === 'https') https.set(e.host + e.path, e);
  let rulesAlone: RedirectEngine | undefined;
  const bulkRule = `bulk:${tables.bulk.file}:`;
  for (const e of entries) {
    const url = `https://${e.host}${e.path}`;
    if (e.scheme === 'http') {
      warn(e.line, `SOURCE_URL ${JSON.stringify(e.source)} never matches: CloudFront redirects HTTP to HTTPS before the function runs.`, 'write https:// or no scheme.');
      continue;
    }
    const twin = e.scheme === 'any' ? https.get(e.host + e.path) : undefined;
    if (twin) {
      const rule = engineOf().decide({ method: 'GET', scheme: 'https', host: e.host, path: e.path, query: '' }).rule;
      if (rule !== bulkRule + e.line && !rule.startsWith(bulkRule + e.line + ' > ')) {
        warn(e.line, `SOURCE_URL ${JSON.stringify(e.source)} is shadowed: at ${url} line ${twin.line} (${JSON.stringify(twin.source)}) answers, and CloudFront sends only HTTPS.`, `keep one of lines ${Math.min(e.line, twin.line)} and ${Math.max(e.line, twin.line)}.`);
        continue;
      }
    }
    // Only entries that decide their own URL and nothing else: subpaths, queries and subdomains could make them matter elsewhere.
    if (e.internal || e.subpathMatching || e.preserveQueryString || e.includeSubdomains) continue;
    rulesAlone ??= new RedirectEngine(withoutBulkColumns(tables));
    const d = rulesAlone.decide({ method: 'GET', scheme: 'https', host: e.host, path: e.path, query: '', country: '' });
    if (d.action === 'redirect' && !d.perVisitor && d.status === e.status && d.location === e.target) {
      warn(e.line, `is redundant: the rules file already answers ${d.status} ${d.location} at ${url} (${d.rule}).`, 'remove this line.');
    }
  }
  return warnings;
}

function printWarnings(warnings: readonly ConfigProblem[], onWarning: LoadOptions['onWarning']): void {
  const emit = onWarning ?? ((w: string): boolean => process.stderr.write(`warning: ${w}\n`));
  for (const w of warnings) emit(formatProblem(w));
}

interface Collected {
  readonly problems: ConfigProblem[];
  readonly sitesFile: string;
  readonly sites?: SitesConfig;
  readonly entries: BulkEntry[];
  readonly products: ProductsByRegion;
  readonly tables?: CompiledTables;
  readonly warnings: ConfigProblem[];
}

function collect(options: LoadOptions): Collected {
  const { sitesFile, redirectsFile, rulesFile, catalogFile } = withDefaultFiles(options);
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
  let warnings: ConfigProblem[] = [];
  if (sites) {
    // Compiled from the valid lines even when others are wrong, so loops are reported in the same run.
    const compiled = compileTables(sites, bundleName(redirectsFile), entries, { rules, products });
    // One engine over the whole list for both checks, made only if one needs it (it packs the bulk list).
    let engine: RedirectEngine | undefined;
    const engineOf = (): RedirectEngine => (engine ??= new RedirectEngine(compiled));
    tables = compiled;
    checkInternalTargets(rp, entries, compiled, sites, engineOf);
    warnings = bulkWarnings(rp.file, entries, compiled, engineOf);
  }
  const byLine = (a: ConfigProblem, b: ConfigProblem): number => (a.line ?? 0) - (b.line ?? 0);
  return {
    problems: [...ioProblems, ...sp.problems, ...cp.problems, ...up.problems, ...[...rp.problems].sort(byLine)],
    sitesFile,
    sites,
    entries,
    products,
    tables,
    warnings,
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
  const { problems, sites, entries, products, tables, warnings } = collect(options);
  if (problems.length > 0 || !sites || !tables) throw new ConfigError(problems);
  printWarnings(warnings, options.onWarning);
  return { sites, entries, products, tables, warnings };
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
  const { problems, sitesFile, sites, entries, products, tables, warnings } = collect(options);
  const stagesFile = options.stagesFile ?? DEFAULT_STAGES_FILE;
  const stagesText = read(stagesFile, problems, 'the stages file (default config/stages.json)');
  const tp = new ProblemList(displayName(stagesFile));
  const stages = stagesText === undefined ? undefined : parseStages(stagesText, tp, sites);
  const stage = stages ? selectStage(tp, stages, options.stage) : undefined;
  problems.push(...tp.problems);
  if (problems.length > 0 || !sites || !tables || !stage) throw new ConfigError(problems);
  printWarnings(warnings, options.onWarning);
  return { sites, entries, products, tables, warnings, stage, contentDirs: contentDirsOf(sites, sitesFile) };
}

/** Absolute folder of each frozen site's snapshot, by site name, for those that name one (relative to the sites file). */
export function contentDirsOf(sites: SitesConfig, sitesFile: string = DEFAULT_SITES_FILE): ReadonlyMap<string, string> {
  const dirs = new Map<string, string>();
  for (const site of sites.sites) if (site.content) dirs.set(site.name, path.resolve(path.dirname(sitesFile), site.content));
  return dirs;
}
