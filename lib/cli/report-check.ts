/**
 * npm run report:check [-- --report DIR]
 *
 * Opens the report (DIR/index.html, default report/) in a real headless
 * Chromium, as a reviewer would from disk, and checks what a reader sees:
 * the page loads nothing but itself and logs no error; every section is
 * there and visible; each HTML table has as many rows as the same table in
 * report.md; in the diagram, every label fits its box and no two boxes
 * overlap. Saves DIR/screenshot.png. Needs Chromium: CHROMIUM=/path, or
 * /usr/bin/chromium (Debian: apt-get install chromium).
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { DEFAULT_REPORT_DIR } from '../review/report';

const SECTIONS = ['diagram', 'sites', 'regions', 'hosts', 'rules', 'bulk', 'findings'];
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium to use, or undefined when there is none. */
export function findChromium(): string | undefined {
  const wanted = process.env.CHROMIUM;
  if (wanted) return fs.existsSync(wanted) ? wanted : undefined;
  return CANDIDATES.find((c) => fs.existsSync(c));
}

/** Rows of each Markdown table, in order. */
function markdownRowCounts(md: string): number[] {
  const counts: number[] = [];
  let inTable = false;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      if (!inTable) counts.push(-1); // the header row; the separator row follows
      inTable = true;
      if (!/^\|(---\|)+$/.test(line)) counts[counts.length - 1]++;
    } else {
      inTable = false;
    }
  }
  return counts;
}

export interface CheckResult {
  readonly problems: string[];
  readonly notes: string[];
}

export async function checkReport(dir: string, chromiumPath: string): Promise<CheckResult> {
  // Loaded here so the test suite needs playwright-core only when it runs the check.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const html = path.join(dir, 'index.html');
  const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
  const problems: string[] = [];
  const notes: string[] = [];
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = pathToFileURL(html).href;
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (r.url() !== url) problems.push(`the page loads ${r.url()}; it must load nothing but itself`);
    });
    await page.goto(url);
    const title = await page.title();
    if (title !== 'po.co sunset: redirect report') problems.push(`title is ${JSON.stringify(title)}`);
    for (const id of SECTIONS) {
      if (!(await page.locator(`section#${id}`).isVisible())) problems.push(`section #${id} is missing or hidden`);
    }
    const htmlRows = await page.$$eval('table', (tables) => tables.map((t) => t.querySelectorAll('tbody tr').length));
    const mdRows = markdownRowCounts(md);
    if (JSON.stringify(htmlRows) !== JSON.stringify(mdRows)) problems.push(`HTML tables have ${JSON.stringify(htmlRows)} rows, report.md ${JSON.stringify(mdRows)}`);
    notes.push(`tables: ${htmlRows.join(', ')} rows, the same in report.md`);
    // Runs in the page; typed structurally, as this project compiles without the DOM library.
    type Box = { getBBox(): { x: number; y: number; width: number; height: number } };
    const boxes = await page.$$eval('svg g.node', (nodes) =>
      nodes.map((g) => {
        const rect = (g.querySelector('rect') as unknown as Box).getBBox();
        const text = (g.querySelector('text') as unknown as Box).getBBox();
        return { id: g.id, x: rect.x, y: rect.y, w: rect.width, h: rect.height, textRight: text.x + text.width };
      }),
    );
    if (boxes.length === 0) problems.push('the diagram has no nodes');
    for (const b of boxes) if (b.textRight > b.x + b.w) problems.push(`diagram: the label of ${b.id} overflows its box by ${(b.textRight - b.x - b.w).toFixed(0)} px`);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) problems.push(`diagram: ${a.id} and ${b.id} overlap`);
      }
    }
    notes.push(`diagram: ${boxes.length} boxes, ${await page.locator('svg path.edge').count()} edges`);
    const shot = path.join(dir, 'screenshot.png');
    await page.screenshot({ path: shot, fullPage: true });
    notes.push(`screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
  return { problems, notes };
}

async function main(argv: string[]): Promise<number> {
  let dir = DEFAULT_REPORT_DIR;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--report' && argv[i + 1]) dir = path.resolve(argv[++i]);
    else {
      process.stderr.write(`report:check: unknown argument ${JSON.stringify(argv[i])}\nUsage: npm run report:check -- [--report DIR]\n`);
      return 2;
    }
  }
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    process.stderr.write(`report:check: no ${path.join(dir, 'index.html')}; run npm run report first\n`);
    return 2;
  }
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    process.stderr.write('report:check: no Chromium found. Fix: apt-get install chromium (Debian), or set CHROMIUM to a Chromium or Chrome binary.\n');
    return 2;
  }
  process.stdout.write(`report:check: opening ${path.join(dir, 'index.html')} in ${chromiumPath}\n`);
  const { problems, notes } = await checkReport(dir, chromiumPath);
  for (const n of notes) process.stdout.write(`report:check: ${n}\n`);
  for (const p of problems) process.stdout.write(`report:check: PROBLEM: ${p}\n`);
  process.stdout.write(`report:check: ${problems.length === 0 ? 'ok' : `${problems.length} problems`}\n`);
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`report:check: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
