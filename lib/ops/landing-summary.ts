/**
 * Where traffic lands: the summary `replay` ends with. Every decision (a
 * rule name and how many requests it took) falls into a category (bulk
 * entry, product page, landing, support, fallback, ...); the summary counts
 * requests and distinct URLs per category. For decision logs, the hits per
 * rule as logged and the configured rules that were never hit.
 *
 * Everything here is pure except `configuredRuleNames`, which only reads the
 * loaded config it is given.
 */
import type { LoadedConfig } from '../config/load';

/** How the engine joins the hops of an internal chain in a rule name. */
const HOP_SEPARATOR = ' > ';

/** The last hop of a rule name (`a > b > c` is `c`); the name itself when it has one hop. */
export function lastHop(rule: string): string {
  const at = rule.lastIndexOf(HOP_SEPARATOR);
  return at < 0 ? rule : rule.slice(at + HOP_SEPARATOR.length);
}

/** Every hop of a rule name, in order. */
export function hops(rule: string): string[] {
  return rule.split(HOP_SEPARATOR);
}

/** Human labels of the rules file's rule names (and of today's `default:` rules); any other name is its own category. */
const RULE_LABELS: Readonly<Record<string, string>> = {
  'product-page': 'product page or subpage',
  'product-subpage': 'product page or subpage',
  'unknown-product': 'landing: unknown product',
  'no-match': 'landing: nothing matched',
  landing: 'landing (home)',
  support: 'support',
};

/** Today's engine's own rules (before the rules file), by full name. */
const DEFAULT_LABELS: Readonly<Record<string, string>> = {
  'default:home': 'landing (home)',
  'default:product': 'product page or subpage',
  'default:support': 'support',
  'default:frozen-passthrough': 'frozen passthrough',
};

/** The category of an unnamed rule of the rules file (`rule:<file>:<line>`). */
export const UNNAMED_RULE = 'unnamed rule';

/**
 * The landing category of a decision's rule name. A chain of internal hops
 * (`a > b > c`) is categorised by its last hop, where the visitor lands.
 *
 * - `bulk:<file>:<line>`: "bulk entry"
 * - `rule:<name>@<file>:<line>`: the rule's name, through `RULE_LABELS`
 *   (`product-page` is "product page or subpage", ...); `rule:<file>:<line>`
 *   (no name): "unnamed rule"
 * - `default:home`, `default:product`, `default:support`: as the rules
 *   `landing`, `product-page`, `support`; `default:frozen-passthrough`:
 *   "frozen passthrough"
 * - `fallback:<reason>`: "fallback"; `origin:<...>`: "origin (frozen site)";
 *   `respond:<...>`: "respond"
 * - anything else: the hop itself
 */
export function categoryOf(rule: string): string {
  const hop = lastHop(rule).trim();
  if (hop.startsWith('bulk:')) return 'bulk entry';
  if (hop.startsWith('rule:')) {
    const rest = hop.slice(5);
    const at = rest.indexOf('@');
    const name = at < 0 ? '' : rest.slice(0, at);
    // A name holds no ':' or '/'; an '@' in a file name (rule:dir/a@b.json:3) is no name.
    if (name === '' || /[:/]/.test(name)) return UNNAMED_RULE;
    return RULE_LABELS[name] ?? name;
  }
  const known = DEFAULT_LABELS[hop];
  if (known) return known;
  if (hop.startsWith('fallback:')) return 'fallback';
  if (hop.startsWith('origin:')) return 'origin (frozen site)';
  if (hop.startsWith('respond:')) return 'respond';
  return hop;
}

/** One distinct URL's decision: its rule and how many requests it had. */
export interface DecisionCount {
  readonly rule: string;
  readonly hits: number;
}

export interface LandingRow {
  readonly category: string;
  readonly requests: number;
  /** Distinct URLs (decisions given to `summarise`) in the category. */
  readonly distinct: number;
}

