/**
 * `replay FILE...`: where does real traffic land, and which URLs would fall
 * to a fallback? Reads CloudFront standard access logs (gzip or plain,
 * tab-separated, with their `#Fields:` header), sitemaps (`<loc>` elements,
 * gzip or plain) and plain URL lists (one URL per line, optionally with the
 * viewer's country), runs every distinct URL through the engine, and writes
 * those that fell to a fallback, most requested first, as a bulk list
 * (Cloudflare CSV) with the targets left for someone to fill in. It also
 * reads the function's own decision log lines (CloudWatch Logs exported as
 * JSON lines), which are not decided again but counted as logged.
 *
 * Every run ends with the landing summary (lib/ops/landing-summary.ts): how
 * many requests and distinct URLs land on a bulk entry, a product page, a
 * landing page, support, a fallback, ...
 *
 * Access logs and sitemaps hold no viewer country, so their URLs are decided
 * as for an unknown country; a URL list may give one. URLs are counted by
 * host, canonical path (as the engine and the bulk list compare them) and
 * country; the query string is left out, as bulk sources take none.
 *
 * Reading is bounded: a line longer than 64 KiB is counted malformed and
 * dropped as it streams past, and `<loc>` elements are found by a linear scan
 * of the stream, at most 64 KiB of one held at a time.
 */
