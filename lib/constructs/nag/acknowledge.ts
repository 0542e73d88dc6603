/**
 * Acknowledged cdk-nag findings. cdk-nag (v3) matches a finding by its exact
 * id, `Rule[Finding]` for rules that report several per resource, so ids are
 * built from the same values the rule sees: the stack's account and region
 * when they are known, CloudFormation's pseudo parameters when not.
 */
import { DefaultStackSynthesizer, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** cdk-nag's finding for a role with AWS's basic Lambda execution policy (CDK's custom-resource providers carry it). */
export const BASIC_EXECUTION_ROLE_FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** Acknowledges each finding id on `scope` (and everything under it) with one reason. */
export function acknowledge(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** The partition as cdk-nag writes it inside an ARN finding (a literal under @aws-cdk/core:enablePartitionLiterals). */
export function nagPartition(scope: IConstruct): string {
  const { partition } = Stack.of(scope);
  return Token.isUnresolved(partition) ? '<AWS::Partition>' : partition;
}

/** The account as cdk-nag writes it inside an ARN finding. */
export function nagAccount(scope: IConstruct): string {
  const { account } = Stack.of(scope);
  return Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
}

/** The region as cdk-nag writes it inside an ARN finding. */
function nagRegion(scope: IConstruct): string {
  const { region } = Stack.of(scope);
  return Token.isUnresolved(region) ? '<AWS::Region>' : region;
}

/** The CDK bootstrap asset bucket's name as cdk-nag writes it. */
export function nagAssetBucket(scope: IConstruct): string {
  return DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace('${Qualifier}', DefaultStackSynthesizer.DEFAULT_QUALIFIER)
    .replace('${AWS::AccountId}', nagAccount(scope))
    .replace('${AWS::Region}', nagRegion(scope));
}

/** The singleton provider a CDK custom resource put at the top of the stack, found by part of its id. */
export function stackSingleton(scope: IConstruct, idPart: string): IConstruct | undefined {
  return Stack.of(scope).node.children.find((c) => c.node.id.includes(idPart));
}
