/**
 * `restore db --dry-run` runs the database workflow's Validate step (`validateRequest`) with
 * the configuration of the workflow's function, so it rejects what the workflow would reject.
 */
import { ListRecoveryPointsByResourceCommand } from '@aws-sdk/client-backup';
import {
  DBInstanceNotFoundFault, DescribeDBInstanceAutomatedBackupsCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, DescribeDBSubnetGroupsCommand, type DBInstance,
} from '@aws-sdk/client-rds';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { buildRequest, runRestore } from '../../cli/commands/restore';
import { EXECUTION_TAG, WORKFLOW_ID_TAG } from '../../core/restore-workflows/common';
import { instanceIdentifierFor } from '../../lambda/restore-db-steps/validate';
import { backup, capture, lambda, mockWorkflowConfiguration, rds, resetClients, sfn } from './restore-fixture';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:DatabaseRestore';
const WORKFLOW_ID = 'Stack/Restore';

const source: DBInstance = {
  DBInstanceIdentifier: 'orders',
  DBInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders',
  Engine: 'mysql',
  DBInstanceClass: 'db.r6g.large',
  DBSubnetGroup: { DBSubnetGroupName: 'orders-subnets' },
  VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }],
  DBParameterGroups: [{ DBParameterGroupName: 'orders-params' }],
  LatestRestorableTime: new Date('2026-11-22T00:55:00Z'),
};

beforeEach(() => {
  resetClients();
  mockWorkflowConfiguration({
    SOURCE_INSTANCE_ID: 'orders', REPLICA_INSTANCE_IDS: 'orders-replica', WORKFLOW_ID,
    BACKUP_RESTORE_ROLE_ARN: 'arn:aws:iam::123456789012:role/BackupRestore', RESTORE_TIMEOUT_MINUTES: '720', METRIC_NAMESPACE: 'CdkBackupDr',
  });
  rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} }));
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders' }).resolves({ DBInstances: [source] });
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders-replica' })
    .resolves({ DBInstances: [{ ...source, DBInstanceIdentifier: 'orders-replica', ReadReplicaSourceDBInstanceIdentifier: 'orders' }] });
  rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: [{ RestoreWindow: { EarliestTime: new Date('2026-11-15T00:00:00Z') } }] });
  rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [{ Subnets: [{ SubnetAvailabilityZone: { Name: 'eu-west-1a' } }, { SubnetAvailabilityZone: { Name: 'eu-west-1b' } }] }] });
  backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [] });
});

