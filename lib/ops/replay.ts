/**
 * `replay FILE...`: which real URLs would fall to a fallback? Reads
 * CloudFront standard access logs (gzip or plain, tab-separated, with their
 * `#Fields:` header) and sitemaps (`<loc>` elements, gzip or plain), runs
 * every distinct URL through the engine, and writes those that fell to a
 * fallback, most requested first, as a bulk list (Cloudflare CSV) with the
 * targets left for someone to fill in.
 *
 * Access logs hold no viewer country, so URLs are decided as for an unknown
 * country. URLs are counted by host and canonical path (as the engine and
 * the bulk list compare them); the query string is left out, as bulk sources
 * take none.
 */
import * as fs from 'fs';
import * as readline from 'readline';
import { Readable } from 'stream';
import { constants as zlibConstants, createGunzip } from 'zlib';
import { canonicalPath, normaliseHost, pathKey, RedirectEngine } from '../../lambda/engine';
import { intOption, parseArgs, stringOption, UsageError } from '../cli/args';
import type { Command } from '../cli/command';
import { CliIo, writeFileWhole } from '../cli/io';
import { loadConfig } from '../config/load';

export interface ReplayFileStats {
  readonly file: string;
  readonly format: 'cloudfront-log' | 'sitemap';
  /** Lines (logs) or `<loc>` elements (sitemaps) read. */
  readonly records: number;
  readonly malformed: number;
  /** The first malformed record, for the report. */
  readonly firstMalformed?: string;
}

export interface FallbackUrl {
  /** `host/path`, the bulk list's scheme-less source. */
  readonly source: string;
  readonly hits: number;
  /** The fallback rule it fell to. */
  readonly rule: string;
  /** Where it goes today. */
  readonly location: string | null;
}

export interface ReplayReport {
  readonly files: readonly ReplayFileStats[];
  /** Distinct `host/path` seen on configured hostnames. */
  readonly distinct: number;
  /** Requests (log lines, sitemap entries) on hostnames this config does not serve. */
  readonly otherHosts: number;
  readonly fallbacks: readonly FallbackUrl[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

function readStart(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's text stream; a gzip file cut off in the middle yields what it holds (the cut line is then malformed). */
function open(file: string, gzip: boolean): Readable {
  const raw = fs.createReadStream(file);
  if (!gzip) return raw;
  const gunzip = raw.pipe(createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH }));
  // Closing the text stream early (the format sniff) closes the file too.
  gunzip.on('close', () => raw.destroy());
  return gunzip;
}

/** Sniffs a file's format from its first bytes (decompressed); throws UsageError for anything else. */
async function sniff(file: string): Promise<{ gzip: boolean; format: ReplayFileStats['format'] }> {
  const start = readStart(file);
  const gzip = start[0] === GZIP_MAGIC[0] && start[1] === GZIP_MAGIC[1];
  let head = '';
  if (gzip) {
    const stream = open(file, true);
    try {
      for await (const chunk of stream) {
        head += (chunk as Buffer).toString('utf8');
        if (head.length >= 512) break;
      }
    } catch {
      throw new UsageError(`${file} starts like gzip but does not decompress`);
    } finally {
      stream.destroy();
    }
  } else {
    head = start.toString('utf8');
  }
  head = head.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('#Version:') || head.startsWith('#Fields:')) return { gzip, format: 'cloudfront-log' };
  if (head.startsWith('<?xml') || head.startsWith('<urlset') || head.startsWith('<sitemapindex')) return { gzip, format: 'sitemap' };
  throw new UsageError(`${file} is neither a CloudFront access log (starting "#Version:" or "#Fields:") nor a sitemap (XML with <urlset>)`);
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : XML_ENTITIES[e.toLowerCase()],
  );
}

interface Sink {
  /** One request for `host` and the path as received (percent-encoded). */
  add(host: string, rawPath: string): void;
}

/** The fields a CloudFront standard log line needs, by name in `#Fields:`. */
const LOG_HOST_FIELDS = ['x-host-header', 'cs(Host)'];
const LOG_PATH_FIELD = 'cs-uri-stem';

