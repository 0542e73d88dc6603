/**
 * The report as a reader sees it: DIR/index.html opened from disk in a real
 * headless Chromium. The page loads nothing but itself and logs no error;
 * every section is there and visible; each HTML table has as many rows as
 * the same table in report.md; in the diagram, every label fits its box and
 * no two boxes overlap. Saves DIR/screenshot.png. Needs Chromium:
 * CHROMIUM=/path, or /usr/bin/chromium (Debian: apt-get install chromium).
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Page } from 'playwright-core';

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

/** Records console errors, page errors and any request for something other than the page itself as problems. */
function watchPage(page: Page, url: string, problems: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`the page loads ${r.url()}; it must load nothing but itself`);
  });
}

/** The title, every section visible, and each HTML table's rows against report.md's. */
async function checkContent(page: Page, md: string, result: CheckResult): Promise<void> {
  const title = await page.title();
  if (title !== 'po.co sunset: redirect report') result.problems.push(`title is ${JSON.stringify(title)}`);
  for (const id of SECTIONS) {
    if (!(await page.locator(`section#${id}`).isVisible())) result.problems.push(`section #${id} is missing or hidden`);
  }
  const htmlRows = await page.$$eval('table', (tables) => tables.map((t) => t.querySelectorAll('tbody tr').length));
  const mdRows = markdownRowCounts(md);
  if (JSON.stringify(htmlRows) !== JSON.stringify(mdRows))
    result.problems.push(`HTML tables have ${JSON.stringify(htmlRows)} rows, report.md ${JSON.stringify(mdRows)}`);
  result.notes.push(`tables: ${htmlRows.join(', ')} rows, the same in report.md`);
}

/** The diagram: it has boxes, every label fits its box, no two boxes overlap. */
async function checkDiagram(page: Page, result: CheckResult): Promise<void> {
  // Runs in the page; typed structurally, as this project compiles without the DOM library.
  type Box = { getBBox(): { x: number; y: number; width: number; height: number } };
  const boxes = await page.$$eval('svg g.node', (nodes) =>
    nodes.map((g) => {
      const rect = (g.querySelector('rect') as unknown as Box).getBBox();
      const text = (g.querySelector('text') as unknown as Box).getBBox();
      return { id: g.id, x: rect.x, y: rect.y, w: rect.width, h: rect.height, textRight: text.x + text.width };
    }),
  );
  if (boxes.length === 0) result.problems.push('the diagram has no nodes');
  for (const b of boxes)
    if (b.textRight > b.x + b.w)
      result.problems.push(`diagram: the label of ${b.id} overflows its box by ${(b.textRight - b.x - b.w).toFixed(0)} px`);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
        result.problems.push(`diagram: ${a.id} and ${b.id} overlap`);
    }
  }
  result.notes.push(`diagram: ${boxes.length} boxes, ${await page.locator('svg path.edge').count()} edges`);
}

/** Opens DIR/index.html in `chromiumPath` and checks it (see the file's comment); saves DIR/screenshot.png. */
export async function checkReport(dir: string, chromiumPath: string): Promise<CheckResult> {
  // Loaded here so the test suite needs playwright-core only when it runs the check.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
  const result: CheckResult = { problems: [], notes: [] };
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = pathToFileURL(path.join(dir, 'index.html')).href;
    watchPage(page, url, result.problems);
    await page.goto(url);
    await checkContent(page, md, result);
    await checkDiagram(page, result);
    const shot = path.join(dir, 'screenshot.png');
    await page.screenshot({ path: shot, fullPage: true });
    result.notes.push(`screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
  return result;
}
