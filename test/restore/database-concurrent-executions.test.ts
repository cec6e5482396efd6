/**
 * Two executions of the database restore workflow with the same request id and different
 * execution names (the CLI names executions after the request; the console or another script
 * may not), running at once: both instances' tags carry the shared request id, and the
 * instance is created after both started, so neither tells the executions apart. Only the
 * execution that created an instance may delete or adopt it. Run with the real steps function,
 * AWS mocked with aws-sdk-client-mock; the verification's answers stand in for the function.
 */
import { createHash } from 'node:crypto';
import { BackupClient, DescribeRestoreJobCommand, GetRecoveryPointRestoreMetadataCommand, ListRecoveryPointsByResourceCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsToResourceCommand, DBInstanceAlreadyExistsFault, DBInstanceNotFoundFault, DeleteDBInstanceCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand, RDSClient, RestoreDBInstanceFromDBSnapshotCommand, type DBInstance, type Tag,
} from '@aws-sdk/client-rds';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { runStep, handler as stepsHandler, type FailureOutput } from '../../lambda/restore-db-steps/index';
import { configFromEnvironment, type RestorePlan } from '../../lambda/restore-db-steps/types';
import { FAKE_ACCOUNT, FAKE_REGION, localStateMachine, type LambdaHandler, type LocalExecution, type LocalStateMachine } from '../support/local-state-machine';
import { restoreFixture } from './db-fixture';

const rds = mockClient(RDSClient);
const backup = mockClient(BackupClient);
const cloudwatch = mockClient(CloudWatchClient);

const WORKFLOW = 'Stack/Restore';
const SOURCE_ID = 'source-db';
const STEP_STATES = ['MeasureRequest', 'Validate', 'StartRestore', 'CheckInstance', 'Report', 'ReportPromotion', 'RecordDrill', 'DeleteScratch', 'Cleanup', 'CleanupIncomplete'];
const CREATED_BY_EXECUTION = 'cdk-backup-dr:created-by-execution';

let machine: LocalStateMachine;

beforeAll(() => {
  process.env.SOURCE_INSTANCE_ID = SOURCE_ID;
  process.env.REPLICA_INSTANCE_IDS = '';
  process.env.WORKFLOW_ID = WORKFLOW;
  process.env.BACKUP_RESTORE_ROLE_ARN = 'arn:aws:iam::123456789012:role/restore';
  process.env.RESTORE_TIMEOUT_MINUTES = '720';
  delete process.env.SOURCE_SETTINGS;
  machine = localStateMachine(Template.fromStack(restoreFixture().stack), { logicalIdPrefix: 'Restore' });
});

beforeEach(() => {
  rds.reset();
  backup.reset();
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({ DBInstances: [sourceInstance()] });
});

function notFound(identifier: string): DBInstanceNotFoundFault {
  return new DBInstanceNotFoundFault({ message: `DBInstance ${identifier} not found.`, $metadata: { httpStatusCode: 404 } });
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
    MultiAZ: false,
    Endpoint: { Address: 'source.example', Port: 3306 },
  };
}

/** The ARN the local runner gives an execution of this name (`$$.Execution.Id`). */
function executionArn(name: string): string {
  return `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:execution:local:${name}`;
}

/** The value of the created-by-execution tag as the README describes it: the SHA-256 of the execution's ARN, in hex. */
function createdByTag(name: string): string {
  return createHash('sha256').update(executionArn(name)).digest('hex');
}

const ok = { status: 'ok', checks: 3, problems: [], newestRow: { status: 'unknown', detail: 'no timestamp column' } };
const failed = { status: 'failed', checks: 3, problems: ['failed: CHECK TABLE shop.orders: corrupt'], newestRow: { status: 'unknown', detail: 'no timestamp column' } };

