/**
 * A backup that a CloudFormation condition or a token may leave out is not known to run: an AWS
 * Backup selection or plan with a `Condition` (not created where it is false), a DLM policy with
 * one, or a DLM policy whose `State` is a parameter or condition (DISABLED stops its snapshots).
 * Its tier is listed with `mayNotRun`; the resource's coverage and RPO are not known, not met.
 */
import { CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import { ReportModel } from '../../../core/report/model';
import { rowAt } from './model-row';
import { describedStack, tableInPlan, taggedVolumeWithPolicy } from './report-fixtures';
import { reportOfApp } from './report-of-app';

const DAILY: backup.CfnBackupPlan.BackupRuleResourceTypeProperty = {
  ruleName: 'Daily', targetBackupVault: 'Default', scheduleExpression: 'cron(0 3 * * ? *)', lifecycle: { deleteAfterDays: 35 },
};
const DAILY_SNAPSHOTS: dlm.CfnLifecyclePolicy.ScheduleProperty = {
  name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { count: 7 },
};

function isProduction(stack: Stack): CfnCondition {
  return new CfnCondition(stack, 'IsProduction', { expression: Fn.conditionEquals(new CfnParameter(stack, 'Environment', { type: 'String' }).valueAsString, 'production') });
}

function expectNotKnown(model: ReportModel, path: string, reason: string): void {
  const row = rowAt(model, path);
  expect(row.tiers.map((t) => t.mayNotRun)).toEqual([reason]);
  expect(row.tiers[0].schedule).toContain(`; it may not run: ${reason}`);
  expect(model.summary.coverageNotKnownAtSynth).toBe(1);
  const [objectives] = model.objectives;
  expect(objectives.rpoNotMetBy).toEqual([]);
  expect(objectives.rpoNotKnownFor?.map((s) => s.path)).toEqual([path]);
}

test('an AWS Backup selection with a Condition may not select the table', () => {
  const model = reportOfApp((app) => {
    const stack = describedStack(app, 'Conditional');
    tableInPlan(stack, [DAILY]);
    (stack.node.findChild('Selection') as backup.CfnBackupSelection).cfnOptions.condition = isProduction(stack);
  });
  expectNotKnown(model, 'Conditional/Table', 'AWS Backup selection Conditional/Selection is created only where the condition IsProduction holds');
});

test('an AWS Backup plan with a Condition may not exist', () => {
  const model = reportOfApp((app) => {
    const stack = describedStack(app, 'Conditional');
    tableInPlan(stack, [DAILY]);
    // The selection names the plan, so it carries the plan's condition too (as CloudFormation's validation asks).
    const condition = isProduction(stack);
    (stack.node.findChild('Plan') as backup.CfnBackupPlan).cfnOptions.condition = condition;
    (stack.node.findChild('Selection') as backup.CfnBackupSelection).cfnOptions.condition = condition;
  });
  expectNotKnown(model, 'Conditional/Table', 'AWS Backup selection Conditional/Selection is created only where the condition IsProduction holds; '
    + 'AWS Backup plan Conditional/Plan is created only where the condition IsProduction holds');
});

test('a DLM policy with a Condition, or whose State is a token, may not snapshot the volume', () => {
  const conditional = reportOfApp((app) => {
    const stack = describedStack(app, 'Conditional');
    taggedVolumeWithPolicy(stack, [DAILY_SNAPSHOTS]);
    (stack.node.findChild('Snapshots') as dlm.CfnLifecyclePolicy).cfnOptions.condition = isProduction(stack);
  });
  expectNotKnown(conditional, 'Conditional/Volume', 'DLM policy Conditional/Snapshots is created only where the condition IsProduction holds');
  const stateByParameter = reportOfApp((app) => {
    const stack = describedStack(app, 'Conditional');
    taggedVolumeWithPolicy(stack, [DAILY_SNAPSHOTS]);
    (stack.node.findChild('Snapshots') as dlm.CfnLifecyclePolicy).state = new CfnParameter(stack, 'PolicyState', { type: 'String' }).valueAsString;
  });
  expectNotKnown(stateByParameter, 'Conditional/Volume', 'DLM policy Conditional/Snapshots has State PolicyState, a token: DISABLED would stop its snapshots');
});

test('a DLM policy without a State (ENABLED by default) and a selection without a Condition run', () => {
  const model = reportOfApp((app) => {
    const stack = describedStack(app, 'Plain');
    tableInPlan(stack, [DAILY]);
    taggedVolumeWithPolicy(stack, [DAILY_SNAPSHOTS]);
    (stack.node.findChild('Snapshots') as dlm.CfnLifecyclePolicy).state = undefined;
  });
  expect(JSON.stringify(rowAt(model, 'Plain/Volume').tiers)).not.toContain('State');
  expect([...rowAt(model, 'Plain/Table').tiers, ...rowAt(model, 'Plain/Volume').tiers].map((t) => t.mayNotRun)).toEqual([undefined, undefined]);
  expect(model.summary.coverageNotKnownAtSynth).toBe(0);
});
