/**
 * `preflight`: before a deploy, who holds each configured hostname, whether
 * this project's certificate covers it, and what would conflict. Read-only.
 */
import { ConflictingAlias, DistributionSummary, ListConflictingAliasesCommand } from '@aws-sdk/client-cloudfront';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import type { LoadedDeployment } from '../config/load';
import { zoneOf } from '../config/stages';
import {
  aliasesOf,
  call,
  CertificateCache,
  CertificateCoverage,
  certificateCovers,
  hostnamesOf,
  Inventory,
  inventory,
  nameCovers,
  OpsContext,
} from './aws';

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

export interface NameRecords {
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
  const r = await call(
    ctx,
    'route53:ListResourceRecordSets',
    () =>
      ctx.clients.route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: 'A', MaxItems: 2 }),
      ),
    zoneId,
  );
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

/** What AWS says about one hostname: what its check is decided from. */
export interface HostnameFacts {
  readonly host: string;
  readonly site: string;
  /** This project's distribution for the site, once deployed. */
  readonly ours?: DistributionSummary;
  /** Whether its certificate covers the name; undefined when it has no ACM certificate (or there is no distribution). */
  readonly coverage?: CertificateCoverage;
  /** The hosted zone of the name, when the stage has one for it. */
  readonly zone?: { readonly name: string; readonly id: string };
  readonly records: NameRecords;
  /** The distribution of this account whose alias is the name itself (a wildcard such as *.po.co included). */
  readonly inAccount?: DistributionSummary;
  /** Without one: a distribution of this account whose wildcard alias covers the name. */
  readonly byWildcard?: DistributionSummary;
  /**
   * Without one in this account, and when this project's distribution has a
   * certificate covering the name: what cloudfront:ListConflictingAliases
   * answered for it. Undefined when it could not be asked.
   */
  readonly conflicting?: readonly ConflictingAlias[];
}

/** What the checks of one stage share: its name, what awaits cutover, this project's distribution ids. */
export interface PreflightSetting {
  readonly stage: string;
  readonly awaiting: ReadonlySet<string>;
  readonly ourIds: ReadonlySet<string | undefined>;
}

/** Reads what AWS says about one hostname: its certificate, its records, who holds it (List* and Describe* only). */
async function factsOf(
  ctx: OpsContext,
  deployment: LoadedDeployment,
  inv: Inventory,
  certs: CertificateCache,
  host: string,
  site: string,
): Promise<HostnameFacts> {
  const ours = inv.ours.get(site);
  const coverage = ours ? await certificateCovers(ctx, ours, host, certs) : undefined;
  const zoneName = zoneOf(host, deployment.stage.hostedZones.keys());
  const zone = zoneName ? { name: zoneName, id: deployment.stage.hostedZones.get(zoneName)! } : undefined;
  const records = zone?.id ? await recordsOf(ctx, zone.id, host, ours?.DomainName) : { found: [], allOurs: true };
  const inAccount = inv.all.find((d) => aliasesOf(d).includes(host));
  if (inAccount) return { host, site, ours, coverage, zone, records, inAccount };
  const byWildcard = inv.all.find((d) => aliasesOf(d).some((a) => a.startsWith('*.') && nameCovers(a, host)));
  // Other accounts: ListConflictingAliases needs a distribution whose certificate covers the name.
  if (!ours || !coverage?.covers) return { host, site, ours, coverage, zone, records, byWildcard };
  const r = await call(
    ctx,
    'cloudfront:ListConflictingAliases',
    () => ctx.clients.cloudfront.send(new ListConflictingAliasesCommand({ DistributionId: ours.Id, Alias: host, MaxItems: 100 })),
    ours.Id,
  );
  return { host, site, ours, coverage, zone, records, byWildcard, conflicting: r.ConflictingAliasesList?.Items ?? [] };
}

function certificateOf(f: HostnameFacts): string {
  if (!f.ours) return 'not deployed yet (the stack requests one that lists every hostname of the site)';
  if (!f.coverage) return `${f.ours.Id} has no ACM certificate`;
  return `${f.coverage.arn} ${f.coverage.covers ? 'covers it' : `does not cover it (${f.coverage.status})`}`;
}

function recordsLine(f: HostnameFacts): string {
  return f.records.found.length === 0
    ? `none in ${f.zone?.name} (${f.zone?.id})`
    : `${f.records.found.join(', ')}${f.records.allOurs ? " (this project's)" : ''}`;
}

/**
 * Who holds the name, and whether someone else does (undefined: unknown).
 * In this account only an alias equal to the name (a wildcard such as
 * *.po.co included) holds it. A wildcard alias that covers the name does not:
 * CloudFront takes the more specific alias on another distribution, in any
 * account, and sends its requests there. It only serves the name until then.
 */
