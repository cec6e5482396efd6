import { App, CfnParameter, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { RecoveryVault, RecoveryVaultProps } from '../../lib/vault/recovery-vault';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';

const ENV = { account: '123456789012', region: 'eu-central-1' };

function synth(props?: RecoveryVaultProps): { vault: RecoveryVault; template: Template; stack: Stack } {
  const stack = new Stack(new App(), 'Dr', { env: ENV });
  const vault = new RecoveryVault(stack, 'OffSite', props);
  return { vault, template: Template.fromStack(stack), stack };
}

describe('RecoveryVault', () => {
  test('defaults: the shared name, a rotated retained key, compliance lock, deletion denied, retained', () => {
    const { vault, template, stack } = synth();
    expect(vault.backupVaultName).toBe('cdk-backup-dr-offsite');
    expect(stack.resolve(vault.backupVaultArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-central-1:123456789012:backup-vault:cdk-backup-dr-offsite']],
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BackupVaultName: 'cdk-backup-dr-offsite',
        EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OffSiteKey'), 'Arn'] },
        LockConfiguration: { ChangeableForDays: 3, MinRetentionDays: 1 },
        AccessPolicy: {
          Statement: [{
            Sid: 'DenyRecoveryPointDeletion',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
            Resource: '*',
          }],
        },
      },
    });
  });

  test('arnOf builds the same ARN from plain strings in another stack', () => {
    const app = new App();
    const primary = new Stack(app, 'Primary', { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(primary.resolve(RecoveryVault.arnOf(primary, 'eu-central-1'))).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-central-1:123456789012:backup-vault:cdk-backup-dr-offsite']],
    });
    expect(primary.resolve(RecoveryVault.arnOf(primary, 'us-east-1', '210987654321', 'vault-b'))).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:us-east-1:210987654321:backup-vault:vault-b']],
    });
  });

  test('source accounts may copy in; lock and removal policy overrides', () => {
    const { template } = synth({
      backupVaultName: 'dr-vault',
      sourceAccounts: ['210987654321'],
      lock: { changeableFor: Duration.days(10), minRetention: Duration.days(2), maxRetention: Duration.days(400) },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Delete',
      Properties: {
        BackupVaultName: 'dr-vault',
        LockConfiguration: { ChangeableForDays: 10, MinRetentionDays: 2, MaxRetentionDays: 400 },
        AccessPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Sid: 'AllowCopyFromSourceAccounts',
            Effect: 'Allow',
            Action: 'backup:CopyIntoBackupVault',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::210987654321:root']] } },
          })]),
        },
      },
    });
  });

  test('a logically air-gapped vault always has a maximum retention, and a minimum of 7 days (the AWS minimum) by default', () => {
    const { template } = synth({ logicallyAirGapped: true });
    template.resourceCountIs('AWS::Backup::BackupVault', 0);
    template.hasResource('AWS::Backup::LogicallyAirGappedBackupVault', {
      DeletionPolicy: 'Retain',
      Properties: {
        BackupVaultName: 'cdk-backup-dr-offsite',
        MinRetentionDays: 7,
        MaxRetentionDays: 36500,
        EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OffSiteKey'), 'Arn'] },
        AccessPolicy: { Statement: [Match.objectLike({ Sid: 'DenyRecoveryPointDeletion', Effect: 'Deny' })] },
      },
    });
  });

  test.each<[string, RecoveryVaultProps, string]>([
    ['a bad name', { backupVaultName: 'a b' }, "Dr/OffSite: `backupVaultName` must be 2 to 50 letters, digits, - or _, got 'a b'"],
    ['a short cooling-off period', { lock: { changeableFor: Duration.hours(48) } }, 'Dr/OffSite: `lock.changeableFor` must be 3 to 36500 days (at least the AWS Backup cooling-off period, at most the AWS limit), got 2 days'],
    ['a maximum not above the minimum', { lock: { minRetention: Duration.days(5), maxRetention: Duration.days(5) } }, 'Dr/OffSite: `lock.maxRetention` must be longer than the minimum retention (5 days), got 5 days'],
    ['an air-gapped minimum under 7 days', { logicallyAirGapped: true, lock: { minRetention: Duration.days(2) } }, 'Dr/OffSite: `lock.minRetention` must be at least 7 days for a logically air-gapped vault (the AWS minimum), got 2 days'],
    ['an air-gapped minimum that is not a whole number of days', { logicallyAirGapped: true, lock: { minRetention: Duration.hours(180) } }, 'Dr/OffSite: `lock.minRetention` must be a whole number of days (AWS Backup keeps days), at least 7 days for a logically air-gapped vault (the AWS minimum), got 7 days 12 hours'],
    ['an air-gapped maximum that is not a whole number of days', { logicallyAirGapped: true, lock: { maxRetention: Duration.hours(1000) } }, 'Dr/OffSite: `lock.maxRetention` must be a whole number of days (AWS Backup keeps days), at most 36500 days, got 41 days 16 hours'],
    ['a cooling-off period that is not a whole number of days', { lock: { changeableFor: Duration.hours(80) } }, 'Dr/OffSite: `lock.changeableFor` must be a whole number of days (AWS Backup keeps days), 3 to 36500 days (at least the AWS Backup cooling-off period, at most the AWS limit), got 3 days 8 hours'],
    ['an air-gapped maximum beyond 36500 days', { logicallyAirGapped: true, lock: { maxRetention: Duration.days(40000) } }, 'Dr/OffSite: `lock.maxRetention` must be at most 36500 days (the AWS limit), got 40000 days'],
    // Before: accepted at synth; AWS Backup documents ChangeableForDays up to 36,500 days (PutBackupVaultLockConfiguration).
    ['a cooling-off period beyond 36500 days', { lock: { changeableFor: Duration.days(36501) } }, 'Dr/OffSite: `lock.changeableFor` must be 3 to 36500 days (at least the AWS Backup cooling-off period, at most the AWS limit), got 36501 days'],
    ['a maximum beyond 36500 days', { lock: { maxRetention: Duration.days(36501) } }, 'Dr/OffSite: `lock.maxRetention` must be at most 36500 days (the AWS limit), got 36501 days'],
    // IAM refuses the access policy at deploy: the vault is not created.
    ['a source account written with dashes', { sourceAccounts: ['2109-8765-4321'] }, "Dr/OffSite: `sourceAccounts` must hold 12-digit AWS account IDs (without dashes), got '2109-8765-4321'"],
    ['a source account of 11 digits', { sourceAccounts: ['21098765432'] }, "Dr/OffSite: `sourceAccounts` must hold 12-digit AWS account IDs (without dashes), got '21098765432'"],
    ['a source account named twice', { sourceAccounts: ['210987654321', '345678901234', '210987654321'] }, "Dr/OffSite: `sourceAccounts` may name each account once, got '210987654321' twice"],
    // Before: CDK's "Duration must be specified as 'Duration.days()' here since its value comes from a token and cannot be converted (got Duration.hours)".
    ['a cooling-off period that is a token in hours', { lock: { changeableFor: Duration.hours(Token.asNumber({ Ref: 'Days' })) } },
      'Dr/OffSite: `lock.changeableFor` must be a concrete duration, 3 to 36500 days (at least the AWS Backup cooling-off period, at most the AWS limit), or a token given in days (`Duration.days(token)`, which AWS Backup receives as it is), got Duration.hours(token)'],
    ['a minimum that is a token in hours', { logicallyAirGapped: true, lock: { minRetention: Duration.hours(Token.asNumber({ Ref: 'Days' })) } },
      'Dr/OffSite: `lock.minRetention` must be a concrete duration, at least 7 days for a logically air-gapped vault (the AWS minimum), or a token given in days (`Duration.days(token)`, which AWS Backup receives as it is), got Duration.hours(token)'],
    ['a maximum that is a token in hours', { logicallyAirGapped: true, lock: { maxRetention: Duration.hours(Token.asNumber({ Ref: 'Days' })) } },
      'Dr/OffSite: `lock.maxRetention` must be a concrete duration, at most 36500 days, or a token given in days (`Duration.days(token)`, which AWS Backup receives as it is), got Duration.hours(token)'],
  ])('error: %s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  // Before: the checks of the lock's limits were skipped without a word.
  test('a lock token in days or a token name warns which check did not run; without tokens, no such warning', () => {
    const stack = new Stack(new App(), 'Dr', { env: ENV });
    const days = Duration.days(new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber);
    new RecoveryVault(stack, 'AirGapped', { logicallyAirGapped: true, backupVaultName: 'air-gapped', lock: { minRetention: days, maxRetention: Duration.days(3650) } });
    new RecoveryVault(stack, 'OffSite', { lock: { minRetention: Duration.days(7), maxRetention: Duration.days(3650) } });
    new RecoveryVault(stack, 'Named', { backupVaultName: new CfnParameter(stack, 'Name').valueAsString });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-backup-dr:uncheckedToken'));
    const atDeploy = 'did not run (unknown, not passed); AWS Backup receives it in days as it is and decides at deploy whether it accepts the lock [ack: cdk-backup-dr:uncheckedToken]';
    expect(warnings.map((w) => `${w.id} ${w.entry.data}`)).toEqual([
      `/Dr/AirGapped Dr/AirGapped: \`lock.minRetention\` is an unresolved token, so the synth-time check that it is at least 7 days for a logically air-gapped vault (the AWS minimum) ${atDeploy}`,
      `/Dr/AirGapped Dr/AirGapped: \`lock.minRetention\` is an unresolved token, so the synth-time check that it is shorter than the maximum retention (3650 days) ${atDeploy}`,
      '/Dr/Named Dr/Named: `backupVaultName` is an unresolved token, so the synth-time check that it is 2 to 50 letters, digits, - or _ did not run (unknown, not passed); AWS Backup decides at deploy whether it accepts the name [ack: cdk-backup-dr:uncheckedToken]',
    ]);
  });

  test('compliance: both kinds of vault and their keys have no unacknowledged finding', () => {
    const app = appWithComplianceGates();
    const stack = new Stack(app, 'Dr', { env: ENV });
    new RecoveryVault(stack, 'OffSite', { sourceAccounts: ['210987654321'] });
    new RecoveryVault(stack, 'AirGapped', { logicallyAirGapped: true, backupVaultName: 'air-gapped' });
    expect(describeFindings(complianceFindings(app).filter((f) => f.path.startsWith('Dr/')))).toEqual('');
  });
});
