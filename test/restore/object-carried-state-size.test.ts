/**
 * A copying step carries the multipart uploads it leaves open to the next invocation by target
 * key (up to 1,024 bytes). A page of 200 versions above 5 GiB with long keys, each upload left
 * open (a part throttled), outgrew the 256 KiB of a Step Functions state. The step now starts no
 * new upload once the carried state would pass its budget: the rest of the page is left to later
 * invocations, which restore it once the carried uploads are done (S3 mocked).
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectVersionsCommand,
  ListPartsCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { COPY_RESULT_BYTES } from '../../core/restore-workflows/carried-state-budget';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import { ObjectRestorePlan, ScanState, copyArchive, copyScan, newScan } from '../../core/restore-workflows/objects';
import { bigSource, listedParts, scanPlan } from './multipart-fixture';
import { s3Error } from './s3-errors';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const EXECUTION = 'objects-1';
const PARTS = 6;
const KEYS = 200;
const SIZE = bigSource(PARTS).size;
/** Keys of about 1,000 bytes, each its own. */
const sourceKeys = Array.from({ length: KEYS }, (_, i) => `app/${String(i).padStart(4, '0')}-${'long-name/'.repeat(99)}.bin`);
const targetOf = (key: string, prefix = 'restored/app/') => prefix + key.slice('app/'.length);

/** Uploads numbered above this have their parts throttled (left open). */
let throttledAbove: number;
let uploads: number;
/** Parts copied by upload id, and the keys whose copy was completed. */
let partsOf: Map<string, number[]>;
let completedKeys: string[];

function arrangeS3(): void {
  s3mock.reset();
  throttledAbove = 0;
  uploads = 0;
  partsOf = new Map();
  completedKeys = [];
  s3mock.on(ListObjectVersionsCommand).resolves({
    Versions: sourceKeys.map((Key) => ({ Key, VersionId: `v-${Key.slice(4, 8)}`, LastModified: new Date('2026-11-20T00:00:00Z'), Size: SIZE, IsLatest: true })),
    IsTruncated: false,
  });
  s3mock.on(GetObjectTaggingCommand).callsFake((input) => {
    if (input.Key!.startsWith('app/')) {
      return { TagSet: [] };
    }
    if (completedKeys.includes(input.Key!)) {
      return { TagSet: [{ Key: EXECUTION_TAG, Value: EXECUTION }] };
    }
    throw s3Error('NoSuchKey', 404);
  });
  s3mock.on(HeadObjectCommand).resolves({ ContentType: 'application/octet-stream' });
  // Upload ids of S3's usual length.
  s3mock.on(CreateMultipartUploadCommand).callsFake(() => ({ UploadId: `${String(++uploads).padStart(6, '0')}${'Xb3kQ9zT'.repeat(15)}` }));
  s3mock.on(UploadPartCopyCommand).callsFake((input) => {
    if (Number(input.UploadId!.slice(0, 6)) > throttledAbove) {
      throw s3Error('SlowDown', 503);
    }
    partsOf.set(input.UploadId!, [...(partsOf.get(input.UploadId!) ?? []), input.PartNumber!]);
    return { CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } };
  });
  s3mock.on(ListPartsCommand).callsFake((input) => listedParts(PARTS, partsOf.get(input.UploadId!) ?? []));
  s3mock.on(CompleteMultipartUploadCommand).callsFake((input) => {
    completedKeys.push(input.Key!);
    return {};
  });
  s3mock.on(AbortMultipartUploadCommand).resolves({});
}

beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  arrangeS3();
});
afterEach(() => jest.restoreAllMocks());

const bytes = (state: unknown) => Buffer.byteLength(JSON.stringify(state));

test('a page of long keys whose uploads are all left open carries a state within the budget, and later invocations restore every key', async () => {
  const first = await copyScan(s3, scanPlan, newScan(), Date.now() + 60_000, EXECUTION);
  expect(bytes(first)).toBeLessThan(COPY_RESULT_BYTES);
  // Uploads were left open up to the budget, the rest of the page left for later, no key done.
  const carried = Object.keys(first.uploads ?? {}).length;
  expect(carried).toBeGreaterThan(KEYS / 4);
  expect(carried).toBeLessThan(KEYS);
  expect(uploads).toBe(carried);
  expect(first.cursor).toEqual({ done: false });

  // The carried uploads go through; the new ones are throttled in their turn, up to the budget again.
  throttledAbove = carried;
  const second = await copyScan(s3, scanPlan, first, Date.now() + 60_000, EXECUTION);
  expect(completedKeys).toHaveLength(carried);
  expect(bytes(second)).toBeLessThan(COPY_RESULT_BYTES);
  expect(Object.keys(second.uploads ?? {}).length).toBeLessThan(KEYS - carried);
  expect(second.cursor).toEqual({ done: false });
  // Keys left for want of room are no setback: the invocation moved on.
  expect(second.stalled).toBeUndefined();

  throttledAbove = Infinity;
  let state: ScanState = second;
  for (let invocation = 0; invocation < 5 && !state.cursor.done; invocation++) {
    state = await copyScan(s3, scanPlan, state, Date.now() + 60_000, EXECUTION);
    expect(bytes(state)).toBeLessThan(COPY_RESULT_BYTES);
  }
  expect(state).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: KEYS }) });
  expect([...completedKeys].sort()).toEqual(sourceKeys.map((key) => targetOf(key)));
});

test('an archive copy of as many long keys carries a state within the budget too, and is done by later invocations', async () => {
  const plan: ObjectRestorePlan = {
    mode: 'archive', bucket: 'data', prefix: 'app/', targetBucket: 'scratch', targetPrefix: 'restored/app/', inPlace: false,
    startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket scratch --prefix 'restored/app/'",
  };
  const objects = sourceKeys.map((key) => ({ key, size: SIZE, storageClass: 'STANDARD' }));
  const first = await copyArchive(s3, plan, objects, EXECUTION, Date.now() + 60_000);
  expect(bytes(first)).toBeLessThan(COPY_RESULT_BYTES);
  expect(first).toMatchObject({ done: false });

  throttledAbove = Infinity;
  let state = first;
  for (let invocation = 0; invocation < 5 && !state.done; invocation++) {
    state = state.done ? state : await copyArchive(s3, plan, objects, EXECUTION, Date.now() + 60_000, state.uploads, state.stalled, state.refused);
    expect(bytes(state)).toBeLessThan(COPY_RESULT_BYTES);
  }
  expect(state).toEqual({ done: true, copied: KEYS, bytes: KEYS * SIZE });
  expect([...completedKeys].sort()).toEqual(sourceKeys.map((key) => targetOf(key)));
});
