/**
 * A template value given by a token (a parameter, a function) reads as `tokenText` says, in the
 * Markdown and the HTML: never as "[object Object]", raw JSON or a CDK token string. Regions, key
 * ARNs, vault names, account ids, bucket names and the numbers of locks and windows included.
 */
import { CfnCondition, Fn } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { describedStack, parametersIn, tableInPlan, taggedVolumeWithPolicy } from './report-fixtures';
import { renderHtml, renderJson, renderMarkdown } from '../../../core/report/render';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Rendered');
    const { text, number } = parametersIn(stack);
    const long = new CfnCondition(stack, 'Long', { expression: Fn.conditionEquals(text('Mode'), 'long') });

    const vault = new backup.CfnBackupVault(stack, 'Vault', {
      backupVaultName: text('VaultName'),
      encryptionKeyArn: Fn.conditionIf(long.logicalId, text('KeyArn'), Fn.importValue('Shared:KeyArn')).toString(),
      lockConfiguration: { minRetentionDays: number('MinDays'), maxRetentionDays: number('MaxDays'), changeableForDays: number('Changeable') },
    });
    tableInPlan(stack, [{
      ruleName: 'Daily', targetBackupVault: vault.ref, scheduleExpression: 'cron(0 5 * * ? *)', startWindowMinutes: number('Window'),
      lifecycle: { deleteAfterDays: 35 },
      copyActions: [{ destinationBackupVaultArn: Fn.select(0, Fn.split(',', text('CopyVaults'))), lifecycle: { deleteAfterDays: 35 } }],
    }]);

    taggedVolumeWithPolicy(stack, [{
      name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { count: 7 },
      crossRegionCopyRules: [{ target: Fn.select(1, Fn.split(',', text('Regions'))), encrypted: true, cmkArn: Fn.sub('arn:aws:kms:${Region}:${Account}:key/${KeyId}', {
        Region: text('CopyRegion'), Account: text('CopyAccount'), KeyId: Fn.select(0, Fn.split('/', text('KeyPath'))),
      }), retainRule: { interval: 7, intervalUnit: 'DAYS' } }],
    }]);

    const replica = Fn.select(0, Fn.split(',', text('ReplicaBuckets')));
    new s3.CfnBucket(stack, 'Bucket', {
      versioningConfiguration: { status: 'Enabled' },
      objectLockEnabled: true,
      objectLockConfiguration: { objectLockEnabled: 'Enabled', rule: { defaultRetention: { mode: 'GOVERNANCE', days: number('LockDays') } } },
      replicationConfiguration: {
        role: 'arn:aws:iam::111111111111:role/replication',
        rules: [{ status: 'Enabled', destination: { bucket: replica, account: Fn.select(1, Fn.split(',', text('Accounts'))), encryptionConfiguration: { replicaKmsKeyId: Fn.select(2, Fn.split(',', text('Keys'))) } } }],
      },
    }).cfnOptions.metadata = { 'cdk-backup-dr': { role: 'backup-store', tier: 'objects' } };
  });
});

test('a token reads as its parameter or the function that gives it, in the Markdown and the HTML: never as [object Object], JSON or a CDK token string', () => {
  for (const rendered of [renderMarkdown(model), renderHtml(model)]) {
    expect(rendered).not.toContain('[object Object]');
    expect(rendered).not.toMatch(/\{\s*("|&quot;)(Ref|Fn::)/);
    expect(rendered).not.toContain('${Token[');
  }
  const markdown = renderMarkdown(model);
  expect(markdown).toContain('(start window Window minutes, not known at synth)');
  expect(markdown).toContain('vault lock (compliance mode, fixed after Changeable days (not known at synth); min MinDays days (not known at synth), max MaxDays days (not known at synth))');
  expect(markdown).toContain('EBS snapshot copies in a value given by Fn::Select (a value given by Fn::Select, account 111111111111; off-site not known)');
  const json = renderJson(model);
  expect(json).not.toContain('[object Object]');
  expect(json).not.toContain('${Token[');
  // Two keys given by different functions stay two rows; each keeps what the template writes.
  const vaultKey = model.keys.find((k) => k.encrypts.some((e) => e.startsWith('recovery points in vault')))!;
  expect(vaultKey.key).toBe('a value given by Fn::If');
  expect(JSON.parse(vaultKey.written!)).toEqual({ 'Fn::If': ['Long', { Ref: 'KeyArn' }, { 'Fn::ImportValue': 'Shared:KeyArn' }] });
  expect(model.keys.filter((k) => k.written !== undefined)).toHaveLength(3);
  // A key ARN of Fn::Sub whose region and account are variables given by parameters: they read as the parameters, not known.
  expect(model.keys.find((k) => k.encrypts.some((e) => e.startsWith('EBS snapshot copies')))).toMatchObject({
    key: 'arn:aws:kms:CopyRegion:CopyAccount:key/a value given by Fn::Select', region: 'not known at synth (CopyRegion)', account: 'not known at synth (CopyAccount)',
  });
});
