import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { DBInstanceNotFoundFault, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { DescribeAvailabilityZonesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import {
  AbortMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { sdkStreamMixin } from '@smithy/core/serde';
import { serializeManifest } from '../../core/dump/manifest';
import { planDumpRestore } from '../../core/restore-workflows/dump';
import { copyVersion } from '../../core/restore-workflows/objects';
import { settingsFromEnvironment as dumpSettings } from '../../lambda/restore-dump/settings';
import {
  DescribeExecutionCommand, DescribeStateMachineCommand, ExecutionAlreadyExists, GetExecutionHistoryCommand, HistoryEvent, ListStateMachinesCommand, ListTagsForResourceCommand,
  SFNClient, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { main } from '../../cli';
import { REQUEST_FIELDS } from '../../lambda/restore-db-steps/types';
import { buildRequest, runRestore } from '../../cli/commands/restore';
import { stepErrorNote } from '../../cli/commands/restore-step-error';
import { MACHINE, VALIDATE_FUNCTION, capture, ec2, lambda, mockWorkflowConfiguration, rds, resetClients, s3, sfn } from './restore-fixture';
import { withoutRegion } from './no-region';

const entered = (id: number, type: string, name: string): HistoryEvent => ({ id, type: type as HistoryEvent['type'], timestamp: new Date(Date.parse('2026-11-22T01:00:00Z') + id * 1000), stateEnteredEventDetails: { name } });

/** An execution that goes through Validate, CreateVolume and two polls, then succeeds. */
function mockExecution(final: { status: 'SUCCEEDED' | 'FAILED'; output?: unknown; error?: string; cause?: string }, failedAttempt = { error: 'RequestLimitExceeded', cause: '{"errorMessage":"Request limit exceeded."}' }): void {
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:VolumeRestore:${input.name}`, startDate: new Date() }));
  const history = [
    entered(1, 'TaskStateEntered', 'Validate'),
    entered(2, 'TaskStateEntered', 'CreateVolume'),
    entered(3, 'WaitStateEntered', 'WaitForVolume'),
    entered(4, 'TaskStateEntered', 'CheckVolume'),
    { id: 5, type: 'LambdaFunctionFailed', timestamp: new Date(), lambdaFunctionFailedEventDetails: failedAttempt },
    entered(6, 'WaitStateEntered', 'WaitForVolume'),
    entered(7, 'TaskStateEntered', 'CheckVolume'),
  ] as HistoryEvent[];
  let reads = 0;
  sfn.on(GetExecutionHistoryCommand).callsFake(() => {
    reads += 1;
    const visible = history.slice(0, Math.min(history.length, reads * 3));
    return { events: [...visible].reverse() };
  });
  let describes = 0;
  sfn.on(DescribeExecutionCommand).callsFake(() => {
    describes += 1;
    if (describes < 3) {
      return { status: 'RUNNING', input: '{}' };
    }
    return { status: final.status, output: final.output === undefined ? undefined : JSON.stringify(final.output), error: final.error, cause: final.cause, stopDate: new Date() };
  });
}

const volumeArgs = ['volume', '--snapshot', 'snap-0123456789abcdef0', '--az', 'eu-west-1a', '--state-machine', MACHINE, '--poll-seconds', '1'];

const VOLUME_ENVIRONMENT = { ALLOWED_ZONES: 'eu-west-1a,eu-west-1b', KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/volume', WORKFLOW_ID: 'Stack/VolumeRestore', READY_WITHIN_MINUTES: '120' };

beforeEach(resetClients);

test('is registered in the CLI', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  await main(['--help']);
  expect(log.mock.calls.flat().join('\n')).toMatch(/restore\s+restore a database, volume or objects/);
  log.mockRestore();
});

test('every database request it builds, each flag given, has only fields the workflow takes (Validate refuses any other)', () => {
  const common = { target: 'copy-1', 'instance-class': 'db.r6g.large', az: 'eu-west-1a' };
  const requests = [
    buildRequest('db', { 'from-snapshot': 'snap-1', ...common }),
    buildRequest('db', { 'from-recovery-point': 'arn:aws:backup:eu-west-1:123456789012:recovery-point:rp-1', ...common }),
    buildRequest('db', { 'to-time': 'latest', ...common }),
    buildRequest('db', { 'promote-replica': 'replica-db', confirm: 'replica-db' }),
  ];
  const fields = new Set(requests.flatMap((request) => Object.keys(request.input)));
  expect([...fields].filter((field) => !(REQUEST_FIELDS as readonly string[]).includes(field))).toEqual([]);
  expect(fields).toEqual(new Set(['requestId', 'kind', 'snapshot', 'recoveryPoint', 'restoreTime', 'replica', 'targetIdentifier', 'instanceClass', 'availabilityZone', 'confirm']));
});

test('starts the workflow with a deterministic name, shows its steps as plain lines and prints the result', async () => {
  mockExecution({ status: 'SUCCEEDED', output: { status: 'SUCCEEDED', volumeId: 'vol-1' } });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(0);
  const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
  expect(start.stateMachineArn).toBe(MACHINE);
  expect(start.name).toMatch(/^volume-snap-0123456789abcdef0-[0-9a-f]{12}$/);
  expect(JSON.parse(start.input!)).toEqual({ snapshotId: 'snap-0123456789abcdef0', availabilityZone: 'eu-west-1a' });
  const out = run.stdout();
  expect(out).not.toMatch(/\r/);
  expect(out).toMatch(/step {2}Validate\n/);
  expect(out).toMatch(/done {2}Validate\n/);
  expect(out).toMatch(/note {2}RequestLimitExceeded: Request limit exceeded\./);
  expect(out).toMatch(/Restore succeeded\.\n\{\n {2}"status": "SUCCEEDED",\n {2}"volumeId": "vol-1"\n\}/);
  // The same request gets the same name.
  expect(buildRequest('volume', { snapshot: 'snap-0123456789abcdef0', az: 'eu-west-1a' }).name).toBe(start.name);
  expect(buildRequest('volume', { snapshot: 'snap-0123456789abcdef0', az: 'eu-west-1b' }).name).not.toBe(start.name);
});

/**
 * The error of a multipart copy whose part was refused for good and whose abort was throttled, as
 * the object restore function throws it (a throttled part alone would leave the upload open without an error).
 */
async function failedCopyError(key: string, uploadId: string): Promise<Error> {
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3.on(HeadObjectCommand).resolves({ ContentType: 'application/octet-stream' });
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: uploadId });
  s3.on(UploadPartCopyCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
  s3.on(AbortMultipartUploadCommand).rejects(Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: {} }));
  const source = { bucket: 'data', key: `app/${key}`, versionId: 'v1', size: 6 * 1024 ** 3 };
  return copyVersion(new S3Client({}), source, { bucket: 'data', key: `restored/20261120T120000Z/app/${key}` }, 'objects-1').then(() => {
    throw new Error('the copy was expected to fail');
  }, (error: Error) => error);
}

test('a retried step\'s long error is cut in its note, but the upload a copy left open is kept whole with the command that aborts it', async () => {
  const key = `${'exports/2026/11/20/'.repeat(4)}orders.parquet`;
  const error = await failedCopyError(key, 'upload-after-200-characters');
  const message = error.message;
  const note = message.indexOf('its multipart upload ');
  // The upload's note begins after the first 200 characters: cut there, it would not show.
  expect(note).toBeGreaterThan(200);
  expect(message).toMatch(/aws s3api abort-multipart-upload --bucket data --key '[^']+' --upload-id 'upload-after-200-characters'$/);
  mockExecution({ status: 'SUCCEEDED', output: { status: 'SUCCEEDED' } }, { error: 'SlowDown', cause: JSON.stringify({ errorType: 'SlowDown', errorMessage: message }) });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(0);
  expect(run.stdout()).toContain(`note  SlowDown: ${message.slice(0, 200)} … ${message.slice(note)}\n`);
});

describe('the note of a failed attempt', () => {
  test('keeps a short error whole', () => {
    expect(stepErrorNote('Request limit exceeded.')).toBe('Request limit exceeded.');
  });

  test('cuts a long error at 200 characters', () => {
    expect(stepErrorNote(`${'a'.repeat(200)}${'b'.repeat(50)}`)).toBe(`${'a'.repeat(200)} …`);
  });

  test('keeps every upload note whole, each after the cut, and the text between them cut', async () => {
    const first = (await failedCopyError('reports/2026/daily/a.bin', 'upload-a')).message;
    const second = (await failedCopyError('reports/2026/daily/b.bin', 'upload-b')).message;
    const message = `${first} (and 1 more: ${second})`;
    // Both notes lie after the cut, so the text between them is cut.
    expect(first.indexOf('its multipart upload ')).toBeGreaterThan(200);
    const noteOf = (text: string) => text.slice(text.indexOf('its multipart upload '));
    expect(stepErrorNote(message)).toBe(`${message.slice(0, 200)} … ${noteOf(first)} … ${noteOf(second)} …`);
  });

  test('keeps an abort command whole where the cut falls inside it', () => {
    const command = "aws s3api abort-multipart-upload --bucket data --key 'restored/app/big.bin' --upload-id 'u-1'";
    const message = `${'x'.repeat(180)}: ${command}; and more text after it`;
    expect(stepErrorNote(message)).toBe(`${'x'.repeat(180)}: ${command} …`);
  });
});

test('a dump restore whose events came back disabled (DISABLE ON SLAVE) says so after the result, with the statements that enable them', async () => {
  mockExecution({
    status: 'SUCCEEDED',
    output: {
      status: 'SUCCEEDED',
      instanceIdentifier: 'restored-shop',
      verification: {
        status: 'ok',
        disabledEvents: { events: ['shop.purge'], enableAfterCutover: ['ALTER EVENT `shop`.`purge` ENABLE;'], note: '1 events are disabled' },
      },
    },
  });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(0);
  expect(run.stdout()).toMatch(/\}\nNote: 1 events are disabled on the restored instance \(DISABLE ON SLAVE: the dump was taken from a replica\) and will not run: shop\.purge\.\nThe restore left them disabled\. After cutting over to the restored instance, run on it:\n {2}ALTER EVENT `shop`\.`purge` ENABLE;\n/);
});

test('more disabled events than the result lists: the note gives their number and the query that writes every statement', async () => {
  const listAll = "SELECT CONCAT('ALTER EVENT ...') FROM information_schema.EVENTS WHERE STATUS = 'SLAVESIDE_DISABLED' AND EVENT_SCHEMA IN ('shop');";
  mockExecution({
    status: 'SUCCEEDED',
    output: {
      status: 'SUCCEEDED',
      verification: {
        status: 'ok',
        disabledEvents: { total: 150, events: ['shop.e1', 'shop.e2'], enableAfterCutover: ['ALTER EVENT `shop`.`e1` ENABLE;', 'ALTER EVENT `shop`.`e2` ENABLE;'], listAll, note: '150 events' },
      },
    },
  });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(0);
  const out = run.stdout();
  expect(out).toContain('Note: 150 events are disabled on the restored instance (DISABLE ON SLAVE: the dump was taken from a replica) and will not run; the first 2: shop.e1, shop.e2.\n');
  expect(out).toContain(`run on it the statements this query writes:\n  ${listAll}\n`);
  // The listed statements stay in the JSON result; the note does not repeat a partial list of them.
  expect(out.slice(out.indexOf('Note:'))).not.toContain('ALTER EVENT `shop`.`e1` ENABLE;');
});

test('a dump restore whose dump may be incomplete (its manifest\'s completenessNotes) says so after the result, with each note, after the disabled events', async () => {
  const notes = ['the dump user dumper@% may lack SHOW DATABASES (GRANT ...); whether it holds it is unknown: a', 'the dump user dumper@% may lack EVENT on database shop (GRANT ...); whether it holds it is unknown: b'];
  mockExecution({
    status: 'SUCCEEDED',
    output: {
      status: 'SUCCEEDED',
      verification: {
        status: 'unknown',
        completenessNotes: notes,
        disabledEvents: { events: ['shop.purge'], enableAfterCutover: ['ALTER EVENT `shop`.`purge` ENABLE;'], note: '1 events are disabled' },
      },
    },
  });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(0);
  expect(run.stdout()).toContain([
    '  ALTER EVENT `shop`.`purge` ENABLE;',
    "Note: the dump may be incomplete: its user's grants could not all be read when it was taken, so the restored instance may lack what that user could not see "
      + "(the verification compares with the dump's own manifest and cannot tell, so it reads unknown, not ok):",
    `  ${notes[0]}`,
    `  ${notes[1]}`,
    '',
  ].join('\n'));
});

test('a dump restore whose events could not be listed says so after the result, and what to check before cutting over', async () => {
  const unknown = "the events of the restored databases could not be listed, so whether any are disabled (DISABLE ON SLAVE) is unknown: Table 'mysql.event' doesn't exist";
  mockExecution({ status: 'SUCCEEDED', output: { status: 'SUCCEEDED', verification: { status: 'ok', disabledEventsUnknown: unknown } } });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(0);
  expect(run.stdout()).toContain(`}\nNote: ${unknown}. Check the events of the restored instance (information_schema.EVENTS, STATUS SLAVESIDE_DISABLED) before cutting over.\n`);
});

test('a restore without disabled events prints no note', async () => {
  mockExecution({ status: 'SUCCEEDED', output: { status: 'SUCCEEDED', verification: { status: 'ok' } } });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(0);
  expect(run.stdout()).toMatch(/Restore succeeded\./);
  expect(run.stdout()).not.toMatch(/Note:/);
});

test('on a terminal it draws a spinner line that it rewrites in place', async () => {
  mockExecution({ status: 'SUCCEEDED', output: {} });
  const run = capture({ tty: true });
  expect(await runRestore(volumeArgs, run.io)).toBe(0);
  const clearLine = `\r${String.fromCharCode(27)}[2K`;
  expect(run.stdout()).toContain(`${clearLine}⠙ Validate  [step 1, 0:0`);
  expect(run.stdout()).toMatch(/✓ CreateVolume \(0:0\d\)\n/);
});

test('--json prints only the machine-readable result', async () => {
  mockExecution({ status: 'SUCCEEDED', output: { status: 'SUCCEEDED', volumeId: 'vol-1' } });
  const run = capture();
  expect(await runRestore([...volumeArgs, '--json'], run.io)).toBe(0);
  expect(JSON.parse(run.stdout())).toEqual({ status: 'SUCCEEDED', executionArn: expect.stringMatching(/:execution:VolumeRestore:volume-/), result: { status: 'SUCCEEDED', volumeId: 'vol-1' } });
});

test('an error while following the execution exits 1 and names the execution, which keeps running (with --json nothing else does)', async () => {
  mockExecution({ status: 'SUCCEEDED', output: {} });
  sfn.on(GetExecutionHistoryCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  const run = capture();
  expect(await runRestore([...volumeArgs, '--json'], run.io)).toBe(1);
  expect(run.stdout()).toBe('');
  const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:VolumeRestore:${sfn.commandCalls(StartExecutionCommand)[0].args[0].input.name}`;
  expect(run.stderr()).toBe(`cdk-backup-dr restore: Rate exceeded; the execution ${executionArn} keeps running: run the same command again to follow it\n`);
});

test('a failed restore exits 1 with the error and its message', async () => {
  mockExecution({ status: 'FAILED', error: 'RestoreCheckError', cause: '{"errorType":"RestoreCheckError","errorMessage":"volume vol-1 is \'error\' instead of becoming available"}' });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(1);
  expect(run.stderr()).toMatch(/Restore failed: RestoreCheckError\nvolume vol-1 is 'error' instead of becoming available/);
});

test('the events of the last moments before the execution ended are shown: the history is read once more after its final status', async () => {
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:VolumeRestore:${input.name}`, startDate: new Date() }));
  const early = [entered(1, 'TaskStateEntered', 'Validate')] as HistoryEvent[];
  const late = [...early, entered(2, 'TaskStateEntered', 'CreateVolume'),
    { id: 3, type: 'LambdaFunctionFailed', timestamp: new Date(), lambdaFunctionFailedEventDetails: { error: 'VolumeLimitExceeded', cause: '{"errorMessage":"volume limit of the account reached"}' } }] as HistoryEvent[];
  let ended = false;
  sfn.on(GetExecutionHistoryCommand).callsFake(() => ({ events: [...(ended ? late : early)].reverse() }));
  sfn.on(DescribeExecutionCommand).callsFake(() => {
    ended = true;
    return { status: 'FAILED', error: 'VolumeLimitExceeded', cause: '{"errorMessage":"volume limit of the account reached"}', stopDate: new Date() };
  });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(1);
  expect(run.stdout()).toContain('CreateVolume');
  expect(run.stdout()).toContain('VolumeLimitExceeded: volume limit of the account reached');
});

test.each([
  ['TIMED_OUT', 'Restore timed_out: the execution ran past its timeout (Step Functions gives no error); its cleanup did not run: what it created may remain, tagged cdk-backup-dr:restore-execution='],
  ['ABORTED', 'Restore aborted: the execution was stopped (StopExecution; Step Functions gives no error); its cleanup did not run: what it created may remain, tagged cdk-backup-dr:restore-execution='],
])('an execution that ended %s without an error says what that means and the tag to look for, exit 1', async (status, says) => {
  mockExecution({ status: status as 'FAILED' });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(1);
  // The volume workflow tags with the execution name.
  const name = buildRequest('volume', { snapshot: 'snap-0123456789abcdef0', az: 'eu-west-1a' }).name;
  expect(run.stderr()).toContain(`${says}${name} (delete it by hand if it is not wanted)\n`);
});

test('a database restore that timed out names its request id as the tag value (the workflow tags with it, not the execution name)', async () => {
  mockExecution({ status: 'TIMED_OUT' as 'FAILED' });
  const run = capture();
  expect(await runRestore(['db', '--from-snapshot', 'snap-1', '--target', 'copy-1', '--state-machine', MACHINE, '--poll-seconds', '1'], run.io)).toBe(1);
  const requestId = String(buildRequest('db', { 'from-snapshot': 'snap-1', target: 'copy-1' }).input.requestId);
  expect(run.stderr()).toContain(`may remain, tagged cdk-backup-dr:restore-execution=${requestId} (delete it by hand if it is not wanted)\n`);
});

test.each([
  ['TIMED_OUT', 'the execution ran past its timeout (Step Functions gives no error); its cleanup did not run'],
  ['ABORTED', 'the execution was stopped (StopExecution; Step Functions gives no error); its cleanup did not run'],
])('with --json, an execution that ended %s says what that means and the tag to look for, as the text output does', async (status, means) => {
  mockExecution({ status: status as 'FAILED' });
  const run = capture();
  expect(await runRestore([...volumeArgs, '--json'], run.io)).toBe(1);
  const name = buildRequest('volume', { snapshot: 'snap-0123456789abcdef0', az: 'eu-west-1a' }).name;
  expect(JSON.parse(run.stdout())).toEqual({
    status, executionArn: `arn:aws:states:eu-west-1:123456789012:execution:VolumeRestore:${name}`,
    error: `${means}: what it created may remain, tagged cdk-backup-dr:restore-execution=${name} (delete it by hand if it is not wanted)`,
    cause: '', mayRemainTagged: { key: 'cdk-backup-dr:restore-execution', value: name },
  });
  expect(run.stderr()).toBe('');
});

test('with --json, a database restore that timed out names its request id as the tag value', async () => {
  mockExecution({ status: 'TIMED_OUT' as 'FAILED' });
  const run = capture();
  expect(await runRestore(['db', '--from-snapshot', 'snap-1', '--target', 'copy-1', '--state-machine', MACHINE, '--poll-seconds', '1', '--json'], run.io)).toBe(1);
  const requestId = String(buildRequest('db', { 'from-snapshot': 'snap-1', target: 'copy-1' }).input.requestId);
  expect(JSON.parse(run.stdout()).mayRemainTagged).toEqual({ key: 'cdk-backup-dr:restore-execution', value: requestId });
});

test('with --json, a failed restore has no mayRemainTagged (its cleanup ran; its cause says what it did)', async () => {
  mockExecution({ status: 'FAILED', error: 'RestoreCheckError', cause: '{"errorType":"RestoreCheckError","errorMessage":"volume vol-1 is \'error\'"}' });
  const run = capture();
  expect(await runRestore([...volumeArgs, '--json'], run.io)).toBe(1);
  expect(JSON.parse(run.stdout())).toEqual({ status: 'FAILED', executionArn: expect.stringMatching(/:execution:VolumeRestore:volume-/), error: 'RestoreCheckError', cause: "volume vol-1 is 'error'" });
});

test('a failed object restore shows the copy error\'s message, then the open uploads the workflow added to its cause', async () => {
  const uploads = " 1 multipart upload started under s3://data/restored/app/ since the restore began is open (the restore aborts none): aws s3api abort-multipart-upload --bucket data --key 'restored/app/big.bin' --upload-id 'upload-1'";
  const copyError = JSON.stringify({ errorType: 'AccessDenied', errorMessage: 'copying s3://data/app/big.bin (version g1) to s3://data/restored/app/big.bin: Access Denied', trace: ['AccessDenied: Access Denied'] });
  mockExecution({ status: 'FAILED', error: 'AccessDenied', cause: `${copyError}${uploads}` });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(1);
  expect(run.stderr()).toContain(`Restore failed: AccessDenied\ncopying s3://data/app/big.bin (version g1) to s3://data/restored/app/big.bin: Access Denied${uploads}\n`);
});

test('a request the workflow\'s Validate step rejects as bad input exits 2', async () => {
  mockExecution({ status: 'FAILED', error: 'RestoreInputError', cause: '{"errorType":"RestoreInputError","errorMessage":"input `availabilityZone` must be one of eu-west-1b; got \'eu-west-1a\'"}' });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(2);
  expect(run.stderr()).toMatch(/Restore failed: RestoreInputError \(the workflow's checks rejected the request; nothing was created\)\ninput `availabilityZone` must be one of eu-west-1b/);
});

test('--help exits 0 and states the exit codes the command uses', async () => {
  const run = capture();
  expect(await runRestore(['--help'], run.io)).toBe(0);
  expect(run.stdout()).toMatch(/0 {2}restored, or the dry run's checks passed\n {2}1 {2}the restore failed, or a check could not be made .*\n {2}2 {2}bad usage or input: rejected by this command, by the dry run's checks or by the workflow's Validate step/);
  expect(run.stdout()).toMatch(/Times are ISO 8601 with a zone, e.g. 2026-11-21T10:00:00Z or 2026-11-21T11:00:00\+01:00/);
  expect(run.stdout()).toMatch(/the target prefix\nmust end in \/ \(restored\/, not restored, which would name app\/a.txt restoreda.txt\)/);
});

test('a repeated request follows the first execution instead of restoring twice', async () => {
  mockExecution({ status: 'SUCCEEDED', output: { volumeId: 'vol-1' } });
  const request = buildRequest('volume', { snapshot: 'snap-0123456789abcdef0', az: 'eu-west-1a' });
  sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
  let describes = 0;
  sfn.on(DescribeExecutionCommand).callsFake(() => {
    describes += 1;
    return { status: describes < 2 ? 'RUNNING' : 'SUCCEEDED', input: JSON.stringify(request.input), startDate: new Date('2026-11-22T00:30:00Z'), output: '{"volumeId":"vol-1"}' };
  });
  const run = capture();
  expect(await runRestore(volumeArgs, run.io)).toBe(0);
  expect(run.stdout()).toMatch(/already started at 2026-11-22T00:30:00.000Z and is still running; following it instead of restoring twice/);
  expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input.executionArn).toBe(`arn:aws:states:eu-west-1:123456789012:execution:VolumeRestore:${request.name}`);
});

test('a request whose earlier execution has ended starts a new execution and follows that one, not the old result', async () => {
  const request = buildRequest('volume', { snapshot: 'snap-0123456789abcdef0', az: 'eu-west-1a' });
  const oldArn = `arn:aws:states:eu-west-1:123456789012:execution:VolumeRestore:${request.name}`;
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:VolumeRestore:${input.name}` }));
  sfn.on(StartExecutionCommand, { name: request.name }).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{"volumeId":"vol-new"}' });
  sfn.on(DescribeExecutionCommand, { executionArn: oldArn })
    .resolves({ status: 'SUCCEEDED', input: JSON.stringify(request.input), startDate: new Date('2026-11-01T00:30:00Z'), output: '{"volumeId":"vol-old"}' });
  const run = capture();
  expect(await runRestore([...volumeArgs, '--json'], run.io)).toBe(0);
  const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
  expect(starts).toHaveLength(2);
  expect(starts[1].name).toMatch(new RegExp(`^${request.name}-rerun-[0-9a-z]+$`));
  expect(starts[1].name!.length).toBeLessThanOrEqual(80);
  expect(starts[1].input).toBe(starts[0].input);
  expect(JSON.parse(run.stdout())).toMatchObject({ executionArn: expect.stringContaining(starts[1].name!), result: { volumeId: 'vol-new' } });
});

test.each<[string, string[]]>([
  ['--to-time latest', ['--to-time', 'latest']],
  ['--from-snapshot newest', ['--from-snapshot', 'newest']],
])('a database request (%s) whose earlier execution has ended is started again as a new request, not resuming the earlier instance', async (_name, source) => {
  const args = ['db', ...source, '--state-machine', 'arn:aws:states:eu-west-1:123456789012:stateMachine:DatabaseRestore', '--json'];
  const request = buildRequest('db', { [source[0].slice(2)]: source[1] });
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:${input.name}` }));
  sfn.on(StartExecutionCommand, { name: request.name }).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{"target":{"identifier":"restore-new"}}' });
  sfn.on(DescribeExecutionCommand, { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:${request.name}` })
    .resolves({ status: 'SUCCEEDED', input: JSON.stringify(request.input), startDate: new Date('2026-11-01T00:30:00Z') });
  const run = capture();
  expect(await runRestore(args, run.io)).toBe(0);
  const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
  expect(starts).toHaveLength(2);
  const rerun = JSON.parse(starts[1].input!);
  // The same request id would make the workflow resume the instance the earlier execution restored (what was newest then) and report it as restored now.
  expect(rerun.requestId).not.toBe(request.input.requestId);
  expect(rerun.requestId).toMatch(/^[A-Za-z0-9][A-Za-z0-9-]{0,49}$/);
  expect(rerun.requestId).toMatch(/-rerun-[0-9a-z]+$/);
  expect(starts[1].name).toBe(`restore-${rerun.requestId}`);
  expect({ ...rerun, requestId: undefined }).toEqual({ ...request.input, requestId: undefined });
});

test.each<[string, string[]]>([
  ['--from-snapshot rds:db-2026-11-01', ['--from-snapshot', 'rds:db-2026-11-01']],
  ['--to-time 2026-11-01T00:00:00Z', ['--to-time', '2026-11-01T00:00:00Z']],
])('a database request from a named source (%s) whose earlier execution has ended keeps its request id: the workflow resumes or reports the instance holding the same data', async (_name, source) => {
  const request = buildRequest('db', { [source[0].slice(2)]: source[1] });
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:${input.name}` }));
  sfn.on(StartExecutionCommand, { name: request.name }).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{"target":{"identifier":"restore-earlier"}}' });
  sfn.on(DescribeExecutionCommand, { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:${request.name}` })
    .resolves({ status: 'SUCCEEDED', input: JSON.stringify(request.input), startDate: new Date('2026-11-01T00:30:00Z') });
  const run = capture();
  expect(await runRestore(['db', ...source, '--state-machine', 'arn:aws:states:eu-west-1:123456789012:stateMachine:DatabaseRestore', '--json'], run.io)).toBe(0);
  const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
  expect(starts).toHaveLength(2);
  expect(starts[1].input).toBe(starts[0].input);
  expect(starts[1].name).toMatch(new RegExp(`^${request.name}-rerun-[0-9a-z]+$`));
});

test('a named-source request run again after its execution ended says the workflow resumes the instance the earlier execution created, not that it starts a new one', async () => {
  const request = buildRequest('db', { 'from-snapshot': 'rds:db-2026-11-01', 'target': 'restored-db' });
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:${input.name}` }));
  sfn.on(StartExecutionCommand, { name: request.name }).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{"target":{"identifier":"restored-db"},"created":false}' });
  sfn.on(DescribeExecutionCommand, { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:${request.name}` })
    .resolves({ status: 'FAILED', input: JSON.stringify(request.input), startDate: new Date('2026-11-01T00:30:00Z') });
  const run = capture();
  expect(await runRestore(['db', '--from-snapshot', 'rds:db-2026-11-01', '--target', 'restored-db', '--state-machine', 'arn:aws:states:eu-west-1:123456789012:stateMachine:DatabaseRestore'], run.io)).toBe(0);
  expect(run.stdout()).not.toMatch(/new RDS instance/);
  expect(run.stdout()).toContain(`This request ran before (started at 2026-11-01T00:30:00.000Z, FAILED); starting it again under the same request ${String(request.input.requestId)}: `
    + 'the workflow resumes the RDS instance restored-db if the earlier execution created it and it is still there, and restores it from snapshot rds:db-2026-11-01 otherwise\n');
  expect(run.stdout()).toMatch(/\nStarted again: the restore of the RDS instance restored-db from snapshot rds:db-2026-11-01\n {2}execution arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:restore-[^\n]+-rerun-[0-9a-z]+\n/);
  expect(run.stdout()).toContain('The workflow resumed the RDS instance restored-db, created by an earlier execution of this request: it created no new instance.\n');
});

test('a named-source request whose earlier execution Step Functions no longer lists (after 90 days) does not claim a new instance, and says when the workflow resumed the earlier one', async () => {
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:${input.name}` }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{"target":{"identifier":"restored-db"},"created":false}' });
  const run = capture();
  expect(await runRestore(['db', '--from-snapshot', 'rds:db-2026-11-01', '--target', 'restored-db', '--state-machine', 'arn:aws:states:eu-west-1:123456789012:stateMachine:DatabaseRestore'], run.io)).toBe(0);
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  expect(run.stdout()).toMatch(/^Started the restore of the RDS instance restored-db from snapshot rds:db-2026-11-01 \(a new instance, or the one an earlier run of this request created, resumed\)\n/);
  expect(run.stdout()).toContain('The workflow resumed the RDS instance restored-db, created by an earlier execution of this request: it created no new instance.\n');
});

test('a promotion whose earlier execution has ended is started again under the same request id (a promotion is resumed, never made twice)', async () => {
  const request = buildRequest('db', { 'promote-replica': 'replica-1', 'confirm': 'replica-1' });
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DatabaseRestore:${input.name}` }));
  sfn.on(StartExecutionCommand, { name: request.name }).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'RestoreFailed', startDate: new Date('2026-11-01T00:30:00Z') });
  const run = capture();
  await runRestore(['db', '--promote-replica', 'replica-1', '--confirm', 'replica-1', '--state-machine', 'arn:aws:states:eu-west-1:123456789012:stateMachine:DatabaseRestore', '--json'], run.io);
  const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
  expect(starts).toHaveLength(2);
  expect(starts[1].input).toBe(starts[0].input);
  expect(starts[1].name).toMatch(new RegExp(`^${request.name}-rerun-[0-9a-z]+$`));
});

/**
 * Two state machines in the account: the volume restore workflow, tagged for it, and another
 * whose tags `otherTags` answers (given the mock of ListTagsForResource); executions succeed.
 */
function listWorkflowAndAnother(otherTags: (listTags: ReturnType<typeof sfn.on>) => void): void {
  mockExecution({ status: 'SUCCEEDED', output: {} });
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:Other', name: 'Other', type: 'STANDARD', creationDate: new Date() }, { stateMachineArn: MACHINE, name: 'VolumeRestore', type: 'STANDARD', creationDate: new Date() }] });
  // The general answer first: aws-sdk-client-mock lets the later, more specific one take precedence.
  otherTags(sfn.on(ListTagsForResourceCommand));
  sfn.on(ListTagsForResourceCommand, { resourceArn: MACHINE }).resolves({ tags: [{ key: 'cdk-backup-dr:workflow', value: 'volume' }] });
}

const VOLUME_RESTORE_ARGS = ['volume', '--snapshot', 'snap-0123456789abcdef0', '--az', 'eu-west-1a', '--poll-seconds', '1'];

function denied(action: string): Error {
  return Object.assign(new Error(`User: arn:aws:sts::123456789012:assumed-role/oncall/me is not authorized to perform: ${action}`), { name: 'AccessDeniedException' });
}

test.each<[string, (listTags: ReturnType<typeof sfn.on>) => void, string]>([
  ['readable', (listTags) => listTags.resolves({ tags: [] }), ''],
  ['denied (passed over)', (listTags) => listTags.rejects(denied('states:ListTagsForResource')), ' (the tags of 1 state machine(s) could not be read, access denied: Other)'],
])('finds the state machine by its workflow tag, or says how to name it; the other state machine\'s tags %s', async (_name, otherTags, passedOver) => {
  listWorkflowAndAnother(otherTags);
  const found = capture();
  expect(await runRestore(VOLUME_RESTORE_ARGS, found.io)).toBe(0);
  expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toBe(MACHINE);

  sfn.on(ListTagsForResourceCommand, { resourceArn: MACHINE }).resolves({ tags: [] });
  const missing = capture();
  expect(await runRestore(VOLUME_RESTORE_ARGS, missing.io)).toBe(2);
  expect(missing.stderr()).toContain(`no state machine tagged cdk-backup-dr:workflow=volume in this account and region${passedOver}; ` +
    'pass --state-machine <arn> or set CDK_BACKUP_DR_VOLUME_STATE_MACHINE (the reference stack prints the ARNs as outputs)');
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
});

test('the state machine from the environment, without a lookup', async () => {
  mockExecution({ status: 'SUCCEEDED', output: {} });
  const fromEnv = capture({ env: { CDK_BACKUP_DR_VOLUME_STATE_MACHINE: 'arn:aws:states:eu-west-1:123456789012:stateMachine:FromEnv' } });
  expect(await runRestore(VOLUME_RESTORE_ARGS, fromEnv.io)).toBe(0);
  expect(sfn.commandCalls(StartExecutionCommand).at(-1)!.args[0].input.stateMachineArn).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:FromEnv');
  expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
});

test('an identity that may not list state machines is told how to name the workflow', async () => {
  mockExecution({ status: 'SUCCEEDED', output: {} });
  sfn.on(ListStateMachinesCommand).rejects(denied('states:ListStateMachines'));
  const unlisted = capture();
  expect(await runRestore(VOLUME_RESTORE_ARGS, unlisted.io)).toBe(2);
  expect(unlisted.stderr()).toMatch(/the state machine tagged cdk-backup-dr:workflow=volume cannot be looked up: this identity may not list state machines \(.*not authorized to perform: states:ListStateMachines\); pass --state-machine <arn> or set CDK_BACKUP_DR_VOLUME_STATE_MACHINE/);
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

test('--dry-run checks a volume request with read-only calls and starts nothing', async () => {
  mockWorkflowConfiguration(VOLUME_ENVIRONMENT);
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0123456789abcdef0', State: 'completed', VolumeSize: 80 }] });
  ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [{ ZoneName: 'eu-west-1a', State: 'available' }] });
  const run = capture();
  expect(await runRestore([...volumeArgs, '--dry-run'], run.io)).toBe(0);
  expect(run.stdout()).toMatch(/Dry run: nothing was started or created\. The request passed the checks of arn:aws:states:eu-west-1:123456789012:stateMachine:VolumeRestore \(run with the configuration of arn:aws:lambda:eu-west-1:123456789012:function:RestoreSteps\)/);
  expect(run.stdout()).toMatch(/Would create: a new volume from snap-0123456789abcdef0 in eu-west-1a/);
  expect(run.stdout()).toMatch(/"size": 80/);
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  const mutating = ec2.calls().map((call) => call.args[0].constructor.name).filter((name) => !name.startsWith('Describe'));
  expect(mutating).toEqual([]);
  expect(sfn.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeStateMachineCommand']);
  expect(lambda.calls().map((call) => call.args[0].constructor.name)).toEqual(['GetFunctionConfigurationCommand']);
});

test('--dry-run of a volume checks the zone against the zones the workflow allows', async () => {
  mockWorkflowConfiguration({ ...VOLUME_ENVIRONMENT, ALLOWED_ZONES: 'eu-west-1b,eu-west-1c' });
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0123456789abcdef0', State: 'completed', VolumeSize: 80 }] });
  ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ['a', 'b', 'c'].map((zone) => ({ ZoneName: `eu-west-1${zone}`, State: 'available' })) });
  const run = capture();
  expect(await runRestore([...volumeArgs, '--dry-run'], run.io)).toBe(2);
  expect(run.stderr()).toMatch(/eu-west-1a/);
  expect(run.stderr()).toMatch(/eu-west-1b, eu-west-1c/);
  expect(run.stdout()).not.toMatch(/passed/);
});

test('--dry-run that cannot read the workflow\'s configuration says the request is not checked and exits 1', async () => {
  sfn.on(DescribeStateMachineCommand).resolves({ definition: JSON.stringify({ StartAt: 'Validate', States: { Validate: { Type: 'Task', Resource: VALIDATE_FUNCTION, Parameters: { action: 'validate' }, End: true } } }) });
  lambda.on(GetFunctionConfigurationCommand).resolves({
    KMSKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/workflow',
    Environment: { Error: { ErrorCode: 'AccessDeniedException', Message: 'Lambda was unable to decrypt the environment variables because KMS access was denied.' } },
  });
  const run = capture();
  expect(await runRestore([...volumeArgs, '--dry-run'], run.io)).toBe(1);
  expect(run.stderr()).toMatch(/the dry run could not make its checks; the request is NOT checked: cannot read the configuration of arn:aws:lambda:eu-west-1:123456789012:function:RestoreSteps: AccessDeniedException: .*needs kms:Decrypt on arn:aws:kms:eu-west-1:123456789012:key\/workflow/);
  expect(run.stdout()).toBe('');
  expect(ec2.calls()).toHaveLength(0);
});

test('--dry-run against a state machine without a Validate step exits 1, naming it', async () => {
  sfn.on(DescribeStateMachineCommand).resolves({ definition: JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 1, End: true } } }) });
  const run = capture();
  expect(await runRestore([...volumeArgs, '--dry-run'], run.io)).toBe(1);
  expect(run.stderr()).toMatch(/state machine arn:aws:states:eu-west-1:123456789012:stateMachine:VolumeRestore has no Validate step; is it a cdk-backup-dr restore workflow\?/);
});

test('--dry-run of a bad request names the input and exits 2', async () => {
  mockWorkflowConfiguration(VOLUME_ENVIRONMENT);
  ec2.on(DescribeSnapshotsCommand).rejects(Object.assign(new Error('The snapshot does not exist.'), { name: 'InvalidSnapshot.NotFound', $metadata: {} }));
  const run = capture();
  expect(await runRestore([...volumeArgs, '--dry-run'], run.io)).toBe(2);
  expect(run.stderr()).toMatch(/input `snapshotId`: snapshot snap-0123456789abcdef0 does not exist/);
});

test('--dry-run of a point-in-time object restore counts what would be copied', async () => {
  const at = (iso: string) => new Date(iso);
  s3.on(ListObjectVersionsCommand).resolves({ IsTruncated: false });
  s3.on(ListObjectVersionsCommand, { Prefix: 'app/' }).resolves({
    Versions: [
      { Key: 'app/a', VersionId: '2', LastModified: at('2026-11-21T12:00:00Z'), Size: 5, IsLatest: true },
      { Key: 'app/a', VersionId: '1', LastModified: at('2026-11-20T12:00:00Z'), Size: 4 },
      { Key: 'app/b', VersionId: '1', LastModified: at('2026-11-21T12:00:00Z'), Size: 9, IsLatest: true },
    ],
    IsTruncated: false,
  });
  mockWorkflowConfiguration({ SOURCE_BUCKETS: 'data,archive', TARGET_BUCKETS: 'data' });
  const run = capture();
  expect(await runRestore(['objects', '--bucket', 'data', '--prefix', 'app/', '--time', '2026-11-21T00:00:00Z', '--dry-run', '--json', '--state-machine', MACHINE], run.io)).toBe(0);
  const result = JSON.parse(run.stdout());
  expect(result.plan).toMatchObject({ targetPrefix: 'restored/20261121T000000Z/app/', wouldCopy: { keys: 1, bytes: 4, newerOnly: 1 } });
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

test('--dry-run of an object restore refuses a target prefix that would join names, and exits 2', async () => {
  mockWorkflowConfiguration({ SOURCE_BUCKETS: 'data,archive', TARGET_BUCKETS: 'data' });
  s3.on(ListObjectVersionsCommand).resolves({ IsTruncated: false });
  const run = capture();
  expect(await runRestore(['objects', '--bucket', 'data', '--prefix', 'app/', '--time', '2026-11-21T00:00:00Z', '--target-prefix', 'restored', '--dry-run', '--state-machine', MACHINE], run.io)).toBe(2);
  expect(run.stderr()).toMatch(/input `targetPrefix` must end in '\/': .* so 'restored' would name app\/a.txt 'restoreda.txt'; got 'restored'/);
});

test('--dry-run of an object restore checks the buckets against those the workflow restores and writes', async () => {
  mockWorkflowConfiguration({ SOURCE_BUCKETS: 'data,archive', TARGET_BUCKETS: 'data' });
  s3.on(ListObjectVersionsCommand).resolves({ IsTruncated: false });
  const notRestored = capture();
  expect(await runRestore(['objects', '--bucket', 'logs', '--prefix', 'app/', '--time', '2026-11-21T00:00:00Z', '--dry-run', '--state-machine', MACHINE], notRestored.io)).toBe(2);
  expect(notRestored.stderr()).toMatch(/input `bucket` must be one of the buckets this workflow restores \(data, archive\); got 'logs'/);
  const notWritten = capture();
  expect(await runRestore(['objects', '--archive', '--bucket', 'archive', '--prefix', 'yearly/', '--dry-run', '--state-machine', MACHINE], notWritten.io)).toBe(2);
  expect(notWritten.stderr()).toMatch(/input `targetBucket` must be one of the buckets this workflow may write to \(data\); got 'archive'/);
});

test('--dry-run of an archive restore lists what it would retrieve, and refuses a prefix the workflow\'s ListArchive step refuses (exit 2)', async () => {
  mockWorkflowConfiguration({ SOURCE_BUCKETS: 'data,archive', TARGET_BUCKETS: 'data' });
  s3.on(ListObjectVersionsCommand).resolves({ IsTruncated: false });
  s3.on(ListObjectsV2Command).resolves({ IsTruncated: false });
  s3.on(ListObjectsV2Command, { Prefix: 'yearly/2025/' }).resolves({
    Contents: [{ Key: 'yearly/2025/dump.sql.gz', Size: 700, StorageClass: 'DEEP_ARCHIVE' }, { Key: 'yearly/2025/manifest.json', Size: 30, StorageClass: 'STANDARD' }],
    IsTruncated: false,
  });
  const listed = capture();
  expect(await runRestore(['objects', '--archive', '--bucket', 'archive', '--prefix', 'yearly/2025/', '--target-bucket', 'data', '--dry-run', '--json', '--state-machine', MACHINE], listed.io)).toBe(0);
  expect(JSON.parse(listed.stdout()).plan).toMatchObject({ mode: 'archive', wouldRetrieve: { objects: 2, archived: 1, bytes: 730 } });
  // A mistyped prefix: the workflow would fail at ListArchive (nothing retrieved yet); the dry run says so first.
  const empty = capture();
  expect(await runRestore(['objects', '--archive', '--bucket', 'archive', '--prefix', 'yearly/2052/', '--target-bucket', 'data', '--dry-run', '--state-machine', MACHINE], empty.io)).toBe(2);
  expect(empty.stderr()).toMatch(/input `prefix`: no objects under s3:\/\/archive\/yearly\/2052\//);
  expect(empty.stdout()).not.toMatch(/passed/);
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

const DUMP_ENVIRONMENT = {
  DAILY_BUCKET: 'dumps', ARCHIVE_BUCKET: 'archive', IDENTIFIER_PREFIX: 'restored-', ENGINE: 'mysql', ENGINE_VERSION: '8.4.10', INSTANCE_CLASS: 'db.r7g.large',
  ALLOCATED_STORAGE: '100', SUBNET_GROUP: 'restore-subnets', SECURITY_GROUP_IDS: 'sg-1', KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/dump',
  PARAMETER_GROUP: '', BACKUP_RETENTION_DAYS: '7', AVAILABLE_WITHIN_MINUTES: '180', DATABASE_TLS: 'required', WORKFLOW_ID: 'c8dump0000000000000000000000000000000001',
};

const DUMP_MANIFEST = serializeManifest({
  version: 1, runId: 'r1', tier: 'daily', createdAt: '2026-11-21T02:00:00Z', source: { host: 'replica', engine: 'mysql', serverVersion: '8.4.10', gtidPosition: '' },
  replicationPaused: true, databases: ['shop'], tables: [{ schema: 'shop', table: 'orders', rows: 1200, checksum: '00000000000000ff', hasPrimaryKey: true }],
  files: [{ key: 'daily/2026-11-21/r1/dump.sql.gz', bytes: 5000, sha256: 'a'.repeat(64) }],
});

test('--dry-run of a dump restore reads the manifest and checks the target, creating nothing', async () => {
  s3.on(GetObjectCommand).callsFake(() => ({ Body: sdkStreamMixin(Readable.from([Buffer.from(DUMP_MANIFEST)])) }));
  s3.on(HeadObjectCommand).resolves({ ContentLength: 5000, StorageClass: 'STANDARD' });
  rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} }));
  mockWorkflowConfiguration(DUMP_ENVIRONMENT);
  const run = capture();
  expect(await runRestore(['db', '--from-dump', 's3://dumps/daily/2026-11-21/r1/manifest.json', '--target', 'restored-shop', '--dry-run', '--json', '--state-machine', MACHINE], run.io)).toBe(0);
  expect(JSON.parse(run.stdout())).toMatchObject({
    dryRun: true, workflow: 'dump', wouldCreate: 'a new RDS instance restored-shop loaded from the dump s3://dumps/daily/2026-11-21/r1/manifest.json, verified against its manifest',
    plan: { bucket: 'dumps', dumpKey: 'daily/2026-11-21/r1/dump.sql.gz', rows: 1200, tables: 1, targetInstanceIdentifier: 'restored-shop', instanceClass: 'db.r7g.large', engineVersion: '8.4.10' },
  });
  expect(rds.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeDBInstancesCommand']);
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

test('--dry-run of a dump restore checks the target against the workflow\'s identifier prefix and the bucket against its dump bucket', async () => {
  mockWorkflowConfiguration(DUMP_ENVIRONMENT);
  const prefix = capture();
  expect(await runRestore(['db', '--from-dump', 's3://dumps/daily/2026-11-21/r1/manifest.json', '--target', 'shop-copy', '--dry-run', '--state-machine', MACHINE], prefix.io)).toBe(2);
  expect(prefix.stderr()).toMatch(/input `targetInstanceIdentifier` must start with 'restored-' .*; got 'shop-copy'/);

  s3.on(GetObjectCommand).callsFake(() => ({ Body: sdkStreamMixin(Readable.from([Buffer.from(DUMP_MANIFEST)])) }));
  s3.on(HeadObjectCommand).resolves({ ContentLength: 5000, StorageClass: 'STANDARD' });
  rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} }));
  const bucket = capture();
  expect(await runRestore(['db', '--from-dump', 's3://other/daily/2026-11-21/r1/manifest.json', '--target', 'restored-shop', '--dry-run', '--state-machine', MACHINE], bucket.io)).toBe(2);
  expect(bucket.stderr()).toMatch(OTHER_BUCKET_REFUSED);
  expect(s3.calls()).toHaveLength(0);
});

/** How the dump workflow's Validate step refuses `--from-dump s3://other/daily/2026-11-21/r1/manifest.json`. */
const OTHER_BUCKET_REFUSED = /input `bucket` is 'other', but this workflow reads daily\/ dumps only from dumps: give 'dumps' \(s3:\/\/dumps\/daily\/2026-11-21\/r1\/manifest.json\) or no bucket/;

test('a dump restore from a bucket other than the workflow\'s is refused by the workflow, as by the dry run, and exits 2', async () => {
  const args = ['db', '--from-dump', 's3://other/daily/2026-11-21/r1/manifest.json', '--target', 'restored-shop'];
  const { input } = buildRequest('db', { 'from-dump': args[2], 'target': args[4] });
  expect(input).toEqual({ manifestKey: 'daily/2026-11-21/r1/manifest.json', bucket: 'other', targetInstanceIdentifier: 'restored-shop' });
  // The workflow's Validate step: the same code and settings as the dry run.
  const refusal = await planDumpRestore({ s3: new S3Client({}), rds: new RDSClient({}) }, dumpSettings(DUMP_ENVIRONMENT), input).then(() => undefined, (error: Error) => error);
  expect(refusal).toMatchObject({ name: 'RestoreInputError', message: expect.stringMatching(OTHER_BUCKET_REFUSED) });
  expect(s3.calls()).toHaveLength(0);

  mockExecution({ status: 'FAILED', error: refusal!.name, cause: JSON.stringify({ errorType: refusal!.name, errorMessage: refusal!.message }) });
  const run = capture();
  expect(await runRestore([...args, '--state-machine', MACHINE, '--poll-seconds', '1'], run.io)).toBe(2);
  expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!)).toEqual(input);
  expect(run.stderr()).toMatch(/Restore failed: RestoreInputError \(the workflow's checks rejected the request; nothing was created\)\ninput `bucket` is 'other'/);
});

/** The dump workflow's Validate step (its own code and settings) on a target that exists: the instance an earlier execution restored. */
async function dumpTargetExistsRefusal(input: Record<string, unknown>): Promise<Error> {
  s3.on(GetObjectCommand).callsFake(() => ({ Body: sdkStreamMixin(Readable.from([Buffer.from(DUMP_MANIFEST)])) }));
  s3.on(HeadObjectCommand).resolves({ ContentLength: 5000, StorageClass: 'STANDARD' });
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'restored-shop', DBInstanceStatus: 'available' }] });
  const refusal = await planDumpRestore({ s3: new S3Client({}), rds: new RDSClient({}) }, dumpSettings(DUMP_ENVIRONMENT), input).then(() => undefined, (error: Error) => error);
  expect(refusal).toMatchObject({ name: 'RestoreInputError', message: expect.stringMatching(/an instance 'restored-shop' already exists; choose an identifier that does not exist/) });
  return refusal!;
}

