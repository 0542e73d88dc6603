/**
 * `check-targets`: requests every distinct destination the config can
 * produce and reports each dead one with the rules that lead to it.
 *
 * Each destination gets a GET; redirects are followed by hand (up to 5 hops,
 * to any host) and recorded. A destination is
 * - live: the last answer is 2xx;
 * - dead: the last answer is 4xx (but 403 and 429) or 5xx after the retries,
 *   a redirect to the store's error page (a path with a `404` segment, as
 *   `https://www.mi.com/global/errors/404`, where mi.com sends unknown
 *   paths), a redirect loop or more than 5 redirects, or a network error
 *   after the retries;
 * - unknown: 403 or 429, which bot protection and CDNs answer to scripts.
 *
 * Network errors, 5xx and 429 are retried with exponential backoff.
 */
import * as http from 'http';
import * as https from 'https';
import { intOption, parseArgs, stringOption, UsageError } from '../cli/args';
import type { Command } from '../cli/command';
import type { CliIo } from '../cli/io';
import { Destination, listDestinations } from '../config/destinations';
import { loadConfig } from '../config/load';

/** A URL the config can redirect to, and the rules that lead there. */

export type Verdict = 'live' | 'dead' | 'unknown';

/** One answer along a destination's redirect chain. */
export interface Hop {
  readonly url: string;
  readonly status: number;
  /** The redirect's `Location`, resolved against `url`. */
  readonly location?: string;
}

export interface TargetResult {
  readonly url: string;
  readonly rules: readonly string[];
  readonly verdict: Verdict;
  /** Why, in a few words: `200`, `404`, `redirected to the store's error page`, `network error: ...`. */
  readonly why: string;
  /** Every answer received, in order. */
  readonly chain: readonly Hop[];
  /** Requests sent, retries included. */
  readonly attempts: number;
}

export interface CheckOptions {
  /** Requests in flight at most. @default 8 */
  readonly concurrency?: number;
  /** Retries of a request after a network error, 5xx or 429. @default 2 */
  readonly retries?: number;
  /** The first retry's delay; each next one doubles it. @default 250 */
  readonly retryBaseMs?: number;
  /** How long to wait for an answer's headers. @default 10000 */
  readonly timeoutMs?: number;
  /** Redirects followed at most. @default 5 */
  readonly maxHops?: number;
  /** @default USER_AGENT */
  readonly userAgent?: string;
  /** Called after each destination is decided, in the order they finish. */
  readonly onResult?: (result: TargetResult, done: number, total: number) => void;
}

/** The User-Agent sent: the tool, and what it does. */
export const USER_AGENT = 'poco-sunset-check-targets/1.0 (link check of the po.co retirement redirects; one GET per destination)';

/** A path at the store's error page: a `404` segment (`/global/errors/404`, `/404`, `/404.html`). */
const ERROR_PAGE = /\/404(?:[/.]|$)/;

