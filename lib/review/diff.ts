/**
 * `npm run diff`: what a change does to the stacks, in `cdk diff`'s own
 * form (@aws-cdk/cloudformation-diff), and to where visitors go: bulk
 * entries added, removed and changed, and default-rule answers that moved,
 * each with an example URL and its old and new destination. Offline.
 */
import { fullDiff, formatDifferences, TemplateDiff } from '@aws-cdk/cloudformation-diff';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { CompiledTables, RedirectEngine } from '../../lambda/engine';
import { withoutBulkColumns } from '../bundle';
import { parseArgs, stringOption, UsageError } from '../cli/args';
import type { Command } from '../cli/command';
import type { CliIo } from '../cli/io';
import { PROJECT_ROOT } from '../config/load';
import { outcomeOf, siteWalk, WALK_PATHS } from '../ops/probes';
import { ConfigChanges, configChanges, RuleSet } from '../ops/redirect-changes';
import { Assembly, isGitRef, readAssembly, synthContext, synthesize, synthesizeRef } from './assembly';

export interface StackDiff {
  /** Stack name; nested stacks as `Parent/Site-x`. */
  readonly stack: string;
  readonly diff: TemplateDiff;
}

/** Diffs templates matched by file name; a template on one side only is diffed against an empty one. */
export function stackDiffs(baseline: Assembly, current: Assembly): StackDiff[] {
  const files = [...new Set([...baseline.templates.keys(), ...current.templates.keys()])];
  const named = files.map((f) => ({ f, stack: current.names.get(f) ?? baseline.names.get(f) ?? f })).sort((a, b) => (a.stack < b.stack ? -1 : 1));
  return named.map(({ f, stack }) => ({ stack, diff: fullDiff(baseline.templates.get(f) ?? {}, current.templates.get(f) ?? {}) }));
}

/** `cdk diff`'s rendering of one template diff. */
export function renderDiff(diff: TemplateDiff): string {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (c: Buffer) => (out += c.toString('utf8')));
  formatDifferences(stream, diff);
  stream.end();
  return out;
}

/** An answer of the default rules that changed: per hostname, for the paths and countries every site is walked with. */
export interface DefaultRuleChange {
  readonly url: string;
  readonly country: string;
  readonly before: string;
  readonly after: string;
}

/**
 * The default rules walked on every hostname of either side (every region
 * segment on region-path sites, every country and none at their root), with
 * an empty bulk list so that only the default rules answer.
 */
export function defaultRuleChanges(before: CompiledTables, after: CompiledTables): DefaultRuleChange[] {
  const empty = (t: CompiledTables): RedirectEngine => new RedirectEngine(withoutBulkColumns(t));
  const [a, b] = [empty(before), empty(after)];
  const hosts = new Map<string, string>();
  for (const t of [before, after]) for (const [h, i] of t.hosts) if (!hosts.has(h)) hosts.set(h, t.sites[i].mode);
  const regions = [...new Set([...before.regions, ...after.regions].map((r) => r.name))].sort();
  const countries = ['', ...new Set([...before.countries, ...after.countries].map(([c]) => c))].sort();
  const out: DefaultRuleChange[] = [];
  for (const [host, mode] of [...hosts].sort()) {
    for (const [p, country] of siteWalk(mode, regions, countries, WALK_PATHS)) {
      const req = { method: 'GET', scheme: 'https' as const, host, path: p, query: '', country };
      const was = outcomeOf(a.decide(req));
      const now = outcomeOf(b.decide(req));
      if (was !== now) out.push({ url: `https://${host}${p}`, country, before: was, after: now });
    }
  }
  return out;
}

export interface RedirectDiff {
  readonly changes: ConfigChanges;
  readonly defaults: readonly DefaultRuleChange[];
}

export function redirectDiff(before: RuleSet, after: RuleSet): RedirectDiff {
  return { changes: configChanges(before, after), defaults: defaultRuleChanges(before.tables, after.tables) };
}

const MARK = { added: '+', removed: '-', changed: '~' } as const;

/** The redirect diff as text: one line per change, `+`/`-`/`~`, example URL, old -> new. */
export function renderRedirectDiff(d: RedirectDiff): string {
  const lines: string[] = [];
  for (const r of d.changes.rules) {
    const where = r.kind === 'added' ? `line ${r.lineAfter}` : r.kind === 'removed' ? `was line ${r.lineBefore}` : r.lineBefore === r.lineAfter ? `line ${r.lineAfter}` : `line ${r.lineBefore} -> ${r.lineAfter}`;
    lines.push(`[${MARK[r.kind]}] ${r.source} (${where})`);
    lines.push(`    ${r.example}: ${r.before} -> ${r.after}`);
  }
  if (d.defaults.length > 0) {
    lines.push('[~] default rules (sites, regions, countries or headers changed):');
    for (const c of d.defaults) lines.push(`    ${c.url}${c.country ? ` [${c.country}]` : ''}: ${c.before} -> ${c.after}`);
  }
  return lines.length === 0 ? 'There were no differences\n' : lines.join('\n') + '\n';
}

