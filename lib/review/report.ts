/**
 * `npm run report`: a static page (HTML, and the same content as Markdown)
 * a reviewer opens with no server: sites, hostnames, distributions, regions
 * and their stores, every rule with an example URL and where it goes, the
 * bulk entries that are shadowed, unreachable or redundant, and a diagram of
 * hostnames → distributions → function → stores. Built from a synthesized
 * assembly: the distributions from its templates, the rules from the
 * function package it holds, so the report shows what would be deployed.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  BULK_INCLUDE_SUBDOMAINS,
  BULK_PRESERVE_QUERY,
  BULK_SUBPATH_MATCHING,
  CompiledRule,
  CompiledTables,
  Decision,
  RedirectEngine,
} from '../../lambda/engine';
import { withoutBulkColumns } from '../config/compile';
import { PROJECT_ROOT } from '../config/load';
import { OpsError } from '../config/problems';
import { outcomeOf, ruleText, ruleWalk, WalkStep } from '../rules/probes';
import { RuleSet, Source, sourcesOf } from '../rules/redirect-changes';
import type { Assembly, Template } from './assembly';

export interface SiteRow {
  readonly name: string;
  readonly mode: string;
  readonly hostnames: readonly string[];
  /** The region of a region-host site. */
  readonly region?: string;
  readonly distribution?: {
    readonly logicalId: string;
    readonly aliases: readonly string[];
    readonly priceClass: string;
    /** `origin-request` for redirect sites; undefined for the frozen site. */
    readonly functionEvent?: string;
    /** Each CloudFront Function: its event, its name (the comment), and whether it reads a key value store. */
    readonly viewerFunctions: readonly { readonly event: string; readonly name: string; readonly keyValueStore: boolean }[];
    readonly origin: string;
  };
}

export interface RuleRow {
  readonly url: string;
  readonly country: string;
  readonly outcome: string;
  readonly rule: string;
}

/** A rule of the rules file at work: one example request and what answered it. */
export interface RuleExample {
  /** The rule's id (`rule:<name>@<file>:<line>`). */
  readonly rule: string;
  /** The rule as a line of the rules file. */
  readonly text: string;
  /** The example URL (for a wildcard hostname, its sample name); `''` when the rule has none. */
  readonly url: string;
  /** The configured hostname a sample name stands for (`*.po.co`). */
  readonly stands?: string;
  readonly country: string;
  readonly outcome: string;
  /** The rule that answered (a bulk entry included). */
  readonly answeredBy: string;
  /** `''` when the rule answered its own example; otherwise why not (an earlier rule answers first, ...). */
  readonly flag: string;
}

export interface Finding {
  readonly line: number;
  readonly source: string;
  readonly kind: 'unreachable' | 'shadowed' | 'redundant';
  readonly detail: string;
}

export interface ReportData {
  readonly label: string;
  readonly stacks: readonly string[];
  readonly sites: readonly SiteRow[];
  readonly regions: readonly {
    readonly name: string;
    readonly kind: string;
    readonly url: string;
    readonly countries: readonly string[];
  }[];
  readonly defaultRegion: string;
  /** Each hostname at its root: with no country, and each configured country on region-path sites. */
  readonly hosts: readonly (RuleRow & { readonly stands?: string })[];
  /** Every rule of the rules file, in file order, with its examples. */
  readonly rules: readonly RuleExample[];
  readonly bulkFile: string;
  readonly bulkTotal: number;
  /** The first `maxEntries` bulk entries in file order. */
  readonly bulk: readonly (RuleRow & { readonly line: number; readonly source: string })[];
  readonly findings: readonly Finding[];
}

/**
 * The CloudFront Function an association's `FunctionARN` names: a resource of
 * the site's own template (`Fn::GetAtt`), or of the parent's, reached through
 * the nested stack's parameter (`Ref`).
 */