async function readLog(file: string, gzip: boolean, sink: Sink): Promise<ReplayFileStats> {
  let fields: string[] | undefined;
  let records = 0;
  let malformed = 0;
  let firstMalformed: string | undefined;
  let lineNo = 0;
  const bad = (why: string): void => {
    malformed++;
    firstMalformed ??= `line ${lineNo}: ${why}`;
  };
  const rl = readline.createInterface({ input: open(file, gzip), crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      lineNo++;
      if (line.startsWith('#')) {
        if (line.startsWith('#Fields:')) fields = line.slice(8).trim().split(/\s+/);
        continue;
      }
      if (line.trim() === '') continue;
      records++;
      if (!fields) {
        bad('a log line before any "#Fields:" header');
        continue;
      }
      const cols = line.split('\t');
      if (cols.length !== fields.length) {
        bad(`expected ${fields.length} tab-separated fields, found ${cols.length}`);
        continue;
      }
      const at = (name: string): string | undefined => {
        const i = fields!.indexOf(name);
        return i < 0 ? undefined : cols[i];
      };
      const hostField = LOG_HOST_FIELDS.map(at).find((v) => v !== undefined && v !== '-');
      const host = normaliseHost(hostField);
      const uri = at(LOG_PATH_FIELD);
      if (!host) {
        bad(`no usable host (${LOG_HOST_FIELDS.join(' or ')}): ${JSON.stringify(hostField ?? '')}`);
        continue;
      }
      if (!uri || !uri.startsWith('/')) {
        bad(`${LOG_PATH_FIELD} ${JSON.stringify(uri ?? '')} is not a path`);
        continue;
      }
      sink.add(host, uri);
    }
  } catch (err) {
    bad(`the file ends in the middle (${(err as Error).message})`);
  }
  return { file, format: 'cloudfront-log', records, malformed, firstMalformed };
}

