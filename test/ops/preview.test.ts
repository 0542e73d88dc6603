/**
 * The preview server end to end, with a real HTTP client, and `verify`
 * against it.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { RedirectEngine } from '../../lambda/engine';
import { PROJECT_ROOT, loadConfig } from '../../lib/config/load';
import { main } from '../../lib/cli/poco';
import { Preview, startPreview } from '../../lib/ops/preview';
import { frozenOutcomes, targetOf, verify } from '../../lib/ops/verify';
import { buildProbes, expectedOutcomes, outcomeOf, requestOf } from '../../lib/rules/probes';
import { frozenIndexRewriter, NOT_FOUND_PAGE } from '../../lib/edge/frozen-site';
import { DEFAULT_SITES_JSON, FROZEN_FIXTURE } from '../support/deployment';
import { defaultRule } from '../support/engine';
import { tmpDir } from '../support/tmp';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP request to the preview, with any Host header. */
function get(base: string, target: string, headers: Record<string, string>, method = 'GET'): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: url.hostname, port: url.port, path: target, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const dir = tmpDir('preview-');
// The default sites, with the frozen site's snapshot at the test fixture.
const sitesFile = path.join(dir, 'sites.json');
fs.cpSync(FROZEN_FIXTURE, path.join(dir, 'snapshot'), { recursive: true });
fs.writeFileSync(
  sitesFile,
  JSON.stringify({
    ...DEFAULT_SITES_JSON,
    sites: { ...DEFAULT_SITES_JSON.sites, in: { ...DEFAULT_SITES_JSON.sites.in, content: 'snapshot' } },
  }),
);
// The same sites with another snapshot: no 404.html, no product page.
const bareSites = path.join(dir, 'bare-sites.json');
fs.mkdirSync(path.join(dir, 'bare', 'a'), { recursive: true });
fs.writeFileSync(path.join(dir, 'bare', 'index.html'), '<p>home</p>');
fs.writeFileSync(path.join(dir, 'bare', 'a', 'index.html'), '<p>a</p>');
fs.writeFileSync(
  bareSites,
  JSON.stringify({
    ...DEFAULT_SITES_JSON,
    sites: { ...DEFAULT_SITES_JSON.sites, in: { ...DEFAULT_SITES_JSON.sites.in, content: 'bare' } },
  }),
);
const otherList = path.join(dir, 'other.csv');
fs.writeFileSync(
  otherList,
  'po.co/uk/old-phone,https://www.mi.com/uk/product/poco-f7/,301\nuk.po.co/product/poco-m6,https://www.mi.com/uk/sale/,302\n',
);

const lines: string[] = [];
let preview: Preview;
beforeAll(async () => {
  preview = await startPreview({ sitesFile, port: 0, log: (l) => lines.push(l) });
});
afterAll(() => preview.close());

