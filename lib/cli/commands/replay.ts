/** `npm run ops -- replay FILE...`: where logs, sitemaps and URL lists land; the fallbacks as a bulk list (lib/ops/replay.ts). */
import { UsageError } from '../../config/problems';
import { fallbackCsv, renderFileStats, renderReport, replay } from '../../ops/replay';
import { intOption, stringOption } from '../args';
import type { Command } from '../command';
import { checkOutputFile, writeFileWhole } from '../io';
import { CONFIG_OPTIONS, configFilesOf, pathOption, userPath } from '../options';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'where access logs, sitemaps, URL lists (through the engine) and decision logs (as logged) land; the fallbacks as a bulk list',
  invocation: 'npm run ops -- replay',
  positionals: 'FILE...',
  description: `Reads these, gzip or plain, each file's format found from its first lines:
  - CloudFront standard access logs (with their #Fields header),
  - sitemaps (<urlset> XML),
  - URL lists: one URL per line (https://po.co/uk/ or po.co/uk/, no scheme
    meaning https), optionally followed by the viewer's two-letter country;
    blank lines and lines starting with # are skipped,
  - the function's decision logs, exported from CloudWatch Logs as JSON lines:
    the decision objects ({"rule":...,"action":...}) or log events
    ({"timestamp":...,"message":"..."}) whose message is one, bare or in
    Lambda's text format; other lines (START, END, REPORT) are skipped.
Runs each distinct URL of logs, sitemaps and URL lists through the engine
(as for an unknown country, unless the URL list gives one) and writes the URLs
that fell to a fallback, most requested first, as a bulk list (Cloudflare CSV:
SOURCE_URL,,301) with TARGET_URL left empty for you to fill in; the list does not
load until every target is filled in or its line deleted. The counts of the
most requested go to stderr.
Decision logs are not decided again: they count what production decided.
Then, on stderr, where the traffic lands (bulk entry, product page, landing,
support, fallback, ...) by requests and by distinct URLs; for decision logs
also the hits per rule and the configured rules never hit.
Malformed lines (and lines over 64 KiB) are counted and skipped; the counts go
to stderr. Of each file at most 1 GiB (decompressed) is read, and at most
10,000,000 lines (blank lines apart): the lines past that are counted and
skipped, and what a limit left out is said on the file's line.
--output is refused before anything is read when it names a folder or a folder
that does not exist.`,
  options: {
    output: { kind: 'string', value: 'FILE', help: 'write the CSV there (whole or not at all) instead of stdout' },
    top: { kind: 'string', value: 'N', help: 'only the N most requested' },
    'summary-only': { kind: 'boolean', help: 'no CSV: only what was read and the summaries, on stderr' },
    ...CONFIG_OPTIONS,
  },
  exitStatus: '0 when every file was read, 2 on a missing or unreadable file, bad options or config.',
  async run(args, io) {
    const top = intOption(args.options.top, 'top', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
    const summaryOnly = args.options['summary-only'] === true;
    const output = pathOption(args.options.output);
    if (summaryOnly && (output !== undefined || args.options.top !== undefined))
      throw new UsageError('--summary-only writes no CSV: leave out --output and --top');
    if (output !== undefined) checkOutputFile('--output', output, stringOption(args.options.output));
    const report = await replay({ files: args.positionals.map((f) => userPath(f)), ...configFilesOf(args) });
    // What each file held, named as the user gave it (it was read from the user's directory).
    io.stderr.write(renderFileStats(report.files.map((stats, i) => ({ ...stats, file: args.positionals[i] ?? stats.file }))));
    const shown = report.fallbacks.slice(0, top);
    io.stderr.write(renderReport(report, shown.length, summaryOnly));
    if (summaryOnly) return 0;
    const csv = fallbackCsv(shown);
    if (!output) {
      io.stdout.write(csv);
      return 0;
    }
    writeFileWhole(output, csv);
    io.stderr.write(`replay: wrote ${shown.length} entries to ${stringOption(args.options.output)}\n`);
    return 0;
  },
};
