/**
 * Decision cost per request of one list's tables: the engine alone (bundled
 * by esbuild as it ships), the bundled handler with a CloudFront event, a
 * single `Map.get` of the request path (the floor), and a first-match scan
 * over the same rules; with the list's compile time and package.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { buildSync } from 'esbuild';
import { canonicalPath, CompiledTables, EngineRequest, pathKey } from '../../lambda/engine';
import type { EdgeHandler } from '../../lambda/handler';
import { EDGE_BUILD_OPTIONS } from '../edge/bundle';
import { originRequestEvent } from '../edge/cloudfront-event';
import { compileTables } from '../config/compile';
import { DEFAULT_SITES_FILE, loadRuleset, PROJECT_ROOT, Ruleset } from '../config/load';
import { OpsError, ProblemList } from '../config/problems';
import { BulkEntry, hostRoles, parseRedirects } from '../config/redirects';
import { parseSites, SitesConfig } from '../config/sites';
import { generatedSource } from './generate-list';
import { measurePackage, PackageMeasure } from './package';
import { ListRow, median, RunTimes } from './stats';
import { asDelivered, Subject, timeSideBySide } from './timing';

/**
 * The request mix, the same for every list: half the shapes of real legacy
 * links (../shared/data/legacy-links: product pages and subpages with and
 * without /product/, homes, support, the community, unknown products), half
 * URLs that are sources in generated lists (bulk hits there, rules with the
 * default list).
 */
function corpus(): EngineRequest[] {
  const real = [
    ['www.po.co', '/global/product/poco-f6/specs/', ''],
    ['www.po.co', '/global/product/poco-x5-pro-5g/specs', ''],
    ['www.po.co', '/global/poco-x3-nfc/specs/', ''],
    ['www.po.co', '/ru/poco-x4-pro-5g/specs', ''],
    ['www.po.co', '/tw/', ''],
    ['www.po.co', '/', 'ID'],
    ['c.po.co', '/global/', ''],
    ['www.po.co', '/global/support/contact/', ''],
    ['po.co', '/FR/Product/POCO-X7/specs', ''],
    ['uk.po.co', '/product/poco-f8-pro/buy', 'GB'],
  ];
  // No query string: at the edge it is not in the cache key, so the function decides without it (the viewer-response function appends it).
  const out: EngineRequest[] = real.map(([host, p, country]) => ({ method: 'GET', scheme: 'https', host, path: p, query: '', country }));
  for (let i = 0; i < real.length; i++) {
    const [host, ...rest] = generatedSource((i * 7907) % 1000).split('/');
    out.push({ method: 'GET', scheme: 'https', host, path: '/' + rest.join('/'), query: '', country: 'IT' });
  }
  return out;
}

type EngineModule = typeof import('../../lambda/engine');
/**
 * The engine as it ships: lambda/engine built by esbuild with the edge
 * bundle's options into the list's folder, so that it is timed as the
 * deployed code runs and not through tsx's per-module wrappers, and loaded
 * from there, as the list's handler is loaded from its own bundle.
 */
function shippedEngine(dir: string): EngineModule {
  const outfile = path.join(dir, 'engine.js');
  buildSync({ ...EDGE_BUILD_OPTIONS, entryPoints: [path.join(PROJECT_ROOT, 'lambda', 'engine', 'index.ts')], outfile });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(outfile) as EngineModule;
}

/** The default sites file, parsed. */
function defaultSites(): SitesConfig {
  const sites = parseSites(fs.readFileSync(DEFAULT_SITES_FILE, 'utf8'), new ProblemList(DEFAULT_SITES_FILE));
  if (!sites) throw new OpsError('config/sites.json is invalid; run npm run resolve for the problems');
  return sites;
}

/** The list `csv` (named `list`) parsed and compiled with the default sites and `ruleset` (the default one when absent), timed. */
function compileList(
  list: string,
  csv: string,
  ruleset?: (sites: SitesConfig) => Ruleset,
): { entries: BulkEntry[]; tables: CompiledTables; compileMs: number } {
  const sites = defaultSites();
  const t0 = process.hrtime.bigint();
  const rp = new ProblemList(list);
  const entries: BulkEntry[] = parseRedirects(csv, rp, hostRoles(sites));
  const tables: CompiledTables = compileTables(sites, list, entries, ruleset ? ruleset(sites) : loadRuleset(sites));
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!rp.ok) throw new OpsError(`${list} has ${rp.problems.length} problems`);
  return { entries, tables, compileMs };
}

