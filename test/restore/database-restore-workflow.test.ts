/**
 * The synthesized DatabaseRestore state machine, run locally with the real step handlers,
 * the AWS SDK mocked by aws-sdk-client-mock and the verification against real MariaDB.
 */
import { createHash } from 'node:crypto';
import { BackupClient, DescribeRestoreJobCommand, GetRecoveryPointRestoreMetadataCommand, ListRecoveryPointsByResourceCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsToResourceCommand, DBInstanceNotFoundFault, DeleteDBInstanceCommand, DescribeDBInstanceAutomatedBackupsCommand, DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand, DescribeDBSubnetGroupsCommand, ModifyDBInstanceCommand, PromoteReadReplicaCommand, RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand, RestoreDBInstanceToPointInTimeCommand, type DBInstance,
} from '@aws-sdk/client-rds';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as stepsHandler, RAW_INPUT_QUALIFIER } from '../../lambda/restore-db-steps/index';
import { sourceToCompare, type PlannedSource } from '../../lambda/restore-db-verify/index';
import { verifyRestored } from '../../lambda/restore-db-verify/verify-restored';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../support/mariadb';
import { FAKE_ACCOUNT, FAKE_REGION, localStateMachine, resolveValue, type LambdaHandler, type LocalExecution, type LocalStateMachine } from '../support/local-state-machine';
import { restoreFixture } from './db-fixture';

const rds = mockClient(RDSClient);
const backup = mockClient(BackupClient);
const cloudwatch = mockClient(CloudWatchClient);

const WORKFLOW = 'Stack/Restore';
const SOURCE_ID = 'source-db';
const REPLICA_ID = 'replica-db';

let machine: LocalStateMachine;
/** The source instance's identifier as the construct gives it to the steps function (the drill metrics' dimension). */
let deployedSourceId: string;
let source: MariaDbServer;
let restored: MariaDbServer;

const DATA = `
  CREATE DATABASE shop;
  CREATE TABLE shop.orders (id INT PRIMARY KEY, total DECIMAL(10,2), created_at TIMESTAMP NOT NULL, KEY (created_at));
  INSERT INTO shop.orders SELECT seq, seq * 2.5, TIMESTAMP('2026-11-21 22:00:00') + INTERVAL seq SECOND FROM mysql.seq_1_to_300;
`;

beforeAll(async () => {
  process.env.SOURCE_INSTANCE_ID = SOURCE_ID;
  process.env.REPLICA_INSTANCE_IDS = REPLICA_ID;
  process.env.WORKFLOW_ID = WORKFLOW;
  process.env.BACKUP_RESTORE_ROLE_ARN = 'arn:aws:iam::123456789012:role/restore';
  process.env.RESTORE_TIMEOUT_MINUTES = '720';
  const servers = startBoth();
  const template = Template.fromStack(restoreFixture().stack);
  machine = localStateMachine(template, { logicalIdPrefix: 'Restore' });
  // The settings the construct deployed for the source, as the steps function gets them.
  const resources = template.toJSON().Resources;
  const steps = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('RestoreSteps'))!;
  process.env.SOURCE_SETTINGS = resolveValue(steps[1].Properties.Environment.Variables.SOURCE_SETTINGS, resources);
  deployedSourceId = resolveValue(steps[1].Properties.Environment.Variables.SOURCE_INSTANCE_ID, resources);
  [source, restored] = await servers;
  for (const server of [source, restored]) {
    const connection = await server.connect();
    await connection.query("SET time_zone = '+00:00'");
    await connection.query(DATA);
    await connection.end();
  }
});

async function startBoth(): Promise<[MariaDbServer, MariaDbServer]> {
  const [a, b] = await Promise.all([startMariaDb({ serverId: 21 }), startMariaDb({ serverId: 22 })]);
  return [a, b];
}

afterAll(async () => {
  await stopStartedServers();
});

