import { Aspects, CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsResources } from '../lib/private/key-policy';
import { RecoveryBuckets } from '../lib/buckets/recovery-buckets';
import { RecoveryVault } from '../lib/vault/recovery-vault';
import { BackupCoverage } from '../lib/report/coverage';

/** The alias of the key that encrypts the off-site EBS snapshot copies. */
export const EBS_COPY_KEY_ALIAS = 'alias/cdk-backup-dr-ebs-copies';

/** The disaster-recovery region of the reference app: it receives the off-site copies. */
export class RecoveryStack extends Stack {
  /** The locked AWS Backup vault that receives the copies of every tier (found by its name `RecoveryVault.DEFAULT_VAULT_NAME`). */
  public readonly offSiteVault: RecoveryVault;
  /** Encrypts the off-site EBS snapshot copies: pass its ARN (output `EbsCopyKeyArn`) to the primary stack with `-c ebsCopyKeyArn=...`. */
  public readonly ebsCopyKey: kms.IKey;
  /** The replicas of the primary region's backup buckets (deterministic names, key alias `RecoveryBuckets.KEY_ALIAS`). */
  public readonly offSiteBuckets: RecoveryBuckets;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.offSiteVault = new RecoveryVault(this, 'OffSiteVault');
    this.offSiteBuckets = new RecoveryBuckets(this, 'OffSiteBuckets');
    // The coverage guard (issue 6): every bucket here is an off-site copy except the access logs.
    Aspects.of(this).add(new BackupCoverage({ owner: this.node.tryGetContext('backupOwner') ?? 'backup-owner@example.com' }));
    BackupCoverage.exempt(this.offSiteBuckets.logBucket, 'The server access logs of the off-site buckets: audit records about the backups, kept a year by a lifecycle rule, not data the backup policy protects.');
    const ebsCopyKey = new kms.Key(this, 'EbsCopyKey', {
      description: 'cdk-backup-dr reference app: encrypts the off-site copies of the EBS snapshots',
      alias: EBS_COPY_KEY_ALIAS,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    ebsCopyKey.addToResourcePolicy(denyGrantsExceptForAwsResources());
    this.ebsCopyKey = ebsCopyKey;
    new CfnOutput(this, 'EbsCopyKeyArn', {
      description: 'Pass to the primary stack as -c ebsCopyKeyArn=<this value>: Data Lifecycle Manager encrypts the off-site EBS snapshot copies with it',
      value: this.ebsCopyKey.keyArn,
    });
  }
}
