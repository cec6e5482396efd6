/**
 * The dump copies in S3 (layout in `core/dump/manifest.ts`): the newest run in the 48-hour
 * bucket verified byte for byte (once per version of each file, see `verification-record.ts`),
 * and this year's run in the archive bucket.
 */
import { GetObjectCommand, HeadObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import {
  CHECKSUM_FILE_NAME, DUMP_FILE_NAME, dumpFileOf, MANIFEST_CREATED_AT_METADATA, MANIFEST_FILE_NAME, manifestKeysNewestFirst, parseChecksumFile, parseManifest, parseRunKey,
} from '../../core/dump/manifest';
import { hashObjectInRanges, RangedReadOptions } from './ranged-hash';
import { sameObject, VerificationStore, VerifiedFile } from './verification-record';

/** Every key under a prefix, across all pages of the listing. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  return (await listObjects(s3, bucket, prefix)).map((object) => object.key);
}

interface ListedObject {
  readonly key: string;
  readonly bytes: number;
}

async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of page.Contents ?? []) {
      if (object.Key) {
        objects.push({ key: object.Key, bytes: object.Size ?? 0 });
      }
    }
  }
  return objects;
}

const DAY_MS = 86_400_000;
/** How far the dump's clock may be ahead of this function's, or its manifest's time outside its prefix's day. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The UTC days (`YYYY-MM-DD`) whose `daily/` prefix can hold a run at most `maxAgeHours`
 * old at `now`, newest first, and the day before those, so that a run just past the limit
 * reads stale rather than missing.
 */
export function dailyRunDays(now: Date, maxAgeHours: number): string[] {
  const oldest = now.getTime() - maxAgeHours * 3_600_000 - DAY_MS;
  const days: string[] = [];
  for (let day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()); day + DAY_MS > oldest; day -= DAY_MS) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * The keys under the newest of `days` (newest first) whose `daily/<day>/` prefix holds a run
 * manifest, and that day; the days before it are not listed. Undefined when none holds one.
 * Stops with the signal's reason once it is aborted (the check is reported `unknown` by then).
 */
export async function listNewestDailyRunDay(s3: S3Client, bucket: string, days: string[], signal?: AbortSignal): Promise<{ day: string; keys: string[] } | undefined> {
  for (const day of days) {
    signal?.throwIfAborted();
    const keys = await listKeys(s3, bucket, `daily/${day}/`);
    if (manifestKeysNewestFirst(keys).length > 0) {
      return { day, keys };
    }
  }
  return undefined;
}

function isNoSuchKey(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'NoSuchKey' || name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!response.Body) {
    throw new Error(`s3://${bucket}/${key} returned no body`);
  }
  return response.Body.transformToString('utf8');
}

/** The newest dump run among the keys, and what verifying it found. */
export interface VerifiedRun {
  /** The run's prefix, e.g. `daily/2026-11-21/<run id>/`. */
  readonly prefix: string;
  /** When the dump started, from the manifest; undefined when the manifest is unreadable. */
  readonly createdAt?: Date;
  /** Why the run is corrupt; undefined when every file matched. */
  readonly problem?: string;
  /** What was verified, for the report. */
  readonly verified: string;
  /** Each file that matched, and when its bytes were hashed (in this run or an earlier one). */
  readonly files?: Array<VerifiedFile & { readonly hashedInThisRun: boolean }>;
  /** The manifest's `completenessNotes`: why the dump may lack what its user could not see. */
  readonly completenessNotes?: string[];
}

/** How a run is verified: when, with which record of earlier verifications, how files are read. */
export interface VerifyOptions {
  readonly now: Date;
  /** Records of runs verified earlier. @default - none: every file is hashed */
  readonly store?: VerificationStore;
  readonly ranged?: RangedReadOptions;
}

/** A file as HEAD sees it now. */
interface CurrentObject {
  readonly key: string;
  readonly bytes: number;
  readonly eTag: string;
  readonly versionId?: string;
}

async function headObject(s3: S3Client, bucket: string, key: string): Promise<CurrentObject | undefined> {
  let head;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (isNoSuchKey(error)) {
      return undefined;
    }
    throw error;
  }
  if (head.ContentLength === undefined || !head.ETag) {
    throw new Error(`HEAD of s3://${bucket}/${key} returned no ${head.ETag ? 'Content-Length' : 'ETag'}`);
  }
  return { key, bytes: head.ContentLength, eTag: head.ETag, ...(head.VersionId && head.VersionId !== 'null' ? { versionId: head.VersionId } : {}) };
}

