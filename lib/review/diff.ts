/**
 * `npm run diff`: what a change does to the stacks, in `cdk diff`'s own
 * form (@aws-cdk/cloudformation-diff), and to where visitors go: the rules
 * file's rules added, removed and changed, the store catalogue's changes,
 * bulk entries added, removed and changed (each with an example URL and its
 * old and new destination), and the answers of the rules walked on every
 * hostname that moved. Offline.
 */
import { fullDiff, formatDifferences, TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { PassThrough } from 'stream';
import { CompiledTables, RedirectEngine } from '../../lambda/engine';
import { withoutBulkColumns } from '../config/compile';
import { outcomeOf, ruleWalk } from '../rules/probes';
import {
  CatalogueChange,
  catalogueChanges,
  ConfigChanges,
  configChanges,
  RuleSet,
  RulesFileChange,
  rulesFileChanges,
} from '../rules/redirect-changes';
import {
  appAssembly,
  Assembly,
  baselineAssembly,
  checkAppFolder,
  OpenedAssembly,
  synthContext,
  SynthInputs,
  synthesizeWorkingTree,
} from './assembly';

export interface StackDiff {
  /** Stack name; nested stacks as `Parent/Site-x`. */
  readonly stack: string;
  readonly diff: TemplateDiff;
}

/** Diffs templates matched by file name; a template on one side only is diffed against an empty one. */
export function stackDiffs(baseline: Assembly, current: Assembly): StackDiff[] {
  const files = [...new Set([...baseline.templates.keys(), ...current.templates.keys()])];
  const named = files
    .map((f) => ({ f, stack: current.names.get(f) ?? baseline.names.get(f) ?? f }))
    .sort((a, b) => (a.stack < b.stack ? -1 : 1));
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

/** An answer of the walk (the rules file walked on every hostname) that changed. */
export interface WalkChange {
  /** The URL sent; for a wildcard hostname its sample name. */
  readonly url: string;
  /** The configured hostname a sample name stands for (`*.po.co`); undefined otherwise. */
  readonly stands?: string;
  readonly country: string;
  /** `301 https://...` before and after. */
  readonly before: string;
  readonly after: string;
  /** The rule that answered before and after. */
  readonly ruleBefore: string;
  readonly ruleAfter: string;
}

/**
 * The walk of the rules file (`ruleWalk`: each hostname's root, every
 * country and none at the root of region-path sites, each rule's examples)
 * of both sides, each request decided by both, with an empty bulk list so
 * that only the rules answer; the requests whose answer moved, in walk order.
 */
export function walkChanges(before: CompiledTables, after: CompiledTables): WalkChange[] {
  const empty = (t: CompiledTables): RedirectEngine => new RedirectEngine(withoutBulkColumns(t));
  const [a, b] = [empty(before), empty(after)];
  const out: WalkChange[] = [];
  const seen = new Set<string>();
  for (const step of [...ruleWalk(after), ...ruleWalk(before)]) {
    const key = `${step.host}${step.path} ${step.country}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const req = { method: 'GET', scheme: 'https' as const, host: step.host, path: step.path, query: '', country: step.country };
    const [was, now] = [a.decide(req), b.decide(req)];
    if (outcomeOf(was) !== outcomeOf(now)) {
      out.push({
        url: `https://${step.host}${step.path}`,
        ...(step.host !== step.hostname ? { stands: step.hostname } : {}),
        country: step.country,
        before: outcomeOf(was),
        after: outcomeOf(now),
        ruleBefore: was.rule,
        ruleAfter: now.rule,
      });
    }
  }
  return out;
}

export interface RedirectDiff {
  readonly changes: ConfigChanges;
  /** The rules file's rules added, removed and changed. */
  readonly rulesFile: readonly RulesFileChange[];
  /** Product slugs each region's store gained or lost. */
  readonly catalogue: readonly CatalogueChange[];
  /** Answers of the walk that moved. */
  readonly walk: readonly WalkChange[];
}

export function redirectDiff(before: RuleSet, after: RuleSet): RedirectDiff {
  return {
    changes: configChanges(before, after),
    rulesFile: rulesFileChanges(before.tables, after.tables),
    catalogue: catalogueChanges(before.tables, after.tables),
    walk: walkChanges(before.tables, after.tables),
  };
}

/** How many changes a redirect diff counts: bulk entries, rules, catalogue regions and walk answers. */
export function redirectChangeCount(d: RedirectDiff): number {
  return d.changes.rules.length + d.rulesFile.length + d.catalogue.length + d.walk.length;
}

const MARK = { added: '+', removed: '-', changed: '~' } as const;

/**
 * The redirect diff as text: the rules file's rules (`[+]`/`[-]`/`[~]`, by id
 * and as written), the catalogue per region, each bulk entry with its
 * example URL, old -> new, then the walk's answers that moved.
 */
