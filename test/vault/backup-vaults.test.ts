import { App, Aws, CfnParameter, Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { ArchiveFrequency, RetentionPolicy } from '../../lib/policy/retention-policy';
import { BackupVaults, BackupVaultsProps } from '../../lib/vault/backup-vaults';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';

/** CloudFormation template JSON, untyped. */
type Json = ReturnType<typeof JSON.parse>;

const ENV = { account: '123456789012', region: 'eu-west-1' };

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: ENV });
}

function database(stack: Stack, id: string): rds.IDatabaseInstance {
  return rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, id, {
    instanceIdentifier: id.toLowerCase(),
    instanceEndpointAddress: `${id.toLowerCase()}.example.internal`,
    port: 3307,
    securityGroups: [],
  });
}

function errorOf(props: Partial<BackupVaultsProps>): string {
  try {
    new BackupVaults(newStack(), 'Backup', { policy: RetentionPolicy.grandfatherFatherSon(), ...props });
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

test('a token in the unit of the CloudFormation property passes through: window in minutes, point-in-time recovery and lock in days', () => {
  const stack = newStack();
  new BackupVaults(stack, 'Backup', {
    policy: RetentionPolicy.of({ window: { duration: Duration.minutes(Token.asNumber({ Ref: 'Window' })) }, pointInTimeRecovery: Duration.days(Token.asNumber({ Ref: 'Pitr' })) }),
    pointInTimeDatabases: [database(stack, 'Master')],
    lock: { changeableFor: Duration.days(Token.asNumber({ Ref: 'Cooling' })), minRetention: Duration.days(Token.asNumber({ Ref: 'Min' })) },
  });
  const template = Template.fromStack(stack);
  const rules = Object.values(template.findResources('AWS::Backup::BackupPlan')).flatMap((p) => p.Properties.BackupPlan.BackupPlanRule);
  expect(rules.find((r: Json) => r.RuleName === 'PointInTime')).toMatchObject({ StartWindowMinutes: { Ref: 'Window' }, Lifecycle: { DeleteAfterDays: { Ref: 'Pitr' } } });
  template.hasResourceProperties('AWS::Backup::BackupVault', { LockConfiguration: { ChangeableForDays: { Ref: 'Cooling' }, MinRetentionDays: { Ref: 'Min' } } });
});

/** The `cdk-backup-dr:uncheckedToken` warnings of a stack, without their ack tag. */
function uncheckedTokenWarnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-backup-dr:uncheckedToken'))
    .map((w) => `${w.entry.data}`.replace(' [ack: cdk-backup-dr:uncheckedToken]', ''));
}

// Before: the checks against the range, the AWS limits and the tiers were skipped without a word.
test('a token that passes through warns which check did not run and what AWS decides at deploy', () => {
  const stack = newStack();
  const days = (id: string) => Duration.days(new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber);
  new BackupVaults(stack, 'Backup', {
    policy: RetentionPolicy.of({
      archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(365) }],
      window: { duration: Duration.minutes(new CfnParameter(stack, 'Window', { type: 'Number' }).valueAsNumber) },
      pointInTimeRecovery: days('Pitr'),
      offSiteCopies: [{ region: 'eu-central-1' }],
    }),
    pointInTimeDatabases: [database(stack, 'Master')],
    lock: { changeableFor: days('Cooling'), minRetention: days('Min') },
    // Checked only: the off-site vault is a RecoveryVault in another stack.
    offSiteLock: { maxRetention: Duration.days(Token.asNumber({ Ref: 'Max' })) },
  });
  const unchecked = 'did not run (unknown, not passed)';
  const lockAtDeploy = 'AWS Backup receives it in days as it is and decides at deploy whether it accepts the lock';
  const lockAtRunTime = 'the vault lock receives it as it is, and a backup or copy job whose retention is outside the lock\'s limits fails when it runs';
  expect(uncheckedTokenWarnings(stack)).toEqual([
    `Stack/Backup: \`policy.window.duration\` is an unresolved token, so the synth-time check that it is 1 to 24 hours ${unchecked}; AWS Backup receives it as the start window in minutes and decides at deploy: it refuses less than 60 minutes and accepts up to 100 years`,
    `Stack/Backup: \`policy.pointInTimeRecovery\` is an unresolved token, so the synth-time check that it is 1 to 35 days ${unchecked}; AWS Backup receives it as the continuous backup retention in days and decides at deploy whether it accepts it`,
    `Stack/Backup: \`lock.changeableFor\` is an unresolved token, so the synth-time check that it is 3 to 36500 days (at least the AWS Backup cooling-off period, at most the AWS limit) ${unchecked}; ${lockAtDeploy}`,
    `Stack/Backup: \`lock.minRetention\` is an unresolved token, so the synth-time check that it is at least 1 day (the AWS minimum) ${unchecked}; ${lockAtDeploy}`,
    `Stack/Backup: \`lock.minRetention\` is an unresolved token, so the synth-time check that it is at most the retention of the Rolling, Monthly, PointInTime tiers ${unchecked}; ${lockAtRunTime}`,
    `Stack/Backup: \`policy.pointInTimeRecovery\` is an unresolved token, so the synth-time check against the limits of \`lock\` ${unchecked}; the vault lock receives the continuous backups as they are, and they fail when their retention is outside the lock's limits`,
    `Stack/Backup: \`offSiteLock.maxRetention\` is an unresolved token, so the synth-time check that it is at most 36500 days and longer than the minimum retention ${unchecked}; ${lockAtDeploy}`,
    `Stack/Backup: \`offSiteLock.maxRetention\` is an unresolved token, so the synth-time check that it is at least the retention of the Rolling, Monthly tiers (and that no tier is kept indefinitely) ${unchecked}; ${lockAtRunTime}`,
  ]);
});

