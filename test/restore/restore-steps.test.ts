import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { incompleteCleanupResult } from '../../lambda/restore-db-steps/cleanup-incomplete';
import { isThrottling } from '../../lambda/restore-db-steps/errors';
import { handler, RAW_INPUT_QUALIFIER, runStep } from '../../lambda/restore-db-steps/index';
import { measureRequest } from '../../lambda/restore-db-steps/measured-request';
import { configFromEnvironment } from '../../lambda/restore-db-steps/types';
import { REQUEST_BYTES, instanceIdentifierFor, isValidInstanceIdentifier, requestIdOf } from '../../lambda/restore-db-steps/validate';
import { DatabaseRestore } from '../../lib/restore/database-restore';
import { THROTTLING_ERRORS } from '../../lib/restore/workflow-shell';

const execution = { name: 'restore-INC_42', startTime: '2026-11-22T00:00:00Z' };

test('the request id defaults to the execution name; a given one must be well-formed', () => {
  expect(requestIdOf({}, execution)).toBe('restore-INC-42');
  expect(requestIdOf({ requestId: 'inc-42' }, execution)).toBe('inc-42');
  expect(() => requestIdOf({ requestId: 'inc 42' }, execution)).toThrow('`requestId` must be 1 to 50 letters, digits or hyphens starting with a letter or digit, got "inc 42"');
});

test('target identifiers made from a request id are valid RDS identifiers', () => {
  expect(instanceIdentifierFor('restore', 'INC_42--x')).toBe('restore-inc-42-x');
  expect(instanceIdentifierFor('drill', '0b6f3c1e-2f0e-4a51-9d7c-7f1b2a3c4d5e')).toBe('drill-0b6f3c1e-2f0e-4a51-9d7c-7f1b2a3c4d5e');
  expect(isValidInstanceIdentifier(instanceIdentifierFor('restore', 'x'.repeat(80)))).toBe(true);
  expect(isValidInstanceIdentifier('ends-with-')).toBe(false);
  expect(isValidInstanceIdentifier('two--hyphens')).toBe(false);
  expect(DatabaseRestore.executionNameFor('inc 42')).toBe('restore-inc-42');
});

test('throttling is recognised by name, by the SDK flag and by HTTP 429', () => {
  expect(isThrottling(Object.assign(new Error('x'), { name: 'Throttling' }))).toBe(true);
  expect(isThrottling(Object.assign(new Error('x'), { name: 'Other', $retryable: { throttling: true } }))).toBe(true);
  expect(isThrottling(Object.assign(new Error('x'), { name: 'Other', $metadata: { httpStatusCode: 429 } }))).toBe(true);
  expect(isThrottling(Object.assign(new Error('x'), { name: 'DBInstanceNotFoundFault', $metadata: { httpStatusCode: 404 } }))).toBe(false);
});

test('the steps retry by name exactly the throttling errors the other workflows retry (one list)', () => {
  const named = (name: string) => isThrottling(Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: 400 } }));
  expect(THROTTLING_ERRORS.filter((name) => !named(name))).toEqual([]);
  // Names the steps once retried on their own: a quota (AWS Backup, CloudWatch: too many items), which retrying does not lift
  // and whose name RestoreThrottled would hide, and a name none of the clients the steps use throws.
  expect(['LimitExceededException', 'ThrottledException'].filter(named)).toEqual([]);
});

test('configuration comes from the environment; a missing variable is named', () => {
  expect(() => configFromEnvironment({ WORKFLOW_ID: 'S/R' })).toThrow('restore-db-steps: environment variable SOURCE_INSTANCE_ID is not set');
  expect(configFromEnvironment({ SOURCE_INSTANCE_ID: 'db', WORKFLOW_ID: 'S/R', REPLICA_INSTANCE_IDS: 'a, b' })).toMatchObject({ replicaIdentifiers: ['a', 'b'], restoreTimeoutMinutes: 720, metricNamespace: 'CdkBackupDr' });
});

