/**
 * Schedules of one DLM policy that start at the same time: DLM creates one snapshot and
 * applies the retention of the schedule with the highest retention period ("How Amazon Data
 * Lifecycle Manager works", Policy schedules, Amazon EBS User Guide). The report counts them
 * as it counts the AWS Backup rules of a plan whose start windows overlap; where the guide
 * does not say which schedule wins (a count of snapshots against a period, time in the
 * snapshot archive), the runs are counted as not documented.
 */
import { Fn, Size, Stack, Tags } from 'aws-cdk-lib';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EbsSnapshotPolicy } from '../../../lib/snapshots/ebs-snapshot-policy';
import { RetentionPolicy } from '../../../lib/policy/retention-policy';
import { TierEntry } from '../../../core/report/model';
import { intervalRunsInYear } from '../../../core/report/overlap';
import { reportOfApp } from './report-of-app';

let tiers: TierEntry[];
let apartTiers: TierEntry[];
let ownTiers: TierEntry[];
let countTiers: TierEntry[];

function tier(name: string): TierEntry {
  return tiers.find((t) => t.tier === name)!;
}

function apartTier(name: string): TierEntry {
  return apartTiers.find((t) => t.tier === name)!;
}

const COUNT_REASON = 'DLM takes one snapshot with the retention of the schedule with the highest retention period, and its documentation does not say how a number of snapshots compares with a period, so which of these schedules\' retention they get is not known';

