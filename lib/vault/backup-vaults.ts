import { Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AWS_BACKUP_COLD_STORAGE_SCOPE } from '../private/aws-backup-cold-storage';
import { BACKUP_VAULT_NAME } from '../private/aws-identifiers';
import { recoveryPointRestoreResources } from '../private/recovery-point-arns';
import { denyGrantsExceptForAwsResources } from '../private/key-policy';
import { describeAtDeploy, equalityAtDeploy } from '../private/deploy-time-equality';
import { refuseRepeatedEntries } from '../private/repeated-entries';
import { warnUncheckedToken } from '../private/unchecked-token';
import * as RULES from '../private/description-rules';
import { fitPathDescription } from '../private/path-description';
import { CompiledTier, compileTiers, describeTier, validateAgainstLock, validatePolicy } from '../policy/compile';
import { OffSiteCopy, RetentionPolicy } from '../policy/retention-policy';
import { BackupMetadata, BackupRole } from '../report/metadata';
import { policySettingOf } from './policy-setting';
import { checkRdsCopies, CopiesSetting, failOnSelectedRdsCopies, rdsArnsOf } from './rds-copy-limits';
import { RecoveryVault } from './recovery-vault';
import { renderVaultLock } from './render-lock';
import { VaultLockOptions } from './vault-lock';

/** Properties of `BackupVaults`. */
export interface BackupVaultsProps {
  /** The schedule and retention of every tier. */
  readonly policy: RetentionPolicy;
  /**
   * Database instances to back up on every tier, selected by ARN.
   *
   * @default - none
   */
  readonly databases?: rds.IDatabaseInstance[];
  /**
   * Database instances that also get point-in-time recovery through AWS Backup
   * continuous backup (1 to 35 days, `policy.pointInTimeRecovery`). A read replica has no
   * continuous backup of its own: name its source instead.
   *
   * @default - none
   */
  readonly pointInTimeDatabases?: rds.IDatabaseInstance[];
  /**
   * Further resources to back up on every tier, by ARN or construct (not by tag).
   *
   * @default - none
   */
  readonly resources?: backup.BackupResource[];
  /**
   * Vault Lock in compliance mode on both vaults of this construct.
   *
   * @default - cooling-off 3 days, minimum retention 1 day, no maximum
   */
  readonly lock?: VaultLockOptions;
  /**
   * The name of the off-site vault in each of the policy's `offSiteCopies` regions
   * (a `RecoveryVault` there). It is referred to by a name, never by a cross-region reference.
   *
   * @default RecoveryVault.DEFAULT_VAULT_NAME
   */
  readonly offSiteVaultName?: string;
  /**
   * The lock of the off-site vaults, used to check that every copy fits in it.
   *
   * @default - the same as `lock`; with `offSiteLogicallyAirGapped`, the defaults of an
   * air-gapped `RecoveryVault` (7 days minimum, 36500 days maximum)
   */
  readonly offSiteLock?: VaultLockOptions;
  /**
   * The off-site vaults are logically air-gapped `RecoveryVault`s: their lock is checked
   * with the same limits (a minimum retention of at least 7 days, 7 days by default, and a
   * maximum of 36500 days by default), so that a tier kept shorter, or indefinitely, fails
   * at synth instead of every copy job failing.
   *
   * @default false
   */
  readonly offSiteLogicallyAirGapped?: boolean;
  /**
   * The key that encrypts the recovery points and the notification topic.
   *
   * @default - a new customer-managed key with yearly rotation, retained
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the vaults and the key when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Jobs whose outcome the vaults report to the notification topic. */
const NOTIFICATION_EVENTS = [
  backup.BackupVaultEvents.BACKUP_JOB_COMPLETED,
  backup.BackupVaultEvents.BACKUP_JOB_FAILED,
  backup.BackupVaultEvents.BACKUP_JOB_EXPIRED,
  backup.BackupVaultEvents.COPY_JOB_FAILED,
  backup.BackupVaultEvents.RESTORE_JOB_COMPLETED,
  backup.BackupVaultEvents.RECOVERY_POINT_MODIFIED,
];

/** Tiers kept in the archive vault: month-end and year-end copies are stored apart from the daily ones. */
const ARCHIVE_VAULT_TIERS = ['Monthly', 'Quarterly', 'HalfYearly', 'Yearly'];

/**
 * AWS Backup for the tiers of a `RetentionPolicy`: two locked vaults (the rolling, weekly
 * and fortnightly copies in one, month-end and year-end archives in the other), each
 * encrypted with a customer-managed key and denying recovery-point deletion; a plan with
 * one rule per tier and copy actions to the off-site vaults; a continuous-backup plan for
 * point-in-time recovery; selections by resource ARN; and an encrypted, TLS-only SNS topic
 * that receives job notifications.
 *
 * Subscribe to `notificationTopic` with the filter policy `{"State": [{"anything-but": "COMPLETED"}]}`
 * to hear only about failed, expired and aborted jobs.
 */
export class BackupVaults extends Construct {
  /** The vault of the rolling, weekly and fortnightly tiers and of continuous backups. */
  public readonly vault: backup.IBackupVault;
  /** The vault of the monthly, quarterly, half-yearly and yearly tiers. */
  public readonly archiveVault: backup.IBackupVault;
  /** The plan of the snapshot tiers. */
  public readonly plan: backup.IBackupPlan;
  /** The continuous-backup plan, when `pointInTimeDatabases` is not empty. */
  public readonly pointInTimePlan?: backup.IBackupPlan;
  /** The key that encrypts the recovery points and the topic. */
  public readonly encryptionKey: kms.IKey;
  /** Receives the vaults' job notifications. */
  public readonly notificationTopic: sns.Topic;
  /** The role AWS Backup uses to take backups of the selected resources. */
  public readonly backupRole: iam.IRole;
  /** The role to pass to AWS Backup when starting a restore job. */
  public readonly restoreRole: iam.IRole;
  /** The ARNs of the off-site vaults that receive copies. */
  public readonly offSiteVaultArns: string[];
  private readonly offSiteCopies: OffSiteCopy[];
  private readonly copiesOffSite: boolean;
  /** Where the off-site copies were set, for messages. */
  private readonly copiesSetting: CopiesSetting;

