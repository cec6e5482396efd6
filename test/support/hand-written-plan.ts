/**
 * A stack as the report meets plans it did not make: one DynamoDB table protected by an AWS
 * Backup plan written by hand (`CfnBackupPlan`), its rules as given.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';

/** A rule of the plan: started within 60 minutes, into the Default vault, deleted after `deleteAfterDays`. */
export function handWrittenRule(ruleName: string, scheduleExpression: string, deleteAfterDays: number, scheduleExpressionTimezone?: string): backup.CfnBackupPlan.BackupRuleResourceTypeProperty {
  return { ruleName, scheduleExpression, scheduleExpressionTimezone, startWindowMinutes: 60, targetBackupVault: 'Default', lifecycle: { deleteAfterDays } };
}

/** A stack `stackName` in `app` with the table `Orders` selected by a plan `planName` of `rules`. */
export function stackWithHandWrittenPlan(app: App, stackName: string, planName: string, rules: backup.CfnBackupPlan.BackupRuleResourceTypeProperty[]): { stack: Stack; orders: dynamodb.Table } {
  const stack = new Stack(app, stackName, { env: { account: '111111111111', region: 'eu-west-1' } });
  const orders = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const plan = new backup.CfnBackupPlan(stack, 'Plan', { backupPlan: { backupPlanName: planName, backupPlanRule: rules } });
  const role = new iam.Role(stack, 'BackupRole', { assumedBy: new iam.ServicePrincipal('backup.amazonaws.com') });
  new backup.CfnBackupSelection(stack, 'Selection', {
    backupPlanId: plan.attrBackupPlanId,
    backupSelection: { selectionName: 'orders', iamRoleArn: role.roleArn, resources: [orders.tableArn] },
  });
  return { stack, orders };
}
