import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface DistributionAlarmsProps {
  /** The distribution whose metrics are watched. */
  readonly distribution: cloudfront.IDistribution;
  /** Site name, for alarm names and descriptions. */
  readonly site: string;
  /** Where alarms (and their recovery) are sent. */
  readonly topic: sns.ITopic;
  /**
   * Alarm when the 5xx error rate averages at least this percentage over a period.
   * @default 5
   */
  readonly fiveXxErrorRatePercent?: number;
  /**
   * Whether an edge function runs on the distribution; adds the function-errors alarm.
   * @default false
   */
  readonly hasEdgeFunction?: boolean;
  /**
   * Alarm when the edge function fails this many times in a period.
   * @default 1
   */
  readonly functionErrors?: number;
  /**
   * Length of one evaluation period.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/** CloudFront's per-distribution metrics live in us-east-1 under Region=Global. */
function metric(distribution: cloudfront.IDistribution, metricName: string, statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/CloudFront',
    metricName,
    dimensionsMap: { DistributionId: distribution.distributionId, Region: 'Global' },
    statistic,
    period,
  });
}

/**
 * CloudWatch alarms of one distribution: its 5xx error rate, and, where the
 * redirect function runs, the function's failures. Lambda@Edge reports those
 * per distribution as CloudFront metrics (LambdaExecutionError for a throw
 * or timeout, LambdaValidationError for an invalid response,
 * LambdaLimitExceededError for throttling), all in us-east-1, unlike the
 * function's own Lambda metrics, which are spread over the regions that ran it.
 * Missing data (no traffic) is not breaching.
 */
export class DistributionAlarms extends Construct {
  readonly errorRate: cloudwatch.Alarm;
  readonly functionErrors?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DistributionAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const action = new actions.SnsAction(props.topic);
    const threshold = props.fiveXxErrorRatePercent ?? 5;
    this.errorRate = new cloudwatch.Alarm(this, 'ErrorRate', {
      alarmDescription: `po.co sunset, site ${props.site}: ${threshold}% or more of viewer requests got a 5xx response, in 2 of 3 periods of ${period.toMinutes()} min.`,
      metric: metric(props.distribution, '5xxErrorRate', 'Average', period),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorRate.addAlarmAction(action);
    this.errorRate.addOkAction(action);

    if (props.hasEdgeFunction) {
      const errors = props.functionErrors ?? 1;
      this.functionErrors = new cloudwatch.Alarm(this, 'FunctionErrors', {
        alarmDescription: `po.co sunset, site ${props.site}: the redirect function failed ${errors} or more times in ${period.toMinutes()} min (execution, validation or throttling errors).`,
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(execution, 0) + FILL(validation, 0) + FILL(throttled, 0)',
          usingMetrics: {
            execution: metric(props.distribution, 'LambdaExecutionError', 'Sum', period),
            validation: metric(props.distribution, 'LambdaValidationError', 'Sum', period),
            throttled: metric(props.distribution, 'LambdaLimitExceededError', 'Sum', period),
          },
          label: 'Redirect function errors',
          period,
        }),
        threshold: errors,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.functionErrors.addAlarmAction(action);
      this.functionErrors.addOkAction(action);
    }
  }
}
