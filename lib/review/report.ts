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
import { withoutBulkColumns } from '../bundle';
import { intOption, parseArgs, stringOption, UsageError } from '../cli/args';
import { Command, OpsError } from '../cli/command';
import { CliIo, writeFileWhole } from '../cli/io';
import { PROJECT_ROOT } from '../config/load';
import { outcomeOf, siteWalk, WALK_PATHS } from '../ops/probes';
import { RuleSet, sourcesOf } from '../ops/redirect-changes';
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
    readonly origin: string;
  };
}

export interface RuleRow {
  readonly url: string;
  readonly country: string;
  readonly outcome: string;
  readonly rule: string;
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
  readonly defaultRules: readonly RuleRow[];
  readonly bulkFile: string;
  readonly bulkTotal: number;
  /** The first `maxEntries` bulk entries in file order. */
  readonly bulk: readonly (RuleRow & { readonly line: number; readonly source: string })[];
  readonly findings: readonly Finding[];
}

function distributionOf(t: Template): SiteRow['distribution'] {
  for (const [id, r] of Object.entries<Template>(t.Resources ?? {})) {
    if (r.Type !== 'AWS::CloudFront::Distribution') continue;
    const c = r.Properties?.DistributionConfig ?? {};
    const origin = c.Origins?.[0] ?? {};
    return {
      logicalId: id,
      aliases: c.Aliases ?? [],
      priceClass: String(c.PriceClass ?? ''),
      functionEvent: c.DefaultCacheBehavior?.LambdaFunctionAssociations?.[0]?.EventType,
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
    distribution: byName.has(`${parent}/Site-${s.name}`) ? distributionOf(byName.get(`${parent}/Site-${s.name}`)!) : undefined,
  }));
  const regions = tables.regions.map((r, i) => ({ name: r.name, kind: r.kind, url: r.url, countries: tables.countries.filter(([, ri]) => ri === i).map(([c]) => c) }));

  const defaultRules: RuleRow[] = [];
  const countries = ['', ...tables.countries.map(([c]) => c)];
  const regionNames = tables.regions.map((r) => r.name);
  for (const site of sites) {
    for (const host of site.hostnames) {
      const walk = site.mode === 'frozen' ? [['/anything', '']] : siteWalk(site.mode, regionNames, countries, WALK_PATHS);
      for (const [p, c] of walk) defaultRules.push(ruleRow(engine, host, p, c));
    }
  }

  // Every entry: decided at its own source; what wins there, and what the default rules alone would say.
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
    } else if (d.rule !== own && !d.rule.startsWith(own + ' > ')) {
      findings.push({ line: src.line, source: src.key, kind: 'shadowed', detail: `at ${row.url} the answer comes from ${d.rule} (${row.outcome}), not from this line.` });
    } else if ((src.meta & (BULK_SUBPATH_MATCHING | BULK_PRESERVE_QUERY | BULK_INCLUDE_SUBDOMAINS)) === 0 && outcomeOf(noBulk.decide({ method: 'GET', scheme: 'https', host: src.host, path: src.path, query: '', country: '' })) === row.outcome) {
      // Only for entries that decide their own URL and nothing else: subpaths, queries and subdomains could make them matter elsewhere.
      findings.push({ line: src.line, source: src.key, kind: 'redundant', detail: `the default rules already answer ${row.outcome} at ${row.url}.` });
    }
  }
  return {
    label: assembly.label,
    stacks: [...assembly.names.values()].sort(),
    sites,
    regions,
    defaultRegion: tables.regions[tables.defaultRegion].name,
    defaultRules,
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
stores, the default rules walked on every hostname and every bulk entry, each
with an example URL and where it goes, the entries that are shadowed,
unreachable or redundant, and a diagram of hostnames → distributions →
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
      io.stdout.write(`report: ${data.sites.length} sites, ${data.defaultRules.length} default-rule examples, ${data.bulkTotal} bulk entries (${data.bulk.length} listed), ${data.findings.length} findings\n`);
      io.stdout.write(`report: wrote ${path.join(out, 'index.html')} and ${path.join(out, 'report.md')}\n`);
      return 0;
    } finally {
      cleanup();
    }
  },
};
