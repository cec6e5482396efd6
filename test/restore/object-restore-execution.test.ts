/**
 * The synthesized object restore state machine, run locally with the real function and the
 * S3 API mocked.
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, UploadPartCopyCommand, DeleteObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  ListObjectVersionsCommand, ListObjectsV2Command, ListPartsCommand,
  RestoreObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { executionCause } from '../../cli/step-functions';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import { ABORT_COMMAND_PATTERN, type ObjectRestorePlan } from '../../core/restore-workflows/objects';
import { handler } from '../../lambda/restore-objects';
import type { LocalStateMachine } from '../support/local-state-machine';
import { awsArgumentsOf } from '../support/shell-arguments';
import { objectRestoreMachine } from './workflow-fixture';

const s3 = mockClient(S3Client);
const T = '2026-11-20T12:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(T) + hours * 3600_000);
const TARGET = 'restored/20261120T120000Z/app/';

let machine: LocalStateMachine;

beforeAll(() => {
  machine = objectRestoreMachine();
});

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

const version = (Key: string, VersionId: string, hours: number, IsLatest = false) => ({ Key, VersionId, LastModified: at(hours), Size: 100, IsLatest });

/**
 * The versions under data/app/, listed in two pages that split the versions of app/a.txt:
 * a.txt has a version before the time; b.txt was deleted before it; c.txt was created after
 * it; d.txt has not changed since long before it.
 */
function mockS3(options: { targetHolds?: boolean } = {}): void {
  s3.reset();
  s3.on(ListObjectVersionsCommand).callsFake((input) => {
    if (input.Bucket === 'data' && input.Prefix === 'app/') {
      if (!input.KeyMarker) {
        return { Versions: [version('app/a.txt', 'a3', 2, true), version('app/a.txt', 'a2', -1)], IsTruncated: true, NextKeyMarker: 'app/a.txt', NextVersionIdMarker: 'a2' };
      }
      return {
        Versions: [version('app/a.txt', 'a1', -3), version('app/b.txt', 'b1', -2), version('app/c.txt', 'c1', 1, true), version('app/d.txt', 'd1', -5, true)],
        DeleteMarkers: [{ Key: 'app/b.txt', VersionId: 'b2', LastModified: at(-0.5), IsLatest: true }],
        IsTruncated: false,
      };
    }
    if (options.targetHolds) {
      return { Versions: [version(`${input.Prefix}x`, 'x1', 0, true)], IsTruncated: false };
    }
    return { Versions: [], IsTruncated: false };
  });
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'owner', Value: 'shop' }] });
  s3.on(CopyObjectCommand).resolves({});
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
}

const handlers = (overrides: Record<string, typeof handler> = {}) => Object.fromEntries(machine.taskStates.map((name) => [name, overrides[name] ?? handler]));
const copies = () => s3.commandCalls(CopyObjectCommand).map((call) => [call.args[0].input.CopySource, `${call.args[0].input.Bucket}/${call.args[0].input.Key}`]).sort();

test('point in time: the newest version at or before the time of each key, copied to a new prefix', async () => {
  mockS3();
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-1' });
  expect(run.status).toBe('SUCCEEDED');
  expect(copies()).toEqual([
    ['data/app/a.txt?versionId=a2', `data/${TARGET}a.txt`],
    ['data/app/d.txt?versionId=d1', `data/${TARGET}d.txt`],
  ]);
  const copy = s3.commandCalls(CopyObjectCommand)[0].args[0].input;
  expect(copy).toMatchObject({ MetadataDirective: 'COPY', TaggingDirective: 'REPLACE', Tagging: `owner=shop&${encodeURIComponent(EXECUTION_TAG)}=objects-1` });
  expect(run.output).toEqual({
    status: 'SUCCEEDED', mode: 'point-in-time', time: T, source: 's3://data/app/', target: `s3://data/${TARGET}`, inPlace: false,
    objects: 2, bytes: 200, unchanged: 0, deletedAtTime: 1, createdLater: 1, oldestVersion: at(-5).toISOString(), openUploads: { status: 'none', notes: [] },
  });
  expect(s3.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: 'data', Prefix: TARGET }]);
  expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
});

test('in place, confirmed: only keys that changed since the time get a new current version, over the version found current', async () => {
  mockS3();
  s3.on(HeadObjectCommand, { Bucket: 'data', Key: 'app/a.txt' }).resolves({ ETag: '"a3-etag"', VersionId: 'a3' });
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T, targetPrefix: 'app/', confirm: 's3://data/app/' }, { handlers: handlers(), executionName: 'objects-2' });
  expect(run.status).toBe('SUCCEEDED');
  expect(copies()).toEqual([['data/app/a.txt?versionId=a2', 'data/app/a.txt']]);
  expect(s3.commandCalls(CopyObjectCommand)[0].args[0].input.IfMatch).toBe('"a3-etag"');
  expect(run.output).toMatchObject({ inPlace: true, objects: 1, unchanged: 1 });
});

test('a failing copy deletes the copies the execution wrote, and only those', async () => {
  mockS3();
  s3.on(CopyObjectCommand, { Key: `${TARGET}d.txt` }).rejects(awsError('AccessDenied', 'Access Denied'));
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: TARGET }).resolvesOnce({ Versions: [], IsTruncated: false }).resolves({
    Versions: [version(`${TARGET}a.txt`, 'copy-a', 1000, true), version(`${TARGET}other.txt`, 'other', 1000, true)], IsTruncated: false,
  });
  s3.on(GetObjectTaggingCommand, { Key: `${TARGET}a.txt` }).resolves({ TagSet: [{ Key: EXECUTION_TAG, Value: 'objects-3' }] });
  s3.on(GetObjectTaggingCommand, { Key: `${TARGET}other.txt` }).resolves({ TagSet: [{ Key: EXECUTION_TAG, Value: 'someone-else' }] });
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-3' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  expect(run.cause).toMatch(/copying s3:\/\/data\/app\/d.txt \(version d1\) to s3:\/\/data\/restored\/20261120T120000Z\/app\/d.txt: Access Denied/);
  expect(run.caught).toEqual(['CopyScan']);
  expect(s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: 'data', Key: `${TARGET}a.txt`, VersionId: 'copy-a' }]);
});

