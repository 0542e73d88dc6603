/**
 * Bulk redirect lists in Cloudflare's CSV format:
 *
 *   <SOURCE_URL>,<TARGET_URL>[,<STATUS_CODE>,<PRESERVE_QUERY_STRING>,<INCLUDE_SUBDOMAINS>,<SUBPATH_MATCHING>,<PRESERVE_PATH_SUFFIX>]
 *
 * No header row; quoted fields allowed (RFC 4180); status 301 (default), 302,
 * 307 or 308; booleans TRUE/true/FALSE/false or empty (false, except
 * PRESERVE_PATH_SUFFIX, which defaults to true); a source without scheme
 * matches http and https; sources carry no query string.
 */
import { BULK_MAX_SUBPATH_SLASHES, canonicalPath, pathKey, wildcardOf } from '../../lambda/engine';
import { oneOf, ProblemList, q } from './problems';
import { isHostname } from './fields';
import type { SitesConfig } from './sites';

export type RedirectStatus = 301 | 302 | 307 | 308;

/** One valid line of a bulk list. */
export interface BulkEntry {
  /** 1-based line where the record starts. */
  readonly line: number;
  /** The source as written. */
  readonly source: string;
  readonly scheme: 'http' | 'https' | 'any';
  /** Lower-case source host. */
  readonly host: string;
  /** Canonical source path (as requests are normalised), `/` for the root. */
  readonly path: string;
  /** Absolute https:// target URL. */
  readonly target: string;
  readonly status: RedirectStatus;
  readonly preserveQueryString: boolean;
  readonly includeSubdomains: boolean;
  readonly subpathMatching: boolean;
  readonly preservePathSuffix: boolean;
  /** The target is on one of this project's redirect hosts and is followed, so visitors get one hop. */
  readonly internal: boolean;
}

/** One CSV record. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
  /** Set when the record is malformed. */
  readonly error?: { readonly message: string; readonly fix: string };
}

/**
 * Splits CSV text into records (RFC 4180 quoting, LF or CRLF), skipping blank
 * lines. A quoted field must close on its own line: URLs hold no line breaks,
 * and a stray quote then costs one line, not the rest of the file.
 */
export function parseCsv(text: string): CsvRecord[] {
  return [...csvRecords(text)];
}

/** `parseCsv`, one record at a time, so a long list is never held twice. */
export function* csvRecords(text: string): Generator<CsvRecord> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    yield { line: i + 1, ...splitLine(line) };
  }
}

type CsvError = NonNullable<CsvRecord['error']>;
/** A line's fields; with `error`, those before the malformed one. */
type SplitLine = { readonly fields: string[]; readonly error?: CsvError };
/** One field read from its start: its value and where it ends (at its comma or the end of the line), or what is wrong. */
type FieldRead = { readonly field: string; readonly end: number } | { readonly error: CsvError };

/** The fields of one non-blank line. */
function splitLine(line: string): SplitLine {
  // A CR not followed by LF ended the line in no editor the list was written with; it would become %0D in a source.
  if (line.includes('\r')) return { fields: [], error: { message: 'holds a carriage return (CR) that does not end the line; lines end with LF or CRLF.', fix: 'remove the CR (URLs never hold line breaks).' } };
  if (!line.includes('"')) return { fields: line.split(',').map((f) => f.trim()) };
  return splitQuotedLine(line);
}

/** The fields of a line with a double quote somewhere, field by field. */
function splitQuotedLine(line: string): SplitLine {
  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    // At the start of a field.
    while (line[pos] === ' ') pos++;
    const read = line[pos] === '"' ? quotedField(line, pos + 1) : unquotedField(line, pos);
    if ('error' in read) return { fields, error: read.error };
    fields.push(read.field);
    pos = read.end;
    if (pos >= line.length) return { fields };
    pos++; // the comma
  }
}

/** A quoted field, from just after its opening quote: `""` stands for `"`, and only spaces may follow the closing quote. */
function quotedField(line: string, from: number): FieldRead {
  let field = '';
  let pos = from;
  for (;;) {
    const close = line.indexOf('"', pos);
    if (close < 0) return { error: { message: 'a quoted field is not closed on its line.', fix: 'add the closing double quote (URLs never span lines).' } };
    field += line.slice(pos, close);
    pos = close + 1;
    if (line[pos] !== '"') break;
    field += '"';
    pos++;
  }
  while (line[pos] === ' ') pos++;
  if (pos < line.length && line[pos] !== ',') {
    return { error: { message: `unexpected ${q(line[pos])} after a closing double quote.`, fix: 'put a comma after the quoted field, or double any quote inside it ("").' } };
  }
  return { field, end: pos };
}

