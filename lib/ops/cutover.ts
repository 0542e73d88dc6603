/**
 * `cutover HOSTNAME...`: moves hostnames from the distribution that holds
 * them to this project's (cloudfront:AssociateAlias). CloudFront moves an
 * alias only when the target's certificate covers it and a TXT record
 * `_<hostname>` holds the target's domain name; the command prints those
 * records first, checks them in DNS, and changes nothing without --apply.
 */
import { AssociateAliasCommand, DistributionSummary } from '@aws-sdk/client-cloudfront';
import type { LoadedDeployment } from '../config/load';
import { UsageError } from '../config/problems';
import {
  aliasesOf,
  call,
  CertificateCache,
  certificateCovers,
  hostnamesOf,
  Inventory,
  inventory,
  OpsContext,
  WaitTiming,
  waitUntilDeployed,
} from './aws';

export interface CutoverOptions extends WaitTiming {
  readonly hostnames: readonly string[];
  /** The hostnames are the stage's awaitingCutover (`--awaiting`). */
  readonly awaiting?: boolean;
  readonly apply: boolean;
}

interface Plan {
  readonly host: string;
  readonly target?: DistributionSummary;
  /** Why the hostname cannot be moved, if it cannot. */
  readonly problem?: string;
  readonly already?: boolean;
  readonly txtName: string;
  readonly txtValue?: string;
  readonly txtPresent?: boolean;
}

async function txtHas(ctx: OpsContext, name: string, value: string): Promise<boolean> {
  try {
    const records = await ctx.resolveTxt(name);
    return records.some((chunks) => chunks.join('').trim().replace(/\.$/, '').toLowerCase() === value.toLowerCase());
  } catch {
    return false;
  }
}

/** The site of each configured hostname; refuses an empty list or a hostname the sites file does not have. */
function sitesOfHostnames(deployment: LoadedDeployment, hostnames: readonly string[], awaiting = false): Map<string, string> {
  const known = new Map(hostnamesOf(deployment).map((h) => [h.host, h.site]));
  const unknown = hostnames.filter((h) => !known.has(h));
  if (hostnames.length === 0 && awaiting)
    throw new UsageError(
      `stages.${deployment.stage.name}.awaitingCutover is empty: no hostname of the stage awaits cutover; name the hostnames to move, such as uk.po.co, or list them there`,
    );
  if (hostnames.length === 0)
    throw new UsageError(
      "name the hostnames to move, such as uk.po.co, or give --awaiting for every hostname in the stage's awaitingCutover",
    );
  if (unknown.length > 0)
    throw new UsageError(
      `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a hostname of ${deployment.sites.file}; choose from ${[...known.keys()].join(', ')}`,
    );
  return known;
}

/** What moving one hostname to its site's distribution needs, and whether it has it (certificate, TXT record). */
async function planOf(
  ctx: OpsContext,
  deployment: LoadedDeployment,
  inv: Inventory,
  certs: CertificateCache,
  host: string,
  site: string,
): Promise<Plan> {
  const target = inv.ours.get(site);
  const txtName = `_${host}`;
  if (!target)
    return {
      host,
      txtName,
      problem: `site ${site} has no distribution in stage ${deployment.stage.name} yet. Fix: add ${host} to awaitingCutover and deploy first.`,
    };
  if (aliasesOf(target).includes(host)) return { host, target, txtName, already: true };
  const coverage = await certificateCovers(ctx, target, host, certs);
  if (!coverage?.covers) {
    return {
      host,
      target,
      txtName,
      problem: `the certificate of ${target.Id} ${coverage ? `does not cover ${host} (${coverage.status})` : 'is not an ACM certificate'}. Fix: deploy the stack, whose certificate lists every hostname of the site, and wait for it to be issued.`,
    };
  }
  const txtValue = target.DomainName ?? '';
  return { host, target, txtName, txtValue, txtPresent: await txtHas(ctx, txtName, txtValue) };
}

function printPlans(ctx: OpsContext, plans: readonly Plan[]): void {
  for (const p of plans) {
    if (p.problem) ctx.log(`${p.host}: CANNOT MOVE: ${p.problem}`);
    else if (p.already) ctx.log(`${p.host}: already on ${p.target!.Id}; nothing to do`);
    else {
      ctx.log(`${p.host}: move to ${p.target!.Id} (${p.txtValue}); needs the DNS record`);
      ctx.log(`  ${p.txtName}. TXT "${p.txtValue}"   ${p.txtPresent ? 'present' : 'MISSING: create it in the zone of the hostname first'}`);
    }
  }
}

/** AssociateAlias for each plan, a failure not stopping the others; then waits until each changed distribution is deployed. */
async function move(ctx: OpsContext, movable: readonly Plan[], timing: WaitTiming): Promise<{ moved: Plan[]; failed: string[] }> {
  const moved: Plan[] = [];
  const failed: string[] = [];
  for (const p of movable) {
    try {
      ctx.log(`${p.host}: AssociateAlias to ${p.target!.Id}`);
      await call(
        ctx,
        'cloudfront:AssociateAlias',
        () => ctx.clients.cloudfront.send(new AssociateAliasCommand({ TargetDistributionId: p.target!.Id, Alias: p.host })),
        p.target!.Id,
      );
      moved.push(p);
    } catch (err) {
      failed.push(p.host);
      ctx.log(`${p.host}: FAILED: ${(err as Error).message}`);
    }
  }
  for (const id of [...new Set(moved.map((p) => p.target!.Id!))]) await waitUntilDeployed(ctx, id, `distribution ${id}`, timing);
  return { moved, failed };
}

/** Plans, prints, and with `apply` moves each hostname; resolves to the exit status. */
export async function cutover(ctx: OpsContext, deployment: LoadedDeployment, options: CutoverOptions): Promise<number> {
  const known = sitesOfHostnames(deployment, options.hostnames, options.awaiting);
  ctx.log(
    `cutover: stage ${deployment.stage.name}: ${options.apply ? 'moving' : 'planning (dry run; --apply moves)'} ${options.hostnames.join(', ')}`,
  );
  const inv = await inventory(ctx, deployment);
  const certs: CertificateCache = new Map();
  const plans: Plan[] = [];
  for (const host of options.hostnames) plans.push(await planOf(ctx, deployment, inv, certs, host, known.get(host)!));
  printPlans(ctx, plans);
  const movable = plans.filter((p) => !p.problem && !p.already && p.txtPresent);
  const blocked = plans.filter((p) => p.problem || (!p.already && !p.txtPresent));
  if (!options.apply) {
    ctx.log(
      `cutover: dry run: ${movable.length} ready to move, ${blocked.length} blocked; nothing changed. Run again with --apply to move.`,
    );
    return blocked.length > 0 ? 1 : 0;
  }
  const { moved, failed } = await move(ctx, movable, options);
  ctx.log(`cutover: ${moved.length} moved, ${failed.length} failed, ${blocked.length} blocked.`);
  if (moved.length > 0) {
    ctx.log(
      `Next: remove ${moved.map((p) => p.host).join(', ')} from stages.${deployment.stage.name}.awaitingCutover and deploy. ` +
        "CloudFront already routes them to this project whatever their DNS records say; delete their old A/AAAA records just before that deploy, which creates the stack's.",
    );
  }
  return failed.length + blocked.length > 0 ? 1 : 0;
}
