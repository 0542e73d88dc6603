/**
 * How often the edge function runs: the traffic model (lib/bench/traffic.ts)
 * played through the cache of each distribution of a synthesized assembly
 * (lib/bench/cache-model.ts), beside the floor, the fewest runs any cache
 * configuration could manage for the same requests.
 *
 * The floor: one run per distinct host and canonical path (`canonicalPath`,
 * `pathKey`: slashes, dot segments and `index.html` folded, case kept), plus
 * the viewer's country only where it changes the answer, which the engine
 * decides (the answer with the request's country against the answer with
 * none); requests the function is not needed for (the frozen site's
 * passthrough) and requests no distribution of the model serves are not
 * counted. The floor is decided by this checkout's config and engine for
 * every model, so a baseline is measured against the same answers.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { canonicalPath, Decision, EngineRequest, normaliseHost, pathKey, RedirectEngine } from '../../lambda/engine';
import { LoadedConfig, loadConfig, PROJECT_ROOT } from '../config/load';
import { readAssembly, synthesize, synthesizeRef, Template } from '../review/assembly';
import { CacheModel, DistributionModel, distributionsOf, PlayResult } from './cache-model';
import { fmt, markdownTable } from './format';
import { buildUrlSet, DEFAULT_REQUESTS, DEFAULT_SEED, generateTraffic, TrafficRequest, TrafficUrl, UrlSetInput } from './traffic';

/** The real legacy links the URL set starts with. */
export const LEGACY_LINKS_FILE = path.join(PROJECT_ROOT, '..', 'shared', 'data', 'legacy-links', 'sample.txt');

/** The last released version: the templates the gain is shown against. */
export const DEFAULT_BASELINE_REF = 'cc56422';

/** The goal: the function runs at most this many times the floor. */
export const EDGE_RUNS_GOAL = 1.2;

/** The URL set's input, from the config and the legacy links file (skipped when absent). */
export function urlSetInputOf(config: LoadedConfig, legacyLinksFile = LEGACY_LINKS_FILE): UrlSetInput {
  const { sites } = config;
  const hostnamesOf = (mode: string): string[] => sites.sites.filter((s) => s.mode === mode).flatMap((s) => s.hostnames);
  const legacyLinks = fs.existsSync(legacyLinksFile)
    ? fs
        .readFileSync(legacyLinksFile, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim().split(/\s+/)[0])
        .filter((l) => l && !l.startsWith('#'))
    : [];
  return {
    regions: sites.regions.map((r) => r.name),
    defaultRegion: sites.defaultRegion,
    products: config.products,
    regionPathHosts: hostnamesOf('region-path').filter((h) => !h.startsWith('*.')),
    regionHosts: sites.sites
      .filter((s) => s.mode === 'region-host')
      .flatMap((s) => s.hostnames.filter((h) => !h.startsWith('*.')).map((host) => ({ host, region: s.region ?? sites.defaultRegion }))),
    wildcardHosts: sites.sites.filter((s) => s.mode !== 'frozen').flatMap((s) => s.hostnames.filter((h) => h.startsWith('*.'))),
    frozenHosts: hostnamesOf('frozen'),
    legacyLinks,
    bulkSources: config.entries.map((e) => ({ host: e.host, path: e.path })),
  };
}

/** A floor key per request: undefined where the function is not needed (the answer is the origin's). */
export interface FloorKeys {
  /** Host + canonical path, and the country where it changes the answer. */
  readonly strict: readonly (string | undefined)[];
  /** As `strict`, but the country kept wherever the answer is per visitor (`decision.perVisitor`), even when every country in it gets the same answer. */
  readonly perVisitor: readonly (string | undefined)[];
}

function outcome(d: Decision): string {
  return `${d.action} ${d.status ?? ''} ${d.location ?? ''}`;
}

