/**
 * A copy in parts whose CreateMultipartUpload answer was lost (a timeout after S3 had created the
 * upload) aborts that upload instead of leaving its parts stored until someone aborts it by hand:
 * when the call failed for a passing reason, and when the SDK's retry got another upload (S3 mocked).
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { copyVersion } from '../../core/restore-workflows/objects';
import { arrangeCompletingCopy, bigSource, target } from './multipart-fixture';
import { s3Error } from './s3-errors';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const big = bigSource(7);
const resume = () => ({ deadline: Date.now() + 60_000, endBy: Date.now() + 120_000 });
let logged: jest.SpyInstance;

/** The uploads S3 lists under the key: those the lost call made (started now), an older one and one of a longer key. */
function arrangeListedUploads(lost: string[]): void {
  const now = new Date();
  s3mock.on(ListMultipartUploadsCommand, { Bucket: target.bucket, Prefix: target.key }).resolves({
    Uploads: [
      { Key: target.key, UploadId: 'from-yesterday', Initiated: new Date(now.getTime() - 86_400_000) },
      ...lost.map((UploadId) => ({ Key: target.key, UploadId, Initiated: now })),
      { Key: `${target.key}.bak`, UploadId: 'of-another-key', Initiated: now },
    ],
    IsTruncated: false,
  });
}

const aborted = () => s3mock.commandCalls(AbortMultipartUploadCommand).map((call) => [call.args[0].input.Key, call.args[0].input.UploadId]);

beforeEach(() => {
  arrangeCompletingCopy(s3mock);
  logged = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

test('a creation that timed out after S3 made the upload: that upload is aborted, the copy left for the next invocation', async () => {
  s3mock.on(CreateMultipartUploadCommand).rejects(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }));
  arrangeListedUploads(['lost-1']);
  expect(await copyVersion(s3, big, target, 'objects-1', resume())).toEqual({ status: 'redo' });
  expect(aborted()).toEqual([[target.key, 'lost-1']]);
});

test('a creation the SDK retried: the upload of the attempt whose answer was lost is aborted, the copy goes on with the one it got', async () => {
  s3mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1', $metadata: { attempts: 2 } });
  arrangeListedUploads(['lost-1', 'upload-1']);
  expect(await copyVersion(s3, big, target, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(aborted()).toEqual([[target.key, 'lost-1']]);
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['upload-1']);
});

test('a creation answered at the first attempt lists nothing', async () => {
  s3mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1', $metadata: { attempts: 1 } });
  expect(await copyVersion(s3, big, target, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(s3mock.commandCalls(ListMultipartUploadsCommand)).toHaveLength(0);
  expect(aborted()).toEqual([]);
});

test('uploads that cannot be listed are left with a warning naming the listing command; the copy is still left for the next invocation', async () => {
  s3mock.on(CreateMultipartUploadCommand).rejects(s3Error('InternalError', 500));
  s3mock.on(ListMultipartUploadsCommand).rejects(s3Error('SlowDown', 503));
  expect(await copyVersion(s3, big, target, 'objects-1', resume())).toEqual({ status: 'redo' });
  expect(aborted()).toEqual([]);
  const messages = logged.mock.calls.map(([text]) => JSON.parse(text as string).message as string);
  expect(messages[0]).toMatch(/could not be looked for or aborted \(SlowDown: SlowDown from S3\); the restore's end names it if it is open: aws s3api list-multipart-uploads --bucket data --prefix/);
});
