/**
 * config/stages.json (lib/config/stages.ts): every problem of every stage in
 * one run, choosing a stage, and the hosted zone of a hostname. Messages asserted exactly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { formatProblem, ProblemList } from '../../lib/config/problems';
import { parseStages, selectStage, zoneOf } from '../../lib/config/stages';
import { sites as defaultSites } from '../support/engine';

describe('config/stages.json', () => {
  const good = {
    account: '123456789012',
    hostedZones: { 'po.co': 'Z0123456789ABC', 'poco.net': 'Z0123456789DEF' },
    priceClass: 'PriceClass_100',
    accessLogRetentionDays: 90,
    edgeLogRetentionDays: 30,
    edgeLogRegions: ['us-east-1', 'eu-west-2'],
    alarmEmails: ['ops@example.com'],
  };
  function problems(stages: Record<string, unknown>, defaultStage: unknown = 'default'): string[] {
    const p = new ProblemList('stages.json');
    parseStages(JSON.stringify({ defaultStage, stages }), p, defaultSites());
    return p.problems.map(formatProblem);
  }

  test('the shipped file is valid, with a default and a prod stage', () => {
    const p = new ProblemList('config/stages.json');
    const config = parseStages(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'stages.json'), 'utf8'), p, defaultSites());
    expect(p.problems.map(formatProblem)).toEqual([]);
    expect(config?.defaultStage).toBe('default');
    expect([...config!.stages.keys()]).toEqual(['default', 'prod']);
    expect(config!.stages.get('default')!.alarms).toEqual({ fiveXxErrorRatePercent: 5, functionErrors: 1 });
  });

  test('every problem of every stage, in one run, each with the field, the value and the fix', () => {
    expect(
      problems({
        default: { ...good, account: '1234', priceClass: 'PriceClass_50', edgeLogRetentionDays: 31, accessLogRetentionDays: 0 },
        prod: { ...good, hostedZones: { 'po.co': '/hostedzone/Z1', 'mi.com': 'Z0123' }, edgeLogRegions: ['eu-west-2', 'Europe', 'eu-west-2'], alarmEmails: [], alarms: { fiveXxErrorRatePercent: 0, functionErors: 2 }, acount: 'x' },
      }),
    ).toEqual([
      'stages.json: stages.default.account: "1234" is not a 12-digit AWS account id. Fix: write the account id as a string of 12 digits, such as "123456789012".',
      'stages.json: stages.default.priceClass: "PriceClass_50" is not a CloudFront price class. Fix: use "PriceClass_100", "PriceClass_200" or "PriceClass_All".',
      'stages.json: stages.default.accessLogRetentionDays: 0 is not a number of days. Fix: give a whole number of days, 1 or more.',
      'stages.json: stages.default.edgeLogRetentionDays: 31 is not a number of days CloudWatch Logs accepts. Fix: use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.',
      'stages.json: stages.prod.acount: unknown key "acount". Fix: rename it to "account".',
      'stages.json: stages.prod.hostedZones.po.co: "/hostedzone/Z1" is not a Route 53 hosted zone id. Fix: copy the id of the public hosted zone from Route 53, such as "Z0123456789ABCDEFGHIJ" (without "/hostedzone/").',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "po.co" (site "global" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "www.po.co" (site "global" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "poco.net" (site "global" in sites.json). Fix: add the zone that holds it, such as "poco.net": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "www.poco.net" (site "global" in sites.json). Fix: add the zone that holds it, such as "poco.net": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "uk.po.co" (site "uk" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "fr.po.co" (site "fr" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "de.po.co" (site "de" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "c.po.co" (site "community" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "*.po.co" (site "other" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "in.po.co" (site "in" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones.mi.com: no hostname in sites.json is in this zone. Fix: remove it, or add the site that uses it.',
      'stages.json: stages.prod.edgeLogRegions[1]: "Europe" is not an AWS region name. Fix: write it like "eu-west-2".',
      'stages.json: stages.prod.edgeLogRegions[2]: "eu-west-2" is listed twice. Fix: remove the second one.',
      'stages.json: stages.prod.alarmEmails: must be a non-empty list of e-mail addresses, found []. Fix: give a list such as ["platform-oncall@example.com"].',
      'stages.json: stages.prod.alarms.functionErors: unknown key "functionErors". Fix: rename it to "functionErrors".',
      'stages.json: stages.prod.alarms.fiveXxErrorRatePercent: 0 is not a percentage above 0. Fix: give a number above 0 and at most 100, such as 5.',
    ]);
  });

  test('values that would pass and then fail at deploy, or switch an alarm off, are refused', () => {
    expect(
      problems({
        default: {
          ...good,
          accessLogRetentionDays: 1e308,
          edgeLogRetentionDays: 1e308,
          edgeLogRegions: ['us-east-1', 'xx-bogus-9', 'us-gov-west-1', 'eu-west-2'],
          alarmEmails: ['ops\u0001@example.com', 'ops @example.com', 'a@b@example.com', 'ops@example.com'],
          alarms: { fiveXxErrorRatePercent: 1e308, functionErrors: 1e308 },
        },
        prod: { ...good, accessLogRetentionDays: 3654, hostedZones: { ...good.hostedZones, '192.0.2.1': 'Z0123456789GHI' }, alarms: { fiveXxErrorRatePercent: 101, functionErrors: 1001 } },
      }),
    ).toEqual([
      'stages.json: stages.default.accessLogRetentionDays: 1e+308 days is longer than 3653 (ten years). Fix: give a whole number of days from 1 to 3653.',
      'stages.json: stages.default.edgeLogRetentionDays: 1e+308 is not a number of days CloudWatch Logs accepts. Fix: use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.',
      'stages.json: stages.default.edgeLogRegions[1]: "xx-bogus-9" is not an AWS region name. Fix: write it like "eu-west-2".',
      'stages.json: stages.default.edgeLogRegions[2]: "us-gov-west-1" is not an AWS region name. Fix: write it like "eu-west-2".',
      'stages.json: stages.default.alarmEmails[0]: "ops\\u0001@example.com" is not an e-mail address. Fix: write it like "platform-oncall@example.com".',
      'stages.json: stages.default.alarmEmails[1]: "ops @example.com" is not an e-mail address. Fix: write it like "platform-oncall@example.com".',
      'stages.json: stages.default.alarmEmails[2]: "a@b@example.com" is not an e-mail address. Fix: write it like "platform-oncall@example.com".',
      'stages.json: stages.default.alarms.fiveXxErrorRatePercent: 1e+308 percent is more than 100: the alarm would never fire. Fix: give a number above 0 and at most 100, such as 5.',
      'stages.json: stages.default.alarms.functionErrors: 1e+308 errors in 5 minutes is more than 1000: the alarm would never fire. Fix: give a whole number from 1 to 1000, such as 1.',
      'stages.json: stages.prod.hostedZones.192.0.2.1: "192.0.2.1" is an IP address, not a hostname. Fix: CloudFront and its certificates need a DNS name: write one such as "po.co".',
      'stages.json: stages.prod.accessLogRetentionDays: 3654 days is longer than 3653 (ten years). Fix: give a whole number of days from 1 to 3653.',
      'stages.json: stages.prod.alarms.fiveXxErrorRatePercent: 101 percent is more than 100: the alarm would never fire. Fix: give a number above 0 and at most 100, such as 5.',
      'stages.json: stages.prod.alarms.functionErrors: 1001 errors in 5 minutes is more than 1000: the alarm would never fire. Fix: give a whole number from 1 to 1000, such as 1.',
    ]);
  });

  test('the limits themselves, and every region and address of the shipped file, pass', () => {
    expect(
      problems({
        default: {
          ...good,
          accessLogRetentionDays: 3653,
          edgeLogRetentionDays: 3653,
          edgeLogRegions: ['us-east-1', 'ap-southeast-7', 'ca-west-1', 'il-central-1', 'mx-central-1', 'me-south-1', 'af-south-1', 'sa-east-1', 'ap-northeast-3'],
          alarmEmails: ['ops@example.com', "o'brien+alarms@mail.example.co.uk"],
          alarms: { fiveXxErrorRatePercent: 100, functionErrors: 1000 },
        },
        prod: good,
      }),
    ).toEqual([]);
  });

  test('JSON duplicate keys are an error at the line of the second, naming the first', () => {
    const p = new ProblemList('stages.json');
    const text = ['{', '  "defaultStage": "default",', '  "stages": {', `    "default": ${JSON.stringify(good)},`, `    "default": ${JSON.stringify({ ...good, priceClass: 'PriceClass_All' })}`, '  },', '  "defaultStage": "default"', '}'].join('\n');
    parseStages(text, p, defaultSites());
    expect(p.problems.map(formatProblem)).toEqual([
      'stages.json:5: key "default" is given twice in stages (first on line 4); JSON would keep only the last one. Fix: remove one of the two, or merge them.',
      'stages.json:7: key "defaultStage" is given twice at the top level (first on line 2); JSON would keep only the last one. Fix: remove one of the two, or merge them.',
    ]);
  });

  test('awaitingCutover: hostnames of the sites file, each once; sorted; empty when absent', () => {
    expect(problems({ default: { ...good, awaitingCutover: ['uk.po.co', 'shop.po.co', 'uk.po.co', 7] }, prod: { ...good, awaitingCutover: 'uk.po.co' } })).toEqual([
      'stages.json: stages.default.awaitingCutover[1]: "shop.po.co" is not a hostname of sites.json. Fix: use one of *.po.co, c.po.co, de.po.co, fr.po.co, in.po.co, po.co, poco.net, uk.po.co, www.po.co or www.poco.net.',
      'stages.json: stages.default.awaitingCutover[2]: "uk.po.co" is listed twice. Fix: remove the second one.',
      'stages.json: stages.default.awaitingCutover[3]: 7 is not a hostname of sites.json. Fix: use one of *.po.co, c.po.co, de.po.co, fr.po.co, in.po.co, po.co, poco.net, uk.po.co, www.po.co or www.poco.net.',
      'stages.json: stages.prod.awaitingCutover: must be a list of hostnames, found "uk.po.co". Fix: give a list such as ["uk.po.co"], or remove it when no hostname waits for cutover.',
    ]);
    const p = new ProblemList('stages.json');
    const config = parseStages(JSON.stringify({ defaultStage: 'default', stages: { default: good, prod: { ...good, awaitingCutover: ['www.po.co', 'in.po.co'] } } }), p, defaultSites())!;
    expect(p.problems).toEqual([]);
    expect(config.stages.get('default')!.awaitingCutover).toEqual([]);
    expect(config.stages.get('prod')!.awaitingCutover).toEqual(['in.po.co', 'www.po.co']);
  });

  test('a default stage that is not defined', () => {
    expect(problems({ prod: good }, 'dev')).toEqual(['stages.json: defaultStage: "dev" is not a stage defined in stages. Fix: use one of prod.']);
  });

  test('choosing a stage that is not there names the ones that are', () => {
    const p = new ProblemList('stages.json');
    const config = parseStages(JSON.stringify({ defaultStage: 'default', stages: { default: good, prod: good } }), p, defaultSites())!;
    expect(selectStage(p, config, undefined)?.name).toBe('default');
    expect(selectStage(p, config, 'prod')?.name).toBe('prod');
    expect(selectStage(p, config, 'qa')).toBeUndefined();
    expect(p.problems.map(formatProblem)).toEqual(['stages.json: stages: there is no stage "qa". Fix: choose one of default or prod (--stage NAME for the tools, -c stage=NAME for cdk), or add it to stages.json.']);
  });

  test.each([
    ['po.co', ['po.co'], 'po.co'],
    ['www.po.co', ['po.co', 'www.po.co'], 'www.po.co'],
    ['a.www.po.co', ['po.co', 'www.po.co'], 'www.po.co'],
    ['xpo.co', ['po.co'], undefined],
    ['poco.co.uk', ['po.co', 'co.uk'], 'co.uk'],
  ])('zoneOf(%s, %j) is %s: the longest zone equal to or above the name', (host, zones, zone) => {
    expect(zoneOf(host, zones)).toBe(zone);
  });
});
