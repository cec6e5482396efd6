/**
 * In place (over the live key) a single copy cancelled at its invocation's end may still be
 * finished by S3 after the next invocation looked and made its own copy: two identical new
 * versions. The copy is therefore made only over the version it found current (If-Match with
 * that version's ETag, read before its tags), or, where that is a delete marker (no ETag), only
 * while no object is current (If-None-Match: *): of two such copies the one S3 finishes second is
 * refused, and a refused copy whose key now holds this execution's copy is done. A key the
 * application wrote meanwhile is copied over by the next invocation, as it would have been had
 * the write come a moment earlier (S3 mocked).
 */
import { CopyObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import { CopyProgress } from '../../core/restore-workflows/copy-progress';
import { copyVersion } from '../../core/restore-workflows/objects';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = { bucket: 'data', key: 'app/a.bin', versionId: 'v1', size: 1024 };
const target = { bucket: 'data', key: 'app/a.bin' };
const s3Error = (name: string, message: string, status: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const refused = () => s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
const ours = { TagSet: [{ Key: EXECUTION_TAG, Value: 'objects-1' }] };
const resume = (progress?: CopyProgress) => ({ deadline: Date.now() + 60_000, endBy: Date.now() + 120_000, progress });
const copyInputs = () => s3mock.commandCalls(CopyObjectCommand).map((call) => call.args[0].input);

beforeEach(() => {
  s3mock.reset();
  s3mock.on(HeadObjectCommand, { Key: target.key }).resolves({ ETag: '"live"', VersionId: 'live-version' });
  s3mock.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'owner', Value: 'shop' }] });
  s3mock.on(CopyObjectCommand).resolves({});
});