async function dryRun(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = capture();
  const code = await runRestore(['db', ...args, '--dry-run', '--state-machine', MACHINE], run.io);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Every call the dry run made, by service. */
function calls(): string[] {
  return [sfn, lambda, rds, backup].flatMap((client) => client.calls().map((call) => call.args[0].constructor.name));
}

test('a point in time inside the window passes, with the plan the workflow would follow, and only reads', async () => {
  const { code, stdout } = await dryRun('--to-time', '2026-11-21T04:15:00+01:00', '--target', 'orders-inc-42');
  expect(code).toBe(0);
  expect(stdout).toMatch(/The request passed the checks of arn:aws:states:eu-west-1:123456789012:stateMachine:DatabaseRestore/);
  expect(stdout).toMatch(/"time": "2026-11-21T03:15:00.000Z"/);
  expect(stdout).toMatch(/"identifier": "orders-inc-42"/);
  expect(calls().filter((name) => !/^(Describe|List|Get)/.test(name))).toEqual([]);
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

test.each([
  [['--to-time', '2026-11-10T00:00:00Z'], /`restoreTime` 2026-11-10T00:00:00.000Z is outside the point-in-time window of orders: 2026-11-15T00:00:00.000Z to 2026-11-22T00:55:00.000Z \(UTC\)/],
  [['--from-snapshot', 'newest'], /`snapshot`: orders has no available snapshot to restore/],
  [['--from-recovery-point', 'newest'], /`recoveryPoint`: orders has no completed AWS Backup recovery point/],
  [['--to-time', 'latest', '--target', 'orders'], /`targetIdentifier` must name a new instance, got orders, which is the live source/],
  [['--to-time', 'latest', '--target', 'orders-replica'], /`targetIdentifier` must name a new instance, got orders-replica, which is the live replica/],
  [['--to-time', 'latest', '--az', 'eu-west-1c'], /`availabilityZone` must be a zone of the subnet group orders-subnets \(eu-west-1a, eu-west-1b\), got "eu-west-1c"/],
  [['--promote-replica', 'orders-replica', '--confirm', 'orders'], /`confirm` must repeat the replica to promote \(orders-replica\)/],
  [['--promote-replica', 'orders'], /`replica` must be one of orders-replica, got "orders"/],
])('%j is rejected as the workflow would reject it, exit 2', async (args, message) => {
  const { code, stdout, stderr } = await dryRun(...args);
  expect(stderr).toMatch(message);
  expect(code).toBe(2);
  expect(stdout).not.toMatch(/passed/);
});

test('a target that exists and was not created by this request is rejected', async () => {
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders-copy' }).resolves({ DBInstances: [{ ...source, DBInstanceIdentifier: 'orders-copy', TagList: [] }] });
  const { code, stderr } = await dryRun('--to-time', 'latest', '--target', 'orders-copy');
  expect(code).toBe(2);
  expect(stderr).toMatch(/`targetIdentifier` orders-copy already exists and was not created by request/);
});

test.each([
  ['2026-11-20T00:00:00Z', 'running it resumes that restore'],
  ['latest', 'running it while that execution runs follows it; once it has ended, the workflow refuses it, as orders-copy exists: run it with another --target'],
])('a target this same request (--to-time %s) created passes, with a note on what running it does', async (time, says) => {
  const requestId = String(buildRequest('db', { 'to-time': time, 'target': 'orders-copy' }).input.requestId);
  // Created before the dry run: whether by an execution still running, one that ended, or one Step Functions has forgotten, the dry run cannot tell.
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders-copy' }).resolves({
    DBInstances: [{
      ...source, DBInstanceIdentifier: 'orders-copy', InstanceCreateTime: new Date('2026-11-21T00:00:00Z'),
      TagList: [{ Key: EXECUTION_TAG, Value: requestId }, { Key: WORKFLOW_ID_TAG, Value: WORKFLOW_ID }],
    }],
  });
  const { code, stdout } = await dryRun('--to-time', time, '--target', 'orders-copy');
  expect(code).toBe(0);
  expect(stdout).toContain(`Note: orders-copy was already created by this request (${requestId}): ${says}`);
});

test('a target derived from a latest-time request, created by it before, gets the note that a rerun after its end restores into a new instance', async () => {
  const requestId = String(buildRequest('db', { 'to-time': 'latest' }).input.requestId);
  const target = instanceIdentifierFor('restore', requestId);
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: target }).resolves({
    DBInstances: [{
      ...source, DBInstanceIdentifier: target, InstanceCreateTime: new Date('2026-11-21T00:00:00Z'),
      TagList: [{ Key: EXECUTION_TAG, Value: requestId }, { Key: WORKFLOW_ID_TAG, Value: WORKFLOW_ID }],
    }],
  });
  const { code, stdout } = await dryRun('--to-time', 'latest');
  expect(code).toBe(0);
  expect(stdout).toContain(`Note: ${target} was already created by this request (${requestId}): running it while that execution runs follows it; `
    + 'once it has ended, running it restores into a new instance; once Step Functions has forgotten that execution (90 days after it ended), '
    + 'the workflow refuses it: run it with --target <new instance id>');
});

test('the newest snapshot of the source is the one the plan names', async () => {
  rds.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: [
      { DBSnapshotIdentifier: 'nightly-1', Status: 'available', SnapshotCreateTime: new Date('2026-11-20T03:00:00Z') },
      { DBSnapshotIdentifier: 'nightly-2', Status: 'available', SnapshotCreateTime: new Date('2026-11-21T03:00:00Z') },
    ],
  });
  const run = capture();
  expect(await runRestore(['db', '--from-snapshot', 'newest', '--dry-run', '--json', '--state-machine', MACHINE], run.io)).toBe(0);
  expect(JSON.parse(run.stdout())).toMatchObject({ dryRun: true, workflow: 'database', checkedWith: expect.stringContaining(':function:'), plan: { snapshot: { identifier: 'nightly-2' }, target: { instanceClass: 'db.r6g.large' } } });
  const unknown = await dryRun('--from-snapshot', 'weekly-9');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/`snapshot` "weekly-9" is not an available snapshot of orders; the newest are: nightly-2, nightly-1 \(or 'newest'\)/);
});

test('an AWS error during the checks exits 1 and says the request is not checked', async () => {
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'orders' }).rejects(Object.assign(new Error('not authorized to perform rds:DescribeDBInstances'), { name: 'AccessDenied', $metadata: {} }));
  const { code, stdout, stderr } = await dryRun('--to-time', 'latest');
  expect(code).toBe(1);
  expect(stderr).toMatch(/the dry run could not make its checks; the request is NOT checked: DescribeDBInstances orders: not authorized/);
  expect(stdout).toBe('');
});

test('a request the workflow\'s Validate step rejects exits 2', async () => {
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:${input.name}` }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  sfn.on(DescribeExecutionCommand).resolves({
    status: 'FAILED', error: 'InvalidRestoreInput',
    cause: JSON.stringify({ status: 'FAILED', error: 'InvalidRestoreInput', cause: '`restoreTime` 2026-11-10T00:00:00.000Z is outside the point-in-time window of orders' }),
  });
  const run = capture();
  expect(await runRestore(['db', '--to-time', '2026-11-10T00:00:00Z', '--state-machine', MACHINE], run.io)).toBe(2);
  expect(run.stderr()).toMatch(/Restore failed: InvalidRestoreInput \(the workflow's checks rejected the request; nothing was created\)/);
});
