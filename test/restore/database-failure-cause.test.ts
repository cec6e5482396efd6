/**
 * The failure document the database restore's steps function builds (the failed execution's
 * Cause) stays within the 32,768 characters of a Step Functions cause however long the errors
 * it is handed: each message is cut at RESTORE_ERROR_CHARACTERS in JSON, as the other restore
 * functions cut their errors. No AWS call is made but the drill metric's, mocked with
 * aws-sdk-client-mock: the plans below ask for no other.
 */
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { RESTORE_ERROR_CHARACTERS } from '../../core/restore-workflows/bounded-error';
import { FailureOutput, runStep } from '../../lambda/restore-db-steps/index';
import { configFromEnvironment } from '../../lambda/restore-db-steps/types';

const deps = {
  clients: { rds: new RDSClient({ region: 'eu-west-1' }), backup: new BackupClient({ region: 'eu-west-1' }) },
  cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }),
  config: configFromEnvironment({ SOURCE_INSTANCE_ID: 'db', WORKFLOW_ID: 'S/R' }),
};
/** Lambda's error document for a message of `characters` characters, each taking two in JSON. */
const lambdaDocument = (name: string, characters: number) => JSON.stringify({ errorType: name, errorMessage: `${name}: ${'"'.repeat(characters)}`, trace: [] });
const CUT = ` ... (cut at ${RESTORE_ERROR_CHARACTERS} characters, a Step Functions cause being limited to 32,768: the function's log has the whole error)`;
const jsonLength = (text: string) => JSON.stringify(text).length - 2;

let logged: jest.SpyInstance;
beforeEach(() => {
  logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => logged.mockRestore());

test('a cleanup that did not finish after a very long error: both messages are cut, saying so, and logged whole; the cause fits', async () => {
  const output = await runStep({
    action: 'cleanup-incomplete',
    request: { requestId: 'inc-42' } as never,
    plan: { requestId: 'inc-42', kind: 'snapshot', drill: false, target: { identifier: 'restore-inc-42' } } as never,
    progress: { targetIdentifier: 'restore-inc-42', created: true } as never,
    error: { Error: 'RestoreFailed', Cause: lambdaDocument('RestoreFailed', 20_000) },
    // A cause that is not a Lambda document (Step Functions' own, or a failed verification's summary) is taken whole.
    cleanupError: { Error: 'States.TaskFailed', Cause: 'x\n'.repeat(20_000) },
  }, deps) as FailureOutput;
  expect(output.cause.length).toBeLessThanOrEqual(32_768);
  const failure = JSON.parse(output.cause);
  expect(failure.error).toBe('RestoreFailed');
  expect(failure.cause.endsWith(CUT)).toBe(true);
  expect(jsonLength(failure.cause)).toBeLessThanOrEqual(RESTORE_ERROR_CHARACTERS);
  expect(jsonLength(failure.cause)).toBeGreaterThan(RESTORE_ERROR_CHARACTERS - 200);
  expect(failure.cleanup.detail).toMatch(/^the cleanup did not finish \(States\.TaskFailed: (x\n)+x? \.\.\. \(cut at 6500 characters, .*\)\); restore-inc-42 may be left behind: check it and delete it by hand/s);
  const lines = logged.mock.calls.map(([line]) => JSON.parse(String(line)) as { name: string; error: string });
  expect(lines.map((line) => [line.name, line.error.length]).sort()).toEqual([['RestoreFailed', 'RestoreFailed: '.length + 20_000], ['States.TaskFailed', 40_000]]);
});

test('a failure whose cleanup ran, after a very long error: its message is cut and the cause fits', async () => {
  // No plan: the request failed before one was made, so the cleanup has nothing to delete.
  const output = await runStep({
    action: 'cleanup', request: { requestId: 'inc-42' } as never, plan: {} as never, progress: {} as never,
    error: { Error: 'InvalidRestoreInput', Cause: lambdaDocument('InvalidRestoreInput', 40_000) },
  }, deps) as FailureOutput;
  expect(output.cause.length).toBeLessThanOrEqual(32_768);
  const failure = JSON.parse(output.cause);
  expect(failure.cause.endsWith(CUT)).toBe(true);
  expect(failure.cause.startsWith('InvalidRestoreInput: """')).toBe(true);
});

test('a short error is kept whole and not logged', async () => {
  const output = await runStep({
    action: 'cleanup', request: { requestId: 'inc-42' } as never, plan: {} as never, progress: {} as never,
    error: { Error: 'InvalidRestoreInput', Cause: JSON.stringify({ errorType: 'InvalidRestoreInput', errorMessage: '`snapshot` must name a snapshot of db, got "other"' }) },
  }, deps) as FailureOutput;
  expect(JSON.parse(output.cause).cause).toBe('`snapshot` must name a snapshot of db, got "other"');
  expect(logged).not.toHaveBeenCalled();
});

test('a request rejected for a request id of 40,000 characters: the id is not repeated in the cause, which fits', async () => {
  // Validate quotes the id in its error (cut there); the failure document took it from the raw request whole.
  const requestId = '"'.repeat(40_000);
  const output = await runStep({
    action: 'cleanup', request: { requestId } as never, plan: {} as never, progress: {} as never,
    error: { Error: 'InvalidRestoreInput', Cause: lambdaDocument('InvalidRestoreInput', 40_000) },
  }, deps) as FailureOutput;
  expect(output.cause.length).toBeLessThanOrEqual(32_768);
  expect(JSON.parse(output.cause).requestId).toBeUndefined();
});

test('a valid request id the request failed before planning is kept', async () => {
  const output = await runStep({
    action: 'cleanup', request: { requestId: 'inc-42', kind: 'nothing' } as never, plan: {} as never, progress: {} as never,
    error: { Error: 'InvalidRestoreInput', Cause: lambdaDocument('InvalidRestoreInput', 10) },
  }, deps) as FailureOutput;
  expect(JSON.parse(output.cause).requestId).toBe('inc-42');
});

test('a failed drill that cannot be counted, for an error of 40,000 characters: the reason is cut too and the cause fits', async () => {
  const cloudwatch = mockClient(CloudWatchClient);
  cloudwatch.on(PutMetricDataCommand).rejects(Object.assign(new Error(`not authorized: ${'"'.repeat(40_000)}`), { name: 'AccessDenied' }));
  try {
    const output = await runStep({
      action: 'cleanup-incomplete',
      request: { requestId: 'd-42', drill: true } as never,
      plan: { requestId: 'd-42', kind: 'snapshot', drill: true, source: { identifier: 'db' }, target: { identifier: 'drill-d-42' } } as never,
      progress: { targetIdentifier: 'drill-d-42', created: true } as never,
      error: { Error: 'RestoreFailed', Cause: lambdaDocument('RestoreFailed', 20_000) },
      cleanupError: { Error: 'AccessDenied', Cause: lambdaDocument('AccessDenied', 20_000) },
    }, deps) as FailureOutput;
    expect(output.cause.length).toBeLessThanOrEqual(32_768);
    expect(JSON.parse(output.cause).drillFailureNotRecorded).toMatch(/^DrillFailures was not put: PutMetricData CdkBackupDr: not authorized: "+ \.\.\. \(cut at 6500 characters, .*\); the missed-drill alarm still fires/);
  } finally {
    cloudwatch.restore();
  }
});