/** An unquoted field, trimmed; it may hold no double quote. */
function unquotedField(line: string, from: number): FieldRead {
  const comma = line.indexOf(',', from);
  const raw = comma < 0 ? line.slice(from) : line.slice(from, comma);
  if (raw.includes('"')) return { error: { message: `a double quote inside the unquoted field ${q(raw.trim())}.`, fix: 'quote the whole field and double the quote inside it ("").' } };
  return { field: raw.trim(), end: comma < 0 ? line.length : comma };
}

const STATUSES: readonly RedirectStatus[] = [301, 302, 307, 308];

/** CloudFront's limit on the length of a request URL, in bytes (CloudFront Developer Guide, quotas: "Maximum length of a URL"). */
export const CLOUDFRONT_MAX_URL_BYTES = 8192;
/**
 * The longest SOURCE_URL or TARGET_URL, in bytes: a quarter of CloudFront's
 * URL limit, so that a `Location` built from targets (at most
 * `MAX_INTERNAL_HOPS` + 1 of them) and the request's own path and query (at
 * most `CLOUDFRONT_MAX_URL_BYTES`) stays far below Lambda@Edge's 1 MB limit
 * on a generated response.
 */
export const MAX_BULK_URL_BYTES = CLOUDFRONT_MAX_URL_BYTES / 4;
const COLUMNS = ['SOURCE_URL', 'TARGET_URL', 'STATUS_CODE', 'PRESERVE_QUERY_STRING', 'INCLUDE_SUBDOMAINS', 'SUBPATH_MATCHING', 'PRESERVE_PATH_SUFFIX'];
const FORMAT = '<SOURCE_URL>,<TARGET_URL>[,<STATUS_CODE>,<PRESERVE_QUERY_STRING>,<INCLUDE_SUBDOMAINS>,<SUBPATH_MATCHING>,<PRESERVE_PATH_SUFFIX>]';

/** Hosts the list may use, derived from the sites config. */
export interface HostRoles {
  /** Hostnames of sites that redirect (a wildcard as configured: `*.po.co`). */
  readonly redirect: ReadonlyMap<string, string>;
  /** Hostnames of frozen sites. */
  readonly frozen: ReadonlyMap<string, string>;
  readonly allowedTargets: ReadonlySet<string>;
  /** Whether a redirect site answers `host`: it is a configured hostname, or one label below a configured wildcard. */
  isRedirectHost(host: string): boolean;
}

export function hostRoles(sites: SitesConfig): HostRoles {
  const redirect = new Map<string, string>();
  const frozen = new Map<string, string>();
  for (const s of sites.sites) for (const h of s.hostnames) (s.mode === 'frozen' ? frozen : redirect).set(h, s.name);
  const isRedirectHost = (host: string): boolean => redirect.has(host) || (!frozen.has(host) && redirect.has(wildcardOf(host) ?? ''));
  return { redirect, frozen, allowedTargets: new Set(sites.allowedTargetHosts), isRedirectHost };
}

function parseBool(p: ProblemList, line: number, column: number, value: string | undefined, dflt: boolean): boolean | undefined {
  if (value === undefined || value === '') return dflt;
  if (value === 'TRUE' || value === 'true') return true;
  if (value === 'FALSE' || value === 'false') return false;
  p.atLine(line, `${COLUMNS[column]} ${q(value)} is not a boolean.`, `write TRUE, true, FALSE, false or leave it empty (${dflt ? 'true' : 'false'}).`);
  return undefined;
}

const SOURCE_URL = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/;
const TARGET_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/;

/** The parameter columns of a line; undefined where the value is invalid (a problem is reported). */
interface Parameters {
  readonly status: RedirectStatus | undefined;
  readonly preserveQueryString: boolean | undefined;
  readonly includeSubdomains: boolean | undefined;
  readonly subpathMatching: boolean | undefined;
  readonly preservePathSuffix: boolean | undefined;
}

/** A valid source: what the entry matches. */
type Source = Pick<BulkEntry, 'scheme' | 'host' | 'path'>;

