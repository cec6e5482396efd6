/**
 * The copying steps say whether their invocation moved the restore on: a copy made, a part
 * copied or the scan moved on resets the count of invocations in a row without progress; an
 * invocation with none adds one to it, with what held it up (S3 mocked).
 */
import { CopyObjectCommand, GetObjectTaggingCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import { ObjectRestorePlan, copyArchive, copyScan, newScan } from '../../core/restore-workflows/objects';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const plan: ObjectRestorePlan = {
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00.000Z', targetBucket: 'data', targetPrefix: 'restored/app/', inPlace: false,
  startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'restored/app/'",
};
const archivePlan: ObjectRestorePlan = { ...plan, mode: 'archive', time: undefined };
const conflict = Object.assign(new Error('A conflicting conditional operation is currently in progress against this resource.'), { name: 'ConditionalRequestConflict', $metadata: { httpStatusCode: 409 } });
const held = "copying s3://data/app/a.txt (version a1) to s3://data/restored/app/a.txt: ConditionalRequestConflict (A conflicting conditional operation is currently in progress against this resource.): another write of the key was under way";
const deadline = () => Date.now() + 60_000;

beforeEach(() => {
  s3mock.reset();
  s3mock.on(ListObjectVersionsCommand).resolves({
    Versions: [{ Key: 'app/a.txt', VersionId: 'a1', LastModified: new Date('2026-11-20T00:00:00Z'), Size: 10, IsLatest: true }], IsTruncated: false,
  });
  s3mock.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3mock.on(GetObjectTaggingCommand, { Key: 'restored/app/a.txt' }).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} }));
});

test('a copy scan whose only copy meets another write of its key moves nothing on: one more invocation without progress, and why', async () => {
  s3mock.on(CopyObjectCommand).rejects(conflict);
  expect(await copyScan(s3, plan, newScan(), deadline(), 'objects-1')).toEqual({ ...newScan(), stalled: 1, setback: held });
  expect(await copyScan(s3, plan, { ...newScan(), stalled: 2, setback: 'before' }, deadline(), 'objects-1')).toEqual({ ...newScan(), stalled: 3, setback: held });
});

test('a copy made resets the count', async () => {
  s3mock.on(CopyObjectCommand).resolves({});
  const scan = await copyScan(s3, plan, { ...newScan(), stalled: 4, setback: 'before' }, deadline(), 'objects-1');
  expect(scan).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 1 }) });
});

test('a scan that moves on resets the count, even when its copies were all made before', async () => {
  s3mock.on(GetObjectTaggingCommand, { Key: 'restored/app/a.txt' }).resolves({ TagSet: [{ Key: EXECUTION_TAG, Value: 'objects-1' }] });
  const scan = await copyScan(s3, plan, { ...newScan(), stalled: 4, setback: 'before' }, deadline(), 'objects-1');
  expect(s3mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
  expect(scan).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 1 }) });
});

test('an archive copy that moves nothing on counts on from the count it was given', async () => {
  s3mock.on(CopyObjectCommand).rejects(conflict);
  const objects = [{ key: 'app/a.txt', size: 10, storageClass: 'DEEP_ARCHIVE' }];
  expect(await copyArchive(s3, archivePlan, objects, 'objects-1', deadline(), {}, 7)).toEqual({
    done: false, stalled: 8, setback: held.replace(' (version a1)', ''),
  });
  s3mock.on(CopyObjectCommand).resolves({});
  expect(await copyArchive(s3, archivePlan, objects, 'objects-1', deadline(), {}, 8)).toEqual({ done: true, copied: 1, bytes: 10 });
});
