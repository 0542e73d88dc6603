/** EdgeLogRetention: retention of a Lambda@Edge function's log groups in every region it runs in. */
import { Template } from 'aws-cdk-lib/assertions';
import { EdgeLogRetention } from '../../lib/constructs/edge-log-retention';
import { bareStack, EDGE_ENV, nagFindings } from '../support/bare-stack';

/** Each LogRetention resource as [region, log group, days, removal policy]. */
function retentions(template: Template): unknown[][] {
  return Object.values(template.findResources('Custom::LogRetention')).map((r) => [
    r.Properties.LogGroupRegion,
    r.Properties.LogGroupName,
    r.Properties.RetentionInDays,
    r.Properties.RemovalPolicy,
  ]);
}

test("the replicas' group in each region, then the function's own group in us-east-1, each retained", () => {
  const stack = bareStack(EDGE_ENV);
  new EdgeLogRetention(stack, 'Logs', { functionName: 'S-redirects', retentionDays: 30, regions: ['eu-west-1', 'ap-south-1'] });
  expect(retentions(Template.fromStack(stack))).toEqual([
    ['eu-west-1', '/aws/lambda/us-east-1.S-redirects', 30, 'retain'],
    ['ap-south-1', '/aws/lambda/us-east-1.S-redirects', 30, 'retain'],
    ['us-east-1', '/aws/lambda/S-redirects', 30, 'retain'],
  ]);
});

test("construct ids are the regions, and `Direct` for the function's own group", () => {
  const stack = bareStack(EDGE_ENV);
  const retention = new EdgeLogRetention(stack, 'Logs', { functionName: 'f', retentionDays: 30, regions: ['eu-west-1', 'us-east-1'] });
  expect(retention.node.children.map((c) => c.node.id)).toEqual(['eu-west-1', 'us-east-1', 'Direct']);
});

test('retentionDays: the days every group keeps', () => {
  const stack = bareStack(EDGE_ENV);
  new EdgeLogRetention(stack, 'Logs', { functionName: 'f', retentionDays: 400, regions: ['eu-west-1'] });
  expect(retentions(Template.fromStack(stack)).map((r) => r[2])).toEqual([400, 400]);
});

test("no regions: the function's own group only", () => {
  const stack = bareStack(EDGE_ENV);
  new EdgeLogRetention(stack, 'Logs', { functionName: 'f', retentionDays: 30, regions: [] });
  expect(retentions(Template.fromStack(stack))).toEqual([['us-east-1', '/aws/lambda/f', 30, 'retain']]);
});

test('every group is set by one provider function, a sibling at the top of the stack', () => {
  const stack = bareStack(EDGE_ENV);
  new EdgeLogRetention(stack, 'Logs', { functionName: 'f', retentionDays: 30, regions: ['eu-west-1', 'us-west-2'] });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::Lambda::Function', 1);
  const [providerId] = Object.keys(template.findResources('AWS::Lambda::Function'));
  for (const r of Object.values(template.findResources('Custom::LogRetention')))
    expect(r.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [providerId, 'Arn'] });
  expect(stack.node.children.map((c) => c.node.id).filter((id) => id.startsWith('LogRetention'))).toHaveLength(1);
});

test("cdk-nag: the provider's basic execution role and wildcard resource are acknowledged, with nothing else found", () => {
  const stack = bareStack(EDGE_ENV);
  new EdgeLogRetention(stack, 'Logs', { functionName: 'f', retentionDays: 30, regions: ['eu-west-1'] });
  expect(nagFindings(stack)).toEqual([]);
});
