/** `npm run report`: the static review page, HTML and Markdown (lib/review/report.ts). Offline. */
import * as fs from 'fs';
import * as path from 'path';
import { appAssembly, synthContext, synthesizeWorkingTree } from '../../review/assembly';
import { DEFAULT_REPORT_DIR, ReportData, reportData, writeFilesTogether } from '../../review/report';
import { renderHtml, renderMarkdown } from '../../review/report-render';
import { intOption } from '../args';
import { Command, noPositionals } from '../command';
import { CONFIG_OPTIONS, deploymentOptionsOf, pathOption, STAGE_OPTIONS } from '../options';

/** The one-line count of what the report holds. */
function summaryOf(data: ReportData): string {
  const rules = new Set(data.rules.map((r) => r.rule)).size;
  return `${data.sites.length} sites, ${rules} rules (${data.rules.length} examples), ${data.hosts.length} hostname roots, ${data.bulkTotal} bulk entries (${data.bulk.length} listed), ${data.findings.length} findings`;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'a static HTML page and the same as Markdown: sites, distributions, stores, every rule with an example, findings, a diagram',
  invocation: 'npm run report --',
  description: `Synthesizes the app (or reads --app DIR, a cdk.out) and writes DIR/index.html
and DIR/report.md: sites, hostnames and their distributions, regions and their
stores, each hostname at its root (each country at the root of region-path
sites), every rule of the rules file with an example URL, where it goes and
the rule that answered (flagged when that is not the rule itself, such as an
earlier rule), every bulk entry with where it goes, the entries that are
shadowed, unreachable or redundant (the rules file already answers the same),
and a diagram of hostnames → distributions → function → stores. The page
needs no server and loads nothing from outside.

--stage and the config files are passed to synth as -c stage=S, -c redirects=FILE...`,
  options: {
    out: { kind: 'string', value: 'DIR', help: 'where to write', default: 'report/' },
    'max-entries': { kind: 'string', value: 'N', help: 'bulk entries listed (findings cover all)', default: '2000' },
    app: { kind: 'string', value: 'DIR', help: 'an already synthesized cdk.out' },
    ...STAGE_OPTIONS,
    ...CONFIG_OPTIONS,
  },
  exitStatus:
    '0; 1 when the synth fails, or the two files cannot both be written (then neither is changed); 2 on bad options or an --app DIR that is no folder.',
  async run(args, io) {
    noPositionals(args);
    const maxEntries = intOption(args.options['max-entries'], 'max-entries', 2000, 0, 10_000_000);
    const out = path.resolve(pathOption(args.options.out) ?? DEFAULT_REPORT_DIR);
    const app = pathOption(args.options.app);
    if (!app) io.stderr.write('report: synthesizing the working tree\n');
    const { assembly, cleanup } = app
      ? appAssembly(app)
      : synthesizeWorkingTree(synthContext(deploymentOptionsOf(args)), 'the working tree', 'poco-report-');
    try {
      const data = reportData(assembly, maxEntries);
      fs.mkdirSync(out, { recursive: true });
      // Both or neither: a report.md that cannot be written leaves the old index.html too.
      writeFilesTogether(out, [
        { name: 'index.html', text: renderHtml(data) },
        { name: 'report.md', text: renderMarkdown(data) },
      ]);
      io.stdout.write(`report: ${summaryOf(data)}\n`);
      io.stdout.write(`report: wrote ${path.join(out, 'index.html')} and ${path.join(out, 'report.md')}\n`);
      return 0;
    } finally {
      cleanup();
    }
  },
};
