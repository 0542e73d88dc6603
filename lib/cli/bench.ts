/**
 * npm run bench [-- --sizes 1000,10000,100000,1000000 --runs 1 --processes 1 --synth-runs 3 --out FILE]
 *
 * Measures on this machine, with the default bulk list and generated lists:
 * - decision cost per request: the engine alone (bundled by esbuild as it
 *   ships), and the bundled handler with a CloudFront event, beside a single
 *   Map.get of the request path (the floor) and a first-match scan over the
 *   same rules;
 * - compile time (parse, validate, compile) and the package's size;
 * - cold start: loading the bundle in a fresh Node.js process;
 * - synth time of the app beside a minimal CDK app with one distribution,
 *   both through the pinned CLI, alternating, in the same run;
 * - how often the edge function runs behind CloudFront's cache: a traffic
 *   model played through the current templates and the last release's
 *   (lib/bench/edge-runs.ts; `--traffic-only` measures only this).
 * Prints a table and the issue's targets, met or not, and writes the numbers
 * as JSON. Each list is measured in a fresh Node.js process of its own, as a
 * deployed function runs with one set of tables (`measureIsolated`).
 * Decision costs are each subject's fastest of 15 rounds taken side by side;
 * with `--runs N` that timing is repeated N times per list in its process,
 * and with `--processes N` each list is measured in N processes in turn:
 * the table shows medians over all the timings (the ratios to the floor: the
 * median of each timing's ratio, with their range and how many met the
 * goal). V8 seeds its string hashes per process, so the floor's `Map.get`
 * meets different collisions in each, and one process is one sample of
 * that. Cold start and synth are medians. Nothing here is asserted by the
 * test suite.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { buildSync } from 'esbuild';
import { canonicalPath, CompiledTables, EngineRequest, pathKey } from '../../lambda/engine';
import type { EdgeHandler } from '../../lambda/handler';
import { bundleEdgeFunction, EDGE_BUILD_OPTIONS, writeBundle } from '../edge/bundle';
import { EDGE_EVENT, EDGE_LIMITS } from '../edge/limits';
import { originRequestEvent } from '../edge/cloudfront-event';
import { compileTables } from '../config/compile';
import { DEFAULT_CATALOG_FILE, DEFAULT_REDIRECTS_FILE, DEFAULT_RULES_FILE, DEFAULT_SITES_FILE, loadRuleset, PROJECT_ROOT, Ruleset } from '../config/load';
import { ProblemList } from '../config/problems';
import { BulkEntry, hostRoles, parseRedirects } from '../config/redirects';
import { parseSites, SitesConfig } from '../config/sites';
import { generatedSource, generateList } from '../bench/generate-list';
import { synthesize } from '../review/assembly';
import { ListRow, median, mergeProcesses, RunTimes } from '../bench/stats';
import { benchEdgeRuns, DEFAULT_BASELINE_REF, EdgeRunsReport } from '../bench/edge-runs';

type Row = ListRow;

/** A function timed per call over its inputs. */
interface Subject<T = unknown> {
  readonly items: readonly T[];
  readonly fn: (item: T) => unknown;
}

/**
 * One pass of `fn` over `items`; awaits only the last result, and only when
 * it is a promise: the handler does all its work before returning one, and
 * earlier ones settle first.
 */
async function pass<T>({ items, fn }: Subject<T>): Promise<number> {
  let last: unknown;
  for (const item of items) last = fn(item);
  if (last instanceof Promise) await last; // sync functions never wait
  return items.length;
}

/** ns per call of one round of at least `minMs`. */
async function round(subject: Subject, minMs: number): Promise<number> {
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    calls += await pass(subject);
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < BigInt(minMs) * 1000000n);
  return Number(elapsed) / calls;
}

/**
 * ns per call of each subject, measured side by side: after a warm-up of
 * `minMs * 4` each (so the JIT has settled), `rounds` rounds that each time
 * every subject in turn for at least `minMs`. Each subject's result is its
 * fastest round: noise on a shared machine only ever adds time, and
 * interleaving exposes every subject to the same noise.
 */
async function timeSideBySide(subjects: readonly Subject[], minMs = 40, rounds = 15): Promise<number[]> {
  for (const subject of subjects) await round(subject, minMs * 4);
  const best = subjects.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < subjects.length; i++) best[i] = Math.min(best[i], await round(subjects[i], minMs));
  }
  return best;
}

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

