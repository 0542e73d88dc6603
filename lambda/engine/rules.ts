/**
 * The rules file at request time: every rule's source in a segment trie, so
 * that finding the first rule (in file order) that matches a path costs one
 * walk down the trie, whatever the number of rules or catalogue entries.
 *
 * At each node a segment is looked up among the literal children (a Map)
 * and tried against each distinct placeholder child (a region, a catalogued
 * product, any segment); a subtree is skipped when it holds no rule earlier
 * than the best found so far. So a request costs a Map lookup per segment
 * plus one check per distinct placeholder shape at that depth: it grows with
 * the shapes of the rules, not with how many there are.
 */
import { CompiledRegion, CompiledRule, CompiledSegment, CompiledTargetPart, OF_ANY_REGION, OF_REQUEST_REGION } from './types';
import { lowerSegment } from './url';

/**
 * A rule target with a request's values filled in (no query string): the
 * placeholders' segments lower-cased, the splat as sent, `:store` and
 * `:landing` of `region` unless the part names its own. The rule's source
 * matched `segments` from `from` on.
 */
export function fillTarget(
  target: readonly CompiledTargetPart[],
  segments: readonly string[],
  from: number,
  region: number,
  regions: readonly CompiledRegion[],
): string {
  let out = '';
  for (const part of target) {
    if ('text' in part) out += part.text;
    else if ('segment' in part) out += lowerSegment(segments[from + part.segment]);
    else if ('splat' in part) out += segments.slice(from + part.splat).join('/');
    else if ('store' in part) out += regions[part.store < 0 ? region : part.store].url;
    else out += regions[part.landing < 0 ? region : part.landing].landing;
  }
  return out;
}

/** A placeholder's glob alternatives, split once: the exact words, and the prefixes of those ending in `*`. */
interface Globs {
  readonly exact: readonly string[];
  readonly prefixes: readonly string[];
}

function compileGlobs(globs: readonly string[]): Globs {
  return { exact: globs.filter((g) => !g.endsWith('*')), prefixes: globs.filter((g) => g.endsWith('*')).map((g) => g.slice(0, -1)) };
}

/** Whether `segment` equals one of the exact words or starts with one of the prefixes. */
function globsMatch(globs: Globs, segment: string): boolean {
  for (const p of globs.prefixes) if (segment.startsWith(p)) return true;
  return globs.exact.includes(segment);
}

/** `text.split('/')`, remembered per text: a rewrite's target texts are few and fixed. */
const splits = new Map<string, readonly string[]>();
function splitText(text: string): readonly string[] {
  let pieces = splits.get(text);
  if (pieces === undefined) splits.set(text, (pieces = text.split('/')));
  return pieces;
}

/**
 * The path a rewrite (200) rule's target makes of a request, as segments:
 * `fillTarget`'s result split at `/`, empty segments dropped, without
 * building and splitting the whole string.
 */
export function fillSegments(target: readonly CompiledTargetPart[], segments: readonly string[], from: number): string[] {
  const out: string[] = [];
  let current = '';
  const cut = (): void => {
    if (current !== '') out.push(current);
    current = '';
  };
  for (const part of target) {
    if ('text' in part) {
      const pieces = splitText(part.text);
      current += pieces[0];
      for (let i = 1; i < pieces.length; i++) {
        cut();
        current = pieces[i];
      }
    } else if ('segment' in part) {
      current += lowerSegment(segments[from + part.segment]);
    } else if ('splat' in part) {
      for (let i = from + part.splat; i < segments.length; i++) {
        if (i > from + part.splat) cut();
        current += segments[i];
      }
    }
    // A rewrite's target is a path: the loader refuses :store and :landing there.
  }
  cut();
  return out;
}

/** What a placeholder child of a trie node accepts. */
interface Edge {
  readonly segment: Exclude<CompiledSegment, { literal: string }>;
  /** Of an `any` placeholder with globs: them, compiled. */
  readonly globs: Globs | undefined;
  readonly key: string;
  readonly node: TrieNode;
}

class TrieNode {
  readonly literals = new Map<string, TrieNode>();
  readonly edges: Edge[] = [];
  /** Rules whose source ends here, in file order. */
  readonly exact: number[] = [];
  /** Rules whose source ends here in `*`, in file order. */
  readonly splat: number[] = [];
  /** The least and greatest rule index in this subtree. */
  min = Infinity;
  max = -1;

  child(segment: CompiledSegment): TrieNode {
    if ('literal' in segment) {
      let node = this.literals.get(segment.literal);
      if (!node) this.literals.set(segment.literal, (node = new TrieNode()));
      return node;
    }
    const key = JSON.stringify(segment);
    let edge = this.edges.find((e) => e.key === key);
    if (!edge) {
      const globs = segment.type === 'any' && segment.globs !== undefined ? compileGlobs(segment.globs) : undefined;
      this.edges.push((edge = { segment, globs, key, node: new TrieNode() }));
    }
    return edge.node;
  }
}

