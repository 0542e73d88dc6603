/**
 * `status`: each site's distribution in the stage: deployment state,
 * aliases against the config, the function version it runs, and
 * invalidations in progress. Read-only.
 */
import { ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import type { LoadedDeployment } from '../config/load';
import { aliasesOf, call, inventory, OpsContext } from './aws';

/** `name:N` of a function version ARN (`arn:aws:lambda:us-east-1:…:function:name:N`). */
function versionOf(arn: string | undefined): string {
  const m = /:function:([^:]+):(\d+)$/.exec(arn ?? '');
  return m ? `${m[1]} version ${m[2]}` : (arn ?? 'none');
}

/** Prints each site's distribution; resolves to the exit status (1 when a site is not deployed or not settled). */
export async function status(ctx: OpsContext, deployment: LoadedDeployment): Promise<number> {
  ctx.log(`status: stage ${deployment.stage.name}, account ${deployment.stage.account} (read-only)`);
  const inv = await inventory(ctx, deployment);
  const awaiting = new Set(deployment.stage.awaitingCutover);
  let unsettled = 0;
  for (const site of deployment.sites.sites) {
    const d = inv.ours.get(site.name);
    if (!d?.Id) {
      ctx.log(`site ${site.name}: not deployed (no distribution with comment "${inv.stack} site ${site.name}")`);
      unsettled++;
      continue;
    }
    const id = d.Id;
    const aliases = aliasesOf(d);
    const missing = site.hostnames.filter((h) => !aliases.includes(h));
    const extra = aliases.filter((a) => !site.hostnames.includes(a));
    const fn = d.DefaultCacheBehavior?.LambdaFunctionAssociations?.Items?.map(
      (a) => `${versionOf(a.LambdaFunctionARN)} on ${a.EventType ?? '?'}`,
    ).join(', ');
    const invalidations = await call(
      ctx,
      'cloudfront:ListInvalidations',
      () => ctx.clients.cloudfront.send(new ListInvalidationsCommand({ DistributionId: id, MaxItems: 100 })),
      id,
    );
    const running = (invalidations.InvalidationList?.Items ?? []).filter((i) => i.Status !== 'Completed').length;
    ctx.log(
      `site ${site.name}: ${id} ${d.DomainName ?? ''} ${d.Status ?? '?'}${d.Enabled === false ? ' (DISABLED)' : ''}, modified ${d.LastModifiedTime?.toISOString() ?? '?'}`,
    );
    ctx.log(`  aliases:  ${aliases.length ? aliases.join(', ') : 'none'}`);
    for (const h of missing)
      ctx.log(
        `  missing:  ${h}${awaiting.has(h) ? ' (awaiting cutover)' : ' (in the config, not on the distribution: deploy, or run preflight)'}`,
      );
    for (const h of extra) ctx.log(`  extra:    ${h} (on the distribution, not in the config)`);
    ctx.log(`  function: ${fn || 'none'}`);
    ctx.log(`  invalidations in progress: ${running}`);
    if (d.Status !== 'Deployed' || running > 0) unsettled++;
  }
  const foreign = [...inv.ours.keys()].filter((s) => !deployment.sites.sites.some((c) => c.name === s));
  for (const s of foreign) ctx.log(`site ${s}: ${inv.ours.get(s)!.Id} has this stage's comment but the site is not in the config`);
  ctx.log(
    `status: ${deployment.sites.sites.length} sites, ${inv.ours.size} distributions found, ${unsettled} not deployed or still changing`,
  );
  return unsettled > 0 ? 1 : 0;
}
