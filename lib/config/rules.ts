/**
 * config/rules.txt: where each page shape goes, one rule a line, first match
 * wins (close to Netlify's `_redirects`; docs/contract.md, "The rules file"):
 *
 *   SOURCE  TARGET  [STATUS]  [Country=GB,FR] [Query=keep|drop] [Name=label]
 *
 * Parsed and checked line by line (every problem collected, each with its
 * line, the bad value and the fix), then as a whole: a rule that an earlier
 * rule always shadows, or that can never match, is an error. The result is
 * the engine's `CompiledRule` list.
 */
import {
  canonicalSegment,
  CompiledRule,
  CompiledSegment,
  CompiledTargetPart,
  locationChecker,
  lowerSegment,
  OF_ANY_REGION,
  OF_REQUEST_REGION,
} from '../../lambda/engine';
import { oneOf, ProblemList, q } from './problems';
import type { RegionConfig, SitesConfig } from './sites';

/** What a rules file is checked against. */
export interface RulesContext {
  readonly sites: SitesConfig;
  /** The regions in the order of the compiled tables (their indexes are the compiled region references). */
  readonly regions: readonly RegionConfig[];
  /** Product slugs per region name (from the store catalogue). */
  readonly products: ReadonlyMap<string, ReadonlySet<string>>;
}

const STATUSES = [301, 302, 307, 308, 410, 200] as const;
type RuleStatus = (typeof STATUSES)[number];
const KEYS = ['Country', 'Query', 'Name'] as const;
/** Longest source or target accepted (CloudFront takes URLs of up to 8,192 bytes; a rule is far shorter). */
export const MAX_RULE_FIELD = 1024;
const PLACEHOLDER_NAME = /^[a-z][a-z0-9_]*$/;
const RULE_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const HOST = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** Characters a target's literal text may hold: RFC 3986 path and query characters, no fragment. */
const TARGET_TEXT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;
const FORMAT = 'SOURCE TARGET [STATUS] [Country=CC,...] [Query=keep|drop] [Name=label]';

/** A placeholder of a source: its name and where it stands. */
interface Placeholder {
  readonly name: string;
  readonly at: number;
}

/** A rule as parsed, with what the whole-file checks need. */
interface ParsedRule {
  readonly line: number;
  readonly source: string;
  readonly rule: CompiledRule;
}

/** `a` ⊇ `b` for one segment: every segment `b` accepts, `a` accepts. */
function segmentCovers(a: CompiledSegment, b: CompiledSegment, ctx: Checks): boolean {
  if ('literal' in a) return 'literal' in b && a.literal === b.literal;
  switch (a.type) {
    case 'any':
      if (a.globs === undefined) return true;
      if ('literal' in b) return globMatches(a.globs, b.literal);
      return b.type === 'any' && b.globs !== undefined && b.globs.every((g) => a.globs!.some((h) => globCovers(h, g)));
    case 'region':
      return 'literal' in b ? ctx.regionNames.has(b.literal) : b.type === 'region';
    case 'product':
      if ('literal' in b) return a.of === OF_ANY_REGION ? ctx.anyProduct.has(b.literal) : a.of >= 0 && ctx.productsOf[a.of].has(b.literal);
      return b.type === 'product' && (a.of === OF_ANY_REGION || a.of === b.of);
  }
}

function globMatches(globs: readonly string[], segment: string): boolean {
  return globs.some((g) => (g.endsWith('*') ? segment.startsWith(g.slice(0, -1)) : segment === g));
}

/** Glob `a` accepts everything glob `b` does. */
function globCovers(a: string, b: string): boolean {
  if (!a.endsWith('*')) return a === b;
  const prefix = a.slice(0, -1);
  return (b.endsWith('*') ? b.slice(0, -1) : b).startsWith(prefix);
}

/** Whether rule `a` matches every request rule `b` matches (same scope, conditions and path). */
function covers(a: CompiledRule, b: CompiledRule, ctx: Checks): boolean {
  if (a.host !== b.host) return false;
  if (a.countries !== undefined && (b.countries === undefined || !b.countries.every((c) => a.countries!.includes(c)))) return false;
  const n = a.segments.length;
  if (a.splat ? b.segments.length < n : b.splat || b.segments.length !== n) return false;
  return a.segments.every((s, i) => segmentCovers(s, b.segments[i], ctx));
}

