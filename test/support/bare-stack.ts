/** The bare stack a construct test builds its construct in. */
import { App, Environment, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { tmpDir } from './tmp';

/** us-east-1, where CloudFront takes certificates and Lambda@Edge functions from. */
export const EDGE_ENV: Environment = { region: 'us-east-1' };

export interface BareStackOptions {
  /** Name of the stack. @default 'S' */
  readonly stackName?: string;
  /** Context of the app. @default none */
  readonly context?: Record<string, unknown>;
}

/**
 * A stack alone in an app whose assets go to a temporary folder (removed
 * after the test file). CDK's built-in CloudFormation validation is off: it
 * costs seconds per file, and test/stacks validates every template the
 * constructs take part in.
 */
export function bareStack(env?: Environment, options: BareStackOptions = {}): Stack {
  const app = new App({ outdir: tmpDir('poco-cdk-'), builtinCloudFormationValidation: false, context: options.context });
  return new Stack(app, options.stackName ?? 'S', { env });
}

/** cdk-nag's AwsSolutions findings in `stack` that are not acknowledged, as `<rule> <construct path>`. */
export function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
}
