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
    const req = (secure ? https : http).get(
      url,
      { agent: secure ? agents.https : agents.http, headers: { 'user-agent': userAgent, accept: 'text/html,*/*;q=0.8' } },
      (res) => {
        clearTimeout(timer);
        res.on('error', () => undefined);
        res.resume();
        const location = res.headers.location;
        resolve({ status: res.statusCode ?? 0, location: typeof location === 'string' ? location : undefined });
      },
    );
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

/** How each destination is checked: the options with their defaults, and the connection pools. */
interface Checker {
  readonly agents: Agents;
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly timeoutMs: number;
  readonly maxHops: number;
  readonly userAgent: string;
}

/** GETs a URL, again with backoff after a network error, 5xx or 429 while retries are left; the answer or the last error, and the requests sent. */
async function getWithRetries(url: URL, c: Checker): Promise<{ answer?: Answer; error?: string; tries: number }> {
  for (let attempt = 0; ; attempt++) {
    let answer: Answer | undefined;
    let error: string | undefined;
    try {
      answer = await get(url, c.agents, c.timeoutMs, c.userAgent);
    } catch (err) {
      error = (err as Error).message;
    }
    if (attempt < c.retries && (error !== undefined || retryable(answer!.status))) {
      await sleep(c.retryBaseMs * 2 ** attempt);
      continue;
    }
    return { answer, error, tries: attempt + 1 };
  }
}

/** Requests one destination, following redirects by hand, and decides it. */
async function checkOne(d: Destination, c: Checker): Promise<TargetResult> {
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
    const got = await getWithRetries(url, c);
    attempts += got.tries;
    if (got.error !== undefined) return result('dead', `network error after ${plural(got.tries, 'attempt')}: ${got.error}`);
    const { status, location } = got.answer!;
    const tries = got.tries > 1 ? ` after ${plural(got.tries, 'attempt')}` : '';
    if (status >= 300 && status < 400) {
      let next: URL | undefined;
      try {
        next = location ? new URL(location, url) : undefined;
      } catch {
        next = undefined;
      }
      chain.push({ url: url.href, status, location: next?.href ?? location });
      if (!next)
        return result('dead', location ? `${status} with a bad Location ${JSON.stringify(location)}` : `${status} without a Location`);
      if (ERROR_PAGE.test(next.pathname)) return result('dead', "redirected to the store's error page");
      if (chain.some((h) => h.url === next.href)) return result('dead', 'redirect loop');
      if (hop + 1 > c.maxHops) return result('dead', `more than ${plural(c.maxHops, 'redirect')}`);
      url = next;
      continue;
    }
    chain.push({ url: url.href, status });
    if (status >= 200 && status < 300) return result('live', String(status));
    if (status === 403 || status === 429) return result('unknown', `${status}${tries} (bot protection or rate limit; check by hand)`);
    return result('dead', `${status}${tries}`);
  }
}

/**
 * Requests every destination (same URLs merged) with bounded concurrency
 * and decides each: live, dead or unknown. Results in the destinations'
 * order.
 */
export async function checkTargets(destinations: readonly Destination[], options: CheckOptions = {}): Promise<TargetResult[]> {
  const concurrency = options.concurrency ?? 8;
  const checker: Checker = {
    agents: {
      http: new http.Agent({ keepAlive: true, maxSockets: concurrency }),
      https: new https.Agent({ keepAlive: true, maxSockets: concurrency }),
    },
    retries: options.retries ?? 2,
    retryBaseMs: options.retryBaseMs ?? 250,
    timeoutMs: options.timeoutMs ?? 10000,
    maxHops: options.maxHops ?? 5,
    userAgent: options.userAgent ?? USER_AGENT,
  };
  const list = distinct(destinations);
  const results: TargetResult[] = new Array(list.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const i = next++;
      results[i] = await checkOne(list[i], checker);
      done++;
      options.onResult?.(results[i], done, list.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
  } finally {
    checker.agents.http.destroy();
    checker.agents.https.destroy();
  }
  return results;
}

/** Counts of each verdict. */
export function countVerdicts(results: readonly TargetResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { live: 0, dead: 0, unknown: 0 };
  for (const r of results) counts[r.verdict]++;
  return counts;
}

/** `check-targets: N destinations: L live, D dead, U unknown` */
export function countsLine(results: readonly TargetResult[]): string {
  const c = countVerdicts(results);
  return `check-targets: ${plural(results.length, 'destination')}: ${c.live} live, ${c.dead} dead, ${c.unknown} unknown`;
}

/** The results as JSON lines, one object per destination: url, verdict, why, status (the last answer's; null on a network error), chain, attempts, rules. */
export function jsonLines(results: readonly TargetResult[]): string {
  return results
    .map(
      (r) =>
        JSON.stringify({
          url: r.url,
          verdict: r.verdict,
          why: r.why,
          status: r.chain.length ? r.chain[r.chain.length - 1].status : null,
          chain: r.chain,
          attempts: r.attempts,
          rules: r.rules,
        }) + '\n',
    )
    .join('');
}

/**
 * The human report: the summary line, then each dead destination with its
 * chain and rules, then each unknown one on a line.
 */
export function renderReport(results: readonly TargetResult[]): string {
  const lines = [countsLine(results)];
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
 * `checkTargets` with progress: the number of destinations first, then a
 * line every `PROGRESS_EVERY` results or `PROGRESS_MS`, and at the end.
 */
export async function checkTargetsWithProgress(
  destinations: readonly Destination[],
  options: Omit<CheckOptions, 'onResult'>,
  progress: (line: string) => void,
): Promise<TargetResult[]> {
  progress(`check-targets: ${plural(distinct(destinations).length, 'destination')}, ${options.concurrency ?? 8} at a time`);
  let dead = 0;
  let last = Date.now();
  return checkTargets(destinations, {
    ...options,
    onResult(r, done, n) {
      if (r.verdict === 'dead') dead++;
      const now = Date.now();
      if (done === n || done % PROGRESS_EVERY === 0 || now - last >= PROGRESS_MS) {
        last = now;
        progress(`check-targets: ${done}/${n} checked, ${dead} dead`);
      }
    },
  });
}