function describeFiles(files: NonNullable<VerifiedRun['files']>): string {
  const now = files.filter((file) => file.hashedInThisRun).map((file) => file.key);
  const earlier = files.filter((file) => !file.hashedInThisRun).map((file) => `${file.key} verified at ${file.verifiedAt}`);
  return [
    ...(now.length > 0 ? [`hashed in this run: ${now.join(', ')}`] : []),
    ...(earlier.length > 0 ? [`${earlier.join(', ')}, unchanged since (same size, ETag and version)`] : []),
  ].join('; ');
}

/**
 * Verifies the newest run among `keys`: the manifest parses, every file it lists exists
 * with the listed size and SHA-256, and the checksum file names the dump's SHA-256. A file
 * whose record in `options.store` matches its HEAD (size, ETag, version id) is not read
 * again; a run that verifies completely is recorded. Undefined when there is no manifest.
 * Errors other than a missing object are thrown (the caller reports them as `unknown`).
 */
export async function verifyDailyRun(s3: S3Client, bucket: string, keys: string[], options: VerifyOptions): Promise<VerifiedRun | undefined> {
  const newest = manifestKeysNewestFirst(keys)[0];
  if (!newest) {
    return undefined;
  }
  const where = `s3://${bucket}/${newest.prefix}`;
  let manifest;
  try {
    manifest = parseManifest(await readText(s3, bucket, newest.prefix + MANIFEST_FILE_NAME));
  } catch (error) {
    if (error instanceof Error && error.name === 'ManifestError') {
      return { prefix: newest.prefix, problem: `the manifest of ${where} is invalid: ${error.message}`, verified: '' };
    }
    throw error;
  }
  const createdAt = new Date(manifest.createdAt);
  const corrupt = (problem: string): VerifiedRun => ({ prefix: newest.prefix, createdAt, problem: `${where}: ${problem}`, verified: '' });
  const wrongTime = createdAtProblem({ at: createdAt, shown: manifest.createdAt }, `daily/${newest.date}/`, newest.date, options.now);
  if (wrongTime) {
    return corrupt(wrongTime);
  }
  // The listing says what is missing: without s3:ListBucket on a key, S3 answers its HEAD with 403, not 404.
  const listed = new Set(keys);
  const absent = (key: string) => key.startsWith(newest.prefix) && !listed.has(key);
  const dump = dumpFileOf(manifest);
  // A manifest can list an empty dump with the SHA-256 of nothing, which every check would match.
  if (dump.bytes === 0) {
    return corrupt(`the manifest lists ${dump.key} with 0 bytes: a gzip-compressed dump is never empty`);
  }
  const keyOf = (file: { key: string }): string => (file.key.includes('/') ? file.key : newest.prefix + file.key);
  // Another run's file (or one below this run's prefix) would be hashed in place of this run's own,
  // which may be missing: the run would read as verified, and as fresh as its manifest says.
  const foreign = manifest.files.map(keyOf).find((key) => !key.startsWith(newest.prefix) || key.slice(newest.prefix.length).includes('/'));
  if (foreign !== undefined) {
    return corrupt(`the manifest lists ${foreign}, which is not a file of this run (not directly under ${newest.prefix})`);
  }
  const record = await options.store?.read(bucket, newest.prefix);
  const files: Array<VerifiedFile & { hashedInThisRun: boolean }> = [];
  for (const file of manifest.files) {
    const key = keyOf(file);
    const current = absent(key) ? undefined : await headObject(s3, bucket, key);
    if (!current) {
      return corrupt(`${key} is listed in the manifest but does not exist`);
    }
    if (current.bytes !== file.bytes) {
      return corrupt(`${key} has ${current.bytes} bytes, the manifest says ${file.bytes}`);
    }
    const earlier = record?.files.find((verified) => verified.key === key);
    if (earlier && sameObject(earlier, current) && earlier.sha256 === file.sha256) {
      files.push({ ...earlier, hashedInThisRun: false });
      continue;
    }
    const sha256 = await hashObjectInRanges(s3, bucket, key, current, options.ranged);
    if (sha256 !== file.sha256) {
      return corrupt(`${key} has SHA-256 ${sha256}, the manifest says ${file.sha256}`);
    }
    files.push({ ...current, sha256, verifiedAt: options.now.toISOString(), hashedInThisRun: true });
  }
  if (absent(newest.prefix + CHECKSUM_FILE_NAME)) {
    return corrupt(`${CHECKSUM_FILE_NAME} does not exist`);
  }
  let named: string;
  try {
    named = parseChecksumFile(await readText(s3, bucket, newest.prefix + CHECKSUM_FILE_NAME));
  } catch (error) {
    if (isNoSuchKey(error)) {
      return corrupt(`${CHECKSUM_FILE_NAME} does not exist`);
    }
    if (error instanceof Error && error.name === 'ManifestError') {
      return corrupt(`${CHECKSUM_FILE_NAME} is unreadable: ${error.message}`);
    }
    throw error;
  }
  if (named !== dump.sha256) {
    return corrupt(`${CHECKSUM_FILE_NAME} says ${named}, the dump's SHA-256 is ${dump.sha256}`);
  }
  let notRecorded = '';
  if (options.store && files.some((file) => file.hashedInThisRun)) {
    try {
      await options.store.write({ version: 1, bucket, prefix: newest.prefix, files: files.map(({ hashedInThisRun: _, ...file }) => file) });
    } catch (error) {
      notRecorded = `; ${error instanceof Error ? error.message : String(error)}, so the next run hashes them again`;
    }
  }
  return {
    prefix: newest.prefix,
    createdAt,
    verified: `${manifest.files.length} file(s) of run ${manifest.runId} match their SHA-256 and size (${describeFiles(files)})${notRecorded}`,
    files,
    ...(manifest.completenessNotes ? { completenessNotes: manifest.completenessNotes } : {}),
  };
}