async function readSitemap(file: string, gzip: boolean, sink: Sink): Promise<ReplayFileStats> {
  let text = '';
  let records = 0;
  let malformed = 0;
  let firstMalformed: string | undefined;
  try {
    for await (const chunk of open(file, gzip)) text += (chunk as Buffer).toString('utf8');
  } catch (err) {
    malformed++;
    firstMalformed = `the file ends in the middle (${(err as Error).message})`;
  }
  if (/<sitemapindex[\s>]/.test(text)) {
    malformed++;
    firstMalformed ??= 'a sitemap index: replay the sitemaps it lists instead';
  }
  for (const m of text.matchAll(/<loc>\s*([^<]*?)\s*<\/loc>/g)) {
    records++;
    const loc = unescapeXml(m[1]);
    const u = /^https?:\/\/([^/?#\s]+)([^?#\s]*)/i.exec(loc);
    const host = u ? normaliseHost(u[1]) : '';
    if (!u || !host) {
      malformed++;
      firstMalformed ??= `<loc> ${JSON.stringify(loc.slice(0, 200))} is not an absolute http(s) URL`;
      continue;
    }
    sink.add(host, u[2] || '/');
  }
  return { file, format: 'sitemap', records, malformed, firstMalformed };
}

export interface ReplayOptions {
  readonly files: readonly string[];
  /** @default config/redirects.csv */
  readonly redirectsFile?: string;
  /** @default config/sites.json */
  readonly sitesFile?: string;
}

/** Reads every file (all checked to exist first), decides each distinct URL, returns the fallbacks. */
export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  if (options.files.length === 0) throw new UsageError('give at least one access log or sitemap');
  for (const f of options.files) {
    const stat = fs.statSync(f, { throwIfNoEntry: false });
    if (!stat) throw new UsageError(`${f} does not exist`);
    if (!stat.isFile()) throw new UsageError(`${f} is not a file`);
  }
  const formats = await Promise.all(options.files.map(sniff));
  const config = loadConfig({ redirectsFile: options.redirectsFile, sitesFile: options.sitesFile });
  const engine = new RedirectEngine(config.tables);
  const served = new Set(config.sites.sites.flatMap((s) => s.hostnames));
  const hits = new Map<string, number>();
  let otherHosts = 0;
  const sink: Sink = {
    add(host, rawPath) {
      if (!served.has(host)) {
        otherHosts++;
        return;
      }
      // Counted under the path the engine and the bulk list see, so variants of one URL are one row.
      const key = host + pathKey(canonicalPath(rawPath).segments);
      hits.set(key, (hits.get(key) ?? 0) + 1);
    },
  };
  const files: ReplayFileStats[] = [];
  for (let i = 0; i < options.files.length; i++) {
    const { gzip, format } = formats[i];
    files.push(await (format === 'sitemap' ? readSitemap : readLog)(options.files[i], gzip, sink));
  }
  const fallbacks: FallbackUrl[] = [];
  for (const [key, n] of hits) {
    const slash = key.indexOf('/');
    const d = engine.decide({ method: 'GET', scheme: 'https', host: key.slice(0, slash), path: key.slice(slash), query: '' });
    if (d.rule.startsWith('fallback:')) fallbacks.push({ source: key, hits: n, rule: d.rule, location: d.location });
  }
  fallbacks.sort((a, b) => b.hits - a.hits || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  return { files, distinct: hits.size, otherHosts, fallbacks };
}

/** A CSV field, quoted when it must be. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The fallbacks as a bulk list, most requested first: `SOURCE_URL,,301`
 * with TARGET_URL empty, so the list fails validation until every target is
 * filled in (the format has no comments; the counts go to stderr).
 */
export function fallbackCsv(fallbacks: readonly FallbackUrl[]): string {
  return fallbacks.map((f) => `${csvField(f.source)},,301\n`).join('');
}

/** How many fallbacks the summary on stderr lists with their counts. */
const SUMMARY_ROWS = 10;

export const replayCommand: Command = {
  name: 'replay',
  summary: 'run CloudFront access logs or sitemaps through the engine; list the URLs that fall to a fallback as a bulk list',
  usage: `Usage: npm run ops -- replay [options] FILE...

Reads CloudFront standard access logs (gzip or plain, with their #Fields header)
and sitemaps (<urlset> XML, gzip or plain), runs each distinct URL through the
engine, and writes the URLs that fell to a fallback, most requested first, as a
bulk list (Cloudflare CSV: SOURCE_URL,,301) with TARGET_URL left empty for you to
fill in; the list does not load until every target is filled in or its line deleted.
The counts of the most requested go to stderr.
Logs carry no viewer country: URLs are decided as for an unknown country.
Malformed lines are counted and skipped; the counts go to stderr.

Options:
  --output FILE     write the CSV there (whole or not at all) instead of stdout
  --top N           only the N most requested
  --redirects FILE  bulk redirect list                         [config/redirects.csv]
  --sites FILE      sites file                                 [config/sites.json]

Exit status: 0 when every file was read, 2 on a missing or unreadable file, bad options or config.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, { output: 'string', top: 'string', redirects: 'string', sites: 'string' });
    const top = intOption(args.options.top, 'top', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
    const report = await replay({ files: args.positionals, redirectsFile: stringOption(args.options.redirects), sitesFile: stringOption(args.options.sites) });
    for (const f of report.files) {
      io.stderr.write(`replay: ${f.file}: ${f.format}, ${f.records} record${f.records === 1 ? '' : 's'}, ${f.malformed} malformed${f.firstMalformed ? ` (first: ${f.firstMalformed})` : ''}\n`);
    }
    const shown = report.fallbacks.slice(0, top);
    io.stderr.write(
      `replay: ${report.distinct} distinct URLs on configured hostnames, ${report.fallbacks.length} fell to a fallback${shown.length < report.fallbacks.length ? ` (${shown.length} written)` : ''}; ${report.otherHosts} request${report.otherHosts === 1 ? '' : 's'} on other hostnames skipped\n`,
    );
    for (const f of shown.slice(0, SUMMARY_ROWS)) io.stderr.write(`  ${String(f.hits).padStart(8)}  ${f.source}  (${f.rule} -> ${f.location ?? 'no redirect'})\n`);
    if (shown.length > SUMMARY_ROWS) io.stderr.write(`  ... and ${shown.length - SUMMARY_ROWS} more\n`);
    const csv = fallbackCsv(shown);
    const output = stringOption(args.options.output);
    if (!output) {
      io.stdout.write(csv);
      return 0;
    }
    writeFileWhole(output, csv);
    io.stderr.write(`replay: wrote ${shown.length} entries to ${output}\n`);
    return 0;
  },
};