test('an unknown action or a missing field is an error naming it', async () => {
  const deps = { clients: { rds: new RDSClient({ region: 'eu-west-1' }), backup: new BackupClient({ region: 'eu-west-1' }) }, cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }), config: configFromEnvironment({ SOURCE_INSTANCE_ID: 'db', WORKFLOW_ID: 'S/R' }) };
  await expect(runStep({ action: 'drop-everything' }, deps)).rejects.toThrow("restore-db-steps: unknown action \"drop-everything\"; the actions are validate, start, check, report, record-drill, delete-scratch, cleanup");
  await expect(runStep({ action: 'start' }, deps)).rejects.toThrow("restore-db-steps: action 'start' needs 'plan' in its event");
});

test('a promotion whose cleanup did not finish never tells the operator to delete the promoted replica', () => {
  const plan = { requestId: 'failover-1', kind: 'promote-replica', drill: false, target: { identifier: 'replica-db' } } as never;
  const failure = incompleteCleanupResult({
    plan, progress: { targetIdentifier: 'replica-db', created: true },
    error: { Error: 'RestoreTimedOut', Cause: JSON.stringify({ errorType: 'RestoreTimedOut', errorMessage: 'replica-db was not available by ...' }) },
    cleanupError: { Error: 'Lambda.ServiceException', Cause: 'Lambda is unavailable' },
  });
  expect(failure.error).toBe('RestoreTimedOut');
  expect(failure).toMatchObject({
    requestId: 'failover-1', kind: 'promote-replica', cause: 'replica-db was not available by ...',
    cleanup: { outcome: 'incomplete', targetIdentifier: 'replica-db', detail: 'the cleanup did not finish (Lambda.ServiceException: Lambda is unavailable); a promotion creates nothing to delete: replica-db is left as it is' },
  });
});

test('an input too large to be a request is refused by the first step, with the message Validate gives', () => {
  expect(measureRequest({ requestId: 'inc-42', kind: 'snapshot' })).toEqual({ requestId: 'inc-42', drill: false, bytes: 40 });
  // The largest input Step Functions accepts (256 KiB of UTF-8 JSON).
  const largest = { requestId: 'inc-43', notes: 'x'.repeat(256 * 1024 - 33) };
  expect(Buffer.byteLength(JSON.stringify(largest))).toBe(256 * 1024);
  expect(measureRequest(largest)).toEqual({ requestId: 'inc-43', drill: false, bytes: 262_144, refused: expect.stringMatching(/^the input takes 262,144 bytes of JSON; a restore request takes at most 8,192: /) });
  expect(measureRequest({ notes: 'x'.repeat(REQUEST_BYTES - 12) })).not.toHaveProperty('refused');
  expect(measureRequest({ notes: 'x'.repeat(REQUEST_BYTES - 11) }).refused).toMatch(/^the input takes 8,193 bytes/);
});

test('invoked through the raw-input qualifier, the function only measures its event, whatever action the input names', async () => {
  const rds = mockClient(RDSClient);
  try {
    const forged = { action: 'cleanup', plan: { requestId: 'inc-1', kind: 'snapshot', target: { identifier: 'prod-copy' } }, error: { Error: 'X' } };
    const context = { invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:steps:${RAW_INPUT_QUALIFIER}` };
    await expect(handler(forged as never, context)).resolves.toEqual({ drill: false, bytes: Buffer.byteLength(JSON.stringify(forged)) });
    expect(rds.calls()).toHaveLength(0);
  } finally {
    rds.restore();
  }
});

test('the input is reduced to its id when valid, whether it is a drill, and its size', () => {
  expect(measureRequest({ requestId: 'inc-42', drill: true, notes: 'x'.repeat(1_000) })).toEqual({ requestId: 'inc-42', drill: true, bytes: 1_046 });
  expect(measureRequest({ requestId: 'a'.repeat(51), drill: 'yes' })).toEqual({ requestId: undefined, drill: false, bytes: 81 });
  expect(measureRequest(['drill', true])).toEqual({ requestId: undefined, drill: false, bytes: 14 });
  expect(measureRequest(null)).toEqual({ requestId: undefined, drill: false, bytes: 4 });
});
