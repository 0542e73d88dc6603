/** RedirectFunction: the Lambda@Edge redirect function, its role and its numbered version. */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { loadConfig } from '../../lib/config/load';
import { EDGE_RUNTIME, regionOutsideEdge, RedirectFunction } from '../../lib/constructs/redirect-function';
import { EDGE_LIMITS } from '../../lib/edge/limits';
import { only } from '../support/deployment';
import { bareStack, EDGE_ENV, nagFindings } from '../support/bare-stack';

const { tables } = loadConfig();

/** A RedirectFunction `Redirects` in a stack of its own, and its template. esbuild bundles the handler once per process; later builds only pack the tables. */
function build(
  props: { memorySize?: number; timeout?: Duration } = {},
  stackName?: string,
  context?: Record<string, unknown>,
): { stack: Stack; fn: RedirectFunction; template: Template } {
  const stack = bareStack(EDGE_ENV, { stackName, context });
  const fn = new RedirectFunction(stack, 'Redirects', { tables, ...props });
  return { stack, fn, template: Template.fromStack(stack) };
}

/** The staged folder of the function's code, from the stack's asset manifest. */
function codeDir(stack: Stack, template: Template): string {
  const outdir = (stack.node.root as App).outdir;
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, `${stack.artifactId}.assets.json`), 'utf8'));
  const key: string = only(template, 'AWS::Lambda::Function').Properties.Code.S3Key;
  return path.resolve(outdir, manifest.files[key.replace(/\.zip$/, '')].source.path);
}

const defaults = build();

test('defaults: Node.js 24 on x86_64, 128 MB, 5 s, named after the stack, no environment or layers', () => {
  defaults.template.resourceCountIs('AWS::Lambda::Function', 1);
  defaults.template.hasResourceProperties('AWS::Lambda::Function', {
    FunctionName: 'S-redirects',
    Description: `po.co sunset redirects (origin-request), ${tables.bulk.keys.length} bulk entries`,
    Runtime: 'nodejs24.x',
    Architectures: ['x86_64'],
    Handler: 'index.handler',
    MemorySize: 128,
    Timeout: 5,
    Environment: Match.absent(),
    Layers: Match.absent(),
  });
  expect(defaults.fn.functionName).toBe('S-redirects');
  expect(EDGE_RUNTIME.name).toBe('nodejs24.x');
});

test('the function and its one numbered version are retained', () => {
  const { template, stack, fn } = defaults;
  template.hasResource('AWS::Lambda::Function', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  template.resourceCountIs('AWS::Lambda::Version', 1);
  template.hasResource('AWS::Lambda::Version', {
    Properties: { FunctionName: { Ref: stack.getLogicalId(fn.function.node.defaultChild as never) } },
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
  });
  expect(fn.currentVersion).toBe(fn.function.currentVersion);
});

test('its role is trusted by Lambda and Lambda@Edge, with no managed policy', () => {
  const { template, stack, fn } = defaults;
  template.resourceCountIs('AWS::IAM::Role', 1);
  template.hasResourceProperties('AWS::IAM::Role', {
    Description: 'Runs the po.co redirect function at CloudFront edge locations; may only write its own logs.',
    AssumeRolePolicyDocument: {
      Statement: [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'edgelambda.amazonaws.com' } },
      ],
    },
    ManagedPolicyArns: Match.absent(),
  });
  expect(only(template, 'AWS::Lambda::Function').Properties.Role).toEqual({
    'Fn::GetAtt': [stack.getLogicalId(fn.function.role!.node.defaultChild as never), 'Arn'],
  });
});