interface Checks {
  readonly regionNames: ReadonlySet<string>;
  readonly productsOf: readonly ReadonlySet<string>[];
  readonly anyProduct: ReadonlySet<string>;
}

/** Splits a line into its fields, dropping a comment (a field starting with `#`). */
function fields(line: string): string[] {
  const out: string[] = [];
  for (const f of line.trim().split(/\s+/)) {
    if (f === '') continue;
    if (f.startsWith('#')) break;
    out.push(f);
  }
  return out;
}

/** A rule's options, as given or defaulted. */
interface Options {
  countries?: string[];
  query: boolean;
  name?: string;
}

/** A parsed source: its scope (none: every redirect site, within a region), segments, splat and placeholders. */
interface ParsedSource {
  readonly host?: string;
  readonly segments: CompiledSegment[];
  readonly splat: boolean;
  readonly placeholders: Placeholder[];
}

/** A parsed target, and whether it depends on the request's region. */
interface ParsedTarget {
  readonly parts: CompiledTargetPart[];
  readonly usesRegion: boolean;
}

/** A rule's first segment when it is a literal, else ''. */
function firstLiteral(r: CompiledRule): string {
  const first = r.segments[0];
  return first !== undefined && 'literal' in first ? first.literal : '';
}

/**
 * Earlier redirect rules by scope and first literal segment ('' when the first segment is not a literal, or none):
 * only those can cover a rule, since a literal covers nothing but itself. So the shadowing check is not quadratic.
 */
class EarlierRules {
  private readonly byKey = new Map<string, ParsedRule[]>();

  /** The earlier rules that may cover `r`, in file order. */
  candidates(r: CompiledRule): ParsedRule[] {
    const literal = firstLiteral(r);
    return literal === '' ? this.bucket(r, '') : [...this.bucket(r, literal), ...this.bucket(r, '')].sort((x, y) => x.line - y.line);
  }

  add(parsed: ParsedRule): void {
    const key = `${parsed.rule.host ?? ''} ${firstLiteral(parsed.rule)}`;
    const list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, [parsed]);
    else list.push(parsed);
  }

  private bucket(r: CompiledRule, literal: string): ParsedRule[] {
    return this.byKey.get(`${r.host ?? ''} ${literal}`) ?? [];
  }
}

class RuleParser {
  private readonly regionIndex: ReadonlyMap<string, number>;
  private readonly redirectHosts: ReadonlyMap<string, string>;
  private readonly frozenHosts: ReadonlySet<string>;
  private readonly isSafe: (location: string) => boolean;

  constructor(
    private readonly p: ProblemList,
    private readonly ctx: RulesContext,
  ) {
    this.regionIndex = new Map(ctx.regions.map((r, i) => [r.name, i]));
    this.redirectHosts = new Map(ctx.sites.sites.filter((s) => s.mode !== 'frozen').flatMap((s) => s.hostnames.map((h) => [h, s.mode] as const)));
    this.frozenHosts = new Set(ctx.sites.sites.filter((s) => s.mode === 'frozen').flatMap((s) => s.hostnames));
    this.isSafe = locationChecker(ctx.sites.allowedTargetHosts);
  }

  private storeRegions(): string[] {
    return this.ctx.regions.filter((r) => r.kind === 'store').map((r) => r.name);
  }

  /** A region named in a qualifier (`@global`), as its index; -1 after reporting a problem. */
  private region(line: number, name: string, what: string): number {
    const i = this.regionIndex.get(name);
    if (i !== undefined && this.ctx.regions[i].kind === 'store') return i;
    this.p.atLine(line, `${what}: ${q(name)} is not a store region.`, `use one of ${oneOf(this.storeRegions())}.`);
    return -1;
  }

  /** One line: a rule, or undefined for a blank or comment line, or after reporting the line's first problem. */
  parse(line: number, text: string): ParsedRule | undefined {
    const f = fields(text);
    if (f.length === 0) return undefined;
    if (f.length < 2) {
      this.p.atLine(line, `${q(f[0])} has no target.`, `write ${FORMAT}, such as "/support/* :store/support/".`);
      return undefined;
    }
    const [sourceText, targetText, ...rest] = f;
    if (this.tooLong(line, sourceText, targetText)) return undefined;
    const status: RuleStatus | undefined = rest.length > 0 && /^\d+!?$/.test(rest[0]) ? this.status(line, rest.shift()!) : 301;
    if (status === undefined) return undefined;
    const options = this.options(line, rest);
    if (!options) return undefined;
    const source = this.source(line, sourceText);
    if (!source) return undefined;
    if (this.scopedRewrite(line, sourceText, source, status)) return undefined;
    const target = this.target(line, targetText, source.placeholders, source.splat ? source.segments.length : -1, status, options.query);
    if (!target) return undefined;
    if (options.countries !== undefined && this.countryWithoutKey(line, sourceText, source)) return undefined;
    return { line, source: sourceText, rule: this.compiled(line, source, status, options, target) };
  }

