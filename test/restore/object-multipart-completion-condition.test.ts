/**
 * A copy in parts (above 5 GiB) may take hours; in place, the application may write the key
 * meanwhile. Its upload is therefore completed on the condition a single copy is made on, fixed
 * when the upload was created and kept in its state for whichever invocation completes it: over
 * the version found current then (If-Match with its ETag), or only while no object is current
 * (If-None-Match: *: over a delete marker, or to a new prefix). A refused completion whose key
 * holds this execution's copy is done; otherwise its upload is aborted and, in place, the key is
 * left for the next invocation, which looks at it again (S3 mocked: the mock keeps the key's
 * current version and refuses a completion as S3 documents it).
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectTaggingCommand, ListObjectVersionsCommand,
  ListPartsCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import { CopyProgress } from '../../core/restore-workflows/copy-progress';
import { ObjectRestorePlan, copyScan, copyVersion, newScan, refusalKey } from '../../core/restore-workflows/objects';
import { arrangeCurrentVersionHead, arrangeCompletingCopy, bigSource, listedParts, target as newPrefixTarget } from './multipart-fixture';
import { s3Error } from './s3-errors';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(7);
/** In place: the copy becomes the new current version of its own key. */
const target = { bucket: source.bucket, key: source.key };
const OURS = [{ Key: EXECUTION_TAG, Value: 'objects-1' }];

/** The key's current version as the mock's S3 holds it: undefined when none is (a delete marker). */
let current: { etag: string; versionId: string; tags: Array<{ Key: string; Value: string }> } | undefined;
/** The ETag of the key's current version (read through a call: the tests change it behind TypeScript's narrowing). */
const currentETag = () => current?.etag;
/** Abort answers NoSuchUpload for an upload already completed. */
let completedUploads: string[];

/** The application writes the key. */
const applicationWrites = () => {
  current = { etag: '"app-write"', versionId: 'app-version', tags: [{ Key: 'owner', Value: 'shop' }] };
};

beforeEach(() => {
  arrangeCompletingCopy(s3mock);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  current = { etag: '"live"', versionId: 'live-version', tags: [{ Key: 'owner', Value: 'shop' }] };
  completedUploads = [];
  arrangeCurrentVersionHead(s3mock, () => current);
  s3mock.on(GetObjectTaggingCommand).callsFake((input) => {
    if (input.VersionId === source.versionId) {
      return { TagSet: [] };
    }
    if (current === undefined) {
      throw s3Error('MethodNotAllowed', 405);
    }
    return { TagSet: input.VersionId === undefined || input.VersionId === current.versionId ? current.tags : [] };
  });
  // As S3 documents it: If-Match without a current object is 404 NoSuchKey, another ETag 412; If-None-Match: * over an object 412.
  s3mock.on(CompleteMultipartUploadCommand).callsFake((input) => {
    if (input.IfMatch !== undefined && current === undefined) {
      throw s3Error('NoSuchKey', 404);
    }
    if ((input.IfMatch !== undefined && input.IfMatch !== current?.etag) || (input.IfNoneMatch === '*' && current !== undefined)) {
      throw s3Error('PreconditionFailed', 412);
    }
    current = { etag: `"restored-${input.UploadId}"`, versionId: `restored-${input.UploadId}`, tags: OURS };
    completedUploads.push(input.UploadId!);
    return {};
  });
  s3mock.on(AbortMultipartUploadCommand).callsFake((input) => {
    if (completedUploads.includes(input.UploadId!)) {
      throw s3Error('NoSuchUpload', 404);
    }
    return {};
  });
});

afterEach(() => jest.restoreAllMocks());

const completions = () => s3mock.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input);
const aborted = () => s3mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.UploadId);
const copy = (progress?: CopyProgress) => copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, progress });

test('in place, the upload is completed only over the version found current when it was created (If-Match with its ETag)', async () => {
  expect(await copy()).toEqual({ status: 'done' });
  expect(completions()).toEqual([expect.objectContaining({ UploadId: 'upload-1', IfMatch: '"live"' })]);
  expect(completions()[0].IfNoneMatch).toBeUndefined();
  expect(currentETag()).toBe('"restored-upload-1"');
});

test('in place, an application write during the copy refuses the completion: the upload is aborted, the write stays, and the key is left for the next invocation', async () => {
  s3mock.on(UploadPartCopyCommand).callsFake((input) => {
    if (input.PartNumber === 3) {
      applicationWrites();
    }
    return { CopyPartResult: { ETag: `"redone-${input.PartNumber}"` } };
  });
  expect(await copy()).toEqual({ status: 'redo', refused: true });
  expect(completions()).toEqual([expect.objectContaining({ UploadId: 'upload-1', IfMatch: '"live"' })]);
  expect(currentETag()).toBe('"app-write"');
  expect(aborted()).toEqual(['upload-1']);
});

