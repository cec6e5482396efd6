/**
 * An AWS Backup plan rule whose RuleName is given by a token (a parameter) is named as
 * `tokenText` says in its tier, its mechanism and the overlap check's texts, never as "[object Object]".
 */
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ReportModel } from '../../../core/report/model';
import { renderHtml, renderJson, renderMarkdown } from '../../../core/report/render';
import { BackupMetadata } from '../../../lib/report/metadata';
import { reportOfApp } from './report-of-app';
import { rowAt } from './model-row';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = new Stack(app, 'Names', { env: { account: '111111111111', region: 'eu-west-1' } });
    BackupMetadata.describeStack(stack, { owner: 'dba@example.com', recoveryPointObjective: Duration.days(1) });
    const text = (id: string): string => new CfnParameter(stack, id, { type: 'String' }).valueAsString;
    const number = (id: string): number => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;
    const planOf = (id: string, later: Omit<backup.CfnBackupPlan.BackupRuleResourceTypeProperty, 'targetBackupVault'>): void => {
      const table = new dynamodb.CfnTable(stack, `${id}Table`, {
        keySchema: [{ attributeName: 'id', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST',
      });
      const plan = new backup.CfnBackupPlan(stack, `${id}Plan`, {
        backupPlan: {
          backupPlanName: id,
          backupPlanRule: [
            { ruleName: 'Daily', targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 7 } },
            { targetBackupVault: 'vault', ...later },
          ],
        },
      });
      new backup.CfnBackupSelection(stack, `${id}Selection`, {
        backupPlanId: plan.ref,
        backupSelection: { iamRoleArn: 'arn:aws:iam::111111111111:role/backup', selectionName: 'table', resources: [table.attrArn] },
      });
    };
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