function functionResource(arn: Template, site: Template, parent: Template | undefined): Template | undefined {
  const fnOf = (t: Template | undefined, id: unknown): Template | undefined => {
    const fn = typeof id === 'string' ? t?.Resources?.[id] : undefined;
    return fn?.Type === 'AWS::CloudFront::Function' ? fn : undefined;
  };
  const own = fnOf(site, arn?.['Fn::GetAtt']?.[0]);
  if (own !== undefined) return own;
  const param = arn?.Ref;
  for (const r of Object.values<Template>(parent?.Resources ?? {})) {
    const value = r.Type === 'AWS::CloudFormation::Stack' ? r.Properties?.Parameters?.[param] : undefined;
    const found = value === undefined ? undefined : fnOf(parent, value['Fn::GetAtt']?.[0] ?? value.Ref);
    if (found !== undefined) return found;
  }
  return undefined;
}

function distributionOf(t: Template, parent: Template | undefined): SiteRow['distribution'] {
  for (const [id, r] of Object.entries<Template>(t.Resources ?? {})) {
    if (r.Type !== 'AWS::CloudFront::Distribution') continue;
    const c = r.Properties?.DistributionConfig ?? {};
    const origin = c.Origins?.[0] ?? {};
    const associations: Template[] = c.DefaultCacheBehavior?.FunctionAssociations ?? [];
    return {
      logicalId: id,
      aliases: c.Aliases ?? [],
      priceClass: String(c.PriceClass ?? ''),
      functionEvent: c.DefaultCacheBehavior?.LambdaFunctionAssociations?.[0]?.EventType,
      viewerFunctions: associations.map((a) => {
        const fn = functionResource(a.FunctionARN, t, parent);
        return {
          event: String(a.EventType),
          name:
            fn === undefined
              ? 'a CloudFront Function'
              : String(fn.Properties?.FunctionConfig?.Comment ?? '').replace(/^po\.co sunset: /, ''),
          keyValueStore: (fn?.Properties?.FunctionConfig?.KeyValueStoreAssociations ?? []).length > 0,
        };
      }),
      origin:
        typeof origin.DomainName === 'string'
          ? origin.DomainName
          : origin.S3OriginConfig || origin.OriginAccessControlId
            ? 'S3 bucket (snapshot, through OAC)'
            : 'unknown',
    };
  }
  return undefined;
}

function ruleRow(engine: RedirectEngine, host: string, p: string, country: string): RuleRow {
  const d: Decision = engine.decide({ method: 'GET', scheme: 'https', host, path: p, query: '', country });
  return { url: `https://${host}${p}`, country, outcome: outcomeOf(d), rule: d.rule };
}

/** `{ stands }` when a walk step sent a wildcard's sample name for its configured hostname; nothing otherwise. */
function standsFor(step: WalkStep): { stands?: string } {
  return step.host !== step.hostname ? { stands: step.hostname } : {};
}

/** Each site with its hostnames, its region and the distribution its nested stack holds. */
function siteRows(assembly: Assembly, tables: CompiledTables): SiteRow[] {
  const byName = new Map([...assembly.names].map(([file, name]) => [name, assembly.templates.get(file)!]));
  const parent = [...assembly.names.values()].find((n) => !n.includes('/')) ?? '';
  return tables.sites.map((s) => ({
    name: s.name,
    mode: s.mode,
    hostnames: tables.hosts.filter(([, i]) => tables.sites[i] === s).map(([h]) => h),
    region: s.region === undefined ? undefined : tables.regions[s.region].name,
    distribution: byName.has(`${parent}/Site-${s.name}`)
      ? distributionOf(byName.get(`${parent}/Site-${s.name}`)!, byName.get(parent))
      : undefined,
  }));
}

function regionRows(tables: CompiledTables): ReportData['regions'][number][] {
  return tables.regions.map((r, i) => ({
    name: r.name,
    kind: r.kind,
    url: r.url,
    countries: tables.countries.filter(([, ri]) => ri === i).map(([c]) => c),
  }));
}

/** The walk's steps that are no rule's example: each hostname at its root. */
function hostRows(engine: RedirectEngine, walk: readonly WalkStep[]): ReportData['hosts'][number][] {
  return walk
    .filter((step) => step.rule === undefined)
    .map((step) => ({ ...ruleRow(engine, step.host, step.path, step.country), ...standsFor(step) }));
}