  constructor(scope: Construct, id: string, props: BackupVaultsProps) {
    super(scope, id);
    const path = this.node.path;
    const policy = props.policy;
    const pitrDatabases = props.pointInTimeDatabases ?? [];
    for (const [prop, list] of [['databases', props.databases ?? []], ['pointInTimeDatabases', pitrDatabases]] as const) {
      refuseRepeatedEntries(this, prop, list.map((db) => db.instanceArn), 'database instance', list.map((db) => db.node.path));
    }
    // The archive tiers and the continuous-backup plan start within the window; the rolling tier within the hour.
    validatePolicy(this, 'policy', policy, { windowDuration: policy.archives.length > 0 || pitrDatabases.length > 0, pointInTimeRecovery: pitrDatabases.length > 0 });
    const tiers = compileTiers(policy);
    const lock = renderVaultLock(this, 'lock', props.lock);
    this.offSiteCopies = policy.offSiteCopies;
    const policySetting = policySettingOf(props) ?? { scope: this, prop: 'policy' };
    this.copiesSetting = { scope: policySetting.scope, prop: `${policySetting.prop}.offSiteCopies` };
    this.copiesOffSite = tiers.some((t) => t.offSite);
    // The continuous-backup plan keeps its backups in `vault`, under this lock.
    validateAgainstLock(this, 'lock', policy, lock, { tiers, continuousBackups: pitrDatabases.length > 0 });
    checkOffSiteVaultProps(this, props);
    if (policy.offSiteCopies.length > 0) {
      // An air-gapped vault cannot have the primary vaults' lock (its minimum is at least 7
      // days): without `offSiteLock` it has the air-gapped defaults.
      const airGapped = props.offSiteLogicallyAirGapped === true;
      const offSiteLockProp = props.offSiteLock || airGapped ? 'offSiteLock' : 'lock';
      const offSiteLock = renderVaultLock(this, offSiteLockProp, props.offSiteLock ?? (airGapped ? undefined : props.lock), { logicallyAirGapped: airGapped });
      validateAgainstLock(this, offSiteLockProp, policy, offSiteLock, { tiers: tiers.filter((t) => t.offSite), continuousBackups: false });
    }
    const stack = Stack.of(this);
    for (const copy of policy.offSiteCopies) {
      checkCopyLeavesVaults(this, stack, copy);
    }

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: fitPathDescription(`Encrypts the recovery points and notifications of ${path}`, path, RULES.KMS_KEY),
      enableKeyRotation: true,
      removalPolicy,
    });
    this.notificationTopic = new sns.Topic(this, 'Notifications', {
      displayName: 'AWS Backup job notifications',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    const backupService = new iam.ServicePrincipal('backup.amazonaws.com');
    if (!props.encryptionKey) {
      // Grants on the key only for AWS services acting for a resource (Control Tower CT.KMS.PR.3).
      this.encryptionKey.addToResourcePolicy(denyGrantsExceptForAwsResources());
    }

    const vaultProps: backup.BackupVaultProps = {
      encryptionKey: this.encryptionKey,
      lockConfiguration: lock,
      blockRecoveryPointDeletion: true,
      notificationTopic: this.notificationTopic,
      notificationEvents: NOTIFICATION_EVENTS,
      removalPolicy,
    };
    this.vault = new backup.BackupVault(this, 'Vault', vaultProps);
    this.archiveVault = new backup.BackupVault(this, 'ArchiveVault', vaultProps);

    this.offSiteVaultArns = policy.offSiteCopies.map((c) => RecoveryVault.arnOf(this, c.region, c.account, props.offSiteVaultName));
    const offSiteVaults = this.offSiteVaultArns.map((arn, i) => backup.BackupVault.fromBackupVaultArn(this, `OffSiteVault${i + 1}`, arn));

    const plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `${Names.uniqueResourceName(this, { maxLength: 40 })}-tiers`,
      backupVault: this.vault,
      backupPlanRules: tiers.map((tier) => this.rule(policy, tier, ARCHIVE_VAULT_TIERS.includes(tier.name) ? this.archiveVault : this.vault, offSiteVaults)),
    });
    this.plan = plan;

