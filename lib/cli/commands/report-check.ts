/** `npm run report:check`: the report opened in a real headless Chromium and checked as a reader sees it (lib/review/report-check.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { OpsError } from '../../config/problems';
import { checkReport, CheckResult, findChromium } from '../../review/report-check';
import { DEFAULT_REPORT_DIR } from '../../review/report';
import { Command, noPositionals } from '../command';
import { pathOption } from '../options';

/** The check; a failure of the browser itself (it does not start, the page does not load) is printed as its message, exit status 1. */
async function checked(dir: string, chromiumPath: string): Promise<CheckResult> {
  try {
    return await checkReport(dir, chromiumPath);
  } catch (err) {
    throw new OpsError(err instanceof Error ? err.message : String(err));
  }
}

export const reportCheckCommand: Command = {
  name: 'report:check',
  summary: 'the report opened in a real headless Chromium and checked as a reader sees it',
  invocation: 'npm run report:check --',
  description: `Opens the report (DIR/index.html) in a real headless Chromium, as a reviewer would
from disk, and checks what a reader sees: the page loads nothing but itself and
logs no error; every section is there and visible; each HTML table has as many
rows as the same table in report.md; in the diagram, every label fits its box
and no two boxes overlap. Saves DIR/screenshot.png. Needs Chromium:
CHROMIUM=/path, or /usr/bin/chromium (Debian: apt-get install chromium).`,
  options: {
    report: { kind: 'string', value: 'DIR', help: 'the report to check, as npm run report wrote it', default: 'report/' },
  },
  exitStatus: '0 when every check passes; 1 when one does not, or the browser fails; 2 on bad options, no report or no Chromium.',
  async run(args, io) {
    noPositionals(args);
    const dir = path.resolve(pathOption(args.options.report) ?? DEFAULT_REPORT_DIR);
    const html = path.join(dir, 'index.html');
    if (!fs.existsSync(html)) {
      io.stderr.write(`report:check: no ${html}; run npm run report first\n`);
      return 2;
    }
    const chromiumPath = findChromium();
    if (!chromiumPath) {
      io.stderr.write(
        'report:check: no Chromium found. Fix: apt-get install chromium (Debian), or set CHROMIUM to a Chromium or Chrome binary.\n',
      );
      return 2;
    }
    io.stdout.write(`report:check: opening ${html} in ${chromiumPath}\n`);
    const { problems, notes } = await checked(dir, chromiumPath);
    for (const n of notes) io.stdout.write(`report:check: ${n}\n`);
    for (const p of problems) io.stdout.write(`report:check: PROBLEM: ${p}\n`);
    io.stdout.write(`report:check: ${problems.length === 0 ? 'ok' : `${problems.length} problems`}\n`);
    return problems.length === 0 ? 0 : 1;
  },
};
