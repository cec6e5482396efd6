/**
 * A part copy still under way at an invocation's deadline is cancelled PART_OVERRUN_MS later,
 * inside the function's margin: S3 bounds no UploadPartCopy of 1 GiB. The upload stays open for
 * the next invocation (S3 mocked; a part that never answers stands for one that outlasts the margin).
 */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, S3Client, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ObjectRestorePlan, PART_OVERRUN_MS, copyArchive, copyVersion } from '../../core/restore-workflows/objects';
import { arrangeNewUpload, bigSource, openUpload, target } from './multipart-fixture';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(7);

beforeEach(() => {
  s3mock.reset();
  arrangeNewUpload(s3mock);
  s3mock.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } }));
  // Part 4 never answers.
  s3mock.on(UploadPartCopyCommand, { PartNumber: 4 }).callsFake(() => new Promise(() => undefined));
  s3mock.on(CompleteMultipartUploadCommand).resolves({});
  s3mock.on(AbortMultipartUploadCommand).resolves({});
});

afterEach(() => jest.useRealTimers());

const partSignals = () => s3mock.commandCalls(UploadPartCopyCommand).map((call) => ((call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal);

test('a part still under way when its time is up is cancelled: the copy leaves its upload open, aborts nothing and completes nothing', async () => {
  const left = await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, endBy: Date.now() + 200 });
  expect(left).toEqual({ status: 'upload-open', upload: openUpload('upload-1') });
  expect(s3mock.commandCalls(UploadPartCopyCommand).map((call) => call.args[0].input.PartNumber)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  // The SDK is told to close the part's connection.
  expect(partSignals()[3]?.aborted).toBe(true);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
}, 10_000);

test('an archive copy cancels a part under way PART_OVERRUN_MS after its deadline, not before', async () => {
  jest.useFakeTimers({ now: 0, doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  const plan: ObjectRestorePlan = {
    mode: 'archive', bucket: 'data', prefix: 'app/', targetBucket: 'data', targetPrefix: 'restored/app/', inPlace: false,
    startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'restored/app/'",
  };
  let result: unknown;
  const copying = copyArchive(s3, plan, [{ key: source.key, size: source.size, storageClass: 'DEEP_ARCHIVE' }], 'objects-1', 1_000).then((value) => {
    result = value;
  });
  await jest.advanceTimersByTimeAsync(1_000 + PART_OVERRUN_MS - 1);
  expect(result).toBeUndefined();
  expect(partSignals()[3]?.aborted).toBe(false);
  await jest.advanceTimersByTimeAsync(1);
  await copying;
  expect(result).toEqual({ done: false, uploads: { [target.key]: openUpload() } });
  expect(partSignals()[3]?.aborted).toBe(true);
}, 10_000);
