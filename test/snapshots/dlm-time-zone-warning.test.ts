import { App, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { RetentionPolicy } from '../../lib/policy/retention-policy';
import { EbsSnapshotPolicy } from '../../lib/snapshots/ebs-snapshot-policy';

function snapshotPolicyIn(timeZone: TimeZone | undefined): Annotations {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  new EbsSnapshotPolicy(stack, 'Snapshots', {
    policy: RetentionPolicy.grandfatherFatherSon({ timeZone, window: { startHour: 2 } }),
    targetTags: { 'cdk-backup-dr:snapshots': 'tiers' },
  });
  return Annotations.fromStack(stack);
}

describe('a policy time zone other than UTC: Data Lifecycle Manager runs in UTC', () => {
  test('warns on the snapshot policy, naming the prop, the zone and that DLM runs in UTC', () => {
    const annotations = snapshotPolicyIn(TimeZone.EUROPE_BERLIN);
    annotations.hasWarning('/Stack/Snapshots', Match.stringLikeRegexp('^`policy.timeZone` is Europe/Berlin, but Data Lifecycle Manager runs schedules in UTC only: the EBS snapshots start at 02:00 UTC, not at 02:00 Europe/Berlin'));
    annotations.hasWarning('/Stack/Snapshots', Match.stringLikeRegexp('\\[ack: cdk-backup-dr:ebsScheduleInUtc\\]'));
  });

  test.each([undefined, TimeZone.ETC_UTC, TimeZone.of('UTC')])('no warning in UTC (%j)', (timeZone) => {
    snapshotPolicyIn(timeZone).hasNoWarning('*', Match.stringLikeRegexp('timeZone'));
  });
});