const NO_EXAMPLE =
  "no example: no hostname where it can match (a :product whose region's catalogue lists nothing, or an earlier rule takes every path)";

/** Why the `k`th rule did not answer its own example, which `answeredBy` answered; `''` when it did. */
function exampleFlag(rule: CompiledRule, k: number, answeredBy: string, ruleIndex: ReadonlyMap<string, number>): string {
  const first = answeredBy.split(' > ')[0];
  const at = ruleIndex.get(first);
  if (first === rule.id) return '';
  if (first.startsWith('bulk:')) return 'a bulk entry answers first';
  if (at !== undefined && at < k) return 'an earlier rule answers first';
  return rule.status === 200 ? 'a rewrite (200): a rule below answers the rewritten path' : 'another rule answers';
}

/** Every rule of the rules file, in file order, with each of its examples decided (one row saying so when it has none). */
function ruleExamples(engine: RedirectEngine, tables: CompiledTables, walk: readonly WalkStep[]): RuleExample[] {
  const ruleIndex = new Map(tables.rules.map((r, i) => [r.id, i]));
  return tables.rules.flatMap((rule, k): RuleExample[] => {
    const text = ruleText(rule, tables.regions);
    const steps = walk.filter((s) => s.rule === k);
    if (steps.length === 0) return [{ rule: rule.id, text, url: '', country: '', outcome: '', answeredBy: '', flag: NO_EXAMPLE }];
    return steps.map((step) => {
      const row = ruleRow(engine, step.host, step.path, step.country);
      return {
        rule: rule.id,
        text,
        url: row.url,
        ...standsFor(step),
        country: row.country,
        outcome: row.outcome,
        answeredBy: row.rule,
        flag: exampleFlag(rule, k, row.rule, ruleIndex),
      };
    });
  });
}

type BulkRow = ReportData['bulk'][number];

/**
 * What is wrong with a bulk entry decided at its own source (`row`), if
 * anything: an http:// source never matches; another rule or entry answers
 * first (shadowed); or the rules file alone (`noBulk`) answers the same.
 */
function bulkFinding(src: Source, row: BulkRow, own: string, noBulk: RedirectEngine): Finding | undefined {
  const at = { line: src.line, source: src.key };
  if (src.scheme === 'http') {
    return {
      ...at,
      kind: 'unreachable',
      detail:
        'an http:// source never matches: CloudFront redirects HTTP to HTTPS before the function runs. Write it without a scheme, or with https://.',
    };
  }
  if (row.rule !== own && !row.rule.startsWith(own + ' > '))
    return { ...at, kind: 'shadowed', detail: `at ${row.url} the answer comes from ${row.rule} (${row.outcome}), not from this line.` };
  const rulesAlone = noBulk.decide({ method: 'GET', scheme: 'https', host: src.host, path: src.path, query: '', country: '' });
  // Only for entries that decide their own URL and nothing else: subpaths, queries and subdomains could make them matter elsewhere.
  if ((src.meta & (BULK_SUBPATH_MATCHING | BULK_PRESERVE_QUERY | BULK_INCLUDE_SUBDOMAINS)) === 0 && outcomeOf(rulesAlone) === row.outcome) {
    return { ...at, kind: 'redundant', detail: `the rules file already answers ${row.outcome} at ${row.url} (${rulesAlone.rule}).` };
  }
  return undefined;
}

/** Every bulk entry decided at its own source, in file order: the first `maxEntries` as rows, and the findings over all of them. */
function bulkRows(engine: RedirectEngine, rules: RuleSet, maxEntries: number): { bulk: BulkRow[]; findings: Finding[] } {
  // What wins at each source, and what the rules file alone would say there.
  const noBulk = new RedirectEngine(withoutBulkColumns(rules.tables));
  const bulk: BulkRow[] = [];
  const findings: Finding[] = [];
  for (const src of [...sourcesOf(rules).values()].sort((a, b) => a.line - b.line)) {
    const d = engine.decide({ method: 'GET', scheme: 'https', host: src.host, path: src.path, query: '', country: '' });
    const row = {
      line: src.line,
      source: src.key,
      url: `https://${src.host}${src.path}`,
      country: '',
      outcome: outcomeOf(d),
      rule: d.rule,
    };
    if (bulk.length < maxEntries) bulk.push(row);
    const finding = bulkFinding(src, row, `bulk:${rules.bulk.file}:${src.line}`, noBulk);
    if (finding) findings.push(finding);
  }
  return { bulk, findings };
}

