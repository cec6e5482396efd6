import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambda/database-dump/index';
import { abortUploads, RunCopies } from '../../../lambda/database-dump/uploads';

const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);
const s3 = new S3Client({ region: 'eu-west-1' });

const RUN_ID = '20261122T030000Z-scheduled-1';
const run: RunCopies = {
  runId: RUN_ID,
  dailyBucket: 'daily-bucket',
  dailyPrefix: `daily/2026-11-22/${RUN_ID}/`,
  archiveBucket: 'archive-bucket',
  archivePrefix: `yearly/2026/2026-11-22/${RUN_ID}/`,
};

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: name === 'NoSuchUpload' ? 404 : 403 } });
}

beforeEach(() => {
  secretsMock.reset();
  secretsMock.on(GetSecretValueCommand).rejects(new Error('the abort step must not read the database secret'));
  s3Mock.reset();
  s3Mock.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
  s3Mock.on(AbortMultipartUploadCommand).resolves({});
});

test('aborts the open uploads under the run\'s daily and archive prefixes, across pages', async () => {
  s3Mock.on(ListMultipartUploadsCommand, { Bucket: 'daily-bucket' })
    .resolvesOnce({ Uploads: [{ Key: `${run.dailyPrefix}dump.sql.gz`, UploadId: 'u-1' }], IsTruncated: true, NextKeyMarker: `${run.dailyPrefix}dump.sql.gz`, NextUploadIdMarker: 'u-1' })
    .resolvesOnce({ Uploads: [{ Key: `${run.dailyPrefix}dump.sql.gz`, UploadId: 'u-2' }], IsTruncated: false });
  s3Mock.on(ListMultipartUploadsCommand, { Bucket: 'archive-bucket' }).resolves({ Uploads: [{ Key: `${run.archivePrefix}dump.sql.gz`, UploadId: 'u-3' }] });
  const result = await abortUploads(s3, { action: 'abort-uploads', run });
  expect(result.aborted).toEqual([
    { bucket: 'daily-bucket', key: `${run.dailyPrefix}dump.sql.gz`, uploadId: 'u-1' },
    { bucket: 'daily-bucket', key: `${run.dailyPrefix}dump.sql.gz`, uploadId: 'u-2' },
    { bucket: 'archive-bucket', key: `${run.archivePrefix}dump.sql.gz`, uploadId: 'u-3' },
  ]);
  const lists = s3Mock.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input);
  expect(lists).toEqual([
    { Bucket: 'daily-bucket', Prefix: run.dailyPrefix },
    { Bucket: 'daily-bucket', Prefix: run.dailyPrefix, KeyMarker: `${run.dailyPrefix}dump.sql.gz`, UploadIdMarker: 'u-1' },
    { Bucket: 'archive-bucket', Prefix: run.archivePrefix },
  ]);
  expect(s3Mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([
    { Bucket: 'daily-bucket', Key: `${run.dailyPrefix}dump.sql.gz`, UploadId: 'u-1' },
    { Bucket: 'daily-bucket', Key: `${run.dailyPrefix}dump.sql.gz`, UploadId: 'u-2' },
    { Bucket: 'archive-bucket', Key: `${run.archivePrefix}dump.sql.gz`, UploadId: 'u-3' },
  ]);
});

test('a run without an archive copy looks only in the daily bucket; nothing open, nothing aborted', async () => {
  const result = await abortUploads(s3, { action: 'abort-uploads', run: { ...run, archiveBucket: '', archivePrefix: '' } });
  expect(result.aborted).toEqual([]);
  expect(s3Mock.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input.Bucket)).toEqual(['daily-bucket']);
  expect(s3Mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});

test('an upload outside the run\'s prefix is never aborted', async () => {
  s3Mock.on(ListMultipartUploadsCommand, { Bucket: 'daily-bucket' }).resolves({ Uploads: [
    { Key: 'daily/2026-11-22/20261122T010000Z-other/dump.sql.gz', UploadId: 'other' },
    { Key: `${run.dailyPrefix}dump.sql.gz`, UploadId: 'mine' },
  ] });
  const result = await abortUploads(s3, { action: 'abort-uploads', run });
  expect(result.aborted.map((upload) => upload.uploadId)).toEqual(['mine']);
  // What S3 is asked to abort, not only what the result says: the other run's upload is still being written.
  expect(s3Mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([
    { Bucket: 'daily-bucket', Key: `${run.dailyPrefix}dump.sql.gz`, UploadId: 'mine' },
  ]);
});

test('a prefix that is not the run\'s own is refused before anything is listed or aborted', async () => {
  await expect(abortUploads(s3, { action: 'abort-uploads', run: { ...run, dailyPrefix: 'daily/' } }))
    .rejects.toThrow(`abort-uploads: s3://daily-bucket/daily/ is not a prefix of run ${RUN_ID}; nothing was aborted`);
  await expect(abortUploads(s3, { action: 'abort-uploads', run: { ...run, runId: '' } })).rejects.toThrow("abort-uploads: '' is not a run id");
  expect(s3Mock.commandCalls(ListMultipartUploadsCommand)).toHaveLength(0);
  expect(s3Mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});

test('an upload already gone counts as aborted; any other failure is reported after every upload was tried', async () => {
  s3Mock.on(ListMultipartUploadsCommand, { Bucket: 'daily-bucket' }).resolves({ Uploads: [
    { Key: `${run.dailyPrefix}dump.sql.gz`, UploadId: 'gone' },
    { Key: `${run.dailyPrefix}dump.sql.gz`, UploadId: 'denied' },
  ] });
  s3Mock.on(ListMultipartUploadsCommand, { Bucket: 'archive-bucket' }).resolves({ Uploads: [{ Key: `${run.archivePrefix}dump.sql.gz`, UploadId: 'ok' }] });
  s3Mock.on(AbortMultipartUploadCommand, { UploadId: 'gone' }).rejects(awsError('NoSuchUpload', 'The specified upload does not exist.'));
  s3Mock.on(AbortMultipartUploadCommand, { UploadId: 'denied' }).rejects(awsError('AccessDenied', 'Access Denied'));
  await expect(abortUploads(s3, { action: 'abort-uploads', run })).rejects.toThrow(
    `dump run ${RUN_ID}: 1 open multipart upload(s) could not be aborted: s3://daily-bucket/${run.dailyPrefix}dump.sql.gz (upload denied): AccessDenied: Access Denied`);
  expect(s3Mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['gone', 'denied', 'ok']);
});

test('the function aborts without connecting to the database, which may be what failed', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { DB_HOST: 'replica.invalid', DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db', DAILY_BUCKET: 'daily-bucket' });
  s3Mock.on(ListMultipartUploadsCommand, { Bucket: 'daily-bucket' }).resolves({ Uploads: [{ Key: `${run.dailyPrefix}dump.sql.gz`, UploadId: 'u-1' }] });
  try {
    expect(await handler({ action: 'abort-uploads', run })).toEqual({ aborted: [{ bucket: 'daily-bucket', key: `${run.dailyPrefix}dump.sql.gz`, uploadId: 'u-1' }] });
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  } finally {
    process.env = saved;
  }
});