/** A valid target: the URL to redirect to, and whether it is followed into this list. */
type Target = Pick<BulkEntry, 'target' | 'internal'>;

/**
 * Validates records into entries. Problems go to `p` with line numbers;
 * a line with any problem yields no entry. Without `roles` (the sites file
 * is itself invalid) only the format is checked, not hosts.
 */
export function parseRedirects(text: string, p: ProblemList, roles: HostRoles | undefined): BulkEntry[] {
  const entries: BulkEntry[] = [];
  const seen = new Map<string, number>();
  let first = true;
  for (const rec of csvRecords(text)) {
    const isFirst = first;
    first = false;
    if (!checkRecord(p, rec, isFirst)) continue;
    const entry = parseEntry(p, rec, roles);
    if (entry && isNewSource(p, entry, seen)) entries.push(entry);
  }
  return entries;
}

/** Whether a record is a line of the format: well-formed CSV, not a header row, 2 to 7 fields. Reports it when not. */
function checkRecord(p: ProblemList, rec: CsvRecord, isFirst: boolean): boolean {
  const { line, fields } = rec;
  if (rec.error) {
    p.atLine(line, rec.error.message, rec.error.fix);
    return false;
  }
  if (isFirst && /^(source|source[ _]?url)$/i.test(fields[0] ?? '')) {
    p.atLine(line, `${q(fields.join(','))} looks like a header row; the format has none.`, 'delete this line.');
    return false;
  }
  if (fields.length < 2 || fields.length > 7) {
    p.atLine(line, `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a line has 2 to 7.`, `write ${FORMAT}.`);
    return false;
  }
  return true;
}

/** The entry of a record of 2 to 7 fields; undefined when any of its fields has a problem (all are reported). */
function parseEntry(p: ProblemList, rec: CsvRecord, roles: HostRoles | undefined): BulkEntry | undefined {
  const { line, fields } = rec;
  const before = p.problems.length;
  const [source, targetRaw] = fields;
  // Parameters first: they change how source and target are checked.
  const params = parseParameters(p, line, fields);
  const src = fitsLength(p, line, 'SOURCE_URL', source) ? parseSource(p, line, source, params, roles) : undefined;
  const target = fitsLength(p, line, 'TARGET_URL', targetRaw) ? parseTarget(p, line, targetRaw, params.preserveQueryString, roles) : undefined;
  if (p.problems.length > before || !src || !target) return undefined;
  return {
    line,
    source,
    scheme: src.scheme,
    host: src.host,
    path: src.path,
    target: target.target,
    status: params.status as RedirectStatus,
    preserveQueryString: params.preserveQueryString as boolean,
    includeSubdomains: params.includeSubdomains as boolean,
    subpathMatching: params.subpathMatching as boolean,
    preservePathSuffix: params.preservePathSuffix as boolean,
    internal: target.internal,
  };
}

/** Whether a URL field is at most `MAX_BULK_URL_BYTES` long in UTF-8; reports it when not. */
function fitsLength(p: ProblemList, line: number, column: 'SOURCE_URL' | 'TARGET_URL', value: string): boolean {
  // UTF-8 bytes, counted without encoding: a million-byte field costs no copy.
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3; // a surrogate pair is 4 bytes, 2 per half
  }
  if (bytes <= MAX_BULK_URL_BYTES) return true;
  p.atLine(
    line,
    `${column} ${q(value.slice(0, 40) + '…')} is ${bytes.toLocaleString('en-US')} bytes long; at most ${MAX_BULK_URL_BYTES.toLocaleString('en-US')} are allowed, so that every redirect stays well inside CloudFront's limit of ${CLOUDFRONT_MAX_URL_BYTES.toLocaleString('en-US')} bytes on a URL.`,
    'shorten the URL.',
  );
  return false;
}

/** STATUS_CODE and the four booleans, each with its default when empty or left out. */
function parseParameters(p: ProblemList, line: number, fields: readonly string[]): Parameters {
  return {
    status: parseStatus(p, line, fields[2]),
    preserveQueryString: parseBool(p, line, 3, fields[3], false),
    includeSubdomains: parseBool(p, line, 4, fields[4], false),
    subpathMatching: parseBool(p, line, 5, fields[5], false),
    preservePathSuffix: parseBool(p, line, 6, fields[6], true),
  };
}

