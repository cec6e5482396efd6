/**
 * The timeline's lanes: resources of one tier and mechanism whose runs, notes or lifetimes
 * differ each get a lane of their own (the first resource's schedule does not stand for the
 * others), named so a reader can tell which resources each covers; resources whose lanes
 * would be the same still share one.
 */
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel, TimelineLane } from '../../../core/report/model';
import { renderHtml, renderMarkdown } from '../../../core/report/render';
import { escapeXml } from '../../../core/report/timeline';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { reportOfApp } from './report-of-app';
import { smallInstance } from './db-instances';
import { describedStack, snapshotPolicy, taggedVolume } from './report-fixtures';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Lanes');
    smallInstance(stack, 'Early', { preferredBackupWindow: '01:00-01:30', backupRetentionPeriod: 7 });
    smallInstance(stack, 'Late', { preferredBackupWindow: '04:00-04:30', backupRetentionPeriod: 7 });
    smallInstance(stack, 'Picked', { backupRetentionPeriod: 7 });
    smallInstance(stack, 'Twin', { preferredBackupWindow: '01:00-01:30', backupRetentionPeriod: 7 });
    smallInstance(stack, 'KeptLonger', { preferredBackupWindow: '01:00-01:30', backupRetentionPeriod: 35 });

    const policy = (id: string, tag: string, times: string[]): void => {
      snapshotPolicy(stack, id, tag, [{ name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times }, retainRule: { interval: 7, intervalUnit: 'DAYS' } }]);
    };
    taggedVolume(stack, 'MorningVolume', 'morning');
    taggedVolume(stack, 'EveningVolume', 'evening');
    taggedVolume(stack, 'OtherEveningVolume', 'evening');
    policy('MorningSnapshots', 'morning', ['03:00']);
    policy('EveningSnapshots', 'evening', ['19:00']);

    const bucket = (id: string, days: number): void => {
      const b = new s3.CfnBucket(stack, id, { lifecycleConfiguration: { rules: [{ id: 'Expire', status: 'Enabled', expirationInDays: days }] } });
      BackupMetadata.describe(b, { role: BackupRole.BACKUP_STORE, tier: 'dump' });
    };
    bucket('WeekDumps', 7);
    bucket('MonthDumps', 30);
  });
});

const lanesOf = (prefix: string): TimelineLane[] => model.timeline.filter((l) => l.kind === 'tier' && l.label.startsWith(prefix));

test('RDS instances with different backup windows, or one without a window, each get a lane with their own runs', () => {
  const lanes = lanesOf('automated backups (');
  // The first run and how long a backup lives, lane by lane.
  expect(lanes.map((l) => [l.runs[0], l.lifetimes[0].maxHours])).toEqual([[60, 7 * 24], [60, 35 * 24], [240, 7 * 24], [undefined, 7 * 24]]);
  // In the order of the resources (by path).
  expect(lanes.map((l) => l.resources)).toEqual([['Lanes/Early', 'Lanes/Twin'], ['Lanes/KeptLonger'], ['Lanes/Late'], ['Lanes/Picked']]);
  const [early, kept, late, picked] = lanes;
  expect(early.runs).toEqual([0, 1, 2, 3, 4, 5, 6].map((d) => d * 1440 + 60));
  expect(late.runs).toEqual([0, 1, 2, 3, 4, 5, 6].map((d) => d * 1440 + 240));
  expect(picked).toMatchObject({ runs: [], note: 'the time of day is chosen by RDS' });
  // The same runs, kept longer: the lifetimes of the first instance do not stand for it.
  expect(kept.runs).toEqual(early.runs);
  expect(early.lifetimes.map((l) => l.maxHours)).toEqual([7 * 24]);
  expect(kept.lifetimes.map((l) => l.maxHours)).toEqual([35 * 24]);
  expect(early.label).toBe('automated backups (RDS automated backups: Lanes/Early, Lanes/Twin)');
  expect(late.label).toBe('automated backups (RDS automated backups: Lanes/Late)');
  expect(new Set(lanes.map((l) => l.label)).size).toBe(lanes.length);
});

test('two DLM policies with different times have lanes a reader can tell apart; one policy on two volumes has one lane', () => {
  const lanes = lanesOf('Daily (');
  expect(lanes.map((l) => l.resources)).toEqual([['Lanes/EveningVolume', 'Lanes/OtherEveningVolume'], ['Lanes/MorningVolume']]);
  const [evening, morning] = lanes;
  expect(morning.runs[0]).toBe(3 * 60);
  expect(evening.runs[0]).toBe(19 * 60);
  expect(morning.label).toBe('Daily (DLM: Lanes/MorningVolume)');
  expect(evening.label).toBe('Daily (DLM: Lanes/EveningVolume, Lanes/OtherEveningVolume)');
});

test('two backup buckets of one tier with different expiries each get a lane named after their bucket', () => {
  const lanes = lanesOf('dump (');
  expect(lanes.map((l) => l.label)).toEqual(['dump (S3 Lanes/MonthDumps)', 'dump (S3 Lanes/WeekDumps)']);
  expect(lanes.map((l) => l.lifetimes[0].minHours)).toEqual([30 * 24, 7 * 24]);
});

test('the Markdown and HTML reports show every lane by its name', () => {
  const markdown = renderMarkdown(model);
  const html = renderHtml(model);
  for (const lane of model.timeline) {
    expect(markdown).toContain(`| ${lane.label} |`);
    expect(html).toContain(`<title>${escapeXml(lane.label)}</title>`);
  }
});
