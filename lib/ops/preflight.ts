/**
 * `preflight`: before a deploy, who holds each configured hostname, whether
 * this project's certificate covers it, and what would conflict. Read-only.
 */
import { DistributionSummary, ListConflictingAliasesCommand } from '@aws-sdk/client-cloudfront';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { zoneOf } from '../config/stages';
import { parseArgs } from '../cli/args';
import type { Command } from '../cli/command';
import type { CliIo } from '../cli/io';
import type { LoadedDeployment } from '../config/load';
import { aliasesOf, AWS_OPTIONS, AWS_OPTIONS_HELP, call, certificateCovers, defaultContext, deploymentFor, hostnamesOf, inventory, nameCovers, noPositionals, OpsContext } from './aws';

export type Verdict = 'ok' | 'conflict' | 'cutover' | 'notice';

export interface HostnameCheck {
  readonly host: string;
  readonly site: string;
  /** Who holds it: `this project (E…)`, `E… "comment" (this account)`, `E… in account …`, `nobody`, or why it is unknown. */
  readonly holder: string;
  readonly certificate: string;
  /** The A/AAAA records of the name in its hosted zone, and where they point. */
  readonly records: string;
  readonly verdict: Verdict;
  /** What it means and what to do. */
  readonly advice: string;
}

interface NameRecords {
  /** `A alias d123.cloudfront.net`, `AAAA 2001:db8::1`... */
  readonly found: string[];
  /** Whether every record found is an alias to `ownDomain`. */
  readonly allOurs: boolean;
}

/** A record name as Route 53 lists it, with its escapes undone: `\052.po.co.` is the wildcard `*.po.co.`. */
export function unescapeRecordName(name: string): string {
  return name.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))).toLowerCase();
}

/** The A and AAAA records of `host` in its zone (route53:ListResourceRecordSets), and whether they point at our distribution. */
async function recordsOf(ctx: OpsContext, zoneId: string, host: string, ownDomain: string | undefined): Promise<NameRecords> {
  const name = host + '.';
  const r = await call(ctx, 'route53:ListResourceRecordSets', () => ctx.clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: 'A', MaxItems: 2 })), zoneId);
  const found: string[] = [];
  let allOurs = true;
  for (const rs of r.ResourceRecordSets ?? []) {
    // Route 53 lists a wildcard record's name as `\052.po.co.`.
    if (unescapeRecordName(rs.Name ?? '') !== name || (rs.Type !== 'A' && rs.Type !== 'AAAA')) continue;
    const alias = rs.AliasTarget?.DNSName?.toLowerCase().replace(/\.$/, '');
    found.push(alias ? `${rs.Type} alias ${alias}` : `${rs.Type} ${(rs.ResourceRecords ?? []).map((v) => v.Value).join(' ')}`);
    if (!alias || !ownDomain || alias !== ownDomain.toLowerCase()) allOurs = false;
  }
  return { found, allOurs };
}

function describe(d: DistributionSummary): string {
  return `${d.Id ?? '?'}${d.Comment ? ` "${d.Comment}"` : ''}`;
}