/** Extra rules and catalogue entries of the `rules` list: the default rules file after this many rules of their own. */
const GENERATED_RULES = 10000;
/** Generated product slugs per store region in the `rules` list's catalogue. */
const GENERATED_SLUGS_PER_STORE = 5000;

/**
 * A rules file of `GENERATED_RULES` campaign rules (each its own literal
 * first segment) followed by the default rules, and a catalogue of the
 * default one's slugs plus `GENERATED_SLUGS_PER_STORE` per store, written
 * into `dir`: the same requests then meet far more rules and products.
 */
function generatedRuleset(dir: string): { rulesFile: string; catalogFile: string } {
  const rulesFile = path.join(dir, 'rules.txt');
  const catalogFile = path.join(dir, 'catalog.json');
  const campaigns = Array.from({ length: GENERATED_RULES }, (_, i) => `/campaign-${i}/* :store/sale/ 302 Name=campaign`).join('\n');
  fs.writeFileSync(rulesFile, campaigns + '\n' + fs.readFileSync(DEFAULT_RULES_FILE, 'utf8'));
  const catalog = JSON.parse(fs.readFileSync(DEFAULT_CATALOG_FILE, 'utf8')) as { stores: Record<string, string[]> };
  for (const store of Object.keys(catalog.stores)) {
    catalog.stores[store].push(...Array.from({ length: GENERATED_SLUGS_PER_STORE }, (_, i) => `poco-gen-${i}`));
  }
  fs.writeFileSync(catalogFile, JSON.stringify(catalog));
  return { rulesFile, catalogFile };
}

/**
 * A value as Lambda hands it to the function: parsed from JSON, so that its
 * strings are flat, as a real event's are. Strings the bench builds by
 * concatenation stay V8 cons strings, which every subject would then read
 * through an extra indirection per character.
 */
function asDelivered<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
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

function coldStart(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`loading ${file} failed: ${r.stderr}`);
    runs.push(Number(r.stdout));
  }
  return runs.sort((a, b) => a - b)[1];
}

async function measure(list: string, csv: string, runs = 1, ruleset?: (sites: SitesConfig) => Ruleset): Promise<Row> {
  const sp = new ProblemList(DEFAULT_SITES_FILE);
  const sites = parseSites(fs.readFileSync(DEFAULT_SITES_FILE, 'utf8'), sp);
  if (!sites) throw new Error('config/sites.json is invalid; run npm run resolve for the problems');
  const t0 = process.hrtime.bigint();
  const rp = new ProblemList(list);
  const entries: BulkEntry[] = parseRedirects(csv, rp, hostRoles(sites));
  const tables: CompiledTables = compileTables(sites, list, entries, ruleset ? ruleset(sites) : loadRuleset(sites));
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!rp.ok) throw new Error(`${list} has ${rp.problems.length} problems`);

  const bundle = bundleEdgeFunction(tables);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-bench-'));
  const file = writeBundle(bundle, dir);
  const coldStartMs = coldStart(file);

  const requests = asDelivered(corpus());
  const engine = new (shippedEngine(dir).RedirectEngine)(tables);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler: EdgeHandler = require(file).handler;
  const events: CloudFrontRequestEvent[] = asDelivered(requests.map((r) => originRequestEvent({ host: r.host, uri: r.path, querystring: r.query, country: r.country })));
  const map = new Map<string, number>();
  tables.bulk.keys.forEach((k, i) => map.set(k, i));
  const keys = asDelivered(requests.map((r) => r.host + r.path));

  const log = console.log;
  console.log = () => undefined; // the handler's log lines are built, not printed
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
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // What simple redirectors do: normalise, then test the rules in order until one matches.
  const rules = entries.map((e) => ({ host: e.host, path: e.path, subpath: e.subpathMatching, target: e.target }));
  const scan = (r: EngineRequest): string | undefined => {
    const p = pathKey(canonicalPath(r.path).segments);
    for (const rule of rules) {
      if (rule.host === r.host && (rule.path === p || (rule.subpath && p.startsWith(rule.path === '/' ? '/' : rule.path + '/')))) return rule.target;
    }
    return undefined;
  };
  const [firstMatchNs] = await timeSideBySide([{ items: requests, fn: scan } as Subject], 40, entries.length > 20000 ? 2 : 5);

  return {
    list,
    lines: entries.length,
    compileMs,
    bundleBytes: bundle.bytes,
    bundleCompressedBytes: bundle.compressedBytes,
    coldStartMs,
    engineNs: median(times.map((t) => t.engineNs)),
    handlerNs: median(times.map((t) => t.handlerNs)),
    mapGetNs: median(times.map((t) => t.mapGetNs)),
    runs: times,
    firstMatchNs,
  };
}

