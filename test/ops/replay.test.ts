/**
 * `replay` on access logs, sitemaps, URL lists and decision logs the tests
 * write: counting, the fallback CSV, the landing summary, hits per rule,
 * malformed input counted and skipped (over-long lines, broken `<loc>`s),
 * bad files refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { main } from '../../lib/cli/poco';
import { ProblemList, formatProblem } from '../../lib/config/problems';
import { hostRoles, parseRedirects } from '../../lib/config/redirects';
import { renderRuleHits, renderSummary } from '../../lib/ops/landing-summary';
import { fallbackCsv, LocScanner, renderFileStats, replay } from '../../lib/ops/replay';
import { loadConfig } from '../../lib/config/load';
import { DEFAULT_RULES_TEXT, defaultRule, sites } from '../support/engine';
import { tmpDir } from '../support/tmp';

/** The fields of a CloudFront standard log file, version 1.0. */
const FIELDS =
  'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end'.split(
    ' ',
  );

/** One log line as CloudFront writes it: the viewer's Host in x-host-header, the distribution's name in cs(Host). */
function logLine(host: string, uri: string, query = '-'): string {
  const v: Record<string, string> = {
    date: '2024-12-30',
    time: '10:00:00',
    'cs-method': 'GET',
    'cs(Host)': 'd111111abcdef8.cloudfront.net',
    'cs-uri-stem': uri,
    'sc-status': '404',
    'cs-uri-query': query,
    'x-host-header': host,
    'cs-protocol': 'https',
  };
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

/**
 * The shipped rules file without its last rule (`/* :landing`, which takes
 * every path no rule before it does): what no rule matches falls to
 * `fallback:no-rule`, the URLs replay lists.
 */
const NO_CATCH_ALL = write('rules.txt', DEFAULT_RULES_TEXT.replace(/^\/\*\s+:landing\s+Name=no-match\s*$/m, ''));

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
  test('with the shipped rules, a rule answers every URL: no fallback', async () => {
    expect((await replay({ files: [logGz, logPlain, sitemap] })).fallbacks).toEqual([]);
  });

  test('counts each URL under its normalised path, most requested first, only fallbacks', async () => {
    const report = await replay({ files: [logGz, logPlain, sitemap], rulesFile: NO_CATCH_ALL });
    expect(report.fallbacks.map((f) => `${f.hits} ${f.source} ${f.rule} ${f.location}`)).toEqual([
      '7 po.co/uk/products/poco-f5 fallback:no-rule https://www.mi.com/uk/',
      '3 uk.po.co/community/thread/42 fallback:no-rule https://www.mi.com/uk/',
      '2 fr.po.co/ancien/lien fallback:no-rule https://www.mi.com/fr/',
      '1 de.po.co/presse fallback:no-rule https://www.mi.com/de/',
      '1 po.co/de/news/launch fallback:no-rule https://www.mi.com/de/',
    ]);
    expect(report.distinct).toBe(9);
    expect(report.otherHosts).toBe(1);
    expect(report.files).toEqual([
      {
        file: logGz,
        format: 'cloudfront-log',
        records: 19,
        malformed: 2,
        firstMalformed: 'line 20: expected 33 tab-separated fields, found 1',
      },
      {
        file: logPlain,
        format: 'cloudfront-log',
        records: 3,
        malformed: 1,
        firstMalformed: 'line 5: expected 33 tab-separated fields, found 2',
      },
      { file: sitemap, format: 'sitemap', records: 4, malformed: 1, firstMalformed: '<loc> "not a url" is not an absolute http(s) URL' },
    ]);
  });

  test('a gzip file cut off in the middle is read as far as it goes; the cut line is malformed, not fatal', async () => {
    const report = await replay({ files: [truncated] });
    const [stats] = report.files;
    expect(stats.records).toBeGreaterThan(10);
    expect(stats.records).toBeLessThan(400);
    expect([stats.malformed, stats.firstMalformed]).toEqual([
      1,
      expect.stringMatching(/^line \d+: expected 33 tab-separated fields, found \d+$/),
    ]);
    expect(report.distinct).toBe(stats.records - 1);
  });

  test('the CSV is the bulk-list format: it loads once the targets are filled in, and not before', async () => {
    const report = await replay({ files: [logGz], rulesFile: NO_CATCH_ALL });
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
    return main(['replay', ...args], {
      stdin: process.stdin,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    }).then((code) => ({ code, stdout: out.join(''), stderr: err.join('') }));
  }

  test('CSV on stdout, what it read and the top URLs with their counts on stderr', async () => {
    const r = await run([logGz, sitemap, '--top', '2', '--rules', NO_CATCH_ALL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('po.co/uk/products/poco-f5,,301\nuk.po.co/community/thread/42,,301\n');
    expect(r.stderr).toBe(
      [
        `replay: ${logGz}: cloudfront-log, 19 records, 2 malformed (first: line 20: expected 33 tab-separated fields, found 1)`,
        `replay: ${sitemap}: sitemap, 4 records, 1 malformed (first: <loc> "not a url" is not an absolute http(s) URL)`,
        'replay: 8 distinct URLs on configured hostnames, 4 fell to a fallback (2 written); 1 request on other hostnames skipped',
        '         7  po.co/uk/products/poco-f5  (fallback:no-rule -> https://www.mi.com/uk/)',
        '         3  uk.po.co/community/thread/42  (fallback:no-rule -> https://www.mi.com/uk/)',
        '',
      ].join('\n') +
        renderSummary(
          (await replay({ files: [logGz, sitemap], rulesFile: NO_CATCH_ALL })).landing,
          'replay: where the requests land (decided by the engine with this config):',
        ),
    );
  });

  test('--output writes the file whole', async () => {
    const out = path.join(dir, 'fallbacks.csv');
    const r = await run(['--output', out, '--rules', NO_CATCH_ALL, logPlain]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8')).toBe('fr.po.co/ancien/lien,,301\n');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a missing file or one of another format stops before any output, exit 2', async () => {
    const other = write('notes.txt', 'hello\n');
    for (const [args, message] of [
      [[logGz, path.join(dir, 'nope.gz')], `ops replay: ${path.join(dir, 'nope.gz')} does not exist`],
      [
        [other],
        `ops replay: ${other} is neither a CloudFront access log (starting "#Version:" or "#Fields:"), a sitemap (XML with <urlset>), a decision log (JSON lines) nor a URL list (one URL per line)`,
      ],
      [[], 'ops replay: give at least one access log, sitemap, URL list or decision log'],
      [
        ['--summary-only', '--output', path.join(dir, 'x.csv'), logGz],
        'ops replay: --summary-only writes no CSV: leave out --output and --top',
      ],
    ] as const) {
      const r = await run([...args]);
      expect([r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([2, '', message]);
    }
  });
});

/** The lines of ../shared/data/legacy-links/sample.txt, copied. */
const SAMPLE_LINES = [
  'https://www.po.co/global/product/poco-f6/specs/',
  'https://www.po.co/global/product/poco-f6-pro/',
  'https://www.po.co/global/product/poco-x5-pro-5g/specs',
  'https://www.po.co/global/poco-x3-nfc/specs/',
  'https://www.po.co/global/poco-f3/',
  'https://www.po.co/ru/poco-x4-pro-5g/specs',
  'https://www.po.co/global/',
  'https://www.po.co/tw/',
  'https://www.po.co/',
  'https://c.po.co/global/',
  'https://www.po.co/global/support/contact/',
  'https://www.po.co/global/product/poco-m5/',
  'https://www.po.co/global/product/poco-x7-pro/specs/',
  'po.co/in/',
  'https://www.po.co/global/product/poco-pad-x1/specs/',
  'https://www.po.co/global/product/poco-f4-gt/',
];

const urlList = write(
  'links.txt',
  [
    '# legacy links',
    ...SAMPLE_LINES,
    '',
    '# with the viewer country',
    'po.co/ IN',
    'https://po.co/ FR',
    '  po.co/   fr  ', // the same URL and country as the line before
    'https://po.co/product/poco-f6 DE',
    'https://example.com/elsewhere',
    'ftp://po.co/x',
    'po.co/uk/ FRA',
    'po.co/uk/ FR extra',
  ].join('\r\n') + '\r\n',
);

describe('replay: URL lists', () => {
  test('one URL a line, scheme optional, an optional country; comments and blank lines skipped', async () => {
    const report = await replay({ files: [urlList] });
    expect(report.files).toEqual([
      { file: urlList, format: 'url-list', records: 24, malformed: 3, firstMalformed: 'line 25: "ftp://po.co/x" is not an http(s) URL' },
    ]);
    // 21 URLs read: the 16 sample URLs (all distinct), po.co/ for IN and for FR (twice), po.co/product/poco-f6 for DE, example.com.
    // (Which of the sample's hostnames are configured is the sites file's business: c.po.co is a recent one.)
    expect(report.otherHosts).toBeGreaterThanOrEqual(1);
    expect(report.landing.total).toEqual({ requests: 21 - report.otherHosts, distinct: report.distinct });
    expect(report.distinct).toBe(20 - report.otherHosts);
    expect(report.landing.rows.reduce((n, r) => n + r.requests, 0)).toBe(report.landing.total.requests);
  });

  test('each URL is decided for its country, and counted per country', async () => {
    const list = write('countries.txt', 'po.co/ IN\npo.co/ FR\npo.co/ FR\n');
    const report = await replay({ files: [list] });
    expect(report.distinct).toBe(2);
    const frozen = report.landing.rows.find((r) => r.category === 'frozen passthrough');
    expect(frozen).toEqual({ category: 'frozen passthrough', requests: 1, distinct: 1 }); // India's region is the frozen site
    expect(report.landing.total).toEqual({ requests: 3, distinct: 2 });
  });

  test('a line longer than 64 KiB is malformed and the lines after it are read', async () => {
    const list = write('long.txt', `po.co/uk/\npo.co/${'a'.repeat(70 * 1024)}\npo.co/de/\n`);
    const report = await replay({ files: [list] });
    expect(report.files[0]).toEqual({
      file: list,
      format: 'url-list',
      records: 3,
      malformed: 1,
      firstMalformed: 'line 2: longer than 64 KiB',
    });
    expect(report.distinct).toBe(2);
  });

  test('gzip, and a file of comments alone, are URL lists too', async () => {
    const gz = write('links.txt.gz', gzipSync(SAMPLE_LINES.join('\n')));
    const comments = write('comments.txt', '# nothing yet\n\n');
    const report = await replay({ files: [gz, comments] });
    expect(report.files.map((f) => [f.format, f.records, f.malformed])).toEqual([
      ['url-list', 16, 0],
      ['url-list', 0, 0],
    ]);
    expect(report.distinct + report.otherHosts).toBe(16);
  });
});

describe('replay: access logs and sitemaps, bounded', () => {
  test('an access log line longer than 64 KiB is malformed, the next is read', async () => {
    const log = write(
      'long.log',
      logFile([logLine('po.co', '/uk/a'), logLine('po.co', `/uk/${'b'.repeat(70 * 1024)}`), logLine('po.co', '/uk/c')]),
    );
    const report = await replay({ files: [log] });
    expect(report.files[0]).toEqual({
      file: log,
      format: 'cloudfront-log',
      records: 3,
      malformed: 1,
      firstMalformed: 'line 4: longer than 64 KiB',
    });
    expect(report.distinct).toBe(2);
  });

  const urlset = (body: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}`;

  test('a character reference to no character makes its <loc> malformed, not the run', async () => {
    const map = write(
      'entity.xml',
      urlset('<url><loc>https://po.co/uk/&#99999999;</loc></url>\n<url><loc>https://po.co/de/&#x41;&#66;</loc></url>\n</urlset>\n'),
    );
    const report = await replay({ files: [map] });
    expect(report.files[0]).toEqual({
      file: map,
      format: 'sitemap',
      records: 2,
      malformed: 1,
      firstMalformed: '<loc> "https://po.co/uk/&#99999999;" has a character reference to no XML character',
    });
    expect(report.distinct).toBe(1);
  });

  test('a <loc> and whitespace with no </loc> is one malformed <loc>', async () => {
    const open = write('open.xml', urlset(`<url><loc>${' '.repeat(5 * 1024)}`));
    const other = write('other.xml', urlset(`<url><loc>${' \n'.repeat(5 * 1024)}</url></urlset>`));
    const report = await replay({ files: [open, other] });
    expect(report.files).toEqual([
      { file: open, format: 'sitemap', records: 1, malformed: 1, firstMalformed: 'a <loc> not closed by </loc>' },
      { file: other, format: 'sitemap', records: 1, malformed: 1, firstMalformed: 'a <loc> not closed by </loc>' },
    ]);
    expect(report.distinct).toBe(0);
  });

  test('a <loc> longer than 64 Ki characters is malformed, the next is read', async () => {
    const map = write(
      'huge.xml',
      urlset(`<url><loc>https://po.co/${'a'.repeat(70 * 1024)}</loc></url><url><loc>https://po.co/uk/ok</loc></url></urlset>`),
    );
    const report = await replay({ files: [map] });
    expect(report.files[0]).toEqual({
      file: map,
      format: 'sitemap',
      records: 2,
      malformed: 1,
      firstMalformed: 'a <loc> longer than 64 Ki characters',
    });
    expect(report.distinct).toBe(1);
  });

  test('a sitemap index is malformed and its <loc>s (sitemaps) are not replayed', async () => {
    const map = write(
      'index.xml',
      '<?xml version="1.0"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://po.co/sitemap-1.xml</loc></sitemap></sitemapindex>\n',
    );
    const report = await replay({ files: [map] });
    expect(report.files[0]).toEqual({
      file: map,
      format: 'sitemap',
      records: 1,
      malformed: 1,
      firstMalformed: 'a sitemap index: replay the sitemaps it lists instead',
    });
    expect(report.distinct).toBe(0);
  });

  test('the <loc> scan finds the same whatever pieces the text comes in', () => {
    const text = `<urlset><url><loc> https://po.co/a </loc></url><loc>x<b>y</loc><loc>https://po.co/&amp;</loc><lo<loc></loc><loc>${' '.repeat(40)}`;
    const scan = (pieces: string[]): string[] => {
      const seen: string[] = [];
      const s = new LocScanner(
        () => seen.push('open'),
        (c) => seen.push(`loc ${JSON.stringify(c)}`),
        (why) => seen.push(`bad ${why}`),
      );
      for (const p of pieces) s.push(p);
      s.end();
      return seen;
    };
    const whole = scan([text]);
    expect(whole).toEqual([
      'open',
      'loc " https://po.co/a "',
      'open',
      'bad a <loc> not closed by </loc>',
      'open',
      'loc "https://po.co/&amp;"',
      'open',
      'loc ""',
      'open',
      'bad a <loc> not closed by </loc>',
    ]);
    for (let size = 1; size <= 9; size++) {
      const pieces = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
      expect(scan(pieces)).toEqual(whole);
    }
  });
});

describe('replay: decision logs', () => {
  const list = write(
    'list.csv',
    'po.co/a,https://www.mi.com/global/,301\npo.co/b,https://www.mi.com/global/,301\npo.co/c,https://www.mi.com/global/,301\n',
  );
  const bulk = (line: number): string => `bulk:${path.basename(list)}:${line}`;
  const [landing, productPage] = [defaultRule('landing'), defaultRule('product-page')];
  /** Configured and never hit: every rule of the rules file but the two logged, and the list's third line. */
  const neverHit = [
    ...loadConfig()
      .tables.rules.map((r) => r.id)
      .filter((id) => id !== landing && id !== productPage),
    bulk(3),
  ].sort();
  const decision = (rule: string, host: string, uri: string, country: string | null): string =>
    JSON.stringify({ rule, action: 'redirect', status: 301, host, uri, country });
  const event = (message: string): string => JSON.stringify({ timestamp: 1735689600000, message });
  const lambdaText = (level: string, message: string): string =>
    `2025-01-01T00:00:00.000Z\t1b2c3d4e-0000-4000-8000-000000000001\t${level}\t${message}\n`;
  const decisionLog = write(
    'decisions.jsonl',
    [
      decision(bulk(1), 'po.co', '/a', 'FR'), // 1: the decision itself
      event(decision(bulk(1), 'po.co', '/a/', 'FR')), // 2: an event whose message is the decision; the same URL
      event(lambdaText('INFO', decision(landing, 'po.co', '/uk/', null))), // 3: Lambda's text format
      event('START RequestId: 1b2c3d4e-0000-4000-8000-000000000001 Version: 7\n'), // 4
      event('END RequestId: 1b2c3d4e-0000-4000-8000-000000000001\n'), // 5
      event(
        'REPORT RequestId: 1b2c3d4e-0000-4000-8000-000000000001\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t\n',
      ), // 6
      '{"rule":', // 7: not JSON
      event('{"rule": "x"'), // 8: a message that is not JSON
      '', // 9
      JSON.stringify({ '@timestamp': '2025-01-01 00:00:00.000', '@message': decision(`${bulk(2)} > ${productPage}`, 'po.co', '/b', 'DE') }), // 10: Logs Insights
      event('some other message'), // 11
      JSON.stringify({ rule: 42, action: 'redirect' }), // 12: a rule that is no string
      decision('fallback:no-rule', 'uk.po.co', '/x', null), // 13
      '[1,2]', // 14
      event(lambdaText('ERROR', 'Invoke Error {"errorType":"Error"}')), // 15
    ].join('\n') + '\n',
  );

  test('counted as logged, not decided again: hits per rule, rules never hit, where they landed', async () => {
    const report = await replay({ files: [decisionLog], redirectsFile: list });
    expect(report.files).toEqual([
      { file: decisionLog, format: 'decision-log', records: 14, malformed: 3, firstMalformed: 'line 7: not valid JSON', notDecisions: 6 },
    ]);
    expect([report.distinct, report.fallbacks, report.landing.total]).toEqual([0, [], { requests: 0, distinct: 0 }]);
    expect(report.logged).toEqual({
      decisions: 5,
      landing: {
        rows: [
          { category: 'bulk entry', requests: 2, distinct: 1 },
          { category: 'fallback', requests: 1, distinct: 1 },
          { category: 'landing (home)', requests: 1, distinct: 1 },
          { category: 'product page or subpage', requests: 1, distinct: 1 },
        ],
        total: { requests: 5, distinct: 4 },
      },
      rules: {
        hits: [
          { rule: bulk(1), hits: 2 },
          { rule: `${bulk(2)} > ${productPage}`, hits: 1 },
          { rule: 'fallback:no-rule', hits: 1 },
          { rule: landing, hits: 1 },
        ],
        neverHit,
      },
    });
  });

  test('on stderr: what was read, where the logged requests landed, hits per rule, rules never hit', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['replay', '--redirects', list, '--summary-only', decisionLog], {
      stdin: process.stdin,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    });
    expect([code, out.join('')]).toEqual([0, '']);
    expect(err.join('')).toBe(
      [
        `replay: ${decisionLog}: decision-log, 14 records, 3 malformed (first: line 7: not valid JSON), 6 lines not decisions`,
        'replay: where the 5 logged requests landed (as the function decided):',
        '  category                 requests       %  distinct URLs       %',
        '  bulk entry                      2   40.0%              1   25.0%',
        '  fallback                        1   20.0%              1   25.0%',
        '  landing (home)                  1   20.0%              1   25.0%',
        '  product page or subpage         1   20.0%              1   25.0%',
        '  total                           5  100.0%              4  100.0%',
        'replay: hits per rule (4 rules seen):',
        `  2  ${bulk(1)}`,
        `  1  ${bulk(2)} > ${productPage}`,
        '  1  fallback:no-rule',
        `  1  ${landing}`,
        `replay: rules never hit: ${neverHit.length}:`,
        ...neverHit.map((r) => `  ${r}`),
        '',
      ].join('\n'),
    );
  });

  test('renderRuleHits caps the never-hit list', () => {
    expect(
      renderRuleHits({ hits: [], neverHit: Array.from({ length: 51 }, (_, i) => `bulk:l.csv:${i + 1}`) })
        .split('\n')
        .slice(-3),
    ).toEqual(['  bulk:l.csv:50', '  ... and 1 more', '']);
  });
});

describe('npm run ops -- replay --summary-only', () => {
  test('no CSV, no top URLs: what was read and where the requests land', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['replay', '--summary-only', urlList], {
      stdin: process.stdin,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    });
    const report = await replay({ files: [urlList] });
    expect([code, out.join('')]).toEqual([0, '']);
    expect(err.join('')).toBe(
      [
        `replay: ${urlList}: url-list, 24 records, 3 malformed (first: line 25: "ftp://po.co/x" is not an http(s) URL)`,
        `replay: ${report.distinct} distinct URLs on configured hostnames, ${report.fallbacks.length} fell to a fallback; ${report.otherHosts} request${report.otherHosts === 1 ? '' : 's'} on other hostnames skipped`,
        '',
      ].join('\n') + renderSummary(report.landing, 'replay: where the requests land (decided by the engine with this config):'),
    );
  });
});

