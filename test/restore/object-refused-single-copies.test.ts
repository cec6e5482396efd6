/**
 * In place, a single copy is made only over the version found current just before; a key the
 * application writes more often than that had every copy refused, each invocation trying it
 * again. The stall counter ended that only after an hour of invocations, and never when another
 * key of the page was copied in the same invocation (one the application writes again after each
 * copy is copied over each time): the restore looped until the execution's history was full. The
 * refusals of a single copy are counted per key as refused completions of a copy in parts are,
 * and the fifth in a row fails the restore, naming the key and what to do (S3 mocked: the mock
 * keeps each key's current version and refuses a copy as S3 documents it).
 */
import {
  CopyObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import { ObjectRestorePlan, REFUSED_WRITES_ALLOWED, ScanState, copyScan, copyVersion, newScan, refusalKey } from '../../core/restore-workflows/objects';
import { handler } from '../../lambda/restore-objects';
import type { LocalStateMachine } from '../support/local-state-machine';
import { s3Error } from './s3-errors';
import { objectRestoreMachine } from './workflow-fixture';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const EXECUTION = 'objects-1';
/** Written by the application before each copy of it arrives (every copy refused). */
const WRITTEN_BEFORE = 'app/a.bin';
/** Written by the application after each copy of it (copied over again by every invocation). */
const WRITTEN_AFTER = 'app/b.bin';

interface Version { etag: string; versionId: string; tags: Array<{ Key: string; Value: string }> }
let current: Map<string, Version>;
let writes: number;
const applicationWrites = (key: string) => {
  writes += 1;
  current.set(key, { etag: `"app-write-${writes}"`, versionId: `app-version-${writes}`, tags: [{ Key: 'owner', Value: 'shop' }] });
};

/** S3 holding the keys' live versions; `keys` are on the page, each with its version at the time. */
function arrangeS3(keys: string[] = [WRITTEN_BEFORE]): void {
  s3mock.reset();
  writes = 0;
  current = new Map(keys.map((key) => [key, { etag: `"live-${key}"`, versionId: `live-${key}`, tags: [{ Key: 'owner', Value: 'shop' }] }]));
  s3mock.on(ListObjectVersionsCommand).resolves({
    Versions: keys.flatMap((key) => [
      { Key: key, VersionId: `live-${key}`, LastModified: new Date('2026-11-21T00:00:00Z'), Size: 1024, IsLatest: true },
      { Key: key, VersionId: `old-${key}`, LastModified: new Date('2026-11-20T00:00:00Z'), Size: 1024, IsLatest: false },
    ]),
    IsTruncated: false,
  });
  s3mock.on(HeadObjectCommand).callsFake((input) => {
    const version = current.get(input.Key!);
    if (version === undefined) {
      throw s3Error('NotFound', 404);
    }
    return { ETag: version.etag, VersionId: version.versionId };
  });
  s3mock.on(GetObjectTaggingCommand).callsFake((input) => {
    const version = current.get(input.Key!);
    return { TagSet: input.VersionId === undefined || input.VersionId === version?.versionId ? version?.tags ?? [] : [] };
  });
  s3mock.on(CopyObjectCommand).callsFake((input) => {
    if (input.Key === WRITTEN_BEFORE) {
      applicationWrites(input.Key);
    }
    if (input.IfMatch !== undefined && input.IfMatch !== current.get(input.Key!)?.etag) {
      throw s3Error('PreconditionFailed', 412);
    }
    current.set(input.Key!, { etag: `"restored-${input.Key}"`, versionId: `restored-${writes}`, tags: [{ Key: EXECUTION_TAG, Value: EXECUTION }] });
    if (input.Key === WRITTEN_AFTER) {
      applicationWrites(input.Key);
    }
    return {};
  });
  s3mock.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
}

beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const source = { bucket: 'data', key: WRITTEN_BEFORE, versionId: `old-${WRITTEN_BEFORE}`, size: 1024 };
const copy = (refusedBefore?: number) => copyVersion(s3, source, { bucket: 'data', key: WRITTEN_BEFORE }, EXECUTION, { deadline: Date.now() + 60_000, refusedBefore });
const KEPT_WRITING = new RegExp(`^copying s3://data/app/a.bin \\(version old-app/a.bin\\) to s3://data/app/a.bin: S3 refused this copy ${REFUSED_WRITES_ALLOWED} times in a row, in as many invocations `
  + '\\(the last refusal: PreconditionFailed \\(PreconditionFailed from S3\\): the key was written by something else since it was looked at\\): '
  + 'the restore makes a copy only over the version it found current just before, so as not to write over writes it has not seen, '
  + 'and the application keeps writing s3://data/app/a.bin during the restore, more often than a copy of its size takes. '
  + 'Restore to a new prefix \\(input `targetPrefix`\\), or stop the writes to s3://data/app/a.bin and start the restore again$');

test(`a refused single copy is left for the next invocation, counted, until the ${REFUSED_WRITES_ALLOWED}th in a row fails it, naming the key and what to do`, async () => {
  arrangeS3();
  expect(await copy()).toEqual({ status: 'redo', refused: true });
  expect(await copy(REFUSED_WRITES_ALLOWED - 2)).toEqual({ status: 'redo', refused: true });
  await expect(copy(REFUSED_WRITES_ALLOWED - 1)).rejects.toMatchObject({ name: 'RestoreCheckError', message: expect.stringMatching(KEPT_WRITING) });
  // The application's write stays the key's current version.
  expect(current.get(WRITTEN_BEFORE)?.etag).toBe('"app-write-3"');
});

test('a refused single copy whose key holds this execution\'s copy (a cancelled copy landed) is done, not counted', async () => {
  arrangeS3();
  s3mock.on(CopyObjectCommand).callsFake((input) => {
    current.set(input.Key!, { etag: '"restored"', versionId: 'restored', tags: [{ Key: EXECUTION_TAG, Value: EXECUTION }] });
    throw s3Error('PreconditionFailed', 412);
  });
  expect(await copy(REFUSED_WRITES_ALLOWED - 1)).toEqual({ status: 'done' });
});

const inPlacePlan: ObjectRestorePlan = {
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00.000Z', targetBucket: 'data', targetPrefix: 'app/', inPlace: true,
  startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'app/'",
};

test(`a copy scan whose other key is copied over in each invocation (progress: no stall) still fails at the ${REFUSED_WRITES_ALLOWED}th refusal of the refused key`, async () => {
  arrangeS3([WRITTEN_BEFORE, WRITTEN_AFTER]);
  let state: ScanState = newScan();
  for (let attempt = 1; attempt < REFUSED_WRITES_ALLOWED; attempt++) {
    state = await copyScan(s3, inPlacePlan, state, Date.now() + 60_000, EXECUTION);
    expect(state).toEqual({ ...newScan(), refused: { [refusalKey(WRITTEN_BEFORE)]: attempt } });
  }
  await expect(copyScan(s3, inPlacePlan, state, Date.now() + 60_000, EXECUTION)).rejects.toMatchObject({ name: 'RestoreCheckError', message: expect.stringMatching(KEPT_WRITING) });
});

test('the count is forgotten once the key\'s copy is made', async () => {
  arrangeS3();
  const refusedOnce = await copyScan(s3, inPlacePlan, newScan(), Date.now() + 60_000, EXECUTION);
  expect(refusedOnce).toMatchObject({ refused: { [refusalKey(WRITTEN_BEFORE)]: 1 } });
  // The application stops writing the key.
  s3mock.on(CopyObjectCommand).callsFake((input) => {
    current.set(input.Key!, { etag: '"restored"', versionId: 'restored', tags: [{ Key: EXECUTION_TAG, Value: EXECUTION }] });
    return {};
  });
  expect(await copyScan(s3, inPlacePlan, refusedOnce, Date.now() + 60_000, EXECUTION)).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 1 }) });
});