/** Whether a URL is the store's error page, where mi.com redirects paths it does not know. */
export function isErrorPage(url: string): boolean {
  try {
    return ERROR_PAGE.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

interface Answer {
  readonly status: number;
  readonly location?: string;
}

interface Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/** One GET; resolves with the status and Location once the headers arrive, rejects on a network error or timeout. */
function get(url: URL, agents: Agents, timeoutMs: number, userAgent: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).get(url, { agent: secure ? agents.https : agents.http, headers: { 'user-agent': userAgent, accept: 'text/html,*/*;q=0.8' } }, (res) => {
      clearTimeout(timer);
      res.on('error', () => undefined);
      res.resume();
      const location = res.headers.location;
      resolve({ status: res.statusCode ?? 0, location: typeof location === 'string' ? location : undefined });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code && !err.message.includes(err.code) ? `${err.code} ${err.message}` : err.message));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether an answer is worth asking again for. */
function retryable(status: number): boolean {
  return status >= 500 || status === 429;
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Merges destinations with the same URL (their rules joined), keeping the first one's place. */
function distinct(destinations: readonly Destination[]): Destination[] {
  const byUrl = new Map<string, string[]>();
  for (const d of destinations) {
    const rules = byUrl.get(d.url);
    if (!rules) byUrl.set(d.url, [...d.rules]);
    else for (const r of d.rules) if (!rules.includes(r)) rules.push(r);
  }
  return [...byUrl].map(([url, rules]) => ({ url, rules }));
}

/**
 * Requests every destination (same URLs merged) with bounded concurrency
 * and decides each: live, dead or unknown. Results in the destinations'
 * order.
 */
export async function checkTargets(destinations: readonly Destination[], options: CheckOptions = {}): Promise<TargetResult[]> {
  const concurrency = options.concurrency ?? 8;
  const retries = options.retries ?? 2;
  const retryBaseMs = options.retryBaseMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 10000;
  const maxHops = options.maxHops ?? 5;
  const userAgent = options.userAgent ?? USER_AGENT;
  const agents: Agents = { http: new http.Agent({ keepAlive: true, maxSockets: concurrency }), https: new https.Agent({ keepAlive: true, maxSockets: concurrency }) };
  const list = distinct(destinations);

  const check = async (d: Destination): Promise<TargetResult> => {
    const chain: Hop[] = [];
    let attempts = 0;
    const result = (verdict: Verdict, why: string): TargetResult => ({ url: d.url, rules: d.rules, verdict, why, chain, attempts });
    let url: URL;
    try {
      url = new URL(d.url);
    } catch {
      return result('dead', 'not a URL');
    }
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return result('dead', `not an http(s) URL: ${url.href}`);
      let answer: Answer | undefined;
      let attempt = 0;
      for (; ; attempt++) {
        attempts++;
        let error: string | undefined;
        try {
          answer = await get(url, agents, timeoutMs, userAgent);
        } catch (err) {
          error = (err as Error).message;
        }
        const again = attempt < retries && (error !== undefined || retryable(answer!.status));
        if (again) {
          await sleep(retryBaseMs * 2 ** attempt);
          continue;
        }
        if (error !== undefined) return result('dead', `network error after ${plural(attempt + 1, 'attempt')}: ${error}`);
        break;
      }
      const { status, location } = answer!;
      const tries = attempt > 0 ? ` after ${plural(attempt + 1, 'attempt')}` : '';
      if (status >= 300 && status < 400) {
        let next: URL | undefined;
        try {
          next = location ? new URL(location, url) : undefined;
        } catch {
          next = undefined;
        }
        chain.push({ url: url.href, status, location: next?.href ?? location });
        if (!next) return result('dead', location ? `${status} with a bad Location ${JSON.stringify(location)}` : `${status} without a Location`);
        if (ERROR_PAGE.test(next.pathname)) return result('dead', "redirected to the store's error page");
        if (chain.some((h) => h.url === next.href)) return result('dead', 'redirect loop');
        if (hop + 1 > maxHops) return result('dead', `more than ${plural(maxHops, 'redirect')}`);
        url = next;
        continue;
      }
      chain.push({ url: url.href, status });
      if (status >= 200 && status < 300) return result('live', String(status));
      if (status === 403 || status === 429) return result('unknown', `${status}${tries} (bot protection or rate limit; check by hand)`);
      return result('dead', `${status}${tries}`);
    }
  };

  const results: TargetResult[] = new Array(list.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const i = next++;
      results[i] = await check(list[i]);
      done++;
      options.onResult?.(results[i], done, list.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
  } finally {
    agents.http.destroy();
    agents.https.destroy();
  }
  return results;
}

/** Counts of each verdict. */
export function countVerdicts(results: readonly TargetResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { live: 0, dead: 0, unknown: 0 };
  for (const r of results) counts[r.verdict]++;
  return counts;
}

/**
 * The human report: the summary line, then each dead destination with its
 * chain and rules, then each unknown one on a line.
 */
export function renderReport(results: readonly TargetResult[]): string {
  const c = countVerdicts(results);
  const lines = [`check-targets: ${plural(results.length, 'destination')}: ${c.live} live, ${c.dead} dead, ${c.unknown} unknown`];
  for (const r of results) {
    if (r.verdict !== 'dead') continue;
    lines.push(`dead: ${r.url}: ${r.why}`);
    for (const h of r.chain) lines.push(`    ${h.status} ${h.url}${h.location !== undefined ? ` -> ${h.location}` : ''}`);
    lines.push(`    rules: ${r.rules.length ? r.rules.join(', ') : '(none given)'}`);
  }
  for (const r of results) if (r.verdict === 'unknown') lines.push(`unknown: ${r.url}: ${r.why}`);
  return lines.join('\n') + '\n';
}

/** Where the config is read from; the loader gets them as given. */
export interface ConfigFiles {
  readonly sitesFile?: string;
  readonly redirectsFile?: string;
}

/** Gives the destinations of a config. */
export type DestinationLoader = (files: ConfigFiles) => readonly Destination[] | Promise<readonly Destination[]>;

/** The destinations of the config files (lib/config/destinations.ts). */
export function defaultDestinations(files: ConfigFiles): readonly Destination[] {
  return listDestinations(loadConfig({ sitesFile: files.sitesFile, redirectsFile: files.redirectsFile }));
}

/** How often progress is printed: every this many results, or when this long has passed since the last line. */
const PROGRESS_EVERY = 50;
const PROGRESS_MS = 1000;

/**
 * The `check-targets` command, with the destinations from `load` and the
 * checker's options overridden by `tuning` (tests shorten the backoff).
 */
export function makeCheckTargetsCommand(load: DestinationLoader, tuning: Omit<CheckOptions, 'onResult'> = {}): Command {
  return {
    name: 'check-targets',
    summary: 'request every destination the config can redirect to; report the dead ones with the rules leading there',
    usage: `Usage: npm run ops -- check-targets [options]

Sends a GET to every distinct destination the config can produce and follows
redirects by hand (up to 5, to any host). Each destination is
  live     the last answer is 2xx
  dead     4xx (but 403 and 429) or 5xx after the retries, a redirect to the
           store's error page (a path with a 404 segment, as /global/errors/404),
           a redirect loop, more than 5 redirects, or a network error after the retries
  unknown  403 or 429: bot protection or a rate limit, not a dead page; check by hand
Network errors, 5xx and 429 are retried with exponential backoff from 250 ms.
Progress goes to stderr; then the counts, each dead destination with its redirect
chain and the rules that lead to it, and each unknown one.

Options:
  --concurrency N   requests in flight, 1 to 64                       [8]
  --retries N       retries of a request, 0 to 10                     [2]
  --timeout-ms N    milliseconds to wait for each answer              [10000]
  --sites FILE      sites file                                        [config/sites.json]
  --redirects FILE  bulk redirect list                                [config/redirects.csv]
  --json            one JSON object per destination on stdout instead of the report:
                    url, verdict, why, status (the last answer's; null on a network
                    error), chain, attempts, rules

Exit status: 0 when no destination is dead, 1 when any is, 2 on bad options or config.`,
    async run(argv: readonly string[], io: CliIo): Promise<number> {
      const args = parseArgs(argv, { concurrency: 'string', retries: 'string', 'timeout-ms': 'string', sites: 'string', redirects: 'string', json: 'boolean' });
      if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
      const concurrency = intOption(args.options.concurrency, 'concurrency', tuning.concurrency ?? 8, 1, 64);
      const retries = intOption(args.options.retries, 'retries', tuning.retries ?? 2, 0, 10);
      const timeoutMs = intOption(args.options['timeout-ms'], 'timeout-ms', tuning.timeoutMs ?? 10000, 1, 600000);
      const destinations = await load({ sitesFile: stringOption(args.options.sites), redirectsFile: stringOption(args.options.redirects) });
      const total = distinct(destinations).length;
      io.stderr.write(`check-targets: ${plural(total, 'destination')}, ${concurrency} at a time\n`);
      let dead = 0;
      let last = Date.now();
      const results = await checkTargets(destinations, {
        ...tuning,
        concurrency,
        retries,
        timeoutMs,
        onResult(r, done, n) {
          if (r.verdict === 'dead') dead++;
          const now = Date.now();
          if (done === n || done % PROGRESS_EVERY === 0 || now - last >= PROGRESS_MS) {
            last = now;
            io.stderr.write(`check-targets: ${done}/${n} checked, ${dead} dead\n`);
          }
        },
      });
      if (args.options.json === true) {
        for (const r of results) io.stdout.write(JSON.stringify({ url: r.url, verdict: r.verdict, why: r.why, status: r.chain.length ? r.chain[r.chain.length - 1].status : null, chain: r.chain, attempts: r.attempts, rules: r.rules }) + '\n');
        const c = countVerdicts(results);
        io.stderr.write(`check-targets: ${plural(results.length, 'destination')}: ${c.live} live, ${c.dead} dead, ${c.unknown} unknown\n`);
      } else {
        io.stdout.write(renderReport(results));
      }
      return results.some((r) => r.verdict === 'dead') ? 1 : 0;
    },
  };
}

export const checkTargetsCommand: Command = makeCheckTargetsCommand(defaultDestinations);