test('a cleanup that fails too keeps the restore\'s own error, and its cause says what may remain', async () => {
  mockS3();
  s3.on(CopyObjectCommand, { Key: `${TARGET}d.txt` }).rejects(awsError('AccessDenied', 'Access Denied'));
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: TARGET }).resolvesOnce({ Versions: [], IsTruncated: false })
    .rejects(awsError('InternalError', 'We encountered an internal error.'));
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-14' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  expect(run.caught).toEqual(['CopyScan', 'Cleanup']);
  expect(run.cause).toMatch(/d\.txt: Access Denied.* The cleanup did not finish \(InternalError: .*We encountered an internal error.*\): the copies under the target prefix tagged cdk-backup-dr:restore-execution=objects-14 may remain: delete those not wanted by hand$/);
  // What the restore command shows: each error document as its message, the text around it as it is.
  expect(executionCause(run.cause)).toBe(`copying s3://data/app/d.txt (version d1) to s3://data/${TARGET}d.txt: Access Denied The cleanup did not finish (InternalError: `
    + `listing s3://data/${TARGET}: We encountered an internal error.): the copies under the target prefix tagged cdk-backup-dr:restore-execution=objects-14 may remain: delete those not wanted by hand`);
});

test('a copy that Object Lock keeps is reported, and the restore still fails with the copy error', async () => {
  mockS3();
  s3.on(CopyObjectCommand, { Key: `${TARGET}d.txt` }).rejects(awsError('AccessDenied', 'Access Denied'));
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: TARGET }).resolvesOnce({ Versions: [], IsTruncated: false }).resolves({
    Versions: [version(`${TARGET}a.txt`, 'copy-a', 1000, true)], IsTruncated: false,
  });
  s3.on(GetObjectTaggingCommand, { Key: `${TARGET}a.txt` }).resolves({ TagSet: [{ Key: EXECUTION_TAG, Value: 'objects-7' }] });
  s3.on(DeleteObjectCommand).rejects(awsError('AccessDenied', 'Access Denied because object protected by object lock.'));
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-7' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  const cleanup = run.events.filter((e) => e.type === 'StateExited' && e.state.name === 'Cleanup').map((e) => e.state.output.cleanup);
  expect(cleanup).toEqual([expect.objectContaining({ deleted: 0, notDeleted: 1, done: true, notDeletedExamples: [expect.stringMatching(/object lock/)] })]);
});

test('a copy failing for a passing reason (throttled, a 5xx, a dropped connection) is made by a later invocation, after a wait for each that copied nothing', async () => {
  mockS3();
  // a.txt, alone on the first page, fails three times.
  const passing = [
    awsError('SlowDown', 'Please reduce your request rate.'), awsError('InternalError', 'We encountered an internal error.'),
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} }),
  ];
  s3.on(CopyObjectCommand, { Key: `${TARGET}a.txt` }).callsFake(() => {
    const failure = passing.shift();
    if (failure) {
      throw failure;
    }
    return {};
  });
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-4' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.retried).toEqual([]);
  expect(run.visited.filter((s) => s.name === 'CopyScan')).toHaveLength(4);
  expect(run.visited.filter((s) => s.name === 'WaitAfterStalledCopy')).toHaveLength(3);
  expect(run.output).toMatchObject({ objects: 2 });
  expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
});

test('a copy step that left its page after part of it was copied does not copy those keys a second time', async () => {
  mockS3();
  // a.txt is copied, then reading the tags of d.txt is throttled (after the SDK's attempts): the copy of d.txt is left to the
  // next invocation, which starts again from the same cursor.
  s3.on(GetObjectTaggingCommand, { Bucket: 'data', Key: `${TARGET}a.txt` }).rejectsOnce(awsError('NoSuchKey', 'The specified key does not exist.'))
    .resolves({ TagSet: [{ Key: 'owner', Value: 'shop' }, { Key: EXECUTION_TAG, Value: 'objects-8' }] });
  s3.on(GetObjectTaggingCommand, { Bucket: 'data', Key: `${TARGET}d.txt` }).rejects(awsError('NoSuchKey', 'The specified key does not exist.'));
  s3.on(GetObjectTaggingCommand, { Bucket: 'data', Key: 'app/d.txt' }).rejectsOnce(awsError('SlowDown', 'Please reduce your request rate.')).resolves({ TagSet: [] });
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-8' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.retried).toEqual([]);
  expect(run.visited.filter((s) => s.name === 'CopyScan')).toHaveLength(2);
  expect(copies()).toEqual([
    ['data/app/a.txt?versionId=a2', `data/${TARGET}a.txt`],
    ['data/app/d.txt?versionId=d1', `data/${TARGET}d.txt`],
  ]);
  expect(run.output).toMatchObject({ objects: 2 });
});

test('a key deleted in the same second as its last version was written counts as deleted, not restored', async () => {
  mockS3();
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: 'app/' }).resolves({
    Versions: [version('app/a.txt', 'a1', -1), version('app/d.txt', 'd1', -5, true)],
    DeleteMarkers: [{ Key: 'app/a.txt', VersionId: 'a2', LastModified: at(-1), IsLatest: true }],
    IsTruncated: false,
  });
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-10' });
  expect(run.status).toBe('SUCCEEDED');
  expect(copies()).toEqual([['data/app/d.txt?versionId=d1', `data/${TARGET}d.txt`]]);
  expect(run.output).toMatchObject({ objects: 1, deletedAtTime: 1 });
});

test('after a failed copy no further copy starts, and the copies in flight settle (and are reported) before cleanup', async () => {
  mockS3();
  const keys = Array.from({ length: 12 }, (_, i) => `app/k${String(i).padStart(2, '0')}.txt`);
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: 'app/' }).resolves({ Versions: keys.map((key, i) => version(key, `v${i}`, -1, true)), IsTruncated: false });
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: TARGET }).resolvesOnce({ Versions: [], IsTruncated: false }).callsFake(() => {
    cleanupListedAfter = s3.commandCalls(CopyObjectCommand).length;
    return { Versions: [], IsTruncated: false };
  });
  let cleanupListedAfter: number | undefined;
  s3.on(CopyObjectCommand, { Key: `${TARGET}k00.txt` }).rejects(awsError('AccessDenied', 'Access Denied'));
  s3.on(CopyObjectCommand, { Key: `${TARGET}k01.txt` }).callsFake(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    throw awsError('InvalidObjectState', 'The operation is not valid for the object\'s storage class');
  });
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-13' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  // Eight copies start together; after k00 fails, k08 to k11 are never started.
  expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(8);
  expect(cleanupListedAfter).toBe(8);
  // The first failure names the error; the one that settled later is not lost.
  expect(JSON.parse(run.cause!).errorMessage).toMatch(/k00\.txt: Access Denied \(and 1 more: copying s3:\/\/data\/app\/k01\.txt .*: The operation is not valid for the object's storage class\)$/);
});

