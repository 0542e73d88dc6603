/**
 * config/rules.txt: where each page shape goes, one rule a line, first match
 * wins (close to Netlify's `_redirects`; README "The rules file"):
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

  parse(line: number, text: string): ParsedRule | undefined {
    const f = fields(text);
    if (f.length === 0) return undefined;
    const { p } = this;
    if (f.length < 2) {
      p.atLine(line, `${q(f[0])} has no target.`, `write ${FORMAT}, such as "/support/* :store/support/".`);
      return undefined;
    }
    const [sourceText, targetText, ...rest] = f;
    for (const [what, value] of [['SOURCE', sourceText], ['TARGET', targetText]] as const) {
      if (value.length > MAX_RULE_FIELD) {
        p.atLine(line, `${what} is ${value.length} characters long; a rule's fields are at most ${MAX_RULE_FIELD}.`, 'shorten it: a rule describes a shape of URL, a long literal URL belongs in the bulk list.');
        return undefined;
      }
    }
    let status: RuleStatus = 301;
    if (rest.length > 0 && /^\d+!?$/.test(rest[0])) {
      const s = rest.shift()!;
      if (s.endsWith('!')) {
        p.atLine(line, `status ${q(s)} is forced ("!").`, `remove the "!": forcing overrides a file that exists in Netlify; here no file is served, so write ${s.slice(0, -1)}.`);
        return undefined;
      }
      if (!(STATUSES as readonly number[]).includes(Number(s))) {
        p.atLine(line, `STATUS ${q(s)} is not one this file takes.`, 'use 301 (the default), 302, 307 or 308 to redirect, 410 for a page that is gone, or 200 to rewrite the path and match the rules below.');
        return undefined;
      }
      status = Number(s) as RuleStatus;
    }
    const options = this.options(line, rest);
    if (!options) return undefined;
    const source = this.source(line, sourceText);
    if (!source) return undefined;
    if (status === 200 && source.host !== undefined) {
      p.atLine(line, `the rewrite (200) ${q(sourceText)} is scoped to a hostname.`, 'write its source as a path within a region ("/old/*"), or make it a redirect to a URL.');
      return undefined;
    }
    const target = this.target(line, targetText, source.placeholders, source.splat ? source.segments.length : -1, status, options.query);
    if (!target) return undefined;
    // A splat alone matches region paths too ("po.co/*" takes "po.co/uk/x").
    const reachesRegionPaths = source.segments.length === 0 ? source.splat : this.mayNameRegion(source.segments[0]);
    if (options.countries !== undefined && source.host !== undefined && this.redirectHosts.get(source.host) === 'region-path' && reachesRegionPaths) {
      p.atLine(
        line,
        `the Country condition of ${q(sourceText)} applies to paths that name a region, whose cache key has no country (the answer there is the same for every visitor).`,
        'start the source with a segment that is not a region, such as "po.co/deals/...".',
      );
      return undefined;
    }
    if (options.countries !== undefined) {
      const countryless = this.countrylessHosts(source.host);
      if (countryless.length > 0) {
        p.atLine(
          line,
          `the Country condition of ${q(sourceText)} applies on ${countryless.length > 3 ? `${countryless.slice(0, 3).join(', ')} and ${countryless.length - 3} more` : oneOf(countryless)}, whose cache key has no country: every visitor there would get the first visitor's answer.`,
          'scope the rule to a region-path hostname ("po.co/..."), whose cache key holds the country.',
        );
        return undefined;
      }
    }
    const id = `rule:${options.name !== undefined ? `${options.name}@` : ''}${p.file}:${line}`;
    const rule: CompiledRule = {
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
    return { line, source: sourceText, rule };
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

  private options(line: number, tokens: readonly string[]): { countries?: string[]; query: boolean; name?: string } | undefined {
    const { p } = this;
    const seen = new Set<string>();
    const out: { countries?: string[]; query: boolean; name?: string } = { query: true };
    let ok = true;
    for (const token of tokens) {
      const eq = token.indexOf('=');
      const key = eq < 0 ? token : token.slice(0, eq);
      const value = eq < 0 ? '' : token.slice(eq + 1);
      const known = KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
      if (eq < 0 || known === undefined) {
        p.atLine(line, `${q(token)} is not an option.`, `after SOURCE, TARGET and STATUS write options as Key=Value: ${KEYS.map((k) => `${k}=`).join(', ')}.`);
        ok = false;
        continue;
      }
      if (seen.has(known)) {
        p.atLine(line, `${known} is given twice.`, `give ${known} once.`);
        ok = false;
        continue;
      }
      seen.add(known);
      if (known === 'Country') {
        const codes = value.split(',');
        const bad = codes.filter((c) => !/^[A-Z]{2}$/.test(c));
        if (value === '' || bad.length > 0) {
          p.atLine(line, `Country ${q(value)} is not a list of ISO 3166-1 alpha-2 codes.`, /^[a-z,]+$/i.test(value) ? `write them in upper case: Country=${value.toUpperCase()}.` : 'write them like Country=GB,IE.');
          ok = false;
        } else {
          out.countries = [...new Set(codes)].sort();
        }
      } else if (known === 'Query') {
        if (value !== 'keep' && value !== 'drop') {
          p.atLine(line, `Query ${q(value)} is neither keep nor drop.`, 'write Query=keep (the default: the visitor\'s query string is appended) or Query=drop.');
          ok = false;
        } else {
          out.query = value === 'keep';
        }
      } else if (!RULE_NAME.test(value)) {
        p.atLine(line, `Name ${q(value)} is not a rule name.`, 'use lower-case letters, digits and hyphens, starting with a letter, such as Name=product-page.');
        ok = false;
      } else {
        out.name = value;
      }
    }
    return ok ? out : undefined;
  }

  private source(line: number, text: string): { host?: string; segments: CompiledSegment[]; splat: boolean; placeholders: Placeholder[] } | undefined {
    const { p } = this;
    let rest = text;
    let host: string | undefined;
    if (/^http:\/\//i.test(rest)) {
      p.atLine(line, `SOURCE ${q(text)} is http://; CloudFront redirects http to https before the function runs, so it never matches.`, `write it as ${q('https://' + rest.slice(7))} or without a scheme.`);
      return undefined;
    }
    if (/^https:\/\//i.test(rest)) rest = rest.slice(8);
    if (!rest.startsWith('/')) {
      const slash = rest.indexOf('/');
      host = slash < 0 ? rest : rest.slice(0, slash);
      rest = slash < 0 ? '/' : rest.slice(slash);
      if (!HOST.test(host)) {
        p.atLine(line, `SOURCE ${q(text)} is neither a path ("/...") nor a hostname and path ("po.co/...").`, 'start it with "/" for a page within a region, or with a hostname of config/sites.json.');
        return undefined;
      }
      if (this.frozenHosts.has(host)) {
        p.atLine(line, `SOURCE host ${q(host)} is a frozen site's, which is never redirected: the rule never matches.`, 'remove the rule.');
        return undefined;
      }
      if (!this.redirectHosts.has(host)) {
        p.atLine(line, `SOURCE host ${q(host)} is not a hostname of a redirect site.`, `use one of ${oneOf([...this.redirectHosts.keys()].sort())}, or start the source with "/" for every site.`);
        return undefined;
      }
    }
    if (/[?#]/.test(rest)) {
      p.atLine(line, `SOURCE ${q(text)} has a query string or fragment.`, 'match on the path only: rules never depend on the query string.');
      return undefined;
    }
    const parts = rest.split('/').slice(1);
    if (parts[parts.length - 1] === '') parts.pop(); // a trailing slash does not matter
    const segments: CompiledSegment[] = [];
    const placeholders: Placeholder[] = [];
    let splat = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === '*') {
        if (i !== parts.length - 1) {
          p.atLine(line, `SOURCE ${q(text)} has "*" before its end.`, 'a splat stands for the rest of the path: put it last, or use a placeholder (":name") for one segment.');
          return undefined;
        }
        splat = true;
        continue;
      }
      const segment = this.segment(line, text, part, i, placeholders);
      if (!segment) return undefined;
      segments.push(segment);
    }
    const last = segments[segments.length - 1];
    if (!splat && last !== undefined && 'literal' in last && last.literal === 'index.html') {
      p.atLine(line, `SOURCE ${q(text)} ends in index.html, which requests drop before matching: it never matches.`, `write it without index.html: ${q(text.replace(/index\.html$/i, ''))}.`);
      return undefined;
    }
    return { ...(host !== undefined ? { host } : {}), segments, splat, placeholders };
  }

  private segment(line: number, text: string, part: string, at: number, placeholders: Placeholder[]): CompiledSegment | undefined {
    const { p } = this;
    if (part === '') {
      p.atLine(line, `SOURCE ${q(text)} has an empty segment ("//").`, 'write single slashes: requests are matched with repeated slashes collapsed.');
      return undefined;
    }
    if (!part.startsWith(':')) {
      const canonical = lowerSegment(canonicalSegment(part));
      if (part === '.' || part === '..') {
        p.atLine(line, `SOURCE ${q(text)} has a ${q(part)} segment, which requests resolve before matching: it never matches.`, 'write the path without dot segments.');
        return undefined;
      }
      if (canonical !== part) {
        p.atLine(line, `SOURCE segment ${q(part)} is not in the form requests are matched in.`, `write it as ${q(canonical)} (lower case, percent-encoded as requests are).`);
        return undefined;
      }
      return { literal: part };
    }
    const m = /^:([^(@]*)(?:@([^(]*))?(?:\((.*)\))?$/.exec(part);
    const name = m?.[1] ?? '';
    if (!m || !PLACEHOLDER_NAME.test(name)) {
      p.atLine(line, `SOURCE segment ${q(part)} is not a placeholder.`, 'write ":name" (letters, digits and "_"), ":name(poco-*|pocophone*)", ":region", ":product" or ":product@global".');
      return undefined;
    }
    if (name === 'splat') {
      p.atLine(line, `SOURCE placeholder ":splat" is the name of what "*" matches.`, 'write "*" as the last segment, or name the placeholder otherwise.');
      return undefined;
    }
    if (placeholders.some((ph) => ph.name === name)) {
      p.atLine(line, `SOURCE ${q(text)} names ":${name}" twice.`, 'give each placeholder its own name.');
      return undefined;
    }
    const [, , qualifier, globText] = m;
    if (qualifier !== undefined && name !== 'product') {
      p.atLine(line, `SOURCE placeholder ${q(part)} has a region qualifier; only ":product" takes one.`, `write ":${name}".`);
      return undefined;
    }
    if (globText !== undefined && name !== 'region' && name !== 'product') {
      const globs = globText.split('|');
      const bad = globs.find((g) => !/^[a-z0-9\-._~]+\*?$/.test(g));
      if (bad !== undefined) {
        p.atLine(line, `SOURCE placeholder ${q(part)} has the pattern ${q(bad)}.`, 'write alternatives of lower-case letters, digits, "-", ".", "_" or "~", each ending in "*" for "starts with", such as ":slug(poco-*|pocophone*)".');
        return undefined;
      }
      placeholders.push({ name, at });
      return { type: 'any', globs };
    }
    if (globText !== undefined) {
      p.atLine(line, `SOURCE placeholder ${q(part)} has a pattern; ":${name}" is typed by config already.`, `write ":${name}"${name === 'product' ? ' or ":product@<region>"' : ''}.`);
      return undefined;
    }
    placeholders.push({ name, at });
    if (name === 'region') return { type: 'region' };
    if (name !== 'product') return { type: 'any' };
    if (qualifier === undefined) return { type: 'product', of: OF_REQUEST_REGION };
    if (qualifier === 'any') return { type: 'product', of: OF_ANY_REGION };
    const region = this.region(line, qualifier, `SOURCE placeholder ${q(part)}`);
    return region < 0 ? undefined : { type: 'product', of: region };
  }

  private target(
    line: number,
    text: string,
    placeholders: readonly Placeholder[],
    splatFrom: number,
    status: RuleStatus,
    keepQuery: boolean,
  ): { parts: CompiledTargetPart[]; usesRegion: boolean } | undefined {
    const { p } = this;
    const parts: CompiledTargetPart[] = [];
    let rest = text;
    let usesRegion = false;
    const head = /^:(store|landing)(?:@([a-z][a-z0-9-]*))?/.exec(rest);
    if (status === 200) {
      if (!rest.startsWith('/')) {
        p.atLine(line, `the rewrite (200) target ${q(text)} is not a path.`, 'write the path the rules below should match, such as "/product/:slug/:splat".');
        return undefined;
      }
    } else if (head) {
      const region = head[2] === undefined ? -1 : this.region(line, head[2], `TARGET ${q(head[0])}`);
      if (head[2] !== undefined && region < 0) return undefined;
      usesRegion = region < 0;
      parts.push(head[1] === 'store' ? { store: region } : { landing: region });
      rest = rest.slice(head[0].length);
      if (rest.startsWith('/')) rest = rest.slice(1); // the store's and landing's URLs end in "/"
    } else if (/^https:\/\/[^/?#]+(?:[/?]|$)/i.test(rest)) {
      const host = /^https:\/\/([^/?#]+)/i.exec(rest)![1];
      if (!this.ctx.sites.allowedTargetHosts.includes(host)) {
        p.atLine(line, `TARGET host ${q(host)} is not in allowedTargetHosts.`, `use one of ${oneOf(this.ctx.sites.allowedTargetHosts)}, or add it to allowedTargetHosts in config/sites.json.`);
        return undefined;
      }
    } else {
      p.atLine(line, `TARGET ${q(text)} is not a URL.`, 'start it with ":store", ":landing", ":store@<region>" or "https://<allowed host>/".');
      return undefined;
    }
    if (!TARGET_TEXT.test(rest.replace(/^https:\/\//i, ''))) {
      p.atLine(line, `TARGET ${q(text)} has characters URLs do not allow, or a fragment.`, 'percent-encode spaces, quotes, non-ASCII and <>\\^`{|}, and leave out "#...".');
      return undefined;
    }
    if (rest.includes('?') && keepQuery && status !== 410) {
      p.atLine(line, `TARGET ${q(text)} has a query string of its own, and Query=keep would append the visitor's.`, 'add Query=drop, or remove the query string from the target.');
      return undefined;
    }
    // Placeholders in the rest: ":name" and ":splat".
    let last = 0;
    for (const m of rest.matchAll(/:([a-z][a-z0-9_]*)/g)) {
      const name = m[1];
      if (m.index! > 0 && rest[m.index! - 1] !== '/') continue; // a colon inside a segment ("a:b") is text
      if (name === 'store' || name === 'landing') {
        p.atLine(line, `TARGET ${q(text)} has ":${name}" after its start.`, `":${name}" can only begin a target.`);
        return undefined;
      }
      let part: CompiledTargetPart;
      if (name === 'splat') {
        if (splatFrom < 0) {
          p.atLine(line, `TARGET ${q(text)} uses ":splat", but the source has no "*".`, 'end the source with "/*", or remove ":splat".');
          return undefined;
        }
        part = { splat: splatFrom };
      } else {
        const ph = placeholders.find((x) => x.name === name);
        if (ph === undefined) {
          p.atLine(line, `TARGET ${q(text)} uses ":${name}", which the source does not name.`, placeholders.length > 0 ? `use ${oneOf(placeholders.map((x) => `":${x.name}"`))}${splatFrom >= 0 ? ' or ":splat"' : ''}.` : 'name it in the source, such as "/product/:product".');
          return undefined;
        }
        part = { segment: ph.at };
      }
      if (m.index! > last) parts.push({ text: rest.slice(last, m.index) });
      parts.push(part);
      last = m.index! + m[0].length;
    }
    if (last < rest.length) parts.push({ text: rest.slice(last) });
    // What the filled target looks like with plain values: a checked URL (or path, for a rewrite).
    const sampleOf = (part: CompiledTargetPart): string => {
      if ('text' in part) return part.text;
      if ('segment' in part || 'splat' in part) return 'x';
      const region = this.ctx.regions[Math.max(0, 'store' in part ? part.store : part.landing)];
      return 'store' in part ? region.url : region.landing;
    };
    const sample = parts.map(sampleOf).join('');
    if (status !== 200 && !this.isSafe(sample)) {
      p.atLine(line, `TARGET ${q(text)} does not make an absolute https:// URL on the allow-list.`, 'write it like ":store/product/:product/" or "https://www.mi.com/global/".');
      return undefined;
    }
    return { parts, usesRegion };
  }

  /** Problems of the rules as a whole: placeholders that match nothing, rules shadowed by earlier ones. */
  checkAll(rules: readonly ParsedRule[]): void {
    const checks: Checks = {
      regionNames: new Set(this.ctx.regions.map((r) => r.name)),
      productsOf: this.ctx.regions.map((r) => this.ctx.products.get(r.name) ?? new Set()),
      anyProduct: new Set([...this.ctx.products.values()].flatMap((s) => [...s])),
    };
    // Earlier redirect rules by scope and first literal segment ('' when the first segment is not a literal, or none):
    // only those can cover a rule, since a literal covers nothing but itself. So the check is not quadratic.
    const earlier = new Map<string, ParsedRule[]>();
    const bucket = (r: CompiledRule, literal: string): ParsedRule[] => earlier.get(`${r.host ?? ''} ${literal}`) ?? [];
    const firstLiteral = (r: CompiledRule): string => {
      const first = r.segments[0];
      return first !== undefined && 'literal' in first ? first.literal : '';
    };
    for (const b of rules) {
      const empty = b.rule.segments.find(
        (s) => 'type' in s && s.type === 'product' && (s.of === OF_ANY_REGION || s.of === OF_REQUEST_REGION ? checks.anyProduct.size === 0 : checks.productsOf[s.of].size === 0),
      );
      if (empty !== undefined) {
        const of = 'of' in empty && empty.of >= 0 ? this.ctx.regions[empty.of].name : undefined;
        this.p.atLine(b.line, `${q(b.source)} never matches: the store catalogue lists no product${of !== undefined ? ` for region ${of}` : ''}.`, 'build the catalogue (npm run ops -- catalog), or remove the rule.');
        continue;
      }
      const literal = firstLiteral(b.rule);
      const candidates = literal === '' ? bucket(b.rule, '') : [...bucket(b.rule, literal), ...bucket(b.rule, '')].sort((x, y) => x.line - y.line);
      const a = candidates.find((c) => covers(c.rule, b.rule, checks));
      if (a !== undefined) {
        this.p.atLine(b.line, `${q(b.source)} never matches: the rule at line ${a.line} (${q(a.source)}) matches every request it does and comes first.`, `move it above line ${a.line}, or remove it.`);
      }
      if (b.rule.status !== 200) {
        const key = `${b.rule.host ?? ''} ${literal}`;
        const list = earlier.get(key);
        if (list === undefined) earlier.set(key, [b]);
        else list.push(b);
      }
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
