/**
 * Field checks shared by the JSON config files (config/sites.json,
 * config/stages.json): each reports a problem with the field's path, the bad
 * value and a fix, and never throws.
 */
import { isIP } from 'net';
import { jsonErrorOffset, scanJson } from './json-position';
import { oneOf, ProblemList, q } from './problems';

/** The deepest nesting a config file may have; config needs a few levels, and deeper values overflow the stack of code that walks them. */
export const MAX_JSON_DEPTH = 1000;

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** A name used as a key in config (regions, sites, stages): also safe in construct ids. */
export const NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Whether `host` is a lower-case DNS name with at least two labels. */
export function isHostname(host: string): boolean {
  return HOSTNAME.test(host);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Levenshtein distance, for did-you-mean. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** Reports keys of `obj` that are not in `known`, suggesting the nearest known one. */
export function unknownKeys(p: ProblemList, path: string, obj: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key) || key.startsWith('$')) continue;
    const near = known.map((k) => [k, editDistance(k.toLowerCase(), key.toLowerCase())] as const).sort((x, y) => x[1] - y[1])[0];
    const fix = near && near[1] <= 3 ? `rename it to "${near[0]}".` : `remove it; known keys here are ${oneOf(known)}.`;
    p.atField(path ? `${path}.${key}` : key, `unknown key ${q(key)}.`, fix);
  }
}

/**
 * The valid entries of an object keyed by name (`regions`, `sites`): the
 * container must be a non-empty object, each name lower-case, each value an object.
 */
export function namedEntries(p: ProblemList, key: string, raw: unknown, kind: string, example: string, entryExample: string): [string, Record<string, unknown>][] {
  if (!isObject(raw) || Object.keys(raw).length === 0) {
    p.atField(key, `must be an object of ${kind}s, found ${q(raw)}.`, `give ${example}.`);
    return [];
  }
  const out: [string, Record<string, unknown>][] = [];
  for (const [name, value] of Object.entries(raw)) {
    const field = `${key}.${name}`;
    if (!NAME.test(name)) {
      p.atField(field, `${kind} name ${q(name)} must be lower-case letters, digits and hyphens, starting with a letter.`, `rename it, such as ${q(name.toLowerCase().replace(/[^a-z0-9-]/g, '-'))}.`);
    } else if (!isObject(value)) {
      p.atField(field, `must be an object, found ${q(value)}.`, `give ${entryExample}.`);
    } else {
      out.push([name, value]);
    }
  }
  return out;
}

/** Whether `host` is `*.` followed by a hostname of at least two labels (`*.po.co`): a wildcard first label. */
export function isWildcardHostname(host: string): boolean {
  return host.startsWith('*.') && isHostname(host.slice(2));
}

/**
 * Reports `value` at `field` unless it is a lower-case hostname (or, with
 * `wildcard`, a wildcard such as `*.po.co`); returns whether it is one.
 */
export function checkHostname(p: ProblemList, field: string, value: unknown, example: string, wildcard = false): value is string {
  if (typeof value === 'string' && isIpAddress(value)) {
    p.atField(field, `${q(value)} is an IP address, not a hostname.`, `CloudFront and its certificates need a DNS name: write one such as "${example}".`);
    return false;
  }
  if (typeof value === 'string' && (isHostname(value) || (wildcard && isWildcardHostname(value)))) return true;
  const lower = typeof value === 'string' && (isHostname(value.toLowerCase()) || (wildcard && isWildcardHostname(value.toLowerCase())));
  const wild = wildcard && typeof value === 'string' && value.includes('*') && !lower;
  p.atField(
    field,
    `${q(value)} is not a lower-case hostname${wildcard ? ' or wildcard' : ''}.`,
    lower ? `write it in lower case: ${q((value as string).toLowerCase())}.` : wild ? 'a wildcard stands alone as the first label, such as "*.po.co".' : `write a DNS name such as "${example}".`,
  );
  return false;
}

/**
 * Whether `host` is an IP address: IPv4 or IPv6 (bracketed or not), or
 * digits and dots only, which resolvers also read as IPv4 (`127.1`).
 */
export function isIpAddress(host: string): boolean {
  return isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0 || /^\d+(\.\d+)+\.?$/.test(host);
}

/** 1-based line and column of `offset` in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { line, column: before.length - before.lastIndexOf('\n') };
}

export function jsonSyntaxProblem(p: ProblemList, text: string): void {
  const offset = jsonErrorOffset(text);
  const { line, column } = lineColumn(text, offset);
  const found = offset >= text.length ? 'end of file' : q(text.slice(offset, offset + 12).split('\n')[0] || '\n');
  p.atLine(line, `is not valid JSON: unexpected ${found} at column ${column}.`, 'correct the JSON there (a missing or extra comma, quote or bracket is usual).');
}

/**
 * Parses a config file's text as a JSON object (a byte-order mark is allowed).
 * A syntax error, nesting deeper than `MAX_JSON_DEPTH` and each key given
 * twice in one object are reported at their line; anything but an object at
 * `(file)`. After duplicate keys the object (with the last of each) is still
 * returned, so its other problems are reported in the same run.
 */
export function parseJsonObject(p: ProblemList, text: string, example: string): Record<string, unknown> | undefined {
  const body = text.replace(/^\uFEFF/, '');
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    jsonSyntaxProblem(p, body);
    return undefined;
  }
  const scan = scanJson(body, MAX_JSON_DEPTH);
  if (scan.tooDeep >= 0) {
    const { line, column } = lineColumn(body, scan.tooDeep);
    p.atLine(line, `is nested more than ${MAX_JSON_DEPTH} levels deep, at column ${column}.`, 'remove the extra brackets there; a config file needs a few levels only.');
    return undefined;
  }
  for (const d of scan.duplicates) {
    const where = d.path ? `in ${d.path}` : 'at the top level';
    p.atLine(lineColumn(body, d.offset).line, `key ${q(d.key)} is given twice ${where} (first on line ${lineColumn(body, d.first).line}); JSON would keep only the last one.`, 'remove one of the two, or merge them.');
  }
  if (!isObject(raw)) {
    p.atField('(file)', `must hold a JSON object, found ${q(raw)}.`, `start from ${example}.`);
    return undefined;
  }
  return raw;
}
