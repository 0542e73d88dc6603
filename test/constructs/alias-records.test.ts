/** AliasRecords: an A and an AAAA alias record per hostname, to the distribution. */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AliasRecords } from '../../lib/constructs/alias-records';
import { bareStack } from '../support/bare-stack';

interface Fixture {
  readonly stack: Stack;
  readonly distribution: cloudfront.IDistribution;
  readonly poco: route53.IHostedZone;
  readonly poconet: route53.IHostedZone;
}

function fixture(): Fixture {
  const stack = bareStack();
  return {
    stack,
    distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'Distribution', {
      domainName: 'd111111abcdef8.cloudfront.net',
      distributionId: 'E1EXAMPLE',
    }),
    poco: route53.HostedZone.fromHostedZoneAttributes(stack, 'PoCo', { hostedZoneId: 'Z0POCO', zoneName: 'po.co' }),
    poconet: route53.HostedZone.fromHostedZoneAttributes(stack, 'PocoNet', { hostedZoneId: 'Z0POCONET', zoneName: 'poco.net' }),
  };
}

/** The records of a template as `<type> <name> <zone> <comment>`, sorted. */
function records(template: Template): string[] {
  return Object.values(template.findResources('AWS::Route53::RecordSet'))
    .map((r) => `${r.Properties.Type} ${r.Properties.Name} ${r.Properties.HostedZoneId} ${r.Properties.Comment}`)
    .sort();
}

test('an A and an AAAA record per hostname, each in its own zone', () => {
  const { stack, distribution, poco, poconet } = fixture();
  new AliasRecords(stack, 'Records', {
    distribution,
    zones: new Map([
      ['po.co', poco],
      ['www.poco.net', poconet],
    ]),
  });
  expect(records(Template.fromStack(stack))).toEqual([
    'A po.co. Z0POCO po.co sunset: po.co',
    'A www.poco.net. Z0POCONET po.co sunset: www.poco.net',
    'AAAA po.co. Z0POCO po.co sunset: po.co',
    'AAAA www.poco.net. Z0POCONET po.co sunset: www.poco.net',
  ]);
});

test('every record is an alias of the distribution', () => {
  const { stack, distribution, poco } = fixture();
  new AliasRecords(stack, 'Records', { distribution, zones: new Map([['po.co', poco]]) });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::Route53::RecordSet', 2);
  for (const type of ['A', 'AAAA']) {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: type,
      AliasTarget: {
        DNSName: 'd111111abcdef8.cloudfront.net',
        HostedZoneId: { 'Fn::FindInMap': ['AWSCloudFrontPartitionHostedZoneIdMap', { Ref: 'AWS::Partition' }, 'zoneId'] },
      },
    });
  }
});

test('a wildcard hostname gets wildcard records, under the construct id `wildcard.<zone>`', () => {
  const { stack, distribution, poco } = fixture();
  const aliases = new AliasRecords(stack, 'Records', { distribution, zones: new Map([['*.po.co', poco]]) });
  expect(records(Template.fromStack(stack))).toEqual([
    'A *.po.co. Z0POCO po.co sunset: *.po.co',
    'AAAA *.po.co. Z0POCO po.co sunset: *.po.co',
  ]);
  expect(aliases.node.children.map((c) => c.node.id)).toEqual(['wildcard.po.co']);
});

test('construct ids are the hostnames, so their order does not matter', () => {
  const { stack, distribution, poco } = fixture();
  const aliases = new AliasRecords(stack, 'Records', {
    distribution,
    zones: new Map([
      ['www.po.co', poco],
      ['po.co', poco],
    ]),
  });
  expect(aliases.node.children.map((c) => c.node.id)).toEqual(['www.po.co', 'po.co']);
  expect(aliases.node.findChild('po.co').node.children.map((c) => c.node.id)).toEqual(['A', 'AAAA']);
});

test('no hostnames, no records', () => {
  const { stack, distribution } = fixture();
  const aliases = new AliasRecords(stack, 'Records', { distribution, zones: new Map() });
  expect(aliases.node.findAll().filter((c) => c instanceof route53.RecordSet)).toEqual([]);
});

test('throws when two hostnames would share a construct id', () => {
  const { stack, distribution, poco } = fixture();
  expect(
    () =>
      new AliasRecords(stack, 'Records', {
        distribution,
        zones: new Map([
          ['*.po.co', poco],
          ['wildcard.po.co', poco],
        ]),
      }),
  ).toThrow(
    'AliasRecords S/Records: hostnames "*.po.co" and "wildcard.po.co" would share the construct id "wildcard.po.co". Fix: rename one of them, or give them to different sites.',
  );
});