beforeEach(() => {
  rds.reset();
  backup.reset();
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

function notFound(identifier: string): DBInstanceNotFoundFault {
  return new DBInstanceNotFoundFault({ message: `DBInstance ${identifier} not found.`, $metadata: { httpStatusCode: 404 } });
}

function throttling(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
}

function sourceInstance(): DBInstance {
  return {
    DBInstanceIdentifier: SOURCE_ID,
    DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${SOURCE_ID}`,
    DBInstanceStatus: 'available',
    Engine: 'mysql',
    DBInstanceClass: 'db.r6g.large',
    DBSubnetGroup: { DBSubnetGroupName: 'db-subnets' },
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0db', Status: 'active' }],
    DBParameterGroups: [{ DBParameterGroupName: 'mysql-params' }],
    KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k-1',
    MultiAZ: true,
    Endpoint: { Address: '127.0.0.1', Port: source.port },
    LatestRestorableTime: new Date('2026-11-21T23:55:00Z'),
  };
}

/** The created-by-execution tag of the execution `run` starts for this request (named `restore-<requestId>`, as the CLI names it). */
function createdByExecution(requestId: string): { Key: string; Value: string } {
  const arn = `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:execution:local:restore-${requestId}`;
  return { Key: 'cdk-backup-dr:created-by-execution', Value: createHash('sha256').update(arn).digest('hex') };
}

/** The instance as the request's execution created it: with the tags it gave it. */
function target(identifier: string, status: string, extra: Partial<DBInstance> = {}, requestId = 'inc-1', drill = false): DBInstance {
  return {
    DBInstanceIdentifier: identifier,
    DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${identifier}`,
    DBInstanceStatus: status,
    DeletionProtection: !drill,
    Endpoint: status === 'available' ? { Address: '127.0.0.1', Port: restored.port } : undefined,
    TagList: [
      { Key: 'cdk-backup-dr:restore-execution', Value: requestId },
      { Key: 'cdk-backup-dr:workflow-id', Value: WORKFLOW },
      createdByExecution(requestId),
      ...(drill ? [{ Key: 'cdk-backup-dr:drill', Value: 'true' }] : []),
    ],
    ...extra,
  };
}

const SNAPSHOTS = [
  { DBSnapshotIdentifier: 'rds:source-db-2026-11-20', DBSnapshotArn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:rds:source-db-2026-11-20', Status: 'available', SnapshotCreateTime: new Date('2026-11-20T03:00:00Z') },
  { DBSnapshotIdentifier: 'rds:source-db-2026-11-21', DBSnapshotArn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:rds:source-db-2026-11-21', Status: 'available', SnapshotCreateTime: new Date('2026-11-21T03:00:00Z') },
];

/** The source, its snapshots and a target that appears as `creating`, then `available`. */
function mockSnapshotRestore(targetId = 'restore-inc-1'): void {
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
  rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: targetId })
    .rejectsOnce(notFound(targetId))
    .rejectsOnce(notFound(targetId))
    .resolvesOnce({ DBInstances: [target(targetId, 'creating')] })
    .resolves({ DBInstances: [target(targetId, 'available')] });
  rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
  rds.on(ModifyDBInstanceCommand).resolves({});
  rds.on(DeleteDBInstanceCommand).resolves({});
}

/** The real verification, against the MariaDB servers whose ports the workflow carried (the source only while the plan says it exists). */
async function verifyHandler(event: { plan: { source: PlannedSource; startedAt?: string }; status: { port: number } }): Promise<unknown> {
  const restoredConnection = await restored.connect();
  const compareWith = sourceToCompare(event.plan.source);
  const sourceConnection = 'error' in compareWith ? undefined : await source.connect();
  try {
    expect(event.status.port).toBe(restored.port);
    if (!('error' in compareWith)) {
      expect(compareWith.port).toBe(source.port);
    }
    return await verifyRestored({ restored: restoredConnection, source: sourceConnection, sourceError: 'error' in compareWith ? compareWith.error : undefined, databases: ['shop'], startedAt: event.plan.startedAt });
  } finally {
    await restoredConnection.end();
    await sourceConnection?.end();
  }
}

const STEP_STATES = ['MeasureRequest', 'Validate', 'StartRestore', 'CheckInstance', 'Report', 'ReportPromotion', 'RecordDrill', 'DeleteScratch', 'Cleanup', 'CleanupIncomplete'];

/** The state machine's own PutMetricData (an AWS SDK integration): its Parameters are the API's input. */
const putMetricData: LambdaHandler = (parameters) => new CloudWatchClient({ region: 'eu-west-1' }).send(new PutMetricDataCommand(parameters));

async function run(
  input: Record<string, unknown>, verify: LambdaHandler = verifyHandler, overrides: Record<string, LambdaHandler> = {}, executionName = `restore-${String(input.requestId ?? 'anonymous')}`,
): Promise<LocalExecution> {
  const handlers: Record<string, LambdaHandler> = { VerifyRestore: verify, CleanupIncompleteCountDrill: putMetricData };
  for (const state of STEP_STATES) {
    handlers[state] = stepsHandler;
  }
  Object.assign(handlers, overrides);
  return machine.run(input, { handlers, executionName });
}

/** Runs `body` with every restore's deadline already past (RESTORE_TIMEOUT_MINUTES 0), then restores the default. */
async function pastDeadline(body: () => Promise<void>): Promise<void> {
  process.env.RESTORE_TIMEOUT_MINUTES = '0';
  try {
    await body();
  } finally {
    process.env.RESTORE_TIMEOUT_MINUTES = '720';
  }
}

function creations(): number {
  return rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand).length + rds.commandCalls(RestoreDBInstanceToPointInTimeCommand).length
    + backup.commandCalls(StartRestoreJobCommand).length + rds.commandCalls(PromoteReadReplicaCommand).length;
}

describe('restore from a snapshot', () => {
  test.each(['restore-error', 'inaccessible-encryption-credentials-recoverable', 'stopped'])('a new instance that turns %s fails the restore at the first check', async (status) => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' })
      .rejectsOnce(notFound('restore-inc-1')).rejectsOnce(notFound('restore-inc-1'))
      .resolvesOnce({ DBInstances: [target('restore-inc-1', status, { DeletionProtection: false })] })
      .rejects(notFound('restore-inc-1'));
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).resolves({});
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.error).toBe('RestoreFailed');
    expect(execution.visited.filter((state) => state.name === 'CheckInstance')).toHaveLength(1);
    expect(JSON.parse(execution.cause!).cause).toContain(`restore-inc-1 is ${status}: the restore cannot finish`);
  });

  test('happy path: a new instance with the source\'s settings, verified, endpoint reported', async () => {
    mockSnapshotRestore();
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot', snapshot: 'rds:source-db-2026-11-20' });
    expect(execution.cause ?? '').toBe('');
    expect(execution.status).toBe('SUCCEEDED');
    const calls = rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toMatchObject({
      DBInstanceIdentifier: 'restore-inc-1',
      DBSnapshotIdentifier: SNAPSHOTS[0].DBSnapshotArn,
      DBSubnetGroupName: 'db-subnets',
      VpcSecurityGroupIds: ['sg-0db'],
      DBParameterGroupName: 'mysql-params',
      DBInstanceClass: 'db.r6g.large',
      MultiAZ: true,
      DeletionProtection: true,
      PubliclyAccessible: false,
      Tags: expect.arrayContaining([{ Key: 'cdk-backup-dr:restore-execution', Value: 'inc-1' }, { Key: 'cdk-backup-dr:workflow-id', Value: WORKFLOW }, createdByExecution('inc-1')]),
    });
    expect(execution.output).toMatchObject({
      status: 'SUCCEEDED', requestId: 'inc-1', kind: 'snapshot', source: SOURCE_ID, created: true, verified: true,
      target: { identifier: 'restore-inc-1', endpoint: '127.0.0.1', port: restored.port },
      restoredFrom: 'rds:source-db-2026-11-20',
      recoveryPointBasis: 'source-newest-row', recoveryPointMinutes: 0,
      verification: { status: 'ok', problems: [], newestRow: { time: '2026-11-21T22:05:00.000Z' } },
    });
    expect(execution.visited.filter((s) => s.name === 'WaitForInstance')).toHaveLength(2);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    // The orchestration adds its poll interval per look: 2 x 30 s here.
    expect(execution.definedWaitSeconds).toBe(60);
  });

  test('the newest snapshot is the default', async () => {
    mockSnapshotRestore();
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0].args[0].input.DBSnapshotIdentifier).toBe(SNAPSHOTS[1].DBSnapshotArn);
  });

  test('a throttled start is retried with backoff and creates one instance', async () => {
    mockSnapshotRestore();
    // The throttled call created nothing: the target is looked up once more before the retry creates it.
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' })
      .rejectsOnce(notFound('restore-inc-1')).rejectsOnce(notFound('restore-inc-1')).rejectsOnce(notFound('restore-inc-1'))
      .resolvesOnce({ DBInstances: [target('restore-inc-1', 'creating')] })
      .resolves({ DBInstances: [target('restore-inc-1', 'available')] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejectsOnce(throttling()).resolves({});
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.retried).toEqual(['StartRestore']);
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(2);
    expect(execution.definedWaitSeconds).toBeGreaterThanOrEqual(60 + 5);
  });

  test('a repeated request resumes the instance it created instead of creating a second one', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' }).resolves({ DBInstances: [target('restore-inc-1', 'available')] });
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(creations()).toBe(0);
    expect(execution.output).toMatchObject({ created: false, target: { identifier: 'restore-inc-1' } });
  });

  test.each([
    [{ kind: 'snapshot' }, '`snapshot` newest'],
    [{ kind: 'snapshot', snapshot: 'newest' }, '`snapshot` newest'],
    [{ kind: 'recovery-point' }, '`recoveryPoint` newest'],
    [{ kind: 'point-in-time', restoreTime: 'latest' }, '`restoreTime` latest'],
  ])('%j whose instance an earlier execution of the request restored (its name used again after 90 days) is refused, not reported as restored now', async (input, named) => {
    // 91 days ago the CLI's request inc-1 (execution restore-inc-1) restored this copy from what
    // was newest then; Step Functions has forgotten that execution, so the same command starts
    // an execution of the same name and request id.
    const earlier = new Date(Date.now() - 91 * 24 * 3600_000);
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: [{ RestoreWindow: { EarliestTime: new Date('2026-11-14T03:00:00Z'), LatestTime: new Date('2026-11-21T23:55:00Z') } }] });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-1', Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' }).resolves({ DBInstances: [target('restore-inc-1', 'available', { InstanceCreateTime: earlier })] });
    const execution = await run({ requestId: 'inc-1', ...input });
    expect(execution.error).toBe('InvalidRestoreInput');
    const cause: string = JSON.parse(execution.cause!).cause;
    const started = /before this execution started at (\S+)\)/.exec(cause)?.[1];
    expect(Date.parse(started!)).toBeGreaterThan(earlier.getTime());
    expect(cause).toBe(`${named}: restore-inc-1 was restored by an earlier execution of request inc-1 (created ${earlier.toISOString()}, before this execution started at ${started}) `
      + `from what was ${named.split(' ')[1]} then; resumed, it would be reported as restored now. Give a new \`requestId\` or \`targetIdentifier\` `
      + '(with the restore command: --target <new instance id>); restore-inc-1 is left as it is');
    expect(creations()).toBe(0);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  test('a named snapshot\'s request resumes the instance an earlier execution of it restored: it holds the same data', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    const earlier = new Date(Date.now() - 91 * 24 * 3600_000);
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' }).resolves({ DBInstances: [target('restore-inc-1', 'available', { InstanceCreateTime: earlier })] });
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot', snapshot: 'rds:source-db-2026-11-21' });
    expect(execution.cause ?? '').toBe('');
    expect(execution.status).toBe('SUCCEEDED');
    expect(creations()).toBe(0);
    expect(execution.output).toMatchObject({ created: false, target: { identifier: 'restore-inc-1' } });
  });

  test('a failed verification fails with a JSON cause and keeps the copy it made for the operator', async () => {
    mockSnapshotRestore();
    const failingVerify = async () => ({ status: 'failed', checks: 3, problems: ['failed: schema shop.orders: source has a; restored has b'], newestRow: { status: 'unknown', detail: 'x' } });
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' }, failingVerify);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('VerificationFailed');
    const cause = JSON.parse(execution.cause!);
    expect(cause).toMatchObject({ status: 'FAILED', requestId: 'inc-1', target: 'restore-inc-1', cleanup: { outcome: 'kept' } });
    expect(cause.cause).toContain('failed: schema shop.orders');
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  test('a copy whose schema differs from the live source (changed since the restore point) is handed over, not deleted', async () => {
    mockSnapshotRestore();
    const connection = await source.connect();
    await connection.query('ALTER TABLE shop.orders ADD COLUMN note TEXT NULL');
    try {
      const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.output).toMatchObject({ verified: false, verification: { status: 'unknown' } });
      expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    } finally {
      await connection.query('ALTER TABLE shop.orders DROP COLUMN note');
      await connection.end();
    }
  });

  test('keepOnVerificationFailure keeps the copy for inspection', async () => {
    mockSnapshotRestore();
    const failingVerify = async () => ({ status: 'failed', checks: 1, problems: ['failed: x'], newestRow: { status: 'unknown', detail: 'x' } });
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot', keepOnVerificationFailure: true }, failingVerify);
    expect(execution.status).toBe('FAILED');
    expect(JSON.parse(execution.cause!).cleanup.outcome).toBe('kept');
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  test('a restore that ends in a failed state is cleaned up', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' })
      .rejectsOnce(notFound('restore-inc-1')).rejectsOnce(notFound('restore-inc-1'))
      .resolves({ DBInstances: [target('restore-inc-1', 'incompatible-restore', { DeletionProtection: false })] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).resolves({});
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.error).toBe('RestoreFailed');
    expect(JSON.parse(execution.cause!).cause).toContain('restore-inc-1 is incompatible-restore');
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  });

  test('a restore past its deadline is cleaned up once the instance leaves `creating`', () => pastDeadline(async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' })
      .rejectsOnce(notFound('restore-inc-1')).rejectsOnce(notFound('restore-inc-1'))
      .resolvesOnce({ DBInstances: [target('restore-inc-1', 'creating')] })
      .resolves({ DBInstances: [target('restore-inc-1', 'available')] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    rds.on(ModifyDBInstanceCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).resolves({});
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.error).toBe('RestoreTimedOut');
    expect(execution.retried).toEqual(['Cleanup']);
    expect(JSON.parse(execution.cause!)).toMatchObject({ error: 'RestoreTimedOut', cleanup: { outcome: 'deleted' } });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
  }));

  test('a start that fails (not throttled) ends with nothing to clean up', async () => {
    mockSnapshotRestore();
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' }).rejects(notFound('restore-inc-1'));
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(Object.assign(new Error('The request would exceed the storage quota'), { name: 'StorageQuotaExceededFault' }));
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.error).toBe('StorageQuotaExceededFault');
    expect(JSON.parse(execution.cause!)).toMatchObject({ requestId: 'inc-1', target: 'restore-inc-1', cleanup: { outcome: 'nothing-created' } });
    expect(JSON.parse(execution.cause!).cause).toContain('RestoreDBInstanceFromDBSnapshot rds:source-db-2026-11-21 -> restore-inc-1: The request would exceed the storage quota');
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  test('the cleanup never deletes an instance another request created', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' })
      .rejectsOnce(notFound('restore-inc-1')).rejectsOnce(notFound('restore-inc-1'))
      .resolves({ DBInstances: [target('restore-inc-1', 'failed', {}, 'someone-else')] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.status).toBe('FAILED');
    expect(JSON.parse(execution.cause!).cleanup.outcome).toBe('not-ours');
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  test('the start time and ARN the cleanup tells another execution\'s instance by are the execution\'s own ($$.Execution)', () => {
    expect(machine.definition.States.Prepare.Parameters.execution).toEqual({ 'name.$': '$$.Execution.Name', 'startTime.$': '$$.Execution.StartTime', 'id.$': '$$.Execution.Id' });
  });

  test('the cleanup keeps the instance an earlier execution of the same request and name created (its history gone, the name used again)', async () => {
    // 91 days ago the CLI's request inc-old (execution restore-inc-old) restored this copy, kept
    // since with deletion protection; the same request now resumes it, and it has been stopped.
    const earlier = new Date(Date.now() - 91 * 24 * 3600_000);
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-old' })
      .resolves({ DBInstances: [target('restore-inc-old', 'stopped', { InstanceCreateTime: earlier }, 'inc-old')] });
    rds.on(ModifyDBInstanceCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).resolves({});
    const execution = await run({ requestId: 'inc-old', kind: 'snapshot', snapshot: 'rds:source-db-2026-11-21' });
    expect(execution.error).toBe('RestoreFailed');
    const cause = JSON.parse(execution.cause!);
    expect(cause.cause).toContain('restore-inc-old is stopped');
    expect(cause.cleanup).toEqual({
      outcome: 'kept',
      targetIdentifier: 'restore-inc-old',
      detail: expect.stringContaining(`restore-inc-old was created ${earlier.toISOString()}, before this execution started (`),
    });
    expect(cause.cleanup.detail).toMatch(/\): an earlier execution of request inc-old made it; left alone$/);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });
});

describe('restore to a point in time and from a recovery point', () => {
  test('point in time: RestoreDBInstanceToPointInTime inside the window', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: [{ RestoreWindow: { EarliestTime: new Date('2026-11-14T03:00:00Z'), LatestTime: new Date('2026-11-21T23:55:00Z') } }] });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'before-bad-deploy' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolves({ DBInstances: [target('before-bad-deploy', 'available', {}, 'pitr-1')] });
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    const execution = await run({ requestId: 'pitr-1', kind: 'point-in-time', restoreTime: '2026-11-21T22:10:00Z', targetIdentifier: 'before-bad-deploy' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input).toMatchObject({
      SourceDBInstanceIdentifier: SOURCE_ID, TargetDBInstanceIdentifier: 'before-bad-deploy', RestoreTime: new Date('2026-11-21T22:10:00Z'), DBSubnetGroupName: 'db-subnets',
    });
  });

  // A list comes in pages (`Marker`, `NextToken`): what the request names may be on a later one.
  test('point in time: the window is read from every page of the automated backups', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).callsFake((input) => (input.Marker === 'page-2'
      ? { DBInstanceAutomatedBackups: [{ RestoreWindow: { EarliestTime: new Date('2026-11-14T03:00:00Z'), LatestTime: new Date('2026-11-21T23:55:00Z') } }] }
      : { DBInstanceAutomatedBackups: [], Marker: 'page-2' }));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-pitr-paged' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolves({ DBInstances: [target('restore-pitr-paged', 'available', {}, 'pitr-paged')] });
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    const execution = await run({ requestId: 'pitr-paged', kind: 'point-in-time', restoreTime: '2026-11-21T22:10:00Z' });
    expect(execution.cause ?? '').toBe('');
    expect(execution.status).toBe('SUCCEEDED');
    expect(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand).map((call) => call.args[0].input.Marker)).toEqual([undefined, 'page-2']);
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input).toMatchObject({ SourceDBInstanceIdentifier: SOURCE_ID, RestoreTime: new Date('2026-11-21T22:10:00Z') });
  });

  test('snapshot: a named snapshot on a later page of DescribeDBSnapshots is found', async () => {
    mockSnapshotRestore('restore-snap-paged');
    rds.on(DescribeDBSnapshotsCommand).callsFake((input) => (input.Marker === 'page-2' ? { DBSnapshots: [SNAPSHOTS[0]] } : { DBSnapshots: [SNAPSHOTS[1]], Marker: 'page-2' }));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-snap-paged' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolves({ DBInstances: [target('restore-snap-paged', 'available', {}, 'snap-paged')] });
    const execution = await run({ requestId: 'snap-paged', kind: 'snapshot', snapshot: 'rds:source-db-2026-11-20' });
    expect(execution.cause ?? '').toBe('');
    expect(rds.commandCalls(DescribeDBSnapshotsCommand).map((call) => call.args[0].input.Marker)).toEqual([undefined, 'page-2']);
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0].args[0].input.DBSnapshotIdentifier).toBe(SNAPSHOTS[0].DBSnapshotArn);
  });

  test('recovery point: the newest recovery point on a later page of ListRecoveryPointsByResource is the one restored', async () => {
    const older = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-older';
    const newest = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-newest';
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    backup.on(ListRecoveryPointsByResourceCommand).callsFake((input) => (input.NextToken === 'page-2'
      ? { RecoveryPoints: [{ RecoveryPointArn: newest, Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] }
      : { RecoveryPoints: [{ RecoveryPointArn: older, Status: 'COMPLETED', CreationDate: new Date('2026-11-20T05:00:00Z'), BackupVaultName: 'vault' }], NextToken: 'page-2' }));
    // Validate is all this test needs: the restore job is refused, and nothing is created.
    backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { DBInstanceIdentifier: SOURCE_ID, Engine: 'mysql' } });
    backup.on(StartRestoreJobCommand).rejects(Object.assign(new Error('stop here'), { name: 'InvalidParameterValueException' }));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-rp-paged' }).rejects(notFound('x'));
    await run({ requestId: 'rp-paged', kind: 'recovery-point' });
    expect(backup.commandCalls(ListRecoveryPointsByResourceCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(backup.commandCalls(StartRestoreJobCommand)[0].args[0].input.RecoveryPointArn).toBe(newest);
  });

  test('recovery point: StartRestoreJob with the source\'s settings, an idempotency token, and tags added', async () => {
    const pointArn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-1';
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: pointArn, Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] });
    backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { DBInstanceIdentifier: SOURCE_ID, Engine: 'mysql', Endpoint: 'old' } });
    backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-1' });
    // The job's run and the instance's creation as AWS Backup and RDS report them: it was created while the job ran.
    const jobCreated = new Date();
    const untagged = target('restore-rp-1', 'available', { InstanceCreateTime: new Date(jobCreated.getTime() + 60_000) }, 'rp-1');
    backup.on(DescribeRestoreJobCommand).resolvesOnce({ Status: 'RUNNING', CreationDate: jobCreated })
      .resolves({ Status: 'COMPLETED', CreatedResourceArn: untagged.DBInstanceArn, CreationDate: jobCreated, CompletionDate: new Date(jobCreated.getTime() + 120_000) });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-rp-1' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolvesOnce({ DBInstances: [{ ...untagged, DBInstanceStatus: 'creating', TagList: [] }] })
      .resolves({ DBInstances: [untagged] });
    rds.on(AddTagsToResourceCommand).resolves({});
    const execution = await run({ requestId: 'rp-1', kind: 'recovery-point', recoveryPoint: pointArn });
    expect(execution.cause ?? '').toBe('');
    expect(execution.status).toBe('SUCCEEDED');
    const input = backup.commandCalls(StartRestoreJobCommand)[0].args[0].input;
    expect(input).toMatchObject({ RecoveryPointArn: pointArn, IamRoleArn: process.env.BACKUP_RESTORE_ROLE_ARN, ResourceType: 'RDS', IdempotencyToken: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(input.Metadata).toMatchObject({ DBInstanceIdentifier: 'restore-rp-1', DBSubnetGroupName: 'db-subnets', VpcSecurityGroupIds: '["sg-0db"]', DBParameterGroupName: 'mysql-params', Engine: 'mysql' });
    expect(input.Metadata).not.toHaveProperty('Endpoint');
    // Adopted once its job names it: tagged as an instance the execution created itself.
    expect(rds.commandCalls(AddTagsToResourceCommand)[0].args[0].input.Tags).toEqual(expect.arrayContaining([{ Key: 'cdk-backup-dr:restore-execution', Value: 'rp-1' }, createdByExecution('rp-1')]));
  });

  test('recovery point past its deadline: the instance the restore job then reports is tagged and deleted, not left behind', () => pastDeadline(async () => {
    const pointArn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-2';
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: pointArn, Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] });
    backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { DBInstanceIdentifier: SOURCE_ID, Engine: 'mysql' } });
    backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-2' });
    // The job's run and the instance's creation as AWS Backup and RDS report them: it was created while the job ran.
    const jobCreated = new Date();
    const untagged = { ...target('restore-rp-2', 'available', { InstanceCreateTime: new Date(jobCreated.getTime() + 60_000) }, 'rp-2'), TagList: [] };
    backup.on(DescribeRestoreJobCommand).resolvesOnce({ Status: 'RUNNING', CreationDate: jobCreated })
      .resolves({ Status: 'COMPLETED', CreatedResourceArn: untagged.DBInstanceArn, CreationDate: jobCreated, CompletionDate: new Date(jobCreated.getTime() + 120_000) });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-rp-2' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolves({ DBInstances: [untagged] });
    rds.on(AddTagsToResourceCommand).resolves({});
    rds.on(ModifyDBInstanceCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).resolves({});
    const execution = await run({ requestId: 'rp-2', kind: 'recovery-point', recoveryPoint: pointArn });
    expect(execution.error).toBe('RestoreTimedOut');
    expect(JSON.parse(execution.cause!)).toMatchObject({ error: 'RestoreTimedOut', cleanup: { outcome: 'deleted', targetIdentifier: 'restore-rp-2' } });
    expect(rds.commandCalls(AddTagsToResourceCommand).map((call) => call.args[0].input.ResourceName)).toEqual([untagged.DBInstanceArn]);
    expect(rds.commandCalls(DeleteDBInstanceCommand).map((call) => call.args[0].input.DBInstanceIdentifier)).toEqual(['restore-rp-2']);
  }));

  test('recovery point: an instance at the target identifier that the pending restore job did not create is never adopted', async () => {
    const pointArn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-1';
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: pointArn, Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] });
    backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { DBInstanceIdentifier: SOURCE_ID, Engine: 'mysql' } });
    backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-1' });
    backup.on(DescribeRestoreJobCommand).resolvesOnce({ Status: 'PENDING' }).resolvesOnce({ Status: 'PENDING' })
      .resolves({ Status: 'FAILED', StatusMessage: 'DB instance restore-rp-1 already exists' });
    // Someone else's instance appears under the target identifier after the validation.
    const foreign = { ...target('restore-rp-1', 'available'), DBInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:restore-rp-1', TagList: [{ Key: 'team', Value: 'other' }] };
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-rp-1' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolves({ DBInstances: [foreign] });
    rds.on(AddTagsToResourceCommand).resolves({});
    const execution = await run({ requestId: 'rp-1', kind: 'recovery-point', recoveryPoint: pointArn });
    expect(execution.status).toBe('FAILED');
    expect(JSON.parse(execution.cause!)).toMatchObject({ error: 'RestoreFailed', cleanup: { outcome: 'not-ours' } });
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  /** A recovery point to restore, from a live source, into `restore-<requestId>`. */
  function mockRecoveryPoint(pointArn: string): void {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: pointArn, Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] });
    backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { DBInstanceIdentifier: SOURCE_ID, Engine: 'mysql' } });
  }

  test('recovery point: a retried StartRestore sends its execution\'s token again; a later execution of the same request sends another', async () => {
    const pointArn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-3';
    mockRecoveryPoint(pointArn);
    // AWS Backup answers a token it knows with that earlier job: a repeated request that shared it
    // would wait on a restore that ended (its instance since deleted) instead of starting one.
    backup.on(StartRestoreJobCommand).rejectsOnce(throttling()).resolves({ RestoreJobId: 'job-3' });
    backup.on(DescribeRestoreJobCommand).resolves({ Status: 'FAILED', StatusMessage: 'test: ends here' });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-rp-3' }).rejects(notFound('restore-rp-3'));
    const first = await run({ requestId: 'rp-3', kind: 'recovery-point', recoveryPoint: pointArn });
    const again = await run({ requestId: 'rp-3', kind: 'recovery-point', recoveryPoint: pointArn }, verifyHandler, {}, 'rp-3-again');
    expect([first.error, again.error]).toEqual(['RestoreFailed', 'RestoreFailed']);
    const tokens = backup.commandCalls(StartRestoreJobCommand).map((call) => call.args[0].input.IdempotencyToken);
    expect(tokens).toHaveLength(3);
    expect(tokens[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  test('recovery point: a restore job that completed without its instance (deleted since) fails at once instead of waiting for it', async () => {
    const pointArn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-4';
    mockRecoveryPoint(pointArn);
    backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-4' });
    const completed = { Status: 'COMPLETED' as const, CreatedResourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:restore-rp-4' };
    // The check and the cleanup each read the job once; a third read means the workflow waited on.
    backup.on(DescribeRestoreJobCommand).resolvesOnce(completed).resolvesOnce(completed).rejects(new Error('test: the job was read again'));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-rp-4' }).rejects(notFound('restore-rp-4'));
    const execution = await run({ requestId: 'rp-4', kind: 'recovery-point', recoveryPoint: pointArn });
    expect(execution.error).toBe('RestoreFailed');
    expect(JSON.parse(execution.cause!)).toMatchObject({
      cause: expect.stringContaining('AWS Backup restore job job-4 completed, but restore-rp-4 does not exist: it was deleted after the restore'),
      cleanup: { outcome: 'nothing-created' },
    });
    expect(execution.visited.filter((state) => state.name === 'CheckInstance')).toHaveLength(1);
  });

  test('recovery point: an untagged instance older than the execution is never adopted, whatever ARN the restore job names', async () => {
    const pointArn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-5';
    mockRecoveryPoint(pointArn);
    backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-5' });
    // An ARN is made from the identifier: an instance made there before this execution has the ARN the job names.
    const earlier = new Date(Date.now() - 3_600_000);
    const older = { ...target('restore-rp-5', 'available', { InstanceCreateTime: earlier }), TagList: [] };
    backup.on(DescribeRestoreJobCommand).resolves({ Status: 'COMPLETED', CreatedResourceArn: older.DBInstanceArn });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-rp-5' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolves({ DBInstances: [older] });
    rds.on(AddTagsToResourceCommand).resolves({});
    const execution = await run({ requestId: 'rp-5', kind: 'recovery-point', recoveryPoint: pointArn });
    expect(execution.error).toBe('RestoreFailed');
    expect(JSON.parse(execution.cause!)).toMatchObject({
      cause: expect.stringContaining(`restore-rp-5 was created ${earlier.toISOString()}, before this execution started (`),
      cleanup: { outcome: 'not-ours' },
    });
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });
});

describe('replica promotion', () => {
  /** The source and its replica, which is promoted (tagged, then `modifying`, then standalone). */
  function mockPromotion(): void {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    const replica: DBInstance = { DBInstanceIdentifier: REPLICA_ID, DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${REPLICA_ID}`, DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: SOURCE_ID, BackupRetentionPeriod: 0, DBInstanceClass: 'db.t3.medium', Endpoint: { Address: 'replica.example', Port: 3306 } };
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID })
      .resolvesOnce({ DBInstances: [replica] }).resolvesOnce({ DBInstances: [replica] })
      .resolvesOnce({ DBInstances: [{ ...replica, DBInstanceStatus: 'modifying' }] })
      .resolves({ DBInstances: [{ ...replica, ReadReplicaSourceDBInstanceIdentifier: undefined }] });
    rds.on(AddTagsToResourceCommand).resolves({});
    rds.on(PromoteReadReplicaCommand).resolves({});
  }

  test('promotes the replica named by `confirm`, without creating or deleting anything', async () => {
    mockPromotion();
    const execution = await run({ requestId: 'failover-1', kind: 'promote-replica', replica: REPLICA_ID, confirm: REPLICA_ID });
    expect(execution.status).toBe('SUCCEEDED');
    expect(rds.commandCalls(PromoteReadReplicaCommand)[0].args[0].input).toEqual({ DBInstanceIdentifier: REPLICA_ID, BackupRetentionPeriod: 1 });
    expect(execution.output).toMatchObject({ kind: 'promote-replica', target: { identifier: REPLICA_ID, endpoint: 'replica.example' } });
    expect(execution.visited.map((s) => s.name)).not.toContain('VerifyRestore');
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  test('a promotion whose report fails ends with the failure document, the promoted replica kept', async () => {
    mockPromotion();
    const crashed = async () => {
      throw Object.assign(new Error('RequestId: 1 Error: Runtime exited with error: signal: killed'), { name: 'Runtime.ExitError' });
    };
    const execution = await run({ requestId: 'failover-2', kind: 'promote-replica', replica: REPLICA_ID, confirm: REPLICA_ID }, verifyHandler, { ReportPromotion: crashed });
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('Runtime.ExitError');
    expect(execution.visited.slice(-3).map((state) => state.name)).toEqual(['ReportPromotion', 'Cleanup', 'RestoreFailed']);
    expect(JSON.parse(execution.cause!)).toEqual({
      status: 'FAILED',
      requestId: 'failover-2',
      kind: 'promote-replica',
      drill: false,
      error: 'Runtime.ExitError',
      cause: 'RequestId: 1 Error: Runtime exited with error: signal: killed',
      target: REPLICA_ID,
      cleanup: { outcome: 'kept', targetIdentifier: REPLICA_ID, detail: `a promotion creates nothing and cannot be undone: the replica is left as it is; ${REPLICA_ID} is a standalone instance (available): promoted` },
    });
    expect(rds.commandCalls(PromoteReadReplicaCommand)).toHaveLength(1);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    // Never a drill (Validate refuses one), so no drill metric.
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  test('a promotion RDS refuses ends with the failure document saying the replica still replicates', async () => {
    mockPromotion();
    const replica: DBInstance = { DBInstanceIdentifier: REPLICA_ID, DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${REPLICA_ID}`, DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: SOURCE_ID, BackupRetentionPeriod: 0, DBInstanceClass: 'db.t3.medium', Endpoint: { Address: 'replica.example', Port: 3306 } };
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID }).resolves({ DBInstances: [replica] });
    rds.on(PromoteReadReplicaCommand).rejects(Object.assign(new Error('the replica is not in a state to be promoted'), { name: 'InvalidDBInstanceStateFault' }));
    const execution = await run({ requestId: 'failover-3', kind: 'promote-replica', replica: REPLICA_ID, confirm: REPLICA_ID });
    expect(execution.status).toBe('FAILED');
    expect(JSON.parse(execution.cause!).cleanup).toEqual({
      outcome: 'kept', targetIdentifier: REPLICA_ID,
      detail: `a promotion creates nothing and cannot be undone: the replica is left as it is; ${REPLICA_ID} still replicates from ${SOURCE_ID} (available): the promotion did not start or has not finished`,
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });
});

describe('a drill', () => {
  test('restores to a scratch instance, records the metrics and deletes the scratch copy', async () => {
    mockSnapshotRestore('drill-d-1');
    // Right after a restore RDS takes a backup: the scratch copy is deleted once that ends.
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'drill-d-1' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolvesOnce({ DBInstances: [target('drill-d-1', 'available', {}, 'd-1', true)] })
      .resolvesOnce({ DBInstances: [target('drill-d-1', 'backing-up', {}, 'd-1', true)] })
      .resolves({ DBInstances: [target('drill-d-1', 'available', {}, 'd-1', true)] });
    const execution = await run({ requestId: 'd-1', kind: 'snapshot', drill: true });
    expect(execution.cause ?? '').toBe('');
    expect(execution.output).toMatchObject({ drill: true, verified: true, cleanup: { outcome: 'deleted' } });
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0].args[0].input).toMatchObject({
      DeletionProtection: false, Tags: expect.arrayContaining([{ Key: 'cdk-backup-dr:drill', Value: 'true' }]),
    });
    const metrics = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input;
    expect(metrics.Namespace).toBe('CdkBackupDr');
    expect(metrics.MetricData!.map((m) => m.MetricName).sort()).toEqual(['DrillFailures', 'RecoveryPointMinutes', 'RecoveryTimeMinutes']);
    expect(metrics.MetricData!.every((m) => m.Dimensions![0].Value === SOURCE_ID)).toBe(true);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(execution.retried).toEqual(['DeleteScratch']);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(1);
  });

  test('a drill whose checks could not run counts as failed', async () => {
    mockSnapshotRestore('drill-d-2');
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'drill-d-2' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolves({ DBInstances: [target('drill-d-2', 'available', {}, 'd-2', true)] });
    const unknown = async () => ({ status: 'unknown', checks: 1, problems: ['unknown: schema: the source could not be reached'], newestRow: { status: 'unknown', detail: 'x' } });
    const execution = await run({ requestId: 'd-2', kind: 'snapshot', drill: true }, unknown);
    expect(execution.error).toBe('VerificationFailed');
    const failure = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData![0];
    expect(failure).toMatchObject({ MetricName: 'DrillFailures', Value: 1 });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
  });

  test('a drill whose newest row lies after anything the backup holds is not measured: it fails, and its copy is deleted', async () => {
    mockSnapshotRestore('drill-d-3');
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'drill-d-3' })
      .rejectsOnce(notFound('x')).rejectsOnce(notFound('x'))
      .resolves({ DBInstances: [target('drill-d-3', 'available', {}, 'd-3', true)] });
    const future = async () => ({ status: 'ok', checks: 1, problems: [], newestRow: { status: 'ok', time: '2099-01-01T00:00:00.000Z', column: 'shop.orders.created_at', detail: 'x' } });
    const execution = await run({ requestId: 'd-3', kind: 'snapshot', drill: true }, future);
    expect(execution.error).toBe('DrillNotMeasured');
    expect(JSON.parse(execution.cause!).cause).toMatch(/recovery point is unknown: the newest restored row \(2099-01-01T00:00:00.000Z\) is .* minutes after the start of the restore/);
    const metrics = cloudwatch.commandCalls(PutMetricDataCommand).flatMap((call) => call.args[0].input.MetricData!);
    expect(metrics.map((m) => [m.MetricName, m.Value])).toEqual([['RecoveryTimeMinutes', expect.any(Number)], ['DrillFailures', 1]]);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
  });
});

