/**
 * The sites added with the wildcard: `other` answers `*.po.co` (every name one
 * label below po.co that no other site names), `community` answers c.po.co,
 * and `global` also answers poco.net and www.poco.net from their own hosted
 * zone. Template assertions on the default config, plus the construct-id
 * rules that keep a `*` out of ids.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { DEFAULT_ALARMS } from '../../lib/config/stages';
import { hostnameId, hostnameIds } from '../../lib/config/naming';
import { SiteStack } from '../../lib/stacks/site-stack';
import { DEFAULT_SITES_JSON, DEFAULT_STAGES_JSON, configFiles, only, synthDeployment } from '../support/deployment';
import { tmpDir } from '../support/tmp';

const POCO = 'Z0PLACEHOLDERPOCO';
const POCO_NET = 'Z0PLACEHOLDERPOCONET';

const deployed = synthDeployment();
const site = (name: string): Template => deployed.sites.get(name)!;

/** `TYPE NAME ZONE` of every record set of a template, sorted. */
function records(t: Template): string[] {
  return Object.values(t.findResources('AWS::Route53::RecordSet'))
    .map((r) => `${r.Properties.Type} ${r.Properties.Name} ${r.Properties.HostedZoneId}`)
    .sort();
}

describe('site other: the wildcard *.po.co', () => {
  const other = site('other');

  test('its certificate is for *.po.co alone, DNS-validated in the po.co zone (the map is keyed by the wildcard name itself)', () => {
    const cert = only(other, 'AWS::CertificateManager::Certificate').Properties;
    expect(cert.DomainName).toBe('*.po.co');
    expect(cert.SubjectAlternativeNames).toBeUndefined();
    expect(cert.ValidationMethod).toBe('DNS');
    expect(cert.DomainValidationOptions).toEqual([{ DomainName: '*.po.co', HostedZoneId: POCO }]);
  });

  test('its distribution has the alias *.po.co, its own certificate, and runs the redirect function keyed by host', () => {
    const config = only(other, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(config.Aliases).toEqual(['*.po.co']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: { Ref: Object.keys(other.findResources('AWS::CertificateManager::Certificate'))[0] },
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(config.DefaultCacheBehavior.LambdaFunctionAssociations).toEqual([
      {
        EventType: 'origin-request',
        IncludeBody: false,
        LambdaFunctionARN: { Ref: expect.stringMatching(/^referencetoPocoSunsetdefaultRedirectsFunctionCurrentVersion/) },
      },
    ]);
    // The region-host policy (Host in the key, no country), shared with uk, fr, de and community.
    const policyOf = (name: string): unknown =>
      only(site(name), 'AWS::CloudFront::Distribution').Properties.DistributionConfig.DefaultCacheBehavior.CachePolicyId;
    expect(policyOf('other')).toEqual({ Ref: expect.stringMatching(/^referencetoPocoSunsetdefaultCacheByHostPolicy/) });
    expect(policyOf('other')).toEqual(policyOf('uk'));
    expect(config.Logging.Prefix).toBe('other/');
  });

  test('A and AAAA wildcard records *.po.co. in the po.co zone, aliasing the distribution', () => {
    expect(records(other)).toEqual([`A *.po.co. ${POCO}`, `AAAA *.po.co. ${POCO}`]);
    const distribution = Object.keys(other.findResources('AWS::CloudFront::Distribution'))[0];
    for (const r of Object.values(other.findResources('AWS::Route53::RecordSet'))) {
      expect(r.Properties.AliasTarget).toEqual({
        DNSName: { 'Fn::GetAtt': [distribution, 'DomainName'] },
        HostedZoneId: { 'Fn::FindInMap': expect.anything() },
      });
    }
  });

  test("its alarms: 5xx rate and function errors, under the site's name", () => {
    other.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    other.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xxErrorRate',
      AlarmDescription: Match.stringLikeRegexp('^po\\.co sunset, site other: '),
    });
  });

  test('ids come from the hostname, with the * written "wildcard": no construct id anywhere holds a *', () => {
    const ids: string[] = [];
    const walk = (c: IConstruct): void => {
      ids.push(c.node.path);
      c.node.children.forEach(walk);
    };
    walk(deployed.app);
    expect(ids.filter((p) => p.includes('*'))).toEqual([]);
    expect(ids).toEqual(
      expect.arrayContaining([
        'PocoSunset-default/Site-other/Records/wildcard.po.co/A',
        'PocoSunset-default/Site-other/Records/wildcard.po.co/AAAA',
      ]),
    );
    const logicalIds = Object.keys(other.findResources('AWS::Route53::RecordSet'));
    expect(logicalIds).toHaveLength(2);
    expect(logicalIds).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^RecordswildcardpocoA[0-9A-F]{8}$/),
        expect.stringMatching(/^RecordswildcardpocoAAAA[0-9A-F]{8}$/),
      ]),
    );
  });
});

