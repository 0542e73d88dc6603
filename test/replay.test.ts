/**
 * `replay` on access logs and sitemaps the tests write: counting, the
 * fallback CSV, malformed input counted and skipped, bad files refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { main } from '../lib/cli/poco';
import { ProblemList, formatProblem } from '../lib/config/problems';
import { hostRoles, parseRedirects } from '../lib/config/redirects';
import { fallbackCsv, replay } from '../lib/ops/replay';
import { sites } from './support/engine';
import { tmpDir } from './support/tmp';

/** The fields of a CloudFront standard log file, version 1.0. */
const FIELDS = 'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end'.split(' ');

/** One log line as CloudFront writes it: the viewer's Host in x-host-header, the distribution's name in cs(Host). */
function logLine(host: string, uri: string, query = '-'): string {
  const v: Record<string, string> = { date: '2024-12-30', time: '10:00:00', 'cs-method': 'GET', 'cs(Host)': 'd111111abcdef8.cloudfront.net', 'cs-uri-stem': uri, 'sc-status': '404', 'cs-uri-query': query, 'x-host-header': host, 'cs-protocol': 'https' };
  return FIELDS.map((f) => v[f] ?? '-').join('\t');
}

function logFile(lines: string[]): string {
  return ['#Version: 1.0', `#Fields: ${FIELDS.join(' ')}`, ...lines].join('\n') + '\n';
}

const dir = tmpDir('replay-');
const write = (name: string, content: string | Buffer): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
};

const times = (n: number, line: string): string[] => Array.from({ length: n }, () => line);
const logGz = write(
  'E2EXAMPLE.2024-12-30-10.abcd1234.gz',
  gzipSync(
    logFile([
      ...times(5, logLine('po.co', '/uk/products/poco-f5')),
      ...times(2, logLine('po.co', '/uk//products/poco-f5/', 'utm_source=x')), // same URL after normalisation
      ...times(3, logLine('uk.po.co', '/community/thread/42')),
      ...times(4, logLine('po.co', '/uk/product/poco-f6')), // a default rule: not a fallback
      logLine('po.co', '/f6'), // a bulk entry
      logLine('in.po.co', '/anything'), // the frozen site: not a fallback
      logLine('d111111abcdef8.cloudfront.net', '/uk/'), // not a configured hostname
      'garbage line',
      logLine('po.co', 'no-slash'),
    ]),
  ),
);
const logPlain = write('plain.log', logFile([logLine('fr.po.co', '/ancien/lien'), logLine('fr.po.co', '/ancien/lien')]) + 'a\tb\n');
const sitemap = write(
  'sitemap.xml',
  `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://po.co/uk/</loc></url>
  <url><loc>https://po.co/de/news/launch?a=1&amp;b=2</loc></url>
  <url><loc> https://de.po.co/presse </loc><lastmod>2024-01-01</lastmod></url>
  <url><loc>not a url</loc></url>
</urlset>
`,
);
const whole = gzipSync(logFile(Array.from({ length: 400 }, (_, i) => logLine('de.po.co', `/alt/${i}`))));
const truncated = write('cut.gz', whole.subarray(0, Math.floor(whole.length / 2)));

