import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Addresses subscribed to the topic; each must confirm the subscription e-mail AWS sends. */
  readonly emails: readonly string[];
}

/**
 * The SNS topic the alarms notify, with an e-mail subscription per address.
 *
 * Encrypted with a customer-managed key that CloudWatch may use (the AWS
 * managed SNS key does not allow CloudWatch alarms to publish), key rotation
 * on, and publishing over TLS only.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts po.co sunset alarm notifications',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'po.co sunset alarms', masterKey: key, enforceSSL: true });
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}
