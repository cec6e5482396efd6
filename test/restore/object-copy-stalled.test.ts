/**
 * A copying step whose invocations move nothing on (S3 failing for a passing reason for hours,
 * another write of a key always under way) must not loop until the execution's history is full:
 * each such invocation is followed by a wait, and after 60 in a row the restore fails through
 * its failure path (open uploads named, copies deleted) with its own error. The state machine
 * is run locally with the real function and S3 mocked (waits take no time there).
 */
import {
  CopyObjectCommand, DeleteObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, ListObjectsV2Command,
  RestoreObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/restore-objects';
import type { AslDefinition, LocalStateMachine } from '../support/local-state-machine';
import { objectRestoreMachine } from './workflow-fixture';

const s3 = mockClient(S3Client);
const T = '2026-11-20T12:00:00.000Z';
const TARGET = 'restored/20261120T120000Z/app/';

let machine: LocalStateMachine;
let definition: AslDefinition;

beforeAll(() => {
  machine = objectRestoreMachine();
  definition = machine.definition;
});

/** The real function; a copying step invoked more than 100 times ends the run (its error is caught like any step's) rather than looping on. */
const handlers = () => {
  const invoked = new Map<string, number>();
  const bounded = (name: string): typeof handler => async (event, context) => {
    invoked.set(name, (invoked.get(name) ?? 0) + 1);
    if (invoked.get(name)! > 100) {
      throw Object.assign(new Error(`${name} invoked more than 100 times`), { name: 'UnboundedLoop' });
    }
    return handler(event, context);
  };
  return Object.fromEntries(machine.taskStates.map((name) => [name, ['CopyScan', 'CopyArchive'].includes(name) ? bounded(name) : handler]));
};
afterEach(() => jest.restoreAllMocks());

const conflict = () => Object.assign(new Error('A conflicting conditional operation is currently in progress against this resource.'), { name: 'ConditionalRequestConflict', $metadata: { httpStatusCode: 409 } });
const times = (run: { visited: Array<{ name: string }> }, name: string) => run.visited.filter((state) => state.name === name).length;

describe.each([
  ['point in time', 'IsCopyDone', '$.copy', '$.copy.cursor.done', 'CopyScan', 'WaitAfterStalledCopy', 'CopyStalled'],
  ['archive', 'IsArchiveCopied', '$.copied', '$.copied.done', 'CopyArchive', 'WaitAfterStalledArchiveCopy', 'ArchiveCopyStalled'],
])('%s: the copy loop', (_mode, choice, state, done, step, wait, stalled) => {
  test('goes on when done, at once after progress, through a 60-second wait after none, and to the failure path after 60 in a row', () => {
    expect(definition.States[choice]).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: done, BooleanEquals: true, Next: 'OpenUploads' },
        { Variable: `${state}.timeSpent`, IsPresent: true, Next: expect.stringMatching(/TimeBudgetSpent$/) },
        { And: [{ Variable: `${state}.stalled`, IsPresent: true }, { Variable: `${state}.stalled`, NumericGreaterThanEquals: 60 }], Next: stalled },
        { And: [{ Variable: `${state}.loopEvents`, IsPresent: true }, { Variable: `${state}.loopEvents`, NumericGreaterThan: 17991 }], Next: expect.stringMatching(/BudgetSpent$/) },
        { Variable: `${state}.stalled`, IsPresent: true, Next: wait },
      ],
      Default: step,
    });
    expect(definition.States[wait]).toEqual({ Type: 'Wait', Seconds: 60, Next: step });
    expect(definition.States[stalled]).toMatchObject({ Type: 'Pass', ResultPath: '$.failure', Next: 'FailureUploads', Parameters: { Error: 'RestoreCopyStalled' } });
    expect(definition.States[stalled].Parameters['Cause.$']).toContain(`${state}.stalled, ${state}.setback)`);
  });
});

/** app/a.txt to copy to a new prefix; every copy of it meets another write of the key under way (ConditionalRequestConflict), `conflicts` times or always. */
function arrangeConflictingCopies(conflicts = Infinity): void {
  s3.reset();
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: 'app/' }).resolves({
    Versions: [{ Key: 'app/a.txt', VersionId: 'a1', LastModified: new Date(Date.parse(T) - 3600_000), Size: 100, IsLatest: true }], IsTruncated: false,
  });
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3.on(GetObjectTaggingCommand, { Key: `${TARGET}a.txt` }).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} }));
  let refused = 0;
  s3.on(CopyObjectCommand).callsFake(() => {
    if (refused++ < conflicts) {
      throw conflict();
    }
    return {};
  });
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
}