export function renderRedirectDiff(d: RedirectDiff): string {
  const lines: string[] = [];
  for (const r of d.rulesFile) {
    if (r.kind === 'added') lines.push(`[+] rule ${r.idAfter}`, `    ${r.after}`);
    else if (r.kind === 'removed') lines.push(`[-] rule ${r.idBefore}`, `    ${r.before}`);
    else {
      lines.push(`[~] rule ${r.idAfter}${r.idBefore !== r.idAfter ? ` (was ${r.idBefore})` : ''}`);
      lines.push(`    - ${r.before}`, `    + ${r.after}`);
    }
  }
  for (const c of d.catalogue)
    lines.push(`[~] catalogue ${c.region}:${c.added.map((p) => ` +${p}`).join('')}${c.removed.map((p) => ` -${p}`).join('')}`);
  for (const r of d.changes.rules) {
    const where =
      r.kind === 'added'
        ? `line ${r.lineAfter}`
        : r.kind === 'removed'
          ? `was line ${r.lineBefore}`
          : r.lineBefore === r.lineAfter
            ? `line ${r.lineAfter}`
            : `line ${r.lineBefore} -> ${r.lineAfter}`;
    lines.push(`[${MARK[r.kind]}] ${r.source} (${where})`);
    lines.push(`    ${r.example}: ${r.before} -> ${r.after}`);
  }
  if (d.walk.length > 0) {
    const why = [
      d.changes.sitesChanged ? 'sites, regions, countries or headers changed' : '',
      d.changes.rulesChanged ? 'rules or catalogue changed' : '',
    ]
      .filter((w) => w !== '')
      .join('; ');
    lines.push(`[~] the rules walked on every hostname${why ? ` (${why})` : ''}:`);
    for (const c of d.walk) {
      const rules = c.ruleBefore === c.ruleAfter ? c.ruleAfter : `${c.ruleBefore} -> ${c.ruleAfter}`;
      lines.push(
        `    ${c.url}${c.stands ? ` (for ${c.stands})` : ''}${c.country ? ` [${c.country}]` : ''}: ${c.before} -> ${c.after} (${rules})`,
      );
    }
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
    return {
      stacks,
      redirectsNote: `no redirect function bundle in ${!baseline.rules ? baseline.label : current.label} (a folder of templates only), so no redirect diff`,
    };
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
    out +=
      "Note: the function's code changed too, not only its rules. Both rule sets below are decided by the current engine, so answers\n" +
      'that changed through the code are not listed: compare the previews (npm start) or run verify, and invalidate with --all.\n';
  }
  out += result.redirects ? renderRedirectDiff(result.redirects) : `${result.redirectsNote}\n`;
  const changedStacks = result.stacks.filter((s) => !s.diff.isEmpty).length;
  const redirectCount = result.redirects ? redirectChangeCount(result.redirects) : 0;
  out += `\ndiff: ${changedStacks} of ${result.stacks.length} stacks with differences, ${redirectCount} redirect change${redirectCount === 1 ? '' : 's'}\n`;
  return out;
}

/** Whether a diff found anything: a stack with differences, or a redirect change. */
export function hasDifferences(result: DiffResult): boolean {
  return result.stacks.some((s) => !s.diff.isEmpty) || (result.redirects !== undefined && redirectChangeCount(result.redirects) > 0);
}

/** What `npm run diff` compares. */
export interface DiffSides {
  /** A folder (a cdk.out, or templates) or a git ref. */
  readonly baseline: string;
  /** A cdk.out to read as the current side; else the working tree is synthesized with `synth`. */
  readonly app?: string;
  /** The stage and config files of the current side's synth; a git baseline gets the stage only. */
  readonly synth: SynthInputs;
}

/** The current side: `app` read as it is, or the working tree synthesized with `synth`'s context; `say` tells when a synth starts. */
function currentAssembly(sides: DiffSides, say: (line: string) => unknown): OpenedAssembly {
  if (sides.app) return appAssembly(sides.app);
  say('synthesizing the working tree');
  return synthesizeWorkingTree(synthContext(sides.synth), 'working tree', 'poco-current-');
}

/**
 * Reads or synthesizes both sides (a `UsageError` first when `app` is no
 * folder), compares them and renders the report; temporary folders are removed.
 */
export function diffSides(sides: DiffSides, say: (line: string) => unknown): { readonly text: string; readonly different: boolean } {
  // A missing --app folder is refused before a baseline is synthesized.
  if (sides.app) checkAppFolder(sides.app);
  const cleanups: (() => void)[] = [];
  try {
    const baseline = baselineAssembly(sides.baseline, sides.synth.stage, say);
    cleanups.push(baseline.cleanup);
    const current = currentAssembly(sides, say);
    cleanups.push(current.cleanup);
    const result = compareAssemblies(baseline.assembly, current.assembly);
    return { text: renderResult(result, baseline.assembly, current.assembly), different: hasDifferences(result) };
  } finally {
    for (const c of cleanups) c();
  }
}
