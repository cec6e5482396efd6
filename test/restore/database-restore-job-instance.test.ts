/**
 * A recovery-point restore adopts (tags) the untagged instance at the target, in its check or,
 * once the AWS Backup job ended, in its cleanup (which then deletes it), only when it is the one
 * that job created. The ARN the job names is made from the identifier alone, so another restore
 * into the same identifier (after this job's instance was deleted) makes an instance with the
 * same ARN: what tells them apart is RDS's creation time against the job's own run, and the
 * job's status. The steps run directly, AWS mocked with aws-sdk-client-mock.
 */
import { createHash } from 'node:crypto';
import { BackupClient, DescribeRestoreJobCommand, type DescribeRestoreJobCommandOutput } from '@aws-sdk/client-backup';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { AddTagsToResourceCommand, DeleteDBInstanceCommand, DescribeDBInstancesCommand, ModifyDBInstanceCommand, RDSClient, type DBInstance } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { runStep, type FailureOutput } from '../../lambda/restore-db-steps/index';
import { configFromEnvironment, type RestorePlan, type RestoreStatus } from '../../lambda/restore-db-steps/types';

const rds = mockClient(RDSClient);
const backup = mockClient(BackupClient);

const WORKFLOW = 'Stack/Restore';
const TARGET = 'restore-rp-9';
const TARGET_ARN = `arn:aws:rds:eu-west-1:123456789012:db:${TARGET}`;
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:Restore:restore-rp-9';

const config = configFromEnvironment({ SOURCE_INSTANCE_ID: 'source-db', REPLICA_INSTANCE_IDS: '', WORKFLOW_ID: WORKFLOW });
const deps = { clients: { rds: new RDSClient({}), backup: new BackupClient({}) }, cloudwatch: new CloudWatchClient({}), config };

/** The execution started ten minutes ago; its restore job ran from nine minutes ago to two minutes ago. */
const startedAt = new Date(Date.now() - 10 * 60_000);
const jobCreated = new Date(startedAt.getTime() + 60_000);
const jobCompleted = new Date(startedAt.getTime() + 8 * 60_000);

const plan: RestorePlan = {
  requestId: 'rp-9', kind: 'recovery-point', drill: false, keepOnVerificationFailure: false,
  source: { identifier: 'source-db', live: true, arn: 'arn:aws:rds:eu-west-1:123456789012:db:source-db', subnetGroup: 'db-subnets', securityGroupIds: ['sg-0db'], multiAz: false },
  target: { identifier: TARGET, instanceClass: 'db.r6g.large' },
  recoveryPoint: { arn: 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-9', vault: 'vault', createdAt: '2026-11-21T05:00:00.000Z' },
  backupTime: '2026-11-21T05:00:00.000Z', existing: false, startedAt: startedAt.toISOString(), executionArn: EXECUTION_ARN,
  deadline: new Date(Date.now() + 3_600_000).toISOString(),
};

const completedJob: DescribeRestoreJobCommandOutput = {
  $metadata: {}, RestoreJobId: 'job-9', Status: 'COMPLETED', CreatedResourceArn: TARGET_ARN, CreationDate: jobCreated, CompletionDate: jobCompleted,
};

/** An instance at the target as AWS Backup leaves it: no tags. */
function untagged(extra: Partial<DBInstance>): DBInstance {
  return { DBInstanceIdentifier: TARGET, DBInstanceArn: TARGET_ARN, DBInstanceStatus: 'available', DeletionProtection: true, TagList: [], ...extra };
}

beforeEach(() => {
  rds.reset();
  backup.reset();
  rds.on(AddTagsToResourceCommand).resolves({});
  rds.on(ModifyDBInstanceCommand).resolves({});
  rds.on(DeleteDBInstanceCommand).resolves({});
});

const progress = { targetIdentifier: TARGET, created: true, restoreJobId: 'job-9' };

function mockJobAndInstance(job: DescribeRestoreJobCommandOutput, instance: DBInstance): void {
  backup.on(DescribeRestoreJobCommand, { RestoreJobId: 'job-9' }).resolves(job);
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: TARGET }).resolves({ DBInstances: [instance] });
}

async function cleanup(job: DescribeRestoreJobCommandOutput, instance: DBInstance): Promise<{ outcome: string; detail: string }> {
  mockJobAndInstance(job, instance);
  const output = await runStep({ action: 'cleanup', plan, progress, error: { Error: 'RestoreTimedOut', Cause: 'not available in time' } }, deps) as FailureOutput;
  return JSON.parse(output.cause).cleanup;
}

function expectUntouched(): void {
  expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
}

