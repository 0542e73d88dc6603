/**
 * Which countries a region-less path really splits: the data of the
 * country-key function's key value store (lambda/viewer/country-key.ts).
 *
 * On a region-path site a path that names no region is answered by the
 * viewer's country, so the country key goes into the cache key. For most such
 * paths only some countries get an answer of their own: `po.co/product/poco-f6`
 * goes to the Indonesian and Philippine stores for visitors from there, and to
 * the global store for everyone else. Keying every country apart makes one
 * cache entry, and one run of the redirect function, per country for one
 * answer. This module asks the engine itself, at synth, for each such path
 * likely to be requested: which country keys get an answer different from the
 * one with no country. The viewer-request function then keys those apart and
 * sends every other country as `-`, the answer with no country, which the
 * engine gives them anyway. A path that is not in the store keeps every
 * country apart, as before: more cache keys, never a wrong answer.
 *
 * The paths: on each exact hostname of a region-path site, every slug any
 * store lists, in every form the rules file's region-less sources give it
 * (the literal segments before a product placeholder, e.g. `/product/`, and
 * those after it, e.g. `/specs`), with and without a trailing slash. They
 * come from the rules and the catalogue, so a new rule shape or product is
 * covered at the next synth. No AWS, CDK or esbuild; only `readKeyValueStoreAsset`
 * reads a file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BulkIndex, CompiledRule, CompiledTables, Decision, RedirectEngine } from '../../lambda/engine';

/**
 * CloudFront KeyValueStore limits (Developer Guide, "File format for key-value
 * pairs": 5 MB a file, keys of 512 and values of 1,024 characters), counted
 * here in UTF-8 bytes, which are never fewer than characters.
 */
export const KEY_VALUE_STORE_LIMITS = { fileBytes: 5 * 1024 * 1024, keyBytes: 512, valueBytes: 1024 } as const;

/** The value of a path no country key gets an answer of its own for. */
export const NO_SPLIT = '-';

/** Raised when the data would not fit CloudFront's key value store. */
export class CountrySplitsTooLargeError extends Error {
  constructor(what: string) {
    super(
      `The country-key function's key value store would not fit CloudFront's limits: ${what}. ` +
        'Fix: shorten the hostnames or slugs in config/sites.json and config/catalog.json, or list fewer products.',
    );
    this.name = 'CountrySplitsTooLargeError';
  }
}

/** Whether two decisions give a visitor the same response: everything CloudFront caches (not the rule's name, which only the log line shows). */
export function sameResponse(a: Decision, b: Decision): boolean {
  if (a.action !== b.action || a.status !== b.status || a.location !== b.location) return false;
  if ((a.action === 'redirect' && a.keepsQuery) !== (b.action === 'redirect' && b.keepsQuery)) return false;
  if (('body' in a ? a.body : undefined) !== ('body' in b ? b.body : undefined)) return false;
  const names = Object.keys(a.headers);
  return names.length === Object.keys(b.headers).length && names.every((n) => a.headers[n] === b.headers[n]);
}

/** Whether a segment takes a product slug: a product placeholder, or a glob one (`:slug(poco-*)`). */
function takesSlug(segment: CompiledRule['segments'][number]): boolean {
  return 'type' in segment && (segment.type === 'product' || (segment.type === 'any' && segment.globs !== undefined));
}

/** The literal segments before and after each region-less rule's first slug placeholder: `/product/:product/specs` gives `product` and `specs`. */
function shapesOf(rules: readonly CompiledRule[]): { prefixes: string[]; suffixes: string[] } {
  const prefixes = new Set<string>();
  const suffixes = new Set<string>(['']);
  for (const rule of rules) {
    if (rule.host !== undefined) continue;
    const at = rule.segments.findIndex(takesSlug);
    if (at < 0) continue;
    const before = rule.segments.slice(0, at);
    const after = rule.segments.slice(at + 1);
    if (!before.every((s) => 'literal' in s) || !after.every((s) => 'literal' in s)) continue;
    prefixes.add(before.map((s) => '/' + (s as { literal: string }).literal).join(''));
    suffixes.add(after.map((s) => '/' + (s as { literal: string }).literal).join(''));
  }
  return { prefixes: [...prefixes].sort(), suffixes: [...suffixes].sort() };
}

