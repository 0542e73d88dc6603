/** The CDK app as it stands: the redirect function, where Lambda@Edge needs it. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../lib/config/load';
import { PocoSunsetStack } from '../lib/poco-sunset-stack';
import { RedirectFunction } from '../lib/redirect-function';
import { stableTemplate } from './support/snapshot';
import { tmpDir } from './support/tmp';

const ROOT = path.resolve(__dirname, '..');
const { tables } = loadConfig();

function synth(): Template {
  const app = new App({ outdir: tmpDir('poco-cdk-') });
  return Template.fromStack(new PocoSunsetStack(app, 'PocoSunset', { env: { region: 'us-east-1' }, tables }));
}

describe('the redirect function', () => {
  const template = synth();

  test('respects Lambda@Edge: Node.js, x86_64, 128 MB, 5 s, no environment, a numbered version', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      MemorySize: 128,
      Timeout: 5,
      Handler: 'index.handler',
      Environment: Match.absent(),
      Layers: Match.absent(),
    });
    template.resourceCountIs('AWS::Lambda::Version', 1);
  });

  test('function and versions are retained: CloudFront holds replicas for hours after an association goes', () => {
    template.hasResource('AWS::Lambda::Function', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('its role is trusted by Lambda and Lambda@Edge and may only write its own logs', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } }),
          Match.objectLike({ Principal: { Service: 'edgelambda.amazonaws.com' } }),
        ]),
      },
      ManagedPolicyArns: Match.absent(),
    });
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(statements[0].Resource)).toContain(':log-group:/aws/lambda/us-east-1.PocoSunset-redirects:*');
  });

  test('snapshot', () => {
    expect(stableTemplate(template)).toMatchSnapshot();
  });
});

describe('the bundle folder', () => {
  function assetPath(context: Record<string, unknown>): string {
    const app = new App({ outdir: tmpDir('poco-cdk-'), context: { 'aws:cdk:enable-asset-metadata': true, ...context } });
    const stack = new PocoSunsetStack(app, 'PocoSunset', { env: { region: 'us-east-1' }, tables });
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
    return path.resolve(app.outdir, fn.Metadata['aws:asset:path']);
  }

  const bundleFolders = (): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('poco-edge-'));

  test('is staged into the cloud assembly, and the temporary copy removed', () => {
    const before = bundleFolders();
    const staged = assetPath({});
    expect(bundleFolders()).toEqual(before);
    expect(fs.readdirSync(staged)).toEqual(['index.js']);
    expect(staged.startsWith(os.tmpdir() + path.sep + 'poco-edge-')).toBe(false);
  });

  test('is kept when staging is off (cdk synth --no-staging), since the template points at it', () => {
    const kept = assetPath({ 'aws:cdk:disable-asset-staging': true });
    expect(fs.readdirSync(kept)).toEqual(['index.js']);
    fs.rmSync(kept, { recursive: true });
  });
});

describe('guards', () => {
  test.each([
    [{ region: 'eu-west-1' }, 'RedirectFunction Elsewhere/Redirects: Lambda@Edge functions must be created in us-east-1, but stack Elsewhere has region eu-west-1. Fix: give the stack env: { region: \'us-east-1\' }.'],
    [undefined, 'RedirectFunction Elsewhere/Redirects: Lambda@Edge functions must be created in us-east-1, but stack Elsewhere has region (not set). Fix: give the stack env: { region: \'us-east-1\' }.'],
  ])('outside us-east-1 (%j)', (env, message) => {
    const stack = new Stack(new App({ outdir: tmpDir('poco-cdk-') }), 'Elsewhere', { env });
    expect(() => new RedirectFunction(stack, 'Redirects', { tables })).toThrow(message);
  });

  test('a timeout past the origin-request limit', () => {
    const stack = new Stack(new App({ outdir: tmpDir('poco-cdk-') }), 'S', { env: { region: 'us-east-1' } });
    expect(() => new RedirectFunction(stack, 'R', { tables, timeout: Duration.seconds(31) })).toThrow(
      'RedirectFunction S/R: timeout 31 s exceeds the origin-request limit of 30 s. Fix: use 30 s or less.',
    );
  });
});

describe('bin/app.ts', () => {
  function runApp(context: Record<string, string>): { status: number | null; stderr: string; outdir: string } {
    const outdir = tmpDir('poco-synth-');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    });
    return { status: r.status, stderr: r.stderr, outdir };
  }

  test('-c redirects=FILE synthesizes with another list', () => {
    const list = path.join(tmpDir('poco-list-'), 'other.csv');
    fs.writeFileSync(list, 'po.co/a,https://www.mi.com/uk/\npo.co/b,https://www.mi.com/de/\n');
    const r = runApp({ redirects: list });
    expect(r.status).toBe(0);
    const template = JSON.parse(fs.readFileSync(path.join(r.outdir, 'PocoSunset.template.json'), 'utf8'));
    const fn = Object.values(template.Resources as Record<string, { Type: string; Properties: { Description: string } }>).find((x) => x.Type === 'AWS::Lambda::Function');
    expect(fn?.Properties.Description).toBe('po.co sunset redirects (origin-request), 2 bulk entries');
  });

  test('a bad list stops synth with the problems and no stack trace', () => {
    const list = path.join(tmpDir('poco-list-'), 'bad.csv');
    fs.writeFileSync(list, 'po.co/a,https://evil.com/\n');
    const r = runApp({ redirects: list });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `Config is invalid (1 problem); nothing was written.\n  ${list}:1: TARGET_URL host "evil.com" is not on the allow-list. Fix: point it at www.mi.com or in.po.co, or add the host to allowedTargetHosts in config/sites.json.\n`,
    );
    expect(fs.readdirSync(r.outdir)).toEqual([]);
  });
});