  /** Whether the source or target is longer than `MAX_RULE_FIELD`; reports it. */
  private tooLong(line: number, sourceText: string, targetText: string): boolean {
    for (const [what, value] of [['SOURCE', sourceText], ['TARGET', targetText]] as const) {
      if (value.length > MAX_RULE_FIELD) {
        this.p.atLine(line, `${what} is ${value.length} characters long; a rule's fields are at most ${MAX_RULE_FIELD}.`, 'shorten it: a rule describes a shape of URL, a long literal URL belongs in the bulk list.');
        return true;
      }
    }
    return false;
  }

  /** A STATUS field (digits, perhaps forced with "!"): the status, or undefined after reporting it. */
  private status(line: number, s: string): RuleStatus | undefined {
    if (s.endsWith('!')) {
      this.p.atLine(line, `status ${q(s)} is forced ("!").`, `remove the "!": forcing overrides a file that exists in Netlify; here no file is served, so write ${s.slice(0, -1)}.`);
      return undefined;
    }
    if (!(STATUSES as readonly number[]).includes(Number(s))) {
      this.p.atLine(line, `STATUS ${q(s)} is not one this file takes.`, 'use 301 (the default), 302, 307 or 308 to redirect, 410 for a page that is gone, or 200 to rewrite the path and match the rules below.');
      return undefined;
    }
    return Number(s) as RuleStatus;
  }

  /** Whether a rewrite (200) is scoped to a hostname, which it cannot be; reports it. */
  private scopedRewrite(line: number, sourceText: string, source: ParsedSource, status: RuleStatus): boolean {
    if (status !== 200 || source.host === undefined) return false;
    this.p.atLine(line, `the rewrite (200) ${q(sourceText)} is scoped to a hostname.`, 'write its source as a path within a region ("/old/*"), or make it a redirect to a URL.');
    return true;
  }

  /** Whether a rule with a Country condition applies where the cache key holds no country; reports it. */
  private countryWithoutKey(line: number, sourceText: string, source: ParsedSource): boolean {
    // A splat alone matches region paths too ("po.co/*" takes "po.co/uk/x").
    const reachesRegionPaths = source.segments.length === 0 ? source.splat : this.mayNameRegion(source.segments[0]);
    if (source.host !== undefined && this.redirectHosts.get(source.host) === 'region-path' && reachesRegionPaths) {
      this.p.atLine(
        line,
        `the Country condition of ${q(sourceText)} applies to paths that name a region, whose cache key has no country (the answer there is the same for every visitor).`,
        'start the source with a segment that is not a region, such as "po.co/deals/...".',
      );
      return true;
    }
    const countryless = this.countrylessHosts(source.host);
    if (countryless.length > 0) {
      this.p.atLine(
        line,
        `the Country condition of ${q(sourceText)} applies on ${countryless.length > 3 ? `${countryless.slice(0, 3).join(', ')} and ${countryless.length - 3} more` : oneOf(countryless)}, whose cache key has no country: every visitor there would get the first visitor's answer.`,
        'scope the rule to a region-path hostname ("po.co/..."), whose cache key holds the country.',
      );
      return true;
    }
    return false;
  }

  /** The engine's rule, its id naming the Name (if any), the file and the line. */
  private compiled(line: number, source: ParsedSource, status: RuleStatus, options: Options, target: ParsedTarget): CompiledRule {
    const id = `rule:${options.name !== undefined ? `${options.name}@` : ''}${this.p.file}:${line}`;
    return {
      id,
      ...(source.host !== undefined ? { host: source.host } : {}),
      segments: source.segments,
      splat: source.splat,
      ...(options.countries !== undefined ? { countries: options.countries } : {}),
      status,
      query: options.query,
      target: target.parts,
      usesRegion: target.usesRegion,
    };
  }

