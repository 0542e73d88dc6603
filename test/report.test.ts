/**
 * `npm run report`: its content from an assembly, the HTML and Markdown
 * renderings, and, where a Chromium is installed, the page in a real
 * headless browser (`npm run report:check` runs the same check by hand).
 */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../lib/cli/poco';
import { checkReport, findChromium } from '../lib/cli/report-check';
import { PROJECT_ROOT } from '../lib/config/load';
import { readAssembly } from '../lib/review/assembly';
import { reportData } from '../lib/review/report';
import { diagramOf, renderHtml, renderMarkdown } from '../lib/review/report-render';
import { configFiles, DEFAULT_SITES_JSON, synthDeployment } from './support/deployment';
import { tmpDir } from './support/tmp';

const SHIPPED = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'redirects.csv'), 'utf8');
// Three entries that cannot do what they say, and one whose target has an & to escape.
const LIST =
  SHIPPED +
  'http://po.co/old-http,https://www.mi.com/global/\n' + // line 9: unreachable
  'po.co/twice,https://www.mi.com/global/a/\n' + // line 10: shadowed by line 11
  'https://po.co/twice,https://www.mi.com/global/b/\n' +
  'po.co/uk/product/poco-f6,https://www.mi.com/uk/product/poco-f6/\n' + // line 12: redundant
  'de.po.co/q,https://www.mi.com/de/?a=1&b=2\n';

// A long hostname, to show labels are cut to fit.
const sites = structuredClone(DEFAULT_SITES_JSON);
sites.sites.fr.hostnames.push('a-very-long-regional-hostname-for-france.po.co');
const dir = synthDeployment(configFiles({ redirects: LIST, sites })).app.synth().directory;
const assembly = readAssembly(dir, 'a test assembly');
const data = reportData(assembly, 10);

describe('the report\'s content', () => {
  test('sites with their distributions, from the templates', () => {
    expect(data.sites.map((s) => [s.name, s.mode, s.hostnames.join(' '), s.distribution?.aliases.join(' '), s.distribution?.functionEvent ?? 'none', s.distribution?.origin])).toEqual([
      ['de', 'region-host', 'de.po.co', 'de.po.co', 'origin-request', 'www.mi.com'],
      ['fr', 'region-host', 'a-very-long-regional-hostname-for-france.po.co fr.po.co', 'a-very-long-regional-hostname-for-france.po.co fr.po.co', 'origin-request', 'www.mi.com'],
      ['global', 'region-path', 'po.co www.po.co', 'po.co www.po.co', 'origin-request', 'www.mi.com'],
      ['in', 'frozen', 'in.po.co', 'in.po.co', 'none', 'S3 bucket (snapshot, through OAC)'],
      ['uk', 'region-host', 'uk.po.co', 'uk.po.co', 'origin-request', 'www.mi.com'],
    ]);
    expect(data.regions.find((r) => r.name === 'uk')).toEqual({ name: 'uk', kind: 'store', url: 'https://www.mi.com/uk/', countries: ['GB'] });
    expect(data.defaultRegion).toBe('global');
  });

  test('every rule with an example URL and where it goes', () => {
    expect(data.defaultRules).toContainEqual({ url: 'https://po.co/', country: 'GB', outcome: '302 https://www.mi.com/uk/', rule: 'default:home' });
    expect(data.defaultRules).toContainEqual({ url: 'https://uk.po.co/product/poco-f6', country: '', outcome: '301 https://www.mi.com/uk/product/poco-f6/', rule: 'default:product' });
    expect(data.defaultRules).toContainEqual({ url: 'https://in.po.co/anything', country: '', outcome: 'not a redirect', rule: 'origin:frozen-site' });
    expect([data.bulkTotal, data.bulk.length]).toEqual([13, 10]);
    expect(data.bulk[1]).toEqual({ line: 2, source: 'po.co/uk/offers', url: 'https://po.co/uk/offers', country: '', outcome: '302 https://www.mi.com/uk/sale/', rule: 'bulk:list.csv:2'.replace('list.csv', data.bulkFile) });
  });

  test('shadowed, unreachable and redundant entries, over the whole list', () => {
    expect(data.findings.map((f) => `${f.line} ${f.kind}: ${f.detail}`)).toEqual([
      '9 unreachable: an http:// source never matches: CloudFront redirects HTTP to HTTPS before the function runs. Write it without a scheme, or with https://.',
      `10 shadowed: at https://po.co/twice the answer comes from bulk:${data.bulkFile}:11 (301 https://www.mi.com/global/b/), not from this line.`,
      '12 redundant: the default rules already answer 301 https://www.mi.com/uk/product/poco-f6/ at https://po.co/uk/product/poco-f6.',
    ]);
  });

  test('the diagram: hostnames → distributions → function → stores, the frozen site to its bucket', () => {
    const d = diagramOf(data);
    const label = (id: string): string => d.nodes.find((n) => n.id === id)!.label;
    const edges = d.edges.map(([a, b]) => `${label(a)} -> ${label(b)}`);
    expect(edges).toContain('po.co -> global distribution (PriceClass_100)');
    expect(edges).toContain('global distribution (PriceClass_100) -> redirect function (origin-request)');
    expect(edges).toContain('in distribution (PriceClass_100) -> in snapshot (S3)');
    expect(edges).toContain('redirect function (origin-request) -> uk: https://www.mi.com/uk/');
    expect(edges).toContain('redirect function (origin-request) -> in (frozen): https://in.po.co/');
    expect(edges.filter((e) => e.startsWith('in distribution'))).toEqual(['in distribution (PriceClass_100) -> in snapshot (S3)']);
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
    const mdTables = md.split(/\n## /).slice(1).map((s) => s.split('\n').filter((l) => l.startsWith('| ')).length - 1).filter((n) => n >= 0);
    expect(mdTables).toEqual(htmlRows);
    expect(md).toContain('```mermaid\nflowchart LR\n');
    expect(md).toContain('| 12 | po.co/uk/product/poco-f6 | redundant |');
  });
});

describe('npm run report', () => {
  test('writes index.html and report.md from a cdk.out', async () => {
    const out = tmpDir('report-');
    const lines: string[] = [];
    const code = await main(['report', '--app', dir, '--out', out, '--max-entries', '10'], { stdin: process.stdin, stdout: { write: (s: string) => lines.push(s) }, stderr: { write: (s: string) => lines.push(s) } });
    expect(code).toBe(0);
    expect(lines.join('')).toBe(`report: 5 sites, ${data.defaultRules.length} default-rule examples, 13 bulk entries (10 listed), 3 findings\nreport: wrote ${out}/index.html and ${out}/report.md\n`);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toBe(renderHtml({ ...data, label: dir }));
    expect(fs.readdirSync(out).sort()).toEqual(['index.html', 'report.md']);
  });

  const chromium = findChromium();
  (chromium ? test : test.skip)(`in a real headless browser${chromium ? '' : ' (skipped: no Chromium here; apt-get install chromium, or set CHROMIUM)'}: nothing loaded from outside, no errors, tables as in Markdown, labels fit`, async () => {
    const out = tmpDir('report-browser-');
    fs.writeFileSync(path.join(out, 'index.html'), renderHtml(data));
    fs.writeFileSync(path.join(out, 'report.md'), renderMarkdown(data));
    const { problems, notes } = await checkReport(out, chromium!);
    expect(problems).toEqual([]);
    expect(notes[1]).toBe(`diagram: ${diagramOf(data).nodes.length} boxes, ${diagramOf(data).edges.length} edges`);
  });
});
