/** A stack with a MySQL instance, its replica and a DatabaseRestore, for the restore tests. */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { DatabaseRestore, DatabaseRestoreProps } from '../../lib/restore/database-restore';

export interface RestoreFixture {
  readonly stack: Stack;
  readonly restore: DatabaseRestore;
  readonly database: rds.DatabaseInstance;
  readonly replica: rds.DatabaseInstanceReadReplica;
  readonly key: kms.Key;
  readonly vpc: ec2.Vpc;
}

/** A stack `Stack` with a database `Db`, a replica `Replica` and a DatabaseRestore `Restore` (or `id`). */
export function restoreFixture(app: App = new App(), props: Partial<DatabaseRestoreProps> = {}, id = 'Restore'): RestoreFixture {
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  const database = new rds.DatabaseInstance(stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0_42 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    storageEncryptionKey: key,
    backupRetention: Duration.days(7),
  });
  const replica = new rds.DatabaseInstanceReadReplica(stack, 'Replica', {
    sourceDatabaseInstance: database,
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MEDIUM),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  });
  const restore = new DatabaseRestore(stack, id, {
    database, credentials: database.secret!, vpc, encryptionKey: key, replicas: [replica], ...props,
  });
  return { stack, restore, database, replica, key, vpc };
}
