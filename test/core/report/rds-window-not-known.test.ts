/**
 * RDS automated backups without `PreferredBackupWindow`: RDS picks "a 30-minute window selected
 * at random from an 8-hour block of time for each AWS Region" (Amazon RDS User Guide, Backup
 * window), so the time of day is not known at synth. The runs are not placed in the day (not at
 * 02:00, say): the tier and the timeline say RDS picks the time, and the RPO check still reads
 * them as daily. A window given by a token is likewise daily at a time not known, not one RDS picks.
 */
import { CfnParameter } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { ReportModel } from '../../../core/report/model';
import { renderMarkdown } from '../../../core/report/render';
import { reportOfApp } from './report-of-app';
import { rowAt } from './model-row';
import { readReplica, smallInstance } from './db-instances';
import { describedStack } from './report-fixtures';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Windows');
    const source = smallInstance(stack, 'Source');
    new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-mysql', storageEncrypted: true, backupRetentionPeriod: 7 });
    readReplica(stack, 'Replica', source.ref, 7);
    const window = new CfnParameter(stack, 'BackupWindow', { default: '03:00-03:30' });
    readReplica(stack, 'ParameterReplica', source.ref, 7, { preferredBackupWindow: window.valueAsString });
    readReplica(stack, 'MalformedReplica', source.ref, 7, { preferredBackupWindow: '3:00-4:00' });
  });
});

const PICKED = 'daily, in a 30-minute window RDS picks at random from an 8-hour block of time for the region (no PreferredBackupWindow), not known at synth';

test('an instance or cluster without PreferredBackupWindow has no time of day: its runs are not placed at 02:00', () => {
  for (const path of ['Windows/Source', 'Windows/Cluster']) {
    const [tier] = rowAt(model, path).tiers;
    expect(tier).toMatchObject({ mechanism: 'RDS automated backups', schedule: `${PICKED}, plus transaction logs every 5 minutes`, scheduleNote: 'the time of day is chosen by RDS', runs: [], intervalMinutes: 1440 });
  }
  const lane = model.timeline.find((l) => l.label.startsWith('automated backups (') && !l.label.includes('replica'))!;
  expect(lane.runs).toEqual([]);
  expect(lane.note).toBe('the time of day is chosen by RDS');
  expect(renderMarkdown(model)).toContain(`| ${lane.label} | the time of day is chosen by RDS |`);
});

test('a read replica without a window is daily at a time RDS picks: the RPO check counts it as daily, not as never', () => {
  const [tier] = rowAt(model, 'Windows/Replica').tiers;
  expect(tier).toMatchObject({ mechanism: 'RDS automated backups of a read replica', schedule: PICKED, runs: [], intervalMinutes: 1440 });
  const [objectives] = model.objectives;
  expect(objectives.rpoNotMetBy).toEqual([]);
  expect(objectives.rpoNotKnownFor?.map((r) => r.path)).toEqual(['Windows/MalformedReplica']);
});

test('a window given by a token is daily at a time not known at synth, not one RDS picks', () => {
  const [tier] = rowAt(model, 'Windows/ParameterReplica').tiers;
  expect(tier).toMatchObject({
    schedule: 'daily, in the window BackupWindow, not known at synth', scheduleNote: 'the time of day is given by a token', runs: [], intervalMinutes: 1440,
  });
});

test('a window not of the form RDS takes is not read as a time RDS picks: the schedule is not known', () => {
  const [tier] = rowAt(model, 'Windows/MalformedReplica').tiers;
  expect(tier).toMatchObject({ schedule: 'not known: the window \'3:00-4:00\' is not hh24:mi-hh24:mi (UTC), the form RDS requires', scheduleNote: 'not known', runs: [] });
  expect(tier.intervalMinutes).toBeUndefined();
});
