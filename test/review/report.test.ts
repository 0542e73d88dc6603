/**
 * `npm run report`: its content from an assembly, the HTML and Markdown
 * renderings, and, where a Chromium is installed, the page in a real
 * headless browser (`npm run report:check` runs the same check by hand).
 */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../lib/cli/poco';
import { checkReport, findChromium } from '../../lib/review/report-check';
import { PROJECT_ROOT } from '../../lib/config/load';
import { readAssembly } from '../../lib/review/assembly';
import { ReportData, reportData } from '../../lib/review/report';
import { diagramOf, renderHtml, renderMarkdown } from '../../lib/review/report-render';
import { configFiles, DEFAULT_SITES_JSON, synthDeployment } from '../support/deployment';
import { defaultRule } from '../support/engine';
import { tmpDir } from '../support/tmp';

const SHIPPED = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'redirects.csv'), 'utf8');
// Three entries that cannot do what they say, and one whose target has an & to escape.
const LIST =
  SHIPPED +
  'http://po.co/old-http,https://www.mi.com/global/\n' + // line 9: unreachable
  'po.co/twice,https://www.mi.com/global/a/\n' + // line 10: shadowed by line 11
  'https://po.co/twice,https://www.mi.com/global/b/\n' +
  'po.co/uk/product/poco-f7,https://www.mi.com/uk/product/poco-f7/\n' + // line 12: redundant
  'de.po.co/q,https://www.mi.com/de/?a=1&b=2\n';

// A long hostname, to show labels are cut to fit.
const sites = structuredClone(DEFAULT_SITES_JSON);
sites.sites.fr.hostnames.push('a-very-long-regional-hostname-for-france.po.co');
const dir = synthDeployment(configFiles({ redirects: LIST, sites })).app.synth().directory;
const assembly = readAssembly(dir, 'a test assembly');
const data = reportData(assembly, 10);
const rulesOf = assembly.rules!.tables.rules;

