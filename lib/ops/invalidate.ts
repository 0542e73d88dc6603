/**
 * `invalidate`: after a deploy that changed the redirect rules, remove the
 * cached redirects the change affects (lib/rules/redirect-changes.ts) from
 * the affected distributions, and wait until CloudFront is done.
 *
 * It is a step of the deploy (README "Stages and deploying"), not automatic:
 * the paths come from the difference between what was deployed before (a git
 * ref) and now, which the stack cannot know; and invalidating is only right
 * once every edge runs the new function version, so the command first waits
 * for each distribution to be Deployed.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateInvalidationCommand, GetDistributionCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { intOption, parseArgs, stringOption, UsageError } from '../cli/args';
import { Command, OpsError } from '../cli/command';
import type { CliIo } from '../cli/io';
import { DEFAULT_CATALOG_FILE, DEFAULT_REDIRECTS_FILE, DEFAULT_RULES_FILE, DEFAULT_SITES_FILE, LoadedConfig, LoadedDeployment, loadConfig, PROJECT_ROOT } from '../config/load';
import { ConfigError } from '../config/problems';
import { AWS_OPTIONS, AWS_OPTIONS_HELP, call, defaultContext, deploymentFor, inventory, noPositionals, OpsContext, waitUntil } from './aws';
import { catalogueChanges, configChanges, invalidationPaths, ruleSetOf, rulesFileChanges } from '../rules/redirect-changes';

/**
 * The config as it was at a git ref (the sites file, bulk list, rules file
 * and store catalogue), loaded and validated. A bulk list the ref does not
 * have counts as an empty list; a missing sites file, rules file or
 * catalogue is an error (a ref from before the rules file also has another
 * engine, which `engineChangedSince` finds first).
 */
