import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ACCOUNT_ID, BACKUP_VAULT_NAME } from '../private/aws-identifiers';
import { denyGrantsExceptForAwsResources } from '../private/key-policy';
import { warnUncheckedToken } from '../private/unchecked-token';
import { renderVaultLock } from './render-lock';
import { VaultLockOptions } from './vault-lock';

/** Properties of a `RecoveryVault`. */
export interface RecoveryVaultProps {
  /**
   * The vault's name. The primary region's `BackupVaults` finds the vault by this name
   * (`offSiteVaultName`), so both must agree.
   *
   * @default RecoveryVault.DEFAULT_VAULT_NAME
   */
  readonly backupVaultName?: string;
  /**
   * Vault Lock in compliance mode. A logically air-gapped vault always has a maximum
   * retention (AWS requires one): 36500 days when none is given; its minimum retention
   * must be at least 7 days (the AWS minimum). Every duration is a whole number of days.
   *
   * @default - cooling-off 3 days, minimum retention 1 day (7 days for a logically air-gapped vault), no maximum
   */
  readonly lock?: VaultLockOptions;
  /**
   * Create a logically air-gapped vault (`AWS::Backup::LogicallyAirGappedBackupVault`):
   * its recovery points live in an AWS-owned account and can be shared for recovery
   * through AWS RAM even when this account is compromised.
   *
   * @default false
   */
  readonly logicallyAirGapped?: boolean;
  /**
   * Other accounts whose AWS Backup may copy recovery points into this vault.
   *
   * @default - only this account
   */
  readonly sourceAccounts?: string[];
  /**
   * The key that encrypts the recovery points.
   *
   * @default - a new customer-managed key with yearly rotation, retained
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the vault and its key when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The off-site AWS Backup vault in the disaster-recovery region (or account): encrypted
 * with a customer-managed key, locked in compliance mode, recovery-point deletion denied.
 * It receives the copy actions of `BackupVaults`. Deploy it in its own stack in the
 * disaster-recovery region; the primary region refers to it by its deterministic name.
 */
export class RecoveryVault extends Construct {
  /** The default name of the off-site vault, shared with `BackupVaults.offSiteVaultName`. */
  public static readonly DEFAULT_VAULT_NAME = 'cdk-backup-dr-offsite';

  /**
   * The ARN of an off-site vault, built from plain strings (no cross-region reference).
   *
   * @param scope any construct in the stack that refers to the vault (gives the partition and the default account)
   * @param region the vault's region
   * @param account the vault's account; the scope's account when undefined
   * @param backupVaultName the vault's name; `RecoveryVault.DEFAULT_VAULT_NAME` when undefined
   */
  public static arnOf(scope: Construct, region: string, account?: string, backupVaultName?: string): string {
    const stack = Stack.of(scope);
    return stack.formatArn({
      service: 'backup',
      region,
      account: account ?? stack.account,
      resource: 'backup-vault',
      resourceName: backupVaultName ?? RecoveryVault.DEFAULT_VAULT_NAME,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** The vault's name. */
  public readonly backupVaultName: string;
  /** The vault's ARN. */
  public readonly backupVaultArn: string;
  /** The key that encrypts the recovery points. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props?: RecoveryVaultProps) {
    super(scope, id);
    props = props ?? {};
    const name = props.backupVaultName ?? RecoveryVault.DEFAULT_VAULT_NAME;
    if (Token.isUnresolved(name)) {
      warnUncheckedToken(this, 'backupVaultName', 'that it is 2 to 50 letters, digits, - or _', 'AWS Backup decides at deploy whether it accepts the name');
    } else if (!BACKUP_VAULT_NAME.test(name)) {
      throw new Error(`${this.node.path}: \`backupVaultName\` must be 2 to 50 letters, digits, - or _, got '${name}'`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const lock = renderVaultLock(this, 'lock', props.lock, { logicallyAirGapped: props.logicallyAirGapped });
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the off-site recovery points in the AWS Backup vault ${name}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    if (!props.encryptionKey) {
      // Grants on the key only for AWS services acting for a resource (Control Tower CT.KMS.PR.3).
      this.encryptionKey.addToResourcePolicy(denyGrantsExceptForAwsResources());
    }

    const accessPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'DenyRecoveryPointDeletion',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
          resources: ['*'],
        }),
      ],
    });
    const sourceAccounts = props.sourceAccounts ?? [];
    // A token account is passed on as it is: IAM refuses a malformed principal at deploy.
    sourceAccounts.forEach((account, index) => {
      if (!Token.isUnresolved(account) && !ACCOUNT_ID.test(account)) {
        throw new Error(`${this.node.path}: \`sourceAccounts\` must hold 12-digit AWS account IDs (without dashes), got '${account}'`);
      }
      if (sourceAccounts.indexOf(account) < index) {
        throw new Error(`${this.node.path}: \`sourceAccounts\` may name each account once, got '${account}' twice`);
      }
    });
    if (sourceAccounts.length > 0) {
      accessPolicy.addStatements(new iam.PolicyStatement({
        sid: 'AllowCopyFromSourceAccounts',
        principals: sourceAccounts.map((a) => new iam.AccountPrincipal(a)),
        actions: ['backup:CopyIntoBackupVault'],
        resources: ['*'],
      }));
    }

    if (props.logicallyAirGapped) {
      const vault = new backup.CfnLogicallyAirGappedBackupVault(this, 'Resource', {
        backupVaultName: name,
        encryptionKeyArn: this.encryptionKey.keyArn,
        minRetentionDays: lock.minRetention.toDays(),
        // Always set for an air-gapped vault (AWS requires a maximum).
        maxRetentionDays: lock.maxRetention!.toDays(),
        accessPolicy: accessPolicy.toJSON(),
      });
      vault.applyRemovalPolicy(removalPolicy);
    } else {
      new backup.BackupVault(this, 'Resource', {
        backupVaultName: name,
        encryptionKey: this.encryptionKey,
        accessPolicy,
        lockConfiguration: lock,
        removalPolicy,
      });
    }
    this.backupVaultName = name;
    this.backupVaultArn = RecoveryVault.arnOf(this, Stack.of(this).region, Stack.of(this).account, name);
  }
}