    this.backupRole = new iam.Role(this, 'BackupRole', {
      assumedBy: backupService,
      description: fitPathDescription(`AWS Backup takes the backups of ${path}`, path, RULES.ROLE),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup')],
    });
    this.restoreRole = new iam.Role(this, 'RestoreRole', {
      assumedBy: backupService,
      description: fitPathDescription(`AWS Backup restores the recovery points of ${path}`, path, RULES.ROLE),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores')],
    });
    for (const [role, managedPolicy] of [[this.backupRole, 'AWSBackupServiceRolePolicyForBackup'], [this.restoreRole, 'AWSBackupServiceRolePolicyForRestores']] as const) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${managedPolicy}]`,
        reason: 'The AWS managed AWS Backup service policy follows every resource type and API change AWS Backup makes; AWS Backup may only act on the resources the selection names by ARN.',
      });
    }

    const resources = [
      ...(props.databases ?? []).map((db) => backup.BackupResource.fromArn(db.instanceArn)),
      ...(props.resources ?? []),
    ];
    if (this.copiesOffSite) {
      checkRdsCopies(this.copiesSetting.scope, this.copiesSetting.prop, policy.offSiteCopies, [
        ...(props.databases ?? []).map((db) => `database ${db.node.path}`),
        ...rdsArnsOf(props.resources ?? []),
      ]);
    }
    if (resources.length > 0) {
      const selection = plan.addSelection('Selection', { resources, role: this.backupRole });
      BackupMetadata.describe(selection, { role: BackupRole.BACKUP_SELECTION, description: 'The resources backed up on every tier, by ARN', targets: props.databases ?? [] });
    }

    if (pitrDatabases.length > 0) {
      const pointInTimePlan = new backup.BackupPlan(this, 'PointInTimePlan', {
        backupPlanName: `${Names.uniqueResourceName(this, { maxLength: 40 })}-point-in-time`,
        backupVault: this.vault,
        backupPlanRules: [new backup.BackupPlanRule({
          ruleName: 'PointInTime',
          enableContinuousBackup: true,
          deleteAfter: policy.pointInTimeRecovery,
          scheduleExpression: events.Schedule.expression(`cron(0 ${policy.windowStartHour} * * ? *)`),
          scheduleExpressionTimezone: policy.timeZone,
          startWindow: policy.windowDuration,
          completionWindow: Duration.days(7),
          backupVault: this.vault,
        })],
      });
      this.pointInTimePlan = pointInTimePlan;
      const selection = pointInTimePlan.addSelection('Selection', {
        resources: pitrDatabases.map((db) => backup.BackupResource.fromArn(db.instanceArn)),
        role: this.backupRole,
      });
      BackupMetadata.describe(pointInTimePlan, { role: BackupRole.BACKUP_PLAN, description: `Continuous backup: point-in-time recovery for ${policy.pointInTimeRecovery.toDays()} days` });
      BackupMetadata.describe(selection, { role: BackupRole.BACKUP_SELECTION, description: 'The databases with point-in-time recovery, by ARN', targets: pitrDatabases });
    }

    const copiedTo = policy.offSiteCopies.map((c) => (c.account === undefined ? c.region : `${c.region} (account ${c.account})`));
    BackupMetadata.describe(plan, {
      role: BackupRole.BACKUP_PLAN,
      description: tiers.map((tier) => describeTier(tier, {
        timeZone: policy.timeZone.timezoneName,
        kept: keptByAwsBackup(tier),
        coldAfterDays: tier.coldAfterDays,
        coldStorageScope: AWS_BACKUP_COLD_STORAGE_SCOPE,
        copiedTo: tier.offSite ? copiedTo : [],
      })).join('; '),
    });
    BackupMetadata.describe(this.vault, { role: BackupRole.BACKUP_VAULT, description: 'Locked AWS Backup vault of the rolling, weekly and fortnightly copies and of continuous backups' });
    BackupMetadata.describe(this.archiveVault, { role: BackupRole.BACKUP_VAULT, description: 'Locked AWS Backup vault of the month-end, quarter-end, half-year and year-end copies' });
    BackupMetadata.describe(this.notificationTopic, { role: BackupRole.NOTIFICATION, description: 'AWS Backup job notifications of the vaults' });
    if (!props.encryptionKey) {
      BackupMetadata.describe(this.encryptionKey, { role: BackupRole.ENCRYPTION_KEY, description: 'Encrypts the recovery points and the notifications' });
    }
  }

  /**
   * Backs up more resources on every tier, selected by ARN or construct (not by tag): a new
   * selection of the tier plan. The backup role carries the AWS Backup service policy for
   * backups; S3 buckets additionally need `AWSBackupServiceRolePolicyForS3Backup` on `backupRole`.
   */
  public addSelection(id: string, resources: backup.BackupResource[]): backup.BackupSelection {
    if (resources.length === 0) {
      throw new Error(`${this.node.path}: \`addSelection\` needs at least one resource, got none for '${id}'`);
    }
    if (this.copiesOffSite) {
      failOnSelectedRdsCopies(this, id, this.copiesSetting, this.offSiteCopies, rdsArnsOf(resources));
    }
    const selection = (this.plan as backup.BackupPlan).addSelection(id, { resources, role: this.backupRole });
    BackupMetadata.describe(selection, { role: BackupRole.BACKUP_SELECTION, description: 'Resources backed up on every tier, by ARN' });
    return selection;
  }

  /**
   * Lets a principal list and read these vaults' recovery points, start restore jobs and pass
   * the restore role to AWS Backup. Starting a restore and reading a recovery point's details
   * are allowed for any recovery point of this account and region (as a recovery point ARN, an
   * RDS snapshot named awsbackup:*, an EBS snapshot or an AMI) and for these vaults: AWS's pages
   * name each of these forms as the actions' resource, and AWS Backup has no condition key
   * naming the vault for them.
   */
  public grantRestore(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['backup:StartRestoreJob', 'backup:DescribeRecoveryPoint', 'backup:GetRecoveryPointRestoreMetadata'],
      resourceArns: recoveryPointRestoreResources(stack, { vaults: [this.vault.backupVaultArn, this.archiveVault.backupVaultArn], ec2: true }),
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['backup:ListRecoveryPointsByBackupVault', 'backup:DescribeBackupVault'],
      resourceArns: [this.vault.backupVaultArn, this.archiveVault.backupVaultArn],
    });
    this.restoreRole.grantPassRole(grantee.grantPrincipal);
    return grant;
  }

  private rule(policy: RetentionPolicy, tier: CompiledTier, vault: backup.IBackupVault, offSiteVaults: backup.IBackupVault[]): backup.BackupPlanRule {
    const rolling = tier.frequency === undefined;
    const deleteAfter = tier.deleteAfterDays === undefined ? undefined : Duration.days(tier.deleteAfterDays);
    const moveToColdStorageAfter = tier.coldAfterDays === undefined ? undefined : Duration.days(tier.coldAfterDays);
    return new backup.BackupPlanRule({
      ruleName: tier.name,
      backupVault: vault,
      scheduleExpression: events.Schedule.expression(tier.cron),
      scheduleExpressionTimezone: policy.timeZone,
      // The rolling tier must start within the hour so that consecutive copies do not pile up.
      startWindow: rolling ? Duration.hours(1) : policy.windowDuration,
      completionWindow: rolling ? Duration.hours(Math.max(2, tier.intervalHours!)) : Duration.days(7),
      deleteAfter,
      moveToColdStorageAfter,
      copyActions: tier.offSite ? offSiteVaults.map((destinationBackupVault) => ({ destinationBackupVault, deleteAfter, moveToColdStorageAfter })) : undefined,
      recoveryPointTags: { 'cdk-backup-dr:tier': tier.name },
    });
  }
}

