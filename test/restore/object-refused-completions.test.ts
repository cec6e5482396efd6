/**
 * A key the application writes more often than its copy in parts takes has every completion
 * refused; each new attempt copies all its parts again, which counts as progress, so the stall
 * counter never ended such a restore. The refusals of a key are counted in a row in the copying
 * step's state, and the fifth fails the restore through its failure path, naming the key and
 * what to do (S3 mocked: the mock keeps the key's current version and refuses a completion as
 * S3 documents it).
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectTaggingCommand, ListMultipartUploadsCommand,
  ListObjectVersionsCommand, ListObjectsV2Command, ListPartsCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_TAG } from '../../core/restore-workflows/common';
import {
  ObjectRestorePlan, REFUSED_WRITES_ALLOWED, ScanState, copyArchive, copyScan, copyVersion, newScan, refusalKey,
} from '../../core/restore-workflows/objects';
import { handler } from '../../lambda/restore-objects';
import type { LocalStateMachine } from '../support/local-state-machine';
import { arrangeCurrentVersionHead, bigSource, listedParts } from './multipart-fixture';
import { s3Error } from './s3-errors';
import { objectRestoreMachine } from './workflow-fixture';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(7);
/** In place: the copy becomes the new current version of its own key. */
const target = { bucket: source.bucket, key: source.key };
const EXECUTION = 'objects-1';

/** The key's current version as the mock's S3 holds it. */
let current: { etag: string; versionId: string; tags: Array<{ Key: string; Value: string }> } | undefined;
let writes: number;
let uploads: number;
/** The application writes the key (a new version each time). */
const applicationWrites = () => {
  writes += 1;
  current = { etag: `"app-write-${writes}"`, versionId: `app-version-${writes}`, tags: [{ Key: 'owner', Value: 'shop' }] };
};

/**
 * S3 for an in-place copy of `source`: its head and tags, uploads numbered from 1, each part
 * copied (the application writing the key while part 3 is copied, when `writtenDuringCopy`), and
 * completions refused as S3 documents them.
 */
function arrangeS3(writtenDuringCopy: () => boolean): void {
  s3mock.reset();
  current = { etag: '"live"', versionId: 'live-version', tags: [{ Key: 'owner', Value: 'shop' }] };
  writes = 0;
  uploads = 0;
  arrangeCurrentVersionHead(s3mock, () => current);
  s3mock.on(GetObjectTaggingCommand).callsFake((input) => {
    if (input.VersionId === source.versionId) {
      return { TagSet: [] };
    }
    return { TagSet: input.VersionId === undefined || input.VersionId === current?.versionId ? current?.tags ?? [] : [] };
  });
  s3mock.on(CreateMultipartUploadCommand).callsFake(() => ({ UploadId: `upload-${++uploads}` }));
  s3mock.on(UploadPartCopyCommand).callsFake((input) => {
    if (input.PartNumber === 3 && writtenDuringCopy()) {
      applicationWrites();
    }
    return { CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } };
  });
  s3mock.on(CompleteMultipartUploadCommand).callsFake((input) => {
    if (input.IfMatch !== undefined && current === undefined) {
      throw s3Error('NoSuchKey', 404);
    }
    if ((input.IfMatch !== undefined && input.IfMatch !== current?.etag) || (input.IfNoneMatch === '*' && current !== undefined)) {
      throw s3Error('PreconditionFailed', 412);
    }
    current = { etag: `"restored-${input.UploadId}"`, versionId: `restored-${input.UploadId}`, tags: [{ Key: EXECUTION_TAG, Value: EXECUTION }] };
    return {};
  });
  s3mock.on(AbortMultipartUploadCommand).resolves({});
  s3mock.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
}

beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const aborted = () => s3mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.UploadId);
const copy = (refusedBefore?: number) => copyVersion(s3, source, target, EXECUTION, { deadline: Date.now() + 60_000, refusedBefore });
const KEPT_WRITING = new RegExp(`^copying s3://data/app/big.bin \\(version g1\\) to s3://data/app/big.bin: S3 refused to complete this copy in parts ${REFUSED_WRITES_ALLOWED} times in a row, `
  + 'its parts copied again in a new upload each time \\(the last refusal: PreconditionFailed \\(PreconditionFailed from S3\\): the key was written by something else since it was looked at\\): '
  + '.*the application keeps writing s3://data/app/big.bin during the restore, more often than a copy of its size takes. '
  + 'Restore to a new prefix \\(input `targetPrefix`\\), or stop the writes to s3://data/app/big.bin and start the restore again$');

