/** Test helpers: tables and engines from inline config text, requests from URLs. */
import * as fs from 'fs';
import { BulkIndex, CompiledTables, Decision, EngineRequest, PathScan, RedirectEngine } from '../../lambda/engine';
import { compileTables } from '../../lib/config/compile';
import { DEFAULT_SITES_FILE } from '../../lib/config/load';
import { ConfigProblem, formatProblem, ProblemList } from '../../lib/config/problems';
import { BulkEntry, hostRoles, parseRedirects } from '../../lib/config/redirects';
import { parseSites, SitesConfig } from '../../lib/config/sites';
import { parseRawUrl, ParsedUrl } from '../../lib/cli/resolve';

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

export function tablesFor(csv = '', sitesText = DEFAULT_SITES_TEXT): CompiledTables {
  return compileTables(sites(sitesText), 'list.csv', entries(csv, sitesText));
}

export function engineFor(csv = '', sitesText = DEFAULT_SITES_TEXT): RedirectEngine {
  return new RedirectEngine(tablesFor(csv, sitesText));
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
