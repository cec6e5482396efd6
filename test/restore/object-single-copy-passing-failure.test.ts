/**
 * A single copy (CopyObject) failing for a passing reason (throttling, a 5xx, a failed
 * connection, after the SDK's own attempts) is left for the next invocation, as a part copy
 * is, instead of failing the restore: it counts as no progress, so an outage that does not end
 * still fails the restore through the stall count. A permanent error still fails the copy (S3 mocked).
 */
import { CopyObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import { CopyProgress } from '../../core/restore-workflows/copy-progress';
import { copyScan, copyVersion, newScan } from '../../core/restore-workflows/objects';
import { scanPlan } from './multipart-fixture';
import { PASSING_S3_ERRORS, s3Error } from './s3-errors';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = { bucket: 'data', key: 'app/a.bin', versionId: 'v1', size: 1024 };
const target = { bucket: 'data', key: 'restored/app/a.bin' };
const resume = (progress?: CopyProgress) => ({ deadline: Date.now() + 60_000, endBy: Date.now() + 120_000, progress });
let logged: jest.SpyInstance;

beforeEach(() => {
  s3mock.reset();
  s3mock.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3mock.on(GetObjectTaggingCommand, { Key: target.key }).rejects(s3Error('NoSuchKey', 404));
  s3mock.on(CopyObjectCommand).resolves({});
  logged = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

test.each(PASSING_S3_ERRORS)('a copy that fails (%s) is to be done again, with no progress counted and the reason kept', async (_, error) => {
  s3mock.on(CopyObjectCommand).rejects(error);
  const progress = new CopyProgress();
  expect(await copyVersion(s3, source, target, 'objects-1', resume(progress))).toEqual({ status: 'redo' });
  const message = `copying s3://data/app/a.bin (version v1) to s3://data/restored/app/a.bin: ${error.name} (${error.message}); left for the next invocation`;
  expect(progress.stall(2, false)).toEqual({ stalled: 3, setback: message });
  // Returning no error, the step says why in the function's log.
  expect(logged.mock.calls.map(([line]) => JSON.parse(line as string))).toEqual([{ message }]);
});

test('in place, a copy that fails for a passing reason is to be done again too', async () => {
  s3mock.on(HeadObjectCommand, { Key: source.key }).resolves({ ETag: '"live"', VersionId: 'live-version' });
  s3mock.on(CopyObjectCommand).rejects(s3Error('InternalError', 500));
  expect(await copyVersion(s3, source, { bucket: source.bucket, key: source.key }, 'objects-1', resume())).toEqual({ status: 'redo' });
});

test.each([
  ['AccessDenied', 403],
  ['NoSuchKey', 404],
  ['InvalidObjectState', 403],
])('a copy refused for good (%s) fails, as before', async (name, status) => {
  s3mock.on(CopyObjectCommand).rejects(s3Error(name, status));
  await expect(copyVersion(s3, source, target, 'objects-1', resume())).rejects.toMatchObject({
    name, message: `copying s3://data/app/a.bin (version v1) to s3://data/restored/app/a.bin: ${name} from S3 (HTTP ${status})`,
  });
  expect(logged).not.toHaveBeenCalled();
});

test('a copy scan keeps the page whose copy failed for a passing reason, counts a stalled invocation, and the next one copies it and moves on', async () => {
  s3mock.on(ListObjectVersionsCommand).resolves({
    Versions: [{ Key: 'app/a.bin', VersionId: 'v1', LastModified: new Date('2026-11-20T00:00:00Z'), Size: 1024, IsLatest: true }], IsTruncated: false,
  });
  s3mock.on(CopyObjectCommand).rejectsOnce(s3Error('ServiceUnavailable', 503)).resolves({});
  const first = await copyScan(s3, scanPlan, { ...newScan(), stalled: 4, setback: 'earlier' }, Date.now() + 60_000, 'objects-1');
  expect(first).toEqual({
    ...newScan(), stalled: 5,
    setback: 'copying s3://data/app/a.bin (version v1) to s3://data/restored/app/a.bin: ServiceUnavailable (ServiceUnavailable from S3); left for the next invocation',
  });

  const second = await copyScan(s3, scanPlan, first, Date.now() + 60_000, 'objects-1');
  expect(second).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 1 }) });
  expect(s3mock.commandCalls(CopyObjectCommand).map((call) => call.args[0].input)).toEqual([
    expect.objectContaining({ Key: target.key, IfNoneMatch: '*' }),
    expect.objectContaining({ Key: target.key, IfNoneMatch: '*', Tagging: `${encodeURIComponent(EXECUTION_TAG)}=objects-1` }),
  ]);
});
