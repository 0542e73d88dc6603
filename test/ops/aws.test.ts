/**
 * The AWS-facing commands against mocked SDK clients (aws-sdk-client-mock):
 * what they read, what they change only with --apply, retries on
 * throttling, partial failure, and the messages for missing credentials,
 * denied permissions and unknown distributions. No call leaves the process.
 */
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import {
  AssociateAliasCommand,
  CloudFrontClient,
  CreateInvalidationCommand,
  DistributionSummary,
  GetDistributionCommand,
  GetInvalidationCommand,
  ListConflictingAliasesCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { ListResourceRecordSetsCommand, ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../lib/cli/poco';
import { LoadedDeployment, loadDeployment, PROJECT_ROOT } from '../../lib/config/load';
import { call, OpsContext } from '../../lib/ops/aws';
import { cutover } from '../../lib/ops/cutover';
import { invalidate } from '../../lib/ops/invalidate';
import { runPreflight } from '../../lib/ops/preflight';
import { status } from '../../lib/ops/status';
import { configFiles, DEFAULT_STAGES_JSON } from '../support/deployment';
import { tmpDir } from '../support/tmp';

const cf = mockClient(CloudFrontClient);
const acm = mockClient(ACMClient);
const route53 = mockClient(Route53Client);

/** The records Route 53 holds, by name: aliases to a distribution's domain, or plain addresses. */
let zone: Record<string, ResourceRecordSet[]>;
const alias = (name: string, type: 'A' | 'AAAA', target: string): ResourceRecordSet => ({
  Name: `${name}.`,
  Type: type,
  AliasTarget: { DNSName: `${target}.`, HostedZoneId: 'Z2FDTNDATAQYW2', EvaluateTargetHealth: false },
});

const ACCOUNT = '111111111111';
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:PocoSunset-default-redirects`;

function dist(id: string, comment: string, aliases: string[], extra: Partial<DistributionSummary> = {}): DistributionSummary {
  return {
    Id: id,
    ARN: `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`,
    Status: 'Deployed',
    DomainName: `${id.toLowerCase()}.cloudfront.net`,
    Comment: comment,
    Enabled: true,
    LastModifiedTime: new Date('2026-11-20T10:00:00Z'),
    Aliases: { Quantity: aliases.length, Items: aliases },
    ViewerCertificate: { ACMCertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/${id}` },
    DefaultCacheBehavior: {
      LambdaFunctionAssociations: { Quantity: 1, Items: [{ LambdaFunctionARN: `${FN}:7`, EventType: 'origin-request' }] },
    },
    ...extra,
  } as DistributionSummary;
}

const ours = (site: string, aliases: string[], extra: Partial<DistributionSummary> = {}): DistributionSummary =>
  dist(`E1${site.toUpperCase()}`, `po.co sunset: PocoSunset-default site ${site}`, aliases, extra);

/** The account as preflight finds it before cutover: uk.po.co still on the old distribution, www.po.co in another account. */
const DISTRIBUTIONS = [
  ours('global', ['po.co']),
  ours('uk', []),
  ours('fr', ['fr.po.co']),
  ours('de', ['de.po.co']),
  ours('community', ['c.po.co']),
  ours('other', ['*.po.co']),
  ours('in', ['in.po.co'], { DefaultCacheBehavior: { LambdaFunctionAssociations: { Quantity: 0, Items: [] } } as never }),
  dist('E9OLD', 'legacy uk.po.co site', ['uk.po.co']),
  dist('E8OTHERSTAGE', 'po.co sunset: PocoSunset-prod site uk', []),
];

/** The default config with a stage whose awaitingCutover is given. */
function deploymentWith(awaiting: string[]): LoadedDeployment {
  const stages = structuredClone(DEFAULT_STAGES_JSON);
  stages.stages.default.awaitingCutover = awaiting;
  return loadDeployment(configFiles({ stages }));
}

let lines: string[];
let sleeps: number[];
let clock: number;
let txt: Record<string, string[][]>;
let ctx: OpsContext;

