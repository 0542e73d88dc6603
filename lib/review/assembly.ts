/**
 * Reading synthesized cloud assemblies (a cdk.out, or any folder of
 * templates) and making them: the pinned CDK CLI run on this checkout or on
 * a git ref exported to a temporary folder. No AWS calls, no credentials.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BulkIndex, CompiledTables, packBulk } from '../../lambda/engine';
import { withoutBulkColumns } from '../config/compile';
import { BULK_FILE } from '../edge/bundle';
import { PROJECT_ROOT } from '../config/load';
import { OpsError, UsageError } from '../config/problems';
import type { RuleSet } from '../rules/redirect-changes';
import { bulkIndexOf } from '../edge/packed-v1';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation templates are read loosely
export type Template = Record<string, any>;

export interface Assembly {
  /** Where it came from, for headings. */
  readonly label: string;
  /** Template file name → template. */
  readonly templates: ReadonlyMap<string, Template>;
  /** Template file name → stack name (`PocoSunset-default`, or `PocoSunset-default/Site-uk` for a nested stack). */
  readonly names: ReadonlyMap<string, string>;
  /** The redirect function's rules, when the folder holds its bundle. */
  readonly rules?: RuleSet;
}

/** Where the tables literal lib/edge/bundle.ts splices into index.js starts and ends (quotes included). */
function tablesLiteral(code: string): { start: number; end: number; json: string } {
  const start = code.indexOf(`'{"format":`);
  if (start < 0) throw new Error('tablesFromBundleCode: no compiled tables in this bundle');
  let json = '';
  for (let i = start + 1; i < code.length; i++) {
    const c = code[i];
    if (c === '\\') json += code[++i];
    else if (c === "'") return { start, end: i + 1, json };
    else json += c;
  }
  throw new Error('tablesFromBundleCode: the tables literal does not end');
}

/** The tables index.js embeds: the single-quoted JSON literal lib/edge/bundle.ts splices in. */
export function tablesFromBundleCode(code: string): CompiledTables {
  return JSON.parse(tablesLiteral(code).json) as CompiledTables;
}

/**
 * The rules of a function package folder, as the function runs them: the
 * tables of index.js, and bulk.bin beside it, of either packed format
 * (`bulkIndexOf`); packages built before bulk.bin existed carry the bulk
 * columns in the tables instead. Undefined when the
 * folder is not the redirect function's (another function's package).
 */
export function ruleSetFromBundle(dir: string): RuleSet | undefined {
  const index = path.join(dir, 'index.js');
  if (!fs.existsSync(index)) return undefined;
  const code = fs.readFileSync(index, 'utf8');
  if (!code.includes(`'{"format":`)) return undefined;
  const literal = tablesLiteral(code);
  const tables = JSON.parse(literal.json) as CompiledTables;
  const packed = path.join(dir, BULK_FILE);
  const bulk = fs.existsSync(packed) ? bulkIndexOf(fs.readFileSync(packed)) : new BulkIndex(packBulk(tables.bulk));
  return { tables: withoutBulkColumns(tables), bulk, code: code.slice(0, literal.start) + code.slice(literal.end) };
}