describe('replay', () => {
  test('counts each URL under its normalised path, most requested first, only fallbacks', async () => {
    const report = await replay({ files: [logGz, logPlain, sitemap] });
    expect(report.fallbacks.map((f) => `${f.hits} ${f.source} ${f.rule} ${f.location}`)).toEqual([
      '7 po.co/uk/products/poco-f5 fallback:store-home https://www.mi.com/uk/',
      '3 uk.po.co/community/thread/42 fallback:store-home https://www.mi.com/uk/',
      '2 fr.po.co/ancien/lien fallback:store-home https://www.mi.com/fr/',
      '1 de.po.co/presse fallback:store-home https://www.mi.com/de/',
      '1 po.co/de/news/launch fallback:store-home https://www.mi.com/de/',
    ]);
    expect(report.distinct).toBe(9);
    expect(report.otherHosts).toBe(1);
    expect(report.files).toEqual([
      { file: logGz, format: 'cloudfront-log', records: 19, malformed: 2, firstMalformed: 'line 20: expected 33 tab-separated fields, found 1' },
      { file: logPlain, format: 'cloudfront-log', records: 3, malformed: 1, firstMalformed: 'line 5: expected 33 tab-separated fields, found 2' },
      { file: sitemap, format: 'sitemap', records: 4, malformed: 1, firstMalformed: '<loc> "not a url" is not an absolute http(s) URL' },
    ]);
  });

  test('a gzip file cut off in the middle is read as far as it goes; the cut line is malformed, not fatal', async () => {
    const report = await replay({ files: [truncated] });
    const [stats] = report.files;
    expect(stats.records).toBeGreaterThan(10);
    expect(stats.records).toBeLessThan(400);
    expect([stats.malformed, stats.firstMalformed]).toEqual([1, expect.stringMatching(/^line \d+: expected 33 tab-separated fields, found \d+$/)]);
    expect(report.distinct).toBe(stats.records - 1);
  });

  test('the CSV is the bulk-list format: it loads once the targets are filled in, and not before', async () => {
    const report = await replay({ files: [logGz] });
    const csv = fallbackCsv(report.fallbacks);
    expect(csv).toBe('po.co/uk/products/poco-f5,,301\nuk.po.co/community/thread/42,,301\n');
    const roles = hostRoles(sites());
    const empty = new ProblemList('fallbacks.csv');
    parseRedirects(csv, empty, roles);
    expect(empty.problems.map(formatProblem)[0]).toMatch(/^fallbacks\.csv:1: TARGET_URL/);
    const filled = new ProblemList('fallbacks.csv');
    const entries = parseRedirects(csv.replace(/,,301/g, ',https://www.mi.com/uk/support/,301'), filled, roles);
    expect(filled.problems).toEqual([]);
    expect(entries.map((e) => `${e.host}${e.path}`)).toEqual(['po.co/uk/products/poco-f5', 'uk.po.co/community/thread/42']);
  });
});

describe('npm run ops -- replay', () => {
  function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    return main(['replay', ...args], { stdin: process.stdin, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }).then((code) => ({ code, stdout: out.join(''), stderr: err.join('') }));
  }

  test('CSV on stdout, what it read and the top URLs with their counts on stderr', async () => {
    const r = await run([logGz, sitemap, '--top', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('po.co/uk/products/poco-f5,,301\nuk.po.co/community/thread/42,,301\n');
    expect(r.stderr).toBe(
      [
        `replay: ${logGz}: cloudfront-log, 19 records, 2 malformed (first: line 20: expected 33 tab-separated fields, found 1)`,
        `replay: ${sitemap}: sitemap, 4 records, 1 malformed (first: <loc> "not a url" is not an absolute http(s) URL)`,
        'replay: 8 distinct URLs on configured hostnames, 4 fell to a fallback (2 written); 1 request on other hostnames skipped',
        '         7  po.co/uk/products/poco-f5  (fallback:store-home -> https://www.mi.com/uk/)',
        '         3  uk.po.co/community/thread/42  (fallback:store-home -> https://www.mi.com/uk/)',
        '',
      ].join('\n'),
    );
  });

  test('--output writes the file whole', async () => {
    const out = path.join(dir, 'fallbacks.csv');
    const r = await run(['--output', out, logPlain]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8')).toBe('fr.po.co/ancien/lien,,301\n');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a missing file or one of another format stops before any output, exit 2', async () => {
    const other = write('notes.txt', 'hello\n');
    for (const [args, message] of [
      [[logGz, path.join(dir, 'nope.gz')], `ops replay: ${path.join(dir, 'nope.gz')} does not exist`],
      [[other], `ops replay: ${other} is neither a CloudFront access log (starting "#Version:" or "#Fields:") nor a sitemap (XML with <urlset>)`],
      [[], 'ops replay: give at least one access log or sitemap'],
    ] as const) {
      const r = await run([...args]);
      expect([r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([2, '', message]);
    }
  });
});