/** How long AWS Backup keeps a tier's copies: whole days, so the rolling tier's hours are rounded up. */
function keptByAwsBackup(tier: CompiledTier): string {
  if (tier.deleteAfterDays === undefined) {
    return 'kept indefinitely';
  }
  const days = `kept ${tier.deleteAfterDays} ${tier.deleteAfterDays === 1 ? 'day' : 'days'}`;
  return tier.retentionHours !== undefined && tier.retentionHours !== tier.deleteAfterDays * 24
    ? `${days} (${tier.retentionHours} hours rounded up to whole days)`
    : days;
}


/**
 * The off-site vault props describe the vaults that receive `policy.offSiteCopies`: without
 * copies they would be ignored, and a name AWS Backup refuses makes every copy job fail.
 */
function checkOffSiteVaultProps(scope: Construct, props: BackupVaultsProps): void {
  const path = scope.node.path;
  const name = props.offSiteVaultName;
  if (name !== undefined && !Token.isUnresolved(name) && !BACKUP_VAULT_NAME.test(name)) {
    throw new Error(`${path}: \`offSiteVaultName\` must be 2 to 50 letters, digits, - or _, got '${name}'`);
  }
  if (props.policy.offSiteCopies.length > 0) {
    return;
  }
  const given = [
    name !== undefined ? `offSiteVaultName '${name}'` : undefined,
    props.offSiteLock !== undefined ? 'offSiteLock' : undefined,
    props.offSiteLogicallyAirGapped !== undefined ? `offSiteLogicallyAirGapped ${props.offSiteLogicallyAirGapped}` : undefined,
  ].filter((g): g is string => g !== undefined);
  if (given.length > 0) {
    throw new Error(`${path}: \`offSiteVaultName\`, \`offSiteLock\` and \`offSiteLogicallyAirGapped\` apply only to the vaults that receive \`policy.offSiteCopies\`; add the copies or leave them out, got ${given.join(', ')} and no off-site copies`);
  }
}
/**
 * Fails when an off-site copy provably goes to the vaults' own region and account (the copy
 * is then no off-site copy); warns when a token keeps synth from telling, and says which.
 */