/** One 6 GiB object to copy in parts; its second part is refused. */
function arrangeMultipartCopyFailingAtItsSecondPart(): void {
  mockS3();
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: 'app/' }).resolves({
    Versions: [{ ...version('app/big.bin', 'g1', -1, true), Size: 6 * 1024 ** 3 }], IsTruncated: false,
  });
  s3.on(HeadObjectCommand).resolves({ ContentType: 'application/octet-stream' });
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
  s3.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
  s3.on(UploadPartCopyCommand, { PartNumber: 2 }).rejects(awsError('AccessDenied', 'Access Denied'));
}

test('a multipart copy that fails aborts its upload, so no copied parts stay behind', async () => {
  arrangeMultipartCopyFailingAtItsSecondPart();
  s3.on(AbortMultipartUploadCommand).resolves({});
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-11' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  expect(s3.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: 'data', Key: `${TARGET}big.bin`, UploadId: 'upload-1' }]);
});

test('a multipart upload that cannot be aborted is named in the failure, after the copy error', async () => {
  arrangeMultipartCopyFailingAtItsSecondPart();
  s3.on(AbortMultipartUploadCommand).rejects(awsError('InternalError', 'We encountered an internal error. Please try again.'));
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-12' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  expect(run.caught).toEqual(['CopyScan']);
  expect(JSON.parse(run.cause!).errorMessage).toMatch(new RegExp([
    `^copying s3://data/app/big.bin \\(version g1\\) to s3://data/${TARGET}big.bin: Access Denied; `,
    `its multipart upload upload-1 of s3://data/${TARGET}big.bin was left \\(aborting it failed: We encountered an internal error. Please try again.\\)`,
    `.*aws s3api abort-multipart-upload --bucket data --key '${TARGET}big.bin' --upload-id 'upload-1'$`,
  ].join('')));
});

/**
 * One 6 GiB object whose multipart copy is throttled at its second part on the first attempt
 * (upload-1) while its third is refused for good, so the upload is aborted rather than left to
 * the next invocation, and the step fails with its first error, the throttling; the step's retry
 * copies under upload-2. Each test says what the aborts do.
 */
function arrangeThrottledMultipartCopy(): void {
  mockS3();
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: 'app/' }).resolves({
    Versions: [{ ...version('app/big.bin', 'g1', -1, true), Size: 6 * 1024 ** 3 }], IsTruncated: false,
  });
  s3.on(HeadObjectCommand).resolves({ ContentType: 'application/octet-stream' });
  s3.on(CreateMultipartUploadCommand).resolvesOnce({ UploadId: 'upload-1' }).resolves({ UploadId: 'upload-2' });
  s3.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
  s3.on(UploadPartCopyCommand, { PartNumber: 2, UploadId: 'upload-1' }).rejects(awsError('SlowDown', 'Please reduce your request rate.'));
  s3.on(UploadPartCopyCommand, { PartNumber: 3, UploadId: 'upload-1' }).callsFake(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    throw awsError('AccessDenied', 'Access Denied');
  });
}

test('an upload left by a throttled multipart copy whose retry then succeeded is still reported, with the command that aborts it', async () => {
  arrangeThrottledMultipartCopy();
  s3.on(AbortMultipartUploadCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.'));
  s3.on(ListMultipartUploadsCommand, { Bucket: 'data', Prefix: TARGET }).callsFake(() => ({
    Uploads: [
      { Key: `${TARGET}big.bin`, UploadId: 'upload-1', Initiated: new Date() },
      // Started before the restore: not this restore's.
      { Key: `${TARGET}old.bin`, UploadId: 'upload-0', Initiated: new Date(Date.now() - 86_400_000) },
    ],
    IsTruncated: false,
  }));
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-16' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.retried).toEqual(['CopyScan']);
  expect(s3.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['upload-2']);
  expect(run.output.openUploads).toEqual({
    status: 'open',
    notes: [expect.stringMatching(new RegExp(`^multipart upload upload-1 of s3://data/${TARGET}big.bin, started .*, is open and its parts are stored until it is aborted: aws s3api abort-multipart-upload --bucket data --key '${TARGET}big.bin' --upload-id 'upload-1'$`))],
  });
});

const openUpload = (UploadId: string, Key = `${TARGET}big.bin`, Initiated = new Date()) => ({ Key, UploadId, Initiated });
const abortCommandOf = (uploadId: string, key = `${TARGET}big.bin`) => `aws s3api abort-multipart-upload --bucket data --key '${key}' --upload-id '${uploadId}'`;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('a copy step cut off by the function\'s timeout in a multipart copy: the failure names its open upload with the command that aborts it, and aborts nothing', async () => {
  mockS3();
  s3.on(ListMultipartUploadsCommand, { Bucket: 'data', Prefix: TARGET }).callsFake(() => ({
    // Started before the restore: not this restore's.
    Uploads: [openUpload('upload-1'), openUpload('upload-0', `${TARGET}old.bin`, new Date(Date.now() - 86_400_000))],
    IsTruncated: false,
  }));
  const timedOut: typeof handler = async () => {
    throw Object.assign(new Error('2026-11-20T12:15:00.000Z abc Task timed out after 900.00 seconds'), { name: 'Sandbox.Timedout' });
  };
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers({ CopyScan: timedOut }), executionName: 'objects-20' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('Sandbox.Timedout');
  expect(run.caught).toEqual(['CopyScan']);
  expect(run.cause).toMatch(new RegExp(`Task timed out after 900.00 seconds.*\\} 1 multipart upload started under s3://data/${TARGET} since the restore began is open \\(the restore aborts none\\): `
    + `multipart upload upload-1 of s3://data/${TARGET}big.bin, started .*, is open and its parts are stored until it is aborted: ${escaped(abortCommandOf('upload-1'))}$`));
  expect(run.cause).not.toMatch(/upload-0/);
  expect(executionCause(run.cause)).toMatch(new RegExp(`^2026-11-20T12:15:00.000Z abc Task timed out after 900.00 seconds 1 multipart upload started under s3://data/${TARGET} since the restore began is open `));
  expect(run.visited.map((s) => s.name)).toContain('Cleanup');
  expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});

test('an upload whose note was lost when its step was retried and then failed again is named in the failure', async () => {
  arrangeThrottledMultipartCopy();
  // The first attempt cannot abort its upload; the retry is refused and aborts its own.
  s3.on(UploadPartCopyCommand, { PartNumber: 2, UploadId: 'upload-2' }).rejects(awsError('AccessDenied', 'Access Denied'));
  s3.on(AbortMultipartUploadCommand, { UploadId: 'upload-1' }).rejects(awsError('SlowDown', 'Please reduce your request rate.'));
  s3.on(AbortMultipartUploadCommand, { UploadId: 'upload-2' }).resolves({});
  s3.on(ListMultipartUploadsCommand, { Bucket: 'data', Prefix: TARGET }).callsFake(() => ({ Uploads: [openUpload('upload-1')], IsTruncated: false }));
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-21' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  expect(run.retried).toEqual(['CopyScan']);
  expect(run.cause).toMatch(new RegExp(`big.bin: Access Denied.*\\} 1 multipart upload started under s3://data/${TARGET} since the restore began is open \\(the restore aborts none\\): `
    + `multipart upload upload-1 of .* ${escaped(abortCommandOf('upload-1'))}$`));
  expect(s3.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['upload-1', 'upload-2']);
});

test('on the failure path, uploads that cannot be listed are named as unknown in the failure', async () => {
  mockS3();
  s3.on(CopyObjectCommand, { Key: `${TARGET}d.txt` }).rejects(awsError('AccessDenied', 'Access Denied'));
  s3.on(ListMultipartUploadsCommand).rejects(awsError('AccessDenied', 'Access Denied to list uploads'));
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-22' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  expect(run.cause).toMatch(new RegExp(`d.txt: Access Denied.*\\} Open multipart uploads unknown: the multipart uploads under s3://data/${TARGET} could not be listed \\(AccessDenied: Access Denied to list uploads\\); `
    + `a copy may have left one open: aws s3api list-multipart-uploads --bucket data --prefix '${TARGET}'$`));
});

