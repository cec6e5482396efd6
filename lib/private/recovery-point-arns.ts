import { ArnFormat, Stack } from 'aws-cdk-lib';

/**
 * The resources that restore actions of AWS Backup (StartRestoreJob,
 * GetRecoveryPointRestoreMetadata, DescribeRecoveryPoint) are granted on, for recovery points
 * of the stack's account and region.
 *
 * AWS's own pages disagree on what IAM checks these actions against, and a restore refused
 * during an incident costs far more than a grant one pattern wider, so every documented form
 * is granted:
 * - the Service Authorization Reference names the recoveryPoint resource type,
 *   `arn:...:backup:<region>:<account>:recovery-point:<id>`;
 * - the AWS Backup Developer Guide ("Access control", API permissions table) names backup
 *   vaults for all three actions (and recovery points for StartRestoreJob), and its resource
 *   table gives an RDS recovery point the ARN of its snapshot,
 *   `arn:...:rds:<region>:<account>:snapshot:awsbackup:<job>`, and an EBS or EC2 recovery
 *   point that of its snapshot or image (`ec2`: for vaults that may hold those).
 * `vaults` narrows the vault form to the vaults given (default: any vault of the account and region).
 */
export function recoveryPointRestoreResources(stack: Stack, options: { vaults?: string[]; ec2?: boolean } = {}): string[] {
  const colon = ArnFormat.COLON_RESOURCE_NAME;
  const resources = [
    stack.formatArn({ service: 'backup', resource: 'recovery-point', resourceName: '*', arnFormat: colon }),
    ...(options.vaults ?? [stack.formatArn({ service: 'backup', resource: 'backup-vault', resourceName: '*', arnFormat: colon })]),
    stack.formatArn({ service: 'rds', resource: 'snapshot', resourceName: 'awsbackup:*', arnFormat: colon }),
  ];
  if (options.ec2) {
    // EBS snapshots and AMIs have no account in their ARN.
    resources.push(
      stack.formatArn({ service: 'ec2', account: '', resource: 'snapshot', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      stack.formatArn({ service: 'ec2', account: '', resource: 'image', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    );
  }
  return resources;
}
