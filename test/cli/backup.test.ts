import { BackupClient, DescribeBackupJobCommand, StartBackupJobCommand } from '@aws-sdk/client-backup';
import {
  DescribeExecutionCommand, GetExecutionHistoryCommand, ListStateMachinesCommand, ListTagsForResourceCommand, SFNClient, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { BackupIo, resourceLabel, runBackup } from '../../cli/commands/backup';
import { withoutRegion } from './no-region';

const sfnMock = mockClient(SFNClient);
const backupMock = mockClient(BackupClient);
const MACHINE = 'arn:aws:states:eu-west-1:111111111111:stateMachine:DumpWorkflow';
const EXECUTION = 'arn:aws:states:eu-west-1:111111111111:execution:DumpWorkflow:backup-now-1';
const DB = 'arn:aws:rds:eu-west-1:111111111111:db:shop-master';
const VOLUME = 'arn:aws:ec2:eu-west-1:111111111111:volume/vol-0abc';
const RP_DB = 'arn:aws:rds:eu-west-1:111111111111:snapshot:awsbackup:job-1';
const RP_VOLUME = 'arn:aws:ec2:eu-west-1::snapshot/snap-0def';
const OUTPUT = {
  runId: '20261122T010000Z-backup-now-1', dailyBucket: 'daily-b', dailyPrefix: 'daily/2026-11-22/20261122T010000Z-backup-now-1/',
  archiveBucket: 'archive-b', archivePrefix: 'yearly/2026/2026-11-22/20261122T010000Z-backup-now-1/',
  dailyManifest: 's3://daily-b/daily/2026-11-22/20261122T010000Z-backup-now-1/manifest.json',
  archiveManifest: 's3://archive-b/yearly/2026/2026-11-22/20261122T010000Z-backup-now-1/manifest.json',
  bytes: 1234, sha256: 'a'.repeat(64), tables: 3, gtidPosition: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-42', replicationPaused: true,
};

function io(isTTY = false, env: NodeJS.ProcessEnv = {}): BackupIo & { out: string; err: string; slept: number } {
  let clock = Date.parse('2026-11-22T01:00:00Z');
  const state = {
    out: '', err: '', slept: 0,
    stdout: { write: (text: string) => { state.out += text; }, isTTY },
    stderr: { write: (text: string) => { state.err += text; }, isTTY },
    env,
    sleep: async (ms: number) => { state.slept += 1; clock += ms; },
    now: () => clock,
    clients: () => ({ sfn: new SFNClient({ region: 'eu-west-1' }), backup: new BackupClient({ region: 'eu-west-1' }) }),
  };
  return state;
}

beforeEach(() => {
  sfnMock.reset();
  backupMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
  sfnMock.on(DescribeExecutionCommand)
    .resolvesOnce({ status: 'RUNNING', executionArn: EXECUTION, stateMachineArn: MACHINE, startDate: new Date() })
    .resolves({ status: 'SUCCEEDED', executionArn: EXECUTION, stateMachineArn: MACHINE, startDate: new Date(), output: JSON.stringify(OUTPUT) });
  sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [
    { id: 5, timestamp: new Date(), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Dump' } },
  ] });
  backupMock.on(StartBackupJobCommand, { ResourceArn: DB }).resolves({ BackupJobId: 'job-db', RecoveryPointArn: RP_DB });
  backupMock.on(StartBackupJobCommand, { ResourceArn: VOLUME }).resolves({ BackupJobId: 'job-vol' });
  backupMock.on(DescribeBackupJobCommand, { BackupJobId: 'job-db' })
    .resolvesOnce({ State: 'RUNNING', PercentDone: '40.0' })
    .resolves({ State: 'COMPLETED', PercentDone: '100.0', RecoveryPointArn: RP_DB });
  backupMock.on(DescribeBackupJobCommand, { BackupJobId: 'job-vol' }).resolves({ State: 'COMPLETED', RecoveryPointArn: RP_VOLUME });
});

