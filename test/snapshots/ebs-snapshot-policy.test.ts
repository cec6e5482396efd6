import { App, Aws, CfnParameter, Duration, Stack, TimeZone, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ArchiveFrequency, RetentionPolicy } from '../../lib/policy/retention-policy';
import { EbsSnapshotPolicy, EbsSnapshotPolicyProps } from '../../lib/snapshots/ebs-snapshot-policy';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';

/** CloudFormation template JSON, untyped. */
type Json = ReturnType<typeof JSON.parse>;

const ENV = { account: '123456789012', region: 'eu-west-1' };
const COPY_KEY = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function synth(props: Partial<EbsSnapshotPolicyProps> = {}): { stack: Stack; snapshots: EbsSnapshotPolicy; template: Template } {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const snapshots = new EbsSnapshotPolicy(stack, 'Snapshots', { policy: RetentionPolicy.rolling48Hours(), targetTags: { 'cdk-backup-dr:snapshots': 'tiers' }, ...props });
  return { stack, snapshots, template: Template.fromStack(stack) };
}

function statements(template: Template): Json[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('EbsSnapshotPolicy', () => {
  test('defaults: one enabled policy for tagged volumes, 48 hourly snapshots', () => {
    const { template, snapshots } = synth();
    expect(snapshots.policies).toHaveLength(1);
    template.resourceCountIs('AWS::DLM::LifecyclePolicy', 1);
    template.hasResourceProperties('AWS::DLM::LifecyclePolicy', {
      Description: 'cdk-backup-dr EBS snapshot tiers Rolling',
      State: 'ENABLED',
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SnapshotsRole'), 'Arn'] },
      PolicyDetails: {
        PolicyType: 'EBS_SNAPSHOT_MANAGEMENT',
        ResourceTypes: ['VOLUME'],
        TargetTags: [{ Key: 'cdk-backup-dr:snapshots', Value: 'tiers' }],
        Schedules: [{
          Name: 'Rolling',
          CopyTags: true,
          TagsToAdd: [{ Key: 'cdk-backup-dr:tier', Value: 'Rolling' }, { Key: 'cdk-backup-dr:snapshot-policy', Value: 'eu-west-1/Stack/Snapshots' }],
          CreateRule: { Interval: 1, IntervalUnit: 'HOURS', Times: ['00:00'] },
          RetainRule: { Count: 48 },
        }],
      },
    });
  });

  test('the execution role is its own, least privilege, without the AWS managed DLM policy', () => {
    const { template } = synth({ targetTags: { app: 'orders', tier: 'data' } });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'dlm.amazonaws.com' } })] },
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('^SnapshotsRolePolicy') }],
    });
    const all = statements(template);
    expect(all.flatMap((s) => [s.Action].flat()).filter((a: string) => a.includes('*'))).toEqual([]);
    const volumeStatements = all.filter((s) => s.Sid?.startsWith('SnapshotTaggedVolumes'));
    expect(volumeStatements.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'aws:ResourceTag/app': 'orders' } },
      { StringEquals: { 'aws:ResourceTag/tier': 'data' } },
    ]);
    expect(all.find((s) => s.Sid === 'ManageLifecycleSnapshots')).toMatchObject({
      Action: expect.arrayContaining(['ec2:DeleteSnapshot', 'ec2:ModifySnapshotTier']),
      Condition: { StringLike: { 'aws:ResourceTag/aws:dlm:lifecycle-policy-id': 'policy-*' } },
    });
    expect(all.find((s) => s.Sid === 'Describe').Action.every((a: string) => a.startsWith('ec2:Describe'))).toBe(true);
  });

  test('more than 4 tiers are split into policies of at most 4 schedules, and the descriptions say so', () => {
    const { template, snapshots } = synth({ policy: RetentionPolicy.fullLadder() });
    expect(snapshots.policies).toHaveLength(2);
    template.hasResourceProperties('AWS::DLM::LifecyclePolicy', {
      Description: 'cdk-backup-dr EBS snapshot tiers Rolling Weekly Fortnightly Monthly - part 1 of 2 - DLM allows 4 schedules per policy so the ladder is split',
      PolicyDetails: { Schedules: Match.arrayWith([Match.objectLike({ Name: 'Rolling' })]) },
    });
    template.hasResourceProperties('AWS::DLM::LifecyclePolicy', {
      Description: 'cdk-backup-dr EBS snapshot tiers Quarterly HalfYearly Yearly - part 2 of 2 - DLM allows 4 schedules per policy so the ladder is split',
    });
    for (const policy of Object.values(template.findResources('AWS::DLM::LifecyclePolicy'))) {
      expect(policy.Properties.Description).toMatch(/^[0-9A-Za-z _-]+$/);
    }
  });

  test('the report metadata describes each policy', () => {
    const { template } = synth({ policy: RetentionPolicy.fullLadder() });
    template.hasResource('AWS::DLM::LifecyclePolicy', {
      Metadata: {
        'cdk-backup-dr': {
          role: 'snapshot-policy',
          description: 'EBS snapshots of the volumes tagged cdk-backup-dr:snapshots=tiers: Quarterly cron(20 3 L 3,6,9,12 ? *) in UTC kept 731 days, cold storage after 90 days; '
            + 'HalfYearly cron(25 3 L 6,12 ? *) in UTC kept 1827 days, cold storage after 90 days; '
            + 'Yearly cron(30 3 31 12 ? *) in UTC kept 90 days, then 100 years in the snapshot archive (the longest DLM accepts) (part 2 of 2)',
        },
      },
    });
  });

  test('4 tiers fit in one policy', () => {
    const { snapshots } = synth({ policy: RetentionPolicy.grandfatherFatherSon() });
    expect(snapshots.policies).toHaveLength(1);
  });

  test('encrypted cross-region copies with a key in the target region, usable by the role', () => {
    const { template, snapshots } = synth({
      policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-central-1' }, { region: 'eu-north-1' }] }),
      copyEncryptionKeys: { 'eu-central-1': COPY_KEY },
    });
    expect(snapshots.copyRegions).toEqual(['eu-central-1', 'eu-north-1']);
    template.hasResourceProperties('AWS::DLM::LifecyclePolicy', {
      PolicyDetails: {
        Schedules: [Match.objectLike({
          CrossRegionCopyRules: [
            { Target: 'eu-central-1', Encrypted: true, CmkArn: COPY_KEY, CopyTags: true, RetainRule: { Interval: 2, IntervalUnit: 'DAYS' } },
            { Target: 'eu-north-1', Encrypted: true, CopyTags: true, RetainRule: { Interval: 2, IntervalUnit: 'DAYS' } },
          ],
        })],
      },
    });
    const all = statements(template);
    expect(all.find((s) => s.Sid === 'UseVolumeAndCopyKeys').Resource).toEqual(COPY_KEY);
    expect(all.find((s) => s.Sid === 'GrantVolumeAndCopyKeysToEbs')).toMatchObject({ Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } });
  });

  test('the keys of the volumes are usable by the role', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const key = new kms.Key(stack, 'VolumeKey');
    new EbsSnapshotPolicy(stack, 'Snapshots', { policy: RetentionPolicy.rolling48Hours(), targetTags: { a: 'b' }, volumeEncryptionKeys: [key] });
    const all = statements(Template.fromStack(stack));
    expect(all.find((s) => s.Sid === 'UseVolumeAndCopyKeys').Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VolumeKey/), 'Arn'] });
  });

  test('fast snapshot restore for the newest rolling snapshots', () => {
    const { template } = synth({ fastSnapshotRestoreZones: ['eu-west-1a', 'eu-west-1b'], fastSnapshotRestoreCount: 2 });
    template.hasResourceProperties('AWS::DLM::LifecyclePolicy', {
      PolicyDetails: { Schedules: [Match.objectLike({ FastRestoreRule: { AvailabilityZones: ['eu-west-1a', 'eu-west-1b'], Count: 2 } })] },
    });
  });

  test('disabled on request', () => {
    synth({ enabled: false }).template.hasResourceProperties('AWS::DLM::LifecyclePolicy', { State: 'DISABLED' });
  });

  test('warnings: weekly cold storage, a rounded count, a copy to another account', () => {
    const { stack, snapshots } = synth({
      policy: RetentionPolicy.of({
        rolling: { interval: Duration.hours(8), retention: Duration.hours(36) },
        archives: [{ frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(200), moveToColdStorageAfter: Duration.days(30) }],
        offSiteCopies: [{ region: 'eu-central-1', account: '210987654321' }],
      }),
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringContaining('DLM keeps 5 rolling snapshots, 40 hours'),
      expect.stringContaining('the Weekly snapshots stay in the standard tier'),
      expect.stringContaining('the copy to account 210987654321 in eu-central-1 is left to AWS Backup'),
    ]));
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::DLM::LifecyclePolicy'))[0];
    const weekly = policy.Properties.PolicyDetails.Schedules.find((s: Json) => s.Name === 'Weekly');
    expect(weekly.RetainRule).toEqual({ Interval: 200, IntervalUnit: 'DAYS' });
    expect(weekly.ArchiveRule).toBeUndefined();
    expect(weekly.CrossRegionCopyRules).toBeUndefined();
    expect(snapshots.copyRegions).toEqual([]);
  });

  // Before: each of these checks was skipped without a word.
  test('a token that skips a check warns which check did not run and what AWS decides', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const param = (id: string) => new CfnParameter(stack, id, { type: 'String' }).valueAsString;
    new EbsSnapshotPolicy(stack, 'Snapshots', {
      policy: RetentionPolicy.of({ timeZone: TimeZone.of(param('Zone')), offSiteCopies: [{ region: 'eu-central-1', account: param('CopyAccount') }] }),
      targetTags: { 'cdk-backup-dr:snapshots': 'tiers' },
      fastSnapshotRestoreCount: new CfnParameter(stack, 'Fsr', { type: 'Number' }).valueAsNumber,
      copyEncryptionKeys: { 'eu-central-1': param('CopyKey') },
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-backup-dr:uncheckedToken'))
      .map((w) => String(w.entry.data).replace(' did not run (unknown, not passed); ', ' ... ').replace(' [ack: cdk-backup-dr:uncheckedToken]', ''));
    expect(warnings).toEqual([
      'Stack/Snapshots: `policy.timeZone` is an unresolved token, so the synth-time check whether it is UTC (the only time zone Data Lifecycle Manager runs schedules in) ... the EBS snapshots start at the start hour in UTC whatever the time zone, while AWS Backup plans of the same policy run in it',
      'Stack/Snapshots: `fastSnapshotRestoreCount` is an unresolved token, so the synth-time check that it is a whole number from 1 to 1000 ... Data Lifecycle Manager receives it as it is and decides at deploy whether it accepts the policy',
      'Stack/Snapshots: the account of the copy to eu-central-1 is an unresolved token, so the synth-time check of `policy.offSiteCopies` whether the copy to eu-central-1 goes to another account (which DLM cannot copy to) ... Data Lifecycle Manager copies the EBS snapshots to eu-central-1 within this stack\'s account, whichever account the copy names',
      'Stack/Snapshots: `copyEncryptionKeys.eu-central-1` is an unresolved token, so the synth-time check that it is the ARN of a KMS key in eu-central-1 (not an alias) ... Data Lifecycle Manager receives it as it is and decides whether it can encrypt the copies with it',
    ]);
  });

  test('a fast snapshot restore zone that is an unresolved token warns that its name was not checked', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    new EbsSnapshotPolicy(stack, 'Snapshots', {
      policy: RetentionPolicy.rolling48Hours(),
      targetTags: { 'cdk-backup-dr:snapshots': 'tiers' },
      fastSnapshotRestoreZones: ['eu-west-1a', new CfnParameter(stack, 'Zone', { type: 'String' }).valueAsString],
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-backup-dr:uncheckedToken')).map((w) => String(w.entry.data));
    expect(warnings).toEqual([expect.stringMatching(
      /^Stack\/Snapshots: `fastSnapshotRestoreZones\[1\]` is an unresolved token, so the synth-time check that it is an availability zone name such as 'eu-west-1a' did not run \(unknown, not passed\); Data Lifecycle Manager receives it as it is and decides at deploy whether it accepts the policy/)]);
  });

  test('in an environment-agnostic stack, a copy that names an account warns that synth cannot tell whether it is another account', () => {
    const stack = new Stack(new App(), 'Stack');
    new EbsSnapshotPolicy(stack, 'Snapshots', {
      policy: RetentionPolicy.of({ offSiteCopies: [{ region: 'eu-central-1', account: '210987654321' }] }),
      targetTags: { 'cdk-backup-dr:snapshots': 'tiers' },
    });
    Annotations.fromStack(stack).hasWarning('/Stack/Snapshots', Match.stringLikeRegexp(
      '^Stack/Snapshots: the stack\'s account \\(an environment-agnostic stack\\) is an unresolved token, so the synth-time check of `policy.offSiteCopies` whether the copy to eu-central-1 goes to another account'));
  });

  // Before: Aws.ACCOUNT_ID, the stack's own account at deploy, warned that synth could not tell.
  test('a copy to Aws.ACCOUNT_ID stays in the account: DLM copies it, without a warning', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const snapshots = new EbsSnapshotPolicy(stack, 'Snapshots', {
      policy: RetentionPolicy.of({ offSiteCopies: [{ region: 'eu-central-1', account: Aws.ACCOUNT_ID }] }),
      targetTags: { 'cdk-backup-dr:snapshots': 'tiers' },
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('account'))).toEqual([]);
    expect(snapshots.copyRegions).toEqual(['eu-central-1']);
  });

  test('an archive tier copied off site for 100 years (36500 days) keeps its copies that long', () => {
    const { template } = synth({
      policy: RetentionPolicy.of({ archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(36500) }], offSiteCopies: [{ region: 'eu-central-1' }] }),
    });
    const policy = Object.values(template.findResources('AWS::DLM::LifecyclePolicy'))[0];
    const monthly = policy.Properties.PolicyDetails.Schedules.find((s: Json) => s.Name === 'Monthly');
    expect(monthly.CrossRegionCopyRules).toEqual([expect.objectContaining({ Target: 'eu-central-1', RetainRule: { Interval: 36500, IntervalUnit: 'DAYS' } })]);
  });

  test('copyRegions is empty when no tier goes off site', () => {
    const { snapshots } = synth({ policy: RetentionPolicy.of({ offSiteCopies: [{ region: 'eu-central-1' }], copyRollingTierOffSite: false }) });
    expect(snapshots.copyRegions).toEqual([]);
  });

  describe('snapshot policy tag', () => {
    const TAGS = { 'cdk-backup-dr:snapshots': 'tiers' };
    function policyTags(stack: Stack): Json[] {
      return Object.values(Template.fromStack(stack).findResources('AWS::DLM::LifecyclePolicy'))
        .flatMap((policy) => policy.Properties.PolicyDetails.Schedules)
        .map((schedule: Json) => schedule.TagsToAdd.filter((tag: Json) => tag.Key === 'cdk-backup-dr:snapshot-policy'));
    }

    test('every schedule of every part adds the same tag, which the copy rules copy on', () => {
      const { stack, snapshots } = synth({ policy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: 'eu-central-1' }] }) });
      expect(snapshots.policies.length).toBeGreaterThan(1);
      expect(snapshots.snapshotTag).toEqual({ key: 'cdk-backup-dr:snapshot-policy', value: 'eu-west-1/Stack/Snapshots' });
      const tags = policyTags(stack);
      expect(tags.length).toBeGreaterThan(4);
      expect(new Set(tags.map((t) => JSON.stringify(t)))).toEqual(new Set([JSON.stringify([{ Key: 'cdk-backup-dr:snapshot-policy', Value: 'eu-west-1/Stack/Snapshots' }])]));
    });

    test('the value tells apart constructs, stack names and regions (a standby stack of the same name in the copy region)', () => {
      const app = new App();
      const primary = new Stack(app, 'Primary', { env: ENV, stackName: 'orders' });
      const standby = new Stack(app, 'Standby', { env: { ...ENV, region: 'eu-central-1' }, stackName: 'orders' });
      const values = [
        new EbsSnapshotPolicy(primary, 'Snapshots', { policy: RetentionPolicy.rolling48Hours(), targetTags: TAGS }),
        new EbsSnapshotPolicy(primary, 'More', { policy: RetentionPolicy.rolling48Hours(), targetTags: TAGS }),
        new EbsSnapshotPolicy(standby, 'Snapshots', { policy: RetentionPolicy.rolling48Hours(), targetTags: TAGS }),
      ].map((policy) => policy.snapshotTag.value);
      expect(values).toEqual(['eu-west-1/orders/Snapshots', 'eu-west-1/orders/More', 'eu-central-1/orders/Snapshots']);
    });

    test('a long path is cut to fit a tag value and ends with a hash of the whole path', () => {
      const deep = (leaves: string[]) => {
        const parent = new Construct(new Stack(new App(), 'Stack', { env: ENV }), 'x'.repeat(300));
        return leaves.map((leaf) => new EbsSnapshotPolicy(parent, leaf, { policy: RetentionPolicy.rolling48Hours(), targetTags: TAGS }).snapshotTag.value);
      };
      const [a, b] = deep(['A', 'B']);
      for (const value of [a, b]) {
        expect(value.length).toBeLessThanOrEqual(256);
        expect(value).toMatch(/^eu-west-1\/Stack\/x+~[0-9a-f]{16}$/);
      }
      expect(a).not.toEqual(b);
      expect(deep(['A'])).toEqual([a]);
    });

    test('in an environment-agnostic stack, the region is resolved at deployment and room is kept for it', () => {
      const stack = new Stack(new App(), 'Stack');
      const snapshots = new EbsSnapshotPolicy(stack, 'Snapshots', { policy: RetentionPolicy.rolling48Hours(), targetTags: TAGS });
      expect(stack.resolve(snapshots.snapshotTag.value)).toEqual({ 'Fn::Join': ['', [{ Ref: 'AWS::Region' }, '/Stack/Snapshots']] });
      const long = new EbsSnapshotPolicy(new Construct(stack, 'x'.repeat(300)), 'Snapshots', { policy: RetentionPolicy.rolling48Hours(), targetTags: TAGS });
      const literal = stack.resolve(long.snapshotTag.value)['Fn::Join'][1][1] as string;
      expect(literal.length).toBeLessThanOrEqual(256 - 32);
    });
  });

  test.each<[string, Partial<EbsSnapshotPolicyProps>, string]>([
    ['no target tag', { targetTags: {} }, 'Stack/Snapshots: `targetTags` must name at least one tag, got none'],
    ['more than 1000 rolling snapshots', { policy: RetentionPolicy.of({ rolling: { interval: Duration.hours(1), retention: Duration.hours(1001) } }) },
      'Stack/Snapshots: `policy.rolling.retention` must keep at most 1000 snapshots (the DLM limit): 1001 hours every 1 hours makes 1001'],
    ['an interval DLM does not allow', { policy: RetentionPolicy.of({ rolling: { interval: Duration.hours(7) } }) },
      'Stack/Snapshots: `policy.rolling.interval` must be one of 1, 2, 3, 4, 6, 8, 12, 24 hours (the intervals AWS allows), got 7 hours'],
    ['more than 3 copy regions', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-west-3'].map((region) => ({ region })) }) },
      'Stack/Snapshots: `policy.offSiteCopies` may name at most 3 regions (the AWS limit for copies), got 4: eu-central-1, eu-north-1, eu-south-1, eu-west-3'],
    ['a copy key given by alias', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-central-1' }] }), copyEncryptionKeys: { 'eu-central-1': 'alias/dr' } },
      'Stack/Snapshots: `copyEncryptionKeys.eu-central-1` must be a key ARN (Data Lifecycle Manager does not accept aliases; `aws kms describe-key --region eu-central-1 --key-id alias/dr` prints it), got \'alias/dr\''],
    ['a copy key that is no ARN', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-central-1' }] }), copyEncryptionKeys: { 'eu-central-1': '1234abcd' } },
      'Stack/Snapshots: `copyEncryptionKeys.eu-central-1` must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), got \'1234abcd\''],
    ['a copy key in another region', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-north-1' }] }), copyEncryptionKeys: { 'eu-north-1': COPY_KEY } },
      `Stack/Snapshots: \`copyEncryptionKeys.eu-north-1\` must be a key in eu-north-1, got a key in eu-central-1: '${COPY_KEY}'`],
    ['a copy key for a region that gets no copy', { copyEncryptionKeys: { 'eu-central-1': COPY_KEY } },
      'Stack/Snapshots: `copyEncryptionKeys` names eu-central-1, which is not a copy region of the policy (none)'],
    // Before: no error; DLM's archive retention (retention minus the token) was 1.8881545897087526e+289 days.
    ['a cold storage delay that is an unresolved token',
      { policy: RetentionPolicy.of({ archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(400), moveToColdStorageAfter: Duration.days(Token.asNumber({ Ref: 'Cold' })) }] }) },
      'Stack/Snapshots: `policy.archives[MONTHLY].moveToColdStorageAfter` must be a concrete duration, a whole number of days (the 90 days in cold storage are checked and DLM\'s archive retention is computed from it at synth), got an unresolved token'],
    // Before: no error with a 2-hour interval; DLM's snapshot count was the token's number over the interval, rounded up: a huge negative number, no longer the token.
    ['a rolling retention that is an unresolved token',
      { policy: RetentionPolicy.of({ rolling: { interval: Duration.hours(2), retention: Duration.hours(Token.asNumber({ Ref: 'Retention' })) } }) },
      'Stack/Snapshots: `policy.rolling.retention` must be a concrete duration, a whole number of hours (AWS Backup\'s retention in days and DLM\'s snapshot count are computed from it at synth), got an unresolved token'],
    ['a fast snapshot restore count of 0', { fastSnapshotRestoreCount: 0 }, 'Stack/Snapshots: `fastSnapshotRestoreCount` must be a whole number from 1 to 1000, got 0'],
    // Before: accepted; the copy rule kept the copies 36501 days, and DLM refuses more than 100 years (CrossRegionCopyRetainRule) at deploy.
    ['an archive tier copied off site for longer than 100 years',
      { policy: RetentionPolicy.of({ archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(36501) }], offSiteCopies: [{ region: 'eu-central-1' }] }) },
      'Stack/Snapshots: `policy.archives[MONTHLY].retention` must be at most 36500 days (100 years, the longest Data Lifecycle Manager keeps a cross-region copy) for a tier copied off site, got 36501 days'],
    // Before: accepted; the zone went to DLM twice, or another zone was meant.
    ['a fast snapshot restore zone twice', { fastSnapshotRestoreZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1a'] },
      'Stack/Snapshots: `fastSnapshotRestoreZones` may name each zone once, got \'eu-west-1a\' twice ([0] and [2])'],
    // Before: accepted; DLM refuses more than 10 zones (FastRestoreRule.AvailabilityZones) at deploy.
    ['more than 10 fast snapshot restore zones', { fastSnapshotRestoreZones: [...'abcdefghijk'].map((letter) => `eu-west-1${letter}`) },
      'Stack/Snapshots: `fastSnapshotRestoreZones` may name at most 10 zones (the Data Lifecycle Manager limit), got 11'],
    // Before: accepted; DLM takes zone names only (FastRestoreRule.AvailabilityZones pattern) and refuses a zone ID at deploy.
    ['a fast snapshot restore zone given by its zone ID', { fastSnapshotRestoreZones: ['eu-west-1a', 'euw1-az2'] },
      'Stack/Snapshots: `fastSnapshotRestoreZones[1]` must be an availability zone name such as \'eu-west-1a\' (Data Lifecycle Manager takes zone names, not zone IDs), got \'euw1-az2\''],
  ])('error: %s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('compliance: the policies and the role have no unacknowledged finding, in an environment-agnostic stack too', () => {
    const app = appWithComplianceGates();
    const stack = new Stack(app, 'Stack', { env: ENV });
    new EbsSnapshotPolicy(stack, 'Snapshots', {
      policy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: 'eu-central-1' }] }),
      targetTags: { 'cdk-backup-dr:snapshots': 'tiers' },
      volumeEncryptionKeys: [new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true })],
      copyEncryptionKeys: { 'eu-central-1': COPY_KEY },
      fastSnapshotRestoreZones: ['eu-west-1a'],
    });
    const agnostic = new Stack(app, 'Agnostic');
    new EbsSnapshotPolicy(agnostic, 'Snapshots', { policy: RetentionPolicy.rolling48Hours(), targetTags: { backup: 'yes' } });
    const findings = complianceFindings(app).filter((f) => f.path.startsWith('Stack/Snapshots') || f.path.startsWith('Agnostic/Snapshots'));
    expect(describeFindings(findings)).toEqual('');
  });
});