const DUMP_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:DumpRestore';

test('a dump restore run again after its execution ended says the workflow refuses it while the target exists (never resuming the earlier instance), and exits 2 when it does', async () => {
  const args = ['db', '--from-dump', 's3://dumps/daily/2026-11-21/r1/manifest.json', '--target', 'restored-shop'];
  const request = buildRequest('db', { 'from-dump': args[2], 'target': args[4] });
  const refusal = await dumpTargetExistsRefusal(request.input);
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DumpRestore:${input.name}` }));
  sfn.on(StartExecutionCommand, { name: request.name }).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: refusal.name, cause: JSON.stringify({ errorType: refusal.name, errorMessage: refusal.message }) });
  sfn.on(DescribeExecutionCommand, { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DumpRestore:${request.name}` })
    .resolves({ status: 'SUCCEEDED', input: JSON.stringify(request.input), startDate: new Date('2026-11-01T00:30:00Z') });
  const run = capture();
  expect(await runRestore([...args, '--state-machine', DUMP_MACHINE, '--poll-seconds', '1'], run.io)).toBe(2);
  const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
  expect(starts).toHaveLength(2);
  expect(starts[1].name).toMatch(new RegExp(`^${request.name}-rerun-[0-9a-z]+$`));
  expect(starts[1].input).toBe(starts[0].input);
  expect(run.stdout()).toContain('This request ran before (started at 2026-11-01T00:30:00.000Z, SUCCEEDED); starting it again: the dump restore workflow never resumes '
    + 'or reuses an instance an earlier execution created. It refuses the request (exit 2, nothing created) while an instance restored-shop exists, '
    + 'as the one the earlier execution restored does until it is deleted (give another --target for a second copy), '
    + 'and otherwise creates restored-shop and loads the dump into it from the start\n');
  expect(run.stdout()).toMatch(/\nStarted again: a new RDS instance restored-shop loaded from the dump s3:\/\/dumps\/daily\/2026-11-21\/r1\/manifest\.json, verified against its manifest, if no instance restored-shop exists\n {2}execution arn:aws:states:eu-west-1:123456789012:execution:DumpRestore:dump-[^\n]+-rerun-[0-9a-z]+\n/);
  expect(run.stderr()).toMatch(/^Restore failed: RestoreInputError \(the workflow's checks rejected the request; nothing was created\)\ninput `targetInstanceIdentifier`: an instance 'restored-shop' already exists/);
});

