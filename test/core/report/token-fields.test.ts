/**
 * Fields the report used to print as the template wrote them: a notification's subscriber
 * protocol and its sources' descriptions, an S3 lifecycle rule's id and prefix, a bucket's SSE
 * algorithm and an exemption's reason. Given by a token (a parameter, a function) each reads as
 * `tokenText` says, never as "[object Object]" or JSON.
 */
import { CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ReportModel } from '../../../core/report/model';
import { renderHtml, renderJson, renderMarkdown } from '../../../core/report/render';
import { reportOfApp } from './report-of-app';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = new Stack(app, 'Fields', { env: { account: '111111111111', region: 'eu-west-1' } });
    const text = (id: string): string => new CfnParameter(stack, id, { type: 'String' }).valueAsString;

    const topic = new sns.CfnTopic(stack, 'Topic');
    topic.cfnOptions.metadata = { 'cdk-backup-dr': { role: 'notification' } };
    new sns.CfnSubscription(stack, 'Subscription', { topicArn: topic.ref, protocol: text('Protocol'), endpoint: 'ops@example.com' });
    new cloudwatch.CfnAlarm(stack, 'Alarm', {
      alarmDescription: Fn.join(' ', ['backups of', text('Team')]), alarmActions: [topic.ref],
      comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1, threshold: 0, metricName: 'NumberOfBackupJobsFailed', namespace: 'AWS/Backup', period: 86400, statistic: 'Sum',
    });
    new events.CfnRule(stack, 'Rule', { description: text('RuleText'), eventPattern: { source: ['aws.backup'] }, targets: [{ id: 'topic', arn: topic.ref }] });

    new s3.CfnBucket(stack, 'Store', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: text('Algorithm') } }] },
      lifecycleConfiguration: { rules: [{ id: text('RuleId'), prefix: text('RulePrefix'), status: 'Enabled', expirationInDays: 30 }] },
    }).cfnOptions.metadata = { 'cdk-backup-dr': { role: 'backup-store', tier: 'objects' } };

    new dynamodb.CfnTable(stack, 'Scratch', {
      keySchema: [{ attributeName: 'id', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST',
    }).cfnOptions.metadata = { 'cdk-backup-dr': { role: 'exempt', exemptReason: Fn.join('', ['rebuilt by ', text('Job')]) } };
    new events.CfnRule(stack, 'Drill', { scheduleExpression: 'rate(7 days)', state: 'ENABLED' })
      .cfnOptions.metadata = { 'cdk-backup-dr': { role: 'restore-drill', description: text('DrillText'), targets: ['Fields/Store'] } };
  });
});

test('no field reads as [object Object] or JSON in the Markdown, the HTML or the JSON', () => {
  for (const rendered of [renderMarkdown(model), renderHtml(model), renderJson(model)]) {
    expect(rendered).not.toContain('[object Object]');
    expect(rendered).not.toMatch(/\{\s*("|&quot;|\\")(Ref|Fn::)/);
  }
});

test('a notification\'s subscriber protocol and its sources\' descriptions read as their parameters or functions', () => {
  const [notification] = model.notifications;
  expect(notification.subscribers).toEqual(['Protocol: ops@example.com']);
  expect(notification.sources).toEqual(expect.arrayContaining([
    'alarm Fields/Alarm: backups of Team',
    'event rule Fields/Rule: RuleText',
  ]));
});

test('an S3 lifecycle rule\'s id and prefix, and a bucket\'s SSE algorithm, read as their parameters', () => {
  const store = model.resources.find((r) => r.path === 'Fields/Store')!;
  expect(store.tiers.map((t) => t.mechanism)).toEqual(['S3 lifecycle rule RuleId on RulePrefix']);
  expect(store.encryption).toBe('not known at synth (SSEAlgorithm is Algorithm): SSE-S3 (AES-256, keys managed by S3), or a KMS algorithm with the AWS managed key aws/s3');
});

test('an exemption reason and an activity\'s description given by a token read as their parts', () => {
  expect(model.resources.find((r) => r.path === 'Fields/Scratch')!.exemptReason).toBe('rebuilt by Job');
  expect(model.activities.find((a) => a.path === 'Fields/Drill')!.description).toBe('DrillText');
});
