/** AlarmTopic: the encrypted SNS topic the alarms notify. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlarmTopic } from '../../lib/constructs/alarm-topic';
import { bareStack, nagFindings } from '../support/bare-stack';

test('a customer-managed key, rotated, that CloudWatch alarms may use', () => {
  const stack = bareStack();
  new AlarmTopic(stack, 'Alarms', { emails: [] });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::KMS::Key', 1);
  template.hasResource('AWS::KMS::Key', {
    Properties: {
      Description: 'Encrypts po.co sunset alarm notifications',
      EnableKeyRotation: true,
      PendingWindowInDays: 30,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ]),
      },
    },
    DeletionPolicy: 'Retain',
  });
});

test('the topic: named, encrypted with that key, TLS only', () => {
  const stack = bareStack();
  new AlarmTopic(stack, 'Alarms', { emails: [] });
  const template = Template.fromStack(stack);
  const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
  template.resourceCountIs('AWS::SNS::Topic', 1);
  template.hasResourceProperties('AWS::SNS::Topic', {
    DisplayName: 'po.co sunset alarms',
    KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
  });
  template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    },
  });
});

test('emails: one e-mail subscription per address', () => {
  const stack = bareStack();
  const { topic } = new AlarmTopic(stack, 'Alarms', { emails: ['a@example.com', 'b@example.com'] });
  const template = Template.fromStack(stack);
  const topicRef = { Ref: stack.resolve(topic.topicArn).Ref };
  template.resourceCountIs('AWS::SNS::Subscription', 2);
  template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'a@example.com', TopicArn: topicRef });
  template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'b@example.com', TopicArn: topicRef });
});

test('emails: none, no subscription', () => {
  const stack = bareStack();
  new AlarmTopic(stack, 'Alarms', { emails: [] });
  Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 0);
});

test('cdk-nag: nothing found', () => {
  const stack = bareStack();
  new AlarmTopic(stack, 'Alarms', { emails: ['a@example.com'] });
  expect(nagFindings(stack)).toEqual([]);
});