function holderOf(f: HostnameFacts, ourIds: ReadonlySet<string | undefined>): { holder: string; heldElsewhere?: boolean } {
  const wildcard = f.byWildcard;
  const wildcardNote = wildcard
    ? `; served meanwhile by ${ourIds.has(wildcard.Id) ? `this project (${wildcard.Id})` : `${describe(wildcard)} (this account)`} through its wildcard alias ${aliasesOf(wildcard).find((a) => a.startsWith('*.') && nameCovers(a, f.host))}`
    : '';
  if (f.inAccount && ourIds.has(f.inAccount.Id)) return { holder: `this project (${f.inAccount.Id})`, heldElsewhere: false };
  if (f.inAccount) return { holder: `${describe(f.inAccount)} (this account)`, heldElsewhere: true };
  if (!f.conflicting)
    return {
      holder:
        "no distribution of this account; other accounts unknown until this project's distribution and certificate exist" + wildcardNote,
    };
  // The list also has overlapping names (*.po.co for uk.po.co, uk.po.co for *.po.co), which CloudFront allows: only the name itself conflicts.
  const others = f.conflicting.filter((c) => c.DistributionId !== f.ours?.Id && (c.Alias ?? f.host).toLowerCase() === f.host);
  const holder =
    others.length === 0
      ? 'nobody'
      : others.map((c) => `${c.DistributionId ?? '?'} in account ${c.AccountId ?? '?'} (alias ${c.Alias ?? f.host})`).join('; ');
  return { holder: holder + wildcardNote, heldElsewhere: others.length > 0 };
}

/** The verdict from who holds the name and whether it awaits cutover. */
function holdingVerdict(
  f: HostnameFacts,
  heldElsewhere: boolean | undefined,
  setting: PreflightSetting,
): { verdict: Verdict; advice: string } {
  const awaiting = setting.awaiting.has(f.host);
  if (heldElsewhere === false) {
    return awaiting
      ? {
          verdict: 'notice',
          advice: 'already moved: remove it from awaitingCutover and deploy, so the stack keeps it as an alias and creates its records',
        }
      : { verdict: 'ok', advice: 'served by this project' };
  }
  if (heldElsewhere) {
    if (!awaiting)
      return {
        verdict: 'conflict',
        advice: `deploy fails (CNAMEAlreadyExists). Fix: add it to stages.${setting.stage}.awaitingCutover, deploy, then run cutover`,
      };
    if (f.ours && f.coverage?.covers)
      return { verdict: 'cutover', advice: `ready: npm run ops -- cutover ${f.host} --stage ${setting.stage}` };
    return { verdict: 'cutover', advice: "waits for cutover; deploy first, so this project's distribution and certificate exist" };
  }
  if (awaiting)
    return {
      verdict: 'notice',
      advice:
        'listed in awaitingCutover, but no distribution of this account holds it: if no other account does, remove it from the list and deploy',
    };
  return { verdict: 'ok', advice: f.ours ? 'free: the next deploy adds it' : 'free in this account: the deploy adds it' };
}

/** The check of one hostname from its facts (pure): who holds it, the verdict and what to do. */
function checkOf(f: HostnameFacts, setting: PreflightSetting): HostnameCheck {
  const { holder, heldElsewhere } = holderOf(f, setting.ourIds);
  let { verdict, advice } = holdingVerdict(f, heldElsewhere, setting);
  // Records someone else made: CloudFormation cannot create the stack's over them.
  const found = f.records.found;
  const foreignRecords = found.length > 0 && !f.records.allOurs;
  const awaiting = setting.awaiting.has(f.host);
  if (foreignRecords && !awaiting && verdict !== 'conflict') {
    verdict = 'conflict';
    advice = `deploy fails: Route 53 already has ${found.join(', ')}, which CloudFormation cannot create over. Fix: delete ${found.length === 1 ? 'it' : 'them'} just before the deploy (or put the name in awaitingCutover while another distribution serves it)`;
  } else if (foreignRecords && awaiting) {
    advice += `; after the move, delete ${found.join(', ')} just before the deploy that creates the stack's records`;
  }
  return { host: f.host, site: f.site, holder, certificate: certificateOf(f), records: recordsLine(f), verdict, advice };
}

/** Checks every hostname; calls only List*, Describe*. */
export async function preflight(ctx: OpsContext, deployment: LoadedDeployment): Promise<HostnameCheck[]> {
  const inv = await inventory(ctx, deployment);
  const certs: CertificateCache = new Map();
  const setting: PreflightSetting = {
    stage: deployment.stage.name,
    awaiting: new Set(deployment.stage.awaitingCutover),
    ourIds: new Set([...inv.ours.values()].map((d) => d.Id)),
  };
  const checks: HostnameCheck[] = [];
  for (const { host, site } of hostnamesOf(deployment))
    checks.push(checkOf(await factsOf(ctx, deployment, inv, certs, host, site), setting));
  return checks;
}

/** Prints the checks; resolves to the exit status. */
export async function runPreflight(ctx: OpsContext, deployment: LoadedDeployment): Promise<number> {
  ctx.log(
    `preflight: stage ${deployment.stage.name}, account ${deployment.stage.account}: listing distributions, reading certificates (read-only)`,
  );
  const checks = await preflight(ctx, deployment);
  for (const c of checks) {
    ctx.log(`${c.host} (site ${c.site}): ${c.verdict.toUpperCase()}: ${c.advice}`);
    ctx.log(`  held by:     ${c.holder}`);
    ctx.log(`  certificate: ${c.certificate}`);
    ctx.log(`  records:     ${c.records}`);
  }
  const count = (v: Verdict): number => checks.filter((c) => c.verdict === v).length;
  ctx.log(
    `preflight: ${checks.length} hostnames: ${count('ok')} ok, ${count('cutover')} awaiting cutover, ${count('notice')} to tidy, ${count('conflict')} conflicting`,
  );
  return count('conflict') > 0 ? 1 : 0;
}