test('a dump restore whose earlier execution Step Functions no longer lists (after 90 days) says, as it starts, that an existing target is refused, and the workflow refuses it (exit 2)', async () => {
  const args = ['db', '--from-dump', 's3://dumps/daily/2026-11-21/r1/manifest.json', '--target', 'restored-shop'];
  const request = buildRequest('db', { 'from-dump': args[2], 'target': args[4] });
  const refusal = await dumpTargetExistsRefusal(request.input);
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:DumpRestore:${input.name}` }));
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: refusal.name, cause: JSON.stringify({ errorType: refusal.name, errorMessage: refusal.message }) });
  const run = capture();
  expect(await runRestore([...args, '--state-machine', DUMP_MACHINE, '--poll-seconds', '1'], run.io)).toBe(2);
  expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name)).toEqual([request.name]);
  expect(run.stdout()).toMatch(/^Started a new RDS instance restored-shop loaded from the dump s3:\/\/dumps\/daily\/2026-11-21\/r1\/manifest\.json, verified against its manifest, if no instance restored-shop exists \(the workflow refuses an existing one, such as one an earlier run of this request created, and never resumes it\)\n/);
  expect(run.stderr()).toMatch(/^Restore failed: RestoreInputError \(the workflow's checks rejected the request; nothing was created\)\ninput `targetInstanceIdentifier`: an instance 'restored-shop' already exists/);
});

describe('builds each kind of request', () => {
  test('db --from-dump', () => {
    const request = buildRequest('db', { 'from-dump': 's3://dumps/daily/2026-11-21/r1/manifest.json', 'target': 'restored-shop', 'storage': '200' });
    expect(request).toMatchObject({ kind: 'dump', input: { manifestKey: 'daily/2026-11-21/r1/manifest.json', bucket: 'dumps', targetInstanceIdentifier: 'restored-shop', allocatedStorage: 200 } });
  });
  test('db --from-snapshot, --from-recovery-point, --to-time and --promote-replica use the database workflow\'s request ids', () => {
    const snapshot = buildRequest('db', { 'from-snapshot': 'newest', 'target': 'restore-shop' });
    expect(snapshot.kind).toBe('database');
    expect(snapshot.input).toMatchObject({ kind: 'snapshot', snapshot: 'newest', targetIdentifier: 'restore-shop' });
    expect(snapshot.name).toBe(`restore-${snapshot.input.requestId}`);
    expect(String(snapshot.input.requestId)).toMatch(/^[A-Za-z0-9-]{1,50}$/);
    expect(buildRequest('db', { 'from-recovery-point': 'newest' }).input).toMatchObject({ kind: 'recovery-point', recoveryPoint: 'newest' });
    expect(buildRequest('db', { 'to-time': '2026-11-21T10:00:00Z' }).input).toMatchObject({ kind: 'point-in-time', restoreTime: '2026-11-21T10:00:00Z' });
    expect(buildRequest('db', { 'to-time': '2026-11-21T11:00:00.250+01:00' }).input).toMatchObject({ restoreTime: '2026-11-21T11:00:00.250+01:00' });
    expect(buildRequest('db', { 'promote-replica': 'replica-1', 'confirm': 'replica-1' }).input).toMatchObject({ kind: 'promote-replica', replica: 'replica-1', confirm: 'replica-1' });
  });
  test('objects --archive', () => {
    expect(buildRequest('objects', { bucket: 'archive', prefix: 'yearly/2025/', archive: true, tier: 'Bulk' }).input).toEqual({ mode: 'archive', bucket: 'archive', prefix: 'yearly/2025/', restoreTier: 'Bulk' });
  });
});

describe('usage errors exit 2 and say what is allowed', () => {
  test.each([
    [[], /restore needs db, volume or objects/],
    [['disk'], /unknown restore target 'disk'; use db, volume or objects/],
    [['db', '--from-snapshot', 'a', '--to-time', 'latest'], /exactly one of --from-dump, --from-snapshot, --from-recovery-point, --to-time, --promote-replica; got --from-snapshot and --to-time/],
    [['db', '--from-dump', 's3://b/k'], /needs --target <new instance identifier>/],
    [['db', '--to-time', 'yesterday'], /--to-time must be an ISO 8601 time/],
    [['db', '--to-time', '2026-11-21T10:00:00'], /--to-time must be an ISO 8601 time with a zone \(Z or ±hh:mm\) such as 2026-11-21T10:00:00Z or 2026-11-21T11:00:00\+01:00, or latest; got '2026-11-21T10:00:00'/],
    [['db', '--to-time', '2026-02-30T10:00:00Z'], /--to-time must be an ISO 8601 time with a zone/],
    [['db', '--to-time', '2026-11-21 10:00:00+01:00'], /--to-time must be an ISO 8601 time with a zone/],
    [['objects', '--bucket', 'b', '--time', '2026-11-21T10:00:00'], /--time must be an ISO 8601 time with a zone \(Z or ±hh:mm\) such as 2026-11-21T10:00:00Z or 2026-11-21T11:00:00\+01:00; got '2026-11-21T10:00:00'/],
    [['objects', '--bucket', 'b', '--time', '2026-11-21'], /--time must be an ISO 8601 time with a zone/],
    [['volume', '--az', 'eu-west-1a'], /restore volume needs --snapshot/],
    [['volume', '--snapshot', 'snap-1', '--bucket', 'x'], /restore volume does not take --bucket/],
    [['objects', '--bucket', 'b'], /either --time <ISO time> .* or --archive/],
    [['volume', '--snapshot', 'snap-1', '--size', 'big'], /--size must be a whole number of GiB from 1 to 65536 in decimal digits \(e\.g\. 10\); got 'big'/],
    // Counts where 0 (or more than any volume type, any instance takes) makes no sense, in the ranges the workflows check.
    [['volume', '--snapshot', 'snap-1', '--size', '0'], /^cdk-backup-dr restore: --size must be a whole number of GiB from 1 to 65536 in decimal digits \(e\.g\. 10\); got '0'\n/],
    [['volume', '--snapshot', 'snap-1', '--size', '65537'], /--size must be a whole number of GiB from 1 to 65536 .*; got '65537'/],
    [['volume', '--snapshot', 'snap-1', '--iops', '0'], /^cdk-backup-dr restore: --iops must be a whole number of IOPS from 100 to 256000 in decimal digits \(e\.g\. 100\); got '0'\n/],
    [['volume', '--snapshot', 'snap-1', '--throughput', '0'], /^cdk-backup-dr restore: --throughput must be a whole number of MiB\/s from 125 to 2000 in decimal digits \(e\.g\. 125\); got '0'\n/],
    [['volume', '--snapshot', 'snap-1', '--throughput', '2001'], /--throughput must be a whole number of MiB\/s from 125 to 2000 .*; got '2001'/],
    [['db', '--from-dump', 's3://b/k', '--target', 'restored-1', '--storage', '0'], /^cdk-backup-dr restore: --storage must be a whole number of GiB from 20 to 65536 in decimal digits \(e\.g\. 20\); got '0'\n/],
    [['db', '--from-dump', 's3://b/k', '--target', 'restored-1', '--storage', '19'], /--storage must be a whole number of GiB from 20 to 65536 .*; got '19'/],
    [['objects', '--archive', '--bucket', 'b', '--days', '0'], /^cdk-backup-dr restore: --days must be a whole number of days from 1 to 30 in decimal digits \(e\.g\. 10\); got '0'\n/],
    [['objects', '--archive', '--bucket', 'b', '--days', '31'], /--days must be a whole number of days from 1 to 30 .*; got '31'/],
    // More digits than a number holds exactly: it would reach the workflow as another number.
    [['volume', '--snapshot', 'snap-1', '--iops', '99999999999999999999'], /--iops must be a whole number of IOPS from 100 to 256000 in decimal digits \(e\.g\. 100\); got '99999999999999999999'/],
    // Each form takes the options its usage line shows, no others (they would reach the workflow unused).
    [['db', '--from-snapshot', 'newest', '--confirm', 'orders'], /^cdk-backup-dr restore: restore db --from-snapshot does not take --confirm\n/],
    [['db', '--promote-replica', 'replica-1', '--confirm', 'replica-1', '--target', 'copy', '--az', 'eu-west-1a'], /^cdk-backup-dr restore: restore db --promote-replica does not take --target, --az\n/],
    [['objects', '--bucket', 'b', '--time', '2026-11-21T10:00:00Z', '--tier', 'Bulk', '--days', '3'], /^cdk-backup-dr restore: restore objects --time does not take --tier, --days\n/],
    [['objects', '--archive', '--bucket', 'b', '--confirm', 's3://b/'], /^cdk-backup-dr restore: restore objects --archive does not take --confirm\n/],
    [['volume', '--snapshot', 'snap-1', '--snapshot', 'snap-2'], /^cdk-backup-dr restore: --snapshot is given more than once; it takes one value\n/],
    [['objects', '--bucket', 'b', '--time', '2026-11-21T10:00:00Z', '--target-prefix=a/', '--target-prefix', 'b/'], /^cdk-backup-dr restore: --target-prefix is given more than once; it takes one value\n/],
    [['volume', '--unknown'], /Unknown option '--unknown'/],
    [['volume', '--snapshot', 'snap-1', '--state-machine', MACHINE, '--poll-seconds', '0'], /--poll-seconds must be a whole number of seconds, 1 or more, in decimal digits \(e\.g\. 10\); got '0'/],
    [['db', '--from-snapshot', 'newest', '--target', '', '--state-machine', MACHINE], /^cdk-backup-dr restore: --target needs a value, got an empty one\n$/],
  ])('%j', async (args, message) => {
    const run = capture();
    expect(await runRestore(args as string[], run.io)).toBe(2);
    expect(run.stderr()).toMatch(message);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

test.each([
  [['--time', '2026-11-21T10:00:00Z', '--archive'], 'restore objects takes --time <ISO time> (a point in time from versions) or --archive (from Glacier / Deep Archive), not both: they exclude each other'],
  [[], 'restore objects needs either --time <ISO time> (a point in time from versions) or --archive (from Glacier / Deep Archive)'],
])('restore objects with %j (of --time and --archive) says which: exit 2', async (extra, message) => {
  const run = capture();
  expect(await runRestore(['objects', '--bucket', 'data', '--prefix', 'app/', ...extra, '--state-machine', MACHINE], run.io)).toBe(2);
  expect(run.stderr()).toBe(`cdk-backup-dr restore: ${message}\n`);
});

describe('a command line the parser refuses', () => {
  test.each([
    [['volume', '--unknown']],
    [['volume', '--snapshot']],
    [['volume', '--snapshot', 'snap-1', '--snapshot', 'snap-2']],
  ])('%j: the error, then where the options are, not the whole usage (a small terminal keeps the error in view); exit 2', async (args) => {
    const run = capture();
    expect(await runRestore(args, run.io)).toBe(2);
    expect(run.stderr()).toMatch(/^cdk-backup-dr restore: [^\n]+\nRun `cdk-backup-dr restore --help` for the options\.\n$/);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('the region comes from the state machine ARN', () => {
  /** An io whose clients record the region the command asks for. */
  function recordingRegion(env: NodeJS.ProcessEnv = {}): { run: ReturnType<typeof capture>; regions: Array<string | undefined> } {
    const run = capture({ env });
    const regions: Array<string | undefined> = [];
    const clients = run.io.clients;
    return { run: { ...run, io: { ...run.io, clients: (region) => { regions.push(region); return clients(region); } } }, regions };
  }

  test.each([
    ['--state-machine', ['--state-machine', MACHINE], {}],
    ['$CDK_BACKUP_DR_VOLUME_STATE_MACHINE', [], { CDK_BACKUP_DR_VOLUME_STATE_MACHINE: MACHINE }],
  ])('without --region, the region of %s (no "Region is missing")', async (_, extra, env) => {
    mockWorkflowConfiguration(VOLUME_ENVIRONMENT);
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0123456789abcdef0', State: 'completed', VolumeSize: 8, Encrypted: true }] });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [{ ZoneName: 'eu-west-1a', State: 'available' }] });
    const { run, regions } = recordingRegion(env);
    await runRestore(['volume', '--snapshot', 'snap-0123456789abcdef0', '--az', 'eu-west-1a', '--dry-run', ...extra], run.io);
    expect(regions).toEqual(['eu-west-1']);
  });

  test.each([
    [['--state-machine', MACHINE, '--region', 'us-east-1'],
      /^cdk-backup-dr restore: --region us-east-1 is not the region of the state machine arn:aws:states:eu-west-1:123456789012:stateMachine:VolumeRestore \(eu-west-1\): leave --region out, or name the state machine of us-east-1\n/],
    [['--state-machine', 'arn:aws:states:eu-west-1:123456789012:execution:VolumeRestore:x'],
      /^cdk-backup-dr restore: --state-machine must be a state machine ARN, arn:<partition>:states:<region>:<account>:stateMachine:<name>; got 'arn:aws:states:eu-west-1:123456789012:execution:VolumeRestore:x'\n/],
    [['--state-machine', 'VolumeRestore'], /^cdk-backup-dr restore: --state-machine must be a state machine ARN, .*; got 'VolumeRestore'\n/],
  ])('%j: refused before any AWS call (exit 2)', async (extra, message) => {
    const { run, regions } = recordingRegion();
    expect(await runRestore(['volume', '--snapshot', 'snap-0123456789abcdef0', '--az', 'eu-west-1a', '--dry-run', ...extra], run.io)).toBe(2);
    expect(run.stderr()).toMatch(message);
    expect(regions).toEqual([]);
  });

  test.each([
    ['a dry run', ['--dry-run']],
    ['a restore', []],
  ])('%s with no region at all (no ARN, no --region, no AWS_REGION) is a usage error naming --region and AWS_REGION, before any AWS call', async (_, extra) => {
    const run = capture();
    // The clients the command makes, with the SDK's own default region provider.
    const io = { ...run.io, clients: (region: string | undefined) => ({ ...run.io.clients(region), sfn: new SFNClient({ region }) }) };
    const code = await withoutRegion(() => runRestore(['volume', '--snapshot', 'snap-0123456789abcdef0', '--az', 'eu-west-1a', ...extra], io));
    expect(run.stderr()).toBe('cdk-backup-dr restore: no AWS region to work in: pass --region <region>, set AWS_REGION, or name the state machine by its ARN'
      + ' (--state-machine or $CDK_BACKUP_DR_VOLUME_STATE_MACHINE)\n');
    expect(code).toBe(2);
    expect(sfn.calls()).toHaveLength(0);
  });

  test('a malformed ARN in $CDK_BACKUP_DR_VOLUME_STATE_MACHINE is named as such', async () => {
    const { run } = recordingRegion({ CDK_BACKUP_DR_VOLUME_STATE_MACHINE: 'VolumeRestore' });
    expect(await runRestore(['volume', '--snapshot', 'snap-0123456789abcdef0', '--az', 'eu-west-1a', '--dry-run'], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/^cdk-backup-dr restore: \$CDK_BACKUP_DR_VOLUME_STATE_MACHINE must be a state machine ARN, .*; got 'VolumeRestore'\n/);
  });
});
