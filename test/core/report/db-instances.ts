/**
 * The RDS DB instances the report tests build their cases in: a small encrypted instance, and a
 * read replica of one. Each test passes what its case is about (the backup window, the retention).
 */
import { Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';

/** A db.t3.micro DB instance `id` of 20 GiB, encrypted, of MySQL unless `props` give another engine. */
export function smallInstance(stack: Stack, id: string, props: Partial<rds.CfnDBInstanceProps> = {}): rds.CfnDBInstance {
  return new rds.CfnDBInstance(stack, id, { engine: 'mysql', dbInstanceClass: 'db.t3.micro', allocatedStorage: '20', storageEncrypted: true, ...props });
}

/** A db.t3.micro read replica `id` of `source`, its automated backups kept `backupRetentionPeriod` days. */
export function readReplica(stack: Stack, id: string, source: string, backupRetentionPeriod: number, props: Partial<rds.CfnDBInstanceProps> = {}): rds.CfnDBInstance {
  return new rds.CfnDBInstance(stack, id, { dbInstanceClass: 'db.t3.micro', sourceDbInstanceIdentifier: source, backupRetentionPeriod, ...props });
}
