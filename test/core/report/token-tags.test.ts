/**
 * A tag a backup selection compares whose value is a token, on the resource or in the
 * selection, is compared only at deploy: the report shows no tier for it and says the
 * coverage is not known, neither covered nor a plain "not covered".
 */
import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { BackupMetadata } from '../../../lib/report/metadata';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { renderMarkdown } from '../../../core/report/render';
import { rowAt } from './model-row';
import { onDemandTable } from './report-fixtures';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = new Stack(app, 'Tokens', { env: { account: '111111111111', region: 'eu-west-1' } });
    BackupMetadata.describeStack(stack, { owner: 'dba@example.com' });
    const tier = new CfnParameter(stack, 'Tier');
    onDemandTable(stack, 'TokenTag', [{ key: 'backup', value: tier.valueAsString }]);
    onDemandTable(stack, 'PlainTag', [{ key: 'backup', value: 'daily' }]);
    const plan = new backup.CfnBackupPlan(stack, 'Plan', {
      backupPlan: { backupPlanName: 'plan', backupPlanRule: [{ ruleName: 'Daily', targetBackupVault: 'vault', scheduleExpression: 'cron(0 3 * * ? *)', lifecycle: { deleteAfterDays: 7 } }] },
    });
    const selection = (id: string, terms: Partial<backup.CfnBackupSelection.BackupSelectionResourceTypeProperty>): void => {
      new backup.CfnBackupSelection(stack, id, { backupPlanId: plan.ref, backupSelection: { iamRoleArn: 'arn:aws:iam::111111111111:role/backup', selectionName: id, ...terms } });
    };
    // Every table but those tagged backup=none: the token tag may be 'none'.
    selection('AllButNone', { resources: ['arn:aws:dynamodb:*:*:table/*'], conditions: { StringNotEquals: [{ ConditionKey: 'aws:ResourceTag/backup', ConditionValue: 'none' }] } });
    // The tables tagged with the value of a parameter.
    selection('ByParameter', { listOfTags: [{ conditionType: 'STRINGEQUALS', conditionKey: 'backup', conditionValue: tier.valueAsString }] });
  });
});

test('a tag value that is a token: no tier from the selection that compares it, and the coverage not known', () => {
  const row = rowAt(model, 'Tokens/TokenTag');
  expect(row.tiers).toEqual([]);
  expect(row.coverageNotKnown).toEqual([
    'AWS Backup selection Tokens/AllButNone compares a tag whose value (its own or the selection\'s) is a token',
    'AWS Backup selection Tokens/ByParameter compares a tag whose value (its own or the selection\'s) is a token',
  ]);
  expect(renderMarkdown(model)).toContain('NOT KNOWN at synth: AWS Backup selection Tokens/AllButNone compares a tag');
});