// Before: the check that the copies go off site was skipped without a word.
test('in an environment-agnostic stack, off-site copies warn that synth cannot tell whether they leave the vaults\' region', () => {
  const stack = new Stack(new App(), 'Stack');
  new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-central-1' }] }) });
  expect(uncheckedTokenWarnings(stack)).toEqual([
    'Stack/Backup: the stack\'s region (an environment-agnostic stack) is an unresolved token, so the synth-time check of `policy.offSiteCopies` that the copy goes to another region or account than the vaults\' did not run (unknown, not passed); '
      + 'AWS Backup copies to the vault of that name in the region the token resolves to, which is no off-site copy when it is the vaults\' own region and account',
  ]);
});

// Before: a token account was compared as a string, so it never matched the stack's: a copy to the
// vaults' own region in an account synth cannot know passed without a word.
describe('an off-site copy to the vaults\' own region in an account synth cannot know warns', () => {
  const atDeploy = 'AWS Backup copies to the vault of that name in the account the token resolves to, which is no off-site copy when it is the vaults\' own account (the region, eu-west-1, is theirs)';
  test('a token account', () => {
    const stack = newStack();
    const account = new CfnParameter(stack, 'CopyAccount').valueAsString;
    new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-west-1', account }] }) });
    expect(uncheckedTokenWarnings(stack)).toEqual([
      `Stack/Backup: the account of the off-site copy to eu-west-1 is an unresolved token, so the synth-time check of \`policy.offSiteCopies\` that the copy goes to another region or account than the vaults' did not run (unknown, not passed); ${atDeploy}`,
    ]);
  });

  test('a concrete account in a stack whose account is not known at synth', () => {
    const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-west-1' } });
    new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-west-1', account: '210987654321' }] }) });
    expect(uncheckedTokenWarnings(stack)).toEqual([
      `Stack/Backup: the stack's account (an environment-agnostic stack) is an unresolved token, so the synth-time check of \`policy.offSiteCopies\` that the copy goes to another region or account than the vaults' did not run (unknown, not passed); ${atDeploy}`,
    ]);
  });

  test('another region needs no account check', () => {
    const stack = newStack();
    new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-central-1', account: Aws.ACCOUNT_ID }] }) });
    expect(uncheckedTokenWarnings(stack)).toEqual([]);
  });
});