describe('the preview answers as the distributions would', () => {
  test('it listens on 127.0.0.1 and describes every site', () => {
    expect(preview.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(preview.sites).toEqual([
      'po.co, www.po.co, poco.net, www.poco.net: region-path, country-key function on viewer-request, function on origin-request (cache key URI, host, x-poco-country), query-string function on viewer-response',
      'uk.po.co: region-host, function on origin-request (cache key URI, host), query-string function on viewer-response',
      'fr.po.co: region-host, function on origin-request (cache key URI, host), query-string function on viewer-response',
      'de.po.co: region-host, function on origin-request (cache key URI, host), query-string function on viewer-response',
      'c.po.co: region-host, function on origin-request (cache key URI, host), query-string function on viewer-response',
      '*.po.co (any name one label below po.co, such as any-name.po.co): region-host, function on origin-request (cache key URI, host), query-string function on viewer-response',
      `in.po.co: frozen, snapshot ${path.join(dir, 'snapshot')}`,
    ]);
  });

  test('the Host header picks the site and CloudFront-Viewer-Country the store', async () => {
    const a = await get(preview.url, '/', { Host: 'po.co', 'CloudFront-Viewer-Country': 'GB' });
    expect([a.status, a.headers.location, a.headers['cache-control'], a.headers['x-preview-rule']]).toEqual([
      302,
      'https://www.mi.com/uk/',
      'private, no-store',
      defaultRule('landing'),
    ]);
    expect(a.headers['strict-transport-security']).toBe('max-age=63072000');
    const b = await get(preview.url, '/', { Host: 'po.co' });
    expect([b.status, b.headers.location]).toEqual([302, 'https://www.mi.com/global/poco/']);
  });

  test('a Host one label below a wildcard hostname is its site, as CloudFront matches a wildcard alias; a configured name wins', async () => {
    const a = await get(preview.url, '/uk/product/poco-f7?x=1', { Host: 'Shop.PO.co' });
    expect([a.status, a.headers.location, a.headers['x-preview-rule']]).toEqual([
      302,
      'https://www.mi.com/global/poco/',
      defaultRule('other-host'),
    ]);
    const c = await get(preview.url, '/', { Host: 'c.po.co' });
    expect([c.status, c.headers.location, c.headers['x-preview-rule']]).toEqual([
      301,
      'https://new.c.mi.com/global/',
      defaultRule('community'),
    ]);
    // Two labels below, or the bare domain's sibling, are no name the wildcard answers.
    expect((await get(preview.url, '/', { Host: 'a.shop.po.co' })).status).toBe(404);
    // The frozen site's own name is not the wildcard's.
    expect((await get(preview.url, '/', { Host: 'in.po.co' })).status).toBe(200);
  });

  test('the country is not forwarded to region-host sites, as their cache policy leaves it out', async () => {
    const a = await get(preview.url, '/product/POCO-F7?x=1', { Host: 'uk.po.co', 'CloudFront-Viewer-Country': 'FR' });
    expect([a.status, a.headers.location]).toEqual([301, 'https://www.mi.com/uk/product/poco-f7/?x=1']);
  });

  test('every probe of verify gets what the engine decides', async () => {
    const config = loadConfig({ sitesFile });
    const engine = new RedirectEngine(config.tables);
    const probes = buildProbes(config, 1000).filter((p) => !p.host.startsWith('in.'));
    const wrong: string[] = [];
    for (const p of probes) {
      const a = await get(preview.url, p.target, p.country ? { Host: p.host, 'CloudFront-Viewer-Country': p.country } : { Host: p.host });
      const want = outcomeOf(engine.decide(requestOf(p, p.country)));
      const got = `${a.status} ${a.headers.location ?? ''}`;
      if (got !== want) wrong.push(`${p.url} [${p.country ?? ''}]: ${got} != ${want}`);
    }
    expect(probes.length).toBeGreaterThan(90);
    // The wildcard hostname is probed as its sample name, never as "*.po.co".
    expect(probes.filter((p) => p.host.includes('*'))).toEqual([]);
    expect(probes.filter((p) => p.hostname === '*.po.co').map((p) => p.host)).toContain('any-name.po.co');
    expect(wrong).toEqual([]);
  });

  test('methods other than GET and HEAD get 403, as CloudFront answers them', async () => {
    const a = await get(preview.url, '/', { Host: 'po.co' }, 'POST');
    expect(a.status).toBe(403);
    expect(a.body).toBe('preview: POST is not allowed; the distributions accept GET and HEAD (CloudFront answers 403).\n');
    const h = await get(preview.url, '/uk/', { Host: 'po.co' }, 'HEAD');
    expect([h.status, h.headers.location, h.body]).toEqual([301, 'https://www.mi.com/uk/', '']);
  });

  test('an unknown Host is refused with the hostnames there are', async () => {
    const a = await get(preview.url, '/', { Host: 'example.com' });
    expect(a.status).toBe(404);
    expect(a.body).toBe(
      `preview: Host "example.com" is not a hostname of ${path.join(dir, 'sites.json')}. Send one of po.co, www.po.co, poco.net, www.poco.net, uk.po.co, fr.po.co, de.po.co, c.po.co, *.po.co (any name one label below po.co), in.po.co, e.g. curl -si -H 'Host: po.co' <preview url>/\n`,
    );
  });

  test("the frozen site serves its snapshot as its distribution does: index.html for a folder URI, 404 with the snapshot's 404.html for a missing page or a way out", async () => {
    const snapshot = (name: string): string => fs.readFileSync(path.join(dir, 'snapshot', name), 'utf8');
    const root = await get(preview.url, '/', { Host: 'in.po.co' });
    expect([root.status, root.headers['content-type'], root.body]).toEqual([200, 'text/html; charset=utf-8', snapshot('index.html')]);
    for (const uri of ['/product/poco-c75', '/product/poco-c75/', '/product/poco-c75/index.html', '/product/poco-c75?utm_source=x']) {
      const page = await get(preview.url, uri, { Host: 'in.po.co' });
      expect([uri, page.status, page.headers['content-type'], page.body]).toEqual([
        uri,
        200,
        'text/html; charset=utf-8',
        snapshot('product/poco-c75/index.html'),
      ]);
    }
    for (const uri of ['/nope.html', '/product/', '/product/poco-x9', '/%2e%2e/%2e%2e/package.json']) {
      const missing = await get(preview.url, uri, { Host: 'in.po.co' });
      expect([uri, missing.status, missing.headers['content-type'], missing.body]).toEqual([
        uri,
        404,
        'text/html; charset=utf-8',
        snapshot('404.html'),
      ]);
    }
    const head = await get(preview.url, '/product/poco-x9', { Host: 'in.po.co' }, 'HEAD');
    expect([head.status, head.body]).toEqual([404, '']);
    expect((await get(preview.url, '/index.html%00.png', { Host: 'in.po.co' })).status).toBe(400);
  });

  test('a snapshot without a 404.html: a missing page gets the plain page deployed in its place', async () => {
    const other = await startPreview({ sitesFile: bareSites, port: 0, log: () => undefined });
    try {
      expect((await get(other.url, '/a', { Host: 'in.po.co' })).body).toBe('<p>a</p>');
      const missing = await get(other.url, '/b', { Host: 'in.po.co' });
      expect([missing.status, missing.headers['content-type'], missing.body]).toEqual([404, 'text/html; charset=utf-8', NOT_FOUND_PAGE]);
      const page = await get(other.url, '/404.html', { Host: 'in.po.co' });
      expect([page.status, page.body]).toEqual([200, NOT_FOUND_PAGE]);
    } finally {
      await other.close();
    }
  });

  test('one line per request: method, host and path, country, status, destination, rule, time', async () => {
    lines.length = 0;
    await get(preview.url, '/de/support/x?y=1', { Host: 'www.po.co', 'CloudFront-Viewer-Country': 'IT' });
    await get(preview.url, '/', { Host: 'nowhere.example' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^GET www\.po\.co\/de\/support\/x\?y=1 \[IT\] -> 301 https:\/\/www\.mi\.com\/de\/support\/\?y=1 \(rule:support@config\/rules\.txt:\d+\) \d+\.\d ms$/,
    );
    expect(lines[1]).toMatch(/^GET nowhere\.example\/ -> 404 unknown host \d+\.\d ms$/);
  });
});

describe('the preview with another bulk list (--redirects)', () => {
  test('answers from that list', async () => {
    const other = await startPreview({ redirectsFile: otherList, port: 0, log: () => undefined });
    try {
      const a = await get(other.url, '/uk/old-phone', { Host: 'po.co' });
      expect([a.status, a.headers.location, a.headers['x-preview-rule']]).toEqual([
        301,
        'https://www.mi.com/uk/product/poco-f7/',
        'bulk:other.csv:1',
      ]);
    } finally {
      await other.close();
    }
  });

  test('a port in use is a clear error', async () => {
    await expect(startPreview({ port: preview.port, log: () => undefined })).rejects.toThrow(
      `port ${preview.port} on 127.0.0.1 is in use. Fix: stop what holds it, or choose another with PORT=8788 npm start (or --port 8788).`,
    );
  });
});

describe('verify against the preview', () => {
  test("every probe matches: contract examples, each site's rules, the bulk list", async () => {
    const out: string[] = [];
    const report = await verify({ base: preview.url, sitesFile }, (l) => out.push(l));
    expect([report.mismatches, report.failures]).toEqual([0, 0]);
    const origins = new Set(report.results.map((r) => r.probe.origin.replace(/:\d+$/, '')));
    expect([...origins].sort()).toEqual([
      'bulk:config/redirects.csv',
      'contract',
      'site community',
      'site de',
      'site fr',
      'site global',
      'site in',
      'site other',
      'site uk',
      'snapshot',
    ]);
    // The frozen site answers as its snapshot does, reached directly or by the redirect that leads there (followed one hop).
    const frozen = report.results
      .filter((r) => r.probe.host === 'in.po.co' || r.followed)
      .map((r) => [r.probe.url, r.probe.origin, r.actual, r.followed?.url, r.followed?.actual]);
    expect(frozen).toEqual(
      expect.arrayContaining([
        ['https://in.po.co/anything', 'contract', 'not a redirect (404)', undefined, undefined],
        ['https://in.po.co/', 'site in', 'not a redirect (200)', undefined, undefined],
        ['https://po.co/in/', 'contract', '301 https://in.po.co/', 'https://in.po.co/', 'not a redirect (200)'],
        [
          'https://po.co/in/product/poco-c75',
          'snapshot',
          '301 https://in.po.co/product/poco-c75',
          'https://in.po.co/product/poco-c75',
          'not a redirect (200)',
        ],
        ['https://in.po.co/product/poco-c75/', 'snapshot', 'not a redirect (200)', undefined, undefined],
      ]),
    );
    expect(report.results.filter((r) => r.probe.origin.startsWith('bulk:'))).toHaveLength(8);
    expect(out[0]).toBe(`verify: ${report.results.length} probes against ${preview.url} (Host header set per probe)`);
    expect(out[out.length - 1]).toBe(`verify: ${report.results.length} probes: ${report.results.length} match, 0 mismatch, 0 failed`);
  });

  test("the frozen site is checked against the snapshot verify reads: a page served that it lacks is a mismatch, the redirect's hop included", async () => {
    // verify reads the bare snapshot; the preview serves the fixture, which has the product page.
    const out: string[] = [];
    const report = await verify({ base: preview.url, sitesFile: bareSites, sample: 0 }, (l) => out.push(l));
    // Sorted: the probes run concurrently, and the followed one takes a second request.
    expect(out.filter((l) => l.startsWith('MISMATCH')).sort()).toEqual([
      'MISMATCH https://in.po.co/product/poco-c75/ (snapshot): expected not a redirect (404), got not a redirect (200)',
      'MISMATCH https://po.co/in/product/poco-c75 (snapshot): 301 https://in.po.co/product/poco-c75, followed to https://in.po.co/product/poco-c75: expected not a redirect (404), got not a redirect (200)',
    ]);
    expect([report.mismatches, report.failures]).toEqual([2, 0]);
    // Without the snapshot folder on this machine, a page or a 404 will do, but never S3's 403.
    const rewrite = frozenIndexRewriter();
    expect(frozenOutcomes(undefined, '/product/poco-c75?x=1', rewrite)).toEqual(['not a redirect (200)', 'not a redirect (404)']);
    expect(frozenOutcomes(FROZEN_FIXTURE, '/product/poco-c75?x=1', rewrite)).toEqual(['not a redirect (200)']);
    expect(frozenOutcomes(FROZEN_FIXTURE, '/product/poco-x9', rewrite)).toEqual(['not a redirect (404)']);
  });

  test('a preview with another list shows the differences, and the command exits 1', async () => {
    const other = await startPreview({ redirectsFile: otherList, port: 0, log: () => undefined });
    try {
      const stdout: string[] = [];
      const code = await main(['verify', '--base', other.url, '--sample', '3'], {
        stdin: process.stdin,
        stdout: { write: (s: string) => stdout.push(s) },
        stderr: { write: (s: string) => stdout.push(s) },
      });
      expect(code).toBe(1);
      const text = stdout.join('');
      // The three sampled entries (lines 1, 3, 6 of 8) are missing from the preview's list; its own second line changes a contract example.
      expect(text.split('\n').filter((l) => l.startsWith('MISMATCH'))).toEqual([
        'MISMATCH https://uk.po.co/product/poco-m6 (contract): expected 301 https://www.mi.com/uk/, got 302 https://www.mi.com/uk/sale/',
        'MISMATCH https://po.co/global/product/poco-x6-neo (bulk:config/redirects.csv:1): expected 301 https://www.mi.com/global/product/poco-x7/, got 301 https://www.mi.com/global/poco/',
        'MISMATCH https://po.co/poco-store-app (bulk:config/redirects.csv:3): expected 301 https://www.mi.com/global/app/, got 302 https://www.mi.com/global/poco/',
        'MISMATCH https://uk.po.co/blog (bulk:config/redirects.csv:6): expected 301 https://www.mi.com/uk/blog/, got 301 https://www.mi.com/uk/',
      ]);
      expect(text).toMatch(/verify: (\d+) probes: \d+ match, 4 mismatch, 0 failed\n$/);
    } finally {
      await other.close();
    }
  });

  test('nothing listening is one clear error, exit 1', async () => {
    const closed = await startPreview({ port: 0, log: () => undefined });
    await closed.close();
    const err: string[] = [];
    const code = await main(['verify', '--base', closed.url, '--sample', '0'], {
      stdin: process.stdin,
      stdout: { write: () => undefined },
      stderr: { write: (s: string) => err.push(s) },
    });
    expect(code).toBe(1);
    expect(err.join('')).toBe(
      `ops verify: no probe got an answer from ${closed.url} (error: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:${closed.port}). Fix: check the URL; for the preview, start it first with npm start.\n`,
    );
  });

  test('bad options are usage errors, exit 2', async () => {
    const err: string[] = [];
    const io = { stdin: process.stdin, stdout: { write: () => undefined }, stderr: { write: (s: string) => err.push(s) } };
    expect(await main(['verify'], io)).toBe(2);
    expect(await main(['verify', '--base', 'http://127.0.0.1:1/uk/'], io)).toBe(2);
    expect(await main(['verify', '--base', 'http://x', '--country', 'Britain'], io)).toBe(2);
    expect(err.map((e) => e.split('\n')[0])).toEqual([
      'ops verify: --base URL is required',
      'ops verify: --base "http://127.0.0.1:1/uk/" must have no path or query; the probes bring their own',
      'ops verify: --country "Britain" is not a two-letter country code such as GB, or "none"',
    ]);
  });
});

describe('npm start', () => {
  test('npm start -- --redirects FILE: prints its address when ready, answers from that list, logs each request and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'lib/cli/poco.ts', 'preview', '--redirects', otherList],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PORT: '0' },
      },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: string) => {
        stdout += c;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`preview exited with ${code}: ${stdout}`)));
    });
    const a = await get(url, '/fr/', { Host: 'po.co' });
    expect([a.status, a.headers.location]).toEqual([301, 'https://www.mi.com/fr/']);
    const b = await get(url, '/uk/old-phone', { Host: 'po.co' });
    expect([b.status, b.headers.location]).toEqual([301, 'https://www.mi.com/uk/product/poco-f7/']);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stdout).toMatch(/^preview: bundle \d+\.\d KiB; serving\n/);
    expect(stdout).toMatch(
      /\nGET po\.co\/fr\/ -> 301 https:\/\/www\.mi\.com\/fr\/ \(rule:landing@config\/rules\.txt:\d+\) \d+\.\d ms\nGET po\.co\/uk\/old-phone -> 301 https:\/\/www\.mi\.com\/uk\/product\/poco-f7\/ \(bulk:[^)]*other\.csv:1\) \d+\.\d ms\npreview: stopped\n$/,
    );
  });
});