function parseStatus(p: ProblemList, line: number, statusRaw: string | undefined): RedirectStatus | undefined {
  if (statusRaw === undefined || statusRaw === '') return 301;
  const status = STATUSES.find((s) => String(s) === statusRaw);
  if (!status) p.atLine(line, `STATUS_CODE ${q(statusRaw)} is not a redirect status.`, 'use 301, 302, 307 or 308 (empty means 301).');
  return status;
}

/**
 * SOURCE_URL as scheme, lower-case host and canonical path; undefined when
 * it is not a source URL. Its host (against `roles`) and its depth (with
 * SUBPATH_MATCHING) are checked too.
 */
function parseSource(p: ProblemList, line: number, source: string, params: Parameters, roles: HostRoles | undefined): Source | undefined {
  const sm = matchSource(p, line, source);
  if (!sm) return undefined;
  const scheme = sm[1] ? (sm[1].toLowerCase() as 'http' | 'https') : 'any';
  const host = sm[2].toLowerCase();
  const rawPath = sm[3] || '/';
  const path = pathKey(canonicalPath(rawPath).segments);
  if (!isHostname(host)) {
    p.atLine(line, `SOURCE_URL host ${q(sm[2])} is not a hostname.`, 'write a DNS name such as po.co.');
  } else if (roles) {
    checkSourceHost(p, line, host, params.includeSubdomains, roles);
  } // else: hosts are checked once the sites file is valid.
  checkSubpathDepth(p, line, source, rawPath, params.subpathMatching);
  return { scheme, host, path };
}

/** SOURCE_URL split by `SOURCE_URL`, when it is a URL with an http(s) scheme or none, and no query, fragment, user or port. */
function matchSource(p: ProblemList, line: number, source: string): RegExpExecArray | undefined {
  const sm = SOURCE_URL.exec(source);
  if (source === '') {
    p.atLine(line, 'SOURCE_URL is empty.', 'write the old URL, such as po.co/old-page.');
  } else if (!sm) {
    p.atLine(line, `SOURCE_URL ${q(source)} is not a URL.`, 'write it like po.co/old-page or https://po.co/old-page.');
  } else if (sm[1] && !/^https?$/i.test(sm[1])) {
    p.atLine(line, `SOURCE_URL ${q(source)} has scheme ${q(sm[1])}.`, 'use http://, https:// or no scheme (matches both).');
  } else if (sm[4] !== undefined) {
    p.atLine(line, `SOURCE_URL ${q(source)} has a query string; sources match scheme, host and path only.`, `remove ${q(sm[4])}; set PRESERVE_QUERY_STRING to pass queries on.`);
  } else if (sm[5] !== undefined) {
    p.atLine(line, `SOURCE_URL ${q(source)} has a fragment, which browsers never send.`, `remove ${q(sm[5])}.`);
  } else if (/[@:]/.test(sm[2])) {
    p.atLine(line, `SOURCE_URL ${q(source)} has user information or a port.`, 'give only the hostname, such as po.co.');
  } else {
    return sm;
  }
  return undefined;
}

/** A source host must be a redirect site's (with INCLUDE_SUBDOMAINS: at or above one), never a frozen site's. */
function checkSourceHost(p: ProblemList, line: number, host: string, includeSubdomains: boolean | undefined, roles: HostRoles): void {
  if (!includeSubdomains && roles.frozen.has(host)) {
    p.atLine(line, `SOURCE_URL host ${q(host)} belongs to the frozen site ${q(roles.frozen.get(host))}, which is never redirected.`, 'remove this line, or move the host to a redirect site in config/sites.json.');
  } else if (!includeSubdomains && !roles.isRedirectHost(host)) {
    p.atLine(line, `SOURCE_URL host ${q(host)} is not a hostname of any redirect site.`, `use one of ${oneOf([...roles.redirect.keys()])}, or add the host to a site in config/sites.json.`);
  } else if (includeSubdomains && ![...roles.redirect.keys()].some((h) => h === host || h.endsWith('.' + host))) {
    p.atLine(line, `SOURCE_URL host ${q(host)} has no redirect site hostname at or below it.`, `use a domain of ${oneOf([...roles.redirect.keys()])}.`);
  }
}