/** The region-less paths of every slug any store lists, in each shape of the rules file, with and without a trailing slash. */
export function candidatePaths(tables: Pick<CompiledTables, 'rules' | 'regions'>): string[] {
  const { prefixes, suffixes } = shapesOf(tables.rules);
  const slugs = [...new Set(tables.regions.flatMap((r) => r.products))].sort();
  const paths: string[] = [];
  for (const prefix of prefixes)
    for (const slug of slugs)
      for (const suffix of suffixes) {
        const p = `${prefix}/${slug}${suffix}`;
        paths.push(p, p + '/');
      }
  return paths;
}

/**
 * The key value store's entries, sorted by key: `host + path` → the country
 * keys (space-separated, sorted) whose answer differs from the answer with no
 * country, or `-` when none does. A path is listed only where at least one
 * country key gets the answer with no country; where every key gets its own,
 * the function's default (every country apart) is already the fewest keys.
 *
 * `keys` is the country-key map the function is built with (`countryKeys`):
 * each distinct value is one country key, decided as the redirect function
 * decides it, with that country. `bulk`: the bulk list already packed (the
 * bundle's), so a long list is not packed again.
 */
export function countrySplits(tables: CompiledTables, keys: Readonly<Record<string, string>>, bulk?: BulkIndex): Map<string, string> {
  const engine = new RedirectEngine(tables, bulk);
  const countryKeys = [...new Set(Object.values(keys))].sort();
  const hostnames = tables.hosts
    .filter(([h, si]) => tables.sites[si].mode === 'region-path' && !h.startsWith('*.'))
    .map(([h]) => h)
    .sort();
  const paths = candidatePaths(tables);
  const entries = new Map<string, string>();
  for (const host of hostnames)
    for (const uri of paths) {
      const decide = (country: string | undefined): Decision =>
        engine.decide({ method: 'GET', scheme: 'https', host, path: uri, query: '', country });
      const none = decide(undefined);
      const apart = countryKeys.filter((k) => !sameResponse(decide(k), none));
      if (apart.length < countryKeys.length) entries.set(host + uri, apart.length > 0 ? apart.join(' ') : NO_SPLIT);
    }
  return entries;
}

/** The entries as the file CloudFront imports (`{"data":[{"key","value"}]}`), checked against its limits. */
export function keyValueStoreFile(entries: ReadonlyMap<string, string>): string {
  const data = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value }));
  for (const { key, value } of data) {
    if (Buffer.byteLength(key) > KEY_VALUE_STORE_LIMITS.keyBytes)
      throw new CountrySplitsTooLargeError(
        `the key ${JSON.stringify(key.slice(0, 80) + '…')} is over ${KEY_VALUE_STORE_LIMITS.keyBytes} bytes`,
      );
    if (Buffer.byteLength(value) > KEY_VALUE_STORE_LIMITS.valueBytes)
      throw new CountrySplitsTooLargeError(`the value of ${JSON.stringify(key)} is over ${KEY_VALUE_STORE_LIMITS.valueBytes} bytes`);
  }
  const file = JSON.stringify({ data });
  const bytes = Buffer.byteLength(file);
  if (bytes > KEY_VALUE_STORE_LIMITS.fileBytes)
    throw new CountrySplitsTooLargeError(`the file is ${bytes} bytes, over ${KEY_VALUE_STORE_LIMITS.fileBytes}`);
  return file;
}

/** The entries of a key value store file (`keyValueStoreFile`'s format, which CloudFront imports). */
export function parseKeyValueStoreFile(text: string, where: string): Map<string, string> {
  const data = (JSON.parse(text) as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new Error(`${where}: not a key value store file (no "data" list)`);
  return new Map(data.map((e: { key: string; value: string }) => [e.key, e.value]));
}

/**
 * The data a synthesized `AWS::CloudFront::KeyValueStore` imports: its
 * `ImportSource` names an asset of the cloud assembly (`<hash>.json` in the
 * assets bucket), staged in `assemblyDir` as `asset.<hash>.json`.
 */
export function readKeyValueStoreAsset(assemblyDir: string, sourceArn: string): Map<string, string> {
  const m = /\/([0-9a-f]{64}\.json)$/.exec(sourceArn);
  if (!m) throw new Error(`key value store: the import source ${sourceArn} is not an asset of the cloud assembly`);
  const file = path.join(assemblyDir, `asset.${m[1]}`);
  if (!fs.existsSync(file)) throw new Error(`key value store: ${file}, the data of ${sourceArn}, is not in the cloud assembly`);
  return parseKeyValueStoreFile(fs.readFileSync(file, 'utf8'), file);
}