test('a copy in place is made only over the version found current (If-Match with its ETag), whose own tags are looked at', async () => {
  expect(await copyVersion(s3, source, target, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(copyInputs()).toEqual([expect.objectContaining({ Key: target.key, IfMatch: '"live"' })]);
  expect(copyInputs()[0].IfNoneMatch).toBeUndefined();
  expect(s3mock.commandCalls(GetObjectTaggingCommand).map((call) => call.args[0].input)).toContainEqual({ Bucket: 'data', Key: target.key, VersionId: 'live-version' });
});

test('a current version that already is this execution\'s copy is not copied again', async () => {
  s3mock.on(GetObjectTaggingCommand, { VersionId: 'live-version' }).resolves(ours);
  expect(await copyVersion(s3, source, target, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(copyInputs()).toHaveLength(0);
});

test('a redone copy refused because the cancelled one landed after the key was looked at is done: one new version', async () => {
  s3mock.on(CopyObjectCommand).rejects(refused());
  // The current version, looked at again after the refusal, is this execution's copy.
  s3mock.on(GetObjectTaggingCommand).callsFake((input) => (input.VersionId === undefined ? ours : { TagSet: [] }));
  expect(await copyVersion(s3, source, target, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(copyInputs()).toHaveLength(1);
});

test('a copy refused because the application wrote the key meanwhile is left to the next invocation, which copies over the new version', async () => {
  s3mock.on(CopyObjectCommand).rejects(refused());
  const progress = new CopyProgress();
  expect(await copyVersion(s3, source, target, 'objects-1', resume(progress))).toEqual({ status: 'redo', refused: true });
  expect(progress.stall(undefined, false)).toEqual({
    stalled: 1,
    setback: 'copying s3://data/app/a.bin (version v1) to s3://data/app/a.bin: PreconditionFailed (At least one of the pre-conditions you specified did not hold): the key was written by something else since it was looked at',
  });
});

/** The key's current version is a delete marker: no object to head, and no tags to read for the current version (the source version's are read by its id). */
function arrangeDeleteMarkerCurrent(currentTags: () => { TagSet: Array<{ Key: string; Value: string }> } = () => {
  throw s3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
}): void {
  s3mock.on(HeadObjectCommand, { Key: target.key }).rejects(s3Error('NotFound', 'Not Found', 404));
  s3mock.on(GetObjectTaggingCommand).callsFake((input) => (input.VersionId === undefined ? currentTags() : { TagSet: [] }));
}

test('a key whose current version is a delete marker (no ETag) is copied only while no object is current (If-None-Match: *)', async () => {
  arrangeDeleteMarkerCurrent();
  expect(await copyVersion(s3, source, target, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(copyInputs()).toEqual([expect.objectContaining({ Key: target.key, IfNoneMatch: '*' })]);
  expect(copyInputs()[0].IfMatch).toBeUndefined();
});

test('over a delete marker, a copy refused because the application wrote the key meanwhile is not made: the next invocation looks at the key again', async () => {
  arrangeDeleteMarkerCurrent();
  // An object is current by the time the copy arrives: S3 refuses a copy made only where none is, and takes one without a condition.
  s3mock.on(CopyObjectCommand).callsFake((input) => {
    if (input.IfNoneMatch === '*') {
      throw refused();
    }
    return {};
  });
  const progress = new CopyProgress();
  expect(await copyVersion(s3, source, target, 'objects-1', resume(progress))).toEqual({ status: 'redo', refused: true });
  expect(copyInputs()).toHaveLength(1);
  expect(progress.stall(undefined, false)).toEqual({
    stalled: 1,
    setback: 'copying s3://data/app/a.bin (version v1) to s3://data/app/a.bin: PreconditionFailed (At least one of the pre-conditions you specified did not hold): the key was written by something else since it was looked at',
  });
});

test('over a delete marker, a redone copy refused because the cancelled one landed after the key was looked at is done: one new version', async () => {
  // No current object when the key is looked at; this execution's cancelled copy is current when the refusal is looked into.
  let landed = false;
  arrangeDeleteMarkerCurrent(() => {
    if (!landed) {
      throw s3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
    }
    return ours;
  });
  // The copy arrives once this execution's cancelled copy is current: refused where no object may be, written as a second version otherwise.
  let secondVersions = 0;
  s3mock.on(CopyObjectCommand).callsFake((input) => {
    landed = true;
    if (input.IfNoneMatch === '*') {
      throw refused();
    }
    secondVersions += 1;
    return {};
  });
  expect(await copyVersion(s3, source, target, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(copyInputs()).toHaveLength(1);
  expect(secondVersions).toBe(0);
});

test('over a delete marker, a copy that meets another write of the key under way is to be done again', async () => {
  arrangeDeleteMarkerCurrent();
  s3mock.on(CopyObjectCommand).callsFake((input) => {
    if (input.IfNoneMatch === '*') {
      throw s3Error('ConditionalRequestConflict', 'A conflicting conditional operation is currently in progress against this resource.', 409);
    }
    return {};
  });
  expect(await copyVersion(s3, source, target, 'objects-1', resume())).toEqual({ status: 'redo' });
});

test('a copy to a new prefix keeps If-None-Match and does not look at an ETag', async () => {
  s3mock.on(GetObjectTaggingCommand, { Key: 'restored/app/a.bin' }).rejects(s3Error('NoSuchKey', 'The specified key does not exist.', 404));
  expect(await copyVersion(s3, source, { bucket: 'data', key: 'restored/app/a.bin' }, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(copyInputs()[0]).toMatchObject({ IfNoneMatch: '*' });
  expect(copyInputs()[0].IfMatch).toBeUndefined();
  expect(s3mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
});

test('a copy over the version found current that S3 answers NoSuchKey because the application deleted the key meanwhile is left to the next invocation', async () => {
  // The key has a current version when looked at, none once the copy is refused (a delete marker).
  s3mock.on(HeadObjectCommand, { Key: target.key }).resolvesOnce({ ETag: '"live"', VersionId: 'live-version' }).rejects(s3Error('NotFound', 'Not Found', 404));
  s3mock.on(GetObjectTaggingCommand).callsFake((input) => {
    if (input.VersionId === undefined) {
      throw s3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
    }
    return { TagSet: [] };
  });
  s3mock.on(CopyObjectCommand).rejects(s3Error('NoSuchKey', 'The specified key does not exist.', 404));
  const progress = new CopyProgress();
  expect(await copyVersion(s3, source, target, 'objects-1', resume(progress))).toEqual({ status: 'redo', refused: true });
  expect(progress.stall(undefined, false)).toEqual({
    stalled: 1,
    setback: 'copying s3://data/app/a.bin (version v1) to s3://data/app/a.bin: NoSuchKey (The specified key does not exist.): the key was deleted by something else since it was looked at',
  });
});

test('a NoSuchKey while the key still has a current version is the source\'s: the copy fails, as before', async () => {
  s3mock.on(CopyObjectCommand).rejects(s3Error('NoSuchKey', 'The specified key does not exist.', 404));
  await expect(copyVersion(s3, source, target, 'objects-1', resume())).rejects.toMatchObject({ name: 'NoSuchKey' });
});
