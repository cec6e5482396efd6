/**
 * An AWS Backup plan rule whose RuleName is given by a token (a parameter) is named as
 * `tokenText` says in its tier, its mechanism and the overlap check's texts, never as "[object Object]".
 */
import * as backup from 'aws-cdk-lib/aws-backup';
import { ReportModel } from '../../../core/report/model';
import { renderHtml, renderJson, renderMarkdown } from '../../../core/report/render';
import { reportOfApp } from './report-of-app';
import { describedStack, parametersIn, tableInPlan } from './report-fixtures';
import { rowAt } from './model-row';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Names');
    const { text, number } = parametersIn(stack);
    const planOf = (id: string, later: Omit<backup.CfnBackupPlan.BackupRuleResourceTypeProperty, 'targetBackupVault'>): void => tableInPlan(stack, [
      { ruleName: 'Daily', targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 7 } },
      { targetBackupVault: 'vault', ...later },
    ], id);
    planOf('Taken', { ruleName: text('TakenName'), scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 35 } });
    planOf('Window', { ruleName: text('WindowName'), scheduleExpression: 'cron(0 5 * * ? *)', startWindowMinutes: number('Window'), lifecycle: { deleteAfterDays: 35 } });
    planOf('Days', { ruleName: text('DaysName'), scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: number('Days') } });
    planOf('Year', { ruleName: text('YearName'), scheduleExpression: 'cron(0 5 * * ? 2026)', lifecycle: { deleteAfterDays: 35 } });
    planOf('Expression', { ruleName: text('ExpressionName'), scheduleExpression: text('Expression'), lifecycle: { deleteAfterDays: 35 } });
  });
});

test('a rule named by a parameter reads as the parameter in its tier and mechanism', () => {
  const [, later] = rowAt(model, 'Names/TakenTable').tiers;
  expect(later.tier).toBe('TakenName');
  expect(later.mechanism).toBe('AWS Backup plan Names/TakenPlan, rule TakenName');
});

test('the rule that takes the runs of another is named by its parameter', () => {
  const [daily] = rowAt(model, 'Names/TakenTable').tiers;
  expect(daily.takenByLongerRules).toEqual({ year: 2026, runs: 365, byRule: { TakenName: 365 } });
});

test('the tokens and unread schedules the overlap check names are those of the rule named by its parameter', () => {
  const notKnown = (id: string): string | undefined => rowAt(model, `Names/${id}Table`).tiers[0].takenByLongerRules?.notKnown;
  expect(notKnown('Window')).toBe('WindowName: StartWindowMinutes is Window');
  expect(notKnown('Days')).toBe('DaysName: DeleteAfterDays is Days');
  expect(notKnown('Year')).toBe('YearName: the year field of cron(0 5 * * ? 2026) is one the overlap check does not read, not checked');
  expect(notKnown('Expression')).toBe('ExpressionName: ScheduleExpression is Expression');
});

test('no rule name reads as [object Object] in the Markdown, the HTML or the JSON', () => {
  for (const rendered of [renderMarkdown(model), renderHtml(model), renderJson(model)]) {
    expect(rendered).not.toContain('[object Object]');
    expect(rendered).not.toMatch(/\{\s*("|&quot;|\\")Ref/);
  }
});
