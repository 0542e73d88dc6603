/**
 * `check-targets` end to end against a local server that behaves like the
 * store: live pages, unknown products redirected to the error page, bot
 * protection, flaky and failing pages, redirect loops and chains.
 * Nothing here leaves 127.0.0.1.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { runCommand } from '../../lib/cli/command';
import { makeCheckTargetsCommand } from '../../lib/cli/commands/check-targets';
import { main } from '../../lib/cli/poco';
import type { Destination } from '../../lib/config/destinations';
import { checkTargets, isErrorPage, TargetResult, USER_AGENT } from '../../lib/ops/check-targets';
import { userPath } from '../../lib/cli/options';

/** Per path: requests received. */
const hits = new Map<string, number>();
let inFlight = 0;
let maxInFlight = 0;
const userAgents = new Set<string>();

function store(req: http.IncomingMessage, res: http.ServerResponse): void {
  const p = req.url ?? '/';
  const n = (hits.get(p) ?? 0) + 1;
  hits.set(p, n);
  userAgents.add(req.headers['user-agent'] ?? '');
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  res.on('close', () => inFlight--);
  const answer = (status: number, headers: Record<string, string> = {}, body = ''): void => {
    // A little later, so that requests overlap and the concurrency shows.
    setTimeout(() => res.writeHead(status, { 'content-type': 'text/html', ...headers }).end(body), 10);
  };
  if (p === '/slow/') return; // never answers
  if (p === '/global/errors/404') return answer(200, {}, '<h1>Sorry, the page you visited does not exist</h1>');
  if (/^\/global\/product\/(poco-f7|p\d+)\/$/.test(p)) return answer(200, {}, '<h1>POCO</h1>');
  if (p.startsWith('/global/product/')) return answer(302, { location: '/global/errors/404' });
  if (p === '/uk/') return answer(301, { location: 'http://' + req.headers.host + '/uk/home/' });
  if (p === '/uk/home/') return answer(200);
  if (p === '/bot/') return answer(403, {}, 'Access denied');
  if (p === '/limited/') return answer(429);
  if (p === '/flaky/') return answer(n === 1 ? 500 : 200);
  if (p === '/down/') return answer(503);
  if (p === '/loop/a') return answer(302, { location: '/loop/b' });
  if (p === '/loop/b') return answer(302, { location: '/loop/a' });
  const chain = /^\/chain\/(\d+)$/.exec(p);
  if (chain) return answer(302, { location: `/chain/${Number(chain[1]) + 1}` });
  answer(404, {}, 'Not found');
}

let server: http.Server;
let base: string;
/** A port nobody listens on. */
let closedPort: number;