import * as fs from 'fs';
import { Readable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { constants as zlibConstants, createGunzip } from 'zlib';
import { canonicalPath, normaliseHost, pathKey, RedirectEngine } from '../../lambda/engine';
import { loadConfig, LoadedConfig, LoadOptions } from '../config/load';
import { UsageError } from '../config/problems';
import { ByteLimit, cutNote, MAX_INPUT_BYTES } from './input-limit';
import {
  configuredRuleNames,
  DecisionCount,
  LandingSummary,
  renderRuleHits,
  renderSummary,
  RuleHits,
  ruleHits,
  summarise,
} from './landing-summary';
import { servedHostname } from '../rules/probes';

export type ReplayFormat = 'cloudfront-log' | 'sitemap' | 'url-list' | 'decision-log';

export interface ReplayFileStats {
  readonly file: string;
  readonly format: ReplayFormat;
  /** Lines (logs, URL lists, decision logs; without blank lines and comments) or `<loc>` elements (sitemaps) read. */
  readonly records: number;
  readonly malformed: number;
  /** The first malformed record, for the report. */
  readonly firstMalformed?: string;
  /** Decision logs: lines that are not decisions (START, END, REPORT, other messages), skipped. */
  readonly notDecisions?: number;
  /** Lines past the limit of lines a file (`MAX_FILE_LINES`), counted and skipped; only when there were some. */
  readonly linesOverLimit?: number;
  /** Only when the file is larger, decompressed, than the limit (`MAX_INPUT_BYTES`): how much of it was read; the rest was not. */
  readonly readBytes?: number;
}

export interface FallbackUrl {
  /** `host/path`, the bulk list's scheme-less source. */
  readonly source: string;
  /** Requests, over every country it was seen with. */
  readonly hits: number;
  /** The fallback rule it fell to (for the country with the most requests). */
  readonly rule: string;
  /** Where it goes today (for that country). */
  readonly location: string | null;
}

/** What the decision logs say production decided. */
export interface LoggedReport {
  /** Decisions logged. */
  readonly decisions: number;
  /** By category; a distinct URL is host, canonical path and country, per rule. */
  readonly landing: LandingSummary;
  /** Hits per rule as logged, and the configured rules never hit. */
  readonly rules: RuleHits;
}

export interface ReplayReport {
  readonly files: readonly ReplayFileStats[];
  /** Distinct host, path and country seen on configured hostnames (logs, sitemaps, URL lists). */
  readonly distinct: number;
  /** Requests (log lines, sitemap entries, URL list lines) on hostnames this config does not serve. */
  readonly otherHosts: number;
  readonly fallbacks: readonly FallbackUrl[];
  /** Where the URLs of logs, sitemaps and URL lists land, decided by the engine with this config. */
  readonly landing: LandingSummary;
  /** Only when a decision log was given. */
  readonly logged?: LoggedReport;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** The longest line (in bytes, without its line break) read; longer ones are malformed. */
export const MAX_LINE_BYTES = 64 * 1024;
/** The longest `<loc>` content (in characters) read; longer ones are malformed. */
export const MAX_LOC_CHARS = 64 * 1024;
/** The most lines (blank lines apart) read from a line-oriented file; the lines after are counted and skipped. */
export const MAX_FILE_LINES = 10_000_000;

/** The limits of one file's reading (the constants above; tests give smaller ones). */
export interface ReadLimits {
  readonly maxFileBytes: number;
  readonly maxFileLines: number;
}

const DEFAULT_LIMITS: ReadLimits = { maxFileBytes: MAX_INPUT_BYTES, maxFileLines: MAX_FILE_LINES };

/** Where the reading of one file is, and what the limits left out of it (its bytes: `ByteLimit`). */
class Reading extends ByteLimit {
  /** The line number of the line last handed out (blank lines counted). */
  lineNo = 0;
  /** Lines handed out. */
  lines = 0;
  linesOverLimit = 0;
  constructor(readonly limits: ReadLimits) {
    super(limits.maxFileBytes);
  }

  get full(): boolean {
    return this.lines >= this.limits.maxFileLines;
  }

  /** The stats fields for the limits; none when none was reached. */
  stats(): Pick<ReplayFileStats, 'linesOverLimit' | 'readBytes'> {
    return { ...(this.linesOverLimit > 0 ? { linesOverLimit: this.linesOverLimit } : {}), ...(this.cut ? { readBytes: this.bytes } : {}) };
  }
}

/** How much of a file the format sniff reads. */
const SNIFF_BYTES = 8192;

function readStart(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's byte stream; a gzip file cut off in the middle yields what it holds (the cut line is then malformed). */
function open(file: string, gzip: boolean): Readable {
  const raw = fs.createReadStream(file);
  if (!gzip) return raw;
  const gunzip = raw.pipe(createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH }));
  // Closing the text stream early (the format sniff) closes the file too.
  gunzip.on('close', () => raw.destroy());
  return gunzip;
}

/**
 * The stream's lines without their line break (LF or CRLF), `r.lineNo`
 * being the number of the one handed out; `null` for a line longer than
 * `MAX_LINE_BYTES`, which is never held whole. Blank lines (nothing, or a
 * lone CR) are counted but not handed out, in a tight loop (a flood of
 * them costs little); lines past the line limit are counted, not held; at
 * the size limit reading stops (a line cut there is dropped).
 */
async function* readLines(input: Readable, r: Reading): AsyncGenerator<string | null> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  /** The line being read has bytes. */
  let any = false;
  /** The line that ends here: undefined when it is not handed out. */
  const take = (): string | null | undefined => {
    r.lineNo++;
    let line: string | null | undefined;
    if (!any || (!tooLong && size === 1 && parts[0][0] === 0x0d)) line = undefined;
    else if (r.full) r.linesOverLimit++;
    else {
      r.lines++;
      line = null;
      if (!tooLong) {
        line = (parts.length === 1 ? parts[0] : Buffer.concat(parts, size)).toString('utf8');
        if (line.endsWith('\r')) line = line.slice(0, -1);
      }
    }
    parts = [];
    size = 0;
    tooLong = false;
    any = false;
    return line;
  };
  try {
    for await (const piece of input as AsyncIterable<Buffer>) {
      const chunk = r.within(piece);
      let start = 0;
      for (;;) {
        if (!any) {
          // Blank lines, LF or CRLF, without a call each.
          for (;;) {
            if (chunk[start] === 0x0a) start++;
            else if (chunk[start] === 0x0d && chunk[start + 1] === 0x0a) start += 2;
            else break;
            r.lineNo++;
          }
        }
        const nl = chunk.indexOf(0x0a, start);
        const end = nl < 0 ? chunk.length : nl;
        if (end > start) {
          any = true;
          if (!tooLong && !r.full) {
            if (size + (end - start) > MAX_LINE_BYTES + 1) {
              // +1: a CRLF line of exactly MAX_LINE_BYTES holds one more byte here.
              tooLong = true;
              parts = [];
              size = 0;
            } else {
              parts.push(chunk.subarray(start, end));
              size += end - start;
            }
          }
        }
        if (nl < 0) break;
        const line = take();
        if (line !== undefined) yield line;
        start = nl + 1;
      }
      if (r.cut) return;
    }
  } catch (err) {
    if (any) {
      const line = take();
      if (line !== undefined) yield line;
    }
    throw err;
  }
  if (any) {
    const line = take();
    if (line !== undefined) yield line;
  }
}