test(`a refused completion is left for the next invocation, counted, until the ${REFUSED_WRITES_ALLOWED}th in a row`, async () => {
  arrangeS3(() => true);
  expect(await copy()).toEqual({ status: 'redo', refused: true });
  expect(await copy(REFUSED_WRITES_ALLOWED - 2)).toEqual({ status: 'redo', refused: true });
  expect(aborted()).toEqual(['upload-1', 'upload-2']);
});

test(`the ${REFUSED_WRITES_ALLOWED}th refused completion in a row fails the copy, naming the key, why and what to do; its upload aborted and the application's write kept`, async () => {
  arrangeS3(() => true);
  await expect(copy(REFUSED_WRITES_ALLOWED - 1)).rejects.toMatchObject({ name: 'RestoreCheckError', message: expect.stringMatching(KEPT_WRITING) });
  expect(aborted()).toEqual(['upload-1']);
  expect(current?.etag).toBe('"app-write-1"');
});

test('an upload that cannot be aborted at the last refusal is named in the failure with the command that aborts it', async () => {
  arrangeS3(() => true);
  s3mock.on(AbortMultipartUploadCommand).rejects(s3Error('AccessDenied', 403));
  await expect(copy(REFUSED_WRITES_ALLOWED - 1)).rejects.toMatchObject({
    name: 'RestoreCheckError',
    message: expect.stringMatching(/and start the restore again; its multipart upload upload-1 of s3:\/\/data\/app\/big.bin was left .*aws s3api abort-multipart-upload --bucket data --key 'app\/big.bin' --upload-id 'upload-1'$/),
  });
});

const inPlacePlan: ObjectRestorePlan = {
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00.000Z', targetBucket: 'data', targetPrefix: 'app/', inPlace: true,
  startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'app/'",
};

/** The versions under data/app/: `source` at the time, and the live version written since. */
function arrangeVersions(): void {
  s3mock.on(ListObjectVersionsCommand).resolves({
    Versions: [
      { Key: source.key, VersionId: 'live-version', LastModified: new Date('2026-11-21T00:00:00Z'), Size: 1, IsLatest: true },
      { Key: source.key, VersionId: source.versionId, LastModified: new Date('2026-11-20T00:00:00Z'), Size: source.size, IsLatest: false },
    ],
    IsTruncated: false,
  });
}

test(`a copy scan in place counts the refusals of a key written during each copy in its state, and fails at the ${REFUSED_WRITES_ALLOWED}th`, async () => {
  arrangeS3(() => true);
  arrangeVersions();
  let state: ScanState = newScan();
  for (let attempt = 1; attempt < REFUSED_WRITES_ALLOWED; attempt++) {
    state = await copyScan(s3, inPlacePlan, state, Date.now() + 60_000, EXECUTION);
    // Parts were copied: progress, so the stall counter alone never ends this.
    expect(state).toEqual({ ...newScan(), refused: { [refusalKey(source.key)]: attempt } });
  }
  await expect(copyScan(s3, inPlacePlan, state, Date.now() + 60_000, EXECUTION)).rejects.toMatchObject({ name: 'RestoreCheckError', message: expect.stringMatching(KEPT_WRITING) });
  expect(aborted()).toEqual(['upload-1', 'upload-2', 'upload-3', 'upload-4', 'upload-5']);
});

test('the count is kept while the key\'s upload is left open at a deadline, and forgotten once its copy is done', async () => {
  arrangeS3(() => writes < 1);
  arrangeVersions();
  const refusedOnce = await copyScan(s3, inPlacePlan, newScan(), Date.now() + 60_000, EXECUTION);
  expect(refusedOnce).toEqual({ ...newScan(), refused: { [refusalKey(source.key)]: 1 } });

  // The next invocation's deadline passes while its first parts are under way: the upload is left open, the count kept.
  const DEADLINE = 1_000;
  let clock = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  s3mock.on(UploadPartCopyCommand).callsFake((input) => {
    clock = DEADLINE + 1;
    return { CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } };
  });
  const cutOff = await copyScan(s3, inPlacePlan, refusedOnce, DEADLINE, EXECUTION);
  expect(cutOff).toEqual({ ...newScan(), uploads: { [source.key]: { uploadId: 'upload-2', condition: { IfMatch: '"app-write-1"' } } }, refused: { [refusalKey(source.key)]: 1 } });

  clock = 0;
  s3mock.on(ListPartsCommand).resolves(listedParts(7, [1, 2, 3, 4]));
  s3mock.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `"copied-${input.PartNumber}"` } }));
  const done = await copyScan(s3, inPlacePlan, cutOff, DEADLINE, EXECUTION);
  expect(done).toEqual({ cursor: { done: true }, counts: expect.objectContaining({ keys: 1 }) });
  expect(current?.etag).toBe('"restored-upload-2"');
});