/** The floor's key of each request, decided by `engine` (memoised per host, path and country). */
export function floorKeys(engine: RedirectEngine, traffic: readonly TrafficRequest[]): FloorKeys {
  const memo = new Map<string, [string | undefined, string | undefined]>();
  const decide = (host: string, uri: string, country: string): Decision =>
    engine.decide({ method: 'GET', scheme: 'https', host, path: uri, query: '', country } as EngineRequest);
  const strict: (string | undefined)[] = [];
  const perVisitor: (string | undefined)[] = [];
  for (const r of traffic) {
    const m = `${r.host}\n${r.uri}\n${r.country}`;
    let keys = memo.get(m);
    if (!keys) {
      const d = decide(r.host, r.uri, r.country);
      if (d.action === 'origin') keys = [undefined, undefined];
      else {
        const base = normaliseHost(r.host) + pathKey(canonicalPath(r.uri).segments);
        const changes = r.country !== '' && outcome(d) !== outcome(decide(r.host, r.uri, ''));
        keys = [changes ? `${base} ${r.country}` : base, d.perVisitor ? `${base} ${r.country}` : base];
      }
      memo.set(m, keys);
    }
    strict.push(keys[0]);
    perVisitor.push(keys[1]);
  }
  return { strict, perVisitor };
}

/** One distribution's share of a model's numbers. */
export interface DistributionRuns {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly requests: number;
  readonly functionRuns: number;
  readonly cloudFrontFunctionRuns: number;
  /** Reads its CloudFront Functions made of their key value stores. */
  readonly keyValueStoreReads: number;
  readonly floor: number;
}

/** What one model (one assembly's templates) did with the traffic. */
export interface EdgeRunsResult {
  readonly label: string;
  /** Requests played. */
  readonly requests: number;
  /** Requests no distribution's alias matched (CloudFront refuses them). */
  readonly unrouted: number;
  /** Lambda@Edge runs: origin-request on each cache miss, viewer events on each request. */
  readonly functionRuns: number;
  readonly cloudFrontFunctionRuns: number;
  readonly keyValueStoreReads: number;
  /** Distinct floor keys among the requests the model routes. */
  readonly floor: number;
  /** The floor with the country kept wherever the answer is per visitor. */
  readonly floorPerVisitor: number;
  readonly runsPer1000: number;
  readonly floorPer1000: number;
  /** functionRuns / floor. */
  readonly ratio: number;
  readonly byDistribution: readonly DistributionRuns[];
}

/** Plays `traffic` through the distributions of `templates`, from an empty cache. */
export async function playModel(
  label: string,
  templates: ReadonlyMap<string, Template>,
  traffic: readonly TrafficRequest[],
  floor: FloorKeys,
  assemblyDir?: string,
): Promise<EdgeRunsResult> {
  const distributions: DistributionModel[] = distributionsOf(templates, assemblyDir);
  const { per, unrouted } = await playTraffic(distributions, traffic, floor);
  const byDistribution = distributionRunsOf(distributions, per);
  return resultOf(label, traffic.length, unrouted, byDistribution, per);
}

/** One distribution's running counts while the traffic is played. */
interface DistributionTally {
  requests: number;
  functionRuns: number;
  cloudFrontFunctionRuns: number;
  keyValueStoreReads: number;
  readonly floor: Set<string>;
  readonly floorPerVisitor: Set<string>;
}

