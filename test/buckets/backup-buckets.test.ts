/* eslint-disable @typescript-eslint/no-explicit-any -- template JSON is read by path in these assertions */
import { Aws, CfnParameter, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BackupBuckets, BackupBucketsProps } from '../../lib/buckets/backup-buckets';
import { RecoveryBuckets } from '../../lib/buckets/recovery-buckets';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function synth(props: BackupBucketsProps = {}): { stack: Stack; buckets: BackupBuckets; template: Template } {
  const stack = new Stack(undefined, 'S', { env: ENV });
  const buckets = new BackupBuckets(stack, 'Buckets', props);
  return { stack, buckets, template: Template.fromStack(stack) };
}

function bucketWithRule(template: Template, ruleId: RegExp): Record<string, any> {
  const buckets = Object.values(template.findResources('AWS::S3::Bucket')) as Array<{ Properties: any; DeletionPolicy?: string }>;
  const found = buckets.find((bucket) => (bucket.Properties.LifecycleConfiguration?.Rules ?? []).some((rule: { Id: string }) => ruleId.test(rule.Id)));
  if (!found) {
    throw new Error(`no bucket with a lifecycle rule matching ${ruleId}`);
  }
  return found;
}

describe('BackupBuckets defaults', () => {
  const { template, buckets, stack } = synth({ replication: { region: 'eu-central-1' } });

  test('the 48-hour bucket expires objects after 2 days and says that S3 rounds to midnight UTC', () => {
    const daily = bucketWithRule(template, /^Expire2Days/);
    expect(daily.Properties.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([
      { Id: 'Expire2Days-S3-rounds-lifecycle-expiry-up-to-the-next-midnight-UTC-so-objects-live-48-to-72-hours', Status: 'Enabled', ExpirationInDays: 2, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
      { Id: 'RemoveExpiredDeleteMarkers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
    ]));
    expect(daily.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } });
    expect(daily.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(buckets.dailyExpirationDays).toBe(2);
  });

  test('the archive bucket moves to Deep Archive, never expires, is locked in compliance mode and keeps old versions', () => {
    const archive = bucketWithRule(template, /^DeepArchiveKeepForever$/);
    const rules = archive.Properties.LifecycleConfiguration.Rules;
    expect(rules[0]).toEqual({ Id: 'DeepArchiveKeepForever', Status: 'Enabled', Transitions: [{ StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 1 }], AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } });
    expect(rules[1]).toEqual({ Id: 'KeepPreviousVersions365Days', Status: 'Enabled', NoncurrentVersionTransitions: [{ StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 1 }], NoncurrentVersionExpiration: { NoncurrentDays: 365 } });
    expect(archive.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } });
    expect(archive.Properties.ObjectLockEnabled).toBe(true);
  });

  test('both data buckets: customer-managed KMS key, private, access-logged, EventBridge, retained', () => {
    for (const bucket of [bucketWithRule(template, /^Expire2Days/), bucketWithRule(template, /^DeepArchive/)]) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching('BucketsKey'), 'Arn'] } },
        BucketKeyEnabled: true,
      });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching('BucketsAccessLogs') }, LogFilePrefix: expect.stringMatching(/^(daily|archive)\/$/) });
      expect(bucket.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    }
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    // TLS only.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    // Log delivery allowed by bucket policy for exactly the two source buckets.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AccessLogsOfDaily', Principal: { Service: 'logging.s3.amazonaws.com' } })]) },
    });
  });

  test('both data buckets replicate to the RecoveryBuckets names, encrypted with the replica key alias', () => {
    const daily = bucketWithRule(template, /^Expire2Days/);
    const rule = daily.Properties.ReplicationConfiguration.Rules[0];
    expect(rule).toMatchObject({
      Id: 'OffSiteCopyTo-eu-central-1',
      Status: 'Enabled',
      DeleteMarkerReplication: { Status: 'Disabled' },
      SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
      Destination: {
        Bucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::cdk-backup-dr-daily-', { Ref: 'AWS::AccountId' }, '-eu-central-1']] },
        StorageClass: 'STANDARD',
        EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-central-1:111111111111:alias/cdk-backup-dr/recovery-buckets']] } },
      },
    });
    const archive = bucketWithRule(template, /^DeepArchive/);
    expect(archive.Properties.ReplicationConfiguration.Rules[0].Destination.StorageClass).toBe('DEEP_ARCHIVE');
    expect(stack.resolve(buckets.replicationRole!.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching('ReplicationRole'), 'Arn'] });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/cdk-backup-dr/recovery-buckets' } },
      })]) },
    });
  });
});

