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
import * as os from 'os';
import * as path from 'path';
import { BULK_INCLUDE_SUBDOMAINS, BULK_PRESERVE_QUERY, BULK_SUBPATH_MATCHING, CompiledTables, Decision, RedirectEngine } from '../../lambda/engine';
import { withoutBulkColumns } from '../edge/bundle';
import { intOption, parseArgs, stringOption, UsageError } from '../cli/args';
import { Command, OpsError } from '../cli/command';
import { CliIo, writeFileWhole } from '../cli/io';
import { PROJECT_ROOT } from '../config/load';
import { outcomeOf, ruleText, ruleWalk } from '../rules/probes';
import { RuleSet, sourcesOf } from '../rules/redirect-changes';
import { Assembly, readAssembly, synthContext, synthesize, Template } from './assembly';
import { renderHtml, renderMarkdown } from './report-render';

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
    /** The behavior's CloudFront Functions: event and what the function's comment says it does. */
    readonly viewerFunctions: readonly { readonly event: string; readonly name: string }[];
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
  readonly regions: readonly { readonly name: string; readonly kind: string; readonly url: string; readonly countries: readonly string[] }[];
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
 * The comment of the CloudFront Function an association's `FunctionARN`
 * names: a resource of the site's own template (`Fn::GetAtt`), or of the
 * parent's, reached through the nested stack's parameter (`Ref`).
 */
function functionComment(arn: Template, site: Template, parent: Template | undefined): string {
  const commentOf = (t: Template | undefined, id: unknown): string | undefined => {
    const fn = typeof id === 'string' ? t?.Resources?.[id] : undefined;
    return fn?.Type === 'AWS::CloudFront::Function' ? String(fn.Properties?.FunctionConfig?.Comment ?? '') : undefined;
  };
  const own = commentOf(site, arn?.['Fn::GetAtt']?.[0]);
  if (own !== undefined) return own;
  const param = arn?.Ref;
  for (const r of Object.values<Template>(parent?.Resources ?? {})) {
    const value = r.Type === 'AWS::CloudFormation::Stack' ? r.Properties?.Parameters?.[param] : undefined;
    const found = value === undefined ? undefined : commentOf(parent, value['Fn::GetAtt']?.[0] ?? value.Ref);
    if (found !== undefined) return found;
  }
  return 'a CloudFront Function';
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
      viewerFunctions: associations.map((a) => ({ event: String(a.EventType), name: functionComment(a.FunctionARN, t, parent).replace(/^po\.co sunset: /, '') })),
      origin: typeof origin.DomainName === 'string' ? origin.DomainName : origin.S3OriginConfig || origin.OriginAccessControlId ? 'S3 bucket (snapshot, through OAC)' : 'unknown',
    };
  }
  return undefined;
}

function ruleRow(engine: RedirectEngine, host: string, p: string, country: string): RuleRow {
  const d: Decision = engine.decide({ method: 'GET', scheme: 'https', host, path: p, query: '', country });
  return { url: `https://${host}${p}`, country, outcome: outcomeOf(d), rule: d.rule };
}

