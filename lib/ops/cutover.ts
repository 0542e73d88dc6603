/**
 * `cutover HOSTNAME...`: moves hostnames from the distribution that holds
 * them to this project's (cloudfront:AssociateAlias). CloudFront moves an
 * alias only when the target's certificate covers it and a TXT record
 * `_<hostname>` holds the target's domain name; the command prints those
 * records first, checks them in DNS, and changes nothing without --apply.
 */
import { AssociateAliasCommand, DistributionSummary, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { intOption, parseArgs, UsageError } from '../cli/args';
import type { Command } from '../cli/command';
import type { CliIo } from '../cli/io';
import type { LoadedDeployment } from '../config/load';
import { aliasesOf, AWS_OPTIONS, AWS_OPTIONS_HELP, call, certificateCovers, defaultContext, deploymentFor, hostnamesOf, inventory, OpsContext, waitUntil } from './aws';

export interface CutoverOptions {
  readonly hostnames: readonly string[];
  readonly apply: boolean;
  /** @default 30 minutes */
  readonly timeoutMs?: number;
  /** @default 15 s */
  readonly pollMs?: number;
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

/** Plans, prints, and with `apply` moves each hostname; resolves to the exit status. */
export async function cutover(ctx: OpsContext, deployment: LoadedDeployment, options: CutoverOptions): Promise<number> {
  const known = new Map(hostnamesOf(deployment).map((h) => [h.host, h.site]));
  const unknown = options.hostnames.filter((h) => !known.has(h));
  if (options.hostnames.length === 0) throw new UsageError('name the hostnames to move, such as uk.po.co, or give --awaiting for every hostname in the stage\'s awaitingCutover');
  if (unknown.length > 0) throw new UsageError(`${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a hostname of ${deployment.sites.file}; choose from ${[...known.keys()].join(', ')}`);

  ctx.log(`cutover: stage ${deployment.stage.name}: ${options.apply ? 'moving' : 'planning (dry run; --apply moves)'} ${options.hostnames.join(', ')}`);
  const inv = await inventory(ctx, deployment);
  const certs = new Map<string, Promise<{ names: string[]; status: string }>>();
  const plans: Plan[] = [];
  for (const host of options.hostnames) {
    const site = known.get(host)!;
    const target = inv.ours.get(site);
    const txtName = `_${host}`;
    if (!target) {
      plans.push({ host, txtName, problem: `site ${site} has no distribution in stage ${deployment.stage.name} yet. Fix: add ${host} to awaitingCutover and deploy first.` });
      continue;
    }
    if (aliasesOf(target).includes(host)) {
      plans.push({ host, target, txtName, already: true });
      continue;
    }
    const coverage = await certificateCovers(ctx, target, host, certs);
    if (!coverage?.covers) {
      plans.push({ host, target, txtName, problem: `the certificate of ${target.Id} ${coverage ? `does not cover ${host} (${coverage.status})` : 'is not an ACM certificate'}. Fix: deploy the stack, whose certificate lists every hostname of the site, and wait for it to be issued.` });
      continue;
    }
    const txtValue = target.DomainName ?? '';
    plans.push({ host, target, txtName, txtValue, txtPresent: await txtHas(ctx, txtName, txtValue) });
  }

  for (const p of plans) {
    if (p.problem) ctx.log(`${p.host}: CANNOT MOVE: ${p.problem}`);
    else if (p.already) ctx.log(`${p.host}: already on ${p.target!.Id}; nothing to do`);
    else {
      ctx.log(`${p.host}: move to ${p.target!.Id} (${p.txtValue}); needs the DNS record`);
      ctx.log(`  ${p.txtName}. TXT "${p.txtValue}"   ${p.txtPresent ? 'present' : 'MISSING: create it in the zone of the hostname first'}`);
    }
  }
  const movable = plans.filter((p) => !p.problem && !p.already && p.txtPresent);
  const blocked = plans.filter((p) => p.problem || (!p.already && !p.txtPresent));
  if (!options.apply) {
    ctx.log(`cutover: dry run: ${movable.length} ready to move, ${blocked.length} blocked; nothing changed. Run again with --apply to move.`);
    return blocked.length > 0 ? 1 : 0;
  }

  const moved: Plan[] = [];
  const failed: string[] = [];
  for (const p of movable) {
    try {
      ctx.log(`${p.host}: AssociateAlias to ${p.target!.Id}`);
      await call(ctx, 'cloudfront:AssociateAlias', () => ctx.clients.cloudfront.send(new AssociateAliasCommand({ TargetDistributionId: p.target!.Id, Alias: p.host })), p.target!.Id);
      moved.push(p);
    } catch (err) {
      failed.push(p.host);
      ctx.log(`${p.host}: FAILED: ${(err as Error).message}`);
    }
  }
  for (const id of [...new Set(moved.map((p) => p.target!.Id!))]) {
    await waitUntil(
      ctx,
      `distribution ${id}`,
      async () => {
        const d = await call(ctx, 'cloudfront:GetDistribution', () => ctx.clients.cloudfront.send(new GetDistributionCommand({ Id: id })), id);
        const status = d.Distribution?.Status ?? 'unknown';
        return { done: status === 'Deployed', state: status };
      },
      { intervalMs: options.pollMs ?? 15000, timeoutMs: options.timeoutMs ?? 30 * 60000 },
    );
  }
  const notTried = blocked.length;
  ctx.log(`cutover: ${moved.length} moved, ${failed.length} failed, ${notTried} blocked.`);
  if (moved.length > 0) {
    ctx.log(
      `Next: remove ${moved.map((p) => p.host).join(', ')} from stages.${deployment.stage.name}.awaitingCutover and deploy. ` +
        'CloudFront already routes them to this project whatever their DNS records say; delete their old A/AAAA records just before that deploy, which creates the stack\'s.',
    );
  }
  return failed.length + notTried > 0 ? 1 : 0;
}

export const cutoverCommand: Command = {
  name: 'cutover',
  summary: 'move hostnames from the distribution holding them to this project\'s (AssociateAlias); --apply to change',
  usage: `Usage: npm run ops -- cutover [options] HOSTNAME...
       npm run ops -- cutover [options] --awaiting

Moves each hostname from the distribution that holds it (in any account) to this
project's distribution for its site, with cloudfront:AssociateAlias. First prints,
for each, the TXT record CloudFront requires (_<hostname> TXT "<distribution
domain>") and whether DNS already has it; the certificate must cover the name.
Without --apply nothing changes. With --apply it moves the ready ones, then waits
until the distributions are deployed, with progress.

Options:
  --awaiting        every hostname in the stage's awaitingCutover
  --apply           move (otherwise a dry run)
  --timeout M       minutes to wait for deployment                [30]
${AWS_OPTIONS_HELP}

Exit status: 0 when every hostname moved (or is ready, in a dry run), 1 when any is blocked or failed, 2 on bad options or config.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, { ...AWS_OPTIONS, apply: 'boolean', awaiting: 'boolean', timeout: 'string' });
    const deployment = deploymentFor(args.options);
    if (args.options.awaiting && args.positionals.length > 0) throw new UsageError('give hostnames or --awaiting, not both');
    const hostnames = args.options.awaiting ? deployment.stage.awaitingCutover : args.positionals;
    return cutover(defaultContext((l) => io.stdout.write(l + '\n')), deployment, {
      hostnames,
      apply: args.options.apply === true,
      timeoutMs: intOption(args.options.timeout, 'timeout', 30, 1, 24 * 60) * 60000,
    });
  },
};
