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
  let i = 0;
  while (i < lines.length) {
    const start = i + 1;
    const line = lines[i++];
    if (line.trim() === '') continue;
    if (!line.includes('"')) {
      yield { line: start, fields: line.split(',').map((f) => f.trim()) };
      continue;
    }
    const fields: string[] = [];
    let field = '';
    let pos = 0;
    let error: CsvRecord['error'];
    for (;;) {
      // At the start of a field.
      while (line[pos] === ' ') pos++;
      if (line[pos] === '"') {
        pos++;
        for (;;) {
          const close = line.indexOf('"', pos);
          if (close < 0) {
            error = { message: 'a quoted field is not closed on its line.', fix: 'add the closing double quote (URLs never span lines).' };
            break;
          }
          field += line.slice(pos, close);
          pos = close + 1;
          if (line[pos] === '"') {
            field += '"';
            pos++;
            continue;
          }
          break;
        }
        if (error) break;
        while (line[pos] === ' ') pos++;
        if (pos < line.length && line[pos] !== ',') {
          error = { message: `unexpected ${q(line[pos])} after a closing double quote.`, fix: 'put a comma after the quoted field, or double any quote inside it ("").' };
          break;
        }
      } else {
        const comma = line.indexOf(',', pos);
        const raw = comma < 0 ? line.slice(pos) : line.slice(pos, comma);
        if (raw.includes('"')) {
          error = { message: `a double quote inside the unquoted field ${q(raw.trim())}.`, fix: 'quote the whole field and double the quote inside it ("").' };
          break;
        }
        field = raw.trim();
        pos = comma < 0 ? line.length : comma;
      }
      fields.push(field);
      field = '';
      if (pos >= line.length) break;
      pos++; // the comma
    }
    yield error ? { line: start, fields, error } : { line: start, fields };
  }
}

const STATUSES: readonly RedirectStatus[] = [301, 302, 307, 308];
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
    const { line, fields } = rec;
    const before = p.problems.length;
    if (rec.error) {
      p.atLine(line, rec.error.message, rec.error.fix);
      continue;
    }
    if (isFirst && /^(source|source[ _]?url)$/i.test(fields[0] ?? '')) {
      p.atLine(line, `${q(fields.join(','))} looks like a header row; the format has none.`, 'delete this line.');
      continue;
    }
    if (fields.length < 2 || fields.length > 7) {
      p.atLine(line, `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a line has 2 to 7.`, `write ${FORMAT}.`);
      continue;
    }
    const [source, targetRaw, statusRaw] = fields;

    // Parameters first: they change how source and target are checked.
    let status: RedirectStatus | undefined = 301;
    if (statusRaw !== undefined && statusRaw !== '') {
      status = STATUSES.find((s) => String(s) === statusRaw);
      if (!status) p.atLine(line, `STATUS_CODE ${q(statusRaw)} is not a redirect status.`, 'use 301, 302, 307 or 308 (empty means 301).');
    }
    const preserveQueryString = parseBool(p, line, 3, fields[3], false);
    const includeSubdomains = parseBool(p, line, 4, fields[4], false);
    const subpathMatching = parseBool(p, line, 5, fields[5], false);
    const preservePathSuffix = parseBool(p, line, 6, fields[6], true);

    // Source.
    let scheme: BulkEntry['scheme'] = 'any';
    let host = '';
    let path = '/';
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
      scheme = sm[1] ? (sm[1].toLowerCase() as 'http' | 'https') : 'any';
      host = sm[2].toLowerCase();
      const rawPath = sm[3] || '/';
      path = pathKey(canonicalPath(rawPath).segments);
      const slashes = rawPath.split('/').length - 1;
      if (!isHostname(host)) {
        p.atLine(line, `SOURCE_URL host ${q(sm[2])} is not a hostname.`, 'write a DNS name such as po.co.');
      } else if (!roles) {
        // Hosts are checked once the sites file is valid.
      } else if (!includeSubdomains && roles.frozen.has(host)) {
        p.atLine(line, `SOURCE_URL host ${q(host)} belongs to the frozen site ${q(roles.frozen.get(host))}, which is never redirected.`, 'remove this line, or move the host to a redirect site in config/sites.json.');
      } else if (!includeSubdomains && !roles.isRedirectHost(host)) {
        p.atLine(line, `SOURCE_URL host ${q(host)} is not a hostname of any redirect site.`, `use one of ${oneOf([...roles.redirect.keys()])}, or add the host to a site in config/sites.json.`);
      } else if (includeSubdomains && ![...roles.redirect.keys()].some((h) => h === host || h.endsWith('.' + host))) {
        p.atLine(line, `SOURCE_URL host ${q(host)} has no redirect site hostname at or below it.`, `use a domain of ${oneOf([...roles.redirect.keys()])}.`);
      }
      if (subpathMatching && slashes > BULK_MAX_SUBPATH_SLASHES) {
        p.atLine(line, `SOURCE_URL ${q(source)} has ${slashes} "/" in its path; with SUBPATH_MATCHING at most ${BULK_MAX_SUBPATH_SLASHES} are allowed.`, 'shorten the source path, or set SUBPATH_MATCHING to FALSE.');
      }
    }

    // Target.
    let target = '';
    let internal = false;
    const tm = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(targetRaw);
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
    } else {
      const th = tm[2].toLowerCase();
      internal = !!roles && !roles.allowedTargets.has(th) && roles.isRedirectHost(th);
      if (roles && !roles.allowedTargets.has(th) && !internal) {
        p.atLine(line, `TARGET_URL host ${q(th)} is not on the allow-list.`, `point it at ${oneOf([...roles.allowedTargets])}, or add the host to allowedTargetHosts in config/sites.json.`);
      } else if (preserveQueryString && tm[4] !== undefined) {
        p.atLine(line, `TARGET_URL ${q(targetRaw)} has a query string while PRESERVE_QUERY_STRING is true.`, 'remove the query string from the target, or set PRESERVE_QUERY_STRING to FALSE.');
      } else {
        target = `https://${th}${tm[3] || '/'}${tm[4] ?? ''}${tm[5] ?? ''}`;
      }
    }

    if (p.problems.length > before) continue;
    const sourceKey = `${scheme === 'any' ? '' : scheme + '://'}${host}${path}`;
    const dup = seen.get(sourceKey);
    if (dup !== undefined) {
      p.atLine(line, `SOURCE_URL ${q(source)} is the same source as line ${dup} (${sourceKey}).`, `keep one of lines ${dup} and ${line}.`);
      continue;
    }
    seen.set(sourceKey, line);
    entries.push({
      line,
      source,
      scheme,
      host,
      path,
      target,
      status: status as RedirectStatus,
      preserveQueryString: preserveQueryString as boolean,
      includeSubdomains: includeSubdomains as boolean,
      subpathMatching: subpathMatching as boolean,
      preservePathSuffix: preservePathSuffix as boolean,
      internal,
    });
  }
  return entries;
}
