/** The stack every DatabaseDumpJob test builds: a VPC, an imported replica and secret, replicated BackupBuckets. */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BackupBuckets } from '../../lib/buckets/backup-buckets';
import { DatabaseDumpJob, DatabaseDumpJobProps } from '../../lib/dump/database-dump-job';

export function dumpJobStack(stack: Stack, overrides: Partial<DatabaseDumpJobProps> = {}): DatabaseDumpJob {
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const databaseSecurityGroup = new ec2.SecurityGroup(stack, 'DbSg', { vpc });
  const replica = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Replica', {
    instanceIdentifier: 'replica', instanceEndpointAddress: 'replica.example.internal', port: 3307, securityGroups: [databaseSecurityGroup],
  });
  const credentials = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf');
  const buckets = new BackupBuckets(stack, 'Buckets', { replication: { region: 'eu-central-1' } });
  return new DatabaseDumpJob(stack, 'Dump', {
    vpc, replica, credentials, dailyBucket: buckets.dailyBucket, archiveBucket: buckets.archiveBucket, encryptionKey: key, ...overrides,
  });
}