describe("the report's content", () => {
  test('sites with their distributions, from the templates', () => {
    expect(
      data.sites.map((s) => [
        s.name,
        s.mode,
        s.hostnames.join(' '),
        s.distribution?.aliases.join(' '),
        s.distribution?.functionEvent ?? 'none',
        s.distribution?.origin,
      ]),
    ).toEqual([
      ['community', 'region-host', 'c.po.co', 'c.po.co', 'origin-request', 'www.mi.com'],
      ['de', 'region-host', 'de.po.co', 'de.po.co', 'origin-request', 'www.mi.com'],
      [
        'fr',
        'region-host',
        'a-very-long-regional-hostname-for-france.po.co fr.po.co',
        'a-very-long-regional-hostname-for-france.po.co fr.po.co',
        'origin-request',
        'www.mi.com',
      ],
      [
        'global',
        'region-path',
        'po.co poco.net www.po.co www.poco.net',
        'po.co poco.net www.po.co www.poco.net',
        'origin-request',
        'www.mi.com',
      ],
      ['in', 'frozen', 'in.po.co', 'in.po.co', 'none', 'S3 bucket (snapshot, through OAC)'],
      ['other', 'region-host', '*.po.co', '*.po.co', 'origin-request', 'www.mi.com'],
      ['uk', 'region-host', 'uk.po.co', 'uk.po.co', 'origin-request', 'www.mi.com'],
    ]);
    expect(data.regions.find((r) => r.name === 'uk')).toEqual({
      name: 'uk',
      kind: 'store',
      url: 'https://www.mi.com/uk/',
      countries: ['GB'],
    });
    expect(data.defaultRegion).toBe('global');
  });

  test('each hostname at its root: every country and none on region-path sites, a wildcard as its sample name', () => {
    expect(data.hosts).toContainEqual({
      url: 'https://po.co/',
      country: 'GB',
      outcome: '302 https://www.mi.com/uk/',
      rule: defaultRule('landing'),
    });
    expect(data.hosts).toContainEqual({ url: 'https://in.po.co/', country: '', outcome: 'not a redirect', rule: 'origin:frozen-site' });
    expect(data.hosts).toContainEqual({
      url: 'https://any-name.po.co/',
      stands: '*.po.co',
      country: '',
      outcome: '302 https://www.mi.com/global/poco/',
      rule: defaultRule('other-host'),
    });
    expect(data.hosts.filter((h) => h.url === 'https://po.co/')).toHaveLength(21);
    expect(data.hosts.some((h) => h.url.includes('*'))).toBe(false);
  });

  test('every rule of the rules file with an example URL, where it goes and what answered; flagged when another rule does', () => {
    const ids = new Set(data.rules.map((r) => r.rule));
    expect([...ids]).toEqual(rulesOf.map((r) => r.id));
    expect(data.rules).toContainEqual({
      rule: defaultRule('product-page'),
      text: '/product/:product/* :store/product/:product/',
      url: 'https://uk.po.co/product/poco-f7',
      country: '',
      outcome: '301 https://www.mi.com/uk/product/poco-f7/',
      answeredBy: defaultRule('product-page'),
      flag: '',
    });
    // A product only the global store sells: on po.co under a region whose store does not list it.
    expect(data.rules).toContainEqual(
      expect.objectContaining({
        rule: defaultRule('product-page', 1),
        url: 'https://po.co/au/product/poco-c71',
        outcome: '301 https://www.mi.com/global/product/poco-c71/',
        flag: '',
      }),
    );
    expect(data.rules).toContainEqual(
      expect.objectContaining({
        rule: defaultRule('other-host'),
        url: 'https://any-name.po.co/x',
        stands: '*.po.co',
        outcome: '302 https://www.mi.com/global/poco/',
      }),
    );
    // "/*" matches "/" too, but the landing rule comes first: flagged.
    expect(data.rules).toContainEqual(
      expect.objectContaining({
        rule: defaultRule('no-match'),
        url: 'https://uk.po.co/',
        answeredBy: defaultRule('landing'),
        flag: 'an earlier rule answers first',
      }),
    );
    expect(data.rules).toContainEqual(
      expect.objectContaining({ rule: defaultRule('no-match'), url: 'https://uk.po.co/x', answeredBy: defaultRule('no-match'), flag: '' }),
    );
    // The bulk list answers some examples first.
    expect(data.rules).toContainEqual(
      expect.objectContaining({ rule: defaultRule('support'), url: 'https://po.co/global/support', flag: '' }),
    );
    // A rewrite never answers itself: a rule below does.
    expect(data.rules).toContainEqual(
      expect.objectContaining({
        rule: defaultRule('old-product-link'),
        url: 'https://po.co/global/poco-x',
        answeredBy: defaultRule('unknown-product'),
        flag: 'a rewrite (200): a rule below answers the rewritten path',
      }),
    );
    // Regional rules are not exampled where a hostname's own rule takes every path.
    expect(data.rules.filter((r) => r.rule === defaultRule('support')).map((r) => r.url)).toEqual([
      'https://de.po.co/support',
      'https://de.po.co/support/x',
      // fr's first hostname, in the order the tables list them.
      'https://a-very-long-regional-hostname-for-france.po.co/support',
      'https://a-very-long-regional-hostname-for-france.po.co/support/x',
      'https://po.co/global/support',
      'https://po.co/global/support/x',
      'https://uk.po.co/support',
      'https://uk.po.co/support/x',
    ]);
    expect([data.bulkTotal, data.bulk.length]).toEqual([13, 10]);
    expect(data.bulk[1]).toEqual({
      line: 2,
      source: 'po.co/uk/offers',
      url: 'https://po.co/uk/offers',
      country: '',
      outcome: '302 https://www.mi.com/uk/sale/',
      rule: 'bulk:list.csv:2'.replace('list.csv', data.bulkFile),
    });
  });

  test('shadowed, unreachable and redundant entries, over the whole list', () => {
    expect(data.findings.map((f) => `${f.line} ${f.kind}: ${f.detail}`)).toEqual([
      '9 unreachable: an http:// source never matches: CloudFront redirects HTTP to HTTPS before the function runs. Write it without a scheme, or with https://.',
      `10 shadowed: at https://po.co/twice the answer comes from bulk:${data.bulkFile}:11 (301 https://www.mi.com/global/b/), not from this line.`,
      `12 redundant: the rules file already answers 301 https://www.mi.com/uk/product/poco-f7/ at https://po.co/uk/product/poco-f7 (${defaultRule('product-page')}).`,
    ]);
  });

  test('the diagram: hostnames → distributions → CloudFront Functions and the function → stores, the frozen site to its bucket', () => {
    const d = diagramOf(data);
    const label = (id: string): string => d.nodes.find((n) => n.id === id)!.label;
    const edges = d.edges.map(([a, b]) => `${label(a)} -> ${label(b)}`);
    expect(edges).toContain('po.co -> global distribution (PriceClass_100)');
    expect(edges).toContain('global distribution (PriceClass_100) -> redirect function (origin-request)');
    expect(edges).toContain('in distribution (PriceClass_100) -> in snapshot (S3)');
    expect(edges).toContain('redirect function (origin-request) -> uk: https://www.mi.com/uk/');
    expect(edges).toContain('redirect function (origin-request) -> in (frozen): https://in.po.co/');
    expect(edges).toContain(
      'global distribution (PriceClass_100) -> CloudFront Function (viewer-request) + key value store: the viewer country in the cache key only where the path names no region',
    );
    expect(edges).toContain(
      'uk distribution (PriceClass_100) -> CloudFront Function (viewer-response): appends the viewer query string to redirects whose rule keeps it',
    );
    expect(edges.filter((e) => e.startsWith('uk distribution') && e.includes('viewer-request'))).toEqual([]);
    expect(edges.filter((e) => e.startsWith('in distribution')).sort()).toEqual(
      [
        'in distribution (PriceClass_100) -> in snapshot (S3)',
        `in distribution (PriceClass_100) -> CloudFront Function (viewer-request): ${data.sites.find((s) => s.name === 'in')!.distribution!.viewerFunctions[0].name}`,
      ].sort(),
    );
    expect(data.sites.find((s) => s.name === 'in')!.distribution!.viewerFunctions).toHaveLength(1);
  });
});