/** A CDK app with one distribution and nothing else, in TypeScript run by tsx as the project's app is. */
const MINIMAL_APP = `import { App, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
const app = new App();
const stack = new Stack(app, 'Minimal', { env: { account: '111111111111', region: 'us-east-1' } });
new cloudfront.Distribution(stack, 'Distribution', { defaultBehavior: { origin: new origins.HttpOrigin('www.mi.com') } });
`;

/** Seconds of one `cdk synth --quiet` in `cwd`, through the pinned CLI as `npm run diff` runs it. */
function synthSeconds(cwd: string, outdir: string): number {
  const t = process.hrtime.bigint();
  synthesize(cwd, outdir, [], `the app in ${cwd}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

interface SynthResult {
  appSeconds: number[];
  minimalSeconds: number[];
  appMedian: number;
  minimalMedian: number;
  ratio: number;
}

/** Synth of the app and of the minimal app, alternating so that machine noise hits both alike. */
function measureSynth(runs: number): SynthResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-bench-synth-'));
  try {
    const minimal = path.join(dir, 'minimal');
    fs.mkdirSync(minimal);
    fs.writeFileSync(path.join(minimal, 'app.ts'), MINIMAL_APP);
    fs.writeFileSync(path.join(minimal, 'cdk.json'), JSON.stringify({ app: 'npx tsx app.ts', notices: false, context: { 'cli-telemetry': false } }));
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(minimal, 'node_modules'), 'dir');
    const appSeconds: number[] = [];
    const minimalSeconds: number[] = [];
    for (let i = 0; i < runs; i++) {
      appSeconds.push(synthSeconds(PROJECT_ROOT, path.join(dir, `app-${i}`)));
      minimalSeconds.push(synthSeconds(minimal, path.join(dir, `minimal-${i}`)));
    }
    const appMedian = median(appSeconds);
    const minimalMedian = median(minimalSeconds);
    return { appSeconds, minimalSeconds, appMedian, minimalMedian, ratio: appMedian / minimalMedian };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface Target {
  readonly what: string;
  readonly measured: string;
  readonly target: string;
  readonly met: boolean;
}

/** Each run's ratio of `subject` to the `Map.get` floor. */
function floorRatios(row: Row, subject: 'engineNs' | 'handlerNs'): number[] {
  return row.runs.map((t) => t[subject] / t.mapGetNs);
}

/** The targets, against this run's numbers. */
function targets(rows: readonly Row[], synth: SynthResult | undefined): Target[] {
  const base = rows[0];
  const out: Target[] = [];
  const at = (lines: number): Row | undefined => rows.find((r) => r.lines === lines && r !== base && /^generated/.test(r.list));
  const manyRules = rows.find((r) => r.list.startsWith('+'));
  if (manyRules) {
    const ratio = manyRules.engineNs / base.engineNs;
    out.push({ what: `decision cost under +${fmt(GENERATED_RULES)} rules and +${fmt(GENERATED_SLUGS_PER_STORE)} slugs per store / default`, measured: `${fmt(ratio, 2)}×`, target: '≤ 2×', met: ratio <= 2 });
  }
  const r1m = at(1000000);
  if (r1m) {
    const ratio = r1m.engineNs / base.engineNs;
    out.push({ what: 'decision cost at 1,000,000 lines / default list', measured: `${fmt(ratio, 2)}×`, target: '≤ 2×', met: ratio <= 2 });
    out.push({ what: 'engine per decision, 1,000,000 lines', measured: `${fmt(r1m.engineNs)} ns`, target: '< 1,000 ns', met: r1m.engineNs < 1000 });
    const limit = EDGE_LIMITS[EDGE_EVENT].compressedPackageBytes;
    out.push({ what: `1,000,000-line package (zipped) / ${EDGE_EVENT} limit`, measured: `${fmt(r1m.bundleCompressedBytes / 1048576, 1)} MiB`, target: `≤ ${fmt(limit / 1048576)} MiB`, met: r1m.bundleCompressedBytes <= limit });
    out.push({ what: '1,000,000-line cold start', measured: `${fmt(r1m.coldStartMs)} ms`, target: '< 300 ms', met: r1m.coldStartMs < 300 });
  }
  if (synth) out.push({ what: 'synth of the app / minimal one-distribution app', measured: `${fmt(synth.appMedian, 2)} s / ${fmt(synth.minimalMedian, 2)} s = ${fmt(synth.ratio, 2)}×`, target: '≤ 1.5×', met: synth.ratio <= 1.5 });
  return out;
}

/** A Markdown table, columns after the first right-aligned unless `left`. */
function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]): string => '| ' + cells.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w, i) => (i < left ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.map(line)].join('\n') + '\n';
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const USAGE = `Usage: npm run bench -- [--sizes 1000,10000,100000,1000000] [--runs N (timings per list, default 1)] [--processes N (fresh processes per list, default 1)] [--synth-runs N (0 skips synth)] [--out FILE] [--traffic-requests N (default 100000)] [--baseline REF (default ${DEFAULT_BASELINE_REF})] [--app DIR (a cdk.out to model instead of synthesizing)] [--traffic-only]`;

/** The lists a run measures: the default list, the default list under many more rules and products, then a generated list of each size. */
function listsOf(sizes: readonly number[]): string[] {
  return ['default', 'rules', ...sizes.map(String)];
}

/** Measures one list in this process (`--list`, how `measureIsolated` runs each list). */
async function measureList(list: string, runs: number): Promise<Row> {
  if (list === 'default') return measure('config/redirects.csv', fs.readFileSync(DEFAULT_REDIRECTS_FILE, 'utf8'), runs);
  if (list === 'rules') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-bench-rules-'));
    try {
      const files = generatedRuleset(dir);
      return { ...(await measure('config/redirects.csv', fs.readFileSync(DEFAULT_REDIRECTS_FILE, 'utf8'), runs, (sites) => loadRuleset(sites, files))), list: `+${fmt(GENERATED_RULES)} rules, +${fmt(GENERATED_SLUGS_PER_STORE)} slugs/store` };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const n = Number(list);
  return measure(`generated-${n}.csv`, generateList(n), runs);
}

/**
 * Each list measured in a fresh Node.js process of its own (this script
 * with `--list`, writing JSON to a temporary file), as a deployed function
 * runs with one set of tables in its process; `processes` times over, and
 * the rows merged. In one process, lists measured earlier left V8's hidden
 * classes and the harness's call sites shaped by their tables, and the
 * 100,000-line engine ran about 12% slower after the 1,000 and 10,000-line
 * lists than alone (185 against 165 ns). Each process is also one draw of
 * V8's hash seed, which moves the floor's `Map.get` by several percent.
 */
function measureIsolated(processes: number, sizes: readonly number[], runs: number, say: (s: string) => unknown): Row[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-bench-lists-'));
  try {
    const perProcess: Row[][] = [];
    for (let p = 1; p <= processes; p++) {
      const rows: Row[] = [];
      for (const list of listsOf(sizes)) {
        const name = list === 'default' ? 'the default list (config/redirects.csv)' : list === 'rules' ? `the default list under ${fmt(GENERATED_RULES)} more rules` : `a ${fmt(Number(list))}-line list`;
        say(`bench: measuring ${name} in a fresh process${processes > 1 ? ` (round ${p} of ${processes})` : ''}${runs > 1 ? `, timing it ${runs} times` : ''}`);
        const file = path.join(dir, `${p}-${list}.json`);
        const args = [...process.execArgv, process.argv[1], '--list', list, '--runs', String(runs), '--out', file];
        const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
        if (child.status !== 0) throw new Error(`measuring ${name} failed (exit ${String(child.status)})`);
        rows.push((JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: Row[] }).rows[0]);
      }
      perProcess.push(rows);
    }
    return mergeProcesses(perProcess);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  let sizes = [1000, 10000, 100000, 1000000];
  let synthRuns = 3;
  let runs = 1;
  let processes = 1;
  let list: string | undefined;
  let out = path.join(PROJECT_ROOT, '.bench', 'results.json');
  const traffic: { requests: number; baseline: string; app?: string; only: boolean } = { requests: 100000, baseline: DEFAULT_BASELINE_REF, only: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sizes') sizes = (argv[++i] ?? '').split(',').map(Number);
    else if (argv[i] === '--synth-runs') synthRuns = Number(argv[++i]);
    else if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--processes') processes = Number(argv[++i]);
    else if (argv[i] === '--list') list = argv[++i] ?? '';
    else if (argv[i] === '--out') out = argv[++i] ?? out;
    else if (argv[i] === '--traffic-requests') traffic.requests = Number(argv[++i]);
    else if (argv[i] === '--baseline') traffic.baseline = argv[++i] ?? traffic.baseline;
    else if (argv[i] === '--app') traffic.app = argv[++i];
    else if (argv[i] === '--traffic-only') traffic.only = true;
    else {
      process.stderr.write(`bench: unknown argument ${JSON.stringify(argv[i])}\n${USAGE}\n`);
      return 2;
    }
  }
  if (!Number.isInteger(traffic.requests) || traffic.requests < 1) {
    process.stderr.write(`bench: --traffic-requests takes a whole number from 1\n${USAGE}\n`);
    return 2;
  }
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(synthRuns) || synthRuns < 0 || !Number.isInteger(runs) || runs < 1 || !Number.isInteger(processes) || processes < 1) {
    process.stderr.write(`bench: --sizes takes whole numbers separated by commas, such as 1000,100000; --synth-runs a whole number; --runs and --processes a whole number from 1\n${USAGE}\n`);
    return 2;
  }
  const say = (s: string): boolean => process.stderr.write(s + '\n');
  if (list !== undefined) {
    // One list in this process, for measureIsolated: its row as JSON, nothing printed.
    if (list !== 'default' && list !== 'rules' && !(Number.isInteger(Number(list)) && Number(list) >= 1)) {
      process.stderr.write(`bench: --list takes default, rules or a number of lines\n${USAGE}\n`);
      return 2;
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ rows: [await measureList(list, runs)] }) + '\n');
    return 0;
  }
  say(`bench: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node.js ${process.version}`);
  const rows = traffic.only ? [] : measureIsolated(processes, sizes, runs, say);
  let synth: SynthResult | undefined;
  if (synthRuns > 0 && !traffic.only) {
    say(`bench: cdk synth of the app and of a minimal one-distribution app, ${synthRuns} times each, alternating`);
    synth = measureSynth(synthRuns);
  }

  const base = rows[0];
  const header = ['list', 'lines', 'compile ms', 'package KiB', 'zipped KiB', 'cold start ms', 'engine ns', 'handler ns', 'Map.get ns', 'first-match ns', 'engine/default', 'engine/Map.get', 'handler/Map.get'];
  const table = rows.map((r) => [
    r.list,
    fmt(r.lines),
    fmt(r.compileMs, 1),
    fmt(r.bundleBytes / 1024, 1),
    fmt(r.bundleCompressedBytes / 1024, 1),
    fmt(r.coldStartMs, 1),
    fmt(r.engineNs),
    fmt(r.handlerNs),
    fmt(r.mapGetNs, 1),
    fmt(r.firstMatchNs),
    fmt(r.engineNs / base.engineNs, 2) + '×',
    fmt(median(floorRatios(r, 'engineNs')), 1) + '×',
    fmt(median(floorRatios(r, 'handlerNs')), 1) + '×',
  ]);
  const timings = runs * processes;
  if (timings > 1) process.stdout.write(`Decision costs: medians of ${timings} side-by-side timings per list${processes > 1 ? ` (${runs} in each of ${processes} processes)` : ''}; the ratios to Map.get are the medians of each timing's ratio.\n\n`);
  if (rows.length > 0) process.stdout.write(markdownTable(header, table));
  // How often the edge function runs behind the cache: lib/bench/edge-runs.ts.
  const edgeRuns: EdgeRunsReport = await benchEdgeRuns({ ...traffic, say });
  process.stdout.write(`\nEdge function runs (traffic model: ${fmt(traffic.requests)} requests over ${fmt(edgeRuns.urls)} URLs, through each distribution's cache policies):\n\n${edgeRuns.text}`);
  if (synth) process.stdout.write(`\nsynth (cdk synth --quiet, ${synth.appSeconds.length} runs each): app ${synth.appSeconds.map((x) => fmt(x, 2)).join(', ')} s; minimal ${synth.minimalSeconds.map((x) => fmt(x, 2)).join(', ')} s\n`);
  const goals = [...targets(rows, synth), edgeRuns.target];
  process.stdout.write('\n' + markdownTable(['target', 'measured', 'goal', 'met'], goals.map((g) => [g.what, g.measured, g.target, g.met ? 'yes' : 'NO']), 1));

  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, date: new Date().toISOString(), rows, synth, edgeRuns: edgeRuns.results, targets: goals }, null, 2) + '\n');
  say(`bench: wrote ${path.relative(process.cwd(), out) || out}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
