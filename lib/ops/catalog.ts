/**
 * `catalog FILE...`: builds the store catalogue (config/catalog.json): per
 * store, the product slugs that have a page there.
 *
 * Reads Xiaomi store sitemaps (`<loc>` elements) and plain URL lists (one
 * URL a line, blank lines and `#` comments skipped), gzip or plain, and keeps
 * the URLs shaped `https://<host>/<region>/product/<slug>/...` whose store
 * (`https://<host>/<region>/`) is one a region of the sites config uses.
 * Everything else is counted by reason and skipped.
 *
 * Reading is bounded: a line or `<loc>` over 64 KiB is skipped without
 * being held in memory, and `<loc>`s are found by a linear scan.
 */
import * as fs from 'fs';
import * as path from 'path';
import { StringDecoder } from 'string_decoder';
import { createGunzip } from 'zlib';
import { PROJECT_ROOT } from '../config/load';
import { OpsError, UsageError } from '../config/problems';
import { ByteLimit, cutNote, MAX_INPUT_BYTES } from './input-limit';

/** The longest line or `<loc>` read, in bytes (lines) or characters (`<loc>`s). */
export const MAX_RECORD = 64 * 1024;

/** The `$comment` of config/catalog.json. */
export const CATALOG_COMMENT =
  "Store catalogue: per store, the product slugs with a page there. Built by `npm run ops -- catalog FILE...`; see docs/contract.md, 'The store catalogue'.";

/** Skip reasons that do not depend on the config. */
export const SKIP = {
  notUrl: 'not an absolute http(s) URL',
  notProduct: 'not a /<region>/product/<slug>/ page',
  badSlug: 'the slug is not made of a-z 0-9 . _ ~ - and percent escapes',
  lineTooLong: 'line too long (over 64 KiB)',
  locTooLong: '<loc> too long (over 64 KiB)',
  badEntity: 'a bad XML entity or character reference',
  unclosedLoc: 'a <loc> the file ends in',
} as const;

/** One URL as read, with where it was read (`file:line`). */
export interface UrlRecord {
  readonly text: string;
  readonly where: string;
  /** Set when the reader already knows the record is unusable (too long, bad entity): the skip reason. */
  readonly problem?: string;
}

/** A product page: its store and the slug. */
export interface ProductPage {
  /** `https://<host>/<region>/`, host in lower case. */
  readonly store: string;
  /** Lower case, unreserved escapes decoded, other escapes with upper-case hex (as the engine's canonical paths). */
  readonly slug: string;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const SLUG = /^(?:[a-z0-9._~-]|%[0-9A-F]{2})+$/;

/**
 * A slug in the engine's canonical form: escapes of unreserved characters
 * decoded, other escapes with upper-case hex, letters in lower case.
 * Returns undefined for anything that is not a valid slug.
 */
export function canonicalSlug(raw: string): string | undefined {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      const decoded = String.fromCharCode(parseInt(hex, 16));
      out += UNRESERVED.test(decoded) ? decoded.toLowerCase() : '%' + hex.toUpperCase();
      i += 2;
    } else {
      out += ch.toLowerCase();
    }
  }
  return SLUG.test(out) && out !== '.' && out !== '..' ? out : undefined;
}

/**
 * Where a URL belongs: its store and slug when it is a product page
 * (`http(s)://<host>/<region>/product/<slug>[/...]`, query and fragment
 * ignored), else the reason it is skipped. Does not check the store.
 */