/** Checks every hostname; calls only List*, Describe*. */
export async function preflight(ctx: OpsContext, deployment: LoadedDeployment): Promise<HostnameCheck[]> {
  const inv = await inventory(ctx, deployment);
  const certs = new Map<string, Promise<{ names: string[]; status: string }>>();
  const awaiting = new Set(deployment.stage.awaitingCutover);
  const ourIds = new Set([...inv.ours.values()].map((d) => d.Id));
  const checks: HostnameCheck[] = [];
  for (const { host, site } of hostnamesOf(deployment)) {
    const ours = inv.ours.get(site);
    const coverage = ours ? await certificateCovers(ctx, ours, host, certs) : undefined;
    const certificate = !ours
      ? 'not deployed yet (the stack requests one that lists every hostname of the site)'
      : !coverage
        ? `${ours.Id} has no ACM certificate`
        : `${coverage.arn} ${coverage.covers ? 'covers it' : `does not cover it (${coverage.status})`}`;

    const zoneName = zoneOf(host, deployment.stage.hostedZones.keys());
    const zoneId = zoneName ? deployment.stage.hostedZones.get(zoneName)! : undefined;
    const recs = zoneId ? await recordsOf(ctx, zoneId, host, ours?.DomainName) : { found: [], allOurs: true };
    const records = recs.found.length === 0 ? `none in ${zoneName} (${zoneId})` : `${recs.found.join(', ')}${recs.allOurs ? ' (this project\'s)' : ''}`;
    // Records someone else made: CloudFormation cannot create the stack's over them.
    const foreignRecords = recs.found.length > 0 && !recs.allOurs;

    // Held in this account: only an alias equal to the name (a wildcard such as *.po.co included) holds it.
    // A wildcard alias that covers the name does not: CloudFront takes the more specific alias on
    // another distribution, in any account, and sends its requests there. It only serves the name until then.
    const inAccount = inv.all.find((d) => aliasesOf(d).includes(host));
    const byWildcard = inAccount ? undefined : inv.all.find((d) => aliasesOf(d).some((a) => a.startsWith('*.') && nameCovers(a, host)));
    const wildcardNote = byWildcard
      ? `; served meanwhile by ${ourIds.has(byWildcard.Id) ? `this project (${byWildcard.Id})` : `${describe(byWildcard)} (this account)`} through its wildcard alias ${aliasesOf(byWildcard).find((a) => a.startsWith('*.') && nameCovers(a, host))}`
      : '';
    let holder: string;
    let heldElsewhere: boolean | undefined;
    if (inAccount && ourIds.has(inAccount.Id)) {
      holder = `this project (${inAccount.Id})`;
      heldElsewhere = false;
    } else if (inAccount) {
      holder = `${describe(inAccount)} (this account)`;
      heldElsewhere = true;
    } else {
      // Other accounts: ListConflictingAliases needs a distribution whose certificate covers the name.
      const prober = coverage?.covers ? ours : undefined;
      if (!prober) {
        holder = 'no distribution of this account; other accounts unknown until this project\'s distribution and certificate exist';
      } else {
        const r = await call(ctx, 'cloudfront:ListConflictingAliases', () => ctx.clients.cloudfront.send(new ListConflictingAliasesCommand({ DistributionId: prober.Id, Alias: host, MaxItems: 100 })), prober.Id);
        // The list also has overlapping names (*.po.co for uk.po.co, uk.po.co for *.po.co), which CloudFront allows: only the name itself conflicts.
        const others = (r.ConflictingAliasesList?.Items ?? []).filter((c) => c.DistributionId !== prober.Id && (c.Alias ?? host).toLowerCase() === host);
        holder = others.length === 0 ? 'nobody' : others.map((c) => `${c.DistributionId ?? '?'} in account ${c.AccountId ?? '?'} (alias ${c.Alias ?? host})`).join('; ');
        heldElsewhere = others.length > 0;
      }
    }
    holder += wildcardNote;

    let verdict: Verdict;
    let advice: string;
    if (heldElsewhere === false) {
      verdict = awaiting.has(host) ? 'notice' : 'ok';
      advice = awaiting.has(host) ? 'already moved: remove it from awaitingCutover and deploy, so the stack keeps it as an alias and creates its records' : 'served by this project';
    } else if (heldElsewhere) {
      if (!awaiting.has(host)) {
        verdict = 'conflict';
        advice = `deploy fails (CNAMEAlreadyExists). Fix: add it to stages.${deployment.stage.name}.awaitingCutover, deploy, then run cutover`;
      } else if (ours && coverage?.covers) {
        verdict = 'cutover';
        advice = `ready: npm run ops -- cutover ${host} --stage ${deployment.stage.name}`;
      } else {
        verdict = 'cutover';
        advice = 'waits for cutover; deploy first, so this project\'s distribution and certificate exist';
      }
    } else if (awaiting.has(host)) {
      verdict = 'notice';
      advice = 'listed in awaitingCutover, but no distribution of this account holds it: if no other account does, remove it from the list and deploy';
    } else {
      verdict = 'ok';
      advice = ours ? 'free: the next deploy adds it' : 'free in this account: the deploy adds it';
    }
    if (foreignRecords && !awaiting.has(host) && verdict !== 'conflict') {
      verdict = 'conflict';
      advice = `deploy fails: Route 53 already has ${recs.found.join(', ')}, which CloudFormation cannot create over. Fix: delete ${recs.found.length === 1 ? 'it' : 'them'} just before the deploy (or put the name in awaitingCutover while another distribution serves it)`;
    } else if (foreignRecords && awaiting.has(host)) {
      advice += `; after the move, delete ${recs.found.join(', ')} just before the deploy that creates the stack's records`;
    }
    checks.push({ host, site, holder, certificate, records, verdict, advice });
  }
  return checks;
}

export const preflightCommand: Command = {
  name: 'preflight',
  summary: 'for every configured hostname: who holds it, whether the certificate covers it, its DNS records, what will conflict (read-only)',
  usage: `Usage: npm run ops -- preflight [options]

For every hostname of the sites file: which distribution holds it today
(ListDistributions in this account; ListConflictingAliases for other accounts,
once this project's distribution and certificate exist), whether this project's
certificate covers it (acm:DescribeCertificate), which A/AAAA records the name
already has in its hosted zone (route53:ListResourceRecordSets), and what the
next deploy or cutover will meet. Read-only.

Options:
${AWS_OPTIONS_HELP}

Exit status: 0 when nothing conflicts, 1 when a hostname would fail the deploy (or on an AWS error), 2 on bad options or config.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const args = parseArgs(argv, AWS_OPTIONS);
    noPositionals(args.positionals);
    const deployment = deploymentFor(args.options);
    return runPreflight(defaultContext((l) => io.stdout.write(l + '\n')), deployment);
  },
};

/** Prints the checks; resolves to the exit status. */
export async function runPreflight(ctx: OpsContext, deployment: LoadedDeployment): Promise<number> {
  ctx.log(`preflight: stage ${deployment.stage.name}, account ${deployment.stage.account}: listing distributions, reading certificates (read-only)`);
  const checks = await preflight(ctx, deployment);
  for (const c of checks) {
    ctx.log(`${c.host} (site ${c.site}): ${c.verdict.toUpperCase()}: ${c.advice}`);
    ctx.log(`  held by:     ${c.holder}`);
    ctx.log(`  certificate: ${c.certificate}`);
    ctx.log(`  records:     ${c.records}`);
  }
  const count = (v: Verdict): number => checks.filter((c) => c.verdict === v).length;
  ctx.log(`preflight: ${checks.length} hostnames: ${count('ok')} ok, ${count('cutover')} awaiting cutover, ${count('notice')} to tidy, ${count('conflict')} conflicting`);
  return count('conflict') > 0 ? 1 : 0;
}
