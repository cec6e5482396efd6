/**
 * The scaffolding the report tests build their cases in: a described stack, a DynamoDB table
 * in an AWS Backup plan, a volume snapshotted by a DLM policy. Each test passes what its case
 * is about (the plan's rules, the policy's schedules, the tags); the rest is the same in every test.
 */
import { App, CfnParameter, CfnTag, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BackupMetadata } from '../../../lib/report/metadata';

const ACCOUNT = '111111111111';

/** A stack `id` in 111111111111/`region` that BackupMetadata describes: owner dba@example.com, RPO 1 day. */
export function describedStack(app: App, id: string, region = 'eu-west-1'): Stack {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region } });
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

/** A DynamoDB table `id` keyed by a string `id`, billed per request, with `tags`. */
export function onDemandTable(stack: Stack, id: string, tags?: CfnTag[]): dynamodb.CfnTable {
  return new dynamodb.CfnTable(stack, id, {
    keySchema: [{ attributeName: 'id', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST', tags,
  });
}

/** A DynamoDB table `${prefix}Table`, selected by `${prefix}Selection` into the AWS Backup plan `${prefix}Plan` of `rules`. */
export function tableInPlan(stack: Stack, rules: backup.CfnBackupPlan.BackupRuleResourceTypeProperty[], prefix = ''): void {
  const table = onDemandTable(stack, `${prefix}Table`);
  const plan = new backup.CfnBackupPlan(stack, `${prefix}Plan`, { backupPlan: { backupPlanName: `${prefix}Plan`, backupPlanRule: rules } });
  new backup.CfnBackupSelection(stack, `${prefix}Selection`, {
    backupPlanId: plan.ref,
    backupSelection: { iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/backup`, selectionName: `${prefix}Table`, resources: [table.attrArn] },
  });
}

/** An encrypted 8 GiB volume `${prefix}Volume`, snapshotted on `schedules` by the DLM policy `${prefix}Snapshots` through its tag. */
export function taggedVolumeWithPolicy(stack: Stack, schedules: dlm.CfnLifecyclePolicy.ScheduleProperty[], prefix = ''): void {
  taggedVolume(stack, `${prefix}Volume`, `${prefix}Volume`);
  snapshotPolicy(stack, `${prefix}Snapshots`, `${prefix}Volume`, schedules);
}

/** An encrypted 8 GiB volume `id` tagged backup=`backup`. */
export function taggedVolume(stack: Stack, id: string, backup: string): void {
  new ec2.CfnVolume(stack, id, { availabilityZone: Fn.select(0, Fn.getAzs()), size: 8, encrypted: true, tags: [{ key: 'backup', value: backup }] });
}

/** The DLM policy `id` that snapshots the volumes tagged backup=`backup` on `schedules`. */
export function snapshotPolicy(stack: Stack, id: string, backup: string, schedules: dlm.CfnLifecyclePolicy.ScheduleProperty[]): void {
  new dlm.CfnLifecyclePolicy(stack, id, {
    description: 'volume snapshots', state: 'ENABLED', executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/dlm`,
    policyDetails: { resourceTypes: ['VOLUME'], targetTags: [{ key: 'backup', value: backup }], schedules },
  });
}