// Before: `Aws.ACCOUNT_ID` and `Aws.REGION` were tokens unlike the stack's strings: the copy passed
// (the account) or only warned (the region), though both are the stack's own at deploy.
test.each([
  ['the account is Aws.ACCOUNT_ID', { region: 'eu-west-1', account: Aws.ACCOUNT_ID },
    'Stack/Backup: `policy.offSiteCopies` must name another region or account than the vaults\' own (eu-west-1 in account 123456789012), got eu-west-1 in account a token ({"Ref":"AWS::AccountId"}), the same'],
  ['the region is Aws.REGION', { region: Aws.REGION },
    'Stack/Backup: `policy.offSiteCopies` must name another region or account than the vaults\' own (eu-west-1), got a token ({"Ref":"AWS::Region"}), the same'],
])('an off-site copy that is provably the vaults\' own region and account fails the synth: %s', (_name, copy, message) => {
  expect(errorOf({ policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [copy] }) })).toBe(message);
});

test('in a stack whose account is not known at synth, a copy to its region in Aws.ACCOUNT_ID (the same token) fails the synth', () => {
  const stack = new Stack(new App(), 'Stack', { env: { region: 'eu-west-1' } });
  expect(() => new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-west-1', account: Aws.ACCOUNT_ID }] }) }))
    .toThrow('Stack/Backup: `policy.offSiteCopies` must name another region or account than the vaults\' own (eu-west-1 in account a token ({"Ref":"AWS::AccountId"})), got eu-west-1 in account a token ({"Ref":"AWS::AccountId"}), the same');
});

test('a policy and lock without tokens give no unchecked-token warning', () => {
  const stack = newStack();
  new BackupVaults(stack, 'Backup', {
    policy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: 'eu-central-1' }] }),
    pointInTimeDatabases: [database(stack, 'Master')],
    lock: { minRetention: Duration.days(2) },
  });
  expect(uncheckedTokenWarnings(stack)).toEqual([]);
});

describe('BackupVaults defaults', () => {
  const stack = newStack();
  const vaults = new BackupVaults(stack, 'Backup', {
    policy: RetentionPolicy.grandfatherFatherSon({ offSiteCopies: [{ region: 'eu-central-1' }] }),
    databases: [database(stack, 'Master'), database(stack, 'Replica')],
    pointInTimeDatabases: [database(stack, 'PitrMaster')],
  });
  const template = Template.fromStack(stack);

  test('a customer-managed key with rotation, retained, that denies grants except for AWS resources', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny', Action: 'kms:CreateGrant' })]) },
      },
    });
  });

  test('two vaults, retained, encrypted, locked in compliance mode, recovery-point deletion denied, notifying the topic', () => {
    const vaults = template.findResources('AWS::Backup::BackupVault');
    expect(Object.keys(vaults)).toHaveLength(2);
    for (const vault of Object.values(vaults)) {
      expect(vault.DeletionPolicy).toBe('Retain');
      expect(vault.Properties.EncryptionKeyArn['Fn::GetAtt'][0]).toMatch(/^BackupKey/);
      expect(vault.Properties.LockConfiguration).toEqual({ ChangeableForDays: 3, MinRetentionDays: 1 });
      expect(vault.Properties.AccessPolicy.Statement).toEqual([{
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
        Resource: '*',
      }]);
      expect(vault.Properties.Notifications.BackupVaultEvents).toEqual(expect.arrayContaining(['BACKUP_JOB_COMPLETED', 'BACKUP_JOB_FAILED', 'BACKUP_JOB_EXPIRED', 'COPY_JOB_FAILED']));
      expect(vault.Properties.Notifications.SNSTopicArn).toEqual({ Ref: expect.stringMatching(/^BackupNotifications/) });
    }
  });

  test('the notification topic is encrypted with the key and accepts TLS only, and AWS Backup may publish', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'backup.amazonaws.com' } }),
        ]),
      },
    });
  });

  test('the tier plan selects the databases by ARN, never by tag', () => {
    const selections = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    expect(selections).toHaveLength(2);
    for (const selection of selections) {
      expect(selection.Properties.BackupSelection.ListOfTags).toBeUndefined();
      expect(selection.Properties.BackupSelection.Conditions).toBeUndefined();
    }
    const tierSelection = selections.find((s) => JSON.stringify(s.Properties.BackupPlanId).includes('BackupPlan'))!;
    expect(JSON.stringify(tierSelection.Properties.BackupSelection.Resources)).toContain(':db:master');
    expect(JSON.stringify(tierSelection.Properties.BackupSelection.Resources)).toContain(':db:replica');
  });

  test('a continuous-backup plan gives point-in-time recovery for 14 days to the named databases only', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: Match.stringLikeRegexp('-point-in-time$'),
        BackupPlanRule: [Match.objectLike({ RuleName: 'PointInTime', EnableContinuousBackup: true, Lifecycle: { DeleteAfterDays: 14 } })],
      },
    });
    const pitrSelection = Object.values(template.findResources('AWS::Backup::BackupSelection'))
      .find((s) => JSON.stringify(s.Properties.BackupPlanId).includes('PointInTimePlan'))!;
    expect(JSON.stringify(pitrSelection.Properties.BackupSelection.Resources)).toContain(':db:pitrmaster');
    expect(JSON.stringify(pitrSelection.Properties.BackupSelection.Resources)).not.toContain(':db:master');
  });

  test('monthly and yearly copies land in the archive vault, rolling and weekly copies in the vault', () => {
    const plan = Object.values(template.findResources('AWS::Backup::BackupPlan')).find((p) => p.Properties.BackupPlan.BackupPlanName.endsWith('-tiers'))!;
    const targets = Object.fromEntries(plan.Properties.BackupPlan.BackupPlanRule.map((r: Json) => [r.RuleName, r.TargetBackupVault['Fn::GetAtt'][0]]));
    expect(targets.Rolling).toMatch(/^BackupVault/);
    expect(targets.Weekly).toMatch(/^BackupVault/);
    expect(targets.Monthly).toMatch(/^BackupArchiveVault/);
    expect(targets.Yearly).toMatch(/^BackupArchiveVault/);
  });

  test('copies go to the off-site vault by its deterministic ARN', () => {
    expect(vaults.offSiteVaultArns).toHaveLength(1);
    expect(stack.resolve(vaults.offSiteVaultArns[0])).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-central-1:123456789012:backup-vault:cdk-backup-dr-offsite']],
    });
  });

  test('AWS Backup acts through its own roles', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup']] }],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores']] }],
    });
  });
});

