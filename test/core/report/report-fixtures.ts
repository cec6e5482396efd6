/**
 * The scaffolding the report tests build their cases in: a described stack, a DynamoDB table
 * in an AWS Backup plan, a volume snapshotted by a DLM policy. Each test passes what its case
 * is about (the plan's rules, the policy's schedules); the rest is the same in every test.
 */
import { App, CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BackupMetadata } from '../../../lib/report/metadata';

const ACCOUNT = '111111111111';

/** A stack `id` in 111111111111/eu-west-1 that BackupMetadata describes: owner dba@example.com, RPO 1 day. */
export function describedStack(app: App, id: string): Stack {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region: 'eu-west-1' } });
  BackupMetadata.describeStack(stack, { owner: 'dba@example.com', recoveryPointObjective: Duration.days(1) });
  return stack;
}

/** Makers of the stack's parameters, each named `id`: `text` gives a String parameter's value, `number` a Number parameter's. */
export function parametersIn(stack: Stack): { text: (id: string) => string; number: (id: string) => number } {
  return {
    text: (id) => new CfnParameter(stack, id, { type: 'String' }).valueAsString,
    number: (id) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber,
  };
}

/** A DynamoDB table `${prefix}Table`, selected by `${prefix}Selection` into the AWS Backup plan `${prefix}Plan` of `rules`. */
export function tableInPlan(stack: Stack, rules: backup.CfnBackupPlan.BackupRuleResourceTypeProperty[], prefix = ''): void {
  const table = new dynamodb.CfnTable(stack, `${prefix}Table`, {
    keySchema: [{ attributeName: 'id', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST',
  });
  const plan = new backup.CfnBackupPlan(stack, `${prefix}Plan`, { backupPlan: { backupPlanName: `${prefix}Plan`, backupPlanRule: rules } });
  new backup.CfnBackupSelection(stack, `${prefix}Selection`, {
    backupPlanId: plan.ref,
    backupSelection: { iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/backup`, selectionName: `${prefix}Table`, resources: [table.attrArn] },
  });
}

/** An encrypted 8 GiB volume `${prefix}Volume`, snapshotted on `schedules` by the DLM policy `${prefix}Snapshots` through its tag. */
export function taggedVolumeWithPolicy(stack: Stack, schedules: dlm.CfnLifecyclePolicy.ScheduleProperty[], prefix = ''): void {
  const tag = { key: 'backup', value: `${prefix}Volume` };
  new ec2.CfnVolume(stack, `${prefix}Volume`, { availabilityZone: Fn.select(0, Fn.getAzs()), size: 8, encrypted: true, tags: [tag] });
  new dlm.CfnLifecyclePolicy(stack, `${prefix}Snapshots`, {
    description: 'volume snapshots', state: 'ENABLED', executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/dlm`,
    policyDetails: { resourceTypes: ['VOLUME'], targetTags: [tag], schedules },
  });
}