/** Each distribution's tally (by id) of `traffic` played in order through one cache model, and the requests none routes. */
async function playTraffic(
  distributions: readonly DistributionModel[],
  traffic: readonly TrafficRequest[],
  floor: FloorKeys,
): Promise<{ per: Map<string, DistributionTally>; unrouted: number }> {
  const model = new CacheModel(distributions);
  const per = new Map<string, DistributionTally>(
    distributions.map((d) => [
      d.id,
      {
        requests: 0,
        functionRuns: 0,
        cloudFrontFunctionRuns: 0,
        keyValueStoreReads: 0,
        floor: new Set<string>(),
        floorPerVisitor: new Set<string>(),
      },
    ]),
  );
  let unrouted = 0;
  for (let i = 0; i < traffic.length; i++) {
    const readsBefore = model.keyValueStoreReads;
    const played = model.play(traffic[i]);
    const r: PlayResult = await played; // a promise from a function run in its own context is not this realm's Promise
    const d = r.distribution === undefined ? undefined : per.get(r.distribution);
    if (!d) {
      unrouted++;
      continue;
    }
    d.requests++;
    d.functionRuns += r.lambdaRuns;
    d.cloudFrontFunctionRuns += r.cloudFrontFunctionRuns;
    d.keyValueStoreReads += model.keyValueStoreReads - readsBefore;
    const k = floor.strict[i];
    if (k !== undefined) d.floor.add(k);
    const kv = floor.perVisitor[i];
    if (kv !== undefined) d.floorPerVisitor.add(kv);
  }
  return { per, unrouted };
}

/** Each distribution's numbers, in the order of `distributions`, from its tally. */
function distributionRunsOf(distributions: readonly DistributionModel[], per: ReadonlyMap<string, DistributionTally>): DistributionRuns[] {
  return distributions.map((dist) => {
    const d = per.get(dist.id)!;
    return {
      id: dist.id,
      aliases: dist.aliases,
      requests: d.requests,
      functionRuns: d.functionRuns,
      cloudFrontFunctionRuns: d.cloudFrontFunctionRuns,
      keyValueStoreReads: d.keyValueStoreReads,
      floor: d.floor.size,
    };
  });
}

/** The model's result: the distributions' numbers added up, and per 1,000 of the `n` requests played. */
function resultOf(
  label: string,
  n: number,
  unrouted: number,
  byDistribution: readonly DistributionRuns[],
  per: ReadonlyMap<string, DistributionTally>,
): EdgeRunsResult {
  // Floor keys start with the host, and a host reaches one distribution, so the per-distribution floors add up.
  const sum = (f: (d: DistributionRuns) => number): number => byDistribution.reduce((s, d) => s + f(d), 0);
  const functionRuns = sum((d) => d.functionRuns);
  const floorSize = sum((d) => d.floor);
  return {
    label,
    requests: n,
    unrouted,
    functionRuns,
    cloudFrontFunctionRuns: sum((d) => d.cloudFrontFunctionRuns),
    keyValueStoreReads: sum((d) => d.keyValueStoreReads),
    floor: floorSize,
    floorPerVisitor: [...per.values()].reduce((s, d) => s + d.floorPerVisitor.size, 0),
    runsPer1000: (functionRuns * 1000) / n,
    floorPer1000: (floorSize * 1000) / n,
    ratio: functionRuns / floorSize,
    byDistribution,
  };
}

/** The results as one Markdown table: each model, then its distributions that run a function or have a floor. */
export function renderEdgeRuns(results: readonly EdgeRunsResult[]): string {
  const header = [
    'templates / distribution',
    'requests',
    'function runs',
    'runs per 1,000',
    'floor per 1,000',
    'runs / floor',
    'CloudFront Functions per 1,000',
    'key value store reads per 1,000',
  ];
  const rows: string[][] = [];
  for (const r of results) {
    rows.push([
      r.label,
      fmt(r.requests),
      fmt(r.functionRuns),
      fmt(r.runsPer1000, 1),
      fmt(r.floorPer1000, 1),
      fmt(r.ratio, 2) + '×',
      fmt((r.cloudFrontFunctionRuns * 1000) / r.requests, 0),
      fmt((r.keyValueStoreReads * 1000) / r.requests, 0),
    ]);
    for (const d of r.byDistribution) {
      if (d.functionRuns === 0 && d.floor === 0) continue;
      rows.push([
        `  ${d.aliases.join(' ') || d.id}`,
        fmt(d.requests),
        fmt(d.functionRuns),
        fmt((d.functionRuns * 1000) / r.requests, 1),
        fmt((d.floor * 1000) / r.requests, 1),
        fmt(d.functionRuns / d.floor, 2) + '×',
        fmt((d.cloudFrontFunctionRuns * 1000) / r.requests, 0),
        fmt((d.keyValueStoreReads * 1000) / r.requests, 0),
      ]);
    }
  }
  const notes = results.map(
    (r) =>
      `${r.label}: ${fmt(r.unrouted)} requests on names no distribution serves; floor ${fmt(r.floor)} keys (${fmt(r.floorPerVisitor)} if the country were kept wherever the answer is per visitor).`,
  );
  return markdownTable(header, rows) + '\n' + notes.join('\n') + '\n';
}