export function classifyUrl(text: string): ProductPage | { readonly skip: string } {
  const m = /^https?:\/\/([A-Za-z0-9.-]+(?::\d{1,5})?)(\/[^?#\s]*)?(?:[?#][^\s]*)?$/i.exec(text);
  if (!m || m[1].startsWith('.') || m[1].startsWith('-')) return { skip: SKIP.notUrl };
  const segments = (m[2] ?? '/').split('/');
  // ['', region, 'product', slug, ...]
  if (segments.length < 4 || segments[1] === '' || segments[2].toLowerCase() !== 'product' || segments[3] === '')
    return { skip: SKIP.notProduct };
  const slug = canonicalSlug(segments[3]);
  if (slug === undefined) return { skip: SKIP.badSlug };
  return { store: `https://${m[1].toLowerCase()}/${segments[1]}/`, slug };
}

/** A skip reason's count and its first example. */
export interface SkipCount {
  readonly reason: string;
  readonly count: number;
  /** `where: text` of the first record skipped for it. */
  readonly first: string;
}

/** What `buildCatalog` gives. */
export interface CatalogResult {
  /** Store URL to sorted, unique slugs; stores sorted; stores without a slug left out. */
  readonly stores: Readonly<Record<string, readonly string[]>>;
  /** Records read. */
  readonly read: number;
  /** Records that gave a store and slug (duplicates included). */
  readonly used: number;
  /** Most frequent first, then by reason. */
  readonly skipped: readonly SkipCount[];
}

/** How an example is shown: the text, cut at 200 characters. */
function example(r: UrlRecord): string {
  return `${r.where}: ${r.text.length > 200 ? r.text.slice(0, 200) + '...' : r.text}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Accumulates records into a catalogue, one at a time (so files can be streamed and counted apart). */
export class CatalogBuilder {
  private readonly known: ReadonlySet<string>;
  private readonly slugs = new Map<string, Set<string>>();
  private readonly skips = new Map<string, { count: number; first: string }>();
  private read = 0;
  private used = 0;

  /**
   * @param stores the store URLs of the config; pages of other stores are skipped.
   * @param storesFrom how the config is named in skip reasons.
   */
  constructor(
    stores: readonly string[],
    private readonly storesFrom = 'the sites config',
  ) {
    this.known = new Set(stores);
  }

  /** Adds one record; true when it gave a store and slug. */
  add(record: UrlRecord): boolean {
    this.read++;
    let reason = record.problem;
    if (reason === undefined) {
      const page = classifyUrl(record.text);
      if ('skip' in page) reason = page.skip;
      else if (!this.known.has(page.store)) reason = `store ${page.store} is not a store of ${this.storesFrom}`;
      else {
        let set = this.slugs.get(page.store);
        if (!set) this.slugs.set(page.store, (set = new Set()));
        set.add(page.slug);
        this.used++;
        return true;
      }
    }
    const s = this.skips.get(reason);
    if (s) s.count++;
    else this.skips.set(reason, { count: 1, first: example(record) });
    return false;
  }

  /** The catalogue so far, sorted. */
  result(): CatalogResult {
    const stores: Record<string, readonly string[]> = {};
    for (const store of [...this.slugs.keys()].sort(compare)) stores[store] = [...this.slugs.get(store)!].sort(compare);
    const skipped = [...this.skips]
      .map(([reason, s]) => ({ reason, count: s.count, first: s.first }))
      .sort((a, b) => b.count - a.count || compare(a.reason, b.reason));
    return { stores, read: this.read, used: this.used, skipped };
  }
}

/**
 * Builds the catalogue from URLs: per store of `stores`, the slugs of its
 * product pages. Pure; `storesFrom` names the config in skip reasons.
 */
export function buildCatalog(urls: Iterable<UrlRecord>, stores: readonly string[], storesFrom?: string): CatalogResult {
  const builder = new CatalogBuilder(stores, storesFrom);
  for (const u of urls) builder.add(u);
  return builder.result();
}

/** config/catalog.json's text: 2-space indented, one slug a line, trailing newline. */
export function catalogJson(stores: Readonly<Record<string, readonly string[]>>): string {
  return JSON.stringify({ $comment: CATALOG_COMMENT, stores }, null, 2) + '\n';
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * Decodes the five XML entities and numeric character references in one
 * pass; undefined when an `&` starts anything else (a bad or unknown entity,
 * a reference to a character XML does not allow).
 */
export function decodeXmlText(s: string): string | undefined {
  let out = '';
  let from = 0;
  for (let amp = s.indexOf('&'); amp >= 0; amp = s.indexOf('&', from)) {
    out += s.slice(from, amp);
    const semi = s.indexOf(';', amp);
    // No entity is longer than "&#x10FFFF;" once leading zeros are counted out; 40 is generous.
    if (semi < 0 || semi - amp > 40) return undefined;
    const name = s.slice(amp + 1, semi);
    if (name[0] === '#') {
      const hex = name[1] === 'x';
      const digits = name.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) return undefined;
      const code = parseInt(digits, hex ? 16 : 10);
      if (!xmlChar(code)) return undefined;
      out += String.fromCodePoint(code);
    } else {
      const ch = XML_ENTITIES[name];
      if (ch === undefined) return undefined;
      out += ch;
    }
    from = semi + 1;
  }
  return out + s.slice(from);
}

/** What was read from one file. */
export interface FileStats {
  readonly file: string;
  readonly format: 'sitemap' | 'url list';
  readonly gzip: boolean;
  /** Lines (URL lists: blank and comment lines not counted) or `<loc>`s (sitemaps) read. */
  readonly records: number;
  /** Set when a gzip file ends in the middle: what was there was read. */
  readonly cutShort?: string;
  /** Set when the file is larger than `MAX_INPUT_BYTES` decompressed: the bytes read; the rest was not. */
  readonly readBytes?: number;
}

/** Splits bytes into lines; a line over `MAX_RECORD` bytes is reported as null without being kept. */
class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private tooLong = false;
  private head = '';
  line: number;

  constructor(
    firstLine: number,
    private readonly emit: (line: string | null, lineNo: number, head: string) => void,
  ) {
    this.line = firstLine - 1;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      if (this.length === 0 && !this.tooLong) {
        // Blank lines (LF or CRLF), counted in a tight loop: a flood of them costs little.
        for (;;) {
          if (chunk[start] === 10) start++;
          else if (chunk[start] === 13 && chunk[start + 1] === 10) start += 2;
          else break;
          this.line++;
        }
      }
      const nl = chunk.indexOf(10, start);
      this.append(chunk.subarray(start, nl < 0 ? chunk.length : nl));
      if (nl < 0) return;
      this.finish();
      start = nl + 1;
    }
  }

  end(): void {
    if (this.length > 0 || this.tooLong) this.finish();
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.tooLong) return;
    // One byte over for a CR before the newline.
    if (this.length + piece.length > MAX_RECORD + 1) {
      this.tooLong = true;
      this.head = Buffer.concat([...this.parts, piece])
        .subarray(0, 100)
        .toString('utf8');
      this.parts = [];
      return;
    }
    this.parts.push(piece);
    this.length += piece.length;
  }

  private finish(): void {
    this.line++;
    let text: string | null = null;
    if (!this.tooLong) {
      let buf = Buffer.concat(this.parts, this.length);
      if (buf.length > 0 && buf[buf.length - 1] === 13) buf = buf.subarray(0, buf.length - 1);
      if (buf.length > MAX_RECORD) this.head = buf.subarray(0, 100).toString('utf8');
      else text = buf.toString('utf8');
    }
    this.emit(text, this.line, this.head);
    this.parts = [];
    this.length = 0;
    this.tooLong = false;
    this.head = '';
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

const OPEN = '<loc>';
const CLOSE = '</loc>';

/**
 * Finds `<loc>...</loc>` in text fed in pieces, in linear time: every
 * character is searched once for the tag it may start, and text outside a
 * `<loc>` is dropped as soon as it is scanned. A `<loc>` over `MAX_RECORD`
 * characters is reported as null without being kept.
 */
class LocScanner {
  private buf = '';
  private inside = false;
  private tooLong = false;
  /** Where in `buf` the search for the next tag resumes. */
  private searchFrom = 0;
  /** Line of `buf[0]`. */
  private line: number;
  private locLine = 0;
  private head = '';

  constructor(
    firstLine: number,
    private readonly emit: (loc: string | null, lineNo: number, head: string, unclosed?: boolean) => void,
  ) {
    this.line = firstLine;
  }

  /** At the end of the text: a `<loc>` still open is reported as such. */
  end(): void {
    if (this.inside) this.emit(null, this.locLine, this.tooLong ? this.head : this.buf.slice(0, 100).trim(), true);
    this.inside = false;
    this.buf = '';
  }

  /** Drops `buf` before `to`, counting its lines. */
  private drop(to: number): void {
    this.line += countNewlines(this.buf, 0, to);
    this.buf = this.buf.slice(to);
    this.searchFrom = Math.max(0, this.searchFrom - to);
  }

  push(text: string): void {
    this.buf += text;
    for (;;) {
      if (!this.inside) {
        const i = this.buf.indexOf(OPEN, this.searchFrom);
        if (i < 0) {
          // Keep what may be the start of a tag split between pieces.
          this.drop(Math.max(0, this.buf.length - (OPEN.length - 1)));
          this.searchFrom = 0;
          return;
        }
        this.drop(i + OPEN.length);
        this.inside = true;
        this.locLine = this.line;
        this.searchFrom = 0;
        continue;
      }
      const j = this.buf.indexOf(CLOSE, this.searchFrom);
      if (j < 0) {
        if (!this.tooLong && this.buf.length > MAX_RECORD + CLOSE.length) {
          this.tooLong = true;
          this.head = this.buf.slice(0, 100).trim();
        }
        if (this.tooLong) this.drop(Math.max(0, this.buf.length - (CLOSE.length - 1)));
        this.searchFrom = Math.max(0, this.buf.length - (CLOSE.length - 1));
        return;
      }
      let loc: string | null = null;
      if (!this.tooLong && j <= MAX_RECORD) loc = this.buf.slice(0, j);
      else if (!this.tooLong) this.head = this.buf.slice(0, 100).trim();
      this.emit(loc, this.locLine, this.head);
      this.drop(j + CLOSE.length);
      this.inside = false;
      this.tooLong = false;
      this.head = '';
      this.searchFrom = 0;
    }
  }
}

/** The text of a `<loc>`: whitespace trimmed, a CDATA section unwrapped, entities decoded (undefined when one is bad). */
function locText(raw: string): string | undefined {
  const t = raw.trim();
  if (t.startsWith('<![CDATA[') && t.endsWith(']]>')) return t.slice(9, -3).trim();
  const decoded = decodeXmlText(t);
  return decoded === undefined ? undefined : decoded.trim();
}

/** Whether a byte is XML/line whitespace (or part of a UTF-8 byte order mark). */
function blank(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Takes a file's bytes a chunk at a time and hands out its URLs. */
interface UrlReader {
  feed(chunk: Buffer): void;
  /** After the last chunk. */
  finish(): void;
}

/** A sitemap's `<loc>`s, from line `firstLine` on. */
function sitemapReader(file: string, firstLine: number, onRecord: (record: UrlRecord) => void): UrlReader {
  const decoder = new StringDecoder('utf8');
  const scanner = new LocScanner(firstLine, (loc, line, head, unclosed) => {
    const where = `${file}:${line}`;
    if (unclosed) return onRecord({ text: head + '...', where, problem: SKIP.unclosedLoc });
    if (loc === null) return onRecord({ text: head + '...', where, problem: SKIP.locTooLong });
    const text = locText(loc);
    if (text === undefined) onRecord({ text: loc.trim(), where, problem: SKIP.badEntity });
    else onRecord({ text, where });
  });
  return {
    feed: (c) => scanner.push(decoder.write(c)),
    finish: () => {
      scanner.push(decoder.end());
      scanner.end();
    },
  };
}

/** A URL list's lines, from line `firstLine` on; blank lines and `#` comments skipped. */
function urlListReader(file: string, firstLine: number, onRecord: (record: UrlRecord) => void): UrlReader {
  const splitter = new LineSplitter(firstLine, (line, lineNo, head) => {
    const where = `${file}:${lineNo}`;
    if (line === null) return onRecord({ text: head + '...', where, problem: SKIP.lineTooLong });
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    onRecord({ text, where });
  });
  return { feed: (c) => splitter.push(c), finish: () => splitter.end() };
}

/**
 * A reader that finds the format from the first byte that is not blank (a
 * UTF-8 byte order mark skipped): `<` starts a sitemap, anything else a URL
 * list; then hands every byte from that line on to the reader for it.
 */
function sniffingReader(file: string, onRecord: (record: UrlRecord) => void): UrlReader & { readonly format?: FileStats['format'] } {
  /** Lines seen before the format was known (only blank ones). */
  let lines = 1;
  let bom = true;
  let inner: UrlReader | undefined;
  let format: FileStats['format'] | undefined;
  const start = (chunk: Buffer): void => {
    let i = 0;
    if (bom) {
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
      bom = false;
    }
    let lineStart = i;
    for (; i < chunk.length && blank(chunk[i]); i++) {
      if (chunk[i] === 0x0a) {
        lines++;
        lineStart = i + 1;
      }
    }
    if (i === chunk.length) return;
    format = chunk[i] === 0x3c /* < */ ? 'sitemap' : 'url list';
    inner = (format === 'sitemap' ? sitemapReader : urlListReader)(file, lines, onRecord);
    inner.feed(chunk.subarray(lineStart));
  };
  return {
    get format() {
      return format;
    },
    feed: (chunk) => (inner ? inner.feed(chunk) : start(chunk)),
    finish: () => inner?.finish(),
  };
}

/** Whether a file starts with gzip's magic bytes, 1f 8b. */
function isGzip(file: string): boolean {
  const magic = Buffer.alloc(2);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, magic, 0, 2, 0);
  } finally {
    fs.closeSync(fd);
  }
  return n === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
}

/**
 * Reads one sitemap or URL list (gzip or plain, sniffed from the first
 * bytes: 1f 8b is gzip; text starting with `<` is a sitemap) and hands each
 * URL to `onRecord`, with `file:line` as where. A gzip file cut short is
 * read as far as it goes.
 */
export async function readUrlFile(
  file: string,
  onRecord: (record: UrlRecord) => void,
  name: string = file,
  maxBytes: number = MAX_INPUT_BYTES,
): Promise<FileStats> {
  const gzip = isGzip(file);
  const raw = fs.createReadStream(file);
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) stream.on('close', () => raw.destroy());
  let records = 0;
  const reader = sniffingReader(name, (record) => {
    records++;
    onRecord(record);
  });
  let cutShort: string | undefined;
  const limit = new ByteLimit(maxBytes);
  try {
    for await (const piece of stream) {
      // At the limit: what is before it is read (a line or <loc> cut there is reported as unfinished), the rest not.
      reader.feed(limit.within(piece as Buffer));
      if (limit.cut) break;
    }
  } catch (err) {
    if (!gzip) throw err;
    cutShort = (err as Error).message;
  } finally {
    stream.destroy();
  }
  // A URL list's line cut at the size limit is not read (its URL would be cut too); a sitemap's cut <loc> is reported unfinished.
  if (!(limit.cut && reader.format === 'url list')) reader.finish();
  return { file: name, format: reader.format ?? 'url list', gzip, records, cutShort, ...(limit.cut ? { readBytes: limit.bytes } : {}) };
}

