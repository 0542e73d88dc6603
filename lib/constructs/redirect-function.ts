import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { acknowledge, nagAccount, nagPartition } from './nag/acknowledge';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CompiledTables } from '../../lambda/engine';
import { bundleEdgeFunction, EdgeBundle, writeBundle } from '../edge/bundle';
import { EDGE_EVENT, EDGE_FUNCTION_REGION, EDGE_LIMITS, EDGE_RUNTIME_NAME } from '../edge/limits';

/**
 * The region of `scope`'s stack as a message shows it ('(not set)' when
 * environment-agnostic) when it is not us-east-1, where CloudFront takes
 * functions and certificates from; undefined when it is.
 */
export function regionOutsideEdge(scope: Construct): string | undefined {
  const { region } = Stack.of(scope);
  if (Token.isUnresolved(region)) return '(not set)';
  return region === EDGE_FUNCTION_REGION ? undefined : region;
}

/**
 * The redirect function's Lambda runtime: aws-cdk-lib's runtime named
 * `EDGE_RUNTIME_NAME` (Node.js `EDGE_NODE_MAJOR`, lib/edge/limits.ts), the version
 * the bundle's esbuild target names too.
 */
export const EDGE_RUNTIME: lambda.Runtime = (() => {
  const runtime = lambda.Runtime.ALL.find((r) => r.name === EDGE_RUNTIME_NAME && r.family === lambda.RuntimeFamily.NODEJS);
  if (!runtime)
    throw new Error(
      `RedirectFunction: aws-cdk-lib knows no Lambda runtime ${EDGE_RUNTIME_NAME}. Fix: set EDGE_NODE_MAJOR in lib/edge/limits.ts to a Node.js version Lambda@Edge and this aws-cdk-lib support.`,
    );
  return runtime;
})();

export interface RedirectFunctionProps {
  /** The compiled rule tables (from `loadConfig`), embedded in the bundle. */
  readonly tables: CompiledTables;
  /**
   * Memory of the function in MB. Redirect decisions need little; the
   * compiled tables of a very large bulk list need more.
   * @default 128
   */
  readonly memorySize?: number;
  /**
   * Time limit of one invocation.
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
}

/** The function's memory and timeout, defaults applied and checked. */
interface FunctionSettings {
  /** Memory in MB, within the `EDGE_EVENT` range. */
  readonly memorySize: number;
  /** Time limit of one invocation, within the `EDGE_EVENT` limit. */
  readonly timeout: Duration;
}

/** `tables` bundled (lib/edge/bundle.ts) and written to a fresh temporary folder, for `lambda.Code.fromAsset`. */
function stageBundle(tables: CompiledTables): { bundle: EdgeBundle; dir: string } {
  const bundle = bundleEdgeFunction(tables);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-edge-'));
  writeBundle(bundle, dir);
  return { bundle, dir };
}

/**
 * The Lambda@Edge redirect function: lambda/handler.ts bundled by esbuild with
 * the tables inside, a role trusted by Lambda and Lambda@Edge, and a numbered
 * version for CloudFront to associate with the origin-request event.
 *
 * The function and its versions are retained when removed from the stack:
 * CloudFront keeps replicas of an edge function for hours after its last
 * association goes, and deleting it before then fails (and with it the stack
 * update or deletion). Delete superseded versions by hand once CloudFront has
 * released them.
 */
export class RedirectFunction extends Construct {
  /** The function; associate `currentVersion`, not the function, with CloudFront. */
  readonly function: lambda.Function;
  /** The numbered version CloudFront runs. */
  readonly currentVersion: lambda.IVersion;
  /** The bundle's sizes, for tests and reports. */
  readonly bundle: EdgeBundle;
  /** The function's name (plain text, not a token), from which its log group names derive. */
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: RedirectFunctionProps) {
    super(scope, id);
    const settings = this.checkedSettings(props);
    const { bundle, dir } = stageBundle(props.tables);
    this.bundle = bundle;
    this.functionName = `${Stack.of(this).stackName}-redirects`.slice(0, 64);
    const role = this.createRole();
    this.function = this.createFunction(props.tables, settings, role, dir);
    this.acknowledgeRoleFindings(role);
    this.removeStagingDir(dir);
    this.currentVersion = this.function.currentVersion;
  }