describe('BackupVaults overrides', () => {
  test('lock, key, removal policy and off-site vault name', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'OwnKey');
    new BackupVaults(stack, 'Backup', {
      policy: RetentionPolicy.of({
        archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(90) }],
        offSiteCopies: [{ region: 'us-east-1', account: '210987654321' }],
      }),
      lock: { changeableFor: Duration.days(7), minRetention: Duration.days(2), maxRetention: Duration.days(100) },
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
      offSiteVaultName: 'air-gapped',
      resources: [backup.BackupResource.fromArn('arn:aws:ec2:eu-west-1:123456789012:volume/vol-1')],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Delete',
      Properties: { LockConfiguration: { ChangeableForDays: 7, MinRetentionDays: 2, MaxRetentionDays: 100 }, EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OwnKey'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: Match.arrayWith([Match.objectLike({
          RuleName: 'Monthly',
          CopyActions: [{
            DestinationBackupVaultArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:us-east-1:210987654321:backup-vault:air-gapped']] },
            Lifecycle: { DeleteAfterDays: 90 },
          }],
        })]),
      },
    });
    template.hasResourceProperties('AWS::Backup::BackupSelection', { BackupSelection: { Resources: ['arn:aws:ec2:eu-west-1:123456789012:volume/vol-1'] } });
    template.resourceCountIs('AWS::Backup::BackupPlan', 1);
  });

  test('the rolling tier can stay at home', () => {
    const stack = newStack();
    new BackupVaults(stack, 'Backup', {
      policy: RetentionPolicy.of({ copyRollingTierOffSite: false, offSiteCopies: [{ region: 'eu-central-1' }], archives: [{ frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(14) }] }),
    });
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupPlan'))[0].Properties.BackupPlan.BackupPlanRule;
    expect(rules.find((r: Json) => r.RuleName === 'Rolling').CopyActions).toBeUndefined();
    expect(rules.find((r: Json) => r.RuleName === 'Weekly').CopyActions).toHaveLength(1);
  });

  test('grantRestore lets a principal start restores from the recovery points and pass the restore role', () => {
    const stack = newStack();
    const vaults = new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.rolling48Hours() });
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    vaults.grantRestore(operator);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Operator') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['backup:StartRestoreJob', 'backup:DescribeRecoveryPoint', 'backup:GetRecoveryPointRestoreMetadata'],
            // Every form AWS's pages give these actions' resource: recovery point, vault, and the
            // snapshot or image of an RDS, EBS or EC2 recovery point.
            Resource: [
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-west-1:123456789012:recovery-point:*']] },
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupVault'), 'BackupVaultArn'] },
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupArchiveVault'), 'BackupVaultArn'] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:snapshot:awsbackup:*']] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1::snapshot/*']] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1::image/*']] },
            ],
          }),
          Match.objectLike({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupRestoreRole'), 'Arn'] } }),
        ]),
      },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.flatMap((s: Json) => [s.Action].flat()).filter((a: string) => a.includes('*'))).toEqual([]);
  });
});

test('addSelection backs up more resources by ARN; the report metadata describes plans, selections and vaults', () => {
  const stack = newStack();
  const vaults = new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.grandfatherFatherSon() });
  vaults.addSelection('Volumes', [backup.BackupResource.fromArn('arn:aws:ec2:eu-west-1:123456789012:volume/vol-2')]);
  expect(() => vaults.addSelection('Nothing', [])).toThrow("Stack/Backup: `addSelection` needs at least one resource, got none for 'Nothing'");
  const template = Template.fromStack(stack);
  template.hasResource('AWS::Backup::BackupSelection', {
    Properties: { BackupSelection: { SelectionName: 'Volumes', Resources: ['arn:aws:ec2:eu-west-1:123456789012:volume/vol-2'] } },
    Metadata: { 'cdk-backup-dr': { role: 'backup-selection' } },
  });
  template.hasResource('AWS::Backup::BackupPlan', {
    Metadata: {
      'cdk-backup-dr': {
        role: 'backup-plan',
        description: 'Rolling every hour in Etc/UTC kept 2 days; Weekly cron(0 3 ? * SUN *) in Etc/UTC kept 35 days; Monthly cron(0 3 L * ? *) in Etc/UTC kept 365 days; '
          + 'Yearly cron(0 3 31 12 ? *) in Etc/UTC kept indefinitely, cold storage after 90 days where the resource type supports it (AWS Backup ignores it for others)',
      },
    },
  });
  expect(Object.values(template.findResources('AWS::Backup::BackupVault')).map((v) => v.Metadata['cdk-backup-dr'].role)).toEqual(['backup-vault', 'backup-vault']);
});

describe('BackupVaults errors', () => {
  test.each<[string, Partial<BackupVaultsProps>, string]>([
    ['a cooling-off period under 3 days',
      { lock: { changeableFor: Duration.days(2) } },
      'Stack/Backup: `lock.changeableFor` must be 3 to 36500 days (at least the AWS Backup cooling-off period, at most the AWS limit), got 2 days'],
    ['a lock minimum under 1 day',
      { lock: { minRetention: Duration.hours(12) } },
      'Stack/Backup: `lock.minRetention` must be at least 1 day (the AWS minimum), got 12 hours'],
    ['a lock minimum that is not a whole number of days',
      { lock: { minRetention: Duration.hours(36) } },
      'Stack/Backup: `lock.minRetention` must be a whole number of days (AWS Backup keeps days), at least 1 day (the AWS minimum), got 1 day 12 hours'],
    ['a lock maximum that is not a whole number of days',
      { policy: RetentionPolicy.rolling48Hours(), lock: { maxRetention: Duration.hours(100) } },
      'Stack/Backup: `lock.maxRetention` must be a whole number of days (AWS Backup keeps days), at most 36500 days, got 4 days 4 hours'],
    ['an air-gapped off-site vault: a copied tier kept less than its 7-day minimum',
      { policy: RetentionPolicy.grandfatherFatherSon({ offSiteCopies: [{ region: 'eu-central-1' }] }), offSiteLogicallyAirGapped: true },
      'Stack/Backup: `offSiteLock.minRetention` must be at most the Rolling tier\'s retention (2 days), got 7 days'],
    ['an air-gapped off-site vault: an indefinite tier under its required maximum',
      {
        policy: RetentionPolicy.of({ archives: [{ frequency: ArchiveFrequency.YEARLY, keepIndefinitely: true }], offSiteCopies: [{ region: 'eu-central-1' }], copyRollingTierOffSite: false }),
        offSiteLogicallyAirGapped: true,
      },
      'Stack/Backup: `offSiteLock.maxRetention` forbids the Yearly tier\'s indefinite retention: remove the lock\'s maximum or give the tier a retention, got a maximum of 36500 days'],
    ['an air-gapped off-site lock under 7 days',
      { policy: RetentionPolicy.grandfatherFatherSon({ offSiteCopies: [{ region: 'eu-central-1' }] }), offSiteLogicallyAirGapped: true, offSiteLock: { minRetention: Duration.days(1) } },
      'Stack/Backup: `offSiteLock.minRetention` must be at least 7 days for a logically air-gapped vault (the AWS minimum), got 1 day'],
    ['a lock maximum shorter than a tier\'s retention',
      { policy: RetentionPolicy.of({ archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(365) }] }), lock: { maxRetention: Duration.days(100) } },
      'Stack/Backup: `lock.maxRetention` must be at least the Monthly tier\'s retention (365 days), got 100 days'],
    ['indefinite retention under a lock with a maximum',
      { lock: { maxRetention: Duration.days(3650) } },
      'Stack/Backup: `lock.maxRetention` forbids the Yearly tier\'s indefinite retention: remove the lock\'s maximum or give the tier a retention, got a maximum of 3650 days'],
    ['a lock minimum longer than the rolling tier',
      { lock: { minRetention: Duration.days(7) } },
      'Stack/Backup: `lock.minRetention` must be at most the Rolling tier\'s retention (2 days), got 7 days'],
    ['an off-site lock that forbids indefinite copies',
      { policy: RetentionPolicy.grandfatherFatherSon({ offSiteCopies: [{ region: 'eu-central-1' }] }), offSiteLock: { maxRetention: Duration.days(36500) } },
      'Stack/Backup: `offSiteLock.maxRetention` forbids the Yearly tier\'s indefinite retention: remove the lock\'s maximum or give the tier a retention, got a maximum of 36500 days'],
    ['an off-site copy to a region named by its city',
      { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-central-1' }, { region: 'frankfurt' }] }) },
      "Stack/Backup: `policy.offSiteCopies[1].region` must be an AWS region name such as 'eu-central-1', got 'frankfurt'"],
    ['an off-site copy to an account written with dashes',
      { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-central-1', account: '2109-8765-4321' }] }) },
      "Stack/Backup: `policy.offSiteCopies[0].account` must be a 12-digit AWS account ID (without dashes), got '2109-8765-4321'"],
    ['an off-site vault name AWS Backup refuses',
      { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-central-1' }] }), offSiteVaultName: 'dr vault' },
      "Stack/Backup: `offSiteVaultName` must be 2 to 50 letters, digits, - or _, got 'dr vault'"],
    // Before: ignored without a word, so the vaults the user meant to configure were never checked.
    ['an off-site vault name without off-site copies',
      { policy: RetentionPolicy.rolling48Hours(), offSiteVaultName: 'dr-vault' },
      "Stack/Backup: `offSiteVaultName`, `offSiteLock` and `offSiteLogicallyAirGapped` apply only to the vaults that receive `policy.offSiteCopies`; add the copies or leave them out, got offSiteVaultName 'dr-vault' and no off-site copies"],
    ['an off-site lock and air gap without off-site copies',
      { policy: RetentionPolicy.rolling48Hours(), offSiteLock: { minRetention: Duration.days(2) }, offSiteLogicallyAirGapped: true },
      'Stack/Backup: `offSiteVaultName`, `offSiteLock` and `offSiteLogicallyAirGapped` apply only to the vaults that receive `policy.offSiteCopies`; add the copies or leave them out, got offSiteLock, offSiteLogicallyAirGapped true and no off-site copies'],
    ['an off-site copy in the vaults\' own region',
      { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-west-1' }] }) },
      'Stack/Backup: `policy.offSiteCopies` must name another region or account than the vaults\' own (eu-west-1), got eu-west-1'],
  ])('%s', (_name, props, message) => {
    expect(errorOf(props)).toBe(message);
  });

  // Before: accepted; the instance was selected twice, or another was meant.
  test.each<[string, (stack: Stack) => Partial<BackupVaultsProps>, string]>([
    ['a database twice', (stack) => {
      const master = database(stack, 'Master');
      return { databases: [master, database(stack, 'Replica'), master] };
    }, 'Stack/Backup: `databases` may name each database instance once, got Stack/Master twice ([0] and [2])'],
    ['a point-in-time database twice', (stack) => {
      const master = database(stack, 'Master');
      return { pointInTimeDatabases: [master, master] };
    }, 'Stack/Backup: `pointInTimeDatabases` may name each database instance once, got Stack/Master twice ([0] and [1])'],
  ])('%s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.grandfatherFatherSon(), ...props(stack) })).toThrow(message);
  });

  test('an air-gapped off-site vault accepts a policy whose copies it can hold', () => {
    const policy = RetentionPolicy.of({
      archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(365) }],
      offSiteCopies: [{ region: 'eu-central-1' }],
      copyRollingTierOffSite: false,
    });
    expect(errorOf({ policy, offSiteLogicallyAirGapped: true })).toBe('no error');
    // The primary vaults' lock is not the air-gapped vault's: its 1-day minimum is not inherited.
    expect(errorOf({ policy, offSiteLogicallyAirGapped: true, lock: { minRetention: Duration.days(1) } })).toBe('no error');
  });

  describe('continuous backups stay in the primary vault', () => {
    // Every tier kept at least 30 days, point-in-time recovery 14 days.
    const policy = RetentionPolicy.of({
      rolling: { interval: Duration.hours(24), retention: Duration.days(30) },
      archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(365) }],
      offSiteCopies: [{ region: 'eu-central-1' }],
      pointInTimeRecovery: Duration.days(14),
    });
    const errorWith = (props: Partial<BackupVaultsProps>): string => {
      try {
        const stack = newStack();
        new BackupVaults(stack, 'Backup', { policy, pointInTimeDatabases: [database(stack, 'Master')], ...props });
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };

    test('their retention is not checked against the off-site lock: no copy of them goes there', () => {
      expect(errorWith({ offSiteLock: { minRetention: Duration.days(30) } })).toBe('no error');
      expect(errorWith({ offSiteLogicallyAirGapped: true, offSiteLock: { minRetention: Duration.days(30) } })).toBe('no error');
    });

    test('their retention is checked against the primary lock when there are continuous backups, and only then', () => {
      expect(errorWith({ lock: { minRetention: Duration.days(30) } }))
        .toBe('Stack/Backup: `lock.minRetention` must be at most the PointInTime tier\'s retention (14 days), got 30 days');
      expect(errorWith({ lock: { minRetention: Duration.days(30) }, pointInTimeDatabases: [] })).toBe('no error');
    });
  });

  test('another account in the same region is off site', () => {
    expect(errorOf({ policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: 'eu-west-1', account: '210987654321' }] }) })).toBe('no error');
  });
});

describe('BackupVaults off-site copies of RDS recovery points', () => {
  // AWS Backup copies RDS and Aurora snapshots to another account or another region, not both:
  // https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html
  const copiesTo = (region: string, account?: string): RetentionPolicy => RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region, account }] });
  const warningsOf = (stack: Stack): string[] => Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));

  test('a database copied to another account in another region fails the synth', () => {
    const stack = newStack();
    expect(() => new BackupVaults(stack, 'Backup', { policy: copiesTo('us-east-1', '210987654321'), databases: [database(stack, 'Db')] }))
      .toThrow('Stack/Backup: `policy.offSiteCopies` copies to account 210987654321 in us-east-1, another account and another region, which AWS Backup cannot do for the RDS resources selected (database Stack/Db); allowed: another region in the same account, or the same region in another account');
  });

  test('an RDS resource by ARN, here or in a later selection, fails the synth', () => {
    const rdsArn = 'arn:aws:rds:eu-west-1:123456789012:db:other';
    expect(errorOf({ policy: copiesTo('us-east-1', '210987654321'), resources: [backup.BackupResource.fromArn(rdsArn)] }))
      .toContain(`which AWS Backup cannot do for the RDS resources selected (${rdsArn})`);
    const vaults = new BackupVaults(newStack(), 'Backup', { policy: copiesTo('us-east-1', '210987654321') });
    expect(() => vaults.addSelection('Later', [backup.BackupResource.fromArn(rdsArn)])).toThrow(new Error(
      `Stack/Backup: \`addSelection('Later')\` selects RDS resources (${rdsArn}), which \`policy.offSiteCopies\` would copy to account 210987654321 in us-east-1, `
      + 'another account and another region, which AWS Backup cannot do for RDS; allowed: another region in the same account, or the same region in another account'));
  });

  test('another region in the same account, or the same region in another account, is allowed without a warning', () => {
    for (const policy of [copiesTo('eu-central-1'), copiesTo('eu-central-1', ENV.account), copiesTo('eu-west-1', '210987654321')]) {
      const stack = newStack();
      new BackupVaults(stack, 'Backup', { policy, databases: [database(stack, 'Db')] });
      expect(warningsOf(stack)).toEqual([]);
    }
  });

  // Before: a token account was never the stack's, so both warned that RDS copies would be lost.
  test('a copy synth proves to stay in the account, or in the region, gives no RDS warning: Aws.ACCOUNT_ID elsewhere, a token account here', () => {
    for (const copy of [{ region: 'eu-central-1', account: Aws.ACCOUNT_ID }, { region: 'eu-west-1', account: Token.asString({ Ref: 'CopyAccount' }) }]) {
      const stack = newStack();
      new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [copy] }), databases: [database(stack, 'Db')] });
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cannot copy RDS'))).toEqual([]);
    }
  });

  // Before: the messages printed the token's placeholder (`${Token[TOKEN.123]}`), which names nothing the user wrote.
  test('a token account or region is named by what it resolves to, in the warning and in the error', () => {
    const stack = newStack();
    const account = new CfnParameter(stack, 'CopyAccount').valueAsString;
    new BackupVaults(stack, 'Backup', { policy: copiesTo('us-east-1', account), databases: [database(stack, 'Db')] });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cannot copy RDS')).map((w) => String(w.entry.data))).toEqual([
      expect.stringMatching(/^`policy.offSiteCopies` copies to account a token \(\{"Ref":"CopyAccount"\}\) in us-east-1: AWS Backup cannot copy RDS/),
    ]);
    const lazy = newStack();
    const region = Lazy.string({ produce: () => 'us-east-1' });
    expect(() => new BackupVaults(lazy, 'Backup', { policy: copiesTo(region, '210987654321'), databases: [database(lazy, 'Db')] }))
      .toThrow('Stack/Backup: `policy.offSiteCopies` copies to account 210987654321 in a token ("us-east-1"), another account and another region, ');
  });

  test('with no RDS resource known at synth, a copy to another account in another region is a warning', () => {
    const stack = newStack();
    new BackupVaults(stack, 'Backup', { policy: copiesTo('us-east-1', '210987654321'), resources: [backup.BackupResource.fromArn('arn:aws:ec2:eu-west-1:123456789012:volume/vol-1')] });
    expect(warningsOf(stack)).toEqual([expect.stringMatching(/^`policy.offSiteCopies` copies to account 210987654321 in us-east-1: AWS Backup cannot copy RDS or Aurora recovery points to another account and another region in one copy action/)]);
  });
});

test('compliance: the vaults, plans, roles, key and topic have no unacknowledged finding', () => {
  const app = appWithComplianceGates();
  const stack = new Stack(app, 'Stack', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const db = new rds.DatabaseInstance(stack, 'Db', { engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of('8.4.10', '8.4') }), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const vaults = new BackupVaults(stack, 'Backup', {
    policy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: 'eu-central-1' }] }),
    databases: [db],
    pointInTimeDatabases: [db],
  });
  vaults.grantRestore(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
  const findings = complianceFindings(app);
  expect(describeFindings(findings.filter((f) => f.path.startsWith('Stack/Backup')))).toEqual('');
});
