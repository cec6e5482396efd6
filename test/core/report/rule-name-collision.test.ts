/**
 * Two AWS Backup plan rules whose names are given by different tokens read alike ("a value
 * given by Fn::Join"); the overlap check must still tell them apart, and the report must say
 * which of them takes the runs of which.
 */
import { CfnParameter, Fn } from 'aws-cdk-lib';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { describedStack, tableInPlan } from './report-fixtures';
import { rowAt } from './model-row';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Joined');
    const prefix = new CfnParameter(stack, 'Prefix', { type: 'String' }).valueAsString;
    tableInPlan(stack, [
      { ruleName: 'Daily', targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 7 } },
      { ruleName: Fn.join('-', [prefix, 'month']), targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 35 } },
      { ruleName: Fn.join('-', [prefix, 'year']), targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 400 } },
    ]);
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
