import { RemovalPolicy } from 'aws-cdk-lib';
import { acknowledge, BASIC_EXECUTION_ROLE_FINDING, stackSingleton } from './nag/acknowledge';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EDGE_FUNCTION_REGION } from '../edge/limits';

export interface EdgeLogRetentionProps {
  /** Name of the Lambda@Edge function (not a token: log group names are built from it). */
  readonly functionName: string;
  /** Days log events are kept; one of the values CloudWatch Logs accepts. */
  readonly retentionDays: number;
  /** Regions the function's replicas run (and log) in. */
  readonly regions: readonly string[];
}

/**
 * Retention for a Lambda@Edge function's log groups. Replicas log to
 * `/aws/lambda/us-east-1.<name>` in the region of the edge location that ran
 * them, so one stack cannot declare those groups; a `LogRetention` custom
 * resource per region creates each group if needed and sets its retention.
 * The function's own group in us-east-1 (`/aws/lambda/<name>`, for direct
 * invocations) gets the same retention. Groups are retained with the function.
 */
export class EdgeLogRetention extends Construct {
  constructor(scope: Construct, id: string, props: EdgeLogRetentionProps) {
    super(scope, id);
    const retention = props.retentionDays as logs.RetentionDays;
    const add = (region: string, name: string, cid: string): void => {
      new logs.LogRetention(this, cid, { logGroupName: name, logGroupRegion: region, retention, removalPolicy: RemovalPolicy.RETAIN });
    };
    for (const region of props.regions) add(region, `/aws/lambda/${EDGE_FUNCTION_REGION}.${props.functionName}`, region);
    add(EDGE_FUNCTION_REGION, `/aws/lambda/${props.functionName}`, 'Direct');

    // The custom resources share one provider function, a sibling of ours in the stack.
    const provider = stackSingleton(this, 'LogRetention');
    if (provider) {
      acknowledge(
        provider,
        [BASIC_EXECUTION_ROLE_FINDING],
        "CDK's log-retention provider runs with AWSLambdaBasicExecutionRole, which only lets it write its own logs.",
      );
      acknowledge(
        provider,
        ['AwsSolutions-IAM5[Resource::*]'],
        'The log-retention provider sets retention on log groups in every edge region, named at deploy time; CDK limits it to logs:PutRetentionPolicy, DeleteRetentionPolicy and CreateLogGroup.',
      );
    }
  }
}
