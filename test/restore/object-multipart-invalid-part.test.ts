/**
 * A part copy cancelled in an earlier invocation may land between the final ListParts and
 * CompleteMultipartUpload: under SSE-KMS its ETag is not the listed one and S3 answers
 * InvalidPart. The parts are then listed again and the upload completed once more; only a
 * second failure aborts it (S3 mocked).
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, ListPartsCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { copyVersion } from '../../core/restore-workflows/objects';
import { arrangeNewUpload, arrangeRedoneParts, bigSource, listedParts, openUpload, target } from './multipart-fixture';
import { s3Error } from './s3-errors';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(7);
const listed = (parts: number[], etag?: (part: number) => string) => listedParts(7, parts, etag);
const ALL = [1, 2, 3, 4, 5, 6, 7];

beforeEach(() => {
  s3mock.reset();
  arrangeNewUpload(s3mock);
  arrangeRedoneParts(s3mock);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  // Resumed with part 4 missing; by the final listing it is the redone copy, and after it the cancelled copy lands.
  s3mock.on(ListPartsCommand)
    .resolvesOnce(listed([1, 2, 3, 5, 6, 7], (part) => `"copied-${part}"`))
    .resolvesOnce(listed(ALL, (part) => (part === 4 ? '"redone-4"' : `"copied-${part}"`)))
    .resolves(listed(ALL, (part) => (part === 4 ? '"cancelled-but-landed-4"' : `"copied-${part}"`)));
});

afterEach(() => jest.restoreAllMocks());

const completed = () => s3mock.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input.MultipartUpload!.Parts);
const resume = () => copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, upload: openUpload('upload-1') });

test('a part that lands between the final listing and the completion (InvalidPart) is listed again and the upload completed with it', async () => {
  s3mock.on(CompleteMultipartUploadCommand).rejectsOnce(s3Error('InvalidPart', 400)).resolves({});
  expect(await resume()).toEqual({ status: 'done' });
  expect(completed()).toEqual([
    ALL.map((PartNumber) => ({ PartNumber, ETag: PartNumber === 4 ? '"redone-4"' : `"copied-${PartNumber}"` })),
    ALL.map((PartNumber) => ({ PartNumber, ETag: PartNumber === 4 ? '"cancelled-but-landed-4"' : `"copied-${PartNumber}"` })),
  ]);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});

test('InvalidPart on the second completion too aborts the upload and fails the copy with it', async () => {
  s3mock.on(CompleteMultipartUploadCommand).rejects(s3Error('InvalidPart', 400));
  await expect(resume()).rejects.toMatchObject({ name: 'InvalidPart', message: expect.stringMatching(/^copying s3:\/\/data\/app\/big\.bin \(version g1\) to s3:\/\/data\/restored\/app\/big\.bin: InvalidPart from S3 \(HTTP 400\)$/) });
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(2);
  expect(s3mock.commandCalls(ListPartsCommand)).toHaveLength(3);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['upload-1']);
});

test('another error of the completion is not retried: the upload is aborted at once', async () => {
  s3mock.on(CompleteMultipartUploadCommand).rejects(s3Error('EntityTooSmall', 400));
  await expect(resume()).rejects.toMatchObject({ name: 'EntityTooSmall' });
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(1);
  expect(s3mock.commandCalls(ListPartsCommand)).toHaveLength(2);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
});

test('when the parts cannot be listed again after InvalidPart for a passing reason, the upload is left open for the next invocation', async () => {
  s3mock.on(CompleteMultipartUploadCommand).rejects(s3Error('InvalidPart', 400));
  s3mock.on(ListPartsCommand)
    .resolvesOnce(listed([1, 2, 3, 5, 6, 7], (part) => `"copied-${part}"`))
    .resolvesOnce(listed(ALL, (part) => `"copied-${part}"`))
    .rejects(s3Error('SlowDown', 503));
  expect(await resume()).toEqual({ status: 'upload-open', upload: openUpload('upload-1') });
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(1);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});