beforeEach(() => {
  cf.reset();
  acm.reset();
  route53.reset();
  // Today: the project's own records, and uk.po.co still pointing at the old distribution.
  zone = {
    'po.co': [alias('po.co', 'A', 'e1global.cloudfront.net'), alias('po.co', 'AAAA', 'e1global.cloudfront.net')],
    'uk.po.co': [alias('uk.po.co', 'A', 'e9old.cloudfront.net')],
    'fr.po.co': [alias('fr.po.co', 'A', 'e1fr.cloudfront.net')],
    'de.po.co': [alias('de.po.co', 'A', 'e1de.cloudfront.net')],
    'in.po.co': [alias('in.po.co', 'A', 'e1in.cloudfront.net')],
  };
  route53.on(ListResourceRecordSetsCommand).callsFake((input: { StartRecordName: string; MaxItems: number }) => ({
    ResourceRecordSets: (zone[input.StartRecordName.replace(/\.$/, '')] ?? []).slice(0, input.MaxItems),
    IsTruncated: false,
    MaxItems: input.MaxItems,
  }));
  lines = [];
  sleeps = [];
  clock = 0;
  txt = {};
  ctx = {
    clients: {
      cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
      acm: new ACMClient({ region: 'us-east-1' }),
      route53: new Route53Client({ region: 'us-east-1' }),
    },
    log: (l) => lines.push(l),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    resolveTxt: async (name) => {
      if (txt[name]) return txt[name];
      throw Object.assign(new Error(`queryTxt ENODATA ${name}`), { code: 'ENODATA' });
    },
    maxAttempts: 4,
    baseDelayMs: 100,
  };
  // Two pages, so every command must follow NextMarker.
  cf.on(ListDistributionsCommand, { Marker: undefined }).resolves({
    DistributionList: { Items: DISTRIBUTIONS.slice(0, 5), IsTruncated: true, NextMarker: 'page2', Marker: '', MaxItems: 100, Quantity: 5 },
  });
  cf.on(ListDistributionsCommand, { Marker: 'page2' }).resolves({
    DistributionList: { Items: DISTRIBUTIONS.slice(5), IsTruncated: false, Marker: 'page2', MaxItems: 100, Quantity: 4 },
  });
  acm.on(DescribeCertificateCommand).callsFake((input: { CertificateArn: string }) => {
    const site = /certificate\/E1(\w+)$/.exec(input.CertificateArn)?.[1].toLowerCase();
    const names: Record<string, string[]> = {
      global: ['po.co', 'www.po.co'],
      uk: ['uk.po.co'],
      fr: ['fr.po.co'],
      de: ['de.po.co'],
      community: ['c.po.co'],
      other: ['*.po.co'],
      in: ['in.po.co'],
    };
    return {
      Certificate: {
        CertificateArn: input.CertificateArn,
        Status: 'ISSUED',
        SubjectAlternativeNames: names[site ?? ''] ?? ['legacy.example'],
      },
    };
  });
  cf.on(ListConflictingAliasesCommand).resolves({ ConflictingAliasesList: { Items: [], Quantity: 0, MaxItems: 100 } });
  cf.on(ListConflictingAliasesCommand, { DistributionId: 'E1GLOBAL', Alias: 'www.po.co' }).resolves({
    ConflictingAliasesList: {
      Items: [{ Alias: 'www.po.co', DistributionId: '*******XYZ', AccountId: '******9999' }],
      Quantity: 1,
      MaxItems: 100,
    },
  });
});

const throttle = (): Error => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
const denied = (action: string): Error =>
  Object.assign(new Error(`User is not authorized to perform: ${action}`), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });

describe('preflight (read-only)', () => {
  test('who holds each hostname, whether the certificate covers it, what conflicts; exit 1 on a conflict', async () => {
    const code = await runPreflight(ctx, deploymentWith(['uk.po.co']));
    expect(code).toBe(1);
    expect(lines).toEqual([
      'preflight: stage default, account 111111111111: listing distributions, reading certificates (read-only)',
      'po.co (site global): OK: served by this project',
      '  held by:     this project (E1GLOBAL)',
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1GLOBAL covers it`,
      "  records:     A alias e1global.cloudfront.net, AAAA alias e1global.cloudfront.net (this project's)",
      'www.po.co (site global): CONFLICT: deploy fails (CNAMEAlreadyExists). Fix: add it to stages.default.awaitingCutover, deploy, then run cutover',
      '  held by:     *******XYZ in account ******9999 (alias www.po.co); served meanwhile by this project (E1OTHER) through its wildcard alias *.po.co',
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1GLOBAL covers it`,
      '  records:     none in po.co (Z0PLACEHOLDERPOCO)',
      // poco.net came with the rules file: not yet on the global distribution or its certificate.
      'poco.net (site global): OK: free: the next deploy adds it',
      "  held by:     no distribution of this account; other accounts unknown until this project's distribution and certificate exist",
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1GLOBAL does not cover it (ISSUED)`,
      '  records:     none in poco.net (Z0PLACEHOLDERPOCONET)',
      'www.poco.net (site global): OK: free: the next deploy adds it',
      "  held by:     no distribution of this account; other accounts unknown until this project's distribution and certificate exist",
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1GLOBAL does not cover it (ISSUED)`,
      '  records:     none in poco.net (Z0PLACEHOLDERPOCONET)',
      "uk.po.co (site uk): CUTOVER: ready: npm run ops -- cutover uk.po.co --stage default; after the move, delete A alias e9old.cloudfront.net just before the deploy that creates the stack's records",
      '  held by:     E9OLD "legacy uk.po.co site" (this account)',
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1UK covers it`,
      '  records:     A alias e9old.cloudfront.net',
      'fr.po.co (site fr): OK: served by this project',
      '  held by:     this project (E1FR)',
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1FR covers it`,
      "  records:     A alias e1fr.cloudfront.net (this project's)",
      'de.po.co (site de): OK: served by this project',
      '  held by:     this project (E1DE)',
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1DE covers it`,
      "  records:     A alias e1de.cloudfront.net (this project's)",
      'c.po.co (site community): OK: served by this project',
      '  held by:     this project (E1COMMUNITY)',
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1COMMUNITY covers it`,
      '  records:     none in po.co (Z0PLACEHOLDERPOCO)',
      '*.po.co (site other): OK: served by this project',
      '  held by:     this project (E1OTHER)',
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1OTHER covers it`,
      '  records:     none in po.co (Z0PLACEHOLDERPOCO)',
      'in.po.co (site in): OK: served by this project',
      '  held by:     this project (E1IN)',
      `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1IN covers it`,
      "  records:     A alias e1in.cloudfront.net (this project's)",
      'preflight: 10 hostnames: 8 ok, 1 awaiting cutover, 0 to tidy, 1 conflicting',
    ]);
    expect(route53.calls().every((c) => c.args[0] instanceof ListResourceRecordSetsCommand)).toBe(true);
    // Read-only: only List and Describe calls; one DescribeCertificate per certificate.
    expect(
      cf
        .calls()
        .map((c) => c.args[0].constructor.name)
        .sort(),
    ).toEqual(['ListConflictingAliasesCommand', 'ListDistributionsCommand', 'ListDistributionsCommand']);
    expect(acm.commandCalls(DescribeCertificateCommand)).toHaveLength(7);
  });

  test('before the first deploy: free names, names held by another distribution, and records in the way', async () => {
    cf.on(ListDistributionsCommand).resolves({
      DistributionList: {
        Items: [dist('E9OLD', 'legacy uk.po.co site', ['uk.po.co'])],
        IsTruncated: false,
        Marker: '',
        MaxItems: 100,
        Quantity: 1,
      },
    });
    zone = {
      'po.co': [{ Name: 'po.co.', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '192.0.2.10' }] }],
      'uk.po.co': [alias('uk.po.co', 'A', 'e9old.cloudfront.net')],
    };
    const code = await runPreflight(ctx, deploymentWith([]));
    expect(code).toBe(1);
    expect(lines.filter((l) => !l.startsWith(' '))).toEqual([
      'preflight: stage default, account 111111111111: listing distributions, reading certificates (read-only)',
      'po.co (site global): CONFLICT: deploy fails: Route 53 already has A 192.0.2.10, which CloudFormation cannot create over. Fix: delete it just before the deploy (or put the name in awaitingCutover while another distribution serves it)',
      'www.po.co (site global): OK: free in this account: the deploy adds it',
      'poco.net (site global): OK: free in this account: the deploy adds it',
      'www.poco.net (site global): OK: free in this account: the deploy adds it',
      'uk.po.co (site uk): CONFLICT: deploy fails (CNAMEAlreadyExists). Fix: add it to stages.default.awaitingCutover, deploy, then run cutover',
      'fr.po.co (site fr): OK: free in this account: the deploy adds it',
      'de.po.co (site de): OK: free in this account: the deploy adds it',
      'c.po.co (site community): OK: free in this account: the deploy adds it',
      '*.po.co (site other): OK: free in this account: the deploy adds it',
      'in.po.co (site in): OK: free in this account: the deploy adds it',
      'preflight: 10 hostnames: 8 ok, 0 awaiting cutover, 0 to tidy, 2 conflicting',
    ]);
    expect(lines[4]).toBe('  records:     A 192.0.2.10');
    expect(lines[2]).toBe(
      "  held by:     no distribution of this account; other accounts unknown until this project's distribution and certificate exist",
    );
    expect(lines[3]).toBe('  certificate: not deployed yet (the stack requests one that lists every hostname of the site)');
  });

  test('throttling is retried with growing backoff, each retry said', async () => {
    cf.on(ListDistributionsCommand, { Marker: undefined })
      .rejectsOnce(throttle())
      .rejectsOnce(throttle())
      .resolves({ DistributionList: { Items: DISTRIBUTIONS, IsTruncated: false, Marker: '', MaxItems: 100, Quantity: 9 } });
    await runPreflight(ctx, deploymentWith(['uk.po.co']));
    expect(lines.slice(1, 3)).toEqual([
      expect.stringMatching(/^ {2}cloudfront:ListDistributions: throttled; retrying in 0\.\d s \(attempt 2 of 4\)$/),
      expect.stringMatching(/^ {2}cloudfront:ListDistributions: throttled; retrying in 0\.\d s \(attempt 3 of 4\)$/),
    ]);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[1]).toBeGreaterThanOrEqual(100);
    expect(sleeps[1]).toBeLessThanOrEqual(200);
  });

  test('throttled past the last attempt: one clear error, nothing after it done', async () => {
    cf.on(ListDistributionsCommand).rejects(throttle());
    await expect(runPreflight(ctx, deploymentWith([]))).rejects.toThrow(
      'cloudfront:ListDistributions still failed after 4 attempts (throttled) (Rate exceeded). Fix: wait a few minutes and run again; nothing after this call was done.',
    );
    expect(cf.commandCalls(ListDistributionsCommand)).toHaveLength(4);
    expect(acm.calls()).toHaveLength(0);
  });

  test("credentials for another account than the stage's are refused", async () => {
    cf.on(ListDistributionsCommand).resolves({
      DistributionList: {
        Items: [{ ...dist('E5', 'x', []), ARN: 'arn:aws:cloudfront::999999999999:distribution/E5' }],
        IsTruncated: false,
        Marker: '',
        MaxItems: 100,
        Quantity: 1,
      },
    });
    await expect(runPreflight(ctx, deploymentWith([]))).rejects.toThrow(
      'the credentials are for account 999999999999, but stage default deploys to 111111111111. Fix: set AWS_PROFILE to a profile for 111111111111, or choose the stage with --stage.',
    );
  });
});

describe('the CLI turns AWS failures into one line and exit 1 (clients mocked for every instance)', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, {
      stdin: process.stdin,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    });
    return { code, out: out.join(''), err: err.join('') };
  }

  test.each([
    [
      'missing credentials',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'ops status: no AWS credentials were found (Could not load credentials from any providers). Fix: set AWS_PROFILE to a profile for the stage\'s account (after "aws sso login" if it uses SSO), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.\n',
    ],
    [
      'a denied permission',
      denied('cloudfront:ListDistributions'),
      "ops status: cloudfront:ListDistributions was denied (User is not authorized to perform: cloudfront:ListDistributions). Fix: use a role that allows cloudfront:ListDistributions in the stage's account.\n",
    ],
    [
      'expired credentials',
      Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }),
      'ops status: the AWS credentials were refused as expired or invalid (The security token included in the request is expired). Fix: renew them ("aws sso login", or new keys) and run again.\n',
    ],
  ])('%s', async (_what, error, message) => {
    cf.on(ListDistributionsCommand).rejects(error);
    const r = await run(['status']);
    expect([r.code, r.err]).toEqual([1, message]);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test('an unknown hosted zone', async () => {
    const e = Object.assign(new Error('No hosted zone found with ID: Z0PLACEHOLDERPOCO'), {
      name: 'NoSuchHostedZone',
      $metadata: { httpStatusCode: 404 },
    });
    route53.on(ListResourceRecordSetsCommand).rejects(e);
    await expect(runPreflight(ctx, deploymentWith([]))).rejects.toThrow(
      "hosted zone Z0PLACEHOLDERPOCO does not exist in this account (No hosted zone found with ID: Z0PLACEHOLDERPOCO). Fix: copy the zone's id from Route 53 into the stage's hostedZones, and check that AWS_PROFILE is the stage's account.",
    );
  });

  test('an unknown distribution', async () => {
    const e = Object.assign(new Error('The specified distribution does not exist.'), {
      name: 'NoSuchDistribution',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(call(ctx, 'cloudfront:GetDistribution', () => Promise.reject(e), 'E404')).rejects.toThrow(
      'distribution E404 does not exist in this account (The specified distribution does not exist.). Fix: check the id with "npm run ops -- status", and that AWS_PROFILE is the stage\'s account.',
    );
  });

  test('--help of each command, and bad options', async () => {
    for (const name of ['preflight', 'cutover', 'invalidate', 'status']) {
      const r = await run([name, '--help']);
      expect([r.code, r.out.split('\n')[0]]).toEqual([
        0,
        `Usage: npm run ops -- ${name}${name === 'cutover' ? ' [options] HOSTNAME...' : name === 'invalidate' ? ' --since REF [options]' : ' [options]'}`,
      ]);
    }
    const bad = await run(['status', '--stag', 'prod']);
    expect([bad.code, bad.err.split('\n')[0]]).toEqual([
      2,
      'ops status: unknown option "--stag"; this command takes --stage, --sites, --stages, --redirects, --rules, --catalog',
    ]);
    const stage = await run(['status', '--stage', 'qa']);
    expect([stage.code, stage.err]).toEqual([
      2,
      'ops status: Config is invalid (1 problem); nothing was written.\n  config/stages.json: stages: there is no stage "qa". Fix: choose one of default or prod (--stage NAME for the tools, -c stage=NAME for cdk), or add it to config/stages.json.\n',
    ]);
    expect(cf.calls()).toHaveLength(0);
  });
});

describe('cutover', () => {
  test('a dry run prints the TXT record each move needs and changes nothing', async () => {
    const code = await cutover(ctx, deploymentWith(['uk.po.co']), { hostnames: ['uk.po.co', 'po.co'], apply: false });
    expect(lines).toEqual([
      'cutover: stage default: planning (dry run; --apply moves) uk.po.co, po.co',
      'uk.po.co: move to E1UK (e1uk.cloudfront.net); needs the DNS record',
      '  _uk.po.co. TXT "e1uk.cloudfront.net"   MISSING: create it in the zone of the hostname first',
      'po.co: already on E1GLOBAL; nothing to do',
      'cutover: dry run: 0 ready to move, 1 blocked; nothing changed. Run again with --apply to move.',
    ]);
    expect(code).toBe(1);
    expect(cf.commandCalls(AssociateAliasCommand)).toHaveLength(0);
  });

  test('--apply moves the hostname, then waits for the distribution with progress', async () => {
    txt['_uk.po.co'] = [['e1uk.cloudfront.net']];
    cf.on(AssociateAliasCommand).resolves({});
    cf.on(GetDistributionCommand)
      .resolvesOnce({ Distribution: { Status: 'InProgress' } as never })
      .resolvesOnce({ Distribution: { Status: 'InProgress' } as never })
      .resolves({ Distribution: { Status: 'Deployed' } as never });
    const code = await cutover(ctx, deploymentWith(['uk.po.co']), { hostnames: ['uk.po.co'], apply: true, pollMs: 15000 });
    expect(code).toBe(0);
    expect(cf.commandCalls(AssociateAliasCommand).map((c) => c.args[0].input)).toEqual([
      { TargetDistributionId: 'E1UK', Alias: 'uk.po.co' },
    ]);
    expect(lines).toEqual([
      'cutover: stage default: moving uk.po.co',
      'uk.po.co: move to E1UK (e1uk.cloudfront.net); needs the DNS record',
      '  _uk.po.co. TXT "e1uk.cloudfront.net"   present',
      'uk.po.co: AssociateAlias to E1UK',
      '  distribution E1UK: InProgress (0:00 so far)',
      '  distribution E1UK: Deployed after 0:30',
      'cutover: 1 moved, 0 failed, 0 blocked.',
      "Next: remove uk.po.co from stages.default.awaitingCutover and deploy. CloudFront already routes them to this project whatever their DNS records say; delete their old A/AAAA records just before that deploy, which creates the stack's.",
    ]);
  });

  test('partial failure: the others still move, the failure is named, exit 1', async () => {
    txt['_uk.po.co'] = [['e1uk.cloudfront.net']];
    txt['_www.po.co'] = [['e1global.cloudfront.net']];
    cf.on(AssociateAliasCommand, { Alias: 'www.po.co' }).rejects(denied('cloudfront:AssociateAlias'));
    cf.on(AssociateAliasCommand, { Alias: 'uk.po.co' }).resolves({});
    cf.on(GetDistributionCommand).resolves({ Distribution: { Status: 'Deployed' } as never });
    const code = await cutover(ctx, deploymentWith(['uk.po.co', 'www.po.co']), { hostnames: ['www.po.co', 'uk.po.co'], apply: true });
    expect(code).toBe(1);
    expect(lines).toContain(
      "www.po.co: FAILED: cloudfront:AssociateAlias was denied (User is not authorized to perform: cloudfront:AssociateAlias). Fix: use a role that allows cloudfront:AssociateAlias in the stage's account.",
    );
    expect(lines).toContain('cutover: 1 moved, 1 failed, 0 blocked.');
    expect(cf.commandCalls(GetDistributionCommand).map((c) => c.args[0].input)).toEqual([{ Id: 'E1UK' }]);
  });

  test('a site with no distribution yet, and a hostname not in the config', async () => {
    cf.on(ListDistributionsCommand).resolves({
      DistributionList: { Items: [], IsTruncated: false, Marker: '', MaxItems: 100, Quantity: 0 },
    });
    expect(await cutover(ctx, deploymentWith(['uk.po.co']), { hostnames: ['uk.po.co'], apply: true })).toBe(1);
    expect(lines).toContain(
      'uk.po.co: CANNOT MOVE: site uk has no distribution in stage default yet. Fix: add uk.po.co to awaitingCutover and deploy first.',
    );
    expect(cf.commandCalls(AssociateAliasCommand)).toHaveLength(0);
    await expect(cutover(ctx, deploymentWith([]), { hostnames: ['shop.po.co'], apply: false })).rejects.toThrow(
      'shop.po.co is not a hostname of config/sites.json; choose from po.co, www.po.co, poco.net, www.poco.net, uk.po.co, fr.po.co, de.po.co, c.po.co, *.po.co, in.po.co',
    );
  });
});

describe('status', () => {
  test('state, aliases against the config, function version, invalidations; exit 1 while anything changes', async () => {
    cf.on(ListInvalidationsCommand).resolves({
      InvalidationList: { Items: [], IsTruncated: false, Marker: '', MaxItems: 100, Quantity: 0 },
    });
    cf.on(ListInvalidationsCommand, { DistributionId: 'E1FR' }).resolves({
      InvalidationList: {
        Items: [{ Id: 'I1', Status: 'InProgress', CreateTime: new Date() }],
        IsTruncated: false,
        Marker: '',
        MaxItems: 100,
        Quantity: 1,
      },
    });
    const code = await status(ctx, deploymentWith(['uk.po.co']));
    expect(code).toBe(1);
    expect(lines).toEqual([
      'status: stage default, account 111111111111 (read-only)',
      'site global: E1GLOBAL e1global.cloudfront.net Deployed, modified 2026-11-20T10:00:00.000Z',
      '  aliases:  po.co',
      '  missing:  www.po.co (in the config, not on the distribution: deploy, or run preflight)',
      '  missing:  poco.net (in the config, not on the distribution: deploy, or run preflight)',
      '  missing:  www.poco.net (in the config, not on the distribution: deploy, or run preflight)',
      '  function: PocoSunset-default-redirects version 7 on origin-request',
      '  invalidations in progress: 0',
      'site uk: E1UK e1uk.cloudfront.net Deployed, modified 2026-11-20T10:00:00.000Z',
      '  aliases:  none',
      '  missing:  uk.po.co (awaiting cutover)',
      '  function: PocoSunset-default-redirects version 7 on origin-request',
      '  invalidations in progress: 0',
      'site fr: E1FR e1fr.cloudfront.net Deployed, modified 2026-11-20T10:00:00.000Z',
      '  aliases:  fr.po.co',
      '  function: PocoSunset-default-redirects version 7 on origin-request',
      '  invalidations in progress: 1',
      'site de: E1DE e1de.cloudfront.net Deployed, modified 2026-11-20T10:00:00.000Z',
      '  aliases:  de.po.co',
      '  function: PocoSunset-default-redirects version 7 on origin-request',
      '  invalidations in progress: 0',
      'site community: E1COMMUNITY e1community.cloudfront.net Deployed, modified 2026-11-20T10:00:00.000Z',
      '  aliases:  c.po.co',
      '  function: PocoSunset-default-redirects version 7 on origin-request',
      '  invalidations in progress: 0',
      'site other: E1OTHER e1other.cloudfront.net Deployed, modified 2026-11-20T10:00:00.000Z',
      '  aliases:  *.po.co',
      '  function: PocoSunset-default-redirects version 7 on origin-request',
      '  invalidations in progress: 0',
      'site in: E1IN e1in.cloudfront.net Deployed, modified 2026-11-20T10:00:00.000Z',
      '  aliases:  in.po.co',
      '  function: none',
      '  invalidations in progress: 0',
      'status: 7 sites, 7 distributions found, 1 not deployed or still changing',
    ]);
    expect(cf.calls().every((c) => /^(List|Get)/.test(c.args[0].constructor.name))).toBe(true);
  });
});

describe('invalidate', () => {
  const before = deploymentWith([]);

  test('a dry run prints the changed rules and the paths, and changes nothing', async () => {
    // From the shipped list: line 2 gets a new target, line 5 goes, one entry is added.
    const shipped = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'redirects.csv'), 'utf8').split('\n');
    shipped[1] = 'po.co/uk/offers,https://www.mi.com/uk/deals/,302,TRUE';
    shipped.splice(4, 1);
    const after = loadDeployment(configFiles({ redirects: [...shipped, 'uk.po.co/old,https://www.mi.com/uk/support/'].join('\n') }));
    const code = await invalidate(ctx, after, { baseline: before, all: false, apply: false });
    expect(code).toBe(0);
    expect(lines).toEqual([
      '  removed po.co/de/aktionen: https://po.co/de/aktionen 302 https://www.mi.com/de/sale/ -> 301 https://www.mi.com/de/',
      '  changed po.co/uk/offers: https://po.co/uk/offers 302 https://www.mi.com/uk/sale/ -> 302 https://www.mi.com/uk/deals/',
      '  added uk.po.co/old: https://uk.po.co/old 301 https://www.mi.com/uk/ -> 301 https://www.mi.com/uk/support/',
      '  site global: /de/aktionen* /uk/offers*',
      '  site uk: /old*',
      'invalidate: dry run: 2 distributions to invalidate; nothing changed. Run again with --apply.',
    ]);
    expect(cf.calls()).toHaveLength(0);
  });

  test('a change to the rules file is /* on every redirect site, and each changed rule is said', async () => {
    const dir = tmpDir('poco-rules-');
    const rules = path.join(dir, 'rules.txt');
    fs.writeFileSync(
      rules,
      fs
        .readFileSync(path.join(PROJECT_ROOT, 'config', 'rules.txt'), 'utf8')
        .replace(/^\/support\/\*.*$/m, '/support/*  :landing  Name=support'),
    );
    const after = loadDeployment({ rulesFile: rules });
    expect(await invalidate(ctx, after, { baseline: before, all: false, apply: false })).toBe(0);
    expect(lines).toEqual([
      'invalidate: rules or catalogue changed: every redirect site, /*',
      `  changed rule rule:support@${rules}:47: /support/* :store/support/ -> /support/* :landing`,
      '  site community: /*',
      '  site de: /*',
      '  site fr: /*',
      '  site global: /*',
      '  site other: /*',
      '  site uk: /*',
      'invalidate: dry run: 6 distributions to invalidate; nothing changed. Run again with --apply.',
    ]);
  });

  test('no change to the rules: nothing to invalidate', async () => {
    expect(await invalidate(ctx, before, { baseline: before, all: false, apply: true })).toBe(0);
    expect(lines).toEqual(['invalidate: the redirect rules did not change; nothing to invalidate.']);
    expect(cf.calls()).toHaveLength(0);
  });

  test('--apply waits for Deployed, invalidates, waits for Completed; one distribution failing does not stop the others', async () => {
    cf.on(GetDistributionCommand).resolves({
      Distribution: {
        Status: 'Deployed',
        DistributionConfig: { DefaultCacheBehavior: { LambdaFunctionAssociations: { Items: [{ LambdaFunctionARN: `${FN}:8` }] } } },
      } as never,
    });
    cf.on(GetDistributionCommand, { Id: 'E1GLOBAL' })
      .resolvesOnce({ Distribution: { Status: 'InProgress' } as never })
      .resolves({ Distribution: { Status: 'Deployed' } as never });
    cf.on(CreateInvalidationCommand).callsFake((input: { DistributionId: string }) => ({
      Invalidation: { Id: `I-${input.DistributionId}`, Status: 'InProgress' },
    }));
    cf.on(CreateInvalidationCommand, { DistributionId: 'E1FR' }).rejects(throttle());
    cf.on(GetInvalidationCommand)
      .resolvesOnce({ Invalidation: { Status: 'InProgress' } as never })
      .resolves({ Invalidation: { Status: 'Completed' } as never });
    const code = await invalidate(ctx, before, { all: true, apply: true, pollMs: 10000 });
    expect(code).toBe(1);
    const created = cf.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input);
    expect(created.filter((i) => i.DistributionId !== 'E1FR').map((i) => [i.DistributionId, i.InvalidationBatch?.Paths?.Items])).toEqual([
      ['E1GLOBAL', ['/*']],
      ['E1UK', ['/*']],
      ['E1DE', ['/*']],
      ['E1COMMUNITY', ['/*']],
      ['E1OTHER', ['/*']],
    ]);
    expect(new Set(created.map((i) => i.InvalidationBatch?.CallerReference)).size).toBe(6);
    expect(lines).toContain('  distribution E1GLOBAL (site global) deployed: InProgress (0:00 so far)');
    expect(lines).toContain(
      'site fr: FAILED: cloudfront:CreateInvalidation still failed after 4 attempts (throttled) (Rate exceeded). Fix: wait a few minutes and run again; nothing after this call was done.',
    );
    expect(lines).toContain('site de: invalidation I-E1DE of E1DE created (/*)');
    expect(lines[lines.length - 1]).toBe('invalidate: 5 completed, 1 failed (fr): run again to retry them.');
  });

  test('the same change for the same function version is the same invalidation (CallerReference), however often it runs', async () => {
    cf.on(GetDistributionCommand).resolves({
      Distribution: {
        Status: 'Deployed',
        DistributionConfig: { DefaultCacheBehavior: { LambdaFunctionAssociations: { Items: [{ LambdaFunctionARN: `${FN}:8` }] } } },
      } as never,
    });
    cf.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I1', Status: 'InProgress' } as never });
    cf.on(GetInvalidationCommand).resolves({ Invalidation: { Status: 'Completed' } as never });
    await invalidate(ctx, before, { all: true, apply: true });
    await invalidate(ctx, before, { all: true, apply: true });
    const refs = cf.commandCalls(CreateInvalidationCommand).map((c) => c.args[0].input.InvalidationBatch?.CallerReference);
    expect(refs).toHaveLength(12);
    expect(refs.slice(0, 6)).toEqual(refs.slice(6));
  });
});