/** Collects the report's content from an assembly (which must hold the function package). */
export function reportData(assembly: Assembly, maxEntries: number): ReportData {
  const rules: RuleSet | undefined = assembly.rules;
  if (!rules) throw new OpsError(`${assembly.label} holds no redirect function package (index.js and bulk.bin); give a full cdk.out`);
  const tables: CompiledTables = rules.tables;
  const engine = new RedirectEngine(tables, rules.bulk);
  const walk = ruleWalk(tables);
  const { bulk, findings } = bulkRows(engine, rules, maxEntries);
  return {
    label: assembly.label,
    stacks: [...assembly.names.values()].sort(),
    sites: siteRows(assembly, tables),
    regions: regionRows(tables),
    defaultRegion: tables.regions[tables.defaultRegion].name,
    hosts: hostRows(engine, walk),
    rules: ruleExamples(engine, tables, walk),
    bulkFile: rules.bulk.file,
    bulkTotal: rules.bulk.size,
    bulk,
    findings,
  };
}

/** Where `npm run report` writes, unless told otherwise (git-ignored). */
export const DEFAULT_REPORT_DIR = path.join(PROJECT_ROOT, 'report');

/** A failure while writing files together: what failed, after the temporary files were removed. */
function writeFailure(dir: string, names: readonly string[], err: unknown): OpsError {
  const why = err instanceof Error ? err.message : String(err);
  return new OpsError(`could not write ${names.join(' and ')} in ${dir} (${why}); none of them was changed`);
}

/**
 * Writes files into `dir` all or none: each into a temporary file beside
 * it, then, when every target is a file or absent, each renamed over its
 * target (an old one kept beside it until all are in, and put back if a
 * rename fails). On any failure the temporary files are removed, the old
 * files are left as they were, and an `OpsError` says so.
 */
export function writeFilesTogether(dir: string, files: readonly { readonly name: string; readonly text: string }[]): void {
  const names = files.map((f) => f.name);
  const plan = files.map((f) => ({
    ...f,
    target: path.join(dir, f.name),
    tmp: path.join(dir, `.${f.name}.${process.pid}.tmp`),
    old: path.join(dir, `.${f.name}.${process.pid}.old`),
    hadOld: false,
    replaced: false,
  }));
  const removeAll = (which: (p: (typeof plan)[number]) => string): void => {
    for (const p of plan) fs.rmSync(which(p), { force: true });
  };
  try {
    for (const p of plan) fs.writeFileSync(p.tmp, p.text, { flag: 'wx' });
    for (const p of plan) {
      const st = fs.lstatSync(p.target, { throwIfNoEntry: false });
      if (st && !st.isFile()) throw new Error(`${p.target} is not a file`);
      p.hadOld = st !== undefined;
    }
    for (const p of plan) if (p.hadOld) fs.copyFileSync(p.target, p.old);
  } catch (err) {
    removeAll((p) => p.tmp);
    removeAll((p) => p.old);
    throw writeFailure(dir, names, err);
  }
  try {
    for (const p of plan) {
      fs.renameSync(p.tmp, p.target);
      p.replaced = true;
    }
  } catch (err) {
    for (const p of plan.filter((q) => q.replaced)) {
      if (p.hadOld) fs.renameSync(p.old, p.target);
      else fs.rmSync(p.target, { force: true });
    }
    removeAll((p) => p.tmp);
    removeAll((p) => p.old);
    throw writeFailure(dir, names, err);
  }
  removeAll((p) => p.old);
}