function checkCopyLeavesVaults(scope: Construct, stack: Stack, copy: OffSiteCopy): void {
  const region = equalityAtDeploy(stack, copy.region, stack.region);
  const account = copy.account === undefined ? 'same' : equalityAtDeploy(stack, copy.account, stack.account);
  if (region === 'different' || account === 'different') {
    return;
  }
  const check = 'of `policy.offSiteCopies` that the copy goes to another region or account than the vaults\'';
  if (region === 'unknown') {
    warnUncheckedToken(scope, 'policy.offSiteCopies', check,
      'AWS Backup copies to the vault of that name in the region the token resolves to, which is no off-site copy when it is the vaults\' own region and account',
      Token.isUnresolved(copy.region) ? 'the region of an off-site copy' : 'the stack\'s region (an environment-agnostic stack)');
    return;
  }
  const own = describeAtDeploy(stack, stack.region);
  if (account === 'unknown') {
    warnUncheckedToken(scope, 'policy.offSiteCopies', check,
      `AWS Backup copies to the vault of that name in the account the token resolves to, which is no off-site copy when it is the vaults' own account (the region, ${own}, is theirs)`,
      Token.isUnresolved(copy.account!) ? `the account of the off-site copy to ${own}` : 'the stack\'s account (an environment-agnostic stack)');
    return;
  }
  const ownAccount = copy.account === undefined ? '' : ` in account ${describeAtDeploy(stack, stack.account)}`;
  const copyAccount = copy.account === undefined ? '' : ` in account ${describeAtDeploy(stack, copy.account)}`;
  const same = Token.isUnresolved(copy.region) || copy.account !== undefined ? ', the same' : '';
  throw new Error(`${scope.node.path}: \`policy.offSiteCopies\` must name another region or account than the vaults' own (${own}${ownAccount}), got ${describeAtDeploy(stack, copy.region)}${copyAccount}${same}`);
}
