/**
 * An AWS Backup rule kept longer whose runs the overlap check does not read may take the runs of
 * any other rule of its plan: how many is not known, and the reason names what was not read.
 */
import { CfnParameter } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { rowAt } from './model-row';
import { describedStack, tableInPlan } from './report-fixtures';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Unread');
    const zone = new CfnParameter(stack, 'Zone').valueAsString;
    const planOf = (id: string, later: backup.CfnBackupPlan.BackupRuleResourceTypeProperty): void => {
      tableInPlan(stack, [{ ruleName: 'Daily', targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 7 } }, later], id);
    };
    planOf('YearAndZone', { ruleName: 'Later', targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? 2026)', scheduleExpressionTimezone: zone, lifecycle: { deleteAfterDays: 35 } });
    planOf('DefaultSchedule', { ruleName: 'Later', targetBackupVault: 'vault', scheduleExpressionTimezone: zone, lifecycle: { deleteAfterDays: 35 } });
  });
});

// Before: a year field and a zone given by a token together left the longer rule out of the check (no reason found).
test('a rule with a year field the check does not read and a zone given by a token is not left out', () => {
  const [daily] = rowAt(model, 'Unread/YearAndZoneTable').tiers;
  expect(daily.takenByLongerRules).toEqual({
    year: 2026, runs: 365, byRule: {},
    notKnown: 'Later: the year field of cron(0 5 * * ? 2026) is one the overlap check does not read and ScheduleExpressionTimezone is given by a token (Zone), not checked',
  });
});

// Before: a rule without ScheduleExpression (AWS Backup's default) read as one whose ScheduleExpression is a token, and the zone given by a token read as a zone named Zone.
test('a rule without ScheduleExpression whose zone is given by a token says the zone is not known', () => {
  const [daily] = rowAt(model, 'Unread/DefaultScheduleTable').tiers;
  expect(daily.takenByLongerRules).toEqual({
    year: 2026, runs: 365, byRule: {},
    notKnown: 'Later: ScheduleExpressionTimezone is given by a token (Zone), not checked',
  });
  // Before: its schedule said the zone as its JSON ({"Ref":"Zone"}).
  const [, later] = rowAt(model, 'Unread/DefaultScheduleTable').tiers;
  expect(later.schedule).toBe('daily at 05:00 Zone (time zone given by a token, not known at synth)');
});
