/**
 * `invalidate`: after a deploy that changed the redirect rules, remove the
 * cached redirects the change affects (lib/rules/redirect-changes.ts) from
 * the affected distributions, and wait until CloudFront is done.
 *
 * It is a step of the deploy (docs/operations.md, "Deploying"), not automatic:
 * the paths come from the difference between what was deployed before and
 * now, which the stack cannot know: the function version the distributions
 * ran before this deploy, read back from Lambda (lib/ops/deployed-tables.ts),
 * or the config at a git ref (`--since`); and invalidating is only right
 * once every edge runs the new function version, so the command first waits
 * for each distribution to be Deployed.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateInvalidationCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { ConfigFiles, LoadedConfig, LoadedDeployment, loadConfig, PROJECT_ROOT, withDefaultFiles } from '../config/load';
import { ConfigError, OpsError, UsageError } from '../config/problems';
import { call, Inventory, inventory, OpsContext, WaitTiming, waitForStatus, waitUntilDeployed } from './aws';
import { catalogueChanges, configChanges, invalidationPaths, RuleSet, ruleSetOf, rulesFileChanges } from '../rules/redirect-changes';
import { deployedBaseline } from './deployed-tables';

/**
 * The config as it was at a git ref (the sites file, bulk list, rules file
 * and store catalogue), loaded and validated. A bulk list the ref does not
 * have counts as an empty list; a missing sites file, rules file or
 * catalogue is an error (a ref from before the rules file also has another
 * engine, which `engineChangedSince` finds first).
 */
export function configAtRef(ref: string, files: ConfigFiles): LoadedConfig {
  const given = withDefaultFiles(files);
  const sitesFile = path.resolve(given.sitesFile);
  const redirectsFile = path.resolve(given.redirectsFile);
  const rulesFile = path.resolve(given.rulesFile);
  const catalogFile = path.resolve(given.catalogFile);
  const git = (args: string[], cwd: string): string =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  let top: string;
  try {
    top = git(['rev-parse', '--show-toplevel'], path.dirname(sitesFile)).trim();
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top);
  } catch {
    throw new UsageError(
      `${JSON.stringify(ref)} is not a commit of the git repository holding ${sitesFile}; give a ref such as origin/main or the tag of the last deploy`,
    );
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
      return loadConfig({
        sitesFile: at(sitesFile, false),
        redirectsFile: at(redirectsFile, true),
        rulesFile: at(rulesFile, false),
        catalogFile: at(catalogFile, false),
      });
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
    throw new UsageError(
      `cannot compare lambda/ with ${JSON.stringify(ref)}; give a ref such as origin/main or the tag of the last deploy`,
    );
  }
}

/**
 * What to compare with for `--since REF`: the config at the ref; none when
 * the engine's code changed since (its config may not load with this one's
 * loader, as at a ref from before the rules file), which `log` is told: then
 * only `/*` everywhere is safe, and needs no baseline.
 */
export function baselineAt(ref: string, files: ConfigFiles, log: (line: string) => void): LoadedConfig | undefined {
  if (engineChangedSince(ref)) {
    log(`invalidate: the engine's code (lambda/) changed since ${ref}: answers may change where no rule did, so /* everywhere`);
    return undefined;
  }
  return configAtRef(ref, files);
}

/**
 * What to compare with when no --since is given: the rules of the function
 * version the distributions ran before this deploy, read back from Lambda
 * (lib/ops/deployed-tables.ts); none when that version's engine code differs
 * from this checkout's, which `ctx.log` is told: then only `/*` everywhere is
 * safe. Throws an OpsError saying to give --since REF or --all when it
 * cannot be read. `inv`: the stage's distributions, when already listed.
 */
export async function baselineDeployed(ctx: OpsContext, deployment: LoadedDeployment, inv?: Inventory): Promise<RuleSet | undefined> {
  const got = await deployedBaseline(ctx, deployment, inv);
  ctx.log(
    `invalidate: comparing with what the distributions ran before: ${got.name} version ${got.version} (they run version ${got.current} now)`,
  );
  if (!got.rules)
    ctx.log(
      `invalidate: the engine's code differs between version ${got.version} and this checkout: answers may change where no rule did, so /* everywhere`,
    );
  return got.rules;
}

export interface InvalidateOptions extends WaitTiming {
  /** What was deployed before (the config at --since REF); undefined with `all` or `previous`. */
  readonly baseline?: LoadedConfig;
  /** What was deployed before, as rules read back from the deployed function (`baselineDeployed`); used instead of `baseline`. */
  readonly previous?: RuleSet;
  /** Invalidate `/*` on every redirect site. */
  readonly all: boolean;
  readonly apply: boolean;
  /** The stage's distributions, when already listed (for `previous`): not listed again. */
  readonly inventory?: Inventory;
}

/** Paths to invalidate, by site name. */
type Plan = Map<string, string[]>;

/**
 * What changed since the baseline, printed, and the paths it asks to
 * invalidate per site (`/*` on every redirect site with `all` or no
 * baseline); undefined when the redirect rules did not change.
 */
