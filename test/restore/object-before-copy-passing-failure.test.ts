/**
 * The calls a copy makes before it copies anything (the tags of the key and of the source, the
 * key's current version in place, the source's head and the new upload of a copy in parts)
 * failing for a passing reason (throttling, a 5xx, a failed connection, after the SDK's own
 * attempts) leave the copy to the next invocation, as a failed CopyObject does, instead of
 * failing the restore: no progress is counted, so an outage that does not end still fails the
 * restore through the stall count. A permanent error still fails the copy (S3 mocked).
 */
import {
  CopyObjectCommand, CreateMultipartUploadCommand, GetObjectTaggingCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CopyProgress } from '../../core/restore-workflows/copy-progress';
import { CopyOutcome, copyScan, copyVersion, newScan } from '../../core/restore-workflows/objects';
import { arrangeCompletingCopy, bigSource, scanPlan, target as bigTarget } from './multipart-fixture';
import { PASSING_S3_ERRORS, s3Error } from './s3-errors';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const small = { bucket: 'data', key: 'app/a.bin', versionId: 'v1', size: 1024 };
const smallTarget = { bucket: 'data', key: 'restored/app/a.bin' };
const inPlace = { bucket: small.bucket, key: small.key };
const big = bigSource(7);
const resume = (progress?: CopyProgress) => ({ deadline: Date.now() + 60_000, endBy: Date.now() + 120_000, progress });
let logged: jest.SpyInstance;

beforeEach(() => {
  arrangeCompletingCopy(s3mock);
  s3mock.on(GetObjectTaggingCommand, { Key: smallTarget.key }).rejects(s3Error('NoSuchKey', 404));
  s3mock.on(HeadObjectCommand, { Key: small.key }).resolves({ ETag: '"live"', VersionId: 'live-version' });
  s3mock.on(CopyObjectCommand).resolves({});
  // A failed creation looks for the upload S3 may have made all the same: none here.
  s3mock.on(ListMultipartUploadsCommand).resolves({ Uploads: [], IsTruncated: false });
  logged = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

/** Each call before a copy, the copy it comes before, and how to make it fail. */
const CALLS: Array<[string, (progress?: CopyProgress) => Promise<CopyOutcome>, (error: Error) => void]> = [
  ['the tags of the target key', (progress) => copyVersion(s3, small, smallTarget, 'objects-1', resume(progress)), (error) => s3mock.on(GetObjectTaggingCommand, { Key: smallTarget.key }).rejects(error)],
  ['the tags of the source version', (progress) => copyVersion(s3, small, smallTarget, 'objects-1', resume(progress)), (error) => s3mock.on(GetObjectTaggingCommand, { Key: small.key, VersionId: 'v1' }).rejects(error)],
  ['the current version of the key, in place', (progress) => copyVersion(s3, small, inPlace, 'objects-1', resume(progress)), (error) => s3mock.on(HeadObjectCommand, { Key: small.key }).rejects(error)],
  ['the head of the source of a copy in parts', (progress) => copyVersion(s3, big, bigTarget, 'objects-1', resume(progress)), (error) => s3mock.on(HeadObjectCommand).rejects(error)],
  ['the creation of the upload of a copy in parts', (progress) => copyVersion(s3, big, bigTarget, 'objects-1', resume(progress)), (error) => s3mock.on(CreateMultipartUploadCommand).rejects(error)],
];

const copies = () => s3mock.commandCalls(CopyObjectCommand).length + s3mock.commandCalls(UploadPartCopyCommand).length;

describe.each(CALLS)('%s', (_, copy, failWith) => {
  test.each(PASSING_S3_ERRORS)('failing (%s): the copy is to be done again, with no progress counted and the reason kept', async (__, error) => {
    failWith(error);
    const progress = new CopyProgress();
    expect(await copy(progress)).toEqual({ status: 'redo' });
    expect(copies()).toBe(0);
    const messages = logged.mock.calls.map(([text]) => JSON.parse(text as string).message as string);
    expect(messages).toEqual([expect.stringMatching(/^copying s3:\/\/data\/app\/(a|big)\.bin \(version (v1|g1)\) to s3:\/\/data\/\S+: /)]);
    expect(messages[0]).toContain(`: ${error.name} (`);
    expect(messages[0]).toContain(`${error.message}); left for the next invocation`);
    expect(progress.stall(2, false)).toEqual({ stalled: 3, setback: messages[0] });
  });

  test('refused for good (AccessDenied): the copy fails, as before', async () => {
    failWith(s3Error('AccessDenied', 403));
    await expect(copy()).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(copies()).toBe(0);
    expect(logged).not.toHaveBeenCalled();
  });
});

test('a copy scan keeps the page whose key could not be looked at, counts a stalled invocation with the reason, and the next one copies it', async () => {
  s3mock.on(ListObjectVersionsCommand).resolves({
    Versions: [{ Key: small.key, VersionId: 'v1', LastModified: new Date('2026-11-20T00:00:00Z'), Size: 1024, IsLatest: true }], IsTruncated: false,
  });
  s3mock.on(GetObjectTaggingCommand, { Key: smallTarget.key }).rejectsOnce(s3Error('InternalError', 500)).rejects(s3Error('NoSuchKey', 404));
  const first = await copyScan(s3, scanPlan, { ...newScan(), stalled: 4, setback: 'earlier' }, Date.now() + 60_000, 'objects-1');
  expect(first).toEqual({
    ...newScan(), stalled: 5,
    setback: 'copying s3://data/app/a.bin (version v1) to s3://data/restored/app/a.bin: InternalError (tags of s3://data/restored/app/a.bin: InternalError from S3); left for the next invocation',
  });
  expect(s3mock.commandCalls(CopyObjectCommand)).toHaveLength(0);

  const second = await copyScan(s3, scanPlan, first, Date.now() + 60_000, 'objects-1');
  expect(second).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 1 }) });
  expect(s3mock.commandCalls(CopyObjectCommand)).toHaveLength(1);
});

test('a refused single copy whose key cannot be looked at for a passing reason is left for the next invocation, which looks at it again', async () => {
  s3mock.on(CopyObjectCommand).rejects(s3Error('PreconditionFailed', 412));
  s3mock.on(GetObjectTaggingCommand, { Key: smallTarget.key }).rejectsOnce(s3Error('NoSuchKey', 404)).rejects(s3Error('SlowDown', 503));
  expect(await copyVersion(s3, small, smallTarget, 'objects-1', resume())).toEqual({ status: 'redo' });
  expect(s3mock.commandCalls(CopyObjectCommand)).toHaveLength(1);
});