/** Collects the report's content from an assembly (which must hold the function package). */
export function reportData(assembly: Assembly, maxEntries: number): ReportData {
  const rules: RuleSet | undefined = assembly.rules;
  if (!rules) throw new OpsError(`${assembly.label} holds no redirect function package (index.js and bulk.bin); give a full cdk.out`);
  const tables: CompiledTables = rules.tables;
  const engine = new RedirectEngine(tables, rules.bulk);
  const byName = new Map([...assembly.names].map(([file, name]) => [name, assembly.templates.get(file)!]));
  const parent = [...assembly.names.values()].find((n) => !n.includes('/')) ?? '';
  const sites: SiteRow[] = tables.sites.map((s) => ({
    name: s.name,
    mode: s.mode,
    hostnames: tables.hosts.filter(([, i]) => tables.sites[i] === s).map(([h]) => h),
    region: s.region === undefined ? undefined : tables.regions[s.region].name,
    distribution: byName.has(`${parent}/Site-${s.name}`) ? distributionOf(byName.get(`${parent}/Site-${s.name}`)!, byName.get(parent)) : undefined,
  }));
  const regions = tables.regions.map((r, i) => ({ name: r.name, kind: r.kind, url: r.url, countries: tables.countries.filter(([, ri]) => ri === i).map(([c]) => c) }));

  const hosts: ReportData['hosts'][number][] = [];
  const ruleExamples: RuleExample[] = [];
  const walk = ruleWalk(tables);
  const ruleIndex = new Map(tables.rules.map((r, i) => [r.id, i]));
  for (const step of walk) {
    if (step.rule !== undefined) continue;
    hosts.push({ ...ruleRow(engine, step.host, step.path, step.country), ...(step.host !== step.hostname ? { stands: step.hostname } : {}) });
  }
  tables.rules.forEach((rule, k) => {
    const text = ruleText(rule, tables.regions);
    const steps = walk.filter((s) => s.rule === k);
    if (steps.length === 0) {
      ruleExamples.push({ rule: rule.id, text, url: '', country: '', outcome: '', answeredBy: '', flag: 'no example: no hostname where it can match (a :product whose region\'s catalogue lists nothing, or an earlier rule takes every path)' });
    }
    for (const step of steps) {
      const row = ruleRow(engine, step.host, step.path, step.country);
      const first = row.rule.split(' > ')[0];
      const at = ruleIndex.get(first);
      const flag =
        first === rule.id
          ? ''
          : first.startsWith('bulk:')
            ? 'a bulk entry answers first'
            : at !== undefined && at < k
              ? 'an earlier rule answers first'
              : rule.status === 200
                ? 'a rewrite (200): a rule below answers the rewritten path'
                : 'another rule answers';
      ruleExamples.push({ rule: rule.id, text, url: row.url, ...(step.host !== step.hostname ? { stands: step.hostname } : {}), country: row.country, outcome: row.outcome, answeredBy: row.rule, flag });
    }
  });

  // Every entry: decided at its own source; what wins there, and what the rules file alone would say.
  const noBulk = new RedirectEngine(withoutBulkColumns(tables));
  const bulk: ReportData['bulk'][number][] = [];
  const findings: Finding[] = [];
  const file = rules.bulk.file;
  for (const src of [...sourcesOf(rules).values()].sort((a, b) => a.line - b.line)) {
    const own = `bulk:${file}:${src.line}`;
    const d = engine.decide({ method: 'GET', scheme: 'https', host: src.host, path: src.path, query: '', country: '' });
    const row = { line: src.line, source: src.key, url: `https://${src.host}${src.path}`, country: '', outcome: outcomeOf(d), rule: d.rule };
    if (bulk.length < maxEntries) bulk.push(row);
    if (src.scheme === 'http') {
      findings.push({ line: src.line, source: src.key, kind: 'unreachable', detail: 'an http:// source never matches: CloudFront redirects HTTP to HTTPS before the function runs. Write it without a scheme, or with https://.' });
      continue;
    }
    if (d.rule !== own && !d.rule.startsWith(own + ' > ')) {
      findings.push({ line: src.line, source: src.key, kind: 'shadowed', detail: `at ${row.url} the answer comes from ${d.rule} (${row.outcome}), not from this line.` });
      continue;
    }
    const rulesAlone = noBulk.decide({ method: 'GET', scheme: 'https', host: src.host, path: src.path, query: '', country: '' });
    if ((src.meta & (BULK_SUBPATH_MATCHING | BULK_PRESERVE_QUERY | BULK_INCLUDE_SUBDOMAINS)) === 0 && outcomeOf(rulesAlone) === row.outcome) {
      // Only for entries that decide their own URL and nothing else: subpaths, queries and subdomains could make them matter elsewhere.
      findings.push({ line: src.line, source: src.key, kind: 'redundant', detail: `the rules file already answers ${row.outcome} at ${row.url} (${rulesAlone.rule}).` });
    }
  }
  return {
    label: assembly.label,
    stacks: [...assembly.names.values()].sort(),
    sites,
    regions,
    defaultRegion: tables.regions[tables.defaultRegion].name,
    hosts,
    rules: ruleExamples,
    bulkFile: file,
    bulkTotal: rules.bulk.size,
    bulk,
    findings,
  };
}

/** Where `npm run report` writes, unless told otherwise (git-ignored). */
export const DEFAULT_REPORT_DIR = path.join(PROJECT_ROOT, 'report');

export const reportCommand: Command = {
  name: 'report',
  summary: 'a static HTML page and the same as Markdown: sites, distributions, stores, every rule with an example, findings, a diagram',
  usage: `Usage: npm run report -- [--app DIR] [--out DIR] [--max-entries N] [--stage S] [--redirects FILE] [--sites FILE] [--stages FILE]

Synthesizes the app (or reads --app DIR, a cdk.out) and writes DIR/index.html
and DIR/report.md: sites, hostnames and their distributions, regions and their
stores, each hostname at its root (each country at the root of region-path
sites), every rule of the rules file with an example URL, where it goes and
the rule that answered (flagged when that is not the rule itself, such as an
earlier rule), every bulk entry with where it goes, the entries that are
shadowed, unreachable or redundant (the rules file already answers the same), and a diagram of hostnames → distributions →
function → stores. The page needs no server and loads nothing from outside.

Options:
  --out DIR          where to write                           [report/]
  --max-entries N    bulk entries listed (findings cover all)  [2000]
  --app DIR          an already synthesized cdk.out
  --stage S, --redirects FILE, --sites FILE, --stages FILE    passed to synth as -c

Exit status: 0; 1 when the synth fails; 2 on bad options.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, { app: 'string', out: 'string', 'max-entries': 'string', stage: 'string', redirects: 'string', sites: 'string', stages: 'string' });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    const maxEntries = intOption(args.options['max-entries'], 'max-entries', 2000, 0, 10_000_000);
    const out = path.resolve(stringOption(args.options.out) ?? DEFAULT_REPORT_DIR);
    let assembly: Assembly;
    const app = stringOption(args.options.app);
    let cleanup = (): void => undefined;
    if (app) {
      assembly = readAssembly(app, app);
    } else {
      const context = synthContext(args.options);
      io.stderr.write('report: synthesizing the working tree\n');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-report-'));
      cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
      try {
        synthesize(PROJECT_ROOT, dir, context, 'the working tree');
        assembly = readAssembly(dir, 'the working tree');
      } catch (err) {
        cleanup();
        throw err;
      }
    }
    try {
      const data = reportData(assembly, maxEntries);
      fs.mkdirSync(out, { recursive: true });
      writeFileWhole(path.join(out, 'index.html'), renderHtml(data));
      writeFileWhole(path.join(out, 'report.md'), renderMarkdown(data));
      io.stdout.write(`report: ${data.sites.length} sites, ${new Set(data.rules.map((r) => r.rule)).size} rules (${data.rules.length} examples), ${data.hosts.length} hostname roots, ${data.bulkTotal} bulk entries (${data.bulk.length} listed), ${data.findings.length} findings\n`);
      io.stdout.write(`report: wrote ${path.join(out, 'index.html')} and ${path.join(out, 'report.md')}\n`);
      return 0;
    } finally {
      cleanup();
    }
  },
};
