import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { CompiledTables } from '../lambda/engine';
import { RedirectFunction } from './redirect-function';

export interface PocoSunsetStackProps extends StackProps {
  /** Compiled redirect tables (from `loadConfig`). */
  readonly tables: CompiledTables;
}

/**
 * The po.co sunset. Lives in us-east-1, where CloudFront needs its
 * certificates and Lambda@Edge functions.
 */
export class PocoSunsetStack extends Stack {
  readonly redirectFunction: RedirectFunction;

  constructor(scope: Construct, id: string, props: PocoSunsetStackProps) {
    super(scope, id, props);
    this.redirectFunction = new RedirectFunction(this, 'Redirects', { tables: props.tables });
    new CfnOutput(this, 'RedirectFunctionVersion', {
      description: 'Numbered version of the redirect function that CloudFront associates with origin-request',
      value: this.redirectFunction.currentVersion.functionArn,
    });
  }
}
