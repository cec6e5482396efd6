import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/**
 * The CloudWatch alarms of the account and region of `scope` as the source of a request
 * CloudWatch makes for them (aws:SourceAccount and aws:SourceArn): on the topic's policy and,
 * for an encrypted topic, on its key's policy (SNS developer guide, "Enable compatibility
 * between event sources from AWS services and encrypted topics").
 */
export function alarmsOfThisAccountAndRegion(scope: IConstruct): Record<string, Record<string, string>> {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
  };
}

/**
 * Lets the CloudWatch alarms of the topic's account and region publish to it. A topic policy
 * (the TLS-only one, or EventBridge's) replaces SNS's default policy, which let them.
 */
export function allowAlarmsToPublish(topic: sns.ITopic): void {
  topic.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['sns:Publish'],
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    resources: [topic.topicArn],
    conditions: alarmsOfThisAccountAndRegion(topic),
  }));
}
