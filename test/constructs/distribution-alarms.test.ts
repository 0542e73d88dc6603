/** DistributionAlarms: a distribution's 5xx error rate and, where it runs, the redirect function's failures. */
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DistributionAlarms, DistributionAlarmsProps } from '../../lib/constructs/distribution-alarms';
import { bareStack } from '../support/bare-stack';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:alarms';
const DIMENSIONS = [
  { Name: 'DistributionId', Value: 'E1EXAMPLE' },
  { Name: 'Region', Value: 'Global' },
];

/** The alarms of one distribution, in a fresh stack, with `props` over the required ones. */
function alarms(props: Partial<DistributionAlarmsProps> = {}): { construct: DistributionAlarms; template: Template } {
  const stack = bareStack();
  const construct = new DistributionAlarms(stack, 'Alarms', {
    distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'Distribution', {
      domainName: 'd111111abcdef8.cloudfront.net',
      distributionId: 'E1EXAMPLE',
    }),
    site: 'uk',
    topic: sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN),
    ...props,
  });
  return { construct, template: Template.fromStack(stack) };
}

/** The one alarm whose properties match `pattern`. */
function alarmLike(template: Template, pattern: object): Record<string, unknown> {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: pattern }));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

test('defaults: a 5xx error-rate alarm at 5% in 2 of 3 periods of 5 minutes, to the topic and back; no function alarm', () => {
  const { construct, template } = alarms();
  template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmDescription: 'po.co sunset, site uk: 5% or more of viewer requests got a 5xx response, in 2 of 3 periods of 5 min.',
    Namespace: 'AWS/CloudFront',
    MetricName: '5xxErrorRate',
    Dimensions: DIMENSIONS,
    Statistic: 'Average',
    Period: 300,
    Threshold: 5,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    TreatMissingData: 'notBreaching',
    AlarmActions: [TOPIC_ARN],
    OKActions: [TOPIC_ARN],
  });
  expect(construct.functionErrors).toBeUndefined();
});

test('fiveXxErrorRatePercent: the error-rate threshold', () => {
  const { template } = alarms({ fiveXxErrorRatePercent: 2 });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: '5xxErrorRate',
    Threshold: 2,
    AlarmDescription: 'po.co sunset, site uk: 2% or more of viewer requests got a 5xx response, in 2 of 3 periods of 5 min.',
  });
});

test('hasEdgeFunction: adds an alarm on any execution, validation or throttling error of the function, at 1 by default', () => {
  const { construct, template } = alarms({ hasEdgeFunction: true });
  expect(construct.functionErrors).toBeDefined();
  template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  const metric = (id: string, name: string): object => ({
    Id: id,
    MetricStat: { Metric: { Namespace: 'AWS/CloudFront', MetricName: name, Dimensions: DIMENSIONS }, Period: 300, Stat: 'Sum' },
    ReturnData: false,
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmDescription:
      'po.co sunset, site uk: the redirect function failed 1 or more times in 5 min (execution, validation or throttling errors).',
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    DatapointsToAlarm: Match.absent(),
    TreatMissingData: 'notBreaching',
    AlarmActions: [TOPIC_ARN],
    OKActions: [TOPIC_ARN],
    Metrics: [
      { Id: 'expr_1', Expression: 'FILL(execution, 0) + FILL(validation, 0) + FILL(throttled, 0)', Label: 'Redirect function errors' },
      metric('execution', 'LambdaExecutionError'),
      metric('validation', 'LambdaValidationError'),
      metric('throttled', 'LambdaLimitExceededError'),
    ],
  });
});

test("functionErrors: the function alarm's threshold", () => {
  const { template } = alarms({ hasEdgeFunction: true, functionErrors: 10 });
  const alarm = alarmLike(template, { Metrics: Match.anyValue() });
  expect(alarm.Threshold).toBe(10);
  expect(alarm.AlarmDescription).toBe(
    'po.co sunset, site uk: the redirect function failed 10 or more times in 5 min (execution, validation or throttling errors).',
  );
});

test('functionErrors without hasEdgeFunction: no function alarm', () => {
  const { template } = alarms({ functionErrors: 10 });
  template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
});

test('period: the length of every evaluation period, in both alarms and their descriptions', () => {
  const { template } = alarms({ hasEdgeFunction: true, period: Duration.minutes(1) });
  expect(alarmLike(template, { MetricName: '5xxErrorRate' })).toMatchObject({
    Period: 60,
    AlarmDescription: 'po.co sunset, site uk: 5% or more of viewer requests got a 5xx response, in 2 of 3 periods of 1 min.',
  });
  const fn = alarmLike(template, { Metrics: Match.anyValue() }) as {
    AlarmDescription: string;
    Metrics: { MetricStat?: { Period: number } }[];
  };
  expect(fn.AlarmDescription).toBe(
    'po.co sunset, site uk: the redirect function failed 1 or more times in 1 min (execution, validation or throttling errors).',
  );
  expect(fn.Metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Period] : []))).toEqual([60, 60, 60]);
});