test('backup now starts the dump and one backup job per resource, follows them and prints where each copy landed', async () => {
  const world = io();
  const code = await runBackup(['now', '--state-machine', MACHINE, '--yearly', '--vault', 'main', '--backup-role-arn', 'arn:aws:iam::111111111111:role/backup',
    '--resource-arn', DB, '--resource-arn', VOLUME, '--delete-after-days', '7', '--poll-seconds', '5'], world);
  expect(world.err).toBe('');
  expect(code).toBe(0);
  const start = sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input;
  expect(start.stateMachineArn).toBe(MACHINE);
  expect(JSON.parse(start.input!)).toEqual({ forceYearly: true });
  expect(start.name).toMatch(/^backup-now-20261122T010000Z-[0-9a-f]{6}$/);
  expect(backupMock.commandCalls(StartBackupJobCommand).map((call) => call.args[0].input)).toEqual([
    expect.objectContaining({ BackupVaultName: 'main', ResourceArn: DB, IamRoleArn: 'arn:aws:iam::111111111111:role/backup', Lifecycle: { DeleteAfterDays: 7 }, IdempotencyToken: 'backup-now-20261122T010000Z-shop-master' }),
    expect.objectContaining({ ResourceArn: VOLUME, IdempotencyToken: 'backup-now-20261122T010000Z-vol-0abc' }),
  ]);
  expect(world.slept).toBe(1);
  expect(world.out).toContain('2026-11-22T01:00:00.000Z dump: RUNNING step Dump');
  expect(world.out).toContain('shop-master: RUNNING 40.0% done');
  expect(world.out).toContain('dump: SUCCEEDED');
  expect(world.out).toContain(`  dump 20261122T010000Z-backup-now-1: s3://daily-b/daily/2026-11-22/20261122T010000Z-backup-now-1/ (manifest ${OUTPUT.dailyManifest}, sha256 ${'a'.repeat(64)}, GTID ${OUTPUT.gtidPosition})`);
  expect(world.out).toContain('  dump yearly copy: s3://archive-b/yearly/2026/2026-11-22/20261122T010000Z-backup-now-1/');
  expect(world.out).toContain(`  shop-master: ${RP_DB}`);
  expect(world.out).toContain(`  vol-0abc: ${RP_VOLUME}`);
});

test('--json prints the result only; a failed backup job fails the command with its message', async () => {
  backupMock.on(DescribeBackupJobCommand, { BackupJobId: 'job-vol' }).resolves({ State: 'FAILED', StatusMessage: 'Volume is in use by another snapshot' });
  const world = io();
  const code = await runBackup(['now', '--state-machine', MACHINE, '--vault', 'v', '--backup-role-arn', 'r', '--resource-arn', DB, '--resource-arn', VOLUME, '--json'], world);
  expect(code).toBe(1);
  // Without --delete-after-days no lifecycle is sent: AWS Backup keeps the recovery points until they are deleted (the help says so).
  expect(backupMock.commandCalls(StartBackupJobCommand).map((call) => 'Lifecycle' in call.args[0].input && call.args[0].input.Lifecycle !== undefined)).toEqual([false, false]);
  const result = JSON.parse(world.out);
  expect(result).toMatchObject({
    succeeded: false,
    dump: { status: 'SUCCEEDED', dailyCopy: `s3://daily-b/${OUTPUT.dailyPrefix}`, bytes: 1234 },
    backups: [
      { resourceArn: DB, status: 'COMPLETED', recoveryPointArn: RP_DB },
      { resourceArn: VOLUME, status: 'FAILED', error: 'Volume is in use by another snapshot' },
    ],
  });
});

test('a backup job that cannot be started names what already started (with --json nothing else does)', async () => {
  backupMock.on(StartBackupJobCommand, { ResourceArn: VOLUME }).rejects(Object.assign(new Error('User is not authorized to perform: iam:PassRole'), { name: 'AccessDeniedException' }));
  const world = io();
  const code = await runBackup(['now', '--state-machine', MACHINE, '--vault', 'v', '--backup-role-arn', 'r', '--resource-arn', DB, '--resource-arn', VOLUME, '--json'], world);
  expect(code).toBe(1);
  expect(world.out).toBe('');
  expect(world.err).toBe('cdk-backup-dr backup: User is not authorized to perform: iam:PassRole; '
    + `started before this error and not stopped by it: the dump ${EXECUTION}, backup job job-db of shop-master\n`);
});

test('a failed dump shows the workflow\'s error cause', async () => {
  sfnMock.on(DescribeExecutionCommand).resolves({
    status: 'FAILED', executionArn: EXECUTION, stateMachineArn: MACHINE, startDate: new Date(),
    error: 'Error', cause: JSON.stringify({ errorType: 'Error', errorMessage: "dump run r: container 'dump' exited with 2 (Access denied)" }),
  });
  const world = io(false, { CDK_BACKUP_DR_BACKUP_STATE_MACHINE: MACHINE });
  const code = await runBackup(['now'], world);
  expect(code).toBe(1);
  expect(world.out).toContain("  dump: FAILED - Error: dump run r: container 'dump' exited with 2 (Access denied)");
});