test('on the failure path, a listing step that crashes leaves the uploads unknown in the failure, and cleanup still runs', async () => {
  mockS3();
  s3.on(CopyObjectCommand, { Key: `${TARGET}d.txt` }).rejects(awsError('AccessDenied', 'Access Denied'));
  const crashed: typeof handler = async () => {
    throw Object.assign(new Error('Task timed out after 900.00 seconds'), { name: 'Sandbox.Timedout' });
  };
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers({ FailureUploads: crashed }), executionName: 'objects-23' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  expect(run.caught).toEqual(['CopyScan', 'FailureUploads']);
  expect(run.visited.map((s) => s.name)).toContain('Cleanup');
  expect(run.cause).toMatch(new RegExp(`d.txt: Access Denied.*\\} Open multipart uploads unknown: the uploads under s3://data/${TARGET} were not listed \\(the FailureUploads step failed: .*Sandbox.Timedout.*\\); `
    + `a copy may have left one open: aws s3api list-multipart-uploads --bucket data --prefix '${TARGET}'$`));
});

/** Keys as long as S3 allows (1,024 bytes), each copy refused; as many uploads of such keys left open. */
function arrangeLongKeysEveryCopyRefused(uploads: number): { source: string[]; target: string[] } {
  mockS3();
  const source = Array.from({ length: 12 }, (_, i) => `app/${'k'.repeat(990)}-${String(i).padStart(2, '0')}.bin`);
  const target = Array.from({ length: uploads }, (_, i) => `${TARGET}${'k'.repeat(990)}-${String(i).padStart(3, '0')}.bin`);
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: 'app/' }).resolves({ Versions: source.map((key, i) => version(key, `v${i}`, -1, true)), IsTruncated: false });
  s3.on(CopyObjectCommand).rejects(awsError('AccessDenied', 'Access Denied'));
  s3.on(ListMultipartUploadsCommand, { Bucket: 'data', Prefix: TARGET }).callsFake(() => ({
    Uploads: target.map((key, i) => openUpload(`${'u'.repeat(150)}-${i}`, key)), IsTruncated: false,
  }));
  return { source, target };
}

test('a failure of many copies of long keys, with many uploads left open and a failed cleanup, keeps its cause within the 32,768 characters Step Functions allows', async () => {
  const { source } = arrangeLongKeysEveryCopyRefused(40);
  // The cleanup finds its copies but may not read their tags.
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: TARGET }).resolvesOnce({ Versions: [], IsTruncated: false }).resolves({
    Versions: source.map((key, i) => version(`${TARGET}${key.slice('app/'.length)}`, `copy-${i}`, 1000, true)), IsTruncated: false,
  });
  s3.on(GetObjectTaggingCommand).callsFake((input) => {
    if (input.VersionId?.startsWith('copy-')) {
      throw awsError('AccessDenied', 'Access Denied');
    }
    return { TagSet: [] };
  });
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-25' });
  const leftOut = logged.mock.calls.map(([line]) => JSON.parse(String(line)) as { message: string; errors: string[] });
  logged.mockRestore();
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  expect(run.caught).toEqual(['CopyScan', 'Cleanup']);
  expect(run.cause!.length).toBeLessThanOrEqual(32_768);
  // Eight copies fail together: the first and as many others as fit are shown, the rest counted and logged.
  const copyError = JSON.parse(run.cause!.slice(0, run.cause!.indexOf('} ') + 1)).errorMessage as string;
  expect(copyError).toMatch(/^copying s3:\/\/data\/app\/k+-\d\d\.bin .*: Access Denied \(and 7 more: copying .*; (\d) not shown here, a Step Functions cause being limited to 32,768 characters: the function's log has each one\)$/);
  const notShown = Number(/(\d) not shown here/.exec(copyError)![1]);
  expect(leftOut[0]).toEqual({ message: `${notShown} errors left out of the failure's cause`, errors: Array.from({ length: notShown }, () => expect.stringMatching(/^copying s3:\/\/data\/app\/k+-\d\d\.bin .*: Access Denied$/)) });
  expect(run.cause).toMatch(new RegExp(`\\} 40 multipart uploads started under s3://data/${TARGET} since the restore began are open \\(the restore aborts none\\): multipart upload u+-0 .*; and (\\d+) more: `
    + `aws s3api list-multipart-uploads --bucket data --prefix '${TARGET}' The cleanup did not finish \\(AccessDenied: .*\\d not shown here`));
});