export interface EdgeRunsOptions {
  /** An existing cdk.out to read as the current templates; else the working tree is synthesized. */
  readonly app?: string;
  /** The git ref of the last released version. @default DEFAULT_BASELINE_REF */
  readonly baseline?: string;
  /** @default DEFAULT_REQUESTS */
  readonly requests?: number;
  /** @default DEFAULT_SEED */
  readonly seed?: number;
  /** Progress lines. */
  readonly say?: (line: string) => unknown;
}

export interface EdgeRunsReport {
  readonly urls: number;
  readonly results: readonly EdgeRunsResult[];
  /** The table and notes. */
  readonly text: string;
  /** The target line: the current templates' ratio, beside the baseline's. */
  readonly target: { readonly what: string; readonly measured: string; readonly target: string; readonly met: boolean };
}

/**
 * The bench's section: the traffic model played through the current
 * templates (`app`, or the working tree synthesized to a temporary folder)
 * and through those of the `baseline` git ref, synthesized as `npm run diff`
 * synthesizes a baseline.
 */
export async function benchEdgeRuns(options: EdgeRunsOptions = {}): Promise<EdgeRunsReport> {
  const say = options.say ?? (() => undefined);
  const ref = options.baseline ?? DEFAULT_BASELINE_REF;
  const config = loadConfig();
  const urls: TrafficUrl[] = buildUrlSet(urlSetInputOf(config), options.seed ?? DEFAULT_SEED);
  const traffic = generateTraffic(urls, { requests: options.requests ?? DEFAULT_REQUESTS, seed: options.seed ?? DEFAULT_SEED });
  const floor = floorKeys(new RedirectEngine(config.tables), traffic);
  const results: EdgeRunsResult[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-bench-traffic-'));
  try {
    let currentDir = options.app;
    if (!currentDir) {
      say('bench: synthesizing the working tree for the traffic model');
      currentDir = path.join(tmp, 'cdk.out');
      synthesize(PROJECT_ROOT, currentDir, [], 'the app');
    }
    say(`bench: ${traffic.length.toLocaleString('en-US')} modelled requests over ${urls.length} URLs through the current templates`);
    results.push(await playModel('current templates', readAssembly(currentDir, 'current').templates, traffic, floor, currentDir));
    say(`bench: synthesizing ${ref} (the last released version) for the traffic model`);
    const base = synthesizeRef(ref, []);
    try {
      results.push(await playModel(`${ref} (last release)`, readAssembly(base.outdir, ref).templates, traffic, floor, base.outdir));
    } finally {
      base.cleanup();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const [current, baseline] = results;
  return {
    urls: urls.length,
    results,
    text: renderEdgeRuns(results),
    target: {
      what: 'edge function runs / floor (traffic model)',
      measured:
        `${fmt(current.ratio, 2)}× (${fmt(current.runsPer1000, 1)} / ${fmt(current.floorPer1000, 1)} per 1,000); ${ref}: ${fmt(baseline.ratio, 2)}×` +
        (current.unrouted > 0 ? `; ${fmt(current.unrouted)} requests unrouted` : ''),
      target: `≤ ${EDGE_RUNS_GOAL}×`,
      // Requests the current templates do not route would be missing from both sides of the ratio: never met then.
      met: current.ratio <= EDGE_RUNS_GOAL && current.unrouted === 0,
    },
  };
}
