/**
 * The calls `restore --dry-run` makes, run with mocked clients, against the actions
 * `grantDryRun` grants: every call is granted, and every granted action is called by some
 * request (kms:Decrypt is made by the services for the caller, not by the dry run).
 */
import { Readable } from 'node:stream';
import { BackupClient, GetRecoveryPointRestoreMetadataCommand, ListRecoveryPointsByResourceCommand } from '@aws-sdk/client-backup';
import { DescribeAvailabilityZonesCommand, DescribeInstancesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DBInstanceNotFoundFault, DescribeDBInstanceAutomatedBackupsCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, DescribeDBSubnetGroupsCommand, RDSClient,
} from '@aws-sdk/client-rds';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { sdkStreamMixin } from '@smithy/core/serde';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { buildRequest } from '../../cli/commands/restore';
import { dryRun } from '../../cli/commands/restore-dry-run';
import { serializeManifest } from '../../core/dump/manifest';
import { DumpRestoreWorkflow } from '../../lib/restore/dump-restore-workflow';
import { ObjectRestoreWorkflow } from '../../lib/restore/object-restore-workflow';
import { VolumeRestoreWorkflow } from '../../lib/restore/volume-restore-workflow';
import { restoreFixture } from './db-fixture';
import { restoreTestStack } from './workflow-fixture';

const mocks = {
  states: mockClient(SFNClient), lambda: mockClient(LambdaClient), rds: mockClient(RDSClient),
  backup: mockClient(BackupClient), ec2: mockClient(EC2Client), s3: mockClient(S3Client),
};
const clients = {
  sfn: new SFNClient({ region: 'eu-west-1' }), lambda: new LambdaClient({ region: 'eu-west-1' }), rds: new RDSClient({ region: 'eu-west-1' }),
  backup: new BackupClient({ region: 'eu-west-1' }), ec2: new EC2Client({ region: 'eu-west-1' }), s3: new S3Client({ region: 'eu-west-1' }),
};
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Restore';
const VALIDATE = 'arn:aws:lambda:eu-west-1:123456789012:function:Validate';
const NOW = new Date('2026-11-22T01:00:00Z');
/** The S3 operations whose IAM action has another name. */
const S3_ACTIONS: Record<string, string> = { HeadObject: 's3:GetObject', ListObjectVersions: 's3:ListBucketVersions', ListObjectsV2: 's3:ListBucket' };

beforeEach(() => {
  for (const mock of Object.values(mocks)) {
    mock.reset();
  }
});

function workflowWith(environment: Record<string, string>): void {
  const definition = { StartAt: 'Validate', States: { Validate: { Type: 'Task', Resource: VALIDATE, Parameters: { 'action': 'validate', 'input.$': '$' }, End: true } } };
  mocks.states.on(DescribeStateMachineCommand).resolves({ definition: JSON.stringify(definition) });
  mocks.lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: environment } });
}

/** The IAM actions of the calls the dry run of each command line made (whether it passed its checks or not). */
async function actionsCalled(commandLines: Array<[string, Record<string, string | boolean>]>): Promise<string[]> {
  for (const [subcommand, flags] of commandLines) {
    await dryRun(buildRequest(subcommand, flags), MACHINE, clients, NOW).catch(() => undefined);
  }
  const actions = Object.entries(mocks).flatMap(([service, mock]) => mock.calls().map((call) => {
    const operation = (call.args[0] as object).constructor.name.replace(/Command$/, '');
    return service === 's3' ? S3_ACTIONS[operation] ?? `s3:${operation}` : `${service}:${operation}`;
  }));
  return [...new Set(actions)].sort();
}

/** The actions granted to a new role by `grant`, without kms:Decrypt. */
function actionsGranted(stack: Stack, grant: (role: iam.IRole) => void): string[] {
  const role = new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() });
  grant(role);
  const roleRef = JSON.stringify([{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }]);
  const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === roleRef)
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>);
  return [...new Set(statements.flatMap((statement) => [statement.Action].flat()))].filter((action) => action !== 'kms:Decrypt').sort();
}

const notFound = () => new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} });

test('database: snapshot, point in time, and a recovery point once the source is gone', async () => {
  const { stack, restore } = restoreFixture();
  const granted = actionsGranted(stack, (role) => restore.grantDryRun(role));
  workflowWith({
    SOURCE_INSTANCE_ID: 'source-db', WORKFLOW_ID: 'Stack/Restore', REPLICA_INSTANCE_IDS: '', BACKUP_RESTORE_ROLE_ARN: 'arn:aws:iam::123456789012:role/restore',
    RESTORE_TIMEOUT_MINUTES: '720', SOURCE_SETTINGS: JSON.stringify({ arn: 'arn:aws:rds:eu-west-1:123456789012:db:source-db', subnetGroup: 'db-subnets', securityGroupIds: ['sg-1'], parameterGroup: null }),
  });
  const source = { DBInstanceIdentifier: 'source-db', DBInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:source-db', Engine: 'mysql', DBInstanceClass: 'db.r6g.large', DBSubnetGroup: { DBSubnetGroupName: 'db-subnets' }, DBParameterGroups: [{ DBParameterGroupName: 'p' }], LatestRestorableTime: new Date('2026-11-21T23:00:00Z') };
  mocks.rds.on(DescribeDBInstancesCommand).rejects(notFound());
  mocks.rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'source-db' }).resolves({ DBInstances: [source] });
  mocks.rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [{ Subnets: [{ SubnetAvailabilityZone: { Name: 'eu-west-1a' } }] }] });
  mocks.rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: 's1', Status: 'available', SnapshotCreateTime: new Date('2026-11-21T03:00:00Z') }] });
  mocks.rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: [{ RestoreWindow: { EarliestTime: new Date('2026-11-14T00:00:00Z') } }] });
  const live = await actionsCalled([
    ['db', { 'from-snapshot': 'newest', 'az': 'eu-west-1a' }],
    ['db', { 'to-time': '2026-11-21T12:00:00Z' }],
  ]);
  mocks.rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'source-db' }).rejects(notFound());
  mocks.backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-1', BackupVaultName: 'v', Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z') }] });
  mocks.backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { DBInstanceClass: 'db.r6g.large' } });
  const gone = await actionsCalled([['db', { 'from-recovery-point': 'newest' }]]);
  const called = [...new Set([...live, ...gone])].sort();
  expect(called).toEqual(granted);
});

