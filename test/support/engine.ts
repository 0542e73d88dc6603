/** Test helpers: tables and engines from inline config text, requests from URLs. */
import * as fs from 'fs';
import { BulkIndex, CompiledTables, Decision, EngineRequest, PathScan, RedirectEngine } from '../../lambda/engine';
import { compileTables, regionOrder } from '../../lib/config/compile';
import { DEFAULT_RULES_FILE, DEFAULT_SITES_FILE, loadCatalog, Ruleset } from '../../lib/config/load';
import { parseRules } from '../../lib/config/rules';
import { ConfigProblem, formatProblem, ProblemList } from '../../lib/config/problems';
import { BulkEntry, hostRoles, parseRedirects } from '../../lib/config/redirects';
import { parseSites, SitesConfig } from '../../lib/config/sites';
import { parseRawUrl, ParsedUrl } from '../../lib/rules/request';

export const DEFAULT_SITES_TEXT = fs.readFileSync(DEFAULT_SITES_FILE, 'utf8');

export function sites(text = DEFAULT_SITES_TEXT): SitesConfig {
  const p = new ProblemList('sites.json');
  const s = parseSites(text, p);
  if (!s) throw new Error(p.problems.map(formatProblem).join('\n'));
  return s;
}

/** Problems of a bulk list against the default sites, formatted. */
export function csvProblems(csv: string, sitesText = DEFAULT_SITES_TEXT): string[] {
  const p = new ProblemList('list.csv');
  parseRedirects(csv, p, hostRoles(sites(sitesText)));
  return p.problems.map(formatProblem);
}

export function entries(csv: string, sitesText = DEFAULT_SITES_TEXT): BulkEntry[] {
  const p = new ProblemList('list.csv');
  const e = parseRedirects(csv, p, hostRoles(sites(sitesText)));
  if (!p.ok) throw new Error(p.problems.map((x: ConfigProblem) => formatProblem(x)).join('\n'));
  return e;
}

export const DEFAULT_RULES_TEXT = fs.readFileSync(DEFAULT_RULES_FILE, 'utf8');

/**
 * The default rules file's rules within a region (those whose source is a
 * path): the ones that hold for any sites file, where the rules of the
 * default hostnames (c.po.co, *.po.co) may name hosts it lacks.
 */
export const REGION_RULES_TEXT = DEFAULT_RULES_TEXT.split('\n')
  .filter((l) => !/^[^\s#/]/.test(l))
  .join('\n');

/** The id of the `nth` rule named `name` in config/rules.txt: `rule:<name>@config/rules.txt:<line>`. */
export function defaultRule(name: string, nth = 0): string {
  const lines = DEFAULT_RULES_TEXT.split('\n')
    .map((l, i) => [l, i + 1] as const)
    .filter(([l]) => new RegExp(`\\sName=${name}(\\s|$)`).test(l));
  if (lines[nth] === undefined) throw new Error(`config/rules.txt has no rule named ${name} (number ${nth})`);
  return `rule:${name}@config/rules.txt:${lines[nth][1]}`;
}

/** Rules and the default catalogue, checked against `s`: the default rules, or for another sites file those within a region. */
function rulesetFor(s: SitesConfig, sitesText: string, rulesText?: string): Ruleset {
  const text = rulesText ?? (sitesText === DEFAULT_SITES_TEXT ? DEFAULT_RULES_TEXT : REGION_RULES_TEXT);
  const p = new ProblemList('config/rules.txt');
  const products = loadCatalog(s);
  const rules = parseRules(text, p, { sites: s, regions: regionOrder(s), products });
  if (!p.ok) throw new Error(p.problems.map(formatProblem).join('\n'));
  return { rules, products };
}

export function tablesFor(csv = '', sitesText = DEFAULT_SITES_TEXT, rulesText?: string): CompiledTables {
  const s = sites(sitesText);
  return compileTables(s, 'list.csv', entries(csv, sitesText), rulesetFor(s, sitesText, rulesText));
}

export function engineFor(csv = '', sitesText = DEFAULT_SITES_TEXT, rulesText?: string): RedirectEngine {
  return new RedirectEngine(tablesFor(csv, sitesText, rulesText));
}

/** An engine request from a URL, with an optional country and method. */
export function req(url: string, country = '', method = 'GET'): EngineRequest {
  const u = parseRawUrl(url);
  if (typeof u === 'string') throw new Error(u);
  const p = u as ParsedUrl;
  return { method, scheme: p.scheme, host: p.host, path: p.path, query: p.query, country };
}

/** `STATUS LOCATION` of a decision, or `origin` / `respond STATUS`: compact for tables. */
export function brief(d: Decision): string {
  return d.action === 'redirect' ? `${d.status} ${d.location}` : d.action === 'origin' ? 'origin' : `respond ${d.status}`;
}

/** The bulk entry an https request matches and how many path segments its source covered, or undefined: the engine's two calls to the index. */
export function bulkMatch(index: BulkIndex, host: string, path: string): { entry: number; depth: number } | undefined {
  const plan = index.plan(host);
  const entry = plan ? index.matchEntry('https', plan, PathScan.of(path)) : -1;
  return entry < 0 ? undefined : { entry, depth: index.matchDepth };
}
