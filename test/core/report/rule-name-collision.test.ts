/**
 * Two AWS Backup plan rules whose names are given by different tokens read alike ("a value
 * given by Fn::Join"); the overlap check must still tell them apart, and the report must say
 * which of them takes the runs of which.
 */
import { CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ReportModel } from '../../../core/report/model';
import { BackupMetadata } from '../../../lib/report/metadata';
import { reportOfApp } from './report-of-app';
import { rowAt } from './model-row';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = new Stack(app, 'Joined', { env: { account: '111111111111', region: 'eu-west-1' } });
    BackupMetadata.describeStack(stack, { owner: 'dba@example.com', recoveryPointObjective: Duration.days(1) });
    const prefix = new CfnParameter(stack, 'Prefix', { type: 'String' }).valueAsString;
    const table = new dynamodb.CfnTable(stack, 'Table', {
      keySchema: [{ attributeName: 'id', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST',
    });
    const plan = new backup.CfnBackupPlan(stack, 'Plan', {
      backupPlan: {
        backupPlanName: 'joined',
        backupPlanRule: [
          { ruleName: 'Daily', targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 7 } },
          { ruleName: Fn.join('-', [prefix, 'month']), targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 35 } },
          { ruleName: Fn.join('-', [prefix, 'year']), targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 400 } },
        ],
      },
    });
    new backup.CfnBackupSelection(stack, 'Selection', {
      backupPlanId: plan.ref,
      backupSelection: { iamRoleArn: 'arn:aws:iam::111111111111:role/backup', selectionName: 'table', resources: [table.attrArn] },
    });
  });
});

test('rules whose token names read alike are told apart by their place in the plan', () => {
  const [daily, month, year] = rowAt(model, 'Joined/Table').tiers;
  expect(month.tier).not.toBe(year.tier);
  // The rule kept longest takes every run of the two others at the same time of day.
  expect(daily.takenByLongerRules).toEqual({ year: 2026, runs: 365, byRule: { [year.tier]: 365 } });
  expect(month.takenByLongerRules).toEqual({ year: 2026, runs: 365, byRule: { [year.tier]: 365 } });
  expect(year.takenByLongerRules).toBeUndefined();
});
