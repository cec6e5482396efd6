/**
 * A single copy (CopyObject) cancelled at its invocation's end only stops the waiting: S3 may
 * still finish it, as a new version of the target, after the next invocation found no copy
 * there and made its own, and the target would hold two. A copy to a new prefix is therefore
 * made only where no object is (If-None-Match: *): of the two, the one S3 finishes second is
 * refused, and a copy refused because the cancelled one landed is done (S3 mocked).
 */
import { CopyObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import { copyVersion } from '../../core/restore-workflows/objects';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = { bucket: 'data', key: 'app/a.bin', versionId: 'v1', size: 4 * 1024 ** 3 };
const target = { bucket: 'data', key: 'restored/app/a.bin' };
const s3Error = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });
const noSuchKey = () => s3Error('NoSuchKey', 'The specified key does not exist.');
const resume = () => ({ deadline: Date.now() + 60_000, endBy: Date.now() + 120_000 });

beforeEach(() => {
  s3mock.reset();
  s3mock.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3mock.on(GetObjectTaggingCommand, { Key: target.key }).rejects(noSuchKey());
  s3mock.on(CopyObjectCommand).resolves({});
});

const copyInputs = () => s3mock.commandCalls(CopyObjectCommand).map((call) => call.args[0].input);

test('a copy to a new prefix is made only where no object is; a copy in place (over the live object) only over the version it found current', async () => {
  expect(await copyVersion(s3, source, target, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(copyInputs()[0]).toMatchObject({ Key: target.key, IfNoneMatch: '*' });

  s3mock.resetHistory();
  s3mock.on(GetObjectTaggingCommand, { Key: source.key }).resolves({ TagSet: [] });
  s3mock.on(HeadObjectCommand, { Key: source.key }).resolves({ ETag: '"live"', VersionId: 'v9' });
  expect(await copyVersion(s3, source, { bucket: source.bucket, key: source.key }, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(copyInputs()[0]).toMatchObject({ Key: source.key, IfMatch: '"live"' });
  expect(copyInputs()[0]?.IfNoneMatch).toBeUndefined();
});

test('a redone copy refused because the cancelled one landed meanwhile (this execution\'s copy is there) is done, and no second version is written', async () => {
  // No copy yet when the redo looks; the cancelled copy lands before the redo ends.
  s3mock.on(GetObjectTaggingCommand, { Key: target.key }).rejectsOnce(noSuchKey()).resolves({ TagSet: [{ Key: EXECUTION_TAG, Value: 'objects-1' }] });
  s3mock.on(CopyObjectCommand).rejects(s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'));
  expect(await copyVersion(s3, source, target, 'objects-1', resume())).toEqual({ status: 'done' });
  expect(copyInputs()).toHaveLength(1);
});

test('a copy refused because another object took the key is an error naming it; the restore does not write over it', async () => {
  s3mock.on(GetObjectTaggingCommand, { Key: target.key }).rejectsOnce(noSuchKey()).resolves({ TagSet: [{ Key: 'owner', Value: 'someone-else' }] });
  s3mock.on(CopyObjectCommand).rejects(s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'));
  await expect(copyVersion(s3, source, target, 'objects-1', resume())).rejects.toMatchObject({
    name: 'RestoreCheckError',
    message: expect.stringContaining('s3://data/restored/app/a.bin was written by something other than this restore (execution objects-1) while it copied s3://data/app/a.bin (version v1) there'),
  });
});

test('a copy that meets another write of the same key under way (the cancelled copy finishing) is to be done again', async () => {
  s3mock.on(CopyObjectCommand).rejects(s3Error('ConditionalRequestConflict', 'A conflicting operation occurred'));
  expect(await copyVersion(s3, source, target, 'objects-1', resume())).toEqual({ status: 'redo' });
});
