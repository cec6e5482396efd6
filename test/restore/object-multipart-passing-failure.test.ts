/**
 * A part copy or the completion of a multipart copy failing for a passing reason (throttling, a
 * 5xx, a failed connection, after the SDK's own attempts) leaves the upload open for the next
 * invocation, which lists its parts and goes on, instead of aborting it and throwing away a
 * large copy; a permanent error still aborts it (S3 mocked).
 */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, ListPartsCommand, S3Client, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CopyProgress } from '../../core/restore-workflows/copy-progress';
import { copyScan, copyVersion, newScan } from '../../core/restore-workflows/objects';
import { arrangeCompletingCopy, arrangeScannedSource, bigSource, listedParts, openUpload, scanPlan, target } from './multipart-fixture';
import { networkError, PASSING_S3_ERRORS, s3Error } from './s3-errors';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(7);
let logged: jest.SpyInstance;

beforeEach(() => {
  arrangeCompletingCopy(s3mock);
  logged = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

const copy = (progress?: CopyProgress) => copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, progress });
const aborted = () => s3mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.UploadId);

test.each(PASSING_S3_ERRORS)('a part copy that fails (%s): the upload is left open, not aborted, and the parts copied are kept', async (_, error) => {
  s3mock.on(UploadPartCopyCommand, { PartNumber: 6 }).rejects(error);
  const progress = new CopyProgress();
  expect(await copy(progress)).toEqual({ status: 'upload-open', upload: openUpload('upload-1') });
  expect(aborted()).toEqual([]);
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  // Parts were copied: the invocation moved the restore on.
  expect(progress.progressed).toBe(true);
  expect(logged.mock.calls.map(([line]) => JSON.parse(line as string).message)).toEqual([
    `copying s3://data/app/big.bin (version g1) to s3://data/restored/app/big.bin: ${error.name} (${error.message}); its multipart upload upload-1 is left open for the next invocation`,
  ]);
});

test.each(PASSING_S3_ERRORS)('a completion that fails (%s): the upload is left open, not aborted', async (_, error) => {
  s3mock.on(CompleteMultipartUploadCommand).rejects(error);
  expect(await copy()).toEqual({ status: 'upload-open', upload: openUpload('upload-1') });
  expect(aborted()).toEqual([]);
});

test('several parts failing for passing reasons at once (their errors reach the copy as one): the upload is left open', async () => {
  s3mock.on(UploadPartCopyCommand, { PartNumber: 2 }).rejects(s3Error('SlowDown', 503));
  s3mock.on(UploadPartCopyCommand, { PartNumber: 3 }).rejects(networkError('ECONNRESET'));
  expect(await copy()).toEqual({ status: 'upload-open', upload: openUpload('upload-1') });
  expect(aborted()).toEqual([]);
});

test('a part refused for good, beside one that failed for a passing reason: the upload is aborted and the copy fails, as before', async () => {
  s3mock.on(UploadPartCopyCommand, { PartNumber: 2 }).rejects(s3Error('SlowDown', 503));
  s3mock.on(UploadPartCopyCommand, { PartNumber: 3 }).rejects(s3Error('AccessDenied', 403));
  await expect(copy()).rejects.toMatchObject({ name: 'SlowDown' });
  expect(aborted()).toEqual(['upload-1']);
});

test.each([
  ['a part', () => s3mock.on(UploadPartCopyCommand, { PartNumber: 2 }).rejects(s3Error('AccessDenied', 403))],
  ['the completion', () => s3mock.on(CompleteMultipartUploadCommand).rejects(s3Error('AccessDenied', 403))],
])('%s refused for good (AccessDenied): the upload is aborted and the copy fails, as before', async (_, arrange) => {
  arrange();
  await expect(copy()).rejects.toMatchObject({ name: 'AccessDenied' });
  expect(aborted()).toEqual(['upload-1']);
});

test('a copy scan keeps the upload a throttled part left open, and the next invocation copies only the parts missing and completes it', async () => {
  arrangeScannedSource(s3mock, 7);
  s3mock.on(UploadPartCopyCommand, { PartNumber: 6 }).rejectsOnce(s3Error('SlowDown', 503)).resolves({ CopyPartResult: { ETag: '"redone-6"' } });
  const first = await copyScan(s3, scanPlan, newScan(), Date.now() + 60_000, 'objects-1');
  expect(first).toEqual({ ...newScan(), uploads: { [target.key]: openUpload() } });

  s3mock.on(ListPartsCommand).resolves(listedParts(7, [1, 2, 3, 4, 5, 7]));
  const second = await copyScan(s3, scanPlan, first, Date.now() + 60_000, 'objects-1');
  expect(second).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 1 }) });
  expect(s3mock.commandCalls(UploadPartCopyCommand).slice(7).map((call) => call.args[0].input.PartNumber)).toEqual([6]);
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['upload-1']);
  expect(aborted()).toEqual([]);
});