const TOO_LONG = `longer than ${MAX_LINE_BYTES / 1024} KiB`;

/** Two letters: a viewer country as a URL list gives it. */
const COUNTRY = /^[A-Za-z]{2}$/;
/** `scheme://` at the start of a URL. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/** Host and path of an absolute http(s) URL. */
const HTTP_URL = /^https?:\/\/([^/?#\s]+)([^?#\s]*)/i;

type UrlLine =
  { readonly host: string; readonly path: string; readonly country: string; readonly schemeless: boolean } | { readonly error: string };

/** A URL list line (not blank, not a comment): `URL [COUNTRY]`, a URL without scheme being https://. */
function parseUrlLine(line: string): UrlLine {
  const cols = line.trim().split(/\s+/);
  if (cols.length > 2) return { error: `expected a URL and at most a country, found ${cols.length} columns` };
  const [raw, cc] = cols;
  const scheme = SCHEME.exec(raw);
  if (scheme && !/^https?$/i.test(scheme[1])) return { error: `${JSON.stringify(raw.slice(0, 200))} is not an http(s) URL` };
  const u = HTTP_URL.exec(scheme ? raw : `https://${raw}`);
  const host = u ? normaliseHost(u[1]) : '';
  if (!u || !host) return { error: `${JSON.stringify(raw.slice(0, 200))} is not a URL` };
  if (cc !== undefined && !COUNTRY.test(cc)) return { error: `${JSON.stringify(cc.slice(0, 20))} is not a two-letter country code` };
  return { host, path: u[2] || '/', country: cc?.toUpperCase() ?? '', schemeless: !scheme };
}

/** Whether a URL list's first line looks like one: a URL, and without a scheme a host with a dot (so "hello" is not). */
function looksLikeUrlLine(line: string): boolean {
  const u = parseUrlLine(line);
  return !('error' in u) && (!u.schemeless || u.host.includes('.'));
}

const FORMATS_TEXT =
  'a CloudFront access log (starting "#Version:" or "#Fields:"), a sitemap (XML with <urlset>), a decision log (JSON lines) nor a URL list (one URL per line)';

/** Sniffs a file's format from its first bytes (decompressed); throws UsageError for anything else. */
async function sniff(file: string): Promise<{ gzip: boolean; format: ReplayFormat }> {
  const start = readStart(file);
  const gzip = start[0] === GZIP_MAGIC[0] && start[1] === GZIP_MAGIC[1];
  let head = '';
  if (gzip) {
    const stream = open(file, true);
    try {
      for await (const chunk of stream) {
        head += (chunk as Buffer).toString('utf8');
        if (head.length >= SNIFF_BYTES) break;
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
  if (head.startsWith('{')) return { gzip, format: 'decision-log' };
  // A URL list: its first line that is not a comment is a URL; a head of comments alone is one too.
  const lines = head.split('\n').map((l) => l.trim());
  const first = lines.find((l) => l !== '' && !l.startsWith('#'));
  if (head !== '' && (first === undefined || looksLikeUrlLine(first))) return { gzip, format: 'url-list' };
  throw new UsageError(`${file} is neither ${FORMATS_TEXT}`);
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Whether a code point is an XML character (a character reference to anything else is an error). */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** The text with its entity and character references replaced; undefined when a character reference names no XML character. */
function unescapeXml(s: string): string | undefined {
  let invalid = false;
  const text = s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (whole: string, e: string) => {
    if (e[0] !== '#') return XML_ENTITIES[e.toLowerCase()];
    const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
    if (!isXmlChar(cp)) {
      invalid = true;
      return whole;
    }
    return String.fromCodePoint(cp);
  });
  return invalid ? undefined : text;
}

interface Sink {
  /** One request for `host` and the path as received (percent-encoded), from `country` ('' when unknown). */
  add(host: string, rawPath: string, country: string): void;
}

/** Malformed-record bookkeeping of one file. */
class Tally {
  records = 0;
  malformed = 0;
  firstMalformed: string | undefined;
  bad(why: string): void {
    this.malformed++;
    this.firstMalformed ??= why;
  }
}

/** The fields a CloudFront standard log line needs, by name in `#Fields:`. */
const LOG_HOST_FIELDS = ['x-host-header', 'cs(Host)'];
const LOG_PATH_FIELD = 'cs-uri-stem';

async function readLog(file: string, gzip: boolean, sink: Sink, limits: ReadLimits = DEFAULT_LIMITS): Promise<ReplayFileStats> {
  let fields: string[] | undefined;
  const t = new Tally();
  const r = new Reading(limits);
  const bad = (why: string): void => t.bad(`line ${r.lineNo}: ${why}`);
  try {
    for await (const line of readLines(open(file, gzip), r)) {
      if (line === null) {
        t.records++;
        bad(TOO_LONG);
        continue;
      }
      if (line.startsWith('#')) {
        if (line.startsWith('#Fields:')) fields = line.slice(8).trim().split(/\s+/);
        continue;
      }
      if (line.trim() === '') continue;
      t.records++;
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
      sink.add(host, uri, '');
    }
  } catch (err) {
    bad(`the file ends in the middle (${(err as Error).message})`);
  }
  return { file, format: 'cloudfront-log', records: t.records, malformed: t.malformed, firstMalformed: t.firstMalformed, ...r.stats() };
}

/**
 * Each line of a line-oriented file, BOM and surrounding white space
 * removed, blank lines (and, with `comments`, `#` lines) skipped: every other
 * line is a record of `t`; one over the length limit, or the rest of a file
 * that ends in the middle, is counted malformed.
 */
async function eachLine(
  file: string,
  gzip: boolean,
  t: Tally,
  comments: boolean,
  each: (line: string, bad: (why: string) => void) => void,
  r: Reading,
): Promise<void> {
  const bad = (why: string): void => t.bad(`line ${r.lineNo}: ${why}`);
  try {
    for await (const raw of readLines(open(file, gzip), r)) {
      if (raw === null) {
        t.records++;
        bad(TOO_LONG);
        continue;
      }
      const line = (r.lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (line === '' || (comments && line.startsWith('#'))) continue;
      t.records++;
      each(line, bad);
    }
  } catch (err) {
    bad(`the file ends in the middle (${(err as Error).message})`);
  }
}

async function readUrlList(file: string, gzip: boolean, sink: Sink, limits: ReadLimits = DEFAULT_LIMITS): Promise<ReplayFileStats> {
  const t = new Tally();
  const r = new Reading(limits);
  await eachLine(
    file,
    gzip,
    t,
    true,
    (line, bad) => {
      const u = parseUrlLine(line);
      if ('error' in u) bad(u.error);
      else sink.add(u.host, u.path, u.country);
    },
    r,
  );
  return { file, format: 'url-list', records: t.records, malformed: t.malformed, firstMalformed: t.firstMalformed, ...r.stats() };
}

/**
 * Finds `<loc>` elements in text pushed in pieces, in one pass: each
 * character is looked at a bounded number of times and at most
 * `MAX_LOC_CHARS` of an unfinished `<loc>` is held. A `<loc>` whose text
 * runs into another tag, is longer than that, or is not closed when the text
 * ends, is reported bad.
 */
export class LocScanner {
  /** Unscanned text, or the unfinished `<loc>`'s content from `contentStart`. */
  private buf = '';
  /** Where in `buf` scanning resumes. */
  private from = 0;
  private inside = false;
  private contentStart = 0;
  /** Inside a `<loc>` already too long: its text is dropped until the next `<`. */
  private skipping = false;

  constructor(
    private readonly onOpen: () => void,
    private readonly onLoc: (content: string) => void,
    private readonly onBad: (why: string) => void,
  ) {}

  push(text: string): void {
    this.buf += text;
    this.scan(false);
  }

  end(): void {
    this.scan(true);
  }

  private scan(final: boolean): void {
    const buf = this.buf;
    let pos = this.from;
    for (;;) {
      if (!this.inside) {
        const i = buf.indexOf('<loc>', pos);
        if (i < 0) {
          // Keep what may be the start of a "<loc>" cut by the piece's end.
          this.buf = final ? '' : buf.slice(Math.max(pos, buf.length - 4));
          this.from = 0;
          return;
        }
        this.onOpen();
        this.inside = true;
        this.skipping = false;
        this.contentStart = pos = i + 5;
        continue;
      }
      const k = buf.indexOf('<', pos);
      if (k < 0 || (!final && k + 6 > buf.length && '</loc>'.startsWith(buf.slice(k)))) {
        if (final) {
          this.onBad('a <loc> not closed by </loc>');
          this.inside = false;
          this.buf = '';
          this.from = 0;
          return;
        }
        // The content so far (or, past the limit, nothing of it) and where to resume.
        const upTo = k < 0 ? buf.length : k;
        if (upTo - this.contentStart > MAX_LOC_CHARS) this.skipping = true;
        const keepFrom = this.skipping ? upTo : this.contentStart;
        this.buf = buf.slice(keepFrom);
        this.from = upTo - keepFrom;
        this.contentStart = 0;
        return;
      }
      const closed = buf.startsWith('</loc>', k);
      const tooLong = this.skipping || k - this.contentStart > MAX_LOC_CHARS;
      if (closed && !tooLong) this.onLoc(buf.slice(this.contentStart, k));
      else this.onBad(tooLong ? `a <loc> longer than ${MAX_LOC_CHARS / 1024} Ki characters` : 'a <loc> not closed by </loc>');
      this.inside = false;
      this.skipping = false;
      pos = closed ? k + 6 : k;
    }
  }
}

async function readSitemap(file: string, gzip: boolean, sink: Sink, limits: ReadLimits = DEFAULT_LIMITS): Promise<ReplayFileStats> {
  const t = new Tally();
  const r = new Reading(limits);
  let index = false;
  let tail = '';
  const scanner = new LocScanner(
    () => t.records++,
    (content) => {
      const loc = unescapeXml(content.trim());
      if (loc === undefined) {
        t.bad(`<loc> ${JSON.stringify(content.trim().slice(0, 200))} has a character reference to no XML character`);
        return;
      }
      const u = HTTP_URL.exec(loc);
      const host = u ? normaliseHost(u[1]) : '';
      if (!u || !host) {
        t.bad(`<loc> ${JSON.stringify(loc.slice(0, 200))} is not an absolute http(s) URL`);
        return;
      }
      if (!index) sink.add(host, u[2] || '/', '');
    },
    (why) => t.bad(why),
  );
  const decoder = new StringDecoder('utf8');
  const push = (text: string): void => {
    // The root element comes before any <loc>, so an index's <loc>s (sitemaps, not pages) are not replayed.
    const probe = tail + text;
    if (!index && /<sitemapindex[\s>]/.test(probe)) {
      index = true;
      t.bad('a sitemap index: replay the sitemaps it lists instead');
    }
    tail = probe.slice(-16);
    scanner.push(text);
  };
  try {
    for await (const chunk of open(file, gzip)) {
      push(decoder.write(r.within(chunk as Buffer)));
      if (r.cut) break;
    }
  } catch (err) {
    t.bad(`the file ends in the middle (${(err as Error).message})`);
  }
  push(decoder.end());
  scanner.end();
  return { file, format: 'sitemap', records: t.records, malformed: t.malformed, firstMalformed: t.firstMalformed, ...r.stats() };
}

/** A decision as the function logs it. */
interface LoggedDecision {
  readonly rule: string;
  readonly host: string;
  readonly uri: string;
  readonly country: string;
}

type LogItem = { readonly decision: LoggedDecision } | { readonly notDecision: true } | { readonly error: string };

/** The log levels of Lambda's text format: `TIMESTAMP\tREQUEST-ID\tLEVEL\tMESSAGE`. */
const LAMBDA_TEXT = /^\S+\t\S+\t(?:TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A parsed object as a decision, if it is one: `{"rule":...,"action":...,...}`. */
function asDecision(o: Record<string, unknown>): LogItem {
  if (!('rule' in o) || !('action' in o)) return { notDecision: true };
  if (typeof o.rule !== 'string' || o.rule === '' || typeof o.action !== 'string')
    return { error: 'a decision whose rule or action is not a string' };
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { decision: { rule: o.rule, host: text(o.host), uri: text(o.uri), country: text(o.country) } };
}

/**
 * One JSON line of a decision log: the decision object itself, or a log
 * event (`{"timestamp":...,"message":"..."}`, `@message` from Logs
 * Insights) whose message is the decision object or Lambda's text format
 * around it.
 */
function parseDecisionLine(line: string): LogItem {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (!isObject(v)) return { notDecision: true };
  const direct = asDecision(v);
  if (!('notDecision' in direct)) return direct;
  const message = typeof v.message === 'string' ? v.message : typeof v['@message'] === 'string' ? v['@message'] : undefined;
  if (message === undefined) return { notDecision: true };
  let text = message.trim();
  const prefix = LAMBDA_TEXT.exec(text);
  if (prefix) text = text.slice(prefix[0].length).trim();
  if (!text.startsWith('{')) return { notDecision: true };
  let inner: unknown;
  try {
    inner = JSON.parse(text);
  } catch {
    return { error: 'a message that starts with "{" but is not valid JSON' };
  }
  return isObject(inner) ? asDecision(inner) : { notDecision: true };
}

async function readDecisionLog(
  file: string,
  gzip: boolean,
  onDecision: (d: LoggedDecision) => void,
  limits: ReadLimits = DEFAULT_LIMITS,
): Promise<ReplayFileStats> {
  const t = new Tally();
  const r = new Reading(limits);
  let notDecisions = 0;
  await eachLine(
    file,
    gzip,
    t,
    false,
    (line, bad) => {
      const item = parseDecisionLine(line);
      if ('error' in item) bad(item.error);
      else if ('notDecision' in item) notDecisions++;
      else onDecision(item.decision);
    },
    r,
  );
  return {
    file,
    format: 'decision-log',
    records: t.records,
    malformed: t.malformed,
    firstMalformed: t.firstMalformed,
    notDecisions,
    ...r.stats(),
  };
}

/** Whether a host is served: one of the sites' hostnames, or one label below a wildcard's (`*.po.co`). */
function servedHosts(config: LoadedConfig): (host: string) => boolean {
  const hostnames = new Set(config.sites.sites.flatMap((s) => s.hostnames));
  return (host) => servedHostname(host, hostnames) !== undefined;
}

/** `host + canonical path`, the key the engine and the bulk list compare. */
function urlKey(host: string, rawPath: string): string {
  return host + pathKey(canonicalPath(rawPath).segments);
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The config files (`LoadOptions`), and what else the run takes. */
export interface ReplayOptions extends LoadOptions {
  readonly files: readonly string[];
  /** @default `MAX_INPUT_BYTES` and `MAX_FILE_LINES` */
  readonly limits?: Partial<ReadLimits>;
}

/** Refuses an empty list of files, or one that is missing or not a file, before anything is read. */
function checkFiles(files: readonly string[]): void {
  if (files.length === 0) throw new UsageError('give at least one access log, sitemap, URL list or decision log');
  for (const f of files) {
    const stat = fs.statSync(f, { throwIfNoEntry: false });
    if (!stat) throw new UsageError(`${f} does not exist`);
    if (!stat.isFile()) throw new UsageError(`${f} is not a file`);
  }
}

/** What the files hold, counted: requests by URL on served hostnames, requests on others, and logged decisions by rule and URL. */
class ReplayCounts implements Sink {
  /** Requests by `host + canonical path` TAB country. */
  readonly hits = new Map<string, number>();
  otherHosts = 0;
  /** Logged requests by rule, then by `host + canonical path` TAB country. */
  readonly logged = new Map<string, Map<string, number>>();
  loggedDecisions = 0;

  constructor(private readonly served: (host: string) => boolean) {}

  add(host: string, rawPath: string, country: string): void {
    if (!this.served(host)) {
      this.otherHosts++;
      return;
    }
    // Counted under the path the engine and the bulk list see, so variants of one URL are one row.
    const key = `${urlKey(host, rawPath)}\t${country}`;
    this.hits.set(key, (this.hits.get(key) ?? 0) + 1);
  }

  readonly onDecision = (d: LoggedDecision): void => {
    const host = normaliseHost(d.host) || d.host;
    const url = `${d.uri.startsWith('/') ? urlKey(host, d.uri) : host + d.uri}\t${d.country}`;
    let urls = this.logged.get(d.rule);
    if (!urls) this.logged.set(d.rule, (urls = new Map()));
    urls.set(url, (urls.get(url) ?? 0) + 1);
    this.loggedDecisions++;
  };

  /** Logged requests per rule, a count per distinct URL. */
  *loggedCounts(): Generator<DecisionCount> {
    for (const [rule, urls] of this.logged) for (const hits of urls.values()) yield { rule, hits };
  }
}

/** Decides each distinct URL with the engine: the requests per rule, and the URLs that fell to a fallback, most requested first. */
function decideAll(engine: RedirectEngine, hits: ReadonlyMap<string, number>): { decided: DecisionCount[]; fallbacks: FallbackUrl[] } {
  const decided: DecisionCount[] = [];
  const bySource = new Map<string, { hits: number; top: number; rule: string; location: string | null }>();
  for (const [key, n] of hits) {
    const tab = key.lastIndexOf('\t');
    const url = key.slice(0, tab);
    const country = key.slice(tab + 1);
    const slash = url.indexOf('/');
    const d = engine.decide({ method: 'GET', scheme: 'https', host: url.slice(0, slash), path: url.slice(slash), query: '', country });
    decided.push({ rule: d.rule, hits: n });
    if (!d.rule.startsWith('fallback:')) continue;
    // One bulk source per URL: the countries it fell back for are added up.
    const f = bySource.get(url);
    if (!f) bySource.set(url, { hits: n, top: n, rule: d.rule, location: d.location });
    else {
      f.hits += n;
      if (n > f.top) Object.assign(f, { top: n, rule: d.rule, location: d.location });
    }
  }
  const fallbacks: FallbackUrl[] = [...bySource].map(([source, f]) => ({ source, hits: f.hits, rule: f.rule, location: f.location }));
  fallbacks.sort((a, b) => b.hits - a.hits || byName(a.source, b.source));
  return { decided, fallbacks };
}

/** Reads every file (all checked to exist first), decides each distinct URL, returns the fallbacks and the summaries. */
export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  checkFiles(options.files);
  const formats = await Promise.all(options.files.map(sniff));
  const config = loadConfig(options);
  const engine = new RedirectEngine(config.tables);
  const counts = new ReplayCounts(servedHosts(config));
  const limits: ReadLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const files: ReplayFileStats[] = [];
  for (let i = 0; i < options.files.length; i++) {
    const { gzip, format } = formats[i];
    const file = options.files[i];
    if (format === 'decision-log') files.push(await readDecisionLog(file, gzip, counts.onDecision, limits));
    else files.push(await (format === 'sitemap' ? readSitemap : format === 'url-list' ? readUrlList : readLog)(file, gzip, counts, limits));
  }
  const { decided, fallbacks } = decideAll(engine, counts.hits);
  const report: ReplayReport = { files, distinct: counts.hits.size, otherHosts: counts.otherHosts, fallbacks, landing: summarise(decided) };
  if (!formats.some((f) => f.format === 'decision-log')) return report;
  return {
    ...report,
    logged: {
      decisions: counts.loggedDecisions,
      landing: summarise(counts.loggedCounts()),
      rules: ruleHits(counts.loggedCounts(), configuredRuleNames(config)),
    },
  };
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

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** What the limits left out of a file, for its line of the report; '' when nothing. */
function limitsText(f: ReplayFileStats): string {
  let text = '';
  if (f.linesOverLimit)
    text += `; ${plural(f.linesOverLimit, 'line')} past the limit of ${MAX_FILE_LINES.toLocaleString('en')} lines a file skipped`;
  if (f.readBytes !== undefined) text += `; ${cutNote(f.readBytes)}`;
  return text;
}

/** What `replay` writes to stderr first: a line per file read, with its format and counts. */
export function renderFileStats(files: readonly ReplayFileStats[]): string {
  return files
    .map(
      (f) =>
        `replay: ${f.file}: ${f.format}, ${plural(f.records, 'record')}, ${f.malformed} malformed${f.firstMalformed ? ` (first: ${f.firstMalformed})` : ''}${f.notDecisions !== undefined ? `, ${plural(f.notDecisions, 'line')} not decisions` : ''}${limitsText(f)}\n`,
    )
    .join('');
}

/** What `replay` writes to stderr after the files: the fallbacks line and its top rows (unless `summaryOnly`), the landing summaries, the rule hits. */
export function renderReport(report: ReplayReport, written: number, summaryOnly: boolean): string {
  let text = '';
  const replayed = report.files.some((f) => f.format !== 'decision-log');
  if (replayed) {
    const shown = report.fallbacks.slice(0, written);
    text += `replay: ${report.distinct} distinct URLs on configured hostnames, ${report.fallbacks.length} fell to a fallback${!summaryOnly && shown.length < report.fallbacks.length ? ` (${shown.length} written)` : ''}; ${plural(report.otherHosts, 'request')} on other hostnames skipped\n`;
    if (!summaryOnly) {
      for (const f of shown.slice(0, SUMMARY_ROWS))
        text += `  ${String(f.hits).padStart(8)}  ${f.source}  (${f.rule} -> ${f.location ?? 'no redirect'})\n`;
      if (shown.length > SUMMARY_ROWS) text += `  ... and ${shown.length - SUMMARY_ROWS} more\n`;
    }
    text += renderSummary(report.landing, 'replay: where the requests land (decided by the engine with this config):');
  }
  if (report.logged) {
    text += renderSummary(
      report.logged.landing,
      `replay: where the ${plural(report.logged.decisions, 'logged request')} landed (as the function decided):`,
    );
    text += renderRuleHits(report.logged.rules, 'replay: ');
  }
  return text;
}