function planOf(ctx: OpsContext, deployment: LoadedDeployment, options: InvalidateOptions): Plan | undefined {
  const before = options.previous ?? (options.baseline ? ruleSetOf(options.baseline.tables) : undefined);
  if (options.all || !before) {
    ctx.log('invalidate: every redirect site, /* (--all)');
    return new Map(deployment.sites.sites.filter((s) => s.mode !== 'frozen').map((s) => [s.name, ['/*']]));
  }
  const changes = configChanges(before, ruleSetOf(deployment.tables));
  if (changes.sitesChanged) ctx.log('invalidate: sites, regions, countries or headers changed: every redirect site, /*');
  if (changes.rulesChanged) {
    ctx.log('invalidate: rules or catalogue changed: every redirect site, /*');
    for (const c of rulesFileChanges(before.tables, deployment.tables))
      ctx.log(`  ${c.kind} rule ${c.idAfter ?? c.idBefore}: ${c.kind === 'changed' ? `${c.before} -> ${c.after}` : (c.after ?? c.before)}`);
    for (const c of catalogueChanges(before.tables, deployment.tables))
      ctx.log(`  catalogue ${c.region}:${c.added.map((p) => ` +${p}`).join('')}${c.removed.map((p) => ` -${p}`).join('')}`);
  }
  for (const r of changes.rules) ctx.log(`  ${r.kind} ${r.source}: ${r.example} ${r.before} -> ${r.after}`);
  const plan = invalidationPaths(deployment.tables, changes);
  return plan.size > 0 ? plan : undefined;
}

/** The invalidation's CallerReference: the same paths for the same function version are one invalidation, however often this runs. */
function callerReference(distributionId: string, functionArn: string, paths: readonly string[]): string {
  return (
    'poco-sunset-' +
    createHash('sha256')
      .update(JSON.stringify([distributionId, functionArn, paths]))
      .digest('hex')
      .slice(0, 32)
  );
}

interface Started {
  readonly site: string;
  readonly id: string;
  readonly invalidation: string;
}

/** Waits until the distribution is Deployed (cached answers are only worth removing once every edge runs the new function version), then creates the invalidation. */
async function startInvalidation(ctx: OpsContext, site: string, id: string, paths: string[], timing: WaitTiming): Promise<Started> {
  const got = await waitUntilDeployed(ctx, id, `distribution ${id} (site ${site}) deployed`, timing);
  const functionArn =
    got.Distribution?.DistributionConfig?.DefaultCacheBehavior?.LambdaFunctionAssociations?.Items?.[0]?.LambdaFunctionARN ?? '';
  const created = await call(
    ctx,
    'cloudfront:CreateInvalidation',
    () =>
      ctx.clients.cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: id,
          InvalidationBatch: { CallerReference: callerReference(id, functionArn, paths), Paths: { Quantity: paths.length, Items: paths } },
        }),
      ),
    id,
  );
  const invalidation = created.Invalidation?.Id ?? '?';
  ctx.log(`site ${site}: invalidation ${invalidation} of ${id} created (${paths.join(' ')})`);
  return { site, id, invalidation };
}

/** Waits until the invalidation is Completed. */
async function waitUntilCompleted(ctx: OpsContext, s: Started, timing: WaitTiming): Promise<void> {
  await waitForStatus(
    ctx,
    `invalidation ${s.invalidation} (site ${s.site})`,
    'Completed',
    async () => {
      const got = await call(
        ctx,
        'cloudfront:GetInvalidation',
        () => ctx.clients.cloudfront.send(new GetInvalidationCommand({ DistributionId: s.id, Id: s.invalidation })),
        s.id,
      );
      return got.Invalidation?.Status ?? 'unknown';
    },
    timing,
  );
}

/** Starts the plan's invalidations, then waits for each; a site that fails does not stop the others. Resolves to how many completed and the sites that failed. */
async function applyPlan(
  ctx: OpsContext,
  deployment: LoadedDeployment,
  plan: Plan,
  timing: WaitTiming,
  known?: Inventory,
): Promise<{ completed: number; failed: string[] }> {
  const inv = known ?? (await inventory(ctx, deployment));
  const failed: string[] = [];
  const fail = (site: string, message: string): void => {
    failed.push(site);
    ctx.log(`site ${site}: FAILED: ${message}`);
  };
  const started: Started[] = [];
  for (const [site, paths] of plan) {
    const id = inv.ours.get(site)?.Id;
    if (!id) {
      fail(site, `no distribution of stage ${deployment.stage.name}; deploy first.`);
      continue;
    }
    try {
      started.push(await startInvalidation(ctx, site, id, paths, timing));
    } catch (err) {
      fail(site, (err as Error).message);
    }
  }
  let completed = 0;
  for (const s of started) {
    try {
      await waitUntilCompleted(ctx, s, timing);
      completed++;
    } catch (err) {
      fail(s.site, (err as Error).message);
    }
  }
  return { completed, failed };
}

/** Plans, prints, and with `apply` invalidates; resolves to the exit status. */
export async function invalidate(ctx: OpsContext, deployment: LoadedDeployment, options: InvalidateOptions): Promise<number> {
  const plan = planOf(ctx, deployment, options);
  if (!plan) {
    ctx.log('invalidate: the redirect rules did not change; nothing to invalidate.');
    return 0;
  }
  for (const [site, paths] of plan) ctx.log(`  site ${site}: ${paths.join(' ')}`);
  if (!options.apply) {
    ctx.log(
      `invalidate: dry run: ${plan.size} distribution${plan.size === 1 ? '' : 's'} to invalidate; nothing changed. Run again with --apply.`,
    );
    return 0;
  }
  const { completed, failed } = await applyPlan(ctx, deployment, plan, options, options.inventory);
  ctx.log(
    `invalidate: ${completed} completed, ${failed.length} failed${failed.length ? ` (${failed.join(', ')}): run again to retry them` : ''}.`,
  );
  return failed.length > 0 ? 1 : 0;
}
