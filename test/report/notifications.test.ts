import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CfnTopic } from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BackupNotifications } from '../../lib';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** The statements of the stack's key policies that let `service` use a key. */
function keyStatementsFor(template: Template, service: string): Array<Record<string, unknown>> {
  return Object.values(template.findResources('AWS::KMS::Key'))
    .flatMap((key) => key.Properties.KeyPolicy.Statement as Array<Record<string, unknown> & { Principal?: { Service?: unknown } }>)
    .filter((statement) => [statement.Principal?.Service].flat().includes(service));
}

/** CloudWatch may use the topic's key only for the alarms of this account and region; EventBridge without a source condition, which SNS does not support for it. */
function expectPublishersKeyStatements(template: Template): void {
  expect(keyStatementsFor(template, 'cloudwatch.amazonaws.com')).toEqual([{
    Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Principal: { Service: 'cloudwatch.amazonaws.com' }, Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111111111111:alarm:*']] } } },
  }]);
  expect(keyStatementsFor(template, 'events.amazonaws.com')).toEqual([{
    Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Principal: { Service: 'events.amazonaws.com' }, Resource: '*',
  }]);
}

function alarm(stack: Stack, id: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, {
    metric: new cloudwatch.Metric({ namespace: 'cdk-backup-dr', metricName: 'StaleBackups' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
}

describe('BackupNotifications', () => {
  test('defaults: a KMS-encrypted, TLS-only topic with the owner subscribed, and failed AWS Backup jobs routed to it', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new BackupNotifications(stack, 'Owner', { ownerEmail: 'dba@example.com' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OwnerKey'), 'Arn'] } });
    template.hasResource('AWS::SNS::Topic', { Metadata: { 'cdk-backup-dr': { role: 'notification', owner: 'dba@example.com' } } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    // The TLS-only policy replaces SNS's default one, which let the account's alarms publish.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111111111111:alarm:*']] } } },
      })]) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'dba@example.com' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    // The queue of the failed-job events that never reached the topic is kept with its key.
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    expect(queues.map((queue) => [queue.DeletionPolicy, queue.UpdateReplacePolicy])).toEqual([['Retain', 'Retain']]);
    expectPublishersKeyStatements(template);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.backup'], 'detail-type': ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'], 'detail': { $or: [{ state: ['FAILED', 'ABORTED', 'EXPIRED'] }, { status: ['FAILED', 'ABORTED'] }] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Owner') }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  test('alarms given as sources, or later with notify(), publish to the topic', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const first = alarm(stack, 'Stale');
    const owner = new BackupNotifications(stack, 'Owner', { ownerEmail: 'dba@example.com', sources: [first], notifyOnFailedBackupJobs: false });
    owner.notify(alarm(stack, 'Drift'));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 0);
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.values(alarms).map((a) => a.Properties.AlarmActions)).toEqual([
      [{ Ref: stack.resolve((owner.topic.node.defaultChild as CfnTopic).logicalId) }],
      [{ Ref: stack.resolve((owner.topic.node.defaultChild as CfnTopic).logicalId) }],
    ]);
  });

  test('forwardEvents: a rule reaches the owner like the failed jobs do: the topic, the one retained dead-letter queue, 10 retries, the message given, and the rule described as an alarm', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const owner = new BackupNotifications(stack, 'Owner', { ownerEmail: 'dba@example.com' });
    const rule = new events.Rule(stack, 'ReplicaErrors', { eventPattern: { source: ['aws.rds'] } });
    owner.forwardEvents(rule, {
      message: events.RuleTargetInput.fromText(`Replica ${events.EventField.fromPath('$.detail.SourceArn')}: ${events.EventField.fromPath('$.detail.Message')}`),
      description: 'Replication to the read replica broke',
    });
    const template = Template.fromStack(stack);
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(1);
    const topicRef = { Ref: stack.getLogicalId(owner.topic.node.defaultChild as CfnElement) };
    const target = {
      Arn: topicRef,
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queues[0], 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 10 },
    };
    const resources = template.toJSON().Resources;
    const forwarded = resources[stack.getLogicalId(rule.node.defaultChild as CfnElement)];
    expect(forwarded.Properties.Targets).toEqual([{
      ...target,
      Id: 'Target0',
      InputTransformer: {
        InputPathsMap: { 'detail-SourceArn': '$.detail.SourceArn', 'detail-Message': '$.detail.Message' },
        InputTemplate: '"Replica <detail-SourceArn>: <detail-Message>"',
      },
    }]);
    expect(forwarded.Metadata['cdk-backup-dr']).toEqual({ role: 'alarm', owner: 'dba@example.com', description: 'Replication to the read replica broke' });
    // The failed-jobs rule keeps its queue (same construct id, same logical id) and its target.
    expect(queues[0]).toMatch(/^OwnerUndeliveredEvents[0-9A-F]{8}$/);
    expect(stack.getLogicalId(owner.node.findChild('UndeliveredEvents').node.defaultChild as CfnElement)).toEqual(queues[0]);
    const failedJobs = resources[stack.getLogicalId(owner.node.findChild('FailedBackupJobs').node.defaultChild as CfnElement)];
    expect(failedJobs.Properties.Targets).toEqual([{ ...target, Id: 'Target0' }]);
    expect(failedJobs.Metadata['cdk-backup-dr']).toEqual({ role: 'alarm', owner: 'dba@example.com', description: 'Failed AWS Backup jobs' });
  });

  test('forwardEvents without the failed-jobs rule creates the dead-letter queue on first use, retained, and shares it with the next rule', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const owner = new BackupNotifications(stack, 'Owner', { ownerEmail: 'dba@example.com', notifyOnFailedBackupJobs: false });
    expect(owner.node.tryFindChild('UndeliveredEvents')).toBeUndefined();
    const first = new events.Rule(stack, 'First', { eventPattern: { source: ['aws.rds'] } });
    const second = new events.Rule(stack, 'Second', { eventPattern: { source: ['aws.ec2'] } });
    owner.forwardEvents(first);
    owner.forwardEvents(second);
    const template = Template.fromStack(stack);
    const queue = owner.node.findChild('UndeliveredEvents') as sqs.Queue;
    const queueId = stack.getLogicalId(queue.node.defaultChild as CfnElement);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResource('AWS::SQS::Queue', {
      DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
      Properties: { MessageRetentionPeriod: 14 * 24 * 3600, KmsMasterKeyId: Match.anyValue() },
    });
    for (const rule of [first, second]) {
      const target = template.toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as CfnElement)].Properties.Targets[0];
      expect(target).toEqual({
        Arn: { Ref: stack.getLogicalId(owner.topic.node.defaultChild as CfnElement) }, Id: 'Target0',
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 10 },
      });
    }
  });

  test('can use an existing topic, subscribing the owner to it', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new kms.Key(stack, 'AppKey', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'Alarms', { masterKey: key, enforceSSL: true });
    const owner = new BackupNotifications(stack, 'Owner', { ownerEmail: 'dba@example.com', topic });
    expect(owner.topic).toBe(topic);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'dba@example.com', TopicArn: { Ref: Match.stringLikeRegexp('^Alarms') } });
    expectPublishersKeyStatements(template);
  });

  test('rejects an owner that is not an email address', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => new BackupNotifications(stack, 'Owner', { ownerEmail: 'the dba team' }))
      .toThrow("S/Owner: `ownerEmail` must be an email address, got 'the dba team'");
  });

  test('passes every compliance gate', () => {
    const app = appWithComplianceGates();
    const stack = new Stack(app, 'S', { env: ENV });
    const owner = new BackupNotifications(stack, 'Owner', { ownerEmail: 'dba@example.com' });
    owner.notify(alarm(stack, 'Stale'));
    owner.forwardEvents(new events.Rule(stack, 'Forwarded', { eventPattern: { source: ['aws.rds'] } }));
    // A dead-letter queue made on first use carries the same acknowledgements.
    const quiet = new BackupNotifications(stack, 'Quiet', { ownerEmail: 'dba@example.com', notifyOnFailedBackupJobs: false });
    quiet.forwardEvents(new events.Rule(stack, 'QuietForwarded', { eventPattern: { source: ['aws.rds'] } }));
    const findings = complianceFindings(app).filter((f) => ['S/Owner', 'S/Forwarded', 'S/Quiet'].some((path) => f.path.startsWith(path)));
    expect(describeFindings(findings)).toEqual('');
  });
});
