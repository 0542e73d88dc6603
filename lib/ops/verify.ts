/**
 * `verify --base URL`: sends the probes (lib/rules/probes.ts) to a live
 * deployment or the preview server and compares each answer's status and
 * Location with the engine's decision for the same config.
 *
 * Where the requests go: when the base URL's host is one of the configured
 * hostnames (production, `--base https://po.co`), each probe goes to its own
 * hostname over the base's scheme. Otherwise (the preview server, or a
 * distribution's own `*.cloudfront.net` name) every probe goes to the base,
 * with the probe's hostname in the Host header.
 *
 * The frozen site (in.po.co) answers pages, not redirects: a probe of it, and
 * a redirect that leads there (followed one hop, to the same place as the
 * probes, with the frozen hostname in Host), expect what the snapshot folder
 * the config names answers, run through the same CloudFront Function
 * (lib/edge/frozen-site.ts): 200 for a page it has, 404 for one it lacks. Without
 * the folder on this machine, 200 or 404 (never S3's 403).
 */
import * as http from 'http';
import * as https from 'https';
import { RedirectEngine } from '../../lambda/engine';
import * as fs from 'fs';
import { contentDirsOf, DEFAULT_SITES_FILE, LoadedConfig, loadConfig, LoadOptions } from '../config/load';
import { OpsError, UsageError } from '../config/problems';
import { frozenIndexRewriter, snapshotLookup } from '../edge/frozen-site';
import { buildProbes, expectedOutcomes, Probe, servedHostname } from '../rules/probes';

/** The config files (`LoadOptions`), and what else the run takes. */
export interface VerifyOptions extends LoadOptions {
  readonly base: string;
  /**
   * Bulk entries probed, spread evenly over the list.
   * @default 50
   */
  readonly sample?: number;
  /**
   * The country CloudFront sees for this machine; against production it
   * fixes the expected answer of country-dependent probes.
   * @default unknown: any configured country's answer is accepted
   */
  readonly viewerCountry?: string;
  /** @default 8 */
  readonly concurrency?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** Prints matching probes too. @default false */
  readonly verbose?: boolean;
}

export interface ProbeResult {
  readonly probe: Probe;
  /** Outcomes that count as right. */
  readonly expected: readonly string[];
  /** What came back: `301 https://...`, `not a redirect (200)`, or the network error. */
  readonly actual: string;
  /** A redirect to the frozen site, followed one hop: what the snapshot should answer and what came back. */
  readonly followed?: { readonly url: string; readonly expected: readonly string[]; readonly actual: string };
  /** The probe's answer, and the followed hop's if any, count as right. */
  readonly ok: boolean;
}

export interface VerifyReport {
  readonly results: readonly ProbeResult[];
  readonly mismatches: number;
  readonly failures: number;
}

export interface Target {
  /** Host probes go to, or undefined to use each probe's own host. */
  readonly fixedHost?: string;
  readonly port?: number;
  readonly secure: boolean;
  readonly direct: boolean;
}

export function targetOf(base: string, hostnames: ReadonlySet<string>): Target {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--base ${JSON.stringify(base)} is not a URL; give one like https://po.co or http://127.0.0.1:8787`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--base ${JSON.stringify(base)} must be an http:// or https:// URL`);
  if (url.pathname !== '/' || url.search || url.hash)
    throw new UsageError(`--base ${JSON.stringify(base)} must have no path or query; the probes bring their own`);
  const direct = hostnames.has(url.hostname.toLowerCase());
  return {
    fixedHost: direct ? undefined : url.hostname,
    port: url.port ? Number(url.port) : undefined,
    secure: url.protocol === 'https:',
    direct,
  };
}

/** Sends one probe; never follows redirects. */
function send(p: Pick<Probe, 'host' | 'target' | 'country'>, target: Target, timeoutMs: number): Promise<string> {
  const headers: Record<string, string> = { host: p.host, 'user-agent': 'poco-sunset-verify' };
  if (p.country) headers['cloudfront-viewer-country'] = p.country;
  const options: https.RequestOptions = {
    hostname: target.fixedHost ?? p.host,
    port: target.port,
    path: p.target,
    method: 'GET',
    headers,
    timeout: timeoutMs,
    servername: target.secure ? (target.fixedHost ?? p.host) : undefined,
  };
  return new Promise((resolve) => {
    const req = (target.secure ? https : http).request(options, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      resolve(status >= 300 && status < 400 && location ? `${status} ${location}` : `not a redirect (${status})`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`error: ${err.code ?? ''}${err.code ? ' ' : ''}${err.message}`));
    req.end();
  });
}