beforeAll(() => {
  const model = reportOfApp((app) => {
    const stack = new Stack(app, 'Snapshots', { env: { account: '111111111111', region: 'eu-west-1' } });
    const volume = new ec2.Volume(stack, 'Volume', { availabilityZone: Fn.select(0, Fn.getAzs()), size: Size.gibibytes(8), encrypted: true });
    Tags.of(volume).add('snapshots', 'gfs');
    // Hourly kept 48 hours; weekly on Sundays kept 35 days; monthly on the last day kept 365
    // days; yearly on December 31, 90 days in the standard tier, then 100 years in the archive.
    // EbsSnapshotPolicy starts each schedule at its own minute; here they are set back to the
    // start of the hour, as a policy written by hand could have them.
    const policy = new EbsSnapshotPolicy(stack, 'Policy', { policy: RetentionPolicy.grandfatherFatherSon(), targetTags: { snapshots: 'gfs' } });
    const atTheHour = (p: EbsSnapshotPolicy): void => ['cron(0 3 ? * SUN *)', 'cron(0 3 L * ? *)', 'cron(0 3 31 12 ? *)'].forEach((cron, index) => {
      p.policies[0].addPropertyOverride(`PolicyDetails.Schedules.${index + 1}.CreateRule.CronExpression`, cron);
    });
    atTheHour(policy);
    // The same, but the hourly snapshots at half past: only the archive schedules meet.
    const apartVolume = new ec2.Volume(stack, 'ApartVolume', { availabilityZone: Fn.select(0, Fn.getAzs()), size: Size.gibibytes(8), encrypted: true });
    Tags.of(apartVolume).add('snapshots', 'apart');
    const apart = new EbsSnapshotPolicy(stack, 'ApartPolicy', { policy: RetentionPolicy.grandfatherFatherSon(), targetTags: { snapshots: 'apart' } });
    atTheHour(apart);
    apart.policies[0].addPropertyOverride('PolicyDetails.Schedules.0.CreateRule.Times', ['00:30']);
    const own = new ec2.Volume(stack, 'OwnVolume', { availabilityZone: Fn.select(0, Fn.getAzs()), size: Size.gibibytes(8), encrypted: true });
    Tags.of(own).add('snapshots', 'own');
    new EbsSnapshotPolicy(stack, 'OwnPolicy', { policy: RetentionPolicy.grandfatherFatherSon(), targetTags: { snapshots: 'own' } });
    // Written by hand: two schedules kept by a count that meet every day at 03:00, the last
    // 48 hourly snapshots (about 2 days) and the last 7 daily ones (about 7 days).
    const countVolume = new ec2.Volume(stack, 'CountVolume', { availabilityZone: Fn.select(0, Fn.getAzs()), size: Size.gibibytes(8), encrypted: true });
    Tags.of(countVolume).add('snapshots', 'counts');
    new dlm.CfnLifecyclePolicy(stack, 'CountPolicy', {
      description: 'two counts',
      state: 'ENABLED',
      executionRoleArn: 'arn:aws:iam::111111111111:role/dlm',
      policyDetails: {
        resourceTypes: ['VOLUME'],
        targetTags: [{ key: 'snapshots', value: 'counts' }],
        schedules: [
          { name: 'Hourly', createRule: { interval: 1, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { count: 48 } },
          { name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { count: 7 } },
        ],
      },
    });
  });
  tiers = model.resources.find((r) => r.path === 'Snapshots/Volume/Resource')!.tiers;
  apartTiers = model.resources.find((r) => r.path === 'Snapshots/ApartVolume/Resource')!.tiers;
  ownTiers = model.resources.find((r) => r.path === 'Snapshots/OwnVolume/Resource')!.tiers;
  countTiers = model.resources.find((r) => r.path === 'Snapshots/CountVolume/Resource')!.tiers;
});

test('EbsSnapshotPolicy starts no two schedules of a policy at the same time: every snapshot keeps its own schedule\'s retention', () => {
  expect(ownTiers.map((t) => t.tier)).toEqual(['Rolling', 'Weekly', 'Monthly', 'Yearly']);
  for (const entry of ownTiers) {
    expect([entry.tier, entry.takenByLongerRules]).toEqual([entry.tier, undefined]);
  }
  expect(ownTiers.map((t) => t.schedule)).toEqual([
    expect.stringMatching(/^every hour/),
    'on Sundays at 03:05 UTC',
    'on the last day of every month at 03:15 UTC',
    'on December 31 at 03:30 UTC',
  ]);
});

describe('schedules of one DLM policy that start at the same time', () => {
  test('the policy is the one the counts are made for', () => {
    expect(tiers.map((t) => [t.tier, t.retention])).toEqual([
      ['Rolling', 'the last 48 snapshots (about 2 days)'],
      ['Weekly', '35 days'],
      ['Monthly', '365 days'],
      ['Yearly', '90 days in the standard tier, then 100 years in the snapshot archive'],
    ]);
  });

  test('the rolling schedule keeps a count of snapshots, the others a period: how DLM compares them is not documented, so every run at 03:00 is counted as not documented', () => {
    expect(tier('Rolling').takenByLongerRules).toEqual({
      year: 2026, runs: 365 * 24, byRule: {},
      notDocumented: { 'Rolling or Weekly': 51, 'Rolling or Monthly': 11, 'Rolling, Monthly or Yearly': 1 },
    });
    // Sunday May 31, 2026 is also the last day of May: Monthly is kept longer than Weekly (documented), Rolling is a count.
    expect(tier('Weekly').takenByLongerRules).toEqual({ year: 2026, runs: 52, byRule: {}, notDocumented: { 'Rolling or Weekly': 51, 'Rolling or Monthly': 1 } });
    expect(tier('Weekly').schedule).toEqual(`on Sundays at 03:00 UTC; in 2026 51 of its 52 snapshots start at the same time as another schedule of the policy and are kept as Rolling or Weekly: ${COUNT_REASON}; in 2026 1 of its 52 snapshots starts at the same time as another schedule of the policy and is kept as Rolling or Monthly: ${COUNT_REASON}`);
    expect(tier('Rolling').schedule).not.toContain('DLM takes 51 as Weekly');
  });

  test('December 31 at 03:00: a count against a period, and Monthly 365 days in the standard tier against Yearly 90 days and then the archive', () => {
    for (const name of ['Rolling', 'Monthly', 'Yearly']) {
      expect(tier(name).takenByLongerRules?.notDocumented).toMatchObject({ 'Rolling, Monthly or Yearly': 1 });
      expect(tier(name).schedule).toContain('snapshots starts at the same time as another schedule of the policy and is kept as Rolling, Monthly or Yearly: DLM takes one snapshot with the retention of the schedule with the highest retention period, and its documentation does not say how a number of snapshots compares with a period or whether time in the snapshot archive counts, so which of these schedules\' retention they get is not known');
    }
    expect(tier('Monthly').takenByLongerRules).toEqual({ year: 2026, runs: 12, byRule: {}, notDocumented: { 'Rolling or Monthly': 11, 'Rolling, Monthly or Yearly': 1 } });
    expect(tier('Yearly').takenByLongerRules).toEqual({ year: 2026, runs: 1, byRule: {}, notDocumented: { 'Rolling, Monthly or Yearly': 1 } });
  });

  test('two counts of snapshots: how DLM compares them is not documented (not as count × interval), so every run at 03:00 is counted as not documented', () => {
    expect(countTiers.map((t) => [t.tier, t.retention])).toEqual([
      ['Hourly', 'the last 48 snapshots (about 2 days)'],
      ['Daily', 'the last 7 snapshots (about 7 days)'],
    ]);
    for (const [name, runs] of [['Hourly', 365 * 24], ['Daily', 365]] as const) {
      const entry = countTiers.find((t) => t.tier === name)!;
      expect(entry.takenByLongerRules).toEqual({ year: 2026, runs, byRule: {}, notDocumented: { 'Hourly or Daily': 365 } });
      expect(entry.schedule).toContain('365 of its');
      expect(entry.schedule).toContain('are kept as Hourly or Daily: DLM takes one snapshot with the retention of the schedule with the highest retention period, and its documentation does not say how one number of snapshots compares with another, so which of these schedules\' retention they get is not known');
    }
    expect(countTiers.find((t) => t.tier === 'Hourly')!.schedule).not.toContain('as Daily');
  });

  test('periods against periods: the weekly snapshot of Sunday May 31, 2026 is the monthly one (documented: one snapshot, the highest retention)', () => {
    expect(apartTier('Rolling').takenByLongerRules).toBeUndefined();
    expect(apartTier('Weekly').takenByLongerRules).toEqual({ year: 2026, runs: 52, byRule: { Monthly: 1 } });
    expect(apartTier('Weekly').schedule).toEqual('on Sundays at 03:00 UTC; in 2026 DLM takes 1 as Monthly of its 52 snapshots (a schedule of the policy kept longer that starts at the same time)');
  });

  test('periods against periods on December 31: Monthly keeps 365 days in the standard tier, Yearly 90 days and then the archive; which one DLM applies is not documented', () => {
    for (const name of ['Monthly', 'Yearly']) {
      expect(apartTier(name).schedule).toContain('snapshots starts at the same time as another schedule of the policy and is kept as Monthly or Yearly: DLM takes one snapshot with the retention of the schedule with the highest retention period, and its documentation does not say whether time in the snapshot archive counts, so which of these schedules\' retention they get is not known');
    }
    expect(apartTier('Monthly').takenByLongerRules).toEqual({ year: 2026, runs: 12, byRule: {}, notDocumented: { 'Monthly or Yearly': 1 } });
    expect(apartTier('Yearly').takenByLongerRules).toEqual({ year: 2026, runs: 1, byRule: {}, notDocumented: { 'Monthly or Yearly': 1 } });
  });

  test('the runs of an interval schedule in a year', () => {
    const sixHourly = intervalRunsInYear(6, ['00:30'], 2026)!;
    expect(sixHourly).toHaveLength(365 * 4);
    expect(sixHourly.slice(0, 2)).toEqual([Date.UTC(2026, 0, 1, 0, 30), Date.UTC(2026, 0, 1, 6, 30)]);
    expect(intervalRunsInYear(12, ['07:00'], 2026)!.slice(0, 2)).toEqual([Date.UTC(2026, 0, 1, 7), Date.UTC(2026, 0, 1, 19)]);
    expect(intervalRunsInYear(24, ['7 am'], 2026)).toBeUndefined();
  });
});
