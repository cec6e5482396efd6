/**
 * A schedule expression given by a token (a parameter) is set at deploy. The report read it as a
 * string and failed (`expression.trim is not a function`); it now shows the schedule as not known
 * at synth, and the RPO a tier with such a schedule would decide as not known either.
 */
import { CfnParameter } from 'aws-cdk-lib';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { describedStack, tableInPlan, taggedVolumeWithPolicy } from './report-fixtures';
import { renderMarkdown } from '../../../core/report/render';
import { rowAt } from './model-row';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Schedules');
    const expression = new CfnParameter(stack, 'Expression', { type: 'String' }).valueAsString;

    tableInPlan(stack, [
      { ruleName: 'Daily', targetBackupVault: 'vault', scheduleExpression: expression, scheduleExpressionTimezone: 'Europe/Berlin', lifecycle: { deleteAfterDays: 7 } },
      { ruleName: 'Weekly', targetBackupVault: 'vault', scheduleExpression: 'cron(0 3 ? * SUN *)', lifecycle: { deleteAfterDays: 35 } },
    ]);
    taggedVolumeWithPolicy(stack, [{ name: 'Custom', createRule: { cronExpression: expression }, retainRule: { count: 3 } }]);
  });
});

test('an AWS Backup rule whose expression is a parameter has a schedule not known at synth', () => {
  const tiers = rowAt(model, 'Schedules/Table').tiers;
  expect(tiers.find((t) => t.tier === 'Daily')).toMatchObject({ schedule: 'Expression, not known at synth', scheduleNote: 'not known', runs: [] });
  expect(tiers.find((t) => t.tier === 'Weekly')?.schedule).toBe('on Sundays at 03:00 UTC');
});

test('a DLM schedule whose cron expression is a parameter is not known at synth', () => {
  expect(rowAt(model, 'Schedules/Volume').tiers.find((t) => t.tier === 'Custom')).toMatchObject({ schedule: 'Expression, not known at synth', scheduleNote: 'not known' });
});

test('the RPO a tier of unknown schedule would decide is not known, not "not met"', () => {
  const objectives = model.objectives.find((o) => o.stack === 'Schedules')!;
  expect(objectives.rpoNotMetBy?.map((s) => s.path)).not.toContain('Schedules/Table');
  expect(objectives.rpoNotKnownFor?.map((s) => s.path)).toContain('Schedules/Table');
  expect(renderMarkdown(model)).toContain('**RPO not known** for Schedules/Table: schedule not known at synth: Daily: Expression, not known at synth');
});