function matches(actual: string, expected: readonly string[]): boolean {
  return expected.some((e) => (e === 'not a redirect' ? actual.startsWith('not a redirect') : e === actual));
}

/**
 * What the frozen site answers for `target` (path and query), as outcomes:
 * from the snapshot folder when it is on this machine, else 200 or 404.
 */
export function frozenOutcomes(contentDir: string | undefined, target: string, rewrite: (uri: string) => string): string[] {
  if (contentDir === undefined) return ['not a redirect (200)', 'not a redirect (404)'];
  const q = target.indexOf('?');
  return [`not a redirect (${snapshotLookup(contentDir, rewrite(q < 0 ? target : target.slice(0, q))).status})`];
}

/** The frozen site's hostname and path of a redirect's Location (`301 https://in.po.co/x`), or undefined when it leads elsewhere. */
function frozenHop(
  actual: string,
  frozen: ReadonlyMap<string, string | undefined>,
): { host: string; target: string; hostname: string } | undefined {
  const m = /^3\d\d (https?:\/\/.*)$/.exec(actual);
  if (!m) return undefined;
  let url: URL;
  try {
    url = new URL(m[1]);
  } catch {
    return undefined;
  }
  const hostname = servedHostname(url.hostname, frozen);
  return hostname === undefined ? undefined : { host: url.hostname, target: url.pathname + url.search, hostname };
}

/** Frozen hostnames → their snapshot folder, when it is on this machine. */
function frozenSnapshots(config: LoadedConfig, sitesFile: string): Map<string, string | undefined> {
  const contentDirs = contentDirsOf(config.sites, sitesFile);
  const frozen = new Map<string, string | undefined>();
  for (const site of config.sites.sites.filter((s) => s.mode === 'frozen')) {
    const dir = contentDirs.get(site.name);
    for (const h of site.hostnames)
      frozen.set(h, dir !== undefined && fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? dir : undefined);
  }
  return frozen;
}

/** Runs the probes with bounded concurrency; results in probe order. */
export async function verify(options: VerifyOptions, log: (line: string) => void): Promise<VerifyReport> {
  const { probes, check } = planRun(options);
  log(runHeader(options.base, probes.length, check.target, options.viewerCountry));
  const first = probes.length > 0 ? await checkReachable(probes[0], check, options.base) : undefined;
  const results = await checkAll(probes, check, options.concurrency ?? 8, first, (r) => {
    const line = resultLine(r, options.verbose);
    if (line !== undefined) log(line);
  });
  return summarise(results, options.base, log);
}

/** What every probe of a run is checked with. */
interface ProbeCheck {
  readonly engine: RedirectEngine;
  /** Frozen hostnames → their snapshot folder, when it is on this machine. */
  readonly frozen: ReadonlyMap<string, string | undefined>;
  readonly rewrite: (uri: string) => string;
  readonly target: Target;
  readonly timeoutMs: number;
  /** Whether a probe's own country decides its expected answer. */
  readonly countryFixed: boolean;
  readonly allCountries: readonly string[];
}

/** The run's probes (with the viewer country where it decides) and what they are checked with, from the config the options name. */
function planRun(options: VerifyOptions): { probes: Probe[]; check: ProbeCheck } {
  const config = loadConfig(options);
  const engine = new RedirectEngine(config.tables);
  const hostnames = new Set(config.sites.sites.flatMap((s) => s.hostnames));
  const frozen = frozenSnapshots(config, options.sitesFile ?? DEFAULT_SITES_FILE);
  const rewrite = frozenIndexRewriter();
  const target = targetOf(options.base, hostnames);
  const viewerCountry = options.viewerCountry;
  // Against a local server the probe's own country header decides; in production only CloudFront's does.
  const probes = buildProbes(config, options.sample ?? 50).map((p) =>
    target.direct && viewerCountry !== undefined ? { ...p, country: viewerCountry || undefined } : p,
  );
  const allCountries = [...config.sites.countries.keys()];
  const countryFixed = !target.direct || viewerCountry !== undefined;
  const timeoutMs = options.timeoutMs ?? 10000;
  return { probes, check: { engine, frozen, rewrite, target, timeoutMs, countryFixed, allCountries } };
}