test('in place, a refused completion is reported as the setback: the key written by something else, the upload aborted', async () => {
  s3mock.on(ListPartsCommand).resolves(listedParts(7, [1, 2, 3, 4, 5, 6, 7]));
  applicationWrites();
  const progress = new CopyProgress();
  // All parts were copied by an earlier invocation, whose condition the upload's state keeps.
  expect(await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, upload: { uploadId: 'upload-1', condition: { IfMatch: '"live"' } }, progress })).toEqual({ status: 'redo', refused: true });
  expect(completions()).toEqual([expect.objectContaining({ UploadId: 'upload-1', IfMatch: '"live"' })]);
  expect(aborted()).toEqual(['upload-1']);
  expect(progress.stall(undefined, false)).toEqual({
    stalled: 1,
    setback: 'copying s3://data/app/big.bin (version g1) to s3://data/app/big.bin: PreconditionFailed (PreconditionFailed from S3): the key was written by something else since it was looked at; its multipart upload upload-1 is aborted',
  });
});

test('in place, a key deleted during the copy (S3 answers an If-Match completion NoSuchKey) is left for the next invocation, the upload aborted', async () => {
  s3mock.on(UploadPartCopyCommand).callsFake((input) => {
    if (input.PartNumber === 3) {
      current = undefined;
    }
    return { CopyPartResult: { ETag: `"redone-${input.PartNumber}"` } };
  });
  const progress = new CopyProgress();
  expect(await copy(progress)).toEqual({ status: 'redo', refused: true });
  expect(currentETag()).toBeUndefined();
  expect(aborted()).toEqual(['upload-1']);
});

test('in place over a delete marker, the upload is completed only while no object is current (If-None-Match: *)', async () => {
  current = undefined;
  expect(await copy()).toEqual({ status: 'done' });
  expect(completions()).toEqual([expect.objectContaining({ IfNoneMatch: '*' })]);
  expect(completions()[0].IfMatch).toBeUndefined();
});

test('in place over a delete marker, a write during the copy refuses the completion: the upload is aborted, the write stays', async () => {
  current = undefined;
  s3mock.on(UploadPartCopyCommand).callsFake((input) => {
    if (input.PartNumber === 3) {
      applicationWrites();
    }
    return { CopyPartResult: { ETag: `"redone-${input.PartNumber}"` } };
  });
  expect(await copy()).toEqual({ status: 'redo', refused: true });
  expect(currentETag()).toBe('"app-write"');
  expect(aborted()).toEqual(['upload-1']);
});

test('a refused completion whose key holds this execution\'s copy (an earlier completion S3 made, its answer lost) is done', async () => {
  s3mock.on(CompleteMultipartUploadCommand).callsFake((input) => {
    current = { etag: '"restored"', versionId: 'restored-version', tags: OURS };
    completedUploads.push(input.UploadId!);
    throw s3Error('PreconditionFailed', 412);
  });
  const progress = new CopyProgress();
  expect(await copy(progress)).toEqual({ status: 'done' });
  expect(aborted()).toEqual(['upload-1']);
  expect(progress.stall(undefined, false)).toEqual({});
});

test('a completion meeting another write of the key under way (409) aborts the upload and is left for the next invocation', async () => {
  s3mock.on(CompleteMultipartUploadCommand).rejects(s3Error('ConditionalRequestConflict', 409));
  const tagReads = () => s3mock.commandCalls(GetObjectTaggingCommand).length;
  const progress = new CopyProgress();
  let readsBefore = 0;
  s3mock.on(AbortMultipartUploadCommand).callsFake(() => {
    readsBefore = tagReads();
    return {};
  });
  expect(await copy(progress)).toEqual({ status: 'redo', refused: true });
  expect(aborted()).toEqual(['upload-1']);
  // The key is not looked at again after a conflict: the next invocation does.
  expect(readsBefore).toBe(2);
});