beforeAll(async () => {
  server = http.createServer(store);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const other = http.createServer();
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  closedPort = (other.address() as AddressInfo).port;
  await new Promise((resolve) => other.close(resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  hits.clear();
  maxInFlight = 0;
});

/** The store's destinations: every kind of answer, each with the rules leading there. */
function destinations(): Destination[] {
  return [
    { url: `${base}/global/product/poco-f7/`, rules: ['default:product (global)'] },
    { url: `${base}/global/product/poco-gone/`, rules: ['config/rules.redirects:12', 'default:product (uk)'] },
    { url: `${base}/uk/`, rules: ['default:home (uk)'] },
    { url: `${base}/bot/`, rules: ['config/redirects.csv:3'] },
    { url: `${base}/flaky/`, rules: ['config/redirects.csv:4'] },
    { url: `${base}/down/`, rules: ['config/redirects.csv:5'] },
    { url: `${base}/loop/a`, rules: ['config/redirects.csv:6'] },
    { url: `${base}/chain/0`, rules: ['config/redirects.csv:7'] },
    { url: `${base}/missing/`, rules: ['config/redirects.csv:8'] },
    { url: `${base}/limited/`, rules: ['config/redirects.csv:9'] },
    { url: `http://127.0.0.1:${closedPort}/`, rules: ['config/redirects.csv:10'] },
    { url: `${base}/slow/`, rules: ['config/redirects.csv:11'] },
    { url: `${base}/global/product/poco-f7/`, rules: ['config/redirects.csv:13'] },
  ];
}

/** Backoff from 5 ms and a short timeout keep the tests quick; the semantics are the same. */
const FAST = { retryBaseMs: 5, timeoutMs: 300 };

describe('checkTargets', () => {
  let results: TargetResult[];
  /** Requests per path during that one run (beforeEach clears `hits`). */
  let sent: Map<string, number>;
  beforeAll(async () => {
    hits.clear();
    results = await checkTargets(destinations(), FAST);
    sent = new Map(hits);
  });

  test('each destination decided: live, dead or unknown, and why', () => {
    expect(results.map((r) => [r.url.replace(base, ''), r.verdict, r.why, r.attempts])).toEqual([
      ['/global/product/poco-f7/', 'live', '200', 1],
      ['/global/product/poco-gone/', 'dead', "redirected to the store's error page", 1],
      ['/uk/', 'live', '200', 2],
      ['/bot/', 'unknown', '403 (bot protection or rate limit; check by hand)', 1],
      ['/flaky/', 'live', '200', 2],
      ['/down/', 'dead', '503 after 3 attempts', 3],
      ['/loop/a', 'dead', 'redirect loop', 2],
      ['/chain/0', 'dead', 'more than 5 redirects', 6],
      ['/missing/', 'dead', '404', 1],
      ['/limited/', 'unknown', '429 after 3 attempts (bot protection or rate limit; check by hand)', 3],
      [`http://127.0.0.1:${closedPort}/`, 'dead', `network error after 3 attempts: connect ECONNREFUSED 127.0.0.1:${closedPort}`, 3],
      ['/slow/', 'dead', 'network error after 3 attempts: no answer within 300 ms', 3],
    ]);
  });

  test('the same URL is checked once, with the rules of every destination leading there', () => {
    expect(results[0].rules).toEqual(['default:product (global)', 'config/redirects.csv:13']);
    expect(sent.get('/global/product/poco-f7/')).toBe(1);
  });

  test('redirects are followed by hand and recorded; the error page itself is not requested', () => {
    const chain = (url: string): string[] =>
      results
        .find((r) => r.url === base + url)!
        .chain.map((h) => `${h.status} ${h.url.replace(base, '')}${h.location ? ' -> ' + h.location.replace(base, '') : ''}`);
    expect(chain('/uk/')).toEqual(['301 /uk/ -> /uk/home/', '200 /uk/home/']);
    expect(chain('/global/product/poco-gone/')).toEqual(['302 /global/product/poco-gone/ -> /global/errors/404']);
    expect(chain('/loop/a')).toEqual(['302 /loop/a -> /loop/b', '302 /loop/b -> /loop/a']);
    expect(chain('/chain/0')).toEqual([0, 1, 2, 3, 4, 5].map((i) => `302 /chain/${i} -> /chain/${i + 1}`));
    expect(sent.get('/global/errors/404')).toBeUndefined();
    expect(sent.get('/chain/6')).toBeUndefined();
  });

  test('network errors, 5xx and 429 are retried; 403 and 404 are not', () => {
    expect(Object.fromEntries(['/flaky/', '/down/', '/limited/', '/slow/', '/bot/', '/missing/'].map((p) => [p, sent.get(p)]))).toEqual({
      '/flaky/': 2,
      '/down/': 3,
      '/limited/': 3,
      '/slow/': 3,
      '/bot/': 1,
      '/missing/': 1,
    });
  });

  test('a polite User-Agent naming the tool', () => {
    expect([...userAgents]).toEqual([USER_AGENT]);
    expect(USER_AGENT).toMatch(/^poco-sunset-check-targets\//);
  });

  test('never more requests in flight than the concurrency', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ url: `${base}/global/product/p${i}/`, rules: [`r${i}`] }));
    for (const concurrency of [1, 3]) {
      maxInFlight = 0;
      const done: number[] = [];
      const r = await checkTargets(many, { ...FAST, concurrency, onResult: (_, n, total) => done.push(n, total) });
      expect(r.every((x) => x.verdict === 'live')).toBe(true);
      // Never above; and the requests did overlap (exactly 3 unless the machine is very busy).
      expect(maxInFlight).toBeLessThanOrEqual(concurrency);
      expect(maxInFlight).toBeGreaterThanOrEqual(Math.min(concurrency, 2));
      expect(done.slice(-2)).toEqual([40, 40]);
    }
  });

  test('isErrorPage: a 404 segment anywhere in the path', () => {
    expect(
      ['https://www.mi.com/global/errors/404', 'https://www.mi.com/404', 'https://x/a/404.html', 'https://x/404/'].map(isErrorPage),
    ).toEqual([true, true, true, true]);
    expect(['https://www.mi.com/global/product/poco-404x/', 'https://x/a4040', 'https://x/?p=/404', 'not a url'].map(isErrorPage)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('npm run ops -- check-targets', () => {
  type Run = { code: number; stdout: string; stderr: string };
  const io = (out: string[], err: string[]) => ({
    stdin: process.stdin,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
  /** The command with the test's destinations (the loader is injected; the config files are passed through). */
  async function run(args: string[], list: Destination[] = destinations()): Promise<Run & { files: unknown }> {
    const out: string[] = [];
    const err: string[] = [];
    let files: unknown;
    const command = makeCheckTargetsCommand(
      (f) => {
        files = f;
        return list;
      },
      { retryBaseMs: 5 },
    );
    const code = await runCommand(command, args, io(out, err), 'ops check-targets');
    return { code, stdout: out.join(''), stderr: err.join(''), files };
  }
  const progress = /^check-targets: \d+\/\d+ checked, \d+ dead$/;

  test('the report: counts, each dead one with its chain and rules, each unknown one; exit 1', async () => {
    const r = await run(['--timeout-ms', '300', '--concurrency', '4', '--sites', 'my-sites.json', '--redirects', 'my.csv']);
    expect(r.files).toEqual({ sitesFile: userPath('my-sites.json'), redirectsFile: userPath('my.csv') }); // relative to the user's directory
    expect(r.code).toBe(1);
    const p = (s: string): string => s.replace(/BASE/g, base);
    expect(r.stdout).toBe(
      p(`check-targets: 12 destinations: 3 live, 7 dead, 2 unknown
dead: BASE/global/product/poco-gone/: redirected to the store's error page
    302 BASE/global/product/poco-gone/ -> BASE/global/errors/404
    rules: config/rules.redirects:12, default:product (uk)
dead: BASE/down/: 503 after 3 attempts
    503 BASE/down/
    rules: config/redirects.csv:5
dead: BASE/loop/a: redirect loop
    302 BASE/loop/a -> BASE/loop/b
    302 BASE/loop/b -> BASE/loop/a
    rules: config/redirects.csv:6
dead: BASE/chain/0: more than 5 redirects
    302 BASE/chain/0 -> BASE/chain/1
    302 BASE/chain/1 -> BASE/chain/2
    302 BASE/chain/2 -> BASE/chain/3
    302 BASE/chain/3 -> BASE/chain/4
    302 BASE/chain/4 -> BASE/chain/5
    302 BASE/chain/5 -> BASE/chain/6
    rules: config/redirects.csv:7
dead: BASE/missing/: 404
    404 BASE/missing/
    rules: config/redirects.csv:8
dead: http://127.0.0.1:${closedPort}/: network error after 3 attempts: connect ECONNREFUSED 127.0.0.1:${closedPort}
    rules: config/redirects.csv:10
dead: BASE/slow/: network error after 3 attempts: no answer within 300 ms
    rules: config/redirects.csv:11
unknown: BASE/bot/: 403 (bot protection or rate limit; check by hand)
unknown: BASE/limited/: 429 after 3 attempts (bot protection or rate limit; check by hand)
`),
    );
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('check-targets: 12 destinations, 4 at a time');
    expect(lines.slice(1, -1).every((l) => progress.test(l))).toBe(true);
    expect(lines.slice(-2)).toEqual(['check-targets: 12/12 checked, 7 dead', '']);
  });

  test('--json: one object per destination on stdout, the counts on stderr', async () => {
    const r = await run(['--json', '--retries', '0', '--timeout-ms', '300']);
    expect(r.code).toBe(1);
    const objects = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            url: string;
            verdict: string;
            why: string;
            status: number | null;
            attempts: number;
            rules: string[];
            chain: unknown[];
          },
      );
    expect(objects).toHaveLength(12);
    expect(objects[1]).toEqual({
      url: `${base}/global/product/poco-gone/`,
      verdict: 'dead',
      why: "redirected to the store's error page",
      status: 302,
      chain: [{ url: `${base}/global/product/poco-gone/`, status: 302, location: `${base}/global/errors/404` }],
      attempts: 1,
      rules: ['config/rules.redirects:12', 'default:product (uk)'],
    });
    // Without retries the flaky page's first 500 stands.
    expect(objects.map((o) => `${o.url.replace(base, '')} ${o.verdict} ${o.attempts}`).slice(3, 6)).toEqual([
      '/bot/ unknown 1',
      '/flaky/ dead 1',
      '/down/ dead 1',
    ]);
    expect(objects[10].status).toBeNull();
    expect(r.stderr.split('\n').slice(-2)).toEqual(['check-targets: 12 destinations: 2 live, 8 dead, 2 unknown', '']);
  });

  test('every destination live: exit 0', async () => {
    const r = await run(
      [],
      [
        { url: `${base}/uk/`, rules: ['default:home (uk)'] },
        { url: `${base}/bot/`, rules: ['x'] },
      ],
    );
    expect([r.code, r.stdout]).toEqual([
      0,
      `check-targets: 2 destinations: 1 live, 0 dead, 1 unknown\nunknown: ${base}/bot/: 403 (bot protection or rate limit; check by hand)\n`,
    ]);
  });

  test('usage errors: one clear line, exit 2, nothing requested', async () => {
    for (const [args, message] of [
      [['--concurrency', '0'], 'ops check-targets: --concurrency "0" is not a whole number from 1 to 64'],
      [['--concurrency', '65'], 'ops check-targets: --concurrency "65" is not a whole number from 1 to 64'],
      [['--retries', '-1'], 'ops check-targets: --retries "-1" is not a whole number from 0 to 10'],
      [['--retries', '11'], 'ops check-targets: --retries "11" is not a whole number from 0 to 10'],
      [['--timeout-ms', 'soon'], 'ops check-targets: --timeout-ms "soon" is not a whole number from 1 to 600000'],
      [['https://www.mi.com/'], 'ops check-targets: unexpected argument "https://www.mi.com/"'],
      [
        ['--jsonl'],
        'ops check-targets: unknown option "--jsonl"; this command takes --concurrency, --retries, --timeout-ms, --sites, --redirects, --json',
      ],
    ] as const) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['check-targets', ...args], io(out, err));
      expect([code, out.join(''), err.join('').split('\n')[0]]).toEqual([2, '', message]);
    }
    expect(hits.size).toBe(0);
  });

  test('--help prints the usage', async () => {
    const out: string[] = [];
    expect(await main(['check-targets', '--help'], io(out, []))).toBe(0);
    expect(out.join('')).toMatch(/^Usage: npm run ops -- check-targets \[options\]\n/);
  });
});
