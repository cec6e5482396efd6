/**
 * The shell commands the object restore writes for the multipart uploads it leaves open, run
 * through a real POSIX shell with `aws` standing in as a function that prints its arguments.
 */
import {
  AbortMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectTaggingCommand, HeadObjectCommand, ListMultipartUploadsCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ABORT_COMMAND_PATTERN, ObjectRestorePlan, copyVersion, failureUploadsNote, openUploads } from '../../core/restore-workflows/objects';
import { stepErrorNote } from '../../cli/commands/restore-step-error';
import { awsArgumentsOf } from '../support/shell-arguments';

const s3 = mockClient(S3Client);

/** Keys S3 allows that a shell would otherwise split, expand or end a quote at. */
const AWKWARD_KEYS = ["restored/app/it's here.bin", "restored/app/$HOME and ${PATH} `id` \"x\" \\n 'quoted'.bin", "restored/app/''.bin"];

const plan = (targetPrefix = 'restored/app/'): ObjectRestorePlan => ({
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00.000Z', targetBucket: 'data', targetPrefix, inPlace: false, startedAt: new Date(Date.now() - 60_000).toISOString(),
  listUploads: 'not used by these steps',
});

beforeEach(() => s3.reset());

test.each(AWKWARD_KEYS)('the abort command of a copy whose abort failed passes the key %s to aws unchanged, and the CLI keeps it whole', async (key) => {
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3.on(HeadObjectCommand).resolves({});
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: "up'load $1" });
  s3.on(UploadPartCopyCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: {} }));
  s3.on(AbortMultipartUploadCommand).rejects(Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError', $metadata: {} }));
  const error = await copyVersion(new S3Client({}), { bucket: 'data', key: 'app/big.bin', size: 6 * 1024 ** 3 }, { bucket: 'data', key }, 'objects-1').catch((e: Error) => e);
  const command = ABORT_COMMAND_PATTERN.exec(String((error as Error).message));
  expect(command).not.toBeNull();
  expect(awsArgumentsOf(command![0])).toEqual(['s3api', 'abort-multipart-upload', '--bucket', 'data', '--key', key, '--upload-id', "up'load $1"]);
  // A long error is cut in a progress note, but never inside the command.
  const message = `${'x'.repeat(300)} ${(error as Error).message}`;
  expect(stepErrorNote(message)).toContain(command![0]);
});

test.each(AWKWARD_KEYS)('the abort command of an open upload of the key %s, in the result and in a failure, passes the key to aws unchanged', async (key) => {
  s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [{ Key: key, UploadId: "u'1", Initiated: new Date() }], IsTruncated: false });
  const { notes } = await openUploads(new S3Client({}), plan(), Infinity);
  const { note } = await failureUploadsNote(new S3Client({}), plan(), Infinity);
  for (const text of [notes[0], note]) {
    expect(awsArgumentsOf(ABORT_COMMAND_PATTERN.exec(text)![0])).toEqual(['s3api', 'abort-multipart-upload', '--bucket', 'data', '--key', key, '--upload-id', "u'1"]);
  }
});

test('the command that lists the uploads passes a target prefix with a quote, a space and $ to aws unchanged', async () => {
  const targetPrefix = "restored/it's $HOME/";
  s3.on(ListMultipartUploadsCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: {} }));
  const { notes } = await openUploads(new S3Client({}), plan(targetPrefix), Infinity);
  const command = /aws s3api list-multipart-uploads .*$/.exec(notes[0])![0];
  expect(awsArgumentsOf(command)).toEqual(['s3api', 'list-multipart-uploads', '--bucket', 'data', '--prefix', targetPrefix]);
});