test('point in time: a copy that never gets done ends the restore after 60 invocations in a row, through its failure path, with the reason', async () => {
  arrangeConflictingCopies();
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-stalled' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreCopyStalled');
  expect(times(run, 'CopyScan')).toBe(60);
  expect(times(run, 'WaitAfterStalledCopy')).toBe(59);
  expect(run.definedWaitSeconds).toBe(59 * 60);
  expect(run.cause).toMatch(new RegExp('^The copy made no progress in 60 invocations in a row, 60 seconds apart .*The last one was held up by: '
    + `copying s3://data/app/a.txt \\(version a1\\) to s3://data/${TARGET}a.txt: ConditionalRequestConflict \\(A conflicting conditional operation .*\\): another write of the key was under way$`));
  expect(run.visited.map((s) => s.name)).toEqual(expect.arrayContaining(['CopyStalled', 'FailureUploads', 'NameOpenUploads', 'Cleanup', 'RestoreFailed']));
  expect(s3.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input)).toEqual([expect.objectContaining({ Bucket: 'data', Prefix: TARGET })]);
});

test('point in time: a copy S3 keeps failing for a passing reason (503) ends the restore after 60 invocations in a row, with the failure', async () => {
  // app/a.txt to copy, every copy of it answered 503 (after the SDK's own attempts).
  arrangeConflictingCopies(0);
  s3.on(CopyObjectCommand).rejects(Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }));
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-outage' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreCopyStalled');
  expect(times(run, 'CopyScan')).toBe(60);
  expect(run.retried).toEqual([]);
  expect(run.cause).toMatch(new RegExp(`held up by: copying s3://data/app/a.txt \\(version a1\\) to s3://data/${TARGET}a.txt: ServiceUnavailable \\(Service Unavailable\\); left for the next invocation$`));
  expect(run.visited.map((s) => s.name)).toEqual(expect.arrayContaining(['CopyStalled', 'FailureUploads', 'Cleanup', 'RestoreFailed']));
});

test('point in time: invocations without progress are counted in a row only; the copy done after some of them, the restore succeeds', async () => {
  arrangeConflictingCopies(3);
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-stalled-then-done' });
  expect(run.status).toBe('SUCCEEDED');
  expect(times(run, 'CopyScan')).toBe(4);
  expect(times(run, 'WaitAfterStalledCopy')).toBe(3);
  expect(run.output).toMatchObject({ objects: 1 });
  expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
});

test('archive: a copy that never gets done ends the restore after 60 invocations in a row, through its failure path', async () => {
  s3.reset();
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'yearly/r1/dump.sql.gz', Size: 10, StorageClass: 'DEEP_ARCHIVE' }], IsTruncated: false });
  s3.on(RestoreObjectCommand).resolves({});
  s3.on(HeadObjectCommand).resolves({ Restore: 'ongoing-request="false", expiry-date="Fri, 27 Nov 2026 00:00:00 GMT"' });
  s3.on(GetObjectTaggingCommand, { Bucket: 'archive' }).resolves({ TagSet: [] });
  s3.on(GetObjectTaggingCommand, { Bucket: 'scratch' }).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} }));
  s3.on(CopyObjectCommand).rejects(conflict());
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
  const run = await machine.run({ mode: 'archive', bucket: 'archive', prefix: 'yearly/r1/', targetBucket: 'scratch' }, { handlers: handlers(), executionName: 'objects-archive-stalled' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreCopyStalled');
  expect(times(run, 'CopyArchive')).toBe(60);
  expect(times(run, 'WaitAfterStalledArchiveCopy')).toBe(59);
  expect(run.cause).toMatch(/no progress in 60 invocations in a row.*held up by: copying s3:\/\/archive\/yearly\/r1\/dump\.sql\.gz to s3:\/\/scratch\/restored\/.*ConditionalRequestConflict/);
  expect(run.visited.map((s) => s.name)).toEqual(expect.arrayContaining(['ArchiveCopyStalled', 'FailureUploads', 'Cleanup']));
});