/** How a file is named in messages: relative to the project root when inside it, else as given. */
function shortName(file: string): string {
  const rel = path.relative(PROJECT_ROOT, path.resolve(file));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

/**
 * The store URLs of a sites file: the `store` of each entry of its
 * `regions`, read minimally (no other validation). Throws `UsageError` when
 * the file cannot be read, is not JSON or names no store.
 */
export function storesOfSites(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--sites ${file} ${code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? String(err)})`}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--sites ${file} is not JSON (${(err as Error).message})`);
  }
  const regions = (json as { regions?: unknown } | null)?.regions;
  const stores = new Set<string>();
  if (regions && typeof regions === 'object') {
    for (const r of Object.values(regions as Record<string, unknown>)) {
      const store = (r as { store?: unknown } | null)?.store;
      if (typeof store === 'string') stores.add(store);
    }
  }
  if (stores.size === 0) throw new UsageError(`--sites ${file} has no region with a "store"`);
  return [...stores].sort(compare);
}

/** Checks every input file before anything is read: it exists, is a file, can be opened. */
export function checkInputFiles(files: readonly string[]): void {
  if (files.length === 0) throw new UsageError('give at least one sitemap or URL list');
  for (const f of files) {
    const stat = fs.statSync(f, { throwIfNoEntry: false });
    if (!stat) throw new UsageError(`${f} does not exist`);
    if (!stat.isFile()) throw new UsageError(`${f} is not a file`);
    try {
      fs.closeSync(fs.openSync(f, 'r'));
    } catch (err) {
      throw new UsageError(`${f} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

export interface BuiltCatalog {
  /** The catalogue file's text. */
  readonly json: string;
  /** `N stores and M slugs`, for the message. */
  readonly counts: string;
}

/**
 * Builds the catalogue from sitemaps and URL lists, keeping the product pages
 * of the stores of `sitesFile`. Tells `log` what each file held and what was
 * skipped, by reason; throws `OpsError` when no URL was kept. `names`: how
 * the files are named in messages (as the user gave them), by default as read.
 */
export async function catalogFromFiles(
  files: readonly string[],
  sitesFile: string,
  log: (line: string) => void,
  names: readonly string[] = files,
): Promise<BuiltCatalog> {
  const builder = new CatalogBuilder(storesOfSites(sitesFile), shortName(sitesFile));
  for (const [i, file] of files.entries()) {
    let used = 0;
    const stats = await readUrlFile(
      file,
      (r) => {
        if (builder.add(r)) used++;
      },
      names[i] ?? file,
    );
    const what = stats.format === 'sitemap' ? plural(stats.records, '<loc>') : plural(stats.records, 'line');
    log(
      `catalog: ${stats.file}: ${stats.format}${stats.gzip ? ' (gzip)' : ''}, ${what}, ${used} used${stats.cutShort ? `; the file ends in the middle (${stats.cutShort}), read as far as it goes` : ''}${stats.readBytes !== undefined ? `; ${cutNote(stats.readBytes)}` : ''}`,
    );
  }
  const result = builder.result();
  const skippedTotal = result.skipped.reduce((n, s) => n + s.count, 0);
  if (skippedTotal > 0) {
    log(`catalog: ${skippedTotal} skipped:`);
    const width = String(result.skipped[0].count).length;
    for (const s of result.skipped) log(`  ${String(s.count).padStart(width)}  ${s.reason} (first: ${s.first})`);
  }
  const storeCount = Object.keys(result.stores).length;
  const slugCount = Object.values(result.stores).reduce((n, s) => n + s.length, 0);
  if (slugCount === 0) throw new OpsError(`no URL is a product page of a store of ${shortName(sitesFile)}; nothing was written`);
  return { json: catalogJson(result.stores), counts: `${plural(storeCount, 'store')} and ${plural(slugCount, 'slug')}` };
}
