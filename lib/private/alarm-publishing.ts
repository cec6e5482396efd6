import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Lets the CloudWatch alarms of the topic's account and region publish to it. A topic policy
 * (the TLS-only one, or EventBridge's) replaces SNS's default policy, which let them.
 */
export function allowAlarmsToPublish(topic: sns.ITopic): void {
  const stack = Stack.of(topic);
  topic.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['sns:Publish'],
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    resources: [topic.topicArn],
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
    },
  }));
}