/** The Deny statements of the bucket policies of a template, as "actions on resource". */
function deniedDeletes(template: Template): string[] {
  return Object.values(template.findResources('AWS::S3::BucketPolicy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Effect: string; Principal: unknown; Action: string | string[]; Resource: unknown }>)
    .filter((statement) => statement.Effect === 'Deny' && [statement.Action].flat().some((action) => action.startsWith('s3:Delete')))
    .map((statement) => `${JSON.stringify(statement.Principal)} ${[statement.Action].flat().join(',')} ${JSON.stringify(statement.Resource)}`);
}

// A yearly copy kept forever must outlive its compliance lock: Object Lock allows a DELETE
// without a version id at any time (a delete marker, then the noncurrent-version rule removes
// the copy) and any deletion once the lock has ended.
describe('yearly copies kept forever cannot be deleted', () => {
  test('BackupBuckets and RecoveryBuckets: the archive bucket denies every deletion to everyone; the 48-hour bucket does not', () => {
    const { template } = synth();
    expect(deniedDeletes(template)).toEqual([
      `{"AWS":"*"} s3:DeleteObject,s3:DeleteObjectVersion {"Fn::Join":["",[{"Fn::GetAtt":["${Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('BucketsArchive'))}","Arn"]},"/*"]]}`,
    ]);
    const stack = new Stack(undefined, 'D', { env: { account: '111111111111', region: 'eu-central-1' } });
    new RecoveryBuckets(stack, 'Replicas');
    expect(deniedDeletes(Template.fromStack(stack))).toEqual([expect.stringMatching(/^\{"AWS":"\*"\} s3:DeleteObject,s3:DeleteObjectVersion .*ReplicasArchive/)]);
  });

  test('with archiveExpiration, the explicit choice to let copies go, nothing is denied', () => {
    expect(deniedDeletes(synth({ archiveExpiration: Duration.days(3650) }).template)).toEqual([]);
  });
});

describe('BackupBuckets overrides', () => {
  test('retention, transition, expiry, key and removal policy', () => {
    const stack = new Stack(undefined, 'S', { env: ENV });
    const key = new kms.Key(stack, 'MyKey');
    new BackupBuckets(stack, 'Buckets', {
      encryptionKey: key,
      dailyExpiration: Duration.days(3),
      dailyLockRetention: Duration.days(2),
      archiveLockRetention: Duration.days(730),
      archiveTransitionAfter: Duration.days(0),
      archiveExpiration: Duration.days(3650),
      archiveNoncurrentVersionRetention: Duration.days(200),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const template = Template.fromStack(stack);
    const daily = bucketWithRule(template, /^Expire3Days/);
    expect(daily.Properties.ObjectLockConfiguration.Rule.DefaultRetention.Days).toBe(2);
    expect(daily.DeletionPolicy).toBe('Delete');
    const archive = bucketWithRule(template, /^DeepArchiveExpire3650Days$/);
    expect(archive.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 3650, Transitions: [{ StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 0 }] });
    expect(archive.Properties.LifecycleConfiguration.Rules[1]).toMatchObject({ Id: 'KeepPreviousVersions200Days', NoncurrentVersionExpiration: { NoncurrentDays: 200 } });
    expect(archive.Properties.ObjectLockConfiguration.Rule.DefaultRetention.Days).toBe(730);
    expect(archive.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID).toEqual({ 'Fn::GetAtt': [expect.stringMatching('MyKey'), 'Arn'] });
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(archive.Properties.ReplicationConfiguration).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/S/Buckets', Match.stringLikeRegexp('no off-site copy'));
  });
});

/** The noncurrent-version rules of the archive bucket whose transition is not before their expiry, which S3 refuses. */
function noncurrentTransitionsNotBeforeExpiry(template: Template): string[] {
  const archive = bucketWithRule(template, /^KeepPreviousVersions/);
  return (archive.Properties.LifecycleConfiguration.Rules as any[])
    .filter((rule) => rule.NoncurrentVersionExpiration && (rule.NoncurrentVersionTransitions ?? []).some((t: any) => t.TransitionInDays >= rule.NoncurrentVersionExpiration.NoncurrentDays))
    .map((rule) => `${rule.Id}: transition at ${JSON.stringify(rule.NoncurrentVersionTransitions)}, expiry at ${rule.NoncurrentVersionExpiration.NoncurrentDays}`);
}

// Before: the noncurrent versions moved to Deep Archive on the day they expired (365 and 365),
// a lifecycle configuration S3 refuses (the expiry must come after the transition).
describe('an archive transition at or after the noncurrent-version retention', () => {
  test.each([
    ['the same day', 365, 365],
    ['later', 400, 200],
  ])('%s: the old versions expire without a noncurrent transition', (_name, transitionDays, noncurrentDays) => {
    const { template } = synth({ archiveTransitionAfter: Duration.days(transitionDays), archiveNoncurrentVersionRetention: Duration.days(noncurrentDays) });
    expect(noncurrentTransitionsNotBeforeExpiry(template)).toEqual([]);
    const rule = bucketWithRule(template, /^KeepPreviousVersions/).Properties.LifecycleConfiguration.Rules[1];
    expect(rule).toEqual({ Id: `KeepPreviousVersions${noncurrentDays}Days`, Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: noncurrentDays } });
  });

  test('a transition before the retention still moves the old versions to Deep Archive on that day', () => {
    const { template } = synth({ archiveTransitionAfter: Duration.days(364), archiveNoncurrentVersionRetention: Duration.days(365) });
    expect(noncurrentTransitionsNotBeforeExpiry(template)).toEqual([]);
    expect(bucketWithRule(template, /^KeepPreviousVersions/).Properties.LifecycleConfiguration.Rules[1].NoncurrentVersionTransitions).toEqual([{ StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 364 }]);
  });
});

describe('BackupBuckets validation', () => {
  test.each<[string, BackupBucketsProps, string]>([
    ['a daily expiry in hours', { dailyExpiration: Duration.hours(36) }, 'S/Buckets: `dailyExpiration` must be a whole number of days from 1 to 3650, got 1 day 12 hours'],
    ['a daily lock longer than the expiry', { dailyLockRetention: Duration.days(3) }, 'S/Buckets: `dailyLockRetention` must be at most `dailyExpiration` (2 days), got 3 days'],
    ['an archive lock of 0 days', { archiveLockRetention: Duration.days(0) }, 'S/Buckets: `archiveLockRetention` must be a whole number of days from 1 to 36500, got 0 days'],
    ['old versions deleted before Deep Archive\'s minimum', { archiveNoncurrentVersionRetention: Duration.days(90) }, 'S/Buckets: `archiveNoncurrentVersionRetention` must be a whole number of days from 180 to 36500, got 90 days'],
    ['an archive expiry inside the lock', { archiveLockRetention: Duration.days(1000), archiveExpiration: Duration.days(900) }, 'S/Buckets: `archiveExpiration` must be at least 1000 days (the lock retention of 1000 days, and 180 days of Deep Archive after the transition at 1 days), got 900 days'],
    ['an archive expiry before Deep Archive\'s minimum', { archiveLockRetention: Duration.days(10), archiveTransitionAfter: Duration.days(30), archiveExpiration: Duration.days(200) }, '`archiveExpiration` must be at least 210 days'],
    ['replication to the same region', { replication: { region: 'eu-west-1' } }, 'S/Buckets: `replication.region` must be another region than the stack\'s, got eu-west-1'],
    ['replication to a region named by its city', { replication: { region: 'frankfurt' } }, "S/Buckets: `replication.region` must be an AWS region name such as 'eu-central-1', got 'frankfurt'"],
    ['replication to buckets under a prefix RecoveryBuckets refuses', { replication: { region: 'eu-central-1', bucketNamePrefix: 'DR_Buckets' } },
      "S/Buckets: `replication.bucketNamePrefix` must be 1 to 20 lower-case letters, digits or hyphens (as the `bucketNamePrefix` of the `RecoveryBuckets` there), got 'DR_Buckets'"],
    ['replication to the stack\'s own region named by Aws.REGION', { replication: { region: Aws.REGION } },
      'S/Buckets: `replication.region` must be another region than the stack\'s, got a token ({"Ref":"AWS::Region"})'],
  ])('rejects %s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  // A token (a CfnParameter, say) was replaced by the default (or, for the archive expiry, by
  // keeping forever) without a word: the lifecycle days, the lock and their checks are computed at synth.
  const token = (): number => Token.asNumber({ Ref: 'RetentionDays' });
  test.each<[string, BackupBucketsProps]>([
    ['dailyExpiration', { dailyExpiration: Duration.days(token()) }],
    ['dailyLockRetention', { dailyLockRetention: Duration.seconds(token()) }],
    ['archiveLockRetention', { archiveLockRetention: Duration.seconds(token()) }],
    ['archiveTransitionAfter', { archiveTransitionAfter: Duration.days(token()) }],
    ['archiveNoncurrentVersionRetention', { archiveNoncurrentVersionRetention: Duration.seconds(token()) }],
    ['archiveExpiration', { archiveExpiration: Duration.seconds(token()) }],
  ])('rejects a token %s instead of using the default', (prop, props) => {
    expect(() => synth(props)).toThrow(`S/Buckets: \`${prop}\` must be a concrete duration (the lifecycle rules and the Object Lock retention are computed from it at synth), got an unresolved token`);
  });
});

describe('RecoveryBuckets', () => {
  test('deterministic names and key alias that BackupBuckets replicates into', () => {
    const stack = new Stack(undefined, 'D', { env: { account: '111111111111', region: 'eu-central-1' } });
    new RecoveryBuckets(stack, 'Replicas');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['cdk-backup-dr-daily-', { Ref: 'AWS::AccountId' }, '-eu-central-1']] },
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 2 })]) },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['cdk-backup-dr-archive-', { Ref: 'AWS::AccountId' }, '-eu-central-1']] },
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cdk-backup-dr/recovery-buckets' });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    expect(RecoveryBuckets.dailyBucketName('111111111111', 'eu-central-1', 'acme')).toBe('acme-daily-111111111111-eu-central-1');
    expect(RecoveryBuckets.archiveBucketName('111111111111', 'eu-central-1')).toBe('cdk-backup-dr-archive-111111111111-eu-central-1');
  });

  test('rejects old versions deleted before Deep Archive\'s minimum instead of keeping them longer', () => {
    const stack = new Stack(undefined, 'D', { env: { account: '111111111111', region: 'eu-central-1' } });
    expect(() => new RecoveryBuckets(stack, 'Replicas', { archiveNoncurrentVersionRetention: Duration.days(90) }))
      .toThrow('D/Replicas: `archiveNoncurrentVersionRetention` must be a whole number of days from 180 to 36500, got 90 days');
  });

  test('rejects a token retention instead of using the default', () => {
    const stack = new Stack(undefined, 'D', { env: { account: '111111111111', region: 'eu-central-1' } });
    expect(() => new RecoveryBuckets(stack, 'Replicas', { archiveLockRetention: Duration.seconds(Token.asNumber({ Ref: 'LockDays' })) }))
      .toThrow('D/Replicas: `archiveLockRetention` must be a concrete duration (the lifecycle rules and the Object Lock retention are computed from it at synth), got an unresolved token');
  });

  test('rejects a bucket name prefix S3 would refuse', () => {
    const stack = new Stack(undefined, 'D', { env: { account: '111111111111', region: 'eu-central-1' } });
    expect(() => new RecoveryBuckets(stack, 'Replicas', { bucketNamePrefix: 'Upper_Case' })).toThrow("D/Replicas: `bucketNamePrefix` must be 1 to 20 lower-case letters, digits or hyphens, got 'Upper_Case'");
  });
});