/**
 * The shipped engine (built into `dir`), the bundled handler (`file`) and
 * `Map.get` over the bulk keys, timed side by side on `requests`, `runs`
 * times. The handler's log lines are built, not printed.
 */
async function timeDecisions(
  tables: CompiledTables,
  dir: string,
  file: string,
  requests: readonly EngineRequest[],
  runs: number,
): Promise<RunTimes[]> {
  const engine = new (shippedEngine(dir).RedirectEngine)(tables);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler: EdgeHandler = require(file).handler;
  const events: CloudFrontRequestEvent[] = asDelivered(
    requests.map((r) => originRequestEvent({ host: r.host, uri: r.path, querystring: r.query, country: r.country })),
  );
  const map = new Map<string, number>();
  tables.bulk.keys.forEach((k, i) => map.set(k, i));
  const keys = asDelivered(requests.map((r) => r.host + r.path));
  const log = console.log;
  console.log = () => undefined;
  const times: RunTimes[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const [engineNs, handlerNs, mapGetNs] = await timeSideBySide([
        { items: requests, fn: (r: EngineRequest) => engine.decide(r) } as Subject,
        { items: events, fn: (e: CloudFrontRequestEvent) => handler(e) } as Subject,
        { items: keys, fn: (k: string) => map.get(k) } as Subject,
      ]);
      times.push({ engineNs, handlerNs, mapGetNs });
    }
  } finally {
    console.log = log;
  }
  return times;
}

/** What simple redirectors do, timed: normalise, then test the rules in order until one matches. */
async function timeFirstMatch(entries: readonly BulkEntry[], requests: readonly EngineRequest[]): Promise<number> {
  const rules = entries.map((e) => ({ host: e.host, path: e.path, subpath: e.subpathMatching, target: e.target }));
  const scan = (r: EngineRequest): string | undefined => {
    const p = pathKey(canonicalPath(r.path).segments);
    for (const rule of rules) {
      if (rule.host === r.host && (rule.path === p || (rule.subpath && p.startsWith(rule.path === '/' ? '/' : rule.path + '/'))))
        return rule.target;
    }
    return undefined;
  };
  const [firstMatchNs] = await timeSideBySide([{ items: requests, fn: scan } as Subject], 40, entries.length > 20000 ? 2 : 5);
  return firstMatchNs;
}

/** The package built into a temporary folder, its cold start, and the decisions timed on the request mix `runs` times. */
async function measureBuilt(
  tables: CompiledTables,
  runs: number,
): Promise<{ pkg: PackageMeasure; requests: EngineRequest[]; times: RunTimes[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-bench-'));
  try {
    const pkg = measurePackage(tables, dir);
    const requests = asDelivered(corpus());
    return { pkg, requests, times: await timeDecisions(tables, dir, pkg.file, requests, runs) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Measures one list (`csv`, named `list`) in this process: compile time, package, cold start, and decision costs timed `runs` times. */
export async function measure(list: string, csv: string, runs = 1, ruleset?: (sites: SitesConfig) => Ruleset): Promise<ListRow> {
  const { entries, tables, compileMs } = compileList(list, csv, ruleset);
  const { pkg, requests, times } = await measureBuilt(tables, runs);
  const firstMatchNs = await timeFirstMatch(entries, requests);
  return {
    list,
    lines: entries.length,
    compileMs,
    bundleBytes: pkg.bytes,
    bundleCompressedBytes: pkg.compressedBytes,
    coldStartMs: pkg.coldStartMs,
    engineNs: median(times.map((t) => t.engineNs)),
    handlerNs: median(times.map((t) => t.handlerNs)),
    mapGetNs: median(times.map((t) => t.mapGetNs)),
    runs: times,
    firstMatchNs,
  };
}
