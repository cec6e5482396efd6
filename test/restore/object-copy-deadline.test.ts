/**
 * The copying steps of the object restore against their invocation's deadline, with S3 mocked:
 * a page (or an archive's list) whose copies outlast the invocation is finished by the next one.
 */
import { CopyObjectCommand, GetObjectTaggingCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import { ObjectRestorePlan, copyArchive, copyScan, newScan } from '../../core/restore-workflows/objects';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const T = '2026-11-20T12:00:00.000Z';
const plan: ObjectRestorePlan = {
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: T, targetBucket: 'data', targetPrefix: 'restored/app/', inPlace: false, startedAt: '2026-11-21T00:00:00.000Z',
  listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'restored/app/'",
};
const keys = Array.from({ length: 20 }, (_, i) => `app/k${String(i).padStart(2, '0')}.txt`);

afterEach(() => jest.restoreAllMocks());

/**
 * Copies that S3 remembers (a copy's target carries this execution's tag once made) and a
 * clock that passes the deadline once ten copies are made; returns the clock's start.
 * `isSource` tells a source key's tagging request (no tag) from a target's.
 */
function copiesPassingTheDeadline(isSource: (input: { Bucket?: string; Key?: string }) => boolean): number {
  const copied = new Set<string>();
  s3mock.on(GetObjectTaggingCommand).callsFake((input) => {
    if (isSource(input)) {
      return { TagSet: [] };
    }
    if (!copied.has(input.Key)) {
      throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} });
    }
    return { TagSet: [{ Key: EXECUTION_TAG, Value: 'objects-1' }] };
  });
  const start = Date.now();
  jest.spyOn(Date, 'now').mockImplementation(() => (copied.size >= 10 ? start + 60_000 : start));
  s3mock.on(CopyObjectCommand).callsFake((input) => {
    copied.add(input.Key);
    return {};
  });
  return start;
}

test('copies stop at the deadline within a page; the next invocation does that page again and copies only the rest', async () => {
  s3mock.reset();
  s3mock.on(ListObjectVersionsCommand).resolves({
    Versions: keys.map((Key, i) => ({ Key, VersionId: `v${i}`, LastModified: new Date(Date.parse(T) - 3600_000), Size: 10, IsLatest: true })),
    IsTruncated: false,
  });
  const start = copiesPassingTheDeadline((input) => !input.Key!.startsWith('restored/'));

  const first = await copyScan(s3, plan, newScan(), start + 30_000, 'objects-1');
  expect(first).toEqual(newScan());
  const firstCopies = s3mock.commandCalls(CopyObjectCommand).length;
  expect(firstCopies).toBeGreaterThanOrEqual(10);
  expect(firstCopies).toBeLessThan(20);

  const second = await copyScan(s3, plan, first, start + 120_000, 'objects-1');
  expect(second.cursor.done).toBe(true);
  expect(second.counts).toMatchObject({ keys: 20, bytes: 200 });
  expect(s3mock.commandCalls(CopyObjectCommand).map((call) => call.args[0].input.Key).sort()).toEqual(keys.map((key) => key.replace('app/', 'restored/app/')));
});

test('an archive copy stops at the deadline; the next invocation copies only the objects not yet copied', async () => {
  s3mock.reset();
  const archivePlan: ObjectRestorePlan = {
    mode: 'archive', bucket: 'archive', prefix: 'yearly/', targetBucket: 'scratch', targetPrefix: 'restored/yearly/', inPlace: false, startedAt: '2026-11-21T00:00:00.000Z',
    listUploads: "aws s3api list-multipart-uploads --bucket scratch --prefix 'restored/yearly/'",
  };
  const objects = Array.from({ length: 20 }, (_, i) => ({ key: `yearly/part-${String(i).padStart(2, '0')}`, size: 10, storageClass: 'DEEP_ARCHIVE' }));
  const start = copiesPassingTheDeadline((input) => input.Bucket === 'archive');

  expect(await copyArchive(s3, archivePlan, objects, 'objects-1', start + 30_000)).toEqual({ done: false });
  const firstCopies = s3mock.commandCalls(CopyObjectCommand).length;
  expect(firstCopies).toBeGreaterThanOrEqual(10);
  expect(firstCopies).toBeLessThan(20);

  expect(await copyArchive(s3, archivePlan, objects, 'objects-1', start + 120_000)).toEqual({ done: true, copied: 20, bytes: 200 });
  const keys = s3mock.commandCalls(CopyObjectCommand).map((call) => call.args[0].input.Key);
  expect(keys.sort()).toEqual(objects.map((o) => o.key.replace('yearly/', 'restored/yearly/')));
});