  /** Whether a source's first segment can be a region name (then the viewer-request function keeps the country out of the key). */
  private mayNameRegion(first: CompiledSegment): boolean {
    const names = this.ctx.regions.map((r) => r.name);
    if ('literal' in first) return names.includes(first.literal);
    if (first.type === 'any') return first.globs === undefined || names.some((n) => globMatches(first.globs!, n));
    if (first.type === 'region') return true;
    return [...this.ctx.products.values()].some((slugs) => names.some((n) => slugs.has(n)));
  }

  /** Hosts a rule of scope `host` applies on whose cache key has no country (every site but region-path ones). */
  private countrylessHosts(host: string | undefined): string[] {
    const hosts = host === undefined ? [...this.redirectHosts.keys()] : [host];
    return hosts.filter((h) => this.redirectHosts.get(h) !== 'region-path').sort();
  }

  /** The option fields (`Key=Value`), each checked; undefined when any has a problem (all are reported). */
  private options(line: number, tokens: readonly string[]): Options | undefined {
    const seen = new Set<string>();
    const out: Options = { query: true };
    let ok = true;
    for (const token of tokens) {
      const option = this.optionKey(line, token, seen);
      if (option === undefined || !this.setOption(line, option.key, option.value, out)) ok = false;
    }
    return ok ? out : undefined;
  }

  /** An option's key (one of `KEYS`, not given before) and value; undefined after reporting it. */
  private optionKey(line: number, token: string, seen: Set<string>): { key: (typeof KEYS)[number]; value: string } | undefined {
    const eq = token.indexOf('=');
    const key = eq < 0 ? token : token.slice(0, eq);
    const value = eq < 0 ? '' : token.slice(eq + 1);
    const known = KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    if (eq < 0 || known === undefined) {
      this.p.atLine(line, `${q(token)} is not an option.`, `after SOURCE, TARGET and STATUS write options as Key=Value: ${KEYS.map((k) => `${k}=`).join(', ')}.`);
      return undefined;
    }
    if (seen.has(known)) {
      this.p.atLine(line, `${known} is given twice.`, `give ${known} once.`);
      return undefined;
    }
    seen.add(known);
    return { key: known, value };
  }

  /** Sets option `key` in `out` to `value` when valid; returns whether it was. */
  private setOption(line: number, key: (typeof KEYS)[number], value: string, out: Options): boolean {
    if (key === 'Country') {
      const countries = this.countries(line, value);
      if (countries !== undefined) out.countries = countries;
      return countries !== undefined;
    }
    if (key === 'Query') {
      const query = this.query(line, value);
      if (query !== undefined) out.query = query;
      return query !== undefined;
    }
    const name = this.ruleName(line, value);
    if (name !== undefined) out.name = name;
    return name !== undefined;
  }

  /** `Country=GB,IE`: the distinct codes, sorted. */
  private countries(line: number, value: string): string[] | undefined {
    const codes = value.split(',');
    const bad = codes.filter((c) => !/^[A-Z]{2}$/.test(c));
    if (value === '' || bad.length > 0) {
      this.p.atLine(line, `Country ${q(value)} is not a list of ISO 3166-1 alpha-2 codes.`, /^[a-z,]+$/i.test(value) ? `write them in upper case: Country=${value.toUpperCase()}.` : 'write them like Country=GB,IE.');
      return undefined;
    }
    return [...new Set(codes)].sort();
  }

  /** `Query=keep|drop`: whether the visitor's query string is kept. */
  private query(line: number, value: string): boolean | undefined {
    if (value !== 'keep' && value !== 'drop') {
      this.p.atLine(line, `Query ${q(value)} is neither keep nor drop.`, 'write Query=keep (the default: the visitor\'s query string is appended) or Query=drop.');
      return undefined;
    }
    return value === 'keep';
  }

  /** `Name=label`. */
  private ruleName(line: number, value: string): string | undefined {
    if (!RULE_NAME.test(value)) {
      this.p.atLine(line, `Name ${q(value)} is not a rule name.`, 'use lower-case letters, digits and hyphens, starting with a letter, such as Name=product-page.');
      return undefined;
    }
    return value;
  }

