/**
 * A resumed multipart copy whose parts cannot be listed (on resuming, or right before the
 * completion) for a passing reason, throttling, a server error or a network failure that the
 * SDK's own attempts did not get past, leaves its upload open for the next invocation instead
 * of throwing away what is copied; a permanent error still aborts it (S3 mocked).
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, ListPartsCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { copyScan, copyVersion, newScan } from '../../core/restore-workflows/objects';
import { arrangeCompletingCopy, arrangeScannedSource, bigSource, listedParts, openUpload, scanPlan, target } from './multipart-fixture';
import { PASSING_S3_ERRORS, s3Error } from './s3-errors';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(7);
const listed = (parts: number[], etag?: (part: number) => string) => listedParts(7, parts, etag);
let logged: jest.SpyInstance;

beforeEach(() => {
  arrangeCompletingCopy(s3mock);
  logged = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

const resume = () => copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, upload: openUpload('upload-1') });

test.each(PASSING_S3_ERRORS)('resuming, parts not listed (%s): the upload is left open, nothing copied, created or aborted', async (_, error) => {
  s3mock.on(ListPartsCommand).rejects(error);
  expect(await resume()).toEqual({ status: 'upload-open', upload: openUpload('upload-1') });
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  expect(s3mock.commandCalls(UploadPartCopyCommand)).toHaveLength(0);
  expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  // Returning no error, the step says why in the function's log.
  expect(logged.mock.calls.map(([line]) => JSON.parse(line as string))).toEqual([{
    message: 'the parts of multipart upload upload-1 of s3://data/restored/app/big.bin could not be listed; it is left open for the next invocation',
    error: `${error.name}: ${error.message}`,
  }]);
});

test.each(PASSING_S3_ERRORS)('before completing, parts not listed (%s): the upload is left open, not completed nor aborted', async (_, error) => {
  s3mock.on(ListPartsCommand).resolvesOnce(listed([1, 2, 3, 5, 6, 7])).rejects(error);
  expect(await resume()).toEqual({ status: 'upload-open', upload: openUpload('upload-1') });
  expect(s3mock.commandCalls(UploadPartCopyCommand).map((call) => call.args[0].input.PartNumber)).toEqual([4]);
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});

test('before completing, parts not listed for a permanent reason (AccessDenied): the upload is aborted and the copy fails, as before', async () => {
  s3mock.on(ListPartsCommand).resolvesOnce(listed([1, 2, 3, 5, 6, 7])).rejects(s3Error('AccessDenied', 403));
  await expect(resume()).rejects.toMatchObject({ name: 'AccessDenied' });
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['upload-1']);
});

test('a copy scan whose upload\'s parts are throttled keeps the upload in its state and the page to do again', async () => {
  arrangeScannedSource(s3mock, 7);
  s3mock.on(ListPartsCommand).rejects(s3Error('SlowDown', 503));
  const scan = { ...newScan(), uploads: { [target.key]: openUpload() } };
  expect(await copyScan(s3, scanPlan, scan, Date.now() + 60_000, 'objects-1')).toEqual({
    ...scan, stalled: 1, setback: 'the parts of multipart upload upload-1 of s3://data/restored/app/big.bin could not be listed; it is left open for the next invocation (SlowDown: SlowDown from S3)',
  });
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});