/** The run's first log line: how many probes go where, and how the viewer country is taken. */
function runHeader(base: string, count: number, target: Target, viewerCountry: string | undefined): string {
  return (
    `verify: ${count} probes against ${base} ` +
    (target.direct
      ? `(each to its own hostname; viewer country ${viewerCountry ? viewerCountry : viewerCountry === '' ? 'none' : 'unknown, so country-dependent probes accept any configured country'})`
      : '(Host header set per probe)')
  );
}

/** Checks the probes, `concurrency` at a time, handing each result to `done` as it comes; results in probe order. */
async function checkAll(
  probes: readonly Probe[],
  check: ProbeCheck,
  concurrency: number,
  first: string | undefined,
  done: (result: ProbeResult) => void,
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array(probes.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < probes.length) {
      const i = next++;
      results[i] = await checkProbe(probes[i], check, i === 0 ? first : undefined);
      done(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, probes.length) }, worker));
  return results;
}

/** One probe's result: its answer (`answered`, when already sent) against the engine's (or the snapshot's), a redirect to the frozen site followed one hop. */
async function checkProbe(p: Probe, check: ProbeCheck, answered?: string): Promise<ProbeResult> {
  const { frozen, rewrite, target, timeoutMs } = check;
  let expected = expectedOutcomes(check.engine, p, check.countryFixed, check.allCountries);
  const frozenHost = servedHostname(p.host, frozen);
  if (frozenHost !== undefined && expected.length === 1 && expected[0] === 'not a redirect')
    expected = frozenOutcomes(frozen.get(frozenHost), p.target, rewrite);
  const actual = answered ?? (await send(p, target, timeoutMs));
  let ok = matches(actual, expected);
  const hop = ok ? frozenHop(actual, frozen) : undefined;
  let followed: ProbeResult['followed'];
  if (hop) {
    const hopExpected = frozenOutcomes(frozen.get(hop.hostname), hop.target, rewrite);
    const hopActual = await send({ host: hop.host, target: hop.target }, target, timeoutMs);
    followed = { url: `https://${hop.host}${hop.target}`, expected: hopExpected, actual: hopActual };
    ok = matches(hopActual, hopExpected);
  }
  return { probe: p, expected, actual, ok, ...(followed ? { followed } : {}) };
}

/** The log line of a result: MISMATCH or FAILED, `ok` only when `verbose`, else undefined. */
function resultLine(r: ProbeResult, verbose: boolean | undefined): string | undefined {
  const { probe: p, expected, actual, followed } = r;
  const label = `${p.url}${p.country ? ` [${p.country}]` : ''} (${p.origin}${p.hostname ? `; ${p.host} stands for ${p.hostname}` : ''})`;
  const failed = (followed?.actual ?? actual).startsWith('error:');
  if (!r.ok && followed)
    return `${failed ? 'FAILED' : 'MISMATCH'} ${label}: ${actual}, followed to ${followed.url}: expected ${followed.expected.join(' or ')}, got ${followed.actual}`;
  if (!r.ok) return `${failed ? 'FAILED' : 'MISMATCH'} ${label}: expected ${expected.join(' or ')}, got ${actual}`;
  if (verbose) return `ok ${label}: ${actual}${followed ? `, followed to ${followed.url}: ${followed.actual}` : ''}`;
  return undefined;
}

/** Errors that mean nothing answers at the base URL at all: no point sending the other probes. */
const UNREACHABLE = /\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)\b/;

/** The error of a run in which nothing answered at `base`. */
function unanswered(base: string, actual: string): OpsError {
  return new OpsError(
    `no probe got an answer from ${base} (${actual}). Fix: check the URL; for the preview, start it first with npm start.`,
  );
}

/** Sends one probe first, and returns its answer; when nothing answers at `base`, throws one error instead of a FAILED line per probe. */
async function checkReachable(first: Probe, check: ProbeCheck, base: string): Promise<string> {
  const actual = await send(first, check.target, check.timeoutMs);
  if (actual.startsWith('error:') && UNREACHABLE.test(actual)) throw unanswered(base, actual);
  return actual;
}

/** The report of the results, after logging the count line; throws when no probe got an answer. */
function summarise(results: ProbeResult[], base: string, log: (line: string) => void): VerifyReport {
  const failures = results.filter((r) => !r.ok && (r.followed?.actual ?? r.actual).startsWith('error:')).length;
  const mismatches = results.filter((r) => !r.ok).length - failures;
  log(`verify: ${results.length} probes: ${results.length - mismatches - failures} match, ${mismatches} mismatch, ${failures} failed`);
  if (failures === results.length && results.length > 0) throw unanswered(base, results[0].actual);
  return { results, mismatches, failures };
}