export interface LandingSummary {
  /** By requests, most first, then by category. */
  readonly rows: readonly LandingRow[];
  readonly total: { readonly requests: number; readonly distinct: number };
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Requests and distinct URLs per category; each decision given is one distinct URL. */
export function summarise(decisions: Iterable<DecisionCount>): LandingSummary {
  const rows = new Map<string, { requests: number; distinct: number }>();
  let requests = 0;
  let distinct = 0;
  for (const d of decisions) {
    const category = categoryOf(d.rule);
    let row = rows.get(category);
    if (!row) rows.set(category, (row = { requests: 0, distinct: 0 }));
    row.requests += d.hits;
    row.distinct++;
    requests += d.hits;
    distinct++;
  }
  return {
    rows: [...rows].map(([category, r]) => ({ category, ...r })).sort((a, b) => b.requests - a.requests || byName(a.category, b.category)),
    total: { requests, distinct },
  };
}

/** `part` of `whole` as a percentage with one decimal; `-` when the whole is 0. */
function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((part * 100) / whole).toFixed(1)}%`;
}

/** Columns: left-aligned first, right-aligned others, two spaces apart, no trailing spaces. */
function table(rows: readonly (readonly string[])[], indent: string): string {
  const widths = rows[0].map((_, i) => rows.reduce((w, r) => Math.max(w, r[i].length), 0));
  return rows
    .map(
      (r) =>
        indent +
        r
          .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
          .join('  ')
          .trimEnd() +
        '\n',
    )
    .join('');
}

/**
 * The summary as text: `heading` on its own line, then a table of category,
 * requests, % of requests, distinct URLs, % of distinct, and a total row.
 */
export function renderSummary(summary: LandingSummary, heading: string): string {
  const { requests, distinct } = summary.total;
  const rows = [
    ['category', 'requests', '%', 'distinct URLs', '%'],
    ...summary.rows.map((r) => [
      r.category,
      String(r.requests),
      percent(r.requests, requests),
      String(r.distinct),
      percent(r.distinct, distinct),
    ]),
    ['total', String(requests), percent(requests, requests), String(distinct), percent(distinct, distinct)],
  ];
  return `${heading}\n${table(rows, '  ')}`;
}

export interface RuleHit {
  readonly rule: string;
  readonly hits: number;
}

export interface RuleHits {
  /** Every rule name seen, most hits first, then by name. */
  readonly hits: readonly RuleHit[];
  /** Configured rules that no decision named (as any hop of a chain), sorted. */
  readonly neverHit: readonly string[];
}

/**
 * Hits per rule name as the decisions give it (a chain counts under its
 * whole name), and which of `configured` no hop of any decision named.
 */
export function ruleHits(decisions: Iterable<DecisionCount>, configured: Iterable<string>): RuleHits {
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  for (const d of decisions) {
    counts.set(d.rule, (counts.get(d.rule) ?? 0) + d.hits);
    for (const hop of hops(d.rule)) seen.add(hop);
  }
  return {
    hits: [...counts].map(([rule, hits]) => ({ rule, hits })).sort((a, b) => b.hits - a.hits || byName(a.rule, b.rule)),
    neverHit: [...new Set(configured)].filter((r) => !seen.has(r)).sort(byName),
  };
}

/** How many never-hit rules `renderRuleHits` lists by name. */
export const NEVER_HIT_SHOWN = 50;

/**
 * Hits per rule (all of them) and the rules never hit (at most `cap`, then
 * "... and N more"), as text; `prefix` starts each heading line.
 */
export function renderRuleHits(r: RuleHits, prefix = '', cap = NEVER_HIT_SHOWN): string {
  let text = `${prefix}hits per rule (${r.hits.length} rule${r.hits.length === 1 ? '' : 's'} seen):\n`;
  const width = r.hits.reduce((w, h) => Math.max(w, String(h.hits).length), 0);
  for (const h of r.hits) text += `  ${String(h.hits).padStart(width)}  ${h.rule}\n`;
  text += `${prefix}rules never hit: ${r.neverHit.length}${r.neverHit.length ? ':' : ''}\n`;
  for (const rule of r.neverHit.slice(0, cap)) text += `  ${rule}\n`;
  if (r.neverHit.length > cap) text += `  ... and ${r.neverHit.length - cap} more\n`;
  return text;
}

/**
 * The names of every configured rule, as the engine names them in its
 * decisions: each rule of the rules file (`rule:<name>@<file>:<line>`), in
 * file order, then `bulk:<file>:<line>` for each bulk list entry.
 */
export function configuredRuleNames(config: Pick<LoadedConfig, 'entries' | 'tables'>): string[] {
  const file = config.tables.bulk.file;
  return [...config.tables.rules.map((r) => r.id), ...config.entries.map((e) => `bulk:${file}:${e.line}`)];
}
