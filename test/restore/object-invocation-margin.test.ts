/**
 * The object restore function keeps MARGIN_MS free at the end of each invocation: one left less
 * than that gets a deadline already past, starts no copy and returns for the next invocation,
 * which has the function's whole timeout (S3 mocked).
 */
import { CopyObjectCommand, GetObjectTaggingCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ObjectRestorePlan, ScanState, newScan } from '../../core/restore-workflows/objects';
import { MARGIN_MS, handler } from '../../lambda/restore-objects';
import { ObjectRestoreWorkflow } from '../../lib/restore/object-restore-workflow';
import { restoreTestStack } from './workflow-fixture';

const s3mock = mockClient(S3Client);
const T = '2026-11-20T12:00:00.000Z';
const plan: ObjectRestorePlan = {
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: T, targetBucket: 'data', targetPrefix: 'restored/app/', inPlace: false,
  startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'restored/app/'",
};
const left = (milliseconds: number) => ({ getRemainingTimeInMillis: () => milliseconds }) as unknown as Context;

beforeAll(() => {
  Object.assign(process.env, { SOURCE_BUCKETS: 'data', TARGET_BUCKETS: 'data', ARCHIVE_READY_WITHIN_MINUTES: '4320' });
});

beforeEach(() => {
  s3mock.reset();
  s3mock.on(ListObjectVersionsCommand).resolves({
    Versions: [{ Key: 'app/a.txt', VersionId: 'a1', LastModified: new Date(Date.parse(T) - 3600_000), Size: 10, IsLatest: true }],
    IsTruncated: true, NextKeyMarker: 'app/a.txt', NextVersionIdMarker: 'a1',
  });
  s3mock.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3mock.on(GetObjectTaggingCommand, { Key: 'restored/app/a.txt' }).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} }));
  s3mock.on(CopyObjectCommand).resolves({});
});

test('a copy scan invoked with less than the margin left copies nothing and leaves its page for the next invocation', async () => {
  const scan = await handler({ action: 'copyScan', execution: 'objects-1', plan, scan: newScan() }, left(MARGIN_MS - 1_000)) as ScanState;
  expect(s3mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
  // Moving nothing on, it counts as an invocation without progress: the state machine waits before the next.
  // Its Task, Choice and the Wait before the next invocation add 9 history events.
  expect(scan).toEqual({ ...newScan(), stalled: 1, setback: "the invocation's deadline came before any copy was made", loopEvents: 9 });
});

test('a copy scan invoked with a little more than the margin left copies its page', async () => {
  const scan = await handler({ action: 'copyScan', execution: 'objects-1', plan, scan: newScan() }, left(MARGIN_MS + 5_000)) as ScanState;
  expect(s3mock.commandCalls(CopyObjectCommand).map((call) => call.args[0].input.Key)).toEqual(['restored/app/a.txt']);
  expect(scan.cursor).toMatchObject({ keyMarker: 'app/a.txt', done: false });
});

test('a planning scan (reads only) invoked with less than the margin left still reads one page, so it never loops without progress', async () => {
  const scan = await handler({ action: 'planScan', execution: 'objects-1', plan, scan: newScan() }, left(MARGIN_MS - 1_000)) as ScanState;
  expect(s3mock.commandCalls(ListObjectVersionsCommand)).toHaveLength(1);
  expect(scan.cursor).toMatchObject({ keyMarker: 'app/a.txt', done: false });
});

test('the function\'s timeout leaves every invocation more than the margin: a copy step returning at once is followed by one that copies', () => {
  const { stack, vpc, key, dumpBucket } = restoreTestStack(new App());
  new ObjectRestoreWorkflow(stack, 'ObjectRestore', { vpc, encryptionKey: key, buckets: [dumpBucket], functionSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .filter((fn) => fn.Properties.Environment?.Variables?.SOURCE_BUCKETS !== undefined);
  expect(functions).toHaveLength(1);
  expect(functions[0].Properties.Timeout * 1000).toBeGreaterThan(MARGIN_MS + 60_000);
});

/*
 * Why the planning scan needs no stop of its own and the cleanup's CLEANUP_EVENTS_ALLOWED outlasts
 * the timeout: their invocations return unfinished only at the deadline, some 14 minutes each, so
 * the 7-day timeout allows about 720 of them (5,040 events).
 */
test.each([
  ['planScan', { scan: newScan() }],
  ['cleanup', { cleanup: { done: false, deleted: 0, notDeleted: 0, notDeletedExamples: [], loopEvents: 0 } }],
])('%s returns unfinished only at its deadline: it lists page after page until then', async (action, state) => {
  const started = Date.now();
  const result = await handler({ action, execution: 'objects-1', plan, ...state } as never, left(MARGIN_MS + 300)) as { cursor: { done: boolean } };
  expect(result.cursor.done).toBe(false);
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(s3mock.commandCalls(ListObjectVersionsCommand).length).toBeGreaterThan(1);
});