/** A promise and the function that settles it: holds an execution at a step until the test lets it go on. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

function run(name: string, input: Record<string, unknown>, overrides: Record<string, LambdaHandler>): Promise<LocalExecution> {
  const handlers: Record<string, LambdaHandler> = { CleanupIncompleteCountDrill: async () => ({}) };
  for (const state of STEP_STATES) {
    handlers[state] = stepsHandler;
  }
  return machine.run(input, { handlers: { ...handlers, ...overrides }, executionName: name });
}

function tagsOf(instance: DBInstance | undefined): Record<string, string | undefined> {
  return Object.fromEntries((instance?.TagList ?? []).map((tag) => [tag.Key, tag.Value]));
}

test('a drill run twice at once: the second execution\'s cleanup leaves the instance the first created, which the first deletes itself', async () => {
  const request = { requestId: 'd-7', kind: 'snapshot', drill: true };
  rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [
    { DBSnapshotIdentifier: 'rds:source-db-2026-11-21', DBSnapshotArn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:rds:source-db-2026-11-21', Status: 'available', SnapshotCreateTime: new Date('2026-11-21T03:00:00Z') },
  ] });
  // RDS as the two executions see it: no instance until the first one's restore call, then
  // that instance, with the tags that call gave it, created after both executions started.
  let created: DBInstance | undefined;
  rds.on(RestoreDBInstanceFromDBSnapshotCommand).callsFake((input: { DBInstanceIdentifier: string; Tags?: Tag[] }) => {
    if (created) {
      throw new DBInstanceAlreadyExistsFault({ message: 'DB instance already exists', $metadata: { httpStatusCode: 400 } });
    }
    created = {
      DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${input.DBInstanceIdentifier}`, DBInstanceStatus: 'available',
      InstanceCreateTime: new Date(), DeletionProtection: false, TagList: input.Tags, Endpoint: { Address: 'drill-d-7.example', Port: 3306 },
    };
    return {};
  });
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'drill-d-7' }).callsFake(async () => {
    if (!created) {
      throw notFound('drill-d-7');
    }
    return { DBInstances: [created] };
  });
  rds.on(DeleteDBInstanceCommand).resolves({});
  rds.on(ModifyDBInstanceCommand).resolves({});

  // The first execution (named by the CLI) creates the instance and is held at its verification;
  // the second (started by hand, another name) starts with it, is held until the instance
  // exists, resumes it, fails its verification and cleans up. Then the first goes on.
  const secondMayGoOn = gate();
  const firstMayGoOn = gate();
  const first = run('restore-d-7', request, {
    VerifyRestore: async () => {
      secondMayGoOn.open();
      await firstMayGoOn.opened;
      return ok;
    },
  });
  const second = run('by-hand-d-7', request, {
    MeasureRequest: async (event, context) => {
      await secondMayGoOn.opened;
      return stepsHandler(event, context);
    },
    VerifyRestore: async () => failed,
  });
  const secondDone = await second;
  const deletedBySecond = rds.commandCalls(DeleteDBInstanceCommand).length;
  firstMayGoOn.open();
  const firstDone = await first;

  expect(secondDone.error).toBe('VerificationFailed');
  expect(deletedBySecond).toBe(0);
  expect(JSON.parse(secondDone.cause!).cleanup).toEqual({
    outcome: 'kept',
    targetIdentifier: 'drill-d-7',
    detail: `drill-d-7 was created by another execution of request d-7 (its ${CREATED_BY_EXECUTION} tag is ${createdByTag('restore-d-7')}; this execution's is ${createdByTag('by-hand-d-7')}): left alone`,
  });
  expect(firstDone.cause ?? '').toBe('');
  expect(firstDone.output).toMatchObject({ drill: true, created: true, cleanup: { outcome: 'deleted', targetIdentifier: 'drill-d-7' } });
  expect(rds.commandCalls(DeleteDBInstanceCommand).map((call) => call.args[0].input.DBInstanceIdentifier)).toEqual(['drill-d-7']);
  expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(1);
  expect(tagsOf(created)).toMatchObject({ 'cdk-backup-dr:restore-execution': 'd-7', [CREATED_BY_EXECUTION]: createdByTag('restore-d-7') });
});

/** The instance another execution (`restore-<request>`) of the request created with its AWS Backup restore job, and adopted. */
function theirInstance(requestId: string): DBInstance {
  return {
    DBInstanceIdentifier: `restore-${requestId}`, DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:restore-${requestId}`, DBInstanceStatus: 'available',
    InstanceCreateTime: new Date(Date.now() + 1_000), DeletionProtection: true, Endpoint: { Address: `restore-${requestId}.example`, Port: 3306 },
    TagList: [
      { Key: 'cdk-backup-dr:restore-execution', Value: requestId }, { Key: 'cdk-backup-dr:workflow-id', Value: WORKFLOW },
      { Key: 'cdk-backup-dr:restored-from', Value: SOURCE_ID }, { Key: CREATED_BY_EXECUTION, Value: createdByTag(`restore-${requestId}`) },
    ],
  };
}

test('recovery point: the restore job of the execution that lost the race fails; its cleanup leaves the instance the other execution\'s job created and adopted', async () => {
  const pointArn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-7';
  backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: pointArn, Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] });
  backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { DBInstanceIdentifier: SOURCE_ID, Engine: 'mysql' } });
  backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-second' });
  // This execution's job could not create the instance: the other execution's job did (still
  // untagged when this one's job failed, AWS Backup tagging nothing), and that execution adopted
  // it (tagged it with the request and its own execution) once its job named it.
  backup.on(DescribeRestoreJobCommand, { RestoreJobId: 'job-second' }).resolves({ Status: 'FAILED', StatusMessage: 'DB instance restore-rp-7 already exists' });
  const theirs = theirInstance('rp-7');
  let adopted = false;
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-rp-7' })
    .rejectsOnce(notFound('restore-rp-7')).rejectsOnce(notFound('restore-rp-7'))
    .callsFake(async () => ({ DBInstances: [adopted ? theirs : { ...theirs, DBInstanceStatus: 'creating', TagList: [] }] }));
  rds.on(AddTagsToResourceCommand).resolves({});
  rds.on(ModifyDBInstanceCommand).resolves({});
  rds.on(DeleteDBInstanceCommand).resolves({});
  const execution = await run('by-hand-rp-7', { requestId: 'rp-7', kind: 'recovery-point', recoveryPoint: pointArn }, {
    VerifyRestore: async () => ok,
    // By the time this execution cleans up, the other has adopted its instance.
    Cleanup: async (event, context) => {
      adopted = true;
      return stepsHandler(event, context);
    },
  });
  expect(execution.error).toBe('RestoreFailed');
  expect(JSON.parse(execution.cause!)).toMatchObject({
    cause: expect.stringContaining('AWS Backup restore job job-second for restore-rp-7 ended FAILED'),
    cleanup: { outcome: 'kept', targetIdentifier: 'restore-rp-7', detail: expect.stringMatching(/^restore-rp-7 was created by another execution of request rp-7 \(/) },
  });
  expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
});

test('recovery point: an execution whose restore job is still running when the other execution\'s instance is adopted waits for its job to end, then resumes that instance without claiming it', async () => {
  const pointArn = 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-8';
  backup.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: pointArn, Status: 'COMPLETED', CreationDate: new Date('2026-11-21T05:00:00Z'), BackupVaultName: 'vault' }] });
  backup.on(GetRecoveryPointRestoreMetadataCommand).resolves({ RestoreMetadata: { DBInstanceIdentifier: SOURCE_ID, Engine: 'mysql' } });
  backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'job-second' });
  // This execution's job waits its turn while the other execution's job creates the instance,
  // which that execution adopts; then this one's job fails, the identifier being taken.
  backup.on(DescribeRestoreJobCommand, { RestoreJobId: 'job-second' })
    .resolvesOnce({ Status: 'PENDING' }).resolvesOnce({ Status: 'RUNNING' })
    .resolves({ Status: 'FAILED', StatusMessage: 'DB instance restore-rp-8 already exists' });
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-rp-8' })
    .rejectsOnce(notFound('restore-rp-8')).rejectsOnce(notFound('restore-rp-8'))
    .resolves({ DBInstances: [theirInstance('rp-8')] });
  rds.on(AddTagsToResourceCommand).resolves({});
  rds.on(ModifyDBInstanceCommand).resolves({});
  rds.on(DeleteDBInstanceCommand).resolves({});
  const verifiedAfter: number[] = [];
  const execution = await run('by-hand-rp-8', { requestId: 'rp-8', kind: 'recovery-point', recoveryPoint: pointArn }, {
    VerifyRestore: async () => {
      verifiedAfter.push(backup.commandCalls(DescribeRestoreJobCommand).length);
      return ok;
    },
  });
  expect(execution.cause ?? '').toBe('');
  expect(execution.output).toMatchObject({
    status: 'SUCCEEDED', requestId: 'rp-8', created: false, verified: true,
    target: { identifier: 'restore-rp-8', endpoint: 'restore-rp-8.example' },
    resumed: `restore-rp-8 was created by another execution of request rp-8 (its ${CREATED_BY_EXECUTION} tag is ${createdByTag('restore-rp-8')}; this execution's is ${createdByTag('by-hand-rp-8')}); `
      + 'this execution\'s AWS Backup restore job job-second ended FAILED (DB instance restore-rp-8 already exists)',
  });
  // Verified once, after its own job had ended (the third read): until then that job could still
  // have created an instance here, had the other one been deleted.
  expect(verifiedAfter).toEqual([3]);
  expect(execution.visited.filter((state) => state.name === 'CheckInstance')).toHaveLength(3);
  expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
});