export interface DiffResult {
  readonly stacks: readonly StackDiff[];
  readonly redirects?: RedirectDiff;
  /** Why there is no redirect diff, when there is none. */
  readonly redirectsNote?: string;
  /** The function's code (not only its tables) differs between the sides. */
  readonly engineChanged?: boolean;
}

export function compareAssemblies(baseline: Assembly, current: Assembly): DiffResult {
  const stacks = stackDiffs(baseline, current);
  if (!baseline.rules || !current.rules) {
    return { stacks, redirectsNote: `no redirect function bundle in ${!baseline.rules ? baseline.label : current.label} (a folder of templates only), so no redirect diff` };
  }
  const engineChanged = baseline.rules.code !== undefined && current.rules.code !== undefined && baseline.rules.code !== current.rules.code;
  return { stacks, redirects: redirectDiff(baseline.rules, current.rules), engineChanged };
}

/** The whole report, as `cdk diff` prints stacks, then the redirects. */
export function renderResult(result: DiffResult, baseline: Assembly, current: Assembly): string {
  let out = `diff: ${baseline.label} -> ${current.label}\n`;
  for (const s of result.stacks) {
    out += `\nStack ${s.stack}\n`;
    out += s.diff.isEmpty ? 'There were no differences\n' : renderDiff(s.diff);
  }
  out += '\nRedirects (decided by the engine, for an unknown country unless one is shown)\n';
  if (result.engineChanged) {
    out += 'Note: the function\'s code changed too, not only its rules. Both rule sets below are decided by the current engine, so answers\n' +
      'that changed through the code are not listed: compare the previews (npm start) or run verify, and invalidate with --all.\n';
  }
  out += result.redirects ? renderRedirectDiff(result.redirects) : `${result.redirectsNote}\n`;
  const changedStacks = result.stacks.filter((s) => !s.diff.isEmpty).length;
  const redirectCount = result.redirects ? result.redirects.changes.rules.length + result.redirects.defaults.length : 0;
  out += `\ndiff: ${changedStacks} of ${result.stacks.length} stacks with differences, ${redirectCount} redirect change${redirectCount === 1 ? '' : 's'}\n`;
  return out;
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'offline diff of the synthesized app against a baseline (git ref, cdk.out or templates): stacks as cdk diff prints them, and redirects',
  usage: `Usage: npm run diff -- [--baseline REF|DIR] [--app DIR] [--stage S] [--redirects FILE] [--sites FILE] [--stages FILE] [--fail]

Synthesizes the app (or reads --app DIR) and compares it with the baseline:
  --baseline REF    a git ref (default HEAD): the app as it was there, synthesized
                    from a git archive with this checkout's node_modules
  --baseline DIR    a saved cdk.out, or a folder of *.template.json files
Prints each stack's differences as "cdk diff" does (@aws-cdk/cloudformation-diff),
then the redirect diff: bulk entries added [+], removed [-] and changed [~],
each with an example URL and its old and new destination, and default-rule
answers that moved. No AWS credentials are used.

Options:
  --app DIR         an already synthesized cdk.out to use as the current side
  --stage S, --redirects FILE, --sites FILE, --stages FILE
                    passed to the current synth as -c stage=S, -c redirects=FILE...;
                    a git baseline is synthesized with --stage only, from its own config
  --fail            exit 1 when there are differences (as cdk diff --fail)

Exit status: 0; 1 with --fail when there are differences, or when a synth fails; 2 on bad options.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, { baseline: 'string', app: 'string', stage: 'string', redirects: 'string', sites: 'string', stages: 'string', fail: 'boolean' });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    const spec = stringOption(args.options.baseline) ?? 'HEAD';
    const stage = stringOption(args.options.stage);
    const context = synthContext(args.options);
    const cleanups: (() => void)[] = [];
    try {
      let baseline: Assembly;
      if (fs.existsSync(spec) && fs.statSync(spec).isDirectory()) {
        baseline = readAssembly(spec, spec);
      } else if (isGitRef(spec)) {
        io.stderr.write(`diff: synthesizing the app at ${spec}\n`);
        const made = synthesizeRef(spec, stage ? [`stage=${stage}`] : []);
        cleanups.push(made.cleanup);
        baseline = readAssembly(made.outdir, spec);
      } else {
        throw new UsageError(`--baseline ${JSON.stringify(spec)} is neither a folder nor a git ref of this repository`);
      }
      let current: Assembly;
      const app = stringOption(args.options.app);
      if (app) {
        current = readAssembly(app, app);
      } else {
        io.stderr.write('diff: synthesizing the working tree\n');
        const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-current-'));
        cleanups.push(() => fs.rmSync(outdir, { recursive: true, force: true }));
        synthesize(PROJECT_ROOT, outdir, context, 'the working tree');
        current = readAssembly(outdir, 'working tree');
      }
      const result = compareAssemblies(baseline, current);
      io.stdout.write(renderResult(result, baseline, current));
      const different = result.stacks.some((s) => !s.diff.isEmpty) || (result.redirects !== undefined && result.redirects.changes.rules.length + result.redirects.defaults.length > 0);
      return args.options.fail === true && different ? 1 : 0;
    } finally {
      for (const c of cleanups) c();
    }
  },
};