test('a cleanup that fails too after copies of long keys failed keeps the cause within 32,768 characters with the trace Lambda adds to each error document', async () => {
  mockS3();
  // Keys as long as fill the 6,000 characters of several copies' errors, and of the cleanup's.
  const name = (i: number) => `${'k'.repeat(673)}-${String(i).padStart(2, '0')}.bin`;
  const source = Array.from({ length: 12 }, (_, i) => `app/${name(i)}`);
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: 'app/' }).resolves({ Versions: source.map((key, i) => version(key, `v${i}`, -1, true)), IsTruncated: false });
  s3.on(CopyObjectCommand).rejects(awsError('AccessDenied', 'Access Denied'));
  s3.on(ListMultipartUploadsCommand, { Bucket: 'data', Prefix: TARGET }).callsFake(() => ({
    Uploads: Array.from({ length: 40 }, (_, i) => openUpload(`${'u'.repeat(150)}-${i}`, `${TARGET}${name(i)}`)), IsTruncated: false,
  }));
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: TARGET }).resolvesOnce({ Versions: [], IsTruncated: false }).resolves({
    Versions: source.map((_key, i) => version(`${TARGET}${name(i)}`, `copy-${i}`, 1000, true)), IsTruncated: false,
  });
  s3.on(GetObjectTaggingCommand).callsFake((input) => {
    if (input.VersionId?.startsWith('copy-')) {
      throw awsError('AccessDenied', 'Access Denied');
    }
    return { TagSet: [] };
  });
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-31' });
  logged.mockRestore();
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  expect(run.caught).toEqual(['CopyScan', 'Cleanup']);
  expect(run.cause!.length).toBeLessThanOrEqual(32_768);
  const copyDocument = JSON.parse(run.cause!.slice(0, run.cause!.indexOf('} ') + 1)) as { errorMessage: string; trace: string[] };
  expect(copyDocument.errorMessage).toMatch(/^copying s3:\/\/data\/app\/k+-\d\d\.bin .*: Access Denied \(and 7 more: .*\d not shown here, a Step Functions cause being limited to 32,768 characters: the function's log has each one\)$/);
  // The trace names the error and where it was thrown, without the message again.
  expect(copyDocument.trace[0]).toBe('AccessDenied');
  const frames = copyDocument.trace.slice(1);
  expect(frames.length).toBeGreaterThan(0);
  expect(frames.filter((line) => !/^\s+at /.test(line))).toEqual([]);
  expect(run.cause).toMatch(/ The cleanup did not finish \(AccessDenied: \{"errorType":"AccessDenied","errorMessage":"tags of s3:\/\/data\/restored\/.*: Access Denied \(and \d more: .*\): the copies under the target prefix tagged cdk-backup-dr:restore-execution=objects-31 may remain: delete those not wanted by hand$/);
});

test('a result names the open uploads up to its size limit, then their number and the command that lists them all', async () => {
  arrangeLongKeysEveryCopyRefused(200);
  s3.on(CopyObjectCommand).resolves({});
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-26' });
  expect(run.status).toBe('SUCCEEDED');
  const { status, notes } = run.output.openUploads as { status: string; notes: string[] };
  expect(status).toBe('open');
  const named = notes.slice(0, -1);
  expect(named.length).toBeGreaterThan(10);
  expect(named.every((note, i) => note.startsWith(`multipart upload ${'u'.repeat(150)}-${i} of `))).toBe(true);
  expect(Buffer.byteLength(JSON.stringify(run.output.openUploads))).toBeLessThan(70_000);
  expect(notes[notes.length - 1]).toBe(`and ${200 - named.length} more multipart uploads started under s3://data/${TARGET} since the restore began, open and not named here (the result's size is limited): `
    + `list them all: aws s3api list-multipart-uploads --bucket data --prefix '${TARGET}'`);
});

test.each([
  ['FailureUploads', 'a failure', (run: { cause?: string }) => run.cause!],
  ['OpenUploads', 'a result', (run: { output?: { openUploads: { notes: string[] } } }) => run.output!.openUploads.notes[0]],
] as const)('when the %s step crashes, %s says how to list the uploads with a command that passes a target prefix holding \' and $ to aws unchanged', async (step, _, text) => {
  mockS3();
  if (step === 'FailureUploads') {
    s3.on(CopyObjectCommand, { Key: "restored/it's $HOME/d.txt" }).rejects(awsError('AccessDenied', 'Access Denied'));
  }
  const crashed: typeof handler = async () => {
    throw Object.assign(new Error('Task timed out after 900.00 seconds'), { name: 'Sandbox.Timedout' });
  };
  const targetPrefix = "restored/it's $HOME/";
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T, targetPrefix }, { handlers: handlers({ [step]: crashed }), executionName: `objects-27-${step}` });
  expect(run.caught).toContain(step);
  const command = /aws s3api list-multipart-uploads .*$/.exec(text(run as never))![0];
  expect(awsArgumentsOf(command)).toEqual(['s3api', 'list-multipart-uploads', '--bucket', 'data', '--prefix', targetPrefix]);
});

test('a failure names an open upload of a key holding \' and $ with a command that passes the key to aws unchanged', async () => {
  mockS3();
  const key = `${TARGET}it's $HOME.bin`;
  s3.on(ListMultipartUploadsCommand, { Bucket: 'data', Prefix: TARGET }).callsFake(() => ({ Uploads: [openUpload("upload-'1'", key)], IsTruncated: false }));
  const timedOut: typeof handler = async () => {
    throw Object.assign(new Error('Task timed out after 900.00 seconds'), { name: 'Sandbox.Timedout' });
  };
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers({ CopyScan: timedOut }), executionName: 'objects-28' });
  expect(run.status).toBe('FAILED');
  const command = ABORT_COMMAND_PATTERN.exec(executionCause(run.cause))![0];
  expect(awsArgumentsOf(command)).toEqual(['s3api', 'abort-multipart-upload', '--bucket', 'data', '--key', key, '--upload-id', "upload-'1'"]);
});

