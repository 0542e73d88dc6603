/**
 * `preflight` with the wildcard site (`other`, `*.po.co`) against mocked SDK
 * clients. CloudFront lets a wildcard alias and the more specific names below
 * it sit on different distributions (in any account) and sends each request
 * to the most specific: only an alias equal to the name conflicts. Route 53
 * lists a wildcard record's name as `\052.po.co.`.
 */
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { CloudFrontClient, DistributionSummary, ListConflictingAliasesCommand, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { ListResourceRecordSetsCommand, ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { LoadedDeployment, loadDeployment } from '../../lib/config/load';
import type { OpsContext } from '../../lib/ops/aws';
import { runPreflight, unescapeRecordName } from '../../lib/ops/preflight';
import { configFiles, DEFAULT_SITE_HOSTNAMES, DEFAULT_STAGES_JSON } from '../support/deployment';

const cf = mockClient(CloudFrontClient);
const acm = mockClient(ACMClient);
const route53 = mockClient(Route53Client);

const ACCOUNT = '111111111111';
const CERT_NAMES = DEFAULT_SITE_HOSTNAMES as Record<string, string[]>;

function ours(site: string, aliases: string[]): DistributionSummary {
  const id = `E1${site.toUpperCase()}`;
  return {
    Id: id,
    ARN: `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`,
    Status: 'Deployed',
    DomainName: `${id.toLowerCase()}.cloudfront.net`,
    Comment: `po.co sunset: PocoSunset-default site ${site}`,
    Enabled: true,
    Aliases: { Quantity: aliases.length, Items: aliases },
    ViewerCertificate: { ACMCertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/${id}` },
  } as DistributionSummary;
}

/** Route 53 writes the `*` of a wildcard record's name as `\052`. */
const record = (name: string, type: 'A' | 'AAAA', target: string): ResourceRecordSet => ({
  Name: `${name.replace(/^\*/, '\\052')}.`,
  Type: type,
  AliasTarget: { DNSName: `${target}.`, HostedZoneId: 'Z2FDTNDATAQYW2', EvaluateTargetHealth: false },
});

const OLD = { DistributionId: '*******OLD', AccountId: '******9999' };

let lines: string[];
let zone: Record<string, ResourceRecordSet[]>;
const ctx = (): OpsContext => ({
  clients: {
    cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
    acm: new ACMClient({ region: 'us-east-1' }),
    route53: new Route53Client({ region: 'us-east-1' }),
  },
  log: (l) => lines.push(l),
  sleep: async () => undefined,
  now: () => 0,
  resolveTxt: async () => [],
  maxAttempts: 1,
  baseDelayMs: 1,
});

function deploymentWith(awaiting: string[]): LoadedDeployment {
  const stages = structuredClone(DEFAULT_STAGES_JSON);
  stages.stages.default.awaitingCutover = awaiting;
  return loadDeployment(configFiles({ stages }));
}

function distributions(items: DistributionSummary[]): void {
  cf.on(ListDistributionsCommand).resolves({
    DistributionList: { Items: items, IsTruncated: false, Marker: '', MaxItems: 100, Quantity: items.length },
  });
}

/** The four lines preflight prints for a hostname. */
function block(host: string): string[] {
  const i = lines.findIndex((l) => l.startsWith(`${host} (site `));
  return i < 0 ? [] : lines.slice(i, i + 4);
}

beforeEach(() => {
  cf.reset();
  acm.reset();
  route53.reset();
  lines = [];
  zone = {};
  route53.on(ListResourceRecordSetsCommand).callsFake((input: { StartRecordName: string; MaxItems: number }) => ({
    ResourceRecordSets: (zone[input.StartRecordName.replace(/\.$/, '')] ?? []).slice(0, input.MaxItems),
    IsTruncated: false,
    MaxItems: input.MaxItems,
  }));
  acm.on(DescribeCertificateCommand).callsFake((input: { CertificateArn: string }) => {
    const site = /certificate\/E1(\w+)$/.exec(input.CertificateArn)?.[1].toLowerCase() ?? '';
    return {
      Certificate: {
        CertificateArn: input.CertificateArn,
        Status: 'ISSUED',
        SubjectAlternativeNames: CERT_NAMES[site] ?? ['legacy.example'],
      },
    };
  });
  cf.on(ListConflictingAliasesCommand).resolves({ ConflictingAliasesList: { Items: [], Quantity: 0, MaxItems: 100 } });
});

test('Route 53 escapes are undone before names are compared', () => {
  expect(unescapeRecordName('\\052.po.co.')).toBe('*.po.co.');
  expect(unescapeRecordName('UK.po.co.')).toBe('uk.po.co.');
});

test('before the wildcard moves: names below it are no conflict of *.po.co, and *.po.co none of theirs', async () => {
  // The old site, in another account, holds *.po.co and uk.po.co; both wait for cutover.
  distributions([
    ours('global', CERT_NAMES.global),
    ours('uk', []),
    ours('fr', ['fr.po.co']),
    ours('de', ['de.po.co']),
    ours('community', ['c.po.co']),
    ours('other', []),
    ours('in', ['in.po.co']),
  ]);
  cf.on(ListConflictingAliasesCommand, { DistributionId: 'E1OTHER', Alias: '*.po.co' }).resolves({
    ConflictingAliasesList: {
      Items: [
        { Alias: '*.po.co', ...OLD },
        { Alias: 'uk.po.co', ...OLD },
        { Alias: 'fr.po.co', DistributionId: 'E1FR', AccountId: ACCOUNT },
      ],
      Quantity: 3,
      MaxItems: 100,
    },
  });
  cf.on(ListConflictingAliasesCommand, { DistributionId: 'E1UK', Alias: 'uk.po.co' }).resolves({
    ConflictingAliasesList: {
      Items: [
        { Alias: 'uk.po.co', ...OLD },
        { Alias: '*.po.co', ...OLD },
      ],
      Quantity: 2,
      MaxItems: 100,
    },
  });
  zone['*.po.co'] = [record('*.po.co', 'A', 'd111old.cloudfront.net')];
  const code = await runPreflight(ctx(), deploymentWith(['*.po.co', 'uk.po.co']));
  expect(block('*.po.co')).toEqual([
    "*.po.co (site other): CUTOVER: ready: npm run ops -- cutover *.po.co --stage default; after the move, delete A alias d111old.cloudfront.net just before the deploy that creates the stack's records",
    '  held by:     *******OLD in account ******9999 (alias *.po.co)',
    `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1OTHER covers it`,
    '  records:     A alias d111old.cloudfront.net',
  ]);
  expect(block('uk.po.co')).toEqual([
    'uk.po.co (site uk): CUTOVER: ready: npm run ops -- cutover uk.po.co --stage default',
    '  held by:     *******OLD in account ******9999 (alias uk.po.co)',
    `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1UK covers it`,
    '  records:     none in po.co (Z0PLACEHOLDERPOCO)',
  ]);
  expect(block('fr.po.co')[0]).toBe('fr.po.co (site fr): OK: served by this project');
  expect(lines.at(-1)).toBe('preflight: 10 hostnames: 8 ok, 2 awaiting cutover, 0 to tidy, 0 conflicting');
  expect(code).toBe(0);
});

test('after the wildcard moved: a name it covers is not held by it, and still waits for its own cutover', async () => {
  // community not deployed yet; uk.po.co still on the old site in another account.
  distributions([
    ours('global', CERT_NAMES.global),
    ours('uk', []),
    ours('fr', ['fr.po.co']),
    ours('de', ['de.po.co']),
    ours('other', ['*.po.co']),
    ours('in', ['in.po.co']),
  ]);
  cf.on(ListConflictingAliasesCommand, { DistributionId: 'E1UK', Alias: 'uk.po.co' }).resolves({
    ConflictingAliasesList: {
      Items: [
        { Alias: 'uk.po.co', ...OLD },
        { Alias: '*.po.co', DistributionId: 'E1OTHER', AccountId: ACCOUNT },
      ],
      Quantity: 2,
      MaxItems: 100,
    },
  });
  zone['*.po.co'] = [record('*.po.co', 'A', 'e1other.cloudfront.net'), record('*.po.co', 'AAAA', 'e1other.cloudfront.net')];
  const code = await runPreflight(ctx(), deploymentWith(['uk.po.co']));
  expect(block('*.po.co')).toEqual([
    '*.po.co (site other): OK: served by this project',
    '  held by:     this project (E1OTHER)',
    `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1OTHER covers it`,
    "  records:     A alias e1other.cloudfront.net, AAAA alias e1other.cloudfront.net (this project's)",
  ]);
  // Not "already moved": the wildcard only serves it until the exact alias moves.
  expect(block('uk.po.co')).toEqual([
    'uk.po.co (site uk): CUTOVER: ready: npm run ops -- cutover uk.po.co --stage default',
    '  held by:     *******OLD in account ******9999 (alias uk.po.co); served meanwhile by this project (E1OTHER) through its wildcard alias *.po.co',
    `  certificate: arn:aws:acm:us-east-1:${ACCOUNT}:certificate/E1UK covers it`,
    '  records:     none in po.co (Z0PLACEHOLDERPOCO)',
  ]);
  // A new site's name, covered by the wildcard meanwhile: free, and the deploy adds it.
  expect(block('c.po.co').slice(0, 2)).toEqual([
    'c.po.co (site community): OK: free in this account: the deploy adds it',
    "  held by:     no distribution of this account; other accounts unknown until this project's distribution and certificate exist; served meanwhile by this project (E1OTHER) through its wildcard alias *.po.co",
  ]);
  // poco.net names are looked up in their own zone.
  expect(block('www.poco.net')[3]).toBe('  records:     none in poco.net (Z0PLACEHOLDERPOCONET)');
  expect(
    route53.commandCalls(ListResourceRecordSetsCommand).map((c) => `${c.args[0].input.HostedZoneId} ${c.args[0].input.StartRecordName}`),
  ).toEqual(expect.arrayContaining(['Z0PLACEHOLDERPOCO *.po.co.', 'Z0PLACEHOLDERPOCONET poco.net.', 'Z0PLACEHOLDERPOCONET www.poco.net.']));
  expect(code).toBe(0);
});

test("a wildcard held by a distribution of this account that is not this project's does not make the names below it conflict", async () => {
  distributions([
    ours('global', CERT_NAMES.global),
    ours('uk', ['uk.po.co']),
    ours('fr', ['fr.po.co']),
    ours('de', ['de.po.co']),
    ours('other', []),
    ours('in', ['in.po.co']),
    { ...ours('legacy', ['*.po.co']), Comment: 'legacy wildcard' },
  ]);
  const code = await runPreflight(ctx(), deploymentWith([]));
  expect(block('uk.po.co')[0]).toBe('uk.po.co (site uk): OK: served by this project');
  // community is not deployed yet: adding c.po.co beside the legacy wildcard is allowed.
  expect(block('c.po.co').slice(0, 2)).toEqual([
    'c.po.co (site community): OK: free in this account: the deploy adds it',
    '  held by:     no distribution of this account; other accounts unknown until this project\'s distribution and certificate exist; served meanwhile by E1LEGACY "legacy wildcard" (this account) through its wildcard alias *.po.co',
  ]);
  expect(block('*.po.co').slice(0, 2)).toEqual([
    '*.po.co (site other): CONFLICT: deploy fails (CNAMEAlreadyExists). Fix: add it to stages.default.awaitingCutover, deploy, then run cutover',
    '  held by:     E1LEGACY "legacy wildcard" (this account)',
  ]);
  expect(lines.at(-1)).toBe('preflight: 10 hostnames: 9 ok, 0 awaiting cutover, 0 to tidy, 1 conflicting');
  expect(code).toBe(1);
});