test('dump: the manifest, the dump and the target', async () => {
  const fixture = restoreTestStack();
  const workflow = new DumpRestoreWorkflow(fixture.stack, 'DumpRestore', {
    vpc: fixture.vpc, encryptionKey: fixture.key, dumpBucket: fixture.dumpBucket, functionSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  const granted = actionsGranted(fixture.stack, (role) => workflow.grantDryRun(role));
  workflowWith({
    DAILY_BUCKET: 'dumps', ARCHIVE_BUCKET: '', IDENTIFIER_PREFIX: 'restored-', ENGINE: 'mysql', ENGINE_VERSION: '8.4.10', INSTANCE_CLASS: 'db.r7g.large',
    ALLOCATED_STORAGE: '100', SUBNET_GROUP: 'restore-subnets', SECURITY_GROUP_IDS: 'sg-1', KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/dump',
    PARAMETER_GROUP: '', BACKUP_RETENTION_DAYS: '7', AVAILABLE_WITHIN_MINUTES: '180', DATABASE_TLS: 'required', WORKFLOW_ID: 'c8dump0000000000000000000000000000000001',
  });
  const manifest = serializeManifest({
    version: 1, runId: 'r1', tier: 'daily', createdAt: '2026-11-21T02:00:00Z', source: { host: 'replica', engine: 'mysql', serverVersion: '8.4.10', gtidPosition: '' },
    replicationPaused: true, databases: ['shop'], tables: [{ schema: 'shop', table: 'orders', rows: 1, checksum: '00000000000000ff', hasPrimaryKey: true }],
    files: [{ key: 'daily/2026-11-21/r1/dump.sql.gz', bytes: 5000, sha256: 'a'.repeat(64) }],
  });
  mocks.s3.on(GetObjectCommand).callsFake(() => ({ Body: sdkStreamMixin(Readable.from([Buffer.from(manifest)])) }));
  mocks.s3.on(HeadObjectCommand).resolves({ ContentLength: 5000, StorageClass: 'STANDARD' });
  mocks.rds.on(DescribeDBInstancesCommand).rejects(notFound());
  // s3:ListBucket is no call: it makes S3 answer a missing manifest or dump with 404, which the check reports as such.
  const called = await actionsCalled([['db', { 'from-dump': 's3://dumps/daily/2026-11-21/r1/manifest.json', 'target': 'restored-shop' }]]);
  expect([...called, 's3:ListBucket'].sort()).toEqual(granted);
});

test('volume: the snapshot, the zones and the instance to attach to', async () => {
  const fixture = restoreTestStack();
  const workflow = new VolumeRestoreWorkflow(fixture.stack, 'VolumeRestore', { vpc: fixture.vpc, encryptionKey: fixture.key, functionSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const granted = actionsGranted(fixture.stack, (role) => workflow.grantDryRun(role));
  workflowWith({ ALLOWED_ZONES: 'eu-west-1a', KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/v', WORKFLOW_ID: 'w', READY_WITHIN_MINUTES: '120' });
  mocks.ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0123456789abcdef0', State: 'completed', VolumeSize: 10 }] });
  mocks.ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [{ ZoneName: 'eu-west-1a', State: 'available' }] });
  mocks.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ Placement: { AvailabilityZone: 'eu-west-1a' }, State: { Name: 'running' }, BlockDeviceMappings: [] }] }] });
  const attach = { 'snapshot': 'snap-0123456789abcdef0', 'attach': 'i-0123456789abcdef0', 'device': '/dev/sdf', 'confirm': 'i-0123456789abcdef0' };
  expect(await actionsCalled([['volume', attach]])).toEqual(granted);
});

test('objects: the target prefix, the planning scan and the objects an archive restore would retrieve', async () => {
  const fixture = restoreTestStack();
  const workflow = new ObjectRestoreWorkflow(fixture.stack, 'ObjectRestore', {
    vpc: fixture.vpc, encryptionKey: fixture.key, buckets: [fixture.dumpBucket], functionSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  const granted = actionsGranted(fixture.stack, (role) => workflow.grantDryRun(role));
  workflowWith({ SOURCE_BUCKETS: 'data', TARGET_BUCKETS: 'data', ARCHIVE_READY_WITHIN_MINUTES: '4320' });
  mocks.s3.on(ListObjectVersionsCommand).resolves({ Versions: [] });
  mocks.s3.on(ListObjectVersionsCommand, { Prefix: 'app/' }).resolves({ Versions: [{ Key: 'app/a', VersionId: 'v1', LastModified: new Date('2026-11-20T00:00:00Z'), Size: 1, IsLatest: true }] });
  mocks.s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'yearly/2025/dump.sql.gz', Size: 1, StorageClass: 'DEEP_ARCHIVE' }] });
  expect(await actionsCalled([
    ['objects', { bucket: 'data', prefix: 'app/', time: '2026-11-21T00:00:00Z' }],
    ['objects', { bucket: 'data', prefix: 'yearly/2025/', archive: true }],
  ])).toEqual(granted);
});