test('a failure names at most 20 open uploads, then their number and the command that lists them all', async () => {
  mockS3();
  s3.on(ListMultipartUploadsCommand).callsFake(() => ({ Uploads: Array.from({ length: 23 }, (_, i) => openUpload(`upload-${i}`, `${TARGET}f${i}.bin`)), IsTruncated: false }));
  const plan = await handler({ action: 'validate', execution: 'objects-24', input: { bucket: 'data', prefix: 'app/', time: T } }) as ObjectRestorePlan;
  const { note } = await handler({ action: 'failureUploads', execution: 'objects-24', plan }) as { note: string };
  expect(note).toMatch(new RegExp(`^ 23 multipart uploads started under s3://data/${TARGET} since the restore began are open \\(the restore aborts none\\): multipart upload upload-0 `));
  expect(note.match(/abort-multipart-upload/g)).toHaveLength(20);
  expect(note).toMatch(new RegExp(`${escaped(abortCommandOf('upload-19', `${TARGET}f19.bin`))}; and 3 more: aws s3api list-multipart-uploads --bucket data --prefix '${TARGET}'$`));
});

test('uploads that cannot be listed are reported as unknown, not as none', async () => {
  mockS3();
  s3.on(ListMultipartUploadsCommand).rejects(awsError('AccessDenied', 'Access Denied'));
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-17' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output.openUploads).toEqual({
    status: 'unknown',
    notes: [`the multipart uploads under s3://data/${TARGET} could not be listed (AccessDenied: Access Denied); a copy may have left one open: aws s3api list-multipart-uploads --bucket data --prefix '${TARGET}'`],
  });
});

test('an OpenUploads step that crashes or times out ends the restore as succeeded, its uploads unknown with the error', async () => {
  mockS3();
  const timedOut: typeof handler = async () => {
    throw Object.assign(new Error('2026-11-20T12:15:00.000Z abc Task timed out after 900.00 seconds'), { name: 'Sandbox.Timedout' });
  };
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers({ OpenUploads: timedOut }), executionName: 'objects-18' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.caught).toEqual(['OpenUploads']);
  expect(run.output).toMatchObject({ status: 'SUCCEEDED', mode: 'point-in-time', objects: 2 });
  expect(run.output.openUploads).toEqual({
    status: 'unknown',
    notes: [expect.stringMatching(new RegExp(`^the multipart uploads under s3://data/${TARGET} were not listed \\(the OpenUploads step failed: \\{"Error":"Sandbox.Timedout","Cause":".*Task timed out after 900.00 seconds.*"\\}\\); `
      + `a copy may have left one open: aws s3api list-multipart-uploads --bucket data --prefix '${TARGET}'$`))],
  });
});

test('archive: an OpenUploads step that crashes ends the restore as succeeded, its uploads unknown', async () => {
  s3.reset();
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'yearly/r1/dump.sql.gz', Size: 10, StorageClass: 'STANDARD' }], IsTruncated: false });
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3.on(CopyObjectCommand).resolves({});
  const crashed: typeof handler = async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'Uploads')");
  };
  const run = await machine.run({ mode: 'archive', bucket: 'archive', prefix: 'yearly/r1/', targetBucket: 'scratch' }, { handlers: handlers({ OpenUploads: crashed }), executionName: 'objects-19' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({ status: 'SUCCEEDED', mode: 'archive', objects: 1, openUploads: { status: 'unknown', notes: [expect.stringMatching(/OpenUploads step failed: .*TypeError.*reading 'Uploads'/)] } });
});

test('archive: retrieval requested, waited for, copied as STANDARD to a new prefix', async () => {
  s3.reset();
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
  s3.on(ListObjectsV2Command).resolves({
    Contents: [
      { Key: 'yearly/2025/2025-12-31/r1/dump.sql.gz', Size: 5000, StorageClass: 'DEEP_ARCHIVE' },
      { Key: 'yearly/2025/2025-12-31/r1/manifest.json', Size: 300, StorageClass: 'DEEP_ARCHIVE' },
    ],
    IsTruncated: false,
  });
  s3.on(RestoreObjectCommand, { Key: 'yearly/2025/2025-12-31/r1/manifest.json' }).rejects(awsError('RestoreAlreadyInProgress', 'Object restore is already in progress'));
  s3.on(RestoreObjectCommand).resolves({});
  s3.on(HeadObjectCommand).resolvesOnce({ Restore: 'ongoing-request="true"' }).resolvesOnce({ Restore: 'ongoing-request="true"' })
    .resolves({ Restore: 'ongoing-request="false", expiry-date="Fri, 27 Nov 2026 00:00:00 GMT"' });
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3.on(CopyObjectCommand).resolves({});
  const run = await machine.run({ mode: 'archive', bucket: 'archive', prefix: 'yearly/2025/2025-12-31/r1/', targetBucket: 'scratch', restoreTier: 'Bulk' }, { handlers: handlers(), executionName: 'objects-5' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.visited.filter((s) => s.name === 'WaitForRetrieval')).toHaveLength(1);
  expect(s3.commandCalls(RestoreObjectCommand)[0].args[0].input.RestoreRequest).toEqual({ Days: 3, GlacierJobParameters: { Tier: 'Bulk' } });
  const copied = s3.commandCalls(CopyObjectCommand).map((call) => call.args[0].input);
  expect(copied.every((c) => c.StorageClass === 'STANDARD' && c.Bucket === 'scratch' && c.Key!.startsWith('restored/'))).toBe(true);
  expect(run.output).toMatchObject({
    status: 'SUCCEEDED', mode: 'archive', objects: 2, bytes: 5300, retrieved: 2, restoreTier: 'Bulk', source: 's3://archive/yearly/2025/2025-12-31/r1/', openUploads: { status: 'none', notes: [] },
  });
});

/** The largest input or output of any state the run entered or left, in bytes (Step Functions allows 256 KiB). */
const largestStateBytes = (run: { events: Array<{ state?: { input?: unknown; output?: unknown } }> }) => Math.max(...run.events.filter((e) => e.state)
  .flatMap((e) => [e.state!.input, e.state!.output]).map((data) => Buffer.byteLength(JSON.stringify(data ?? null))));

test('archive: 1,000 objects with keys as long as S3 allows are restored with every state within the 256 KiB Step Functions allows', async () => {
  s3.reset();
  const keys = Array.from({ length: 1000 }, (_, i) => `yearly/r1/${'k'.repeat(1000)}-${String(i).padStart(4, '0')}`);
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
  s3.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key, Size: 10, StorageClass: 'DEEP_ARCHIVE' })), IsTruncated: false });
  s3.on(RestoreObjectCommand).resolves({});
  s3.on(HeadObjectCommand).resolves({ Restore: 'ongoing-request="false", expiry-date="Fri, 27 Nov 2026 00:00:00 GMT"' });
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3.on(CopyObjectCommand).resolves({});
  const run = await machine.run({ mode: 'archive', bucket: 'archive', prefix: 'yearly/r1/', targetBucket: 'scratch' }, { handlers: handlers(), executionName: 'objects-30' });
  expect(run.status).toBe('SUCCEEDED');
  expect(largestStateBytes(run)).toBeLessThanOrEqual(256 * 1024);
  expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(1000);
  expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(1000);
  expect(run.output).toMatchObject({ status: 'SUCCEEDED', mode: 'archive', objects: 1000, bytes: 10_000, retrieved: 1000 });
});

