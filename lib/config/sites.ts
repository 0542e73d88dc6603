/**
 * config/sites.json: sites, hostnames, regions and their stores, the
 * country map, the allow-list of redirect targets and response headers.
 * Validated field by field; every problem is collected before failing.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CompiledHeaders, SiteMode } from '../../lambda/engine';
import { checkHostname, isObject, NAME, namedEntries, parseJsonObject, unknownKeys } from './fields';
import { PROJECT_ROOT } from './paths';
import { oneOf, ProblemList, q } from './problems';

export interface RegionConfig {
  /** Region name, also the path segment that selects it on region-path sites. */
  readonly name: string;
  /** `store`: default rules redirect into `url`; `frozen`: paths pass through to `url` unchanged. */
  readonly kind: 'store' | 'frozen';
  /** Absolute `https://` URL ending in `/`: the store, or the frozen site. */
  readonly url: string;
  /** Where the region's home page goes (`:landing` in rules): `landing`, or the store when none is given. */
  readonly landing: string;
}

export interface SiteConfig {
  /** Site name, from the key in `sites`. */
  readonly name: string;
  readonly mode: SiteMode;
  /** Region of a `region-host` site. */
  readonly region?: string;
  /** Lower-case DNS names the site answers on; `*.po.co` (a wildcard first label) answers every name one label below po.co that no site names. */
  readonly hostnames: readonly string[];
  /**
   * Of a `frozen` site: the folder holding its snapshot, relative to the
   * folder of the sites file; deployed to the site's bucket when it exists.
   */
  readonly content?: string;
}

export interface SitesConfig {
  readonly file: string;
  readonly allowedTargetHosts: readonly string[];
  readonly regions: readonly RegionConfig[];
  readonly defaultRegion: string;
  /** ISO 3166 alpha-2 code → region name. */
  readonly countries: ReadonlyMap<string, string>;
  readonly sites: readonly SiteConfig[];
  readonly headers: CompiledHeaders;
}

/** Response headers used when `responseHeaders` leaves a value out. */
export const DEFAULT_HEADERS: CompiledHeaders = {
  permanent: 'public, max-age=86400',
  temporary: 'public, max-age=300',
  perVisitor: 'private, no-store',
  hsts: 'max-age=63072000',
};

/** One year: the least HSTS max-age accepted. */
export const MIN_HSTS_SECONDS = 31536000;