describe('the wildcard beside the specific names', () => {
  test('no alias is on two distributions; the more specific names (po.co, uk.po.co, c.po.co...) stay on their own sites', () => {
    const aliases = [...deployed.sites].flatMap(([name, t]) =>
      (only(t, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Aliases as string[]).map((a) => `${a} ${name}`),
    );
    const names = aliases.map((a) => a.split(' ')[0]);
    expect(new Set(names).size).toBe(names.length);
    expect(aliases.sort()).toEqual([
      '*.po.co other',
      'c.po.co community',
      'de.po.co de',
      'fr.po.co fr',
      'in.po.co in',
      'po.co global',
      'poco.net global',
      'uk.po.co uk',
      'www.po.co global',
      'www.poco.net global',
    ]);
  });

  test('a wildcard awaiting cutover stays on the certificate, but is no alias and gets no records', () => {
    const stagesJson = structuredClone(DEFAULT_STAGES_JSON);
    stagesJson.stages.default.awaitingCutover = ['*.po.co'];
    const waiting = synthDeployment(configFiles({ stages: stagesJson })).sites.get('other')!;
    expect(only(waiting, 'AWS::CertificateManager::Certificate').Properties.DomainName).toBe('*.po.co');
    expect(only(waiting, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Aliases).toEqual([]);
    expect(records(waiting)).toEqual([]);
  });

  test('a wildcard and the name below it on one certificate share one validation record, so CloudFormation gets one option for both', () => {
    const sitesJson = structuredClone(DEFAULT_SITES_JSON);
    sitesJson.sites.global.hostnames = [...sitesJson.sites.global.hostnames, '*.poco.net'];
    const cert = only(
      synthDeployment(configFiles({ sites: sitesJson })).sites.get('global')!,
      'AWS::CertificateManager::Certificate',
    ).Properties;
    // Wildcards come after the other names, so the DomainName is never a wildcard whose validation option was dropped.
    expect(cert.DomainName).toBe('po.co');
    expect(cert.SubjectAlternativeNames).toEqual(['poco.net', 'www.po.co', 'www.poco.net', '*.poco.net']);
    expect(cert.DomainValidationOptions).toEqual([
      { DomainName: 'po.co', HostedZoneId: POCO },
      { DomainName: 'poco.net', HostedZoneId: POCO_NET },
      { DomainName: 'www.po.co', HostedZoneId: POCO },
      { DomainName: 'www.poco.net', HostedZoneId: POCO_NET },
    ]);
  });
});

describe('site global: poco.net and www.poco.net in their own zone', () => {
  const global = site('global');

  test('on the certificate, each validated in its own zone', () => {
    const cert = only(global, 'AWS::CertificateManager::Certificate').Properties;
    expect(cert.DomainName).toBe('po.co');
    expect(cert.SubjectAlternativeNames).toEqual(['poco.net', 'www.po.co', 'www.poco.net']);
    expect(cert.DomainValidationOptions).toEqual([
      { DomainName: 'po.co', HostedZoneId: POCO },
      { DomainName: 'poco.net', HostedZoneId: POCO_NET },
      { DomainName: 'www.po.co', HostedZoneId: POCO },
      { DomainName: 'www.poco.net', HostedZoneId: POCO_NET },
    ]);
  });

  test('aliases of the distribution, with A and AAAA records in the poco.net zone', () => {
    expect(only(global, 'AWS::CloudFront::Distribution').Properties.DistributionConfig.Aliases).toEqual([
      'po.co',
      'poco.net',
      'www.po.co',
      'www.poco.net',
    ]);
    expect(records(global)).toEqual([
      `A po.co. ${POCO}`,
      `A poco.net. ${POCO_NET}`,
      `A www.po.co. ${POCO}`,
      `A www.poco.net. ${POCO_NET}`,
      `AAAA po.co. ${POCO}`,
      `AAAA poco.net. ${POCO_NET}`,
      `AAAA www.po.co. ${POCO}`,
      `AAAA www.poco.net. ${POCO_NET}`,
    ]);
  });

  test('each zone is imported once, by id, never created', () => {
    global.resourceCountIs('AWS::Route53::HostedZone', 0);
    const zoneIds = new Set(Object.values(global.findResources('AWS::Route53::RecordSet')).map((r) => r.Properties.HostedZoneId));
    expect([...zoneIds].sort()).toEqual([POCO, POCO_NET]);
  });

  test('prod has its own poco.net zone id', () => {
    const prod = synthDeployment({ stage: 'prod' }).sites.get('global')!;
    expect(records(prod).filter((r) => r.includes('poco.net'))).toEqual([
      'A poco.net. Z0FILLINPOCONETZONEID',
      'A www.poco.net. Z0FILLINPOCONETZONEID',
      'AAAA poco.net. Z0FILLINPOCONETZONEID',
      'AAAA www.poco.net. Z0FILLINPOCONETZONEID',
    ]);
  });
});

describe('site community: c.po.co', () => {
  const community = site('community');

  test('an ordinary region-host site: its certificate, alias, records, log prefix, alarms', () => {
    expect(deployed.stack.siteStacks.get('community')!.node.id).toBe('Site-community');
    community.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'c.po.co',
      SubjectAlternativeNames: Match.absent(),
      DomainValidationOptions: [{ DomainName: 'c.po.co', HostedZoneId: POCO }],
    });
    const config = only(community, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(config.Aliases).toEqual(['c.po.co']);
    expect(config.Logging.Prefix).toBe('community/');
    expect(config.DefaultCacheBehavior.LambdaFunctionAssociations).toHaveLength(1);
    expect(records(community)).toEqual([`A c.po.co. ${POCO}`, `AAAA c.po.co. ${POCO}`]);
    community.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  });

  test('the parent names its distribution in an output', () => {
    for (const name of ['community', 'other']) {
      deployed.parent.hasOutput(`DistributionId${name}`, {
        Description: Match.stringLikeRegexp(`^CloudFront distribution of site ${name} `),
      });
    }
  });
});

describe('construct ids of hostnames', () => {
  test('a hostname is its own id; a wildcard first label becomes "wildcard"', () => {
    expect(hostnameId('uk.po.co')).toBe('uk.po.co');
    expect(hostnameId('*.po.co')).toBe('wildcard.po.co');
    expect(hostnameId('*.uk.po.co')).toBe('wildcard.uk.po.co');
    expect([...hostnameIds(['po.co', '*.po.co', 'www.po.co'], 'here')]).toEqual([
      ['po.co', 'po.co'],
      ['*.po.co', 'wildcard.po.co'],
      ['www.po.co', 'www.po.co'],
    ]);
  });

  test('two hostnames that would share an id are refused, with both named', () => {
    expect(() => hostnameIds(['*.po.co', 'wildcard.po.co'], 'AliasRecords S/Records')).toThrow(
      'AliasRecords S/Records: hostnames "*.po.co" and "wildcard.po.co" would share the construct id "wildcard.po.co". Fix: rename one of them, or give them to different sites.',
    );
  });

  test('a site stack with such hostnames fails before anything is made, awaiting cutover or not', () => {
    const stack = new Stack(new App({ outdir: tmpDir('poco-cdk-') }), 'S', { env: { region: 'us-east-1' } });
    const common = {
      hostedZones: new Map([['po.co', 'Z1']]),
      logBucket: new s3.Bucket(stack, 'Logs'),
      alarmTopic: new sns.Topic(stack, 'Topic'),
      alarms: DEFAULT_ALARMS,
    };
    expect(
      () =>
        new SiteStack(stack, 'Site-x', {
          ...common,
          site: { name: 'x', mode: 'frozen', hostnames: ['*.po.co', 'wildcard.po.co'] },
          awaitingCutover: new Set(['wildcard.po.co']),
        }),
    ).toThrow(
      'SiteStack S/Site-x: hostnames "*.po.co" and "wildcard.po.co" would share the construct id "wildcard.po.co". Fix: rename one of them, or give them to different sites.',
    );
  });
});