test('the workflow is found by its tag; on a terminal the lines are redrawn in place', async () => {
  sfnMock.on(ListStateMachinesCommand).resolves({ stateMachines: [
    { stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:Other', name: 'Other', type: 'STANDARD', creationDate: new Date() },
    { stateMachineArn: MACHINE, name: 'DumpWorkflow', type: 'STANDARD', creationDate: new Date() },
  ] });
  sfnMock.on(ListTagsForResourceCommand, { resourceArn: MACHINE }).resolves({ tags: [{ key: 'cdk-backup-dr:workflow', value: 'backup' }] });
  sfnMock.on(ListTagsForResourceCommand, { resourceArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:Other' }).resolves({ tags: [{ key: 'cdk-backup-dr:workflow', value: 'database' }] });
  const world = io(true);
  expect(await runBackup(['now'], world)).toBe(0);
  expect(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toBe(MACHINE);
  expect(world.out).toContain('\x1b[2A');
  expect(world.out).toContain('✓ dump  SUCCEEDED');
});

test('--no-wait starts and returns; the timeout stops waiting with exit code 1', async () => {
  const quick = io();
  expect(await runBackup(['now', '--state-machine', MACHINE, '--no-wait'], quick)).toBe(0);
  expect(quick.out).toBe(`dump: started ${EXECUTION}\n`);
  expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);

  sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', executionArn: EXECUTION, stateMachineArn: MACHINE, startDate: new Date() });
  const slow = io();
  expect(await runBackup(['now', '--state-machine', MACHINE, '--timeout-minutes', '1', '--poll-seconds', '30'], slow)).toBe(1);
  expect(slow.out).toContain('stopped waiting after 1 minutes; the jobs keep running');
  expect(slow.slept).toBe(2);
});

test.each<[string, string[], RegExp]>([
  ['no subcommand', [], /expected the subcommand 'now'/],
  ['a resource without vault and role', ['now', '--state-machine', MACHINE, '--resource-arn', DB], /--resource-arn needs --vault and --backup-role-arn/],
  ['nothing to do', ['now', '--no-dump'], /nothing to back up/],
  ['a zero poll interval', ['now', '--state-machine', MACHINE, '--poll-seconds', '0'], /--poll-seconds must be a whole number of seconds, 1 or more, in decimal digits \(e\.g\. 10\); got '0'/],
  // Number() would read these as 16, 1000, 5 and 5.
  ['a hexadecimal poll interval', ['now', '--state-machine', MACHINE, '--poll-seconds', '0x10'], /^cdk-backup-dr backup: --poll-seconds must be a whole number of seconds, 1 or more, in decimal digits \(e\.g\. 10\); got '0x10'\n/],
  ['a timeout in exponent notation', ['now', '--state-machine', MACHINE, '--timeout-minutes', '1e3'], /--timeout-minutes must be a whole number of minutes, 1 or more, in decimal digits \(e\.g\. 10\); got '1e3'/],
  ['a lifecycle with a trailing point', ['now', '--state-machine', MACHINE, '--delete-after-days', '5.'], /--delete-after-days must be a whole number of days, 1 or more, in decimal digits \(e\.g\. 10\); got '5\.'/],
  ['a lifecycle with a leading space', ['now', '--state-machine', MACHINE, '--delete-after-days', ' 5'], /--delete-after-days must be a whole number of days, 1 or more, in decimal digits \(e\.g\. 10\); got ' 5'/],
  ['a repeated single-valued option', ['now', '--state-machine', MACHINE, '--vault', 'a', '--vault=b', '--backup-role-arn', 'r', '--resource-arn', DB], /^cdk-backup-dr backup: --vault is given more than once; it takes one value\n/],
  ['an unknown flag', ['now', '--fast'], /Unknown option '--fast'/],
  ['an empty value (an unset shell variable)', ['now', '--state-machine', MACHINE, '--vault', 'v', '--backup-role-arn', 'r', '--resource-arn', DB, '--resource-arn', ''], /^cdk-backup-dr backup: --resource-arn needs a value, got an empty one\n/],
])('bad usage: %s exits with 2', async (_name, args, message) => {
  const world = io();
  expect(await runBackup(args, world)).toBe(2);
  expect(world.err).toMatch(message);
  expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

test.each([
  ['the tagged workflow', ['now'], 'name the dump workflow by its ARN (--state-machine or $CDK_BACKUP_DR_BACKUP_STATE_MACHINE) or a --resource-arn in the region'],
  ['--no-dump and a resource whose ARN names no region', ['now', '--no-dump', '--vault', 'v', '--backup-role-arn', 'r', '--resource-arn', 'arn:aws:s3:::shop-uploads'], 'a --resource-arn in the region'],
])('with no region at all (no ARN naming one, no --region, no AWS_REGION), %s is a usage error naming --region and AWS_REGION, before any AWS call', async (_name, args, otherWays) => {
  const world = io();
  // The clients the command makes, with the SDK's own default region provider.
  const code = await withoutRegion(() => runBackup(args, { ...world, clients: (region) => ({ sfn: new SFNClient({ region }), backup: new BackupClient({ region }) }) }));
  expect(world.err.split('\n')[0]).toBe(`cdk-backup-dr backup: no AWS region to work in: pass --region <region>, set AWS_REGION, or ${otherWays}`);
  expect(code).toBe(2);
  expect(sfnMock.calls()).toHaveLength(0);
  expect(backupMock.calls()).toHaveLength(0);
});

test.each([
  [['now', '--fast']],
  [['now', '--vault']],
  [['now', '--vault', 'a', '--vault', 'b']],
])('%j: the parser\'s error, then where the options are, not the whole usage (a small terminal keeps the error in view); exit 2', async (args) => {
  const world = io();
  expect(await runBackup(args, world)).toBe(2);
  expect(world.err).toMatch(/^cdk-backup-dr backup: [^\n]+\nRun `cdk-backup-dr backup --help` for the options\.\n$/);
});

test('a usage error after parsing prints only the error line (as restore does), exit 2', async () => {
  const world = io();
  expect(await runBackup(['now', '--no-dump'], world)).toBe(2);
  expect(world.err).toBe('cdk-backup-dr backup: --no-dump with no --resource-arn: nothing to back up\n');
});

test('no tagged workflow is a usage error naming the tag', async () => {
  sfnMock.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
  const world = io();
  expect(await runBackup(['now'], world)).toBe(2);
  expect(world.err).toContain('no state machine tagged cdk-backup-dr:workflow=backup');
});

test('a workflow that cannot be looked up is a usage error saying how to name it', async () => {
  sfnMock.on(ListStateMachinesCommand).rejects(Object.assign(new Error('not authorized to perform: states:ListStateMachines'), { name: 'AccessDeniedException' }));
  const world = io();
  expect(await runBackup(['now'], world)).toBe(2);
  expect(world.err).toContain('cannot be looked up: this identity may not list state machines (not authorized to perform: states:ListStateMachines); ' +
    'pass --state-machine <arn> (or set CDK_BACKUP_DR_BACKUP_STATE_MACHINE) or --no-dump');
  expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

test('--help exits 0 and states the exit codes as the README does', async () => {
  const run = io();
  expect(await runBackup(['now', '--help'], run)).toBe(0);
  expect(run.out).toContain('Exit codes: 0 every copy landed (with --no-wait: everything started), 1 a job failed or the wait timed out (the jobs\n'
    + 'keep running), 2 bad usage, including no single state machine tagged cdk-backup-dr:workflow=backup.');
  expect(sfnMock.calls()).toHaveLength(0);
});

test('resource labels are the last segment of the ARN', () => {
  expect(resourceLabel(DB)).toBe('shop-master');
  expect(resourceLabel(VOLUME)).toBe('vol-0abc');
});

test('--no-wait --json: the result agrees with the exit code 0 (everything started) and says nothing was waited for', async () => {
  const world = io();
  const code = await runBackup(['now', '--state-machine', MACHINE, '--vault', 'v', '--backup-role-arn', 'r', '--resource-arn', DB, '--no-wait', '--json'], world);
  expect(code).toBe(0);
  expect(JSON.parse(world.out)).toMatchObject({ succeeded: true, waited: false, dump: { status: 'RUNNING' }, backups: [{ resourceArn: DB, status: 'CREATED' }] });
});

describe('the region: a resource in another region is refused before the dump starts', () => {
  const ROLE = 'arn:aws:iam::111111111111:role/backup';
  const US_DB = 'arn:aws:rds:us-east-1:111111111111:db:shop-master';

  /** An io whose clients record the region the command asks for. */
  function recording(env: NodeJS.ProcessEnv = {}): ReturnType<typeof io> & { regions: Array<string | undefined> } {
    const world = Object.assign(io(false, env), { regions: [] as Array<string | undefined> });
    const clients = world.clients;
    return Object.assign(world, { clients: (region: string | undefined) => { world.regions.push(region); return clients(region); } });
  }

  test.each<[string, string[], RegExp]>([
    ['a resource outside the state machine\'s region', ['now', '--state-machine', MACHINE, '--vault', 'v', '--backup-role-arn', ROLE, '--resource-arn', DB, '--resource-arn', US_DB],
      /^cdk-backup-dr backup: --resource-arn arn:aws:rds:us-east-1:111111111111:db:shop-master is in us-east-1, but the command works in eu-west-1 \(the region of --state-machine\): AWS Backup backs a resource up in its own region; run the command once per region\n/],
    ['a resource outside --region', ['now', '--no-dump', '--region', 'eu-west-1', '--vault', 'v', '--backup-role-arn', ROLE, '--resource-arn', US_DB],
      /--resource-arn arn:aws:rds:us-east-1:111111111111:db:shop-master is in us-east-1, but the command works in eu-west-1 \(--region\)/],
    ['two resources in two regions', ['now', '--no-dump', '--vault', 'v', '--backup-role-arn', ROLE, '--resource-arn', DB, '--resource-arn', US_DB],
      /--resource-arn arn:aws:rds:us-east-1:111111111111:db:shop-master is in us-east-1, but the command works in eu-west-1 \(the region of --resource-arn arn:aws:rds:eu-west-1:111111111111:db:shop-master\)/],
    ['a resource that is not an ARN', ['now', '--no-dump', '--vault', 'v', '--backup-role-arn', ROLE, '--resource-arn', 'db:shop-master'],
      /^cdk-backup-dr backup: --resource-arn must be an ARN, arn:<partition>:<service>:<region>:<account>:<resource>; got 'db:shop-master'\n/],
    ['a --region other than the state machine\'s', ['now', '--state-machine', MACHINE, '--region', 'us-east-1'],
      /^cdk-backup-dr backup: --region us-east-1 is not the region of the state machine arn:aws:states:eu-west-1:111111111111:stateMachine:DumpWorkflow \(eu-west-1\)/],
  ])('%s: exit 2, nothing started', async (_name, args, message) => {
    const world = recording();
    expect(await runBackup(args, world)).toBe(2);
    expect(world.err).toMatch(message);
    expect(world.regions).toEqual([]);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(backupMock.commandCalls(StartBackupJobCommand)).toHaveLength(0);
  });

  test('without --region, the region of the state machine or of the resources (an S3 bucket\'s ARN names none)', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    backupMock.on(StartBackupJobCommand).resolves({ BackupJobId: 'job-1' });
    const dump = recording();
    expect(await runBackup(['now', '--state-machine', MACHINE, '--no-wait'], dump)).toBe(0);
    expect(dump.regions).toEqual(['eu-west-1']);
    const jobs = recording();
    expect(await runBackup(['now', '--no-dump', '--vault', 'v', '--backup-role-arn', ROLE, '--resource-arn', 'arn:aws:s3:::data-bucket', '--resource-arn', US_DB, '--no-wait'], jobs)).toBe(0);
    expect(jobs.regions).toEqual(['us-east-1']);
  });
});

test('a run that made no yearly copy Prepare had planned says why, in the text and in --json', async () => {
  const skipped = 'another run made the year\'s copy since this run was planned (s3://archive-b/yearly/2026/2026-11-22/20261122T000000Z-daily/manifest.json)';
  const output = { ...OUTPUT, archiveBucket: '', archivePrefix: '', archiveManifest: '', archiveCopySkipped: skipped };
  sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', executionArn: EXECUTION, stateMachineArn: MACHINE, startDate: new Date(), output: JSON.stringify(output) });
  const text = io();
  expect(await runBackup(['now', '--state-machine', MACHINE], text)).toBe(0);
  expect(text.out).toContain(`  dump yearly copy: none made: ${skipped}`);
  const json = io();
  expect(await runBackup(['now', '--state-machine', MACHINE, '--json'], json)).toBe(0);
  expect(JSON.parse(json.out).dump).toMatchObject({ archiveCopySkipped: skipped });
  expect(JSON.parse(json.out).dump.archiveCopy).toBeUndefined();
});