describe('verify against production', () => {
  const config = loadConfig();
  const engine = new RedirectEngine(config.tables);
  const hostnames = new Set(config.sites.sites.flatMap((s) => s.hostnames));

  test('a configured hostname as the base sends each probe to its own hostname; anything else to the base, with Host set', () => {
    expect(targetOf('https://po.co', hostnames)).toEqual({ fixedHost: undefined, port: undefined, secure: true, direct: true });
    expect(targetOf('https://d111111abcdef8.cloudfront.net', hostnames)).toEqual({
      fixedHost: 'd111111abcdef8.cloudfront.net',
      port: undefined,
      secure: true,
      direct: false,
    });
    expect(targetOf('http://127.0.0.1:8787', hostnames)).toEqual({ fixedHost: '127.0.0.1', port: 8787, secure: false, direct: false });
  });

  test("where CloudFront decides the country, a country-dependent probe accepts any configured country's answer", () => {
    const root = { url: 'https://po.co/', host: 'po.co', target: '/', origin: 'contract', country: 'GB' };
    const all = [...config.sites.countries.keys()];
    expect(expectedOutcomes(engine, root, true, all)).toEqual(['302 https://www.mi.com/uk/']);
    // Each of the 20 configured countries' region landing (in: the frozen site), and none's: the global landing.
    const landings = [...new Set(config.tables.countries.map(([, r]) => config.tables.regions[r]).map((r) => `302 ${r.landing}`))];
    expect(landings).toHaveLength(20);
    expect(expectedOutcomes(engine, root, false, all).sort()).toEqual([...landings, '302 https://www.mi.com/global/poco/'].sort());
    expect(expectedOutcomes(engine, root, false, all)).toContain('302 https://www.mi.co.id/id/product-list/phone/poco/');
    // A path that names its region does not depend on the country: one answer either way.
    expect(expectedOutcomes(engine, { ...root, url: 'https://po.co/fr/', target: '/fr/' }, false, all)).toEqual([
      '301 https://www.mi.com/fr/',
    ]);
  });
});