/** With SUBPATH_MATCHING, a source path holds at most `BULK_MAX_SUBPATH_SLASHES` slashes. */
function checkSubpathDepth(p: ProblemList, line: number, source: string, rawPath: string, subpathMatching: boolean | undefined): void {
  const slashes = rawPath.split('/').length - 1;
  if (subpathMatching && slashes > BULK_MAX_SUBPATH_SLASHES) {
    p.atLine(line, `SOURCE_URL ${q(source)} has ${slashes} "/" in its path; with SUBPATH_MATCHING at most ${BULK_MAX_SUBPATH_SLASHES} are allowed.`, 'shorten the source path, or set SUBPATH_MATCHING to FALSE.');
  }
}

/**
 * TARGET_URL as an absolute https:// URL with a lower-case host; undefined
 * when it is not one, or (with `roles`) its host is neither on the allow-list
 * nor one of this project's redirect hosts.
 */
function parseTarget(p: ProblemList, line: number, targetRaw: string, preserveQueryString: boolean | undefined, roles: HostRoles | undefined): Target | undefined {
  const tm = matchTarget(p, line, targetRaw);
  if (!tm) return undefined;
  const th = tm[2].toLowerCase();
  const internal = !!roles && !roles.allowedTargets.has(th) && roles.isRedirectHost(th);
  if (roles && !roles.allowedTargets.has(th) && !internal) {
    p.atLine(line, `TARGET_URL host ${q(th)} is not on the allow-list.`, `point it at ${oneOf([...roles.allowedTargets])}, or add the host to allowedTargetHosts in config/sites.json.`);
    return undefined;
  }
  if (preserveQueryString && tm[4] !== undefined) {
    p.atLine(line, `TARGET_URL ${q(targetRaw)} has a query string while PRESERVE_QUERY_STRING is true.`, 'remove the query string from the target, or set PRESERVE_QUERY_STRING to FALSE.');
    return undefined;
  }
  return { target: `https://${th}${tm[3] || '/'}${tm[4] ?? ''}${tm[5] ?? ''}`, internal };
}

/** TARGET_URL split by `TARGET_URL`, when it is an https:// URL without user or port, of characters URLs allow. */
function matchTarget(p: ProblemList, line: number, targetRaw: string): RegExpExecArray | undefined {
  const tm = TARGET_URL.exec(targetRaw);
  if (targetRaw === '') {
    p.atLine(line, 'TARGET_URL is empty.', 'write the new URL, such as https://www.mi.com/global/.');
  } else if (!tm) {
    p.atLine(line, `TARGET_URL ${q(targetRaw)} is not an absolute URL.`, 'write it with https:// and a host, such as https://www.mi.com/global/.');
  } else if (tm[1].toLowerCase() !== 'https') {
    p.atLine(line, `TARGET_URL ${q(targetRaw)} does not use https://; every redirect must lead to HTTPS.`, `write ${q('https://' + targetRaw.slice(tm[1].length + 3))}.`);
  } else if (/[@:]/.test(tm[2])) {
    p.atLine(line, `TARGET_URL ${q(targetRaw)} has user information or a port.`, 'give only the hostname, such as www.mi.com.');
  } else if (/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/.test(targetRaw)) {
    p.atLine(line, `TARGET_URL ${q(targetRaw)} has a character URLs do not allow (a space, a control or non-ASCII character, or one of "<>\\^\`{|}).`, 'percent-encode it (a space is %20).');
  } else if (/%(?![0-9A-Fa-f]{2})/.test(targetRaw)) {
    p.atLine(line, `TARGET_URL ${q(targetRaw)} has a "%" that does not start a percent-escape (% and two hex digits).`, 'write a literal % as %25.');
  } else {
    return tm;
  }
  return undefined;
}

/** Whether no earlier line has the same source (scheme, host and canonical path); reports the entry when one has. */
function isNewSource(p: ProblemList, entry: BulkEntry, seen: Map<string, number>): boolean {
  const sourceKey = `${entry.scheme === 'any' ? '' : entry.scheme + '://'}${entry.host}${entry.path}`;
  const dup = seen.get(sourceKey);
  if (dup !== undefined) {
    p.atLine(entry.line, `SOURCE_URL ${q(entry.source)} is the same source as line ${dup} (${sourceKey}).`, `keep one of lines ${dup} and ${entry.line}.`);
    return false;
  }
  seen.set(sourceKey, entry.line);
  return true;
}
