/**
 * A multipart copy cut off by its invocation's deadline leaves its upload open and is finished by
 * a later invocation, which copies only the parts not yet copied (S3 mocked; the clock is moved
 * past the deadline once the first four parts, as many as run at once, have started).
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, ListObjectVersionsCommand, ListPartsCommand,
  S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ObjectRestorePlan, copyArchive, copyScan, copyVersion, newScan } from '../../core/restore-workflows/objects';
import { GiB, arrangeNewUpload, bigSource, openUpload, target } from './multipart-fixture';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(7);
const DEADLINE = 1_000;
let clock = 0;
/** Holds the parts of a first call until the deadline has passed. */
let gate: Promise<unknown>;
let release: (value?: unknown) => void;

/** Runs a call whose parts are held; once four have started (as many as run at once), moves the clock past the deadline and lets them end. */
async function cutOffAfterFourParts<T>(call: () => Promise<T>): Promise<T> {
  const result = call();
  for (let turns = 0; s3mock.commandCalls(UploadPartCopyCommand).length < 4 && turns < 1000; turns += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  clock = DEADLINE + 1;
  release();
  return result;
}

beforeEach(() => {
  clock = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  s3mock.reset();
  arrangeNewUpload(s3mock);
  gate = new Promise((resolve) => {
    release = resolve;
  });
  s3mock.on(UploadPartCopyCommand).callsFake(async (input) => {
    await gate;
    return { CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } };
  });
  s3mock.on(CompleteMultipartUploadCommand).resolves({});
  s3mock.on(AbortMultipartUploadCommand).resolves({});
});

afterEach(() => jest.restoreAllMocks());

const partsCopied = () => s3mock.commandCalls(UploadPartCopyCommand).map((call) => call.args[0].input.PartNumber);
const completed = () => s3mock.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input.MultipartUpload!.Parts);

test('a multipart copy cut off by the deadline leaves its upload open, and the next call copies only the parts missing or of the wrong size', async () => {
  expect(await cutOffAfterFourParts(() => copyVersion(s3, source, target, 'objects-1', { deadline: DEADLINE }))).toEqual({ status: 'upload-open', upload: openUpload('upload-1') });
  // Four parts at a time: those under way at the deadline are copied, no other starts, nothing is completed or aborted.
  expect(partsCopied()).toEqual([1, 2, 3, 4]);
  expect(completed()).toEqual([]);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);

  s3mock.resetHistory();
  clock = 0;
  s3mock.on(ListPartsCommand, { UploadId: 'upload-1', PartNumberMarker: undefined }).resolves({
    Parts: [{ PartNumber: 1, ETag: '"listed-1"', Size: GiB }, { PartNumber: 2, ETag: '"listed-2"', Size: GiB }], IsTruncated: true, NextPartNumberMarker: '2',
  });
  // Part 3 is listed with a size it should not have: it is copied again.
  s3mock.on(ListPartsCommand, { UploadId: 'upload-1', PartNumberMarker: '2' }).resolves({
    Parts: [{ PartNumber: 3, ETag: '"listed-3"', Size: 5 }, { PartNumber: 4, ETag: '"listed-4"', Size: GiB }], IsTruncated: false,
  });
  s3mock.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } }));
  expect(await copyVersion(s3, source, target, 'objects-1', { deadline: DEADLINE, upload: openUpload('upload-1') })).toEqual({ status: 'done' });
  expect(partsCopied().sort()).toEqual([3, 5, 6, 7]);
  expect(s3mock.commandCalls(UploadPartCopyCommand).map((call) => call.args[0].input).find((input) => input.PartNumber === 7)).toMatchObject({ UploadId: 'upload-1', CopySourceRange: `bytes=${6 * GiB}-${6 * GiB + 4}` });
  expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  expect(completed()).toEqual([[
    { PartNumber: 1, ETag: '"listed-1"' }, { PartNumber: 2, ETag: '"listed-2"' }, { PartNumber: 3, ETag: '"copied-3"' }, { PartNumber: 4, ETag: '"listed-4"' },
    { PartNumber: 5, ETag: '"copied-5"' }, { PartNumber: 6, ETag: '"copied-6"' }, { PartNumber: 7, ETag: '"copied-7"' },
  ]]);
});