test(`an archive copy whose completion meets another write of its key each time (409) fails at the ${REFUSED_WRITES_ALLOWED}th, naming what to do`, async () => {
  arrangeS3(() => false);
  s3mock.on(CompleteMultipartUploadCommand).rejects(s3Error('ConditionalRequestConflict', 409));
  const archivePlan: ObjectRestorePlan = {
    mode: 'archive', bucket: 'data', prefix: 'app/', targetBucket: 'scratch', targetPrefix: 'restored/app/', inPlace: false,
    startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket scratch --prefix 'restored/app/'",
  };
  const objects = [{ key: source.key, size: source.size, storageClass: 'STANDARD' }];
  const entry = refusalKey('restored/app/big.bin');
  let state: { uploads?: Record<string, unknown>; stalled?: number; refused?: Record<string, number> } = {};
  for (let attempt = 1; attempt < REFUSED_WRITES_ALLOWED; attempt++) {
    const result = await copyArchive(s3, archivePlan, objects, EXECUTION, Date.now() + 60_000, {}, state.stalled, state.refused);
    expect(result).toEqual({ done: false, refused: { [entry]: attempt } });
    state = result as typeof state;
  }
  await expect(copyArchive(s3, archivePlan, objects, EXECUTION, Date.now() + 60_000, {}, state.stalled, state.refused)).rejects.toMatchObject({
    name: 'RestoreCheckError',
    message: expect.stringMatching(/\(the last refusal: ConditionalRequestConflict .*: another write of the key was under way\).*something other than this restore keeps writing s3:\/\/scratch\/restored\/app\/big.bin under the target prefix. Stop it, or restore to another `targetPrefix`$/),
  });
});

test('the function hands the archive copy the count its previous invocation returned', async () => {
  arrangeS3(() => false);
  s3mock.on(CompleteMultipartUploadCommand).rejects(s3Error('ConditionalRequestConflict', 409));
  s3mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: source.key, Size: source.size, StorageClass: 'STANDARD' }], IsTruncated: false });
  const plan: ObjectRestorePlan = {
    mode: 'archive', bucket: 'data', prefix: 'app/', targetBucket: 'scratch', targetPrefix: 'restored/app/', inPlace: false,
    startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket scratch --prefix 'restored/app/'",
  };
  const before = { ...process.env };
  Object.assign(process.env, { SOURCE_BUCKETS: 'data', TARGET_BUCKETS: 'scratch' });
  try {
    const refused = { [refusalKey('restored/app/big.bin')]: REFUSED_WRITES_ALLOWED - 1 };
    await expect(handler({ action: 'copyArchive', execution: EXECUTION, plan, copied: { refused } }, { getRemainingTimeInMillis: () => 600_000 } as never))
      .rejects.toMatchObject({ name: 'RestoreCheckError' });
  } finally {
    process.env = before;
  }
});

describe('the state machine', () => {
  let machine: LocalStateMachine;
  beforeAll(() => {
    machine = objectRestoreMachine();
  });

  /** The real function; a copying step invoked more than 100 times ends the run (its error caught like any step's) rather than looping on. */
  const handlers = () => {
    let copyScans = 0;
    const bounded: typeof handler = async (event, context) => {
      if (++copyScans > 100) {
        throw Object.assign(new Error('CopyScan invoked more than 100 times'), { name: 'UnboundedLoop' });
      }
      return handler(event, context);
    };
    return Object.fromEntries(machine.taskStates.map((name) => [name, name === 'CopyScan' ? bounded : handler]));
  };

  test(`in place, a key the application writes during each copy of it ends the restore after ${REFUSED_WRITES_ALLOWED} attempts, through the failure path, naming the key`, async () => {
    arrangeS3(() => true);
    arrangeVersions();
    const run = await machine.run(
      { bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00Z', targetPrefix: 'app/', confirm: 's3://data/app/' },
      { handlers: handlers(), executionName: 'objects-kept-written' },
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RestoreCheckError');
    expect(run.visited.filter((state) => state.name === 'CopyScan')).toHaveLength(REFUSED_WRITES_ALLOWED);
    expect(run.visited.map((state) => state.name)).toEqual(expect.arrayContaining(['FailureUploads', 'NameOpenUploads', 'Cleanup', 'RestoreFailed']));
    expect(run.cause).toContain('the application keeps writing s3://data/app/big.bin during the restore');
    expect(run.cause).toContain('Restore to a new prefix (input `targetPrefix`), or stop the writes to s3://data/app/big.bin and start the restore again');
    // The application's last write stays the key's current version.
    expect(current?.etag).toBe(`"app-write-${REFUSED_WRITES_ALLOWED}"`);
  });
});