/** The newest run of a year in the archive bucket, and what is wrong with it if anything. */
export interface YearlyRun {
  readonly prefix: string;
  /** The UTC date of the dump (from its key). */
  readonly date: Date;
  readonly problem?: string;
  /** The size of each object of the run, by key, as listed. */
  readonly listedBytes: ReadonlyMap<string, number>;
}

/** What a year's prefix in the archive bucket holds. */
export interface YearlyRuns {
  /** The newest run with a manifest; undefined when there is none. */
  readonly run?: YearlyRun;
  /** The prefix of a newer run without a manifest (written last): a copy in progress, or one that failed. */
  readonly unfinished?: string;
}

/**
 * The newest run under `yearly/<year>/` that has its manifest: complete when its dump,
 * checksum file and manifest are all listed and none is empty. The manifest is written
 * last, so a run without one is still being copied (or its copy failed) and is not the
 * year's archive, as the dump workflow also judges. Archived objects may sit in a cold
 * storage class, so this checks the listing only and does not read them.
 */
export async function findYearlyRun(s3: S3Client, bucket: string, year: number): Promise<YearlyRuns> {
  const objects = await listObjects(s3, bucket, `yearly/${year}/`);
  const runs = new Map<string, { date: string; files: Map<string, number> }>();
  for (const object of objects) {
    const parsed = parseRunKey(object.key);
    if (parsed?.tier !== 'yearly') {
      continue;
    }
    const run = runs.get(parsed.prefix) ?? { date: parsed.date, files: new Map<string, number>() };
    run.files.set(parsed.fileName, object.bytes);
    runs.set(parsed.prefix, run);
  }
  const newestFirst = [...runs.entries()].sort(([a, x], [b, y]) => (x.date === y.date ? b.localeCompare(a) : y.date.localeCompare(x.date)));
  const runFiles = [DUMP_FILE_NAME, CHECKSUM_FILE_NAME, MANIFEST_FILE_NAME];
  const withManifest = newestFirst.filter(([, run]) => run.files.has(MANIFEST_FILE_NAME));
  const chosen = withManifest.find(([, run]) => runFiles.every((name) => (run.files.get(name) ?? 0) > 0)) ?? withManifest[0];
  const newer = chosen ? newestFirst.slice(0, newestFirst.indexOf(chosen)) : newestFirst;
  const unfinished = newer.find(([, run]) => !run.files.has(MANIFEST_FILE_NAME))?.[0];
  if (!chosen) {
    return unfinished ? { unfinished } : {};
  }
  const [prefix, run] = chosen;
  const missing = runFiles.filter((name) => !run.files.has(name));
  const empty = runFiles.filter((name) => run.files.get(name) === 0);
  const problem = missing.length > 0
    ? `s3://${bucket}/${prefix} lacks ${missing.join(', ')}`
    : empty.length > 0 ? `s3://${bucket}/${prefix} holds an empty ${empty.join(', ')}` : undefined;
  const listedBytes = new Map([...run.files.entries()].map(([name, bytes]) => [prefix + name, bytes]));
  return {
    run: { prefix, date: new Date(`${run.date}T00:00:00Z`), listedBytes, ...(problem ? { problem } : {}) },
    ...(unfinished ? { unfinished } : {}),
  };
}

