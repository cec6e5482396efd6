import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { BackupDisasterRecoveryTarget } from '../lib/backup-disaster-recovery';
import { RecoveryBuckets } from '../lib/buckets/recovery-buckets';
import { RecoveryVault } from '../lib/vault/recovery-vault';

/** The alias of the key that encrypts the off-site EBS snapshot copies (`BackupDisasterRecoveryTarget.EBS_COPY_KEY_ALIAS`). */
export const EBS_COPY_KEY_ALIAS = BackupDisasterRecoveryTarget.EBS_COPY_KEY_ALIAS;

/** Properties of the reference app's recovery stack. */
export interface RecoveryStackProps extends StackProps {
  /**
   * The primary region, checked to differ from this stack's region.
   * @default - not checked
   */
  readonly primaryRegion?: string;
}

/**
 * The disaster-recovery region of the reference app: one `BackupDisasterRecoveryTarget`
 * (the locked off-site vault, the replica buckets, the EBS copy key, the coverage guard).
 */
export class RecoveryStack extends Stack {
  /** The off-site half of the backups; the fields below are its children. */
  public readonly backupDisasterRecoveryTarget: BackupDisasterRecoveryTarget;
  /** The locked AWS Backup vault that receives the copies of every tier (found by its name `RecoveryVault.DEFAULT_VAULT_NAME`). */
  public readonly offSiteVault: RecoveryVault;
  /** Encrypts the off-site EBS snapshot copies: pass its ARN (output `EbsCopyKeyArn`) to the primary stack with `-c ebsCopyKeyArn=...`. */
  public readonly ebsCopyKey: kms.IKey;
  /** The replicas of the primary region's backup buckets (deterministic names, key alias `RecoveryBuckets.KEY_ALIAS`). */
  public readonly offSiteBuckets: RecoveryBuckets;

  constructor(scope: Construct, id: string, props: RecoveryStackProps) {
    super(scope, id, props);
    // The id `Default`: CDK leaves it out of the children's logical ids, so the EBS copy key
    // keeps the logical id it had when this stack wired it by hand. (The vault and the buckets
    // are the construct's `Vault` and `Buckets`, where this stack had `OffSiteVault` and
    // `OffSiteBuckets`: their logical ids changed with the switch.)
    const target = new BackupDisasterRecoveryTarget(this, 'Default', {
      ownerEmail: this.node.tryGetContext('backupOwner') ?? 'backup-owner@example.com',
      primaryRegion: props.primaryRegion,
    });
    this.backupDisasterRecoveryTarget = target;
    this.offSiteVault = target.vault;
    this.offSiteBuckets = target.buckets;
    this.ebsCopyKey = target.ebsCopyKey;
    new CfnOutput(this, 'EbsCopyKeyArn', {
      description: 'Pass to the primary stack as -c ebsCopyKeyArn=<this value>: Data Lifecycle Manager encrypts the off-site EBS snapshot copies with it',
      value: this.ebsCopyKey.keyArn,
    });
  }
}