export function configAtRef(ref: string, files: { sitesFile?: string; redirectsFile?: string; rulesFile?: string; catalogFile?: string }): LoadedConfig {
  const sitesFile = path.resolve(files.sitesFile ?? DEFAULT_SITES_FILE);
  const redirectsFile = path.resolve(files.redirectsFile ?? DEFAULT_REDIRECTS_FILE);
  const rulesFile = path.resolve(files.rulesFile ?? DEFAULT_RULES_FILE);
  const catalogFile = path.resolve(files.catalogFile ?? DEFAULT_CATALOG_FILE);
  const git = (args: string[], cwd: string): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  let top: string;
  try {
    top = git(['rev-parse', '--show-toplevel'], path.dirname(sitesFile)).trim();
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top);
  } catch {
    throw new UsageError(`${JSON.stringify(ref)} is not a commit of the git repository holding ${sitesFile}; give a ref such as origin/main or the tag of the last deploy`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-baseline-'));
  try {
    const at = (file: string, optional: boolean): string => {
      const rel = path.relative(top, file).split(path.sep).join('/');
      const out = path.join(dir, path.basename(file));
      try {
        fs.writeFileSync(out, git(['show', `${ref}:${rel}`], top));
      } catch {
        if (!optional) throw new UsageError(`${rel} does not exist at ${ref}; give a ref where it does`);
        fs.writeFileSync(out, '');
      }
      return out;
    };
    try {
      return loadConfig({ sitesFile: at(sitesFile, false), redirectsFile: at(redirectsFile, true), rulesFile: at(rulesFile, false), catalogFile: at(catalogFile, false) });
    } catch (err) {
      if (err instanceof ConfigError) throw new OpsError(`the config at ${ref} does not load, so it cannot be compared: ${err.message}`);
      throw err;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether the engine's code (`lambda/`) differs between a git ref and the
 * working tree of the repository holding `dir`: answers can then change
 * where no rule did, and only `/*` is safe.
 */
export function engineChangedSince(ref: string, dir: string = PROJECT_ROOT): boolean {
  try {
    execFileSync('git', ['diff', '--quiet', ref, '--', 'lambda'], { cwd: dir, stdio: 'ignore' });
    return false;
  } catch (err) {
    if ((err as { status?: number }).status === 1) return true;
    throw new UsageError(`cannot compare lambda/ with ${JSON.stringify(ref)}; give a ref such as origin/main or the tag of the last deploy`);
  }
}

export interface InvalidateOptions {
  /** What was deployed before; undefined with `all`. */
  readonly baseline?: LoadedConfig;
  /** Invalidate `/*` on every redirect site. */
  readonly all: boolean;
  readonly apply: boolean;
  /** @default 15 s */
  readonly pollMs?: number;
  /** @default 30 minutes */
  readonly timeoutMs?: number;
}

/** Plans, prints, and with `apply` invalidates; resolves to the exit status. */
export async function invalidate(ctx: OpsContext, deployment: LoadedDeployment, options: InvalidateOptions): Promise<number> {
  let plan: Map<string, string[]>;
  if (options.all || !options.baseline) {
    plan = new Map(deployment.sites.sites.filter((s) => s.mode !== 'frozen').map((s) => [s.name, ['/*']]));
    ctx.log('invalidate: every redirect site, /* (--all)');
  } else {
    const changes = configChanges(ruleSetOf(options.baseline.tables), ruleSetOf(deployment.tables));
    if (changes.sitesChanged) ctx.log('invalidate: sites, regions, countries or headers changed: every redirect site, /*');
    if (changes.rulesChanged) {
      ctx.log('invalidate: rules or catalogue changed: every redirect site, /*');
      for (const c of rulesFileChanges(options.baseline.tables, deployment.tables)) ctx.log(`  ${c.kind} rule ${c.idAfter ?? c.idBefore}: ${c.kind === 'changed' ? `${c.before} -> ${c.after}` : (c.after ?? c.before)}`);
      for (const c of catalogueChanges(options.baseline.tables, deployment.tables)) ctx.log(`  catalogue ${c.region}:${c.added.map((p) => ` +${p}`).join('')}${c.removed.map((p) => ` -${p}`).join('')}`);
    }
    for (const r of changes.rules) ctx.log(`  ${r.kind} ${r.source}: ${r.example} ${r.before} -> ${r.after}`);
    plan = invalidationPaths(deployment.tables, changes);
    if (plan.size === 0) {
      ctx.log('invalidate: the redirect rules did not change; nothing to invalidate.');
      return 0;
    }
  }
  for (const [site, paths] of plan) ctx.log(`  site ${site}: ${paths.join(' ')}`);
  if (!options.apply) {
    ctx.log(`invalidate: dry run: ${plan.size} distribution${plan.size === 1 ? '' : 's'} to invalidate; nothing changed. Run again with --apply.`);
    return 0;
  }

  const inv = await inventory(ctx, deployment);
  const failed: string[] = [];
  const started: { site: string; id: string; invalidation: string }[] = [];
  for (const [site, paths] of plan) {
    const d = inv.ours.get(site);
    if (!d?.Id) {
      failed.push(site);
      ctx.log(`site ${site}: FAILED: no distribution of stage ${deployment.stage.name}; deploy first.`);
      continue;
    }
    const id = d.Id;
    try {
      // Cached answers are only worth removing once every edge runs the new function version.
      let functionArn = '';
      await waitUntil(
        ctx,
        `distribution ${id} (site ${site}) deployed`,
        async () => {
          const got = await call(ctx, 'cloudfront:GetDistribution', () => ctx.clients.cloudfront.send(new GetDistributionCommand({ Id: id })), id);
          functionArn = got.Distribution?.DistributionConfig?.DefaultCacheBehavior?.LambdaFunctionAssociations?.Items?.[0]?.LambdaFunctionARN ?? '';
          const status = got.Distribution?.Status ?? 'unknown';
          return { done: status === 'Deployed', state: status };
        },
        { intervalMs: options.pollMs ?? 15000, timeoutMs: options.timeoutMs ?? 30 * 60000 },
      );
      // The same paths for the same function version are one invalidation, however often this runs.
      const reference = 'poco-sunset-' + createHash('sha256').update(JSON.stringify([id, functionArn, paths])).digest('hex').slice(0, 32);
      const created = await call(
        ctx,
        'cloudfront:CreateInvalidation',
        () => ctx.clients.cloudfront.send(new CreateInvalidationCommand({ DistributionId: id, InvalidationBatch: { CallerReference: reference, Paths: { Quantity: paths.length, Items: paths } } })),
        id,
      );
      const invalidation = created.Invalidation?.Id ?? '?';
      ctx.log(`site ${site}: invalidation ${invalidation} of ${id} created (${paths.join(' ')})`);
      started.push({ site, id, invalidation });
    } catch (err) {
      failed.push(site);
      ctx.log(`site ${site}: FAILED: ${(err as Error).message}`);
    }
  }
  let completed = 0;
  for (const s of started) {
    try {
      await waitUntil(
        ctx,
        `invalidation ${s.invalidation} (site ${s.site})`,
        async () => {
          const got = await call(ctx, 'cloudfront:GetInvalidation', () => ctx.clients.cloudfront.send(new GetInvalidationCommand({ DistributionId: s.id, Id: s.invalidation })), s.id);
          const status = got.Invalidation?.Status ?? 'unknown';
          return { done: status === 'Completed', state: status };
        },
        { intervalMs: options.pollMs ?? 15000, timeoutMs: options.timeoutMs ?? 30 * 60000 },
      );
      completed++;
    } catch (err) {
      failed.push(s.site);
      ctx.log(`site ${s.site}: FAILED: ${(err as Error).message}`);
    }
  }
  ctx.log(`invalidate: ${completed} completed, ${failed.length} failed${failed.length ? ` (${failed.join(', ')}): run again to retry them` : ''}.`);
  return failed.length > 0 ? 1 : 0;
}

export const invalidateCommand: Command = {
  name: 'invalidate',
  summary: 'after a deploy that changed the rules, invalidate the affected cached redirects and wait; --apply to change',
  usage: `Usage: npm run ops -- invalidate --since REF [options]
       npm run ops -- invalidate --all [options]

Compares the sites file, bulk list, rules file and store catalogue with their
state at git REF (what was deployed before), prints each changed bulk entry
with an example URL and its old and new destination, each changed rule of the
rules file and catalogue entry, and the paths to invalidate per distribution:
<path>* for each changed bulk source; /* when sites, regions or headers
changed, when the rules file's rules or the catalogue changed ("rules or
catalogue changed": a rule can decide any path), or when the engine's code
(lambda/) changed since REF. With --apply it waits
until each distribution is Deployed (so every edge runs the new function), then
invalidates and waits until CloudFront is done. Run it after "cdk deploy".

Options:
  --since REF       git ref of the config deployed before (a tag, origin/main)
  --all             /* on every redirect site instead
  --apply           invalidate (otherwise a dry run)
  --timeout M       minutes to wait for each distribution and invalidation   [30]
${AWS_OPTIONS_HELP}

Exit status: 0 when done (or planned, in a dry run), 1 when any distribution failed, 2 on bad options or config.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, { ...AWS_OPTIONS, since: 'string', all: 'boolean', apply: 'boolean', timeout: 'string' });
    noPositionals(args.positionals);
    const since = stringOption(args.options.since);
    const all = args.options.all === true;
    if (!since === !all) throw new UsageError('give --since REF (the config deployed before) or --all');
    const deployment = deploymentFor(args.options);
    const engineChanged = since !== undefined && engineChangedSince(since);
    // With another engine at the ref, its config may not load with this one's loader (a ref from before the rules file): /* needs no baseline.
    const baseline = since && !engineChanged ? configAtRef(since, { sitesFile: stringOption(args.options.sites), redirectsFile: stringOption(args.options.redirects), rulesFile: stringOption(args.options.rules), catalogFile: stringOption(args.options.catalog) }) : undefined;
    if (engineChanged) io.stdout.write(`invalidate: the engine's code (lambda/) changed since ${since}: answers may change where no rule did, so /* everywhere\n`);
    return invalidate(defaultContext((l) => io.stdout.write(l + '\n')), deployment, {
      baseline,
      all: all || engineChanged,
      apply: args.options.apply === true,
      timeoutMs: intOption(args.options.timeout, 'timeout', 30, 1, 24 * 60) * 60000,
    });
  },
};
