/**
 * A retention given by a token (a parameter) is set at deploy: the tier exists, its retention is
 * not known at synth. It used to become NaN: no tier at all (a false NONE) for an RDS cluster or
 * instance and its Aurora members, and "NaN days" for the other tiers.
 */
import { CfnParameter } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BackupMetadata } from '../../../lib/report/metadata';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { describedStack, tableInPlan, taggedVolumeWithPolicy } from './report-fixtures';
import { renderJson, renderMarkdown } from '../../../core/report/render';
import { rowAt } from './model-row';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Retention');
    const days = new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber;
    const cluster = new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-mysql', storageEncrypted: true, backupRetentionPeriod: days });
    new rds.CfnDBInstance(stack, 'Member', { engine: 'aurora-mysql', dbInstanceClass: 'db.r6g.large', dbClusterIdentifier: cluster.ref });
    new rds.CfnDBInstance(stack, 'Instance', { engine: 'mysql', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20', storageEncrypted: true, backupRetentionPeriod: days });

    tableInPlan(stack, [{ ruleName: 'Daily', targetBackupVault: 'vault', scheduleExpression: 'cron(0 3 * * ? *)', lifecycle: { deleteAfterDays: days } }]);

    const store = new s3.CfnBucket(stack, 'Store', { lifecycleConfiguration: { rules: [{ id: 'Expire', status: 'Enabled', expirationInDays: days }] } });
    store.addMetadata(BackupMetadata.KEY, { role: 'backup-store' });

    taggedVolumeWithPolicy(stack, [
      { name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { count: days } },
      { name: 'Weekly', createRule: { cronExpression: 'cron(0 4 ? * SUN *)' }, retainRule: { interval: days, intervalUnit: 'WEEKS' } },
    ]);
    // A policy whose snapshot interval is a parameter.
    taggedVolumeWithPolicy(stack, [
      { name: 'Chosen', createRule: { interval: new CfnParameter(stack, 'Hours', { type: 'Number' }).valueAsNumber, intervalUnit: 'HOURS' }, retainRule: { count: 7 } },
    ], 'Interval');
  });
});

test('an RDS retention that is a parameter: the automated backups tier is shown, its retention not known, and the members are with their cluster', () => {
  const cluster = rowAt(model, 'Retention/Cluster');
  expect(cluster.tiers.map((t) => [t.tier, t.retention, t.minHours, t.maxHours])).toEqual([
    ['automated backups', 'not known at synth (BackupRetentionPeriod is Days)', undefined, undefined],
  ]);
  expect(rowAt(model, 'Retention/Member').backedUpWithCluster).toEqual({ path: 'Retention/Cluster', tiers: ['automated backups'] });
  expect(rowAt(model, 'Retention/Instance').tiers.map((t) => t.retention)).toEqual([
    'not known at synth (BackupRetentionPeriod is Days; 0 would turn automated backups off)',
  ]);
  expect(model.summary.withoutTierOrExemption).toBe(0);
  const markdown = renderMarkdown(model);
  expect(markdown).toContain('automated backups: not known at synth (BackupRetentionPeriod is Days)');
  expect(markdown).not.toContain('NaN');
  expect(markdown).not.toContain('NONE');
});

test('an AWS Backup DeleteAfterDays, an S3 expiry and a DLM count or age that is a parameter: not known at synth, never NaN', () => {
  expect(rowAt(model, 'Retention/Table').tiers.map((t) => [t.retention, t.minHours])).toEqual([['not known at synth (DeleteAfterDays is Days)', undefined]]);
  expect(rowAt(model, 'Retention/Store').tiers.map((t) => [t.retention, t.minHours])).toEqual([['not known at synth (ExpirationInDays is Days)', undefined]]);
  expect(rowAt(model, 'Retention/Volume').tiers.map((t) => [t.tier, t.retention, t.minHours])).toEqual([
    ['Daily', 'not known at synth (RetainRule Count is Days)', undefined],
    ['Weekly', 'not known at synth (RetainRule Interval is Days)', undefined],
  ]);
  expect(renderJson(model)).not.toMatch(/NaN|null/);
  expect(renderMarkdown(model)).not.toContain('NaN');
});

test('a DLM interval, or a DB instance\'s retention (0 turns backups off), that is a parameter: the RPO is not known, neither met nor "no backup tier runs every week"', () => {
  const tier = rowAt(model, 'Retention/IntervalVolume').tiers[0];
  expect([tier.schedule, tier.runs, tier.retention, tier.minHours]).toEqual(['every Hours hours, at a time of day DLM picks (no Times; DLM picks one within 24 hours of the policy\'s creation), not known at synth', [], 'the last 7 snapshots (how long that is, not known at synth: the interval is a token)', undefined]);
  const objectives = model.objectives.find((o) => o.stack === 'Retention')!;
  expect(objectives.rpoNotMetBy).toEqual([]);
  expect(objectives.rpoNotKnownFor).toEqual([
    { path: 'Retention/Instance', reason: 'whether its backups run is not known at synth: automated backups: BackupRetentionPeriod is Days, a token: 0 would turn automated backups off' },
    { path: 'Retention/IntervalVolume', reason: 'schedule not known at synth: Chosen: every Hours hours, at a time of day DLM picks (no Times; DLM picks one within 24 hours of the policy\'s creation), not known at synth' },
  ]);
  // An Aurora cluster keeps automated backups for at least 1 day: its tier runs whatever the parameter.
  expect(rowAt(model, 'Retention/Cluster').tiers[0].mayNotRun).toBeUndefined();
});