test('BackupBuckets (replicated and not) and RecoveryBuckets pass every compliance gate', () => {
  const app = appWithComplianceGates();
  const primary = new Stack(app, 'S', { env: ENV });
  new BackupBuckets(primary, 'Buckets', { replication: { region: 'eu-central-1' } });
  new BackupBuckets(primary, 'Local');
  const recovery = new Stack(app, 'D', { env: { account: '111111111111', region: 'eu-central-1' } });
  new RecoveryBuckets(recovery, 'Replicas');
  const findings = complianceFindings(app).filter((f) => ['S/Buckets', 'S/Local', 'D/Replicas'].some((path) => f.path.startsWith(path)));
  expect(describeFindings(findings)).toEqual('');
});

test('BackupBuckets replicating to a region given as a CfnParameter synthesize and pass every compliance gate', () => {
  const app = appWithComplianceGates();
  const primary = new Stack(app, 'S', { env: ENV });
  new BackupBuckets(primary, 'Buckets', { replication: { region: new CfnParameter(primary, 'RecoveryRegion').valueAsString } });
  const findings = complianceFindings(app).filter((f) => f.path.startsWith('S/Buckets'));
  expect(describeFindings(findings)).toEqual('');
});

test('BackupBuckets warn when synth cannot tell the replication region from the stack\'s', () => {
  const stack = new Stack(undefined, 'S', { env: ENV });
  new BackupBuckets(stack, 'Buckets', { replication: { region: new CfnParameter(stack, 'RecoveryRegion').valueAsString } });
  const warnings = Annotations.fromStack(stack).findWarning('/S/Buckets', Match.stringLikeRegexp('cdk-backup-dr:uncheckedToken'));
  expect(warnings.map((w) => String(w.entry.data))).toEqual([
    expect.stringMatching(/^S\/Buckets: `replication.region` is an unresolved token, so the synth-time check that it is another region than the stack's did not run \(unknown, not passed\); S3 replicates within one region too/),
  ]);
});