describe('the renderings', () => {
  const html = renderHtml(data);
  const md = renderMarkdown(data);

  test('HTML is self-contained and escapes what it shows', () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
    const all = renderHtml(reportData(assembly, 100));
    expect(all).toContain('https://www.mi.com/de/?a=1&amp;b=2');
    expect(all).not.toContain('a=1&b=2');
    expect(html).toContain('<title>a-very-long-regional-hostname-for-france.po.co</title>');
    expect(html).toContain('>a-very-long-regional-ho…</text>');
  });

  test('Markdown has the same tables and a Mermaid diagram', () => {
    const htmlRows = [...html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((m) => (m[1].match(/<tr>/g) ?? []).length);
    const mdTables = md
      .split(/\n## /)
      .slice(1)
      .map((s) => s.split('\n').filter((l) => l.startsWith('| ')).length - 1)
      .filter((n) => n >= 0);
    expect(mdTables).toEqual(htmlRows);
    expect(md).toContain('```mermaid\nflowchart LR\n');
    expect(md).toContain('| 12 | po.co/uk/product/poco-f7 | redundant |');
    expect(md).toContain('## The rules file, each rule with an example');
    expect(html).toContain('<section id="rules">');
    expect(html).toContain('<section id="hosts">');
  });

  test('every value is escaped, for Markdown and for HTML: none becomes an image, a link, a tag or a table cell', () => {
    const IMAGE = 'https://www.mi.com/![t](https://evil.example/t.png)';
    const TAG = '<img src=x onerror=alert(1)>.csv';
    const LINK = '[po.co](https://evil.example/) | www.evil.example';
    const evil: ReportData = {
      ...data,
      label: TAG,
      stacks: [...data.stacks, LINK],
      bulkFile: TAG,
      sites: data.sites.map((s, i) => (i === 0 ? { ...s, hostnames: [...s.hostnames, LINK, TAG] } : s)),
      regions: data.regions.map((r, i) => (i === 0 ? { ...r, url: IMAGE } : r)),
      rules: data.rules.map((r, i) =>
        i === 0 ? { ...r, rule: `rule:${TAG}@rules.txt:1`, text: `/x ${IMAGE}`, outcome: `301 ${IMAGE}` } : r,
      ),
      bulk: data.bulk.map((b, i) => (i === 0 ? { ...b, source: LINK, outcome: `301 ${IMAGE}`, rule: `bulk:${TAG}:1` } : b)),
    };
    const evilMd = renderMarkdown(evil);
    const [before, mermaid, after] = evilMd.split(/^```.*$/m);
    const text = before + after;
    // Nothing outside the diagram that Markdown or HTML would read: no image, link, autolink or tag.
    expect(text).not.toMatch(/!\[|\]\(|<|https?:\/\/|www\.|(^|[^\\])[[(]\S*evil/m);
    expect(text).toContain('| 301 https\\://www\\.mi.com/\\!\\[t\\]\\(https\\://evil.example/t.png\\) |');
    expect(text).toContain('\n## Bulk entries \\(&lt;img src=x onerror=alert\\(1\\)&gt;.csv\\)\n');
    expect(text).toContain('\nFrom &lt;img src=x onerror=alert\\(1\\)&gt;.csv: stacks ');
    expect(text).toContain('\\[po.co\\]\\(https\\://evil.example/\\) \\| www\\.evil.example');
    expect(text).toContain('| rule\\:&lt;img src=x onerror=alert\\(1\\)&gt;.csv\\@rules.txt\\:1 | /x https\\://www\\.mi.com/');
    // The diagram's labels: Mermaid entity codes, no tag.
    expect(mermaid).not.toMatch(/<|`/);
    expect(mermaid).toContain('#60;img src=x onerror=alert(1)#62;.csv');
    // The tables keep their rows and cells (a | in a value is no cell of its own), as in the HTML.
    const rowsOf = (m: string): number[] =>
      m
        .split(/\n## /)
        .slice(1)
        .map((sec) => sec.split('\n').filter((l) => l.startsWith('| ')))
        .filter((rows) => rows.length > 0)
        .map((rows) => rows.length - 1);
    expect(rowsOf(evilMd)).toEqual(rowsOf(md));
    const cellsOf = (m: string): number[] =>
      m
        .split('\n')
        .filter((l) => l.startsWith('| '))
        .map((l) => l.split(/(?<!\\)\|/).length);
    expect(cellsOf(evilMd)).toEqual(cellsOf(md));
    // The HTML page escapes the same values.
    const evilHtml = renderHtml(evil);
    expect(evilHtml).not.toMatch(/<img|<a[\s>]|<[^>]*onerror/i);
    // The label, the bulk table's title, a hostname cell, its diagram box (title and text), two rules.
    expect(evilHtml.split('&lt;img src=x onerror=alert(1)&gt;.csv').length - 1).toBeGreaterThanOrEqual(6);
    expect(evilHtml).toContain('<td>301 https://www.mi.com/![t](https://evil.example/t.png)</td>');
    expect(evilHtml).toContain('[po.co](https://evil.example/) | www.evil.example');
  });
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdin: process.stdin,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('npm run report', () => {
  test('writes index.html and report.md from a cdk.out', async () => {
    const out = tmpDir('report-');
    const lines: string[] = [];
    const code = await main(['report', '--app', dir, '--out', out, '--max-entries', '10'], {
      stdin: process.stdin,
      stdout: { write: (s: string) => lines.push(s) },
      stderr: { write: (s: string) => lines.push(s) },
    });
    expect(code).toBe(0);
    expect(lines.join('')).toBe(
      `report: 7 sites, ${rulesOf.length} rules (${data.rules.length} examples), ${data.hosts.length} hostname roots, 13 bulk entries (10 listed), 3 findings\nreport: wrote ${out}/index.html and ${out}/report.md\n`,
    );
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toBe(renderHtml({ ...data, label: dir }));
    expect(fs.readdirSync(out).sort()).toEqual(['index.html', 'report.md']);
  });

  test('report.md that cannot be written: index.html is not replaced either, and no temporary file is left', async () => {
    const out = tmpDir('report-fail-');
    fs.writeFileSync(path.join(out, 'index.html'), 'the old page\n');
    fs.mkdirSync(path.join(out, 'report.md'));
    const r = await run(['report', '--app', dir, '--out', out, '--max-entries', '10']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/report: could not write index\.html and report\.md in .*; none of them was changed\n$/);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toBe('the old page\n');
    expect(fs.readdirSync(out).sort()).toEqual(['index.html', 'report.md']);
    expect(fs.statSync(path.join(out, 'report.md')).isDirectory()).toBe(true);
    // With no old page, none is made.
    fs.rmSync(path.join(out, 'index.html'));
    expect((await run(['report', '--app', dir, '--out', out])).code).toBe(1);
    expect(fs.readdirSync(out)).toEqual(['report.md']);
  });

  test('--app DIR reads the templates its manifest.json lists, not stale ones from an earlier synth', async () => {
    const stale = tmpDir('report-stale-');
    fs.cpSync(dir, stale, { recursive: true });
    const topic = JSON.stringify({ Resources: { Old: { Type: 'AWS::SNS::Topic' } } });
    fs.writeFileSync(path.join(stale, 'PocoSunset-staging.template.json'), topic);
    fs.writeFileSync(path.join(stale, 'PocoSunsetdefaultSiteold12345678.nested.template.json'), topic);
    expect([...readAssembly(stale, 'stale').names.values()].sort()).toEqual([...assembly.names.values()].sort());
    const out = tmpDir('report-stale-out-');
    expect((await run(['report', '--app', stale, '--out', out])).code).toBe(0);
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('PocoSunset-default/Site-uk');
    expect(md).not.toMatch(/staging|Siteold/);
  });

  test('--app DIR that is no folder: a usage error naming it, exit 2', async () => {
    const missing = path.join(tmpDir('report-missing-'), 'no-such-cdk.out');
    const out = tmpDir('report-missing-out-');
    const r = await run(['report', '--app', missing, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toMatch(/^(ops )?report: --app .*: no such folder$/);
    expect(r.err.split('\n')[0]).toContain(`--app ${missing}: no such folder`);
    expect(r.err.split('\n').slice(1)).toEqual(['See "npm run report -- --help".', '']);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  const chromium = findChromium();
  (chromium ? test : test.skip)(
    `in a real headless browser${chromium ? '' : ' (skipped: no Chromium here; apt-get install chromium, or set CHROMIUM)'}: nothing loaded from outside, no errors, tables as in Markdown, labels fit`,
    async () => {
      const out = tmpDir('report-browser-');
      fs.writeFileSync(path.join(out, 'index.html'), renderHtml(data));
      fs.writeFileSync(path.join(out, 'report.md'), renderMarkdown(data));
      const { problems, notes } = await checkReport(out, chromium!);
      expect(problems).toEqual([]);
      expect(notes[1]).toBe(`diagram: ${diagramOf(data).nodes.length} boxes, ${diagramOf(data).edges.length} edges`);
    },
  );
});
