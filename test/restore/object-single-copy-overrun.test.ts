/**
 * A single copy (CopyObject, up to 5 GiB) is bounded like the parts of a multipart copy: none
 * starts after its invocation's deadline, and one still under way PART_OVERRUN_MS later is
 * cancelled; the copy is made again by the next invocation (S3 mocked; a copy that never answers
 * stands for one that outlasts the function's margin).
 */
import { CopyObjectCommand, GetObjectTaggingCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ObjectRestorePlan, PART_OVERRUN_MS, copyArchive, copyScan, copyVersion, newScan } from '../../core/restore-workflows/objects';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = { bucket: 'data', key: 'app/a.bin', versionId: 'v1', size: 4 * 1024 ** 3 };
const target = { bucket: 'data', key: 'restored/app/a.bin' };
const plan: ObjectRestorePlan = {
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00.000Z', targetBucket: 'data', targetPrefix: 'restored/app/', inPlace: false,
  startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'restored/app/'",
};

beforeEach(() => {
  s3mock.reset();
  s3mock.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  // No copy at the target yet.
  s3mock.on(GetObjectTaggingCommand, { Key: target.key }).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} }));
  s3mock.on(CopyObjectCommand).resolves({});
});

afterEach(() => jest.useRealTimers());

const copySignals = () => s3mock.commandCalls(CopyObjectCommand).map((call) => ((call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal);
/** The copy of a.bin never answers. */
const copyHangs = () => s3mock.on(CopyObjectCommand, { Key: target.key }).callsFake(() => new Promise(() => undefined));

test('a single copy whose deadline has passed (while its tags were read) is not started: it is to be done again', async () => {
  const outcome = await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() - 1, endBy: Date.now() + PART_OVERRUN_MS });
  expect(outcome).toEqual({ status: 'redo' });
  expect(s3mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
});

test('a single copy still under way at its end is cancelled: the SDK is told to close it, and it is to be done again', async () => {
  copyHangs();
  const outcome = await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, endBy: Date.now() + 200 });
  expect(outcome).toEqual({ status: 'redo' });
  expect(copySignals()).toHaveLength(1);
  expect(copySignals()[0]?.aborted).toBe(true);
}, 10_000);

test('a single copy that ends in time is done, and its signal never fires', async () => {
  jest.useFakeTimers({ now: 0, doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  const outcome = await copyVersion(s3, source, target, 'objects-1', { deadline: 60_000, endBy: 120_000 });
  expect(outcome).toEqual({ status: 'done' });
  expect(copySignals()).toHaveLength(1);
  // Not even once the time it was given is up: ended, the copy leaves no cancellation behind.
  jest.advanceTimersByTime(120_000 + PART_OVERRUN_MS);
  expect(copySignals()[0]?.aborted).toBe(false);
});

test('a copy scan cancels a single copy PART_OVERRUN_MS after its deadline and leaves the page to do again; the next invocation copies it', async () => {
  jest.useFakeTimers({ now: 0, doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  const versions = ['app/a.bin', 'app/b.bin'].map((Key) => ({ Key, VersionId: `v-${Key}`, LastModified: new Date('2026-11-20T00:00:00Z'), Size: source.size, IsLatest: true }));
  s3mock.on(ListObjectVersionsCommand).resolves({ Versions: versions, IsTruncated: false });
  copyHangs();
  let result: unknown;
  const copying = copyScan(s3, plan, newScan(), 1_000, 'objects-1').then((value) => {
    result = value;
  });
  await jest.advanceTimersByTimeAsync(1_000 + PART_OVERRUN_MS - 1);
  expect(result).toBeUndefined();
  await jest.advanceTimersByTimeAsync(1);
  await copying;
  // Not counted, no upload to go on with: the page is done again (b.bin was copied: the invocation made progress).
  expect(result).toEqual(newScan());
  expect(copySignals().map((signal) => signal?.aborted)).toEqual([true, false]);

  s3mock.on(CopyObjectCommand).resolves({});
  const next = await copyScan(s3, plan, result as ReturnType<typeof newScan>, Date.now() + 60_000, 'objects-1');
  expect(next).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 2, bytes: 2 * source.size }) });
  expect(s3mock.commandCalls(CopyObjectCommand).slice(2).map((call) => call.args[0].input.Key).sort()).toEqual(['restored/app/a.bin', 'restored/app/b.bin']);
}, 10_000);

test('an archive copy cancelled in a single copy is not done and names no upload', async () => {
  copyHangs();
  const archivePlan: ObjectRestorePlan = { ...plan, mode: 'archive', time: undefined };
  jest.useFakeTimers({ now: 0, doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  const copying = copyArchive(s3, archivePlan, [{ key: source.key, size: source.size, storageClass: 'DEEP_ARCHIVE' }], 'objects-1', 1_000);
  await jest.advanceTimersByTimeAsync(1_000 + PART_OVERRUN_MS);
  expect(await copying).toEqual({ done: false, stalled: 1, setback: "copying s3://data/app/a.bin to s3://data/restored/app/a.bin: still under way 45 seconds after the invocation's deadline, cancelled" });
  expect(copySignals()[0]?.aborted).toBe(true);
}, 10_000);