test('archive: a copy that outlasts an invocation is finished by the next ones, each object copied once', async () => {
  s3.reset();
  const keys = Array.from({ length: 20 }, (_, i) => `yearly/r1/part-${String(i).padStart(2, '0')}`);
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
  s3.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key, Size: 10, StorageClass: 'DEEP_ARCHIVE' })), IsTruncated: false });
  s3.on(RestoreObjectCommand).resolves({});
  s3.on(HeadObjectCommand).resolves({ Restore: 'ongoing-request="false", expiry-date="Fri, 27 Nov 2026 00:00:00 GMT"' });
  const copied = new Set<string>();
  s3.on(GetObjectTaggingCommand).callsFake((input) => {
    if (input.Bucket !== 'scratch') {
      return { TagSet: [] };
    }
    if (!copied.has(input.Key)) {
      throw awsError('NoSuchKey', 'The specified key does not exist.');
    }
    return { TagSet: [{ Key: EXECUTION_TAG, Value: 'objects-15' }] };
  });
  // Each copy takes ten seconds of the clock; an invocation has five seconds before its margin.
  const realNow = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + copied.size * 10_000);
  s3.on(CopyObjectCommand).callsFake((input) => {
    copied.add(input.Key);
    return {};
  });
  try {
    const copyHandler: typeof handler = (event) => handler(event, { getRemainingTimeInMillis: () => 65_000 } as Parameters<typeof handler>[1]);
    const run = await machine.run({ mode: 'archive', bucket: 'archive', prefix: 'yearly/r1/', targetBucket: 'scratch' }, { handlers: handlers({ CopyArchive: copyHandler }), executionName: 'objects-15' });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.visited.filter((s) => s.name === 'CopyArchive').length).toBeGreaterThanOrEqual(2);
    const targetPrefix = String(run.output.target).replace('s3://scratch/', '');
    expect(targetPrefix).toMatch(/^restored\/\d{8}T\d{6}Z\/yearly\/r1\/$/);
    expect(s3.commandCalls(CopyObjectCommand).map((call) => call.args[0].input.Key).sort()).toEqual(keys.map((key) => `${targetPrefix}${key.slice('yearly/r1/'.length)}`));
    expect(run.output).toMatchObject({ status: 'SUCCEEDED', mode: 'archive', objects: 20, bytes: 200 });
  } finally {
    jest.restoreAllMocks();
  }
});

test('archive: a multipart copy that outlasts invocations is carried on by the next ones, each part copied once, in one upload', async () => {
  s3.reset();
  const GiB = 1024 ** 3;
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
  s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'yearly/r1/dump.sql.gz', Size: 6 * GiB + 5, StorageClass: 'DEEP_ARCHIVE' }], IsTruncated: false });
  s3.on(RestoreObjectCommand).resolves({});
  s3.on(HeadObjectCommand).resolves({ Restore: 'ongoing-request="false", expiry-date="Fri, 27 Nov 2026 00:00:00 GMT"', ContentType: 'application/gzip' });
  s3.on(GetObjectTaggingCommand, { Bucket: 'archive' }).resolves({ TagSet: [] });
  s3.on(GetObjectTaggingCommand, { Bucket: 'scratch' }).rejects(awsError('NoSuchKey', 'The specified key does not exist.'));
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
  const parts = new Map<number, number>();
  s3.on(UploadPartCopyCommand).callsFake((input) => {
    const [start, end] = input.CopySourceRange!.replace('bytes=', '').split('-').map(Number);
    parts.set(input.PartNumber!, end - start + 1);
    return { CopyPartResult: { ETag: `"p${input.PartNumber}"` } };
  });
  s3.on(ListPartsCommand, { UploadId: 'upload-1' }).callsFake(() => ({
    Parts: [...parts].map(([PartNumber, Size]) => ({ PartNumber, Size, ETag: `"p${PartNumber}"` })), IsTruncated: false,
  }));
  s3.on(CompleteMultipartUploadCommand).resolves({});
  // Each part takes ten seconds of the clock; an invocation has five seconds before its margin, so it copies one part.
  const realNow = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + parts.size * 10_000);
  try {
    const copyHandler: typeof handler = (event) => handler(event, { getRemainingTimeInMillis: () => 65_000 } as Parameters<typeof handler>[1]);
    const run = await machine.run({ mode: 'archive', bucket: 'archive', prefix: 'yearly/r1/', targetBucket: 'scratch' }, { handlers: handlers({ CopyArchive: copyHandler }), executionName: 'objects-29' });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.visited.filter((s) => s.name === 'CopyArchive')).toHaveLength(7);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
    expect(s3.commandCalls(UploadPartCopyCommand).map((call) => call.args[0].input.PartNumber)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([expect.objectContaining({
      UploadId: 'upload-1', MultipartUpload: { Parts: [1, 2, 3, 4, 5, 6, 7].map((n) => ({ PartNumber: n, ETag: `"p${n}"` })) },
    })]);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
    expect(run.output).toMatchObject({ status: 'SUCCEEDED', mode: 'archive', objects: 1, openUploads: { status: 'none', notes: [] } });
  } finally {
    jest.restoreAllMocks();
  }
});

