/**
 * cfn-lint (the CloudFormation linter, installed on every machine of this
 * project) over every template the app synthesizes, for the default and the
 * prod stage: no error, and each warning either fixed or listed below with
 * the reason it stays.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { synthDeployment } from '../support/deployment';
import { tmpDir } from '../support/tmp';

interface Finding {
  readonly Filename: string;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Location: { readonly Path: readonly (string | number)[] };
  readonly Rule: { readonly Id: string };
}

/** Warnings that stay: rule id, the resource's logical id (a prefix), and why. */
const ACCEPTED: readonly { rule: string; resource: string; reason: string }[] = [
  {
    rule: 'W3005',
    resource: 'RedirectsFunction',
    reason: "aws-cdk-lib's Function adds DependsOn on its role beside the GetAtt, so the role's policy exists before the function",
  },
  {
    rule: 'W3005',
    resource: 'LogRetention',
    reason: "aws-cdk-lib's log-retention provider function, the same DependsOn beside a GetAtt; not our template code",
  },
  {
    rule: 'W3005',
    resource: 'CustomCDKBucketDeployment',
    reason: "aws-cdk-lib's BucketDeployment provider function (the frozen site's snapshot upload), the same DependsOn beside a GetAtt",
  },
];

function cfnLint(files: readonly string[]): Finding[] {
  const run = spawnSync('cfn-lint', ['--format', 'json', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new Error(`cfn-lint could not run (${run.error.message}); it is installed on every machine of this project`);
  // Exit status: 0 clean, bit 2 errors, bit 4 warnings, bit 8 informational; 1 is a failure of cfn-lint itself.
  if (run.status === 1 || run.stdout.trim() === '') throw new Error(`cfn-lint failed (status ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Finding[];
}

function writeTemplates(stage: string): string[] {
  const { parent, sites } = synthDeployment({ stage });
  const dir = tmpDir('poco-cfn-lint-');
  const files = [[`PocoSunset-${stage}`, parent] as const, ...[...sites].map(([name, t]) => [`Site-${name}`, t] as const)].map(
    ([name, t]) => {
      const file = path.join(dir, `${name}.template.json`);
      fs.writeFileSync(file, JSON.stringify(t.toJSON(), null, 1));
      return file;
    },
  );
  return files;
}

test('cfn-lint is installed', () => {
  expect(execFileSync('cfn-lint', ['--version'], { encoding: 'utf8' })).toMatch(/^cfn-lint \d+\.\d+/);
});

describe.each(['default', 'prod'])('cfn-lint over the %s stage', (stage) => {
  let findings: Finding[];
  let files: string[];
  beforeAll(() => {
    files = writeTemplates(stage);
    findings = cfnLint(files);
  });

  test('it read every template: the stage stack and one per site', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  test('no errors', () => {
    expect(findings.filter((f) => f.Level === 'Error').map((f) => `${path.basename(f.Filename)}: ${f.Rule.Id} ${f.Message}`)).toEqual([]);
  });

  test('each warning is one listed with its reason', () => {
    const unlisted = findings
      .filter((f) => f.Level !== 'Error')
      .filter((f) => !ACCEPTED.some((a) => a.rule === f.Rule.Id && String(f.Location.Path[1] ?? '').startsWith(a.resource)))
      .map((f) => `${path.basename(f.Filename)}: ${f.Rule.Id} ${f.Location.Path.join('/')}: ${f.Message}`);
    expect(unlisted).toEqual([]);
  });

  test('each listed warning still occurs (a stale entry is removed)', () => {
    const stale = ACCEPTED.filter(
      (a) => !findings.some((f) => f.Rule.Id === a.rule && String(f.Location.Path[1] ?? '').startsWith(a.resource)),
    );
    expect(stale).toEqual([]);
  });
});