  /** The memory and timeout to use, after checking the stack's region and both against the `EDGE_EVENT` limits. */
  private checkedSettings(props: RedirectFunctionProps): FunctionSettings {
    const wrongRegion = regionOutsideEdge(this);
    if (wrongRegion !== undefined) {
      throw new Error(
        `RedirectFunction ${this.node.path}: Lambda@Edge functions must be created in ${EDGE_FUNCTION_REGION}, ` +
          `but stack ${Stack.of(this).stackName} has region ${wrongRegion}. ` +
          `Fix: give the stack env: { region: '${EDGE_FUNCTION_REGION}' }.`,
      );
    }
    const limits = EDGE_LIMITS[EDGE_EVENT];
    const memorySize = props.memorySize ?? 128;
    if (!Token.isUnresolved(memorySize) && (memorySize < 128 || memorySize > limits.maxMemoryMb)) {
      throw new Error(
        `RedirectFunction ${this.node.path}: memorySize ${memorySize} is outside 128-${limits.maxMemoryMb} MB, the ${EDGE_EVENT} range. Fix: choose a value in that range.`,
      );
    }
    const timeout = props.timeout ?? Duration.seconds(5);
    if (!timeout.isUnresolved() && timeout.toSeconds() > limits.maxTimeoutSeconds) {
      throw new Error(
        `RedirectFunction ${this.node.path}: timeout ${timeout.toSeconds()} s exceeds the ${EDGE_EVENT} limit of ${limits.maxTimeoutSeconds} s. Fix: use ${limits.maxTimeoutSeconds} s or less.`,
      );
    }
    return { memorySize, timeout };
  }

  /** The function's role: trusted by Lambda and Lambda@Edge, allowed to write its own log groups only. */
  private createRole(): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('lambda.amazonaws.com'),
        new iam.ServicePrincipal('edgelambda.amazonaws.com'),
      ),
      description: 'Runs the po.co redirect function at CloudFront edge locations; may only write its own logs.',
    });
    // Lambda@Edge writes logs in the region of the edge location that ran it,
    // to /aws/lambda/us-east-1.<function name>, so the region must be a wildcard.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [
          stack.formatArn({
            service: 'logs',
            region: '*',
            resource: 'log-group',
            resourceName: `/aws/lambda/${EDGE_FUNCTION_REGION}.${this.functionName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `/aws/lambda/${this.functionName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    return role;
  }

  /** The function, from the staged bundle in `dir`; it and its versions are retained. */
  private createFunction(tables: CompiledTables, settings: FunctionSettings, role: iam.IRole, dir: string): lambda.Function {
    const fn = new lambda.Function(this, 'Function', {
      functionName: this.functionName,
      description: `po.co sunset redirects (${EDGE_EVENT}), ${tables.bulk.keys.length} bulk entries`,
      runtime: EDGE_RUNTIME,
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(dir),
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      role,
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
    });
    fn.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // No AwsSolutions-L1 to acknowledge: Node.js 24 is the newest Node.js runtime aws-cdk-lib knows.
    return fn;
  }

  /** cdk-nag's IAM5 findings on the role's two log-group ARNs, each with its reason. */
  private acknowledgeRoleFindings(role: iam.Role): void {
    const account = nagAccount(this);
    const partition = nagPartition(this);
    acknowledge(
      role,
      [
        `AwsSolutions-IAM5[Resource::arn:${partition}:logs:*:${account}:log-group:/aws/lambda/${EDGE_FUNCTION_REGION}.${this.functionName}:*]`,
      ],
      'Lambda@Edge replicas write to /aws/lambda/us-east-1.<function> in whichever region served the request, so the region is a wildcard; the log group name is exact and ":*" covers only its log streams.',
    );
    acknowledge(
      role,
      [
        `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${EDGE_FUNCTION_REGION}:${account}:log-group:/aws/lambda/${this.functionName}:*]`,
      ],
      'The function\'s own log group is named exactly; ":*" covers only its log streams, whose names Lambda chooses at run time.',
    );
  }

  /**
   * The asset is staged (copied into the cloud assembly) as the function is
   * built, so the temporary folder can go, unless staging is turned off
   * (`cdk synth --no-staging`), when the template points at the folder itself.
   */
  private removeStagingDir(dir: string): void {
    if (!this.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT)) fs.rmSync(dir, { recursive: true, force: true });
  }
}
