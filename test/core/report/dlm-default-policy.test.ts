/**
 * DLM default policies (`AWS::DLM::LifecyclePolicy` with `DefaultPolicy: VOLUME`) snapshot every
 * EBS volume of their region and account but those their `Exclusions` leave out, every
 * `CreateInterval` days (1 by default) where a volume has no more recent snapshot, each kept
 * `RetainInterval` days (7 by default), with cross-region copies kept as long. The report gives an
 * EBS volume the tier of each one that takes it, as the coverage guard counts it covered.
 */
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack } from 'aws-cdk-lib';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { describedStack, parametersIn } from './report-fixtures';
import { rowAt } from './model-row';

let model: ReportModel;

const baseline = (stack: Stack, id: string, props: Partial<dlm.CfnLifecyclePolicyProps> = {}): dlm.CfnLifecyclePolicy => new dlm.CfnLifecyclePolicy(stack, id, {
  description: 'default policy', state: 'ENABLED', executionRoleArn: 'arn:aws:iam::111111111111:role/dlm', defaultPolicy: 'VOLUME', ...props,
});

beforeAll(() => {
  model = reportOfApp((app) => {
    const data = describedStack(app, 'Data');
    const vol = (id: string, props: Partial<ec2.CfnVolumeProps> = {}): ec2.CfnVolume => new ec2.CfnVolume(data, id, { availabilityZone: 'eu-west-1a', size: 20, encrypted: true, volumeType: 'gp3', ...props });
    vol('Plain');
    vol('Scratch', { tags: [{ key: 'scratch', value: 'yes' }] });
    vol('Cold', { volumeType: 'sc1', size: 125 });
    vol('TokenTagged', { tags: [{ key: 'scratch', value: parametersIn(data).text('ScratchTag') }] });
    // In another stack of the same region and account, with the settings DLM documents.
    baseline(describedStack(app, 'Baseline'), 'Volumes', {
      createInterval: 2, retainInterval: 14, crossRegionCopyTargets: [{ targetRegion: 'eu-central-1' }],
      exclusions: { excludeTags: [{ key: 'scratch', value: 'yes' }], excludeVolumeTypes: ['sc1'] },
    });
    // Another region: not this volume's.
    baseline(describedStack(app, 'Frankfurt', 'eu-central-1'), 'Volumes');
  });
});

test('a volume of its region and account has the default policy\'s tier: every CreateInterval days, kept RetainInterval days, and its copies', () => {
  const row = rowAt(model, 'Data/Plain');
  expect(row.tiers).toHaveLength(1);
  const [tier] = row.tiers;
  expect(tier).toMatchObject({
    tier: 'default policy',
    mechanism: 'DLM default policy Baseline/Volumes',
    retention: '14 days', minHours: 336, maxHours: 336,
    intervalMinutes: 2 * 24 * 60, runs: [],
    storedIn: 'EBS snapshots in eu-west-1',
  });
  expect(tier.schedule).toBe('every 2 days, when the volume\'s newest snapshot is older than that (a default policy skips a volume backed up more recently), at a time of day DLM picks, not known at synth');
  expect(tier.copies).toEqual([expect.objectContaining({ destination: 'EBS snapshot copies in eu-central-1', region: 'eu-central-1', retention: '14 days', maxHours: 336, offsite: true })]);
  expect(row.coverageNotKnown).toBeUndefined();
});

test('a volume its Exclusions leave out (ExcludeTags, ExcludeVolumeTypes) has no tier from it', () => {
  expect(rowAt(model, 'Data/Scratch').tiers).toEqual([]);
  expect(rowAt(model, 'Data/Cold').tiers).toEqual([]);
});

test('where an excluded tag is compared with a token, the coverage is not known at synth', () => {
  const row = rowAt(model, 'Data/TokenTagged');
  expect(row.tiers).toEqual([]);
  expect(row.coverageNotKnown).toEqual(['DLM default policy Baseline/Volumes leaves out the volumes of its Exclusions ExcludeTags, compared with a token']);
});

test('without CreateInterval and RetainInterval, DLM\'s defaults: daily, kept 7 days; a State given by a token may not run', () => {
  const single = reportOfApp((app) => {
    const stack = describedStack(app, 'S');
    new ec2.CfnVolume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: 20, encrypted: true });
    baseline(stack, 'Defaults', { state: parametersIn(stack).text('DefaultsState') });
  });
  const [tier] = rowAt(single, 'S/Volume').tiers;
  expect(tier).toMatchObject({ retention: '7 days', maxHours: 168, intervalMinutes: 1440 });
  expect(tier.schedule).toMatch(/^every 1 day, /);
  expect(tier.mayNotRun).toBe('DLM policy S/Defaults has State DefaultsState, a token: DISABLED would stop its snapshots');
});