/** The template files an assembly's manifest.json lists: each stack artifact's `templateFile`. */
function manifestTemplates(manifest: string): string[] {
  let parsed: Template;
  try {
    parsed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as Template;
  } catch (err) {
    throw new OpsError(`${manifest} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return Object.values<Template>(parsed?.artifacts ?? {})
    .filter((a) => a?.type === 'aws:cloudformation:stack' && typeof a.properties?.templateFile === 'string')
    .map((a) => String(a.properties.templateFile));
}

/** The nested stack templates a template's `AWS::CloudFormation::Stack` resources name (their `aws:asset:path`). */
function nestedTemplates(t: Template): string[] {
  return Object.values<Template>(t.Resources ?? {})
    .filter((r) => r?.Type === 'AWS::CloudFormation::Stack' && typeof r.Metadata?.['aws:asset:path'] === 'string')
    .map((r) => String(r.Metadata['aws:asset:path']));
}

/**
 * The templates of a folder, by file name, in file name order. With a
 * manifest.json (a cdk.out): exactly the stacks its artifacts list, and the
 * nested stacks their templates name, so templates left over from an
 * earlier synth are not read. Without one: every `*.template.json`.
 */
function readTemplates(dir: string): Map<string, Template> {
  const read = (f: string): Template => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Template;
  const manifest = path.join(dir, 'manifest.json');
  const found = new Map<string, Template>();
  if (fs.existsSync(manifest)) {
    const listed = manifestTemplates(manifest);
    if (listed.length === 0)
      throw new UsageError(`${manifest} lists no stack template; give a cdk.out, a folder of templates, or a git ref`);
    for (const f of listed) {
      if (!fs.existsSync(path.join(dir, f))) throw new OpsError(`${manifest} lists ${f}, which is not in ${dir}`);
    }
    const queue = [...listed];
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      if (found.has(f)) continue;
      const t = read(f);
      found.set(f, t);
      // A nested template that is not there is not read, as before.
      queue.push(...nestedTemplates(t).filter((n) => !found.has(n) && fs.existsSync(path.join(dir, n))));
    }
  } else {
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.template.json'))) found.set(f, read(f));
    if (found.size === 0) throw new UsageError(`${dir} holds no *.template.json; give a cdk.out, a folder of templates, or a git ref`);
  }
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Reads the templates of a folder (`readTemplates`: those its manifest.json
 * lists, or every `*.template.json` when it has none), names the stacks, and
 * finds the redirect function's bundle.
 */
export function readAssembly(dir: string, label: string): Assembly {
  const templates = readTemplates(dir);
  const names = new Map<string, string>();
  let rules: RuleSet | undefined;
  for (const file of templates.keys()) {
    if (!file.endsWith('.nested.template.json')) names.set(file, file.slice(0, -'.template.json'.length));
  }
  for (const [file, t] of templates) {
    for (const r of Object.values<Template>(t.Resources ?? {})) {
      const asset = r.Metadata?.['aws:asset:path'];
      if (typeof asset !== 'string') continue;
      if (r.Type === 'AWS::CloudFormation::Stack' && templates.has(asset)) {
        names.set(
          asset,
          String(r.Metadata?.['aws:cdk:path'] ?? asset)
            .replace(/\.NestedStack\/.*$/, '')
            .replace(/\/Resource$/, ''),
        );
      }
      if (r.Type === 'AWS::Lambda::Function') rules = ruleSetFromBundle(path.join(dir, asset)) ?? rules;
    }
    if (!names.has(file)) names.set(file, file);
  }
  return { label, templates, names, rules };
}

/** Refuses an `--app DIR` that is not a folder: a `UsageError` naming it. */
export function checkAppFolder(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--app ${dir}: no such folder`);
}

/** `--app DIR`, an already synthesized cdk.out, read as it is (`checkAppFolder` first). */
export function appAssembly(dir: string): OpenedAssembly {
  checkAppFolder(dir);
  return { assembly: readAssembly(dir, dir), cleanup: () => undefined };
}

/** The pinned CLI (aws-cdk 2.1148.x): the registry's latest cannot read current assemblies. */
const CDK_CLI = path.join(PROJECT_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

/** Runs `cdk synth` in `cwd` into `outdir`; a failure (bad config, say) is an OpsError with the CLI's message. */
export function synthesize(cwd: string, outdir: string, context: readonly string[], what: string): void {
  const r = spawnSync(process.execPath, [CDK_CLI, 'synth', '--quiet', '--no-notices', '-o', outdir, ...context.flatMap((c) => ['-c', c])], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new OpsError(`synthesizing ${what} failed:\n${(r.stderr || r.stdout).trim()}`);
}

/** What a synth is given on the command line: the stage and the config files (a stage's own config when absent). */
export interface SynthInputs {
  readonly stage?: string;
  readonly redirectsFile?: string;
  readonly sitesFile?: string;
  readonly stagesFile?: string;
  readonly rulesFile?: string;
  readonly catalogFile?: string;
}

/** The `-c key=value` context of a synth, as bin/app.ts reads it: the stage, and each config file given (made absolute). */
export function synthContext(inputs: SynthInputs): string[] {
  const files = {
    redirects: inputs.redirectsFile,
    sites: inputs.sitesFile,
    stages: inputs.stagesFile,
    rules: inputs.rulesFile,
    catalog: inputs.catalogFile,
  };
  return [
    ...(inputs.stage === undefined ? [] : [`stage=${inputs.stage}`]),
    ...Object.entries(files).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${path.resolve(v)}`])),
  ];
}

/** Whether `ref` names a commit of this project's repository. */
export function isGitRef(ref: string): boolean {
  return spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: PROJECT_ROOT }).status === 0;
}

/**
 * Synthesizes the app as it was at a git ref: `git archive` into a temporary
 * folder (the repository is not touched), this checkout's node_modules and
 * git-ignored frozen snapshots linked in, then the pinned CLI. Returns the
 * assembly folder; `cleanup` removes everything.
 */
export function synthesizeRef(ref: string, context: readonly string[]): { outdir: string; cleanup: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-baseline-'));
  const cleanup = (): void => fs.rmSync(root, { recursive: true, force: true });
  try {
    const src = path.join(root, 'src');
    fs.mkdirSync(src);
    const archive = spawnSync('git', ['archive', '--format=tar', ref], { cwd: PROJECT_ROOT, maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new OpsError(`git archive ${ref} failed: ${archive.stderr.toString().trim()}`);
    const tar = spawnSync('tar', ['-x', '-C', src], { input: archive.stdout });
    if (tar.status !== 0) throw new OpsError(`unpacking ${ref} failed: ${tar.stderr.toString().trim()}`);
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(src, 'node_modules'), 'dir');
    const frozen = path.join(PROJECT_ROOT, 'config', 'frozen');
    if (fs.existsSync(frozen) && !fs.existsSync(path.join(src, 'config', 'frozen')))
      fs.symlinkSync(frozen, path.join(src, 'config', 'frozen'), 'dir');
    const outdir = path.join(root, 'cdk.out');
    synthesize(src, outdir, context, `the app at ${ref}`);
    return { outdir, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** An assembly read or synthesized, and what removes the temporary folder it was synthesized into (nothing for a folder read as it is). */
export interface OpenedAssembly {
  readonly assembly: Assembly;
  readonly cleanup: () => void;
}

/** The working tree synthesized with `context` into a temporary folder (`tmpPrefix`), read as `label`. */
export function synthesizeWorkingTree(context: readonly string[], label: string, tmpPrefix: string): OpenedAssembly {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    synthesize(PROJECT_ROOT, dir, context, 'the working tree');
    return { assembly: readAssembly(dir, label), cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/**
 * The baseline of a diff: `spec` a folder (a cdk.out, or templates), read as
 * it is, or a git ref, synthesized from a git archive with the stage only (a
 * ref's own config); `say` tells when a synth starts. A `UsageError` when it
 * is neither.
 */
export function baselineAssembly(spec: string, stage: string | undefined, say: (line: string) => unknown): OpenedAssembly {
  if (fs.existsSync(spec) && fs.statSync(spec).isDirectory()) return { assembly: readAssembly(spec, spec), cleanup: () => undefined };
  if (!isGitRef(spec)) throw new UsageError(`--baseline ${JSON.stringify(spec)} is neither a folder nor a git ref of this repository`);
  say(`synthesizing the app at ${spec}`);
  const made = synthesizeRef(spec, stage ? [`stage=${stage}`] : []);
  try {
    return { assembly: readAssembly(made.outdir, spec), cleanup: made.cleanup };
  } catch (err) {
    made.cleanup();
    throw err;
  }
}