const SITE_MODES: readonly SiteMode[] = ['region-path', 'region-host', 'frozen'];
/** Checks an `https://host/path/` URL of a region. */
function checkRegionUrl(p: ProblemList, field: string, url: unknown, allowed: readonly string[]): url is string {
  if (typeof url !== 'string') {
    p.atField(field, `must be a URL string, found ${q(url)}.`, 'write an absolute https:// URL ending in "/", such as "https://www.mi.com/uk/".');
    return false;
  }
  const m = /^https:\/\/([^/?#@:]+)(\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*)$/.exec(url);
  if (!m || !url.endsWith('/')) {
    p.atField(field, `${q(url)} is not an absolute https:// URL with a path ending in "/" and no query or fragment.`, 'write it like "https://www.mi.com/uk/".');
    return false;
  }
  if (!allowed.includes(m[1])) {
    p.atField(field, `host ${q(m[1])} is not in allowedTargetHosts.`, `add ${q(m[1])} to allowedTargetHosts, or use one of ${oneOf(allowed)}.`);
    return false;
  }
  return true;
}

function checkHeaders(p: ProblemList, raw: unknown): CompiledHeaders {
  if (raw === undefined) return DEFAULT_HEADERS;
  if (!isObject(raw)) {
    p.atField('responseHeaders', `must be an object, found ${q(raw)}.`, 'remove it to use the defaults, or give {"cacheControl": {...}, "strictTransportSecurity": "..."}.');
    return DEFAULT_HEADERS;
  }
  unknownKeys(p, 'responseHeaders', raw, ['cacheControl', 'strictTransportSecurity']);
  const cacheControl = checkCacheControl(p, raw.cacheControl);
  const hsts = checkHsts(p, raw.strictTransportSecurity);
  return { ...DEFAULT_HEADERS, ...cacheControl, ...(hsts !== undefined ? { hsts } : {}) };
}

type CacheControlKey = 'permanent' | 'temporary' | 'perVisitor';
const CACHE_CONTROL_KEYS: readonly CacheControlKey[] = ['permanent', 'temporary', 'perVisitor'];

/** `responseHeaders.cacheControl`: the valid values it gives. */
function checkCacheControl(p: ProblemList, cc: unknown): Partial<Record<CacheControlKey, string>> {
  if (cc === undefined) return {};
  if (!isObject(cc)) {
    p.atField('responseHeaders.cacheControl', `must be an object, found ${q(cc)}.`, 'give {"permanent": "...", "temporary": "...", "perVisitor": "..."} or remove it.');
    return {};
  }
  unknownKeys(p, 'responseHeaders.cacheControl', cc, CACHE_CONTROL_KEYS);
  const out: Partial<Record<CacheControlKey, string>> = {};
  for (const key of CACHE_CONTROL_KEYS) {
    if (cc[key] === undefined) continue;
    const v = checkCacheControlValue(p, key, cc[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** One Cache-Control value: printable ASCII; the per-visitor one must keep shared caches out. */
function checkCacheControlValue(p: ProblemList, key: CacheControlKey, v: unknown): string | undefined {
  const field = `responseHeaders.cacheControl.${key}`;
  if (typeof v !== 'string' || !/^[\x20-\x7e]+$/.test(v)) {
    p.atField(field, `must be a non-empty header value of printable ASCII, found ${q(v)}.`, `write a Cache-Control value such as ${q(DEFAULT_HEADERS[key])}.`);
  } else if (key === 'perVisitor') {
    return checkPerVisitor(p, field, v);
  } else {
    return v;
  }
  return undefined;
}

/** A Cache-Control token (RFC 9110 `tchar`s); a directive's argument is a token or a quoted string. */
const DIRECTIVE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:=([!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[^"\\]|\\.)*"))?$/;

/** The elements of a comma-separated header value; a comma inside a quoted string does not separate. */
function splitList(v: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    if (quoted && v[i] === '\\') i++;
    else if (v[i] === '"') quoted = !quoted;
    else if (!quoted && v[i] === ',') {
      parts.push(v.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(v.slice(start));
  return parts;
}

/**
 * The per-visitor Cache-Control value, parsed into directives: one must be a
 * bare `private` or `no-store` (a `private="Set-Cookie"` still lets shared
 * caches store the rest), and none `public`.
 */
function checkPerVisitor(p: ProblemList, field: string, v: string): string | undefined {
  const names: string[] = [];
  for (const part of splitList(v)) {
    const d = part.trim();
    if (d === '') continue;
    const m = DIRECTIVE.exec(d);
    if (!m) {
      p.atField(field, `${q(v)} is not a list of Cache-Control directives: ${q(d)} is not one.`, 'write directives separated by commas, such as "private, no-store".');
      return undefined;
    }
    names.push(m[2] === undefined ? m[1].toLowerCase() : `${m[1].toLowerCase()}=`);
  }
  const keeps = names.filter((n) => n === 'private' || n === 'no-store');
  if (names.includes('public') && keeps.length > 0) {
    p.atField(field, `${q(v)} has "public" as well as ${q(keeps[0])}: a cache that takes "public" would store a redirect that differs per visitor.`, 'remove "public".');
  } else if (keeps.length === 0 && names.includes('private=')) {
    p.atField(field, `${q(v)} names header fields after "private", which lets shared caches store the rest of a redirect that differs per visitor.`, 'write "private" alone, such as "private, no-store".');
  } else if (keeps.length === 0) {
    p.atField(field, `${q(v)} lets browsers or shared caches store a redirect that differs per visitor.`, 'include "private" or "no-store", such as "private, no-store".');
  } else {
    return v;
  }
  return undefined;
}

/** `responseHeaders.strictTransportSecurity`: the value when given and valid (a max-age of a year or more). */
function checkHsts(p: ProblemList, hsts: unknown): string | undefined {
  if (hsts === undefined) return undefined;
  const m = typeof hsts === 'string' ? /^max-age=(\d+)(;\s*includeSubDomains)?(;\s*preload)?$/.exec(hsts) : null;
  if (!m) {
    p.atField('responseHeaders.strictTransportSecurity', `${q(hsts)} is not a Strict-Transport-Security value.`, 'write it like "max-age=63072000" (optionally followed by "; includeSubDomains").');
  } else if (Number(m[1]) < MIN_HSTS_SECONDS) {
    p.atField('responseHeaders.strictTransportSecurity', `max-age ${m[1]} is shorter than a year.`, `use max-age=${MIN_HSTS_SECONDS} or more.`);
  } else {
    return hsts as string;
  }
  return undefined;
}

/**
 * Parses and validates the text of config/sites.json. A frozen site's
 * `content` folder is checked on disk, relative to `dir`: by default the
 * folder of `p.file`, which names the sites file relative to the project
 * root, or absolutely.
 * Problems go to `p`; the result is only meaningful when `p.ok`.
 */
export function parseSites(text: string, p: ProblemList, dir: string = path.dirname(path.resolve(PROJECT_ROOT, p.file))): SitesConfig | undefined {
  const raw = parseJsonObject(p, text, 'the default config/sites.json');
  if (!raw) return undefined;
  unknownKeys(p, '', raw, ['allowedTargetHosts', 'regions', 'defaultRegion', 'countries', 'sites', 'responseHeaders']);
  const allowed = checkAllowedTargets(p, raw.allowedTargetHosts);
  const regions = checkRegions(p, raw.regions, allowed);
  // References are checked against every declared region, valid or not, so one bad region is reported once.
  const regionNames = declaredRegions(raw.regions);
  checkDefaultRegion(p, raw.defaultRegion, regionNames);
  const countries = checkCountries(p, raw.countries, regionNames);
  const sites = checkSites(p, raw.sites, regionNames, dir);
  const headers = checkHeaders(p, raw.responseHeaders);
  if (!p.ok) return undefined;
  return { file: p.file, allowedTargetHosts: allowed, regions, defaultRegion: raw.defaultRegion as string, countries, sites, headers };
}

/** `allowedTargetHosts`: the valid hostnames of a non-empty list. */
function checkAllowedTargets(p: ProblemList, raw: unknown): string[] {
  const allowed: string[] = [];
  if (!Array.isArray(raw) || raw.length === 0) {
    p.atField('allowedTargetHosts', `must be a non-empty list of hostnames, found ${q(raw)}.`, 'list the hosts redirects may lead to, such as ["www.mi.com"].');
  } else {
    raw.forEach((h, i) => {
      if (checkHostname(p, `allowedTargetHosts[${i}]`, h, 'www.mi.com')) allowed.push(h);
    });
  }
  return allowed;
}

/** `regions`: the valid regions, in file order. */
function checkRegions(p: ProblemList, raw: unknown, allowed: readonly string[]): RegionConfig[] {
  const regions: RegionConfig[] = [];
  const regionExample = '{"global": {"store": "https://www.mi.com/global/"}, ...}';
  for (const [name, r] of namedEntries(p, 'regions', raw, 'region', regionExample, '{"store": "https://www.mi.com/<region>/"} or {"frozen": "https://<host>/"}')) {
    const region = checkRegion(p, name, r, allowed);
    if (region) regions.push(region);
  }
  return regions;
}

/** One region: exactly one of `store` and `frozen`, a URL on the allow-list, and for a store an optional `landing`. */
function checkRegion(p: ProblemList, name: string, r: Record<string, unknown>, allowed: readonly string[]): RegionConfig | undefined {
  const field = `regions.${name}`;
  unknownKeys(p, field, r, ['store', 'frozen', 'landing']);
  const kinds = (['store', 'frozen'] as const).filter((k) => r[k] !== undefined);
  if (kinds.length !== 1) {
    p.atField(field, kinds.length === 0 ? 'has neither "store" nor "frozen".' : 'has both "store" and "frozen".', 'give exactly one: "store" for a Xiaomi store, "frozen" for a site served unchanged.');
    return undefined;
  }
  const kind = kinds[0];
  if (kind === 'frozen' && r.landing !== undefined) {
    p.atField(`${field}.landing`, `a frozen region has no landing of its own (found ${q(r.landing)}).`, 'remove "landing": paths of a frozen region pass through to its site unchanged.');
    return undefined;
  }
  const urlOk = checkRegionUrl(p, `${field}.${kind}`, r[kind], allowed);
  const landingOk = r.landing === undefined || checkRegionUrl(p, `${field}.landing`, r.landing, allowed);
  if (!urlOk || !landingOk) return undefined;
  return { name, kind, url: r[kind] as string, landing: (r.landing ?? r[kind]) as string };
}

/** The names of every region declared, valid or not (but with a valid name). */
function declaredRegions(raw: unknown): string[] {
  return isObject(raw) ? Object.keys(raw).filter((n) => NAME.test(n)) : [];
}

function isKnownRegion(regionNames: readonly string[], v: unknown): v is string {
  return typeof v === 'string' && regionNames.includes(v);
}

function checkDefaultRegion(p: ProblemList, raw: unknown, regionNames: readonly string[]): void {
  if (!isKnownRegion(regionNames, raw)) {
    p.atField('defaultRegion', `${q(raw)} is not a region defined in regions.`, `use one of ${oneOf(regionNames)}.`);
  }
}

/** `countries`: the valid country code → region pairs; none when absent. */
function checkCountries(p: ProblemList, raw: unknown, regionNames: readonly string[]): Map<string, string> {
  const countries = new Map<string, string>();
  if (raw !== undefined && !isObject(raw)) {
    p.atField('countries', `must be an object of country code → region, found ${q(raw)}.`, 'give {"GB": "uk", ...}.');
  } else if (raw) {
    for (const [cc, region] of Object.entries(raw)) {
      if (!/^[A-Z]{2}$/.test(cc)) {
        p.atField(`countries.${cc}`, `${q(cc)} is not an upper-case ISO 3166-1 alpha-2 country code.`, /^[a-z]{2}$/i.test(cc) ? `write it as ${q(cc.toUpperCase())}.` : 'use a two-letter code such as "GB".');
      } else if (!isKnownRegion(regionNames, region)) {
        p.atField(`countries.${cc}`, `${q(region)} is not a region defined in regions.`, `use one of ${oneOf(regionNames)}.`);
      } else {
        countries.set(cc, region);
      }
    }
  }
  return countries;
}

/** `sites`: the valid sites, in file order; a hostname belongs to the first site that names it. */
function checkSites(p: ProblemList, raw: unknown, regionNames: readonly string[], dir: string): SiteConfig[] {
  const sites: SiteConfig[] = [];
  const hostOwner = new Map<string, string>();
  const siteExample = '{"global": {"mode": "region-path", "hostnames": ["po.co"]}, ...}';
  for (const [name, s] of namedEntries(p, 'sites', raw, 'site', siteExample, '{"mode": "...", "hostnames": [...]}')) {
    const site = checkSite(p, name, s, regionNames, hostOwner, dir);
    if (site) sites.push(site);
  }
  return sites;
}

/** One site: every field is checked, whatever the others hold. */
function checkSite(p: ProblemList, name: string, s: Record<string, unknown>, regionNames: readonly string[], hostOwner: Map<string, string>, dir: string): SiteConfig | undefined {
  const field = `sites.${name}`;
  unknownKeys(p, field, s, ['mode', 'region', 'hostnames', 'content']);
  const mode = s.mode as SiteMode;
  const modeOk = checkSiteMode(p, field, s.mode);
  // A mistyped mode says only that: which fields the site takes depends on the mode it meant.
  const regionOk = modeOk ? checkSiteRegion(p, field, s, regionNames) : true;
  const hostnames = checkSiteHostnames(p, field, name, s.hostnames, hostOwner);
  const contentOk = checkContent(p, field, s, dir);
  if (!modeOk || !regionOk || !hostnames || !contentOk) return undefined;
  return {
    name,
    mode,
    hostnames,
    ...(mode === 'region-host' ? { region: s.region as string } : {}),
    ...(typeof s.content === 'string' ? { content: s.content } : {}),
  };
}

function checkSiteMode(p: ProblemList, field: string, mode: unknown): boolean {
  if (SITE_MODES.includes(mode as SiteMode)) return true;
  p.atField(`${field}.mode`, `${q(mode)} is not a site mode.`, `use ${oneOf(SITE_MODES.map((m) => `"${m}"`))}.`);
  return false;
}

/** A `region-host` site names a declared region; no other site names one. */
function checkSiteRegion(p: ProblemList, field: string, s: Record<string, unknown>, regionNames: readonly string[]): boolean {
  if (s.mode === 'region-host' && !isKnownRegion(regionNames, s.region)) {
    p.atField(`${field}.region`, `${q(s.region)} is not a region defined in regions.`, `use one of ${oneOf(regionNames)}.`);
    return false;
  }
  if (s.mode !== 'region-host' && s.region !== undefined) {
    p.atField(`${field}.region`, `a ${q(s.mode)} site takes no region (found ${q(s.region)}).`, 'remove "region", or set "mode": "region-host".');
    return false;
  }
  return true;
}

/** A site's hostnames, when all are valid and none is another site's; each valid one is claimed for `site` in `hostOwner`. */
function checkSiteHostnames(p: ProblemList, field: string, site: string, raw: unknown, hostOwner: Map<string, string>): string[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    p.atField(`${field}.hostnames`, `must be a non-empty list of hostnames, found ${q(raw)}.`, 'list the DNS names the site answers on, such as ["uk.po.co"].');
    return undefined;
  }
  const hostnames: string[] = [];
  let ok = true;
  raw.forEach((h, i) => {
    const hf = `${field}.hostnames[${i}]`;
    if (!checkHostname(p, hf, h, 'uk.po.co', true)) {
      ok = false;
    } else if (hostOwner.has(h)) {
      p.atField(hf, `${q(h)} is already a hostname of site ${q(hostOwner.get(h))}.`, 'give each hostname to one site only.');
      ok = false;
    } else {
      hostOwner.set(h, site);
      hostnames.push(h);
    }
  });
  return ok ? hostnames : undefined;
}

/** `content`: only a frozen site has one, a relative folder path without "..", which `checkContentPath` checks on disk. */
function checkContent(p: ProblemList, field: string, s: Record<string, unknown>, dir: string): boolean {
  const c = s.content;
  if (c === undefined) return true;
  if (s.mode !== 'frozen') {
    p.atField(`${field}.content`, `a ${q(s.mode)} site has no content of its own (found ${q(c)}).`, 'remove "content"; only a "frozen" site serves a snapshot.');
    return false;
  }
  if (typeof c !== 'string' || c === '' || /^([a-zA-Z]:)?[\\/]/.test(c) || c.split(/[\\/]/).includes('..')) {
    p.atField(`${field}.content`, `${q(c)} is not a folder path relative to the sites file's folder.`, 'write a relative path without "..", such as "frozen/in", so the config means the same on every checkout.');
    return false;
  }
  return checkContentPath(p, `${field}.content`, c, dir);
}

/** The longest a file or folder name may be, in bytes (ext4, APFS and NTFS all stop at 255). */
export const MAX_NAME_BYTES = 255;
/** The longest `content` path accepted, in bytes: far more than a snapshot folder needs, far less than a file system's limit. */
export const MAX_CONTENT_PATH_BYTES = 1024;

/**
 * A frozen site's `content` path as a path: no NUL, no name longer than a
 * file system allows, not too long in all; and on disk, when it exists, a
 * folder (reached without a loop of links) whose symbolic links all stay
 * inside it, since the snapshot is deployed with them followed. A missing
 * folder is fine: the bucket is then filled by hand.
 */
function checkContentPath(p: ProblemList, field: string, c: string, dir: string): boolean {
  const fix = 'point it at the folder that holds the snapshot, such as "frozen/in".';
  if (c.includes('\0')) {
    p.atField(field, `${q(c)} has a NUL character, which no path can hold.`, fix);
    return false;
  }
  const long = c.split(/[\\/]/).find((name) => Buffer.byteLength(name) > MAX_NAME_BYTES);
  if (long !== undefined) {
    p.atField(field, `${q(c)} has a name of ${Buffer.byteLength(long)} bytes; file systems allow at most ${MAX_NAME_BYTES}.`, 'shorten that folder name.');
    return false;
  }
  if (Buffer.byteLength(c) > MAX_CONTENT_PATH_BYTES) {
    p.atField(field, `${q(c)} is ${Buffer.byteLength(c)} bytes long; a content path may be at most ${MAX_CONTENT_PATH_BYTES}.`, fix);
    return false;
  }
  const abs = path.resolve(dir, c);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(abs, { throwIfNoEntry: false });
  } catch (err) {
    p.atField(field, statProblem(c, dir, (err as NodeJS.ErrnoException).code), fix);
    return false;
  }
  if (stat === undefined) return true;
  if (!stat.isDirectory()) {
    p.atField(field, `${q(c)} is a file, not a folder.`, fix);
    return false;
  }
  return checkSnapshotLinks(p, field, c, dir);
}

/** What is wrong with a `content` path (relative to `dir`) that the file system refused with `code`. */
function statProblem(c: string, dir: string, code: string | undefined): string {
  if (code === 'ENOTDIR') {
    const file = fileOnTheWay(c, dir);
    return `${q(c)} goes through a file${file ? ` (${q(file)})` : ''} as if it were a folder.`;
  }
  if (code === 'ELOOP') return `${q(c)} goes through symbolic links that lead round in a loop.`;
  if (code === 'ENAMETOOLONG') return `${q(c)} leads to a path too long for the file system.`;
  return `${q(c)} cannot be read (${code ?? 'unknown error'}).`;
}

/** The first leading part of `c` (as written) that exists and is not a folder. */
function fileOnTheWay(c: string, dir: string): string | undefined {
  const names = c.split(/[\\/]/);
  for (let i = 1; i < names.length; i++) {
    const prefix = names.slice(0, i).join('/');
    try {
      const st = fs.statSync(path.resolve(dir, prefix), { throwIfNoEntry: false });
      if (st && !st.isDirectory()) return prefix;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Each symbolic link in the snapshot folder must lead to a file or folder
 * inside it: the deployment copies what a link outside leads to, so a link
 * to `../../..` would publish the checkout. Links are not followed while walking.
 */
function checkSnapshotLinks(p: ProblemList, field: string, c: string, dir: string): boolean {
  let root: string;
  try {
    root = fs.realpathSync(path.resolve(dir, c));
  } catch (err) {
    p.atField(field, statProblem(c, dir, (err as NodeJS.ErrnoException).code), 'point it at the folder that holds the snapshot, such as "frozen/in".');
    return false;
  }
  let ok = true;
  const folders = [''];
  for (let rel = folders.pop(); rel !== undefined; rel = folders.pop()) {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch (err) {
      p.atField(field, `the snapshot's folder ${q(rel || '.')} cannot be read (${(err as NodeJS.ErrnoException).code}).`, 'make it readable, or remove it from the snapshot.');
      ok = false;
      continue;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) folders.push(name);
      else if (entry.isSymbolicLink() && !linkStaysInside(root, path.join(root, name))) {
        const target = fs.readlinkSync(path.join(root, name));
        p.atField(field, `the snapshot's link ${q(name)} leads outside ${q(c)} (to ${q(target)}); deploying would publish what it leads to.`, 'replace the link with a copy of what it should show, or remove it.');
        ok = false;
      }
    }
  }
  return ok;
}

/** Whether the link at `link` (inside `root`, a real path) leads to a path inside `root`; a link that leads nowhere is judged by its text. */
function linkStaysInside(root: string, link: string): boolean {
  let target: string;
  try {
    target = fs.realpathSync(link);
  } catch {
    target = path.resolve(path.dirname(link), fs.readlinkSync(link));
  }
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