  /** A SOURCE: its scope, then its path, segment by segment; undefined after reporting its first problem. */
  private source(line: number, text: string): ParsedSource | undefined {
    const scope = this.sourceScope(line, text);
    if (!scope) return undefined;
    if (/[?#]/.test(scope.path)) {
      this.p.atLine(line, `SOURCE ${q(text)} has a query string or fragment.`, 'match on the path only: rules never depend on the query string.');
      return undefined;
    }
    const path = this.sourcePath(line, text, scope.path);
    if (!path) return undefined;
    const last = path.segments[path.segments.length - 1];
    if (!path.splat && last !== undefined && 'literal' in last && last.literal === 'index.html') {
      this.p.atLine(line, `SOURCE ${q(text)} ends in index.html, which requests drop before matching: it never matches.`, `write it without index.html: ${q(text.replace(/index\.html$/i, ''))}.`);
      return undefined;
    }
    return { ...(scope.host !== undefined ? { host: scope.host } : {}), ...path };
  }

  /** A source's hostname (none when it starts with "/") and its path; https:// is allowed, http:// never matches. */
  private sourceScope(line: number, text: string): { host?: string; path: string } | undefined {
    if (/^http:\/\//i.test(text)) {
      this.p.atLine(line, `SOURCE ${q(text)} is http://; CloudFront redirects http to https before the function runs, so it never matches.`, `write it as ${q('https://' + text.slice(7))} or without a scheme.`);
      return undefined;
    }
    const rest = /^https:\/\//i.test(text) ? text.slice(8) : text;
    if (rest.startsWith('/')) return { path: rest };
    const slash = rest.indexOf('/');
    const host = slash < 0 ? rest : rest.slice(0, slash);
    if (!this.checkSourceHost(line, text, host)) return undefined;
    return { host, path: slash < 0 ? '/' : rest.slice(slash) };
  }

  /** Whether a source's hostname is a redirect site's; reports it when not. */
  private checkSourceHost(line: number, text: string, host: string): boolean {
    if (!HOST.test(host)) {
      this.p.atLine(line, `SOURCE ${q(text)} is neither a path ("/...") nor a hostname and path ("po.co/...").`, 'start it with "/" for a page within a region, or with a hostname of config/sites.json.');
      return false;
    }
    if (this.frozenHosts.has(host)) {
      this.p.atLine(line, `SOURCE host ${q(host)} is a frozen site's, which is never redirected: the rule never matches.`, 'remove the rule.');
      return false;
    }
    if (!this.redirectHosts.has(host)) {
      this.p.atLine(line, `SOURCE host ${q(host)} is not a hostname of a redirect site.`, `use one of ${oneOf([...this.redirectHosts.keys()].sort())}, or start the source with "/" for every site.`);
      return false;
    }
    return true;
  }

  /** A source's path (from its first "/") as segments, a final splat and the placeholders named. */
  private sourcePath(line: number, text: string, path: string): Omit<ParsedSource, 'host'> | undefined {
    const parts = path.split('/').slice(1);
    if (parts[parts.length - 1] === '') parts.pop(); // a trailing slash does not matter
    const segments: CompiledSegment[] = [];
    const placeholders: Placeholder[] = [];
    let splat = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === '*') {
        if (i !== parts.length - 1) {
          this.p.atLine(line, `SOURCE ${q(text)} has "*" before its end.`, 'a splat stands for the rest of the path: put it last, or use a placeholder (":name") for one segment.');
          return undefined;
        }
        splat = true;
        continue;
      }
      const segment = this.segment(line, text, part, i, placeholders);
      if (!segment) return undefined;
      segments.push(segment);
    }
    return { segments, splat, placeholders };
  }

  private segment(line: number, text: string, part: string, at: number, placeholders: Placeholder[]): CompiledSegment | undefined {
    if (part === '') {
      this.p.atLine(line, `SOURCE ${q(text)} has an empty segment ("//").`, 'write single slashes: requests are matched with repeated slashes collapsed.');
      return undefined;
    }
    return part.startsWith(':') ? this.placeholderSegment(line, text, part, at, placeholders) : this.literalSegment(line, text, part);
  }

  /** A literal segment, written as requests are matched: canonical, lower case, no dot segment. */
  private literalSegment(line: number, text: string, part: string): CompiledSegment | undefined {
    const canonical = lowerSegment(canonicalSegment(part));
    if (part === '.' || part === '..') {
      this.p.atLine(line, `SOURCE ${q(text)} has a ${q(part)} segment, which requests resolve before matching: it never matches.`, 'write the path without dot segments.');
      return undefined;
    }
    if (canonical !== part) {
      this.p.atLine(line, `SOURCE segment ${q(part)} is not in the form requests are matched in.`, `write it as ${q(canonical)} (lower case, percent-encoded as requests are).`);
      return undefined;
    }
    return { literal: part };
  }

  /** A placeholder segment (`:name`, `:name(glob|...)`, `:region`, `:product[@region]`), added to `placeholders`. */
  private placeholderSegment(line: number, text: string, part: string, at: number, placeholders: Placeholder[]): CompiledSegment | undefined {
    const m = this.placeholderMatch(line, text, part, placeholders);
    if (!m) return undefined;
    const [, name, qualifier, globText] = m;
    if (qualifier !== undefined && name !== 'product') {
      this.p.atLine(line, `SOURCE placeholder ${q(part)} has a region qualifier; only ":product" takes one.`, `write ":${name}".`);
      return undefined;
    }
    if (globText !== undefined && name !== 'region' && name !== 'product') return this.globSegment(line, part, name, at, globText, placeholders);
    if (globText !== undefined) {
      this.p.atLine(line, `SOURCE placeholder ${q(part)} has a pattern; ":${name}" is typed by config already.`, `write ":${name}"${name === 'product' ? ' or ":product@<region>"' : ''}.`);
      return undefined;
    }
    placeholders.push({ name, at });
    return this.typedSegment(line, part, name, qualifier);
  }

  /** A placeholder split into name, qualifier and pattern, when its name is valid and new. */
  private placeholderMatch(line: number, text: string, part: string, placeholders: readonly Placeholder[]): RegExpExecArray | undefined {
    const m = /^:([^(@]*)(?:@([^(]*))?(?:\((.*)\))?$/.exec(part);
    const name = m?.[1] ?? '';
    if (!m || !PLACEHOLDER_NAME.test(name)) {
      this.p.atLine(line, `SOURCE segment ${q(part)} is not a placeholder.`, 'write ":name" (letters, digits and "_"), ":name(poco-*|pocophone*)", ":region", ":product" or ":product@global".');
      return undefined;
    }
    if (name === 'splat') {
      this.p.atLine(line, `SOURCE placeholder ":splat" is the name of what "*" matches.`, 'write "*" as the last segment, or name the placeholder otherwise.');
      return undefined;
    }
    if (placeholders.some((ph) => ph.name === name)) {
      this.p.atLine(line, `SOURCE ${q(text)} names ":${name}" twice.`, 'give each placeholder its own name.');
      return undefined;
    }
    return m;
  }

  /** `:name(a*|b)`: any segment matching one of the globs. */
  private globSegment(line: number, part: string, name: string, at: number, globText: string, placeholders: Placeholder[]): CompiledSegment | undefined {
    const globs = globText.split('|');
    const bad = globs.find((g) => !/^[a-z0-9\-._~]+\*?$/.test(g));
    if (bad !== undefined) {
      this.p.atLine(line, `SOURCE placeholder ${q(part)} has the pattern ${q(bad)}.`, 'write alternatives of lower-case letters, digits, "-", ".", "_" or "~", each ending in "*" for "starts with", such as ":slug(poco-*|pocophone*)".');
      return undefined;
    }
    placeholders.push({ name, at });
    return { type: 'any', globs };
  }

  /** A placeholder typed by its name: `:region`, `:product` (of the request's region, `@any` or a named store region), else any segment. */
  private typedSegment(line: number, part: string, name: string, qualifier: string | undefined): CompiledSegment | undefined {
    if (name === 'region') return { type: 'region' };
    if (name !== 'product') return { type: 'any' };
    if (qualifier === undefined) return { type: 'product', of: OF_REQUEST_REGION };
    if (qualifier === 'any') return { type: 'product', of: OF_ANY_REGION };
    const region = this.region(line, qualifier, `SOURCE placeholder ${q(part)}`);
    return region < 0 ? undefined : { type: 'product', of: region };
  }

  /** A TARGET: its head, its text, its placeholders, and what it makes once filled; undefined after reporting its first problem. */
  private target(line: number, text: string, placeholders: readonly Placeholder[], splatFrom: number, status: RuleStatus, keepQuery: boolean): ParsedTarget | undefined {
    const head = this.targetHead(line, text, status);
    if (!head) return undefined;
    if (!this.checkTargetText(line, text, head.rest, status, keepQuery)) return undefined;
    const rest = this.targetParts(line, text, head.rest, placeholders, splatFrom);
    if (!rest) return undefined;
    const parts = [...head.parts, ...rest];
    // What the filled target looks like with plain values: a checked URL (or path, for a rewrite).
    const sample = parts.map((part) => this.sampleOf(part)).join('');
    if (status !== 200 && !this.isSafe(sample)) {
      this.p.atLine(line, `TARGET ${q(text)} does not make an absolute https:// URL on the allow-list.`, 'write it like ":store/product/:product/" or "https://www.mi.com/global/".');
      return undefined;
    }
    return { parts, usesRegion: head.usesRegion };
  }

  /**
   * How a target starts: a path (a rewrite's), `:store` or `:landing` (with
   * an optional `@region`), or an https:// URL on the allow-list. `rest` is
   * what follows a `:store` or `:landing` head (without its "/"), else the whole target.
   */
  private targetHead(line: number, text: string, status: RuleStatus): { parts: CompiledTargetPart[]; rest: string; usesRegion: boolean } | undefined {
    if (status === 200) {
      if (text.startsWith('/')) return { parts: [], rest: text, usesRegion: false };
      this.p.atLine(line, `the rewrite (200) target ${q(text)} is not a path.`, 'write the path the rules below should match, such as "/product/:slug/:splat".');
      return undefined;
    }
    const head = /^:(store|landing)(?:@([a-z][a-z0-9-]*))?/.exec(text);
    if (head) {
      const region = head[2] === undefined ? -1 : this.region(line, head[2], `TARGET ${q(head[0])}`);
      if (head[2] !== undefined && region < 0) return undefined;
      let rest = text.slice(head[0].length);
      if (rest.startsWith('/')) rest = rest.slice(1); // the store's and landing's URLs end in "/"
      return { parts: [head[1] === 'store' ? { store: region } : { landing: region }], rest, usesRegion: region < 0 };
    }
    if (/^https:\/\/[^/?#]+(?:[/?]|$)/i.test(text)) {
      const host = /^https:\/\/([^/?#]+)/i.exec(text)![1];
      if (this.ctx.sites.allowedTargetHosts.includes(host)) return { parts: [], rest: text, usesRegion: false };
      this.p.atLine(line, `TARGET host ${q(host)} is not in allowedTargetHosts.`, `use one of ${oneOf(this.ctx.sites.allowedTargetHosts)}, or add it to allowedTargetHosts in config/sites.json.`);
      return undefined;
    }
    this.p.atLine(line, `TARGET ${q(text)} is not a URL.`, 'start it with ":store", ":landing", ":store@<region>" or "https://<allowed host>/".');
    return undefined;
  }

  /** Whether the rest of a target holds only characters URLs allow, and no query string that Query=keep would add to. */
  private checkTargetText(line: number, text: string, rest: string, status: RuleStatus, keepQuery: boolean): boolean {
    if (!TARGET_TEXT.test(rest.replace(/^https:\/\//i, ''))) {
      this.p.atLine(line, `TARGET ${q(text)} has characters URLs do not allow, or a fragment.`, 'percent-encode spaces, quotes, non-ASCII and <>\\^`{|}, and leave out "#...".');
      return false;
    }
    if (rest.includes('?') && keepQuery && status !== 410) {
      this.p.atLine(line, `TARGET ${q(text)} has a query string of its own, and Query=keep would append the visitor's.`, 'add Query=drop, or remove the query string from the target.');
      return false;
    }
    return true;
  }

  /** The rest of a target as text and placeholders (":name" and ":splat", each starting a segment). */
  private targetParts(line: number, text: string, rest: string, placeholders: readonly Placeholder[], splatFrom: number): CompiledTargetPart[] | undefined {
    const parts: CompiledTargetPart[] = [];
    let last = 0;
    for (const m of rest.matchAll(/:([a-z][a-z0-9_]*)/g)) {
      if (m.index! > 0 && rest[m.index! - 1] !== '/') continue; // a colon inside a segment ("a:b") is text
      const part = this.targetPlaceholder(line, text, m[1], placeholders, splatFrom);
      if (!part) return undefined;
      if (m.index! > last) parts.push({ text: rest.slice(last, m.index) });
      parts.push(part);
      last = m.index! + m[0].length;
    }
    if (last < rest.length) parts.push({ text: rest.slice(last) });
    return parts;
  }

  /** A placeholder in a target: the splat, or a placeholder the source names. */
  private targetPlaceholder(line: number, text: string, name: string, placeholders: readonly Placeholder[], splatFrom: number): CompiledTargetPart | undefined {
    if (name === 'store' || name === 'landing') {
      this.p.atLine(line, `TARGET ${q(text)} has ":${name}" after its start.`, `":${name}" can only begin a target.`);
      return undefined;
    }
    if (name === 'splat') {
      if (splatFrom >= 0) return { splat: splatFrom };
      this.p.atLine(line, `TARGET ${q(text)} uses ":splat", but the source has no "*".`, 'end the source with "/*", or remove ":splat".');
      return undefined;
    }
    const ph = placeholders.find((x) => x.name === name);
    if (ph !== undefined) return { segment: ph.at };
    this.p.atLine(line, `TARGET ${q(text)} uses ":${name}", which the source does not name.`, placeholders.length > 0 ? `use ${oneOf(placeholders.map((x) => `":${x.name}"`))}${splatFrom >= 0 ? ' or ":splat"' : ''}.` : 'name it in the source, such as "/product/:product".');
    return undefined;
  }

  /** A target part filled with a plain value: placeholders as "x", `:store` and `:landing` as the first region's. */
  private sampleOf(part: CompiledTargetPart): string {
    if ('text' in part) return part.text;
    if ('segment' in part || 'splat' in part) return 'x';
    const region = this.ctx.regions[Math.max(0, 'store' in part ? part.store : part.landing)];
    return 'store' in part ? region.url : region.landing;
  }

  /** Problems of the rules as a whole: placeholders that match nothing, rules shadowed by earlier ones. */
  checkAll(rules: readonly ParsedRule[]): void {
    const checks = this.checks();
    const earlier = new EarlierRules();
    for (const b of rules) {
      if (this.matchesNoProduct(b, checks)) continue;
      this.checkShadowed(b, earlier.candidates(b.rule), checks);
      if (b.rule.status !== 200) earlier.add(b);
    }
  }

  /** What the shadowing check knows of regions and the catalogue. */
  private checks(): Checks {
    return {
      regionNames: new Set(this.ctx.regions.map((r) => r.name)),
      productsOf: this.ctx.regions.map((r) => this.ctx.products.get(r.name) ?? new Set()),
      anyProduct: new Set([...this.ctx.products.values()].flatMap((s) => [...s])),
    };
  }

  /** Whether a `:product` placeholder of the rule has no product in the catalogue, so the rule never matches; reports it. */
  private matchesNoProduct(b: ParsedRule, checks: Checks): boolean {
    const empty = b.rule.segments.find(
      (s) => 'type' in s && s.type === 'product' && (s.of === OF_ANY_REGION || s.of === OF_REQUEST_REGION ? checks.anyProduct.size === 0 : checks.productsOf[s.of].size === 0),
    );
    if (empty === undefined) return false;
    const of = 'of' in empty && empty.of >= 0 ? this.ctx.regions[empty.of].name : undefined;
    this.p.atLine(b.line, `${q(b.source)} never matches: the store catalogue lists no product${of !== undefined ? ` for region ${of}` : ''}.`, 'build the catalogue (npm run ops -- catalog), or remove the rule.');
    return true;
  }

  /** Reports rule `b` when the first of the `earlier` rules matches every request it does. */
  private checkShadowed(b: ParsedRule, earlier: readonly ParsedRule[], checks: Checks): void {
    const a = earlier.find((c) => covers(c.rule, b.rule, checks));
    if (a !== undefined) {
      this.p.atLine(b.line, `${q(b.source)} never matches: the rule at line ${a.line} (${q(a.source)}) matches every request it does and comes first.`, `move it above line ${a.line}, or remove it.`);
    }
  }
}

/**
 * Parses and checks the text of a rules file. Problems go to `p`; the rules
 * are only meaningful when `p.ok`.
 */
export function parseRules(text: string, p: ProblemList, ctx: RulesContext): CompiledRule[] {
  const parser = new RuleParser(p, ctx);
  const parsed: ParsedRule[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const rule = parser.parse(i + 1, line);
      if (rule) parsed.push(rule);
    });
  parser.checkAll(parsed);
  return parsed.map((r) => r.rule);
}