describe('the cleanup', () => {
  test('the untagged instance the completed job created while it ran is tagged as this execution\'s and deleted', async () => {
    const result = await cleanup(completedJob, untagged({ InstanceCreateTime: new Date(jobCreated.getTime() + 5 * 60_000) }));
    expect(result).toMatchObject({ outcome: 'deleted' });
    expect(rds.commandCalls(AddTagsToResourceCommand)[0].args[0].input.Tags).toEqual(expect.arrayContaining([
      { Key: 'cdk-backup-dr:restore-execution', Value: 'rp-9' },
      { Key: 'cdk-backup-dr:created-by-execution', Value: createHash('sha256').update(EXECUTION_ARN).digest('hex') },
    ]));
    expect(rds.commandCalls(DeleteDBInstanceCommand).map((call) => call.args[0].input.DBInstanceIdentifier)).toEqual([TARGET]);
  });

  test('an untagged instance created after the job completed (another restore into the identifier, this job\'s instance deleted) is left alone', async () => {
    const later = new Date(jobCompleted.getTime() + 10 * 60_000);
    const result = await cleanup(completedJob, untagged({ InstanceCreateTime: later }));
    expect(result).toEqual({
      outcome: 'not-ours', targetIdentifier: TARGET,
      detail: `${TARGET} was not created by request rp-9 of ${WORKFLOW}; not this execution's restore job's: it was created ${later.toISOString()}, outside the run of AWS Backup restore job job-9 `
        + `(${jobCreated.toISOString()} to ${jobCompleted.toISOString()}): another restore made it at the same identifier: left alone`,
    });
    expectUntouched();
  });

  test('an untagged instance still being created (no creation time), after the job completed, is left alone', async () => {
    const result = await cleanup(completedJob, untagged({ DBInstanceStatus: 'creating', InstanceCreateTime: undefined }));
    expect(result).toMatchObject({ outcome: 'not-ours', detail: expect.stringContaining('RDS gives no creation time for it') });
    expectUntouched();
  });

  test('a job that gives no completion time proves nothing: its instance is left alone', async () => {
    const result = await cleanup({ ...completedJob, CompletionDate: undefined }, untagged({ InstanceCreateTime: new Date(jobCreated.getTime() + 60_000) }));
    expect(result).toMatchObject({ outcome: 'not-ours', detail: expect.stringContaining('AWS Backup restore job job-9 gives no completion time') });
    expectUntouched();
  });

  test('a failed job that names the instance\'s ARN (another restore held the identifier) does not make the instance its own', async () => {
    const result = await cleanup({ ...completedJob, Status: 'FAILED', StatusMessage: `DB instance ${TARGET} already exists` }, untagged({ InstanceCreateTime: new Date(jobCreated.getTime() + 60_000) }));
    expect(result).toMatchObject({ outcome: 'not-ours', detail: expect.stringContaining('AWS Backup restore job job-9 ended FAILED: it may not have created the instance at that ARN') });
    expectUntouched();
  });

  test('an instance another request of the workflow has tagged as its own is never re-tagged nor deleted, even when created while the job ran', async () => {
    const theirs = untagged({
      InstanceCreateTime: new Date(jobCreated.getTime() + 60_000),
      TagList: [{ Key: 'cdk-backup-dr:restore-execution', Value: 'other-request' }, { Key: 'cdk-backup-dr:workflow-id', Value: WORKFLOW }],
    });
    const result = await cleanup(completedJob, theirs);
    expect(result).toMatchObject({ outcome: 'not-ours', detail: expect.stringContaining('it carries another restore\'s tags (cdk-backup-dr:restore-execution=other-request, cdk-backup-dr:workflow-id=Stack/Restore)') });
    expectUntouched();
  });
});

describe('the check', () => {
  async function check(job: DescribeRestoreJobCommandOutput, instance: DBInstance): Promise<RestoreStatus> {
    mockJobAndInstance(job, instance);
    return await runStep({ action: 'check', plan, progress }, deps) as RestoreStatus;
  }

  test('tags the untagged instance the completed job created while it ran', async () => {
    const status = await check(completedJob, untagged({ InstanceCreateTime: new Date(jobCreated.getTime() + 5 * 60_000) }));
    expect(status).toMatchObject({ state: 'available' });
    expect(rds.commandCalls(AddTagsToResourceCommand).map((call) => call.args[0].input.ResourceName)).toEqual([TARGET_ARN]);
  });

  test('tags the job\'s instance whose creation time RDS gives a little after the job\'s completion (clock skew between the services, under a minute)', async () => {
    const status = await check(completedJob, untagged({ InstanceCreateTime: new Date(jobCompleted.getTime() + 20_000) }));
    expect(status).toMatchObject({ state: 'available' });
    expect(rds.commandCalls(AddTagsToResourceCommand).map((call) => call.args[0].input.ResourceName)).toEqual([TARGET_ARN]);
  });

  test('fails, without tagging it, at an untagged instance created after the job completed (another restore into the identifier)', async () => {
    const later = new Date(jobCompleted.getTime() + 10 * 60_000);
    await expect(check(completedJob, untagged({ DBInstanceStatus: 'creating', InstanceCreateTime: later }))).rejects.toMatchObject({
      name: 'RestoreFailed',
      message: `${TARGET} (${TARGET_ARN}) is not shown to be the instance AWS Backup restore job job-9 created: it was created ${later.toISOString()}, outside the run of AWS Backup restore job job-9 `
        + `(${jobCreated.toISOString()} to ${jobCompleted.toISOString()}): another restore made it at the same identifier; left alone`,
    });
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });

  test('never re-tags an instance another request has tagged as its own', async () => {
    const theirs = untagged({ InstanceCreateTime: new Date(jobCreated.getTime() + 60_000), TagList: [{ Key: 'cdk-backup-dr:restore-execution', Value: 'other-request' }, { Key: 'cdk-backup-dr:workflow-id', Value: WORKFLOW }] });
    await expect(check(completedJob, theirs)).rejects.toMatchObject({ name: 'RestoreFailed', message: expect.stringContaining('it carries another restore\'s tags') });
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });

  test('waits, without tagging, while the job that names the instance is still running', async () => {
    const status = await check({ ...completedJob, Status: 'RUNNING', CompletionDate: undefined }, untagged({ InstanceCreateTime: new Date(jobCreated.getTime() + 60_000) }));
    expect(status).toEqual({ state: 'pending', instanceStatus: `restore job RUNNING; ${TARGET} is available, taken as the job's once it completes` });
    expect(rds.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });
});