describe('replay: limits', () => {
  test('a flood of blank lines (64 MiB of them, gzipped to 64 KB) costs little: read, counted by line number, skipped', async () => {
    // Before: one await per blank line, a minute for this file (209 s for 1 MB gzipped).
    const flood = write(
      'flood.txt.gz',
      gzipSync(Buffer.concat([Buffer.from('https://po.co/uk/\n'), Buffer.alloc(64 << 20, 0x0a), Buffer.from('\r\n\r\nnot a url\n')])),
    );
    const started = Date.now();
    const report = await replay({ files: [flood] });
    expect(Date.now() - started).toBeLessThan(15000);
    expect(report.files).toEqual([
      {
        file: flood,
        format: 'url-list',
        records: 2,
        malformed: 1,
        firstMalformed: `line ${(64 << 20) + 4}: expected a URL and at most a country, found 3 columns`,
      },
    ]);
  }, 30000);

  test('past the size limit (decompressed) the rest is not read, and the report says how much was', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `https://po.co/uk/p${String(i).padStart(3, '0')}`); // 21 bytes and LF each
    const big = write('big.txt.gz', gzipSync(lines.join('\n') + '\n'));
    const report = await replay({ files: [big], limits: { maxFileBytes: 22 * 10 + 3 } });
    // Ten whole lines; the eleventh, cut at the limit, is dropped.
    expect(report.files).toEqual([{ file: big, format: 'url-list', records: 10, malformed: 0, readBytes: 223 }]);
    expect(renderFileStats(report.files)).toBe(
      `replay: ${big}: url-list, 10 records, 0 malformed; larger than the limit when decompressed: only its first 223 bytes were read\n`,
    );
    expect(report.distinct).toBe(10);
    const sitemapBig = write('big.xml', `<urlset>${lines.map((u) => `<url><loc>${u}</loc></url>`).join('')}</urlset>`);
    const s = await replay({ files: [sitemapBig], limits: { maxFileBytes: 500 } });
    expect(s.files[0]).toMatchObject({ format: 'sitemap', readBytes: 500 });
    expect(s.files[0].records).toBeLessThan(100);
  });

  test('past the line limit of a file the lines are counted and skipped, and reported', async () => {
    const list = write(
      'many.txt',
      ['# a comment', '', 'https://po.co/uk/a', 'https://po.co/uk/b', '', 'https://po.co/uk/c', 'x', 'https://po.co/uk/d', ''].join('\n'),
    );
    const report = await replay({ files: [list], limits: { maxFileLines: 3 } });
    // The comment is a line read (then skipped as a comment); blank lines are not counted.
    expect(report.files).toEqual([{ file: list, format: 'url-list', records: 2, malformed: 0, linesOverLimit: 3 }]);
    expect(renderFileStats(report.files)).toBe(
      `replay: ${list}: url-list, 2 records, 0 malformed; 3 lines past the limit of 10,000,000 lines a file skipped\n`,
    );
  });

  test('--output naming a folder is refused before anything is read: exit 2, nothing left behind', async () => {
    const out = tmpDir('replay-out-');
    const err: string[] = [];
    const stdout: string[] = [];
    const code = await main(['replay', '--output', out, logPlain], {
      stdin: process.stdin,
      stdout: { write: (s: string) => stdout.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    });
    expect([code, stdout.join(''), err.join('').split('\n')[0]]).toEqual([2, '', `ops replay: --output ${out} is a folder`]);
    expect(fs.readdirSync(out)).toEqual([]);
    expect(fs.readdirSync(path.dirname(out)).filter((f) => f.startsWith(`.${path.basename(out)}.`))).toEqual([]);
  });
});
