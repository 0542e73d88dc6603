/** SiteCertificate: a site's certificate, in us-east-1, validated by DNS in each hostname's zone. */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { SiteCertificate } from '../../lib/constructs/site-certificate';
import { only } from '../support/deployment';
import { bareStack, EDGE_ENV } from '../support/bare-stack';

interface Zones {
  readonly stack: Stack;
  readonly poco: route53.IHostedZone;
  readonly poconet: route53.IHostedZone;
}

function zonesIn(stack: Stack): Zones {
  return {
    stack,
    poco: route53.HostedZone.fromHostedZoneAttributes(stack, 'PoCo', { hostedZoneId: 'Z0POCO', zoneName: 'po.co' }),
    poconet: route53.HostedZone.fromHostedZoneAttributes(stack, 'PocoNet', { hostedZoneId: 'Z0POCONET', zoneName: 'poco.net' }),
  };
}

/** The certificate's properties, for `zones` built from the stack's two zones. */
function certificateFor(zones: (z: Zones) => [string, route53.IHostedZone][]): Record<string, unknown> {
  const z = zonesIn(bareStack(EDGE_ENV));
  new SiteCertificate(z.stack, 'Certificate', { zones: new Map(zones(z)) });
  const template = Template.fromStack(z.stack);
  template.resourceCountIs('AWS::CertificateManager::Certificate', 1);
  return only(template, 'AWS::CertificateManager::Certificate').Properties;
}

test('one hostname: the domain name, no alternative names, validated by DNS in its zone', () => {
  expect(certificateFor(({ poco }) => [['uk.po.co', poco]])).toEqual({
    DomainName: 'uk.po.co',
    DomainValidationOptions: [{ DomainName: 'uk.po.co', HostedZoneId: 'Z0POCO' }],
    ValidationMethod: 'DNS',
    Tags: [{ Key: 'Name', Value: 'S/Certificate/Certificate' }],
  });
});

test('several hostnames in several zones: sorted, each validated in its own zone', () => {
  const certificate = certificateFor(({ poco, poconet }) => [
    ['www.poco.net', poconet],
    ['po.co', poco],
    ['www.po.co', poco],
    ['poco.net', poconet],
  ]);
  expect(certificate).toMatchObject({
    DomainName: 'po.co',
    SubjectAlternativeNames: ['poco.net', 'www.po.co', 'www.poco.net'],
    DomainValidationOptions: [
      { DomainName: 'po.co', HostedZoneId: 'Z0POCO' },
      { DomainName: 'poco.net', HostedZoneId: 'Z0POCONET' },
      { DomainName: 'www.po.co', HostedZoneId: 'Z0POCO' },
      { DomainName: 'www.poco.net', HostedZoneId: 'Z0POCONET' },
    ],
  });
});

test("a wildcard with its zone's name: the name is the domain name, and the one validation record serves both", () => {
  expect(
    certificateFor(({ poco }) => [
      ['*.po.co', poco],
      ['po.co', poco],
    ]),
  ).toMatchObject({
    DomainName: 'po.co',
    SubjectAlternativeNames: ['*.po.co'],
    DomainValidationOptions: [{ DomainName: 'po.co', HostedZoneId: 'Z0POCO' }],
  });
});

test('a wildcard alone is the domain name', () => {
  expect(certificateFor(({ poco }) => [['*.po.co', poco]])).toMatchObject({
    DomainName: '*.po.co',
    DomainValidationOptions: [{ DomainName: '*.po.co', HostedZoneId: 'Z0POCO' }],
  });
});

test('the order of the hostnames changes nothing', () => {
  const forward = certificateFor(({ poco, poconet }) => [
    ['po.co', poco],
    ['poco.net', poconet],
    ['*.po.co', poco],
  ]);
  const backward = certificateFor(({ poco, poconet }) => [
    ['*.po.co', poco],
    ['poco.net', poconet],
    ['po.co', poco],
  ]);
  expect(backward).toEqual(forward);
  expect(forward).toMatchObject({ DomainName: 'po.co', SubjectAlternativeNames: ['poco.net', '*.po.co'] });
});

describe('throws', () => {
  test.each([
    [{ region: 'eu-west-1' }, 'eu-west-1'],
    [undefined, '(not set)'],
  ])('outside us-east-1 (%j)', (env, shown) => {
    const { stack, poco } = zonesIn(bareStack(env));
    expect(() => new SiteCertificate(stack, 'Cert', { zones: new Map([['po.co', poco]]) })).toThrow(
      `SiteCertificate S/Cert: CloudFront only uses certificates from us-east-1, but the stack's region is ${shown}. Fix: give the stack env: { region: 'us-east-1' }.`,
    );
  });

  test('with no hostnames', () => {
    expect(() => new SiteCertificate(bareStack(EDGE_ENV), 'Cert', { zones: new Map() })).toThrow(
      'SiteCertificate S/Cert: no hostnames. Fix: give at least one hostname with its hosted zone.',
    );
  });
});
