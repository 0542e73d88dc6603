/** What cdk synth was given beyond the config files (lib/config/context.ts). */
import { contextTypo, placeholdersOf } from '../../lib/config/context';
import type { StageConfig } from '../../lib/config/stages';

test('a key one or two edits from one the app reads is a typo, with the key meant', () => {
  expect(contextTypo({ stag: 'prod' })).toBe('-c stag=prod: unknown context key "stag". Did you mean "stage"?');
  expect(contextTypo({ redirect: 'x.csv' })).toBe('-c redirect=x.csv: unknown context key "redirect". Did you mean "redirects"?');
  expect(contextTypo({ catalogue: 'c.json' })).toBe('-c catalogue=c.json: unknown context key "catalogue". Did you mean "catalog"?');
});

test("the app's own keys, the CDK's keys and far-off keys are not typos", () => {
  expect(contextTypo({ stage: 'prod', sites: 'a', stages: 'b', redirects: 'c', rules: 'd', catalog: 'e' })).toBeUndefined();
  expect(contextTypo({ '@aws-cdk/core:enablePartitionLiterals': true, 'aws:cdk:enable-path-metadata': true, 'cli-telemetry': false })).toBeUndefined();
  expect(contextTypo({ environment: 'x' })).toBeUndefined();
});

test("a stage's placeholders: example account, zone ids saying so, example e-mails", () => {
  const stage = {
    name: 'prod',
    account: '123456789012',
    hostedZones: new Map([['po.co', 'Z0PLACEHOLDERPOCO'], ['poco.net', 'Z123REAL']]),
    alarmEmails: ['ops@example.com', 'real@xiaomi.com'],
  } as unknown as StageConfig;
  expect(placeholdersOf(stage)).toEqual(['account 123456789012', 'hosted zone po.co Z0PLACEHOLDERPOCO', 'alarm e-mail ops@example.com']);
  expect(placeholdersOf({ ...stage, account: '111111111111', hostedZones: new Map(), alarmEmails: [] } as unknown as StageConfig)).toEqual([
    'account 111111111111',
  ]);
  expect(placeholdersOf({ ...stage, account: '210987654321', hostedZones: new Map(), alarmEmails: [] } as unknown as StageConfig)).toEqual([]);
});