describe('bad input fails before anything is copied, naming the input and what is allowed', () => {
  test.each([
    ['a time in the future', { bucket: 'data', prefix: 'app/', time: '2999-01-01T00:00:00Z' }, /`time` must not be in the future/],
    ['a time before the oldest version', { bucket: 'data', prefix: 'app/', time: at(-10).toISOString() }, /is before the oldest version under s3:\/\/data\/app\/ \(2026-11-20T07:00:00.000Z\); allowed: 2026-11-20T07:00:00.000Z to now/],
    ['a time that is not one', { bucket: 'data', prefix: 'app/', time: 'yesterday' }, /`time` must be an ISO 8601 time/],
    ['a time without a zone', { bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00' }, /input `time` must be an ISO 8601 time with a zone \(Z or ±hh:mm\) such as 2026-11-21T10:00:00Z or 2026-11-21T11:00:00\+01:00; got '2026-11-20T12:00:00'/],
    ['a date without a time', { bucket: 'data', prefix: 'app/', time: '2026-11-20' }, /input `time` must be an ISO 8601 time with a zone \(Z or ±hh:mm\).*; got '2026-11-20'/],
    ['a date that does not exist', { bucket: 'data', prefix: 'app/', time: '2026-02-30T12:00:00Z' }, /input `time` must be an ISO 8601 time with a zone.*; got '2026-02-30T12:00:00Z'/],
    ['a bucket the workflow does not restore', { bucket: 'other', prefix: 'app/', time: T }, /`bucket` must be one of the buckets this workflow restores \(data, archive\); got 'other'/],
    ['in place without confirmation', { bucket: 'data', prefix: 'app/', time: T, targetPrefix: 'app/' }, /`confirm` must be exactly 's3:\/\/data\/app\/'/],
    ['a target inside the restored prefix', { bucket: 'data', prefix: 'app/', time: T, targetPrefix: 'app/old/' }, /overlaps the restored prefix/],
    // Every prefix of the bucket lies inside the whole bucket: only another target bucket can take its copies.
    ['the whole bucket to a new prefix of the same bucket', { bucket: 'data', time: T },
      /input `prefix` is empty \(the whole bucket s3:\/\/data\/\): its copies cannot go to a prefix of the same bucket, which the restore reads \(the target prefix would be 'restored\/20261120T120000Z\/'\); give a `targetBucket` other than 'data' \(this workflow writes to data, scratch\), or a `prefix`/],
    // The default target prefix, restored/<time>/<prefix>, lies inside a prefix under restored/: the error names a target prefix to give.
    ['a prefix whose default target prefix lies inside it', { bucket: 'data', prefix: 'restored/', time: T },
      /input `targetPrefix` 'restored\/20261120T120000Z\/restored\/' \(the default, restored\/<time>\/<prefix>\) overlaps the restored prefix 'restored\/' in the same bucket; give a `targetPrefix` outside it/],
    ['a target prefix without its trailing slash', { bucket: 'data', prefix: 'app/', time: T, targetPrefix: 'restored' },
      /input `targetPrefix` must end in '\/': a copy is named `targetPrefix` \+ the rest of its key after `prefix`, so 'restored' would name app\/a\.txt 'restoreda\.txt'; got 'restored'/],
    ['an archive target prefix without its trailing slash', { mode: 'archive', bucket: 'archive', prefix: 'yearly/', targetBucket: 'scratch', targetPrefix: 'back' }, /`targetPrefix` must end in '\/'.*; got 'back'/],
    ['a target prefix that cuts the partial name of the prefix', { bucket: 'data', prefix: 'app/2026-11', time: T, targetPrefix: 'restored/' },
      /`targetPrefix` must end in '\/2026-11' \(or be '2026-11'\), as `prefix` 'app\/2026-11' does: .* so 'restored\/' would name app\/2026-11-01 'restored\/-01'; got 'restored\/'/],
    ['no mode', { bucket: 'data', prefix: 'app/' }, /`mode` must be 'point-in-time' \(with `time`\) or 'archive'/],
    ['an unknown retrieval tier', { mode: 'archive', bucket: 'archive', prefix: 'yearly/', targetBucket: 'scratch', restoreTier: 'Expedited' }, /`restoreTier` must be Standard or Bulk/],
  ])('%s', async (_name, input, message) => {
    mockS3();
    const run = await machine.run(input, { handlers: handlers(), executionName: 'objects-bad' });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RestoreInputError');
    expect(run.cause).toMatch(message);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(0);
  });

  // S3 keeps whitespace in a key: trimmed, the restore would read (or write) other keys than those asked for.
  test.each([
    ['a prefix with a space at its end', { bucket: 'data', prefix: 'app/ ', time: T },
      'input `prefix` "app/ " ends with whitespace: S3 keeps whitespace in a key, so the restore neither trims it (that would name other keys) nor takes it (most likely a slip); give it without'],
    ['a prefix of whitespace only (trimmed, the whole bucket)', { bucket: 'data', prefix: '  ', time: T, targetBucket: 'scratch' },
      'input `prefix` "  " is whitespace only: S3 keeps whitespace in a key, so the restore neither trims it (that would name other keys) nor takes it (most likely a slip); give it without'],
    ['a target prefix with a tab at its start', { bucket: 'data', prefix: 'app/', time: T, targetPrefix: '\trestored/' },
      'input `targetPrefix` "\\trestored/" begins with whitespace: S3 keeps whitespace in a key, so the restore neither trims it (that would name other keys) nor takes it (most likely a slip); give it without'],
    ['an archive prefix with a line break at its end', { mode: 'archive', bucket: 'archive', prefix: 'yearly/2025/\n', targetBucket: 'scratch' },
      'input `prefix` "yearly/2025/\\n" ends with whitespace: S3 keeps whitespace in a key, so the restore neither trims it (that would name other keys) nor takes it (most likely a slip); give it without'],
  ])('%s is refused, not trimmed', async (_name, input, message) => {
    mockS3();
    const run = await machine.run(input, { handlers: handlers(), executionName: 'objects-bad' });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RestoreInputError');
    expect(JSON.parse(run.cause!).errorMessage).toBe(message);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(0);
  });

  test('a target prefix that keeps the partial name of the prefix is taken', async () => {
    mockS3();
    const plan = await handler({ action: 'validate', execution: 'objects-partial', input: { bucket: 'data', prefix: 'app/2026-11', time: T, targetPrefix: 'restored/app/2026-11' } });
    expect(plan).toMatchObject({ prefix: 'app/2026-11', targetPrefix: 'restored/app/2026-11' });
  });

  test('a target prefix that already holds objects', async () => {
    mockS3({ targetHolds: true });
    const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, { handlers: handlers(), executionName: 'objects-bad' });
    expect(run.error).toBe('RestoreInputError');
    expect(run.cause).toMatch(/s3:\/\/data\/restored\/20261120T120000Z\/app\/ already holds objects/);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });
});