describe('bad input fails before anything is created, naming the input and the allowed values', () => {
  beforeEach(() => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBInstancesCommand).rejects(notFound('other'));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [{ Subnets: [{ SubnetAvailabilityZone: { Name: 'eu-west-1a' } }, { SubnetAvailabilityZone: { Name: 'eu-west-1b' } }] }] });
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: [{ RestoreWindow: { EarliestTime: new Date('2026-11-14T03:00:00Z') } }] });
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-1', Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] });
  });

  test.each([
    [{ kind: 'snapshot', snapshot: 'nope' }, /`snapshot` "nope" is not an available snapshot of source-db; the newest are: rds:source-db-2026-11-21, rds:source-db-2026-11-20/],
    [{ kind: 'recovery-point', recoveryPoint: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:gone' }, /`recoveryPoint` .* is not a completed recovery point of source-db; the newest are: arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-1/],
    [{ kind: 'point-in-time', restoreTime: '2026-11-22T08:00:00Z' }, /`restoreTime` 2026-11-22T08:00:00.000Z is outside the point-in-time window of source-db: 2026-11-14T03:00:00.000Z to 2026-11-21T23:55:00.000Z/],
    [{ kind: 'point-in-time', restoreTime: 'yesterday' }, /`restoreTime` must be an ISO 8601 time/],
    [{ kind: 'point-in-time', restoreTime: '2026-11-21T22:10:00' }, /`restoreTime` must be an ISO 8601 time with a zone \(Z or ±hh:mm\) such as 2026-11-21T10:00:00Z or 2026-11-21T11:00:00\+01:00, or 'latest'; got "2026-11-21T22:10:00"/],
    [{ kind: 'snapshot', availabilityZone: 'eu-west-1c' }, /`availabilityZone` must be a zone of the subnet group db-subnets \(eu-west-1a, eu-west-1b\), got "eu-west-1c"/],
    [{ kind: 'snapshot', targetIdentifier: SOURCE_ID }, /`targetIdentifier` must name a new instance, got source-db, which is the live source/],
    [{ kind: 'snapshot', targetIdentifier: 'Bad_Name' }, /`targetIdentifier` must be 1 to 63 lower-case letters/],
    [{ kind: 'promote-replica', replica: REPLICA_ID }, /`confirm` must repeat the replica to promote \(replica-db\)/],
    [{ kind: 'promote-replica', replica: 'other-db', confirm: 'other-db' }, /`replica` must be one of replica-db, got "other-db"/],
    [{ kind: 'restore-everything' }, /`kind` must be one of snapshot, recovery-point, point-in-time, promote-replica, got "restore-everything"/],
    [{ kind: 'snapshot', drill: 'yes' }, /`drill` must be true or false \(or left out: false\), got "yes"/],
    [{ kind: 'snapshot', keepOnVerificationFailure: 1 }, /`keepOnVerificationFailure` must be true or false \(or left out: false\), got 1/],
    // Misspelt, each would be left out: the promotion refused for want of `confirm`, or a drill's failed copy deleted.
    [{ kind: 'promote-replica', replica: REPLICA_ID, confrim: REPLICA_ID }, /^the input has a field a restore request does not take: "confrim"; the fields are kind, requestId, snapshot, recoveryPoint, restoreTime, targetIdentifier, availabilityZone, instanceClass, replica, confirm, drill, keepOnVerificationFailure \(a misspelt one would be left out/],
    [{ kind: 'snapshot', drill: true, keepOnVerificationFaliure: true, notes: 'x' }, /^the input has fields a restore request does not take: "keepOnVerificationFaliure", "notes"; the fields are kind, .*, keepOnVerificationFailure \(/],
  ])('%j', async (input, message) => {
    const execution = await run({ requestId: 'bad-1', ...input });
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('InvalidRestoreInput');
    expect(JSON.parse(execution.cause!)).toMatchObject({ status: 'FAILED', requestId: 'bad-1', error: 'InvalidRestoreInput', cause: expect.stringMatching(message) });
    expect(creations()).toBe(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(execution.visited.map((s) => s.name)).toEqual(['MeasureRequest', 'Prepare', 'RequestSize', 'Validate', 'Cleanup', 'RestoreFailed']);
  });

  test('a drill that fails its checks is counted as a failed drill', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    const execution = await run({ requestId: 'drill-bad', kind: 'snapshot', drill: true });
    expect(execution.error).toBe('InvalidRestoreInput');
    expect(JSON.parse(execution.cause!).cause).toBe('`snapshot`: source-db has no available snapshot to restore');
    expect(cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData![0]).toMatchObject({ MetricName: 'DrillFailures', Value: 1, Dimensions: [{ Name: 'Database', Value: SOURCE_ID }] });
  });

  test('a drill input of 250 KB is refused with a written failure document when the cleanup fails too, every state and step event under 256 KiB', async () => {
    // Step Functions takes an input of up to 256 KiB. The state holds only what the steps need:
    // the raw input, kept beside the caught error, the cleanup's error (a CloudWatch refusal of
    // 6,500 characters, cut) and the failure document, passed 256 KiB (280 KB), failing the
    // execution with an error no Catch sees and losing the document.
    cloudwatch.on(PutMetricDataCommand).rejects(Object.assign(new Error('"denied" '.repeat(700)), { name: 'AccessDeniedException' }));
    const events: unknown[] = [];
    const recording: LambdaHandler = async (event, context) => {
      events.push(event);
      return stepsHandler(event, context);
    };
    const execution = await run({ requestId: 'big-1', kind: 'snapshot', drill: true, notes: 'x'.repeat(250_000) }, verifyHandler,
      Object.fromEntries(STEP_STATES.map((state) => [state, recording])));
    const states = execution.events.filter((event) => event.type === 'StateEntered' || event.type === 'StateExited')
      .flatMap((event) => [event.state.input, event.state.output]).filter((value) => value !== undefined);
    const sizes = [...states, ...events].map((value) => Buffer.byteLength(JSON.stringify(value)));
    expect(sizes.length).toBeGreaterThan(8);
    expect(Math.max(...sizes)).toBeLessThan(256 * 1024);
    expect(execution.error).toBe('InvalidRestoreInput');
    expect(JSON.parse(execution.cause!)).toMatchObject({
      status: 'FAILED', error: 'InvalidRestoreInput', requestId: 'big-1', drill: true, cause: expect.stringMatching(/^the input takes 250,0\d\d bytes of JSON; a restore request takes at most 8,192: its fields \(kind, requestId, snapshot, .*\) are short$/),
    });
    expect(JSON.parse(execution.cause!)).toMatchObject({ cleanup: { outcome: 'incomplete' }, drillFailureNotRecorded: expect.stringMatching(/^DrillFailures was not put: /) });
    expect(creations()).toBe(0);
    expect(execution.visited.map((s) => s.name)).toEqual(['MeasureRequest', 'Prepare', 'RequestSize', 'RequestTooLarge', 'Cleanup', 'CleanupIncomplete', 'RestoreFailed']);
    // Only the first step is handed the input, as it is; the failure path holds what it read of it.
    expect(events.filter((event) => JSON.stringify(event).includes('x'.repeat(1_000)))).toEqual([{ requestId: 'big-1', kind: 'snapshot', drill: true, notes: 'x'.repeat(250_000) }]);
    expect(events.find((event) => (event as { action: string }).action === 'cleanup')).toMatchObject({ request: { requestId: 'big-1', drill: true, bytes: expect.any(Number) } });
  });

  test('an input of 256 KiB, the most Step Functions accepts, is refused with a written failure document, no step event wrapping it', async () => {
    // Wrapped in Validate's event (with the function's name, the action and the execution), it passed
    // 256 KiB: the execution failed with States.DataLimitExceeded, which no Catch sees, and no document.
    const input = { requestId: 'big-2', kind: 'snapshot', notes: 'x'.repeat(256 * 1024 - 50) };
    expect(Buffer.byteLength(JSON.stringify(input))).toBe(256 * 1024);
    const events: Array<{ event: unknown; state: string }> = [];
    const recording = (state: string): LambdaHandler => async (event, context) => {
      events.push({ event, state });
      return stepsHandler(event, context);
    };
    const execution = await run(input, verifyHandler, Object.fromEntries(STEP_STATES.map((state) => [state, recording(state)])));
    expect(execution.error).toBe('InvalidRestoreInput');
    expect(JSON.parse(execution.cause!)).toMatchObject({
      status: 'FAILED', requestId: 'big-2', drill: false, cause: expect.stringMatching(/^the input takes 262,144 bytes of JSON; a restore request takes at most 8,192: /),
    });
    expect(execution.visited.map((s) => s.name)).toEqual(['MeasureRequest', 'Prepare', 'RequestSize', 'RequestTooLarge', 'Cleanup', 'RestoreFailed']);
    // The first step gets the input as it is (its state has no Parameters: nothing is added); every other event is small.
    expect(events[0]).toEqual({ state: 'MeasureRequest', event: input });
    expect(machine.definition.States.MeasureRequest).not.toHaveProperty('Parameters');
    expect(Math.max(...events.slice(1).map(({ event }) => Buffer.byteLength(JSON.stringify(event))))).toBeLessThan(16 * 1024);
    const states = execution.events.filter((event) => event.type === 'StateExited').map((event) => event.state.output);
    expect(Math.max(...states.map((value) => Buffer.byteLength(JSON.stringify(value))))).toBeLessThan(16 * 1024);
    expect(creations()).toBe(0);
  });

  test('an input the first step could not read still ends with a written failure document, nothing created', async () => {
    const unreachable: LambdaHandler = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
    };
    const execution = await run({ requestId: 'unread-1', kind: 'snapshot' }, verifyHandler, { MeasureRequest: unreachable });
    expect(execution.error).toBe('Lambda.TooManyRequestsException');
    expect(JSON.parse(execution.cause!)).toMatchObject({ status: 'FAILED', error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' });
    expect(execution.visited.map((s) => s.name)).toEqual(['MeasureRequest', 'RequestNotMeasured', 'Cleanup', 'RestoreFailed']);
    expect(execution.retried.filter((name) => name === 'MeasureRequest')).toHaveLength(6);
    expect(creations()).toBe(0);
  });

  test('only the first state reads the raw input unwrapped; Validate, which wraps it, is reached only for an input of a request\'s size', () => {
    const { States: states, StartAt: first } = machine.definition;
    expect(first).toBe('MeasureRequest');
    expect(states.MeasureRequest).toMatchObject({ Type: 'Task', Resource: expect.stringMatching(new RegExp(`^arn:aws:lambda:.*:function:.*:${RAW_INPUT_QUALIFIER.replace('$', '\\$')}$`)) });
    expect(states.MeasureRequest).not.toHaveProperty('InputPath');
    const readers = Object.entries(states).filter(([, state]) => JSON.stringify(state).includes('$$.Execution.Input')).map(([name]) => name);
    expect(readers).toEqual(['Validate']);
    expect(states.RequestSize).toMatchObject({ Choices: [{ Variable: '$.request.refused', IsPresent: true, Next: 'RequestTooLarge' }], Default: 'Validate' });
  });

  test('a target identifier that already exists (not created by this request)', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'taken' }).resolves({ DBInstances: [{ DBInstanceIdentifier: 'taken', TagList: [] }] });
    const execution = await run({ requestId: 'bad-2', kind: 'snapshot', targetIdentifier: 'taken' });
    expect(execution.error).toBe('InvalidRestoreInput');
    expect(JSON.parse(execution.cause!).cause).toMatch(/`targetIdentifier` taken already exists and was not created by request bad-2; choose a new identifier/);
    expect(creations()).toBe(0);
  });
});