/** Storage classes whose objects GET cannot read until they are restored. */
const ARCHIVED_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** Why an archive run's manifest time could not be read; the check is `unknown`, never `ok`. */
export class ManifestTimeUnknown extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestTimeUnknown';
  }
}

/** When an archive run's dump started, by its manifest, and what that was read from. */
export interface ManifestTime {
  readonly createdAt: Date;
  /** The time as the manifest (or its metadata) wrote it. */
  readonly shown: string;
  readonly source: string;
}

/**
 * The `createdAt` of the manifest of `run`: from the manifest itself while S3 can read it
 * (before the transition, or a restored copy), whose files must then have the sizes the run's
 * listing gives, else from the `created-at` metadata the dump job writes with it, which HEAD
 * reads in Deep Archive too. Problems with the manifest are
 * returned in `problem` (the run is corrupt); a manifest archived without that metadata, or one
 * that cannot be read, throws `ManifestTimeUnknown` or the SDK's error (the check is `unknown`).
 */
export async function archiveManifestTime(s3: S3Client, bucket: string, run: YearlyRun): Promise<ManifestTime | { problem: string }> {
  const prefix = run.prefix;
  const key = prefix + MANIFEST_FILE_NAME;
  const where = `s3://${bucket}/${key}`;
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const archived = ARCHIVED_CLASSES.has(head.StorageClass ?? '') && !/ongoing-request="false"/.test(head.Restore ?? '');
  if (!archived) {
    let manifest;
    try {
      manifest = parseManifest(await readText(s3, bucket, key));
    } catch (error) {
      if (error instanceof Error && error.name === 'ManifestError') {
        return { problem: `the manifest ${where} is invalid: ${error.message}` };
      }
      throw error;
    }
    // The dump cannot be hashed here (it may be in Deep Archive), but the listing gives its size.
    for (const file of manifest.files) {
      const fileKey = file.key.includes('/') ? file.key : prefix + file.key;
      const listed = run.listedBytes.get(fileKey);
      if (listed !== file.bytes) {
        return { problem: `s3://${bucket}/${prefix}: the manifest lists ${fileKey} with ${file.bytes} bytes, ${listed === undefined ? 'which the run does not hold' : `the run holds ${listed}`}` };
      }
    }
    return { createdAt: new Date(manifest.createdAt), shown: manifest.createdAt, source: `the manifest of ${prefix}` };
  }
  const recorded = head.Metadata?.[MANIFEST_CREATED_AT_METADATA];
  if (recorded === undefined) {
    throw new ManifestTimeUnknown(`when the dump of ${prefix} started is unknown: its manifest is in ${head.StorageClass}, which cannot be read without restoring it, `
      + `and carries no ${MANIFEST_CREATED_AT_METADATA} metadata (a manifest written before the dump job recorded it); a run started with forceYearly writes an archive that does`);
  }
  const createdAt = new Date(recorded);
  if (Number.isNaN(createdAt.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(recorded)) {
    return { problem: `the manifest ${where} has ${MANIFEST_CREATED_AT_METADATA} metadata '${recorded}', not an ISO 8601 time` };
  }
  return { createdAt, shown: recorded, source: `the ${MANIFEST_CREATED_AT_METADATA} metadata of the manifest of ${prefix} (in ${head.StorageClass})` };
}

/**
 * Why a manifest's `createdAt` (`shown` as the manifest wrote it) lies after `now`, or outside
 * the UTC day `date` (`YYYY-MM-DD`) that its `prefix` names, beyond the clock skew allowed;
 * undefined when it fits. A start in the future would read as a fresh dump until that time,
 * and a manifest of another day (an older run copied under a newer prefix) as a newer dump.
 */
export function createdAtProblem(createdAt: { at: Date; shown: string }, prefix: string, date: string, now: Date): string | undefined {
  if (createdAt.at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    return `the manifest says the dump started at ${createdAt.shown}, after this check's time ${now.toISOString()}`;
  }
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  if (createdAt.at.getTime() < dayStart - CLOCK_SKEW_MS || createdAt.at.getTime() >= dayStart + DAY_MS + CLOCK_SKEW_MS) {
    return `the manifest says the dump started at ${createdAt.shown}, not on ${date} (UTC), the day of its prefix ${prefix} (allowing ${CLOCK_SKEW_MS / 60_000} minutes of clock skew)`;
  }
  return undefined;
}