describe('the state machine', () => {
  let machine: LocalStateMachine;
  beforeAll(() => {
    machine = objectRestoreMachine();
  });

  test(`in place, a key the application writes before each copy of it arrives ends the restore after ${REFUSED_WRITES_ALLOWED} attempts, not ${60} stalled ones, naming the key`, async () => {
    arrangeS3();
    let copyScans = 0;
    const bounded: typeof handler = async (event, context) => {
      if (++copyScans > 100) {
        throw Object.assign(new Error('CopyScan invoked more than 100 times'), { name: 'UnboundedLoop' });
      }
      return handler(event, context);
    };
    const handlers = Object.fromEntries(machine.taskStates.map((name) => [name, name === 'CopyScan' ? bounded : handler]));
    const run = await machine.run(
      { bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00Z', targetPrefix: 'app/', confirm: 's3://data/app/' },
      { handlers, executionName: 'objects-single-kept-written' },
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RestoreCheckError');
    expect(run.visited.filter((state) => state.name === 'CopyScan')).toHaveLength(REFUSED_WRITES_ALLOWED);
    expect(run.visited.map((state) => state.name)).toEqual(expect.arrayContaining(['FailureUploads', 'NameOpenUploads', 'Cleanup', 'RestoreFailed']));
    expect(run.cause).toContain('the application keeps writing s3://data/app/a.bin during the restore');
  });
});