test('an instance of the request without this execution\'s tag is kept: one made before instances carried it, or any, when the plan does not name the execution', async () => {
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  const plan: RestorePlan = {
    requestId: 'old-1', kind: 'snapshot', drill: false, keepOnVerificationFailure: false,
    source: { identifier: SOURCE_ID, live: true, arn: sourceInstance().DBInstanceArn!, subnetGroup: 'db-subnets', securityGroupIds: ['sg-0db'], multiAz: false },
    target: { identifier: 'restore-old-1', instanceClass: 'db.r6g.large' },
    backupTime: '2026-11-21T03:00:00.000Z', existing: false, startedAt, executionArn: executionArn('restore-old-1'), deadline: new Date(Date.now() + 3_600_000).toISOString(),
  };
  const requestTags: Tag[] = [{ Key: 'cdk-backup-dr:restore-execution', Value: 'old-1' }, { Key: 'cdk-backup-dr:workflow-id', Value: WORKFLOW }];
  const instance = (tags: Tag[]): DBInstance => ({
    DBInstanceIdentifier: 'restore-old-1', DBInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:restore-old-1', DBInstanceStatus: 'failed', InstanceCreateTime: new Date(), TagList: tags,
  });
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'restore-old-1' })
    .resolvesOnce({ DBInstances: [instance(requestTags)] })
    .resolves({ DBInstances: [instance([...requestTags, { Key: CREATED_BY_EXECUTION, Value: createdByTag('restore-old-1') }])] });
  rds.on(DeleteDBInstanceCommand).resolves({});
  const deps = { clients: { rds: new RDSClient({}), backup: new BackupClient({}) }, cloudwatch: new CloudWatchClient({}), config: configFromEnvironment() };
  const cleanup = async (of: RestorePlan) => {
    const output = await runStep({ action: 'cleanup', plan: of, progress: { targetIdentifier: 'restore-old-1', created: true }, error: { Error: 'RestoreFailed', Cause: 'failed' } }, deps) as FailureOutput;
    return JSON.parse(output.cause).cleanup;
  };
  expect(await cleanup(plan)).toEqual({
    outcome: 'kept', targetIdentifier: 'restore-old-1',
    detail: `restore-old-1 was created by another execution of request old-1 (its ${CREATED_BY_EXECUTION} tag is missing; this execution's is ${createdByTag('restore-old-1')}): left alone`,
  });
  const planOfAnEarlierVersion: RestorePlan = { ...plan, executionArn: undefined };
  expect(await cleanup(planOfAnEarlierVersion)).toEqual({
    outcome: 'kept', targetIdentifier: 'restore-old-1',
    detail: `restore-old-1 was created by another execution of request old-1 (its ${CREATED_BY_EXECUTION} tag is ${createdByTag('restore-old-1')}; this execution's is unknown): left alone`,
  });
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
});