test('to a new prefix, the upload is completed only while no object is there; a key holding something else fails the copy and aborts the upload', async () => {
  current = undefined;
  const newPrefixCopy = () => copyVersion(s3, source, newPrefixTarget, 'objects-1', { deadline: Date.now() + 60_000 });
  s3mock.on(UploadPartCopyCommand).callsFake((input) => {
    if (input.PartNumber === 3) {
      applicationWrites();
    }
    return { CopyPartResult: { ETag: `"redone-${input.PartNumber}"` } };
  });
  await expect(newPrefixCopy()).rejects.toMatchObject({
    name: 'RestoreCheckError',
    message: expect.stringMatching(/^copying s3:\/\/data\/app\/big.bin \(version g1\) to s3:\/\/data\/restored\/app\/big.bin: s3:\/\/data\/restored\/app\/big.bin was written by something other than this restore/),
  });
  expect(completions()).toEqual([expect.objectContaining({ IfNoneMatch: '*' })]);
  expect(aborted()).toEqual(['upload-1']);
  expect(currentETag()).toBe('"app-write"');
});

test('an upload an earlier version left open (a bare id in the state, no condition kept) is completed with none, as it would have been then', async () => {
  s3mock.on(ListPartsCommand).resolves(listedParts(7, [1, 2, 3, 4, 5, 6, 7]));
  applicationWrites();
  expect(await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, upload: 'upload-1' })).toEqual({ status: 'done' });
  expect(completions()).toHaveLength(1);
  expect(completions()[0]).not.toHaveProperty('IfMatch');
  expect(completions()[0]).not.toHaveProperty('IfNoneMatch');
});

const inPlacePlan: ObjectRestorePlan = {
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00.000Z', targetBucket: 'data', targetPrefix: 'app/', inPlace: true,
  startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'app/'",
};

test('a copy scan in place keeps the condition in the upload\'s state; a write before the next invocation refuses its completion, and the one after copies over the write', async () => {
  const DEADLINE = 1_000;
  let clock = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  s3mock.on(ListObjectVersionsCommand).resolves({
    Versions: [
      { Key: source.key, VersionId: 'live-version', LastModified: new Date('2026-11-21T00:00:00Z'), Size: 1, IsLatest: true },
      { Key: source.key, VersionId: source.versionId, LastModified: new Date('2026-11-20T00:00:00Z'), Size: source.size, IsLatest: false },
    ],
    IsTruncated: false,
  });
  s3mock.on(CreateMultipartUploadCommand).resolvesOnce({ UploadId: 'upload-1' }).resolves({ UploadId: 'upload-2' });
  // The first invocation's deadline passes while its first four parts are under way.
  s3mock.on(UploadPartCopyCommand).callsFake((input) => {
    clock = DEADLINE + 1;
    return { CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } };
  });
  const first = await copyScan(s3, inPlacePlan, newScan(), DEADLINE, 'objects-1');
  expect(first).toEqual({ ...newScan(), uploads: { [source.key]: { uploadId: 'upload-1', condition: { IfMatch: '"live"' } } } });

  // The application writes the key between invocations; the next one copies the other parts and completes on the kept condition.
  applicationWrites();
  clock = 0;
  s3mock.on(ListPartsCommand).resolves(listedParts(7, [1, 2, 3, 4]));
  s3mock.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } }));
  const second = await copyScan(s3, inPlacePlan, first, DEADLINE, 'objects-1');
  expect(completions()).toEqual([expect.objectContaining({ UploadId: 'upload-1', IfMatch: '"live"' })]);
  expect(aborted()).toEqual(['upload-1']);
  // The page is to be done again, with no upload left in the state and the refusal counted.
  expect(second).toEqual({ ...newScan(), refused: { [refusalKey(source.key)]: 1 } });
  expect(currentETag()).toBe('"app-write"');

  const third = await copyScan(s3, inPlacePlan, second, DEADLINE, 'objects-1');
  expect(third).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 1 }) });
  expect(completions().slice(1)).toEqual([expect.objectContaining({ UploadId: 'upload-2', IfMatch: '"app-write"' })]);
  expect(currentETag()).toBe('"restored-upload-2"');
});

test('a refused completion whose key cannot be looked at for a passing reason: the upload is aborted all the same, and the copy left for the next invocation', async () => {
  applicationWrites();
  s3mock.on(ListPartsCommand).resolves(listedParts(7, [1, 2, 3, 4, 5, 6, 7]));
  // The tags of the key's current version are read once the completion is refused.
  s3mock.on(GetObjectTaggingCommand, { Key: target.key, VersionId: undefined }).rejects(s3Error('ServiceUnavailable', 503));
  s3mock.on(GetObjectTaggingCommand, { Key: target.key, VersionId: 'app-version' }).resolves({ TagSet: [] });
  const upload = { uploadId: 'upload-1', condition: { IfMatch: '"live"' } };
  expect(await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, upload })).toEqual({ status: 'redo' });
  expect(aborted()).toEqual(['upload-1']);
});
