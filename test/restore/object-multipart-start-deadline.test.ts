/**
 * A multipart copy is not started (no CreateMultipartUpload) once its invocation's deadline has
 * passed: the upload would be left open with no part copied, for the next invocation to find
 * (S3 mocked).
 */
import { CreateMultipartUploadCommand, HeadObjectCommand, ListPartsCommand, S3Client, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { copyVersion } from '../../core/restore-workflows/objects';
import { arrangeNewUpload, bigSource, openUpload, target } from './multipart-fixture';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(7);

beforeEach(() => {
  s3mock.reset();
  arrangeNewUpload(s3mock);
});

test('a multipart copy whose deadline has passed (while its tags were read) creates no upload: it is to be done again', async () => {
  const outcome = await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() - 1 });
  expect(outcome).toEqual({ status: 'redo' });
  expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  expect(s3mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
  expect(s3mock.commandCalls(UploadPartCopyCommand)).toHaveLength(0);
});

test('past its deadline, a copy whose earlier upload is gone creates no new one either', async () => {
  s3mock.on(ListPartsCommand).rejects(Object.assign(new Error('The specified upload does not exist.'), { name: 'NoSuchUpload', $metadata: {} }));
  const outcome = await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() - 1, upload: openUpload('upload-gone') });
  expect(outcome).toEqual({ status: 'redo' });
  expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
});

test('past its deadline, a copy whose upload is open keeps it for the next invocation and copies no part', async () => {
  s3mock.on(ListPartsCommand).resolves({ Parts: [], IsTruncated: false });
  const outcome = await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() - 1, upload: openUpload('upload-1') });
  expect(outcome).toEqual({ status: 'upload-open', upload: openUpload('upload-1') });
  expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  expect(s3mock.commandCalls(UploadPartCopyCommand)).toHaveLength(0);
});