describe('the source instance no longer exists (the disaster case)', () => {
  const SOURCE_ARN = expect.stringMatching(/^arn:aws:rds:eu-west-1:123456789012:db:Db/);
  const deployedSettings = {
    DBSubnetGroupName: expect.stringMatching(/^DbSubnetGroup/),
    VpcSecurityGroupIds: [expect.stringMatching(/^DbSecurityGroup.*\.GroupId$/)],
    DBInstanceClass: 'db.m5.large',
    PubliclyAccessible: false,
  };
  const RETAINED = [
    // An earlier instance under the same identifier, and the one that was deleted.
    { DBInstanceIdentifier: SOURCE_ID, Status: 'retained', DBInstanceAutomatedBackupsArn: 'arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-old', RestoreWindow: { EarliestTime: new Date('2026-10-01T00:00:00Z'), LatestTime: new Date('2026-10-05T00:00:00Z') } },
    { DBInstanceIdentifier: SOURCE_ID, Status: 'retained', DBInstanceAutomatedBackupsArn: 'arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-new', Engine: 'mysql', RestoreWindow: { EarliestTime: new Date('2026-11-14T03:00:00Z'), LatestTime: new Date('2026-11-21T23:50:00Z') } },
  ];

  function sourceGone(targetId: string, requestId: string): void {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).rejects(notFound(SOURCE_ID));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: targetId })
      .rejectsOnce(notFound(targetId)).rejectsOnce(notFound(targetId))
      .resolves({ DBInstances: [target(targetId, 'available', {}, requestId)] });
  }

  function withSettings(settings: Record<string, unknown>, body: () => Promise<void>): () => Promise<void> {
    return async () => {
      const deployed = process.env.SOURCE_SETTINGS;
      process.env.SOURCE_SETTINGS = JSON.stringify(settings);
      try {
        await body();
      } finally {
        process.env.SOURCE_SETTINGS = deployed;
      }
    };
  }

  test('snapshot: restored with the settings the construct deployed; the schema comparison is unknown, the copy handed over', async () => {
    sourceGone('restore-gone-1', 'gone-1');
    rds.on(DescribeDBSnapshotsCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    const execution = await run({ requestId: 'gone-1', kind: 'snapshot' });
    expect(execution.cause ?? '').toBe('');
    expect(execution.status).toBe('SUCCEEDED');
    const input = rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0].args[0].input;
    expect(input).toMatchObject({ DBInstanceIdentifier: 'restore-gone-1', DBSnapshotIdentifier: SNAPSHOTS[1].DBSnapshotArn, MultiAZ: false, ...deployedSettings });
    // The fixture's database uses the engine's default parameter group: RDS picks it again.
    expect(input.DBParameterGroupName).toBeUndefined();
    expect(execution.output).toMatchObject({ verified: false, verification: { status: 'unknown', problems: [`unknown: schema: the source could not be reached to compare schemas: ${SOURCE_ID} no longer exists (the copy was restored from its backups alone)`] } });
  });

  test('recovery point: found by the source ARN the construct knows, restored with the deployed settings', async () => {
    const pointArn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-gone';
    sourceGone('restore-gone-2', 'gone-2');
    backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: pointArn, Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] });
    backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { DBInstanceIdentifier: SOURCE_ID, Engine: 'mysql', DBParameterGroupName: 'default.mysql8.0' } });
    backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-gone' });
    const created = target('restore-gone-2', 'available', {}, 'gone-2');
    backup.on(DescribeRestoreJobCommand).resolves({ Status: 'COMPLETED', CreatedResourceArn: created.DBInstanceArn });
    const execution = await run({ requestId: 'gone-2', kind: 'recovery-point' });
    expect(execution.cause ?? '').toBe('');
    expect(execution.status).toBe('SUCCEEDED');
    expect(backup.commandCalls(ListRecoveryPointsByResourceCommand)[0].args[0].input.ResourceArn).toEqual(SOURCE_ARN);
    expect(backup.commandCalls(StartRestoreJobCommand)[0].args[0].input.Metadata).toMatchObject({
      DBInstanceIdentifier: 'restore-gone-2', DBSubnetGroupName: deployedSettings.DBSubnetGroupName, DBInstanceClass: 'db.m5.large', DBParameterGroupName: 'default.mysql8.0',
      VpcSecurityGroupIds: expect.stringMatching(/^\["DbSecurityGroup.*\.GroupId"\]$/),
    });
  });

  test('point in time: from the retained automated backup whose window holds the time', async () => {
    sourceGone('restore-gone-3', 'gone-3');
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: RETAINED });
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    const execution = await run({ requestId: 'gone-3', kind: 'point-in-time', restoreTime: '2026-10-03T12:00:00Z' });
    expect(execution.cause ?? '').toBe('');
    expect(execution.status).toBe('SUCCEEDED');
    expect(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand)[0].args[0].input).toEqual({ Filters: [{ Name: 'db-instance-id', Values: [SOURCE_ID] }] });
    const input = rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input;
    expect(input).toMatchObject({ SourceDBInstanceAutomatedBackupsArn: 'arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-old', RestoreTime: new Date('2026-10-03T12:00:00Z'), TargetDBInstanceIdentifier: 'restore-gone-3', ...deployedSettings });
    expect(input.SourceDBInstanceIdentifier).toBeUndefined();
    expect(input.UseLatestRestorableTime).toBeUndefined();
  });

  test('point in time: the retained backup whose window holds the time is found on a later page', async () => {
    sourceGone('restore-gone-paged', 'gone-paged');
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).callsFake((input) => (input.Marker === 'page-2' ? { DBInstanceAutomatedBackups: [RETAINED[0]] } : { DBInstanceAutomatedBackups: [RETAINED[1]], Marker: 'page-2' }));
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    const execution = await run({ requestId: 'gone-paged', kind: 'point-in-time', restoreTime: '2026-10-03T12:00:00Z' });
    expect(execution.cause ?? '').toBe('');
    expect(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand).map((call) => call.args[0].input.Marker)).toEqual([undefined, 'page-2']);
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input.SourceDBInstanceAutomatedBackupsArn).toBe('arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-old');
  });

  test('point in time `latest`: the newest retained backup, to its latest restorable time', async () => {
    sourceGone('restore-gone-4', 'gone-4');
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: RETAINED });
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
    const execution = await run({ requestId: 'gone-4', kind: 'point-in-time', restoreTime: 'latest' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input).toMatchObject({
      SourceDBInstanceAutomatedBackupsArn: 'arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-new', RestoreTime: new Date('2026-11-21T23:50:00Z'),
    });
  });

  test.each([
    [{ kind: 'point-in-time', restoreTime: '2026-11-01T00:00:00Z' }, RETAINED,
      /^`restoreTime` 2026-11-01T00:00:00.000Z is outside the point-in-time window of source-db, which no longer exists: its retained automated backups cover 2026-11-14T03:00:00.000Z to 2026-11-21T23:50:00.000Z, 2026-10-01T00:00:00.000Z to 2026-10-05T00:00:00.000Z \(UTC\), or 'latest'$/],
    [{ kind: 'point-in-time', restoreTime: 'latest' }, [],
      /^`restoreTime`: the source instance source-db no longer exists and has no retained automated backup to restore a point in time from/],
  ])('point in time outside the retained backups: %j', async (input, backups, message) => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound('x'));
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: backups });
    const execution = await run({ requestId: 'gone-5', ...input });
    expect(execution.error).toBe('InvalidRestoreInput');
    expect(JSON.parse(execution.cause!).cause).toMatch(message);
    expect(creations()).toBe(0);
  });

  test('a replica can still be promoted', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).rejects(notFound(SOURCE_ID));
    const replica: DBInstance = { DBInstanceIdentifier: REPLICA_ID, DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${REPLICA_ID}`, DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: SOURCE_ID, DBInstanceClass: 'db.t3.medium' };
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID })
      .resolvesOnce({ DBInstances: [replica] }).resolvesOnce({ DBInstances: [replica] })
      .resolves({ DBInstances: [{ ...replica, ReadReplicaSourceDBInstanceIdentifier: undefined }] });
    rds.on(AddTagsToResourceCommand).resolves({});
    rds.on(PromoteReadReplicaCommand).resolves({});
    const execution = await run({ requestId: 'failover-gone', kind: 'promote-replica', replica: REPLICA_ID, confirm: REPLICA_ID });
    expect(execution.status).toBe('SUCCEEDED');
    expect(rds.commandCalls(PromoteReadReplicaCommand)).toHaveLength(1);
  });

  describe('a setting the workflow cannot know fails before anything is created, naming what to supply', () => {
    beforeEach(() => {
      rds.on(DescribeDBInstancesCommand).rejects(notFound('x'));
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    });

    test('the instance class: the request must give `instanceClass`', withSettings({ arn: 'arn:aws:rds:eu-west-1:123456789012:db:source-db', subnetGroup: 'db-subnets', securityGroupIds: ['sg-0db'], parameterGroup: 'mysql-params' }, async () => {
      const execution = await run({ requestId: 'gone-6', kind: 'snapshot' });
      expect(execution.error).toBe('InvalidRestoreInput');
      expect(JSON.parse(execution.cause!).cause).toBe("`instanceClass` is required: the source instance source-db no longer exists and neither the workflow's settings nor the snapshot rds:source-db-2026-11-21 record its instance class; give `instanceClass`, an RDS instance class such as db.r6g.large");
      expect(creations()).toBe(0);

      rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-gone-7' })
        .rejectsOnce(notFound('x')).rejectsOnce(notFound('x')).resolves({ DBInstances: [target('restore-gone-7', 'available', {}, 'gone-7')] });
      const given = await run({ requestId: 'gone-7', kind: 'snapshot', instanceClass: 'db.r6g.xlarge' });
      expect(given.status).toBe('SUCCEEDED');
      expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0].args[0].input).toMatchObject({ DBInstanceClass: 'db.r6g.xlarge', DBSubnetGroupName: 'db-subnets', VpcSecurityGroupIds: ['sg-0db'], DBParameterGroupName: 'mysql-params' });
    }));

    test('network and parameter settings: the construct props to set', withSettings({ arn: 'arn:aws:rds:eu-west-1:123456789012:db:source-db', instanceClass: 'db.r6g.large' }, async () => {
      for (const input of [{ kind: 'snapshot' }, { kind: 'point-in-time', restoreTime: 'latest' }, { kind: 'recovery-point' }]) {
        const execution = await run({ requestId: 'gone-8', ...input });
        expect(execution.error).toBe('InvalidRestoreInput');
        expect(JSON.parse(execution.cause!).cause).toBe('the source instance source-db no longer exists and the workflow Stack/Restore was deployed without its DB subnet group (`sourceSettings.subnetGroupName`), its VPC security groups (`sourceSettings.securityGroups`), its parameter group (`sourceSettings.parameterGroupName`); RDS would use its defaults instead, so nothing was restored: set them on the DatabaseRestore and deploy it again');
      }
      expect(creations()).toBe(0);
      expect(rds.commandCalls(DescribeDBSnapshotsCommand)).toHaveLength(0);
    }));
  });
});

describe('a cleanup that does not finish', () => {
  /** A snapshot restore `inc-1` whose instance ends `failed` and whose deletion is refused with `message`. */
  function arrangeFailedInstanceWhoseDeletionIsRefused(message: string, drill = false): void {
    const identifier = drill ? 'drill-inc-1' : 'restore-inc-1';
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: identifier })
      .rejectsOnce(notFound(identifier)).rejectsOnce(notFound(identifier))
      .resolves({ DBInstances: [target(identifier, 'failed', { DeletionProtection: false }, 'inc-1', drill)] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    rds.on(DeleteDBInstanceCommand).rejects(Object.assign(new Error(message), { name: 'AccessDenied' }));
  }

  test('still pending after its retries: failed with the original error, naming the instance left behind', () => pastDeadline(async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-inc-1' })
      .rejectsOnce(notFound('restore-inc-1')).rejectsOnce(notFound('restore-inc-1'))
      .resolves({ DBInstances: [target('restore-inc-1', 'creating')] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RestoreTimedOut');
    expect(execution.retried.filter((state) => state === 'Cleanup')).toHaveLength(90);
    expect(execution.visited.slice(-3).map((state) => state.name)).toEqual(['Cleanup', 'CleanupIncomplete', 'RestoreFailed']);
    const cause = JSON.parse(execution.cause!);
    expect(cause).toMatchObject({
      status: 'FAILED', requestId: 'inc-1', kind: 'snapshot', error: 'RestoreTimedOut', target: 'restore-inc-1',
      cleanup: { outcome: 'incomplete', targetIdentifier: 'restore-inc-1' },
    });
    expect(cause.cause).toContain('restore-inc-1 was not available by');
    expect(cause.cleanup.detail).toMatch(new RegExp('^the cleanup did not finish \\(CleanupPending: .*restore-inc-1 is creating; it is deleted once that ends.*\\); restore-inc-1 may be left behind: check it and delete it by hand unless it is wanted '
      + `\\(tags cdk-backup-dr:restore-execution=inc-1, cdk-backup-dr:created-by-execution=${createdByExecution('inc-1').Value}\\)$`));
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  }));

  test('a drill whose cleanup gives up counts as a failed drill', () => pastDeadline(async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: SNAPSHOTS });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'drill-d-9' })
      .rejectsOnce(notFound('drill-d-9')).rejectsOnce(notFound('drill-d-9'))
      .resolves({ DBInstances: [target('drill-d-9', 'creating', {}, 'd-9', true)] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    const execution = await run({ requestId: 'd-9', kind: 'snapshot', drill: true });
    expect(execution.error).toBe('RestoreTimedOut');
    expect(execution.visited.slice(-3).map((state) => state.name)).toEqual(['Cleanup', 'CleanupIncomplete', 'RestoreFailed']);
    expect(JSON.parse(execution.cause!)).toMatchObject({ drill: true, target: 'drill-d-9', cleanup: { outcome: 'incomplete', targetIdentifier: 'drill-d-9' } });
    const metrics = cloudwatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);
    expect(metrics).toEqual([{
      Namespace: 'CdkBackupDr',
      MetricData: [expect.objectContaining({ MetricName: 'DrillFailures', Value: 1, Dimensions: [{ Name: 'Database', Value: SOURCE_ID }] })],
    }]);
  }));

  test('an incident restore whose cleanup gives up puts no drill metric', async () => {
    arrangeFailedInstanceWhoseDeletionIsRefused('not authorized to perform: rds:DeleteDBInstance');
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.visited.slice(-2).map((state) => state.name)).toEqual(['CleanupIncomplete', 'RestoreFailed']);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  test('any other cleanup error: not retried, same failure document', async () => {
    arrangeFailedInstanceWhoseDeletionIsRefused('not authorized to perform: rds:DeleteDBInstance');
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' });
    expect(execution.error).toBe('RestoreFailed');
    expect(execution.retried).toEqual([]);
    const cause = JSON.parse(execution.cause!);
    expect(cause).toMatchObject({ error: 'RestoreFailed', target: 'restore-inc-1', cleanup: { outcome: 'incomplete', targetIdentifier: 'restore-inc-1' } });
    expect(cause.cause).toContain('restore-inc-1 is failed: the restore cannot finish');
    expect(cause.cleanup.detail).toMatch(/^the cleanup did not finish \(AccessDenied: .*not authorized to perform: rds:DeleteDBInstance.*\); restore-inc-1 may be left behind/);
  });

  test('a request rejected before naming an instance says none was created', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound('x'));
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    cloudwatch.on(PutMetricDataCommand).rejects(Object.assign(new Error('not authorized to perform: cloudwatch:PutMetricData'), { name: 'AccessDenied' }));
    const execution = await run({ requestId: 'drill-x', kind: 'snapshot', drill: true });
    expect(execution.error).toBe('InvalidRestoreInput');
    const cause = JSON.parse(execution.cause!);
    expect(cause).toMatchObject({ error: 'InvalidRestoreInput', cleanup: { outcome: 'incomplete' } });
    expect(cause.cause).toContain('has no available snapshot to restore');
    expect(cause.cleanup.detail).toMatch(/^the cleanup did not finish \(AccessDenied: .*\); the request failed before it named an instance, so none was created$/);
    expect(cause.target).toBeUndefined();
    // Put by the cleanup and tried again when the failure is reported; the document says it is missing.
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(2);
    expect(cause.drillFailureNotRecorded).toMatch(/^DrillFailures was not put: .*not authorized to perform: cloudwatch:PutMetricData/);
  });

  const unavailable = async () => {
    throw Object.assign(new Error('Lambda is unavailable'), { name: 'Lambda.ServiceException' });
  };

  test('the steps function unreachable too: still failed with the original error, and what to look for', async () => {
    arrangeFailedInstanceWhoseDeletionIsRefused('not authorized');
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot' }, verifyHandler, { CleanupIncomplete: unavailable });
    expect(execution.error).toBe('RestoreFailed');
    // The Lambda service errors are retried as for every Lambda task (6 attempts), then caught.
    expect(execution.retried).toEqual(Array(6).fill('CleanupIncomplete'));
    expect(execution.visited.slice(-5).map((state) => state.name)).toEqual(['CleanupIncompleteUnreported', 'CleanupIncompleteDrillGiven', 'CleanupIncompleteIsDrill', 'CleanupIncompleteCause', 'RestoreFailed']);
    // Not a drill: nothing counted.
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    // The execution tag the steps function gave the instance it created, which the states compute too.
    const tagged = rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0].args[0].input.Tags ?? [];
    const executionTag = tagged.find((tag) => tag.Key === 'cdk-backup-dr:created-by-execution')?.Value;
    expect(executionTag).toBe(createdByExecution('inc-1').Value);
    // Written by the states, which cannot cut a message to fit a cause: the errors by name, their messages left to the execution history.
    expect(JSON.parse(execution.cause!)).toEqual({
      status: 'FAILED',
      error: 'RestoreFailed',
      cause: expect.stringMatching(/^not given here: the workflow function, .* could not be reached \(Lambda\.ServiceException\); the execution history has the whole error/),
      cleanup: {
        outcome: 'incomplete',
        detail: 'the cleanup did not finish: look for an instance tagged cdk-backup-dr:workflow-id=Stack/Restore, cdk-backup-dr:restore-execution=<this request id> and '
          + `cdk-backup-dr:created-by-execution=${executionTag} (this execution) and delete it by hand unless it is wanted`,
        error: 'AccessDenied',
      },
    });
  });

  test('a drill whose failure the steps function cannot report is counted by the state machine itself', async () => {
    arrangeFailedInstanceWhoseDeletionIsRefused('not authorized', true);
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot', drill: true }, verifyHandler, { CleanupIncomplete: unavailable });
    expect(execution.error).toBe('RestoreFailed');
    expect(execution.visited.slice(-7).map((state) => state.name)).toEqual([
      'CleanupIncomplete', 'CleanupIncompleteUnreported', 'CleanupIncompleteDrillGiven', 'CleanupIncompleteIsDrill', 'CleanupIncompleteCountDrill', 'CleanupIncompleteCause', 'RestoreFailed',
    ]);
    // The last put is the state machine's, with the alarm's namespace, metric and dimension.
    expect(cloudwatch.commandCalls(PutMetricDataCommand).at(-1)!.args[0].input).toEqual({
      Namespace: 'CdkBackupDr',
      MetricData: [{ MetricName: 'DrillFailures', Value: 1, Unit: 'Count', Dimensions: [{ Name: 'Database', Value: deployedSourceId }] }],
    });
    expect(JSON.parse(execution.cause!)).toMatchObject({ error: 'RestoreFailed', cleanup: { outcome: 'incomplete', error: 'AccessDenied' } });
    expect(execution.cause).not.toContain('drillFailureNotRecorded');
  });

  test('a drill the state machine cannot count either: the failure document says so', async () => {
    arrangeFailedInstanceWhoseDeletionIsRefused('not authorized', true);
    // A new error per call: the steps function's own attempts prefix the message of the error they get.
    cloudwatch.on(PutMetricDataCommand).callsFake(() => Promise.reject(Object.assign(new Error('not authorized to perform: cloudwatch:PutMetricData'), { name: 'AccessDenied' })));
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot', drill: true }, verifyHandler, { CleanupIncomplete: unavailable });
    expect(execution.error).toBe('RestoreFailed');
    expect(execution.visited.slice(-4).map((state) => state.name)).toEqual(['CleanupIncompleteCountDrill', 'CleanupIncompleteDrillNotCounted', 'CleanupIncompleteCause', 'RestoreFailed']);
    expect(JSON.parse(execution.cause!).drillFailureNotRecorded).toBe('DrillFailures was not put (AccessDenied); the missed-drill alarm still fires when no drill succeeds');
  });

  test('a drill flag that is not a boolean is not a drill there, and does not break the failure path', async () => {
    // Refused by Validate; the cleanup fails and the steps function is unreachable after it.
    const refused = async () => {
      throw Object.assign(new Error('not authorized to perform: s3:PutObject'), { name: 'AccessDenied' });
    };
    const execution = await run({ requestId: 'inc-1', kind: 'snapshot', drill: 'yes' }, verifyHandler, { Cleanup: refused, CleanupIncomplete: unavailable });
    expect(execution.error).toBe('InvalidRestoreInput');
    expect(execution.visited.slice(-4).map((state) => state.name)).toEqual(['CleanupIncompleteDrillGiven', 'CleanupIncompleteRefusedIsDrill', 'CleanupIncompleteCause', 'RestoreFailed']);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });
});