test('an upload gone before the copy goes on (aborted, by a lifecycle rule or by hand) is started again', async () => {
  s3mock.on(ListPartsCommand).rejects(Object.assign(new Error('The specified upload does not exist.'), { name: 'NoSuchUpload', $metadata: {} }));
  s3mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' });
  s3mock.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } }));
  expect(await copyVersion(s3, source, target, 'objects-1', { deadline: DEADLINE, upload: openUpload('upload-1') })).toEqual({ status: 'done' });
  expect(partsCopied().sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['upload-2']);
});

test('an upload whose parts cannot be listed fails the copy and is aborted, like one whose part failed', async () => {
  s3mock.on(ListPartsCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: {} }));
  await expect(copyVersion(s3, source, target, 'objects-1', { deadline: DEADLINE, upload: openUpload('upload-1') })).rejects.toThrow(/^copying s3:\/\/data\/app\/big.bin \(version g1\) to s3:\/\/data\/restored\/app\/big.bin: Access Denied$/);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['upload-1']);
  expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
});

test('a copy whose upload is gone and whose new upload cannot be started aborts nothing', async () => {
  s3mock.on(ListPartsCommand).rejects(Object.assign(new Error('The specified upload does not exist.'), { name: 'NoSuchUpload', $metadata: {} }));
  s3mock.on(CreateMultipartUploadCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: {} }));
  await expect(copyVersion(s3, source, target, 'objects-1', { deadline: DEADLINE, upload: openUpload('upload-1') })).rejects.toThrow(/: Access Denied$/);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});

const plan: ObjectRestorePlan = {
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00.000Z', targetBucket: 'data', targetPrefix: 'restored/app/', inPlace: false,
  startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'restored/app/'",
};

test('a copy scan cut off in a multipart copy keeps its upload in the state and the page to do again; the next invocation finishes it', async () => {
  s3mock.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: source.key, VersionId: 'g1', LastModified: new Date('2026-11-20T00:00:00Z'), Size: source.size, IsLatest: true }], IsTruncated: false });
  const first = await cutOffAfterFourParts(() => copyScan(s3, plan, newScan(), DEADLINE, 'objects-1'));
  expect(first).toEqual({ ...newScan(), uploads: { [target.key]: openUpload() } });
  clock = 0;
  s3mock.on(ListPartsCommand).resolves({ Parts: [1, 2, 3, 4].map((n) => ({ PartNumber: n, ETag: `"listed-${n}"`, Size: GiB })), IsTruncated: false });
  s3mock.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } }));
  const second = await copyScan(s3, plan, first, DEADLINE, 'objects-1');
  expect(second).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 1, bytes: source.size }) });
  expect(partsCopied()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(completed()).toHaveLength(1);
});

test('an archive copy cut off in a multipart copy returns its upload; the next invocation finishes it', async () => {
  const archivePlan: ObjectRestorePlan = { ...plan, mode: 'archive', time: undefined };
  const objects = [{ key: source.key, size: source.size, storageClass: 'DEEP_ARCHIVE' }];
  expect(await cutOffAfterFourParts(() => copyArchive(s3, archivePlan, objects, 'objects-1', DEADLINE))).toEqual({ done: false, uploads: { [target.key]: openUpload() } });
  clock = 0;
  s3mock.on(ListPartsCommand).resolves({ Parts: [1, 2, 3, 4].map((n) => ({ PartNumber: n, ETag: `"listed-${n}"`, Size: GiB })), IsTruncated: false });
  s3mock.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } }));
  expect(await copyArchive(s3, archivePlan, objects, 'objects-1', DEADLINE, { [target.key]: openUpload() })).toEqual({ done: true, copied: 1, bytes: source.size });
  expect(partsCopied()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
});