test("its role may only write its own log groups: the replicas' in any region, its own in us-east-1", () => {
  const logGroup = (region: string, name: string): object => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:${region}:`, { Ref: 'AWS::AccountId' }, `:log-group:${name}:*`]],
  });
  defaults.template.resourceCountIs('AWS::IAM::Policy', 1);
  defaults.template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: [
        {
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: [logGroup('*', '/aws/lambda/us-east-1.S-redirects'), logGroup('us-east-1', '/aws/lambda/S-redirects')],
        },
      ],
    },
  });
});

test('cdk-nag finds nothing unacknowledged on it', () => {
  expect(nagFindings(defaults.stack)).toEqual([]);
});

test('its code is the bundle, index.js and bulk.bin, staged into the cloud assembly', () => {
  const { fn, stack, template } = defaults;
  const dir = codeDir(stack, template);
  expect(fs.readdirSync(dir).sort()).toEqual(['bulk.bin', 'index.js']);
  expect(fs.readFileSync(path.join(dir, 'index.js'), 'utf8')).toBe(fn.bundle.code);
  expect(new Uint8Array(fs.readFileSync(path.join(dir, 'bulk.bin')))).toEqual(fn.bundle.bulk);
  expect(fn.bundle.bytes).toBe(Buffer.byteLength(fn.bundle.code) + fn.bundle.bulk.length);
  expect(fn.bundle.compressedBytes).toBeGreaterThan(0);
  expect(fn.bundle.compressedBytes).toBeLessThanOrEqual(EDGE_LIMITS['origin-request'].compressedPackageBytes);
});

test("with asset staging off (`cdk synth --no-staging`), the template's folder is kept", () => {
  const { stack, template } = build({}, undefined, { [cxapi.DISABLE_ASSET_STAGING_CONTEXT]: true });
  const dir = codeDir(stack, template);
  try {
    expect(path.isAbsolute(dir)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['bulk.bin', 'index.js']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the function name is cut to Lambda's 64 characters", () => {
  const stackName = `Poco-${'x'.repeat(70)}`;
  const { fn, template } = build({}, stackName);
  expect(fn.functionName).toBe(`${stackName}-redirects`.slice(0, 64));
  expect(fn.functionName).toHaveLength(64);
  template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: fn.functionName });
});

test('memorySize and timeout, up to the origin-request limits', () => {
  build({ memorySize: 512, timeout: Duration.seconds(10) }).template.hasResourceProperties('AWS::Lambda::Function', {
    MemorySize: 512,
    Timeout: 10,
  });
  build({ memorySize: 10240, timeout: Duration.seconds(30) }).template.hasResourceProperties('AWS::Lambda::Function', {
    MemorySize: 10240,
    Timeout: 30,
  });
});

describe('throws', () => {
  test.each([
    [
      { region: 'eu-west-1' },
      "RedirectFunction S/R: Lambda@Edge functions must be created in us-east-1, but stack S has region eu-west-1. Fix: give the stack env: { region: 'us-east-1' }.",
    ],
    [
      undefined,
      "RedirectFunction S/R: Lambda@Edge functions must be created in us-east-1, but stack S has region (not set). Fix: give the stack env: { region: 'us-east-1' }.",
    ],
  ])('outside us-east-1 (%j)', (env, message) => {
    expect(() => new RedirectFunction(bareStack(env), 'R', { tables })).toThrow(message);
  });

  test.each([127, 10241])('on memorySize %d, outside the origin-request range', (memorySize) => {
    expect(() => new RedirectFunction(bareStack(EDGE_ENV), 'R', { tables, memorySize })).toThrow(
      `RedirectFunction S/R: memorySize ${memorySize} is outside 128-10240 MB, the origin-request range. Fix: choose a value in that range.`,
    );
  });

  test('on a timeout past the origin-request limit', () => {
    expect(() => new RedirectFunction(bareStack(EDGE_ENV), 'R', { tables, timeout: Duration.seconds(31) })).toThrow(
      'RedirectFunction S/R: timeout 31 s exceeds the origin-request limit of 30 s. Fix: use 30 s or less.',
    );
  });
});

test("regionOutsideEdge: the stack's region unless it is us-east-1, `(not set)` when agnostic", () => {
  expect(regionOutsideEdge(bareStack(EDGE_ENV))).toBeUndefined();
  expect(regionOutsideEdge(bareStack({ region: 'eu-west-1' }))).toBe('eu-west-1');
  expect(regionOutsideEdge(bareStack())).toBe('(not set)');
});