/** The request a search is for. */
export interface RuleQuery {
  /** The path's canonical segments, lower-cased. */
  readonly segments: readonly string[];
  /** Where the path the rules match starts in `segments` (after a region segment). */
  readonly from: number;
  /** The request's region (index into the tables' regions). */
  readonly region: number;
  /** The viewer's country, normalised (`''` when unknown). */
  readonly country: string;
  /** Only rules after this index count (a rewrite continues below itself). */
  readonly after: number;
}

/** The outcome of a search. */
export interface RuleMatch {
  /** Index of the first matching rule, or -1. */
  rule: number;
  /** Whether a rule limited to some countries was weighed (the answer then depends on the visitor's country). */
  countryWeighed: boolean;
  /** Whether a placeholder of the request's region's catalogue was weighed. */
  regionWeighed: boolean;
}

export class RuleIndex {
  /** Rules of the path within a region. */
  private readonly regional = new TrieNode();
  /** Rules of a hostname's whole path, by configured hostname. */
  private readonly byHost = new Map<string, TrieNode>();
  private readonly regionNames: ReadonlyMap<string, number>;
  private readonly products: readonly ReadonlySet<string>[];
  private readonly anyProducts: ReadonlySet<string>;

  constructor(
    readonly rules: readonly CompiledRule[],
    regions: readonly CompiledRegion[],
  ) {
    this.regionNames = new Map(regions.map((r, i) => [r.name, i]));
    this.products = regions.map((r) => new Set(r.products));
    this.anyProducts = new Set(regions.flatMap((r) => r.products));
    rules.forEach((rule, index) => {
      let root = this.regional;
      if (rule.host !== undefined) {
        root = this.byHost.get(rule.host) ?? new TrieNode();
        this.byHost.set(rule.host, root);
      }
      const path: TrieNode[] = [root];
      let node = root;
      for (const segment of rule.segments) path.push((node = node.child(segment)));
      (rule.splat ? node.splat : node.exact).push(index);
      for (const n of path) {
        n.min = Math.min(n.min, index);
        n.max = Math.max(n.max, index);
      }
    });
  }

  /** Whether any rule is scoped to `host` (a configured hostname). */
  hasHostRules(host: string): boolean {
    return this.byHost.has(host);
  }

  /** The least index of the rules of the path within a region (Infinity: none). */
  get firstRegional(): number {
    return this.regional.min;
  }

  /** The first rule of `host` (undefined: the rules within a region) that matches. */
  search(host: string | undefined, query: RuleQuery, best = Infinity): RuleMatch {
    const match: RuleMatch = { rule: -1, countryWeighed: false, regionWeighed: false };
    const root = host === undefined ? this.regional : this.byHost.get(host);
    if (root !== undefined) {
      const found = this.walk(root, query, query.from, best, match);
      if (found < best) match.rule = found;
    }
    return match;
  }

  /** The least index below `best` of a rule under `node` matching the segments from `depth` on; `best` when none. */
  private walk(node: TrieNode, q: RuleQuery, depth: number, best: number, match: RuleMatch): number {
    if (node.min >= best || node.max <= q.after) return best;
    best = this.firstAllowed(node.splat, q, best, match);
    if (depth === q.segments.length) return this.firstAllowed(node.exact, q, best, match);
    const segment = q.segments[depth];
    const literal = node.literals.get(segment);
    if (literal !== undefined) best = this.walk(literal, q, depth + 1, best, match);
    for (const edge of node.edges) {
      if (edge.node.min < best && this.accepts(edge, segment, q.region, match)) best = this.walk(edge.node, q, depth + 1, best, match);
    }
    return best;
  }

  /** The first of `indexes` (ascending) after `q.after` and below `best` whose countries admit the visitor. */
  private firstAllowed(indexes: readonly number[], q: RuleQuery, best: number, match: RuleMatch): number {
    for (const i of indexes) {
      if (i >= best) break;
      if (i <= q.after) continue;
      const { countries } = this.rules[i];
      if (countries === undefined) return i;
      match.countryWeighed = true;
      if (countries.includes(q.country)) return i;
    }
    return best;
  }

  private accepts(edge: Edge, segment: string, region: number, match: RuleMatch): boolean {
    const placeholder = edge.segment;
    switch (placeholder.type) {
      case 'any':
        return edge.globs === undefined || globsMatch(edge.globs, segment);
      case 'region':
        return this.regionNames.has(segment);
      case 'product':
        if (placeholder.of === OF_ANY_REGION) return this.anyProducts.has(segment);
        if (placeholder.of === OF_REQUEST_REGION) {
          match.regionWeighed = true;
          return this.products[region].has(segment);
        }
        return this.products[placeholder.of].has(segment);
    }
  }
}
