/**
 * The dump copies in S3 (layout in `core/dump/manifest.ts`): today's run in the 48-hour
 * bucket verified byte for byte, and this year's run in the archive bucket.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import {
  CHECKSUM_FILE_NAME, DUMP_FILE_NAME, dumpFileOf, MANIFEST_FILE_NAME, manifestKeysNewestFirst, parseChecksumFile, parseManifest, parseRunKey,
} from '../../core/dump/manifest';

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

function isNoSuchKey(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'NoSuchKey' || name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}

/** The SHA-256 (lower-case hex) and size of an object, streamed through the hash in chunks. */
export async function hashObject(s3: S3Client, bucket: string, key: string): Promise<{ sha256: string; bytes: number }> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = response.Body as AsyncIterable<Uint8Array> | undefined;
  if (!body) {
    throw new Error(`s3://${bucket}/${key} returned no body`);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
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
}

/**
 * Verifies the newest run among `keys`: the manifest parses, every file it lists exists
 * with the listed size and SHA-256, and the checksum file names the dump's SHA-256.
 * Undefined when there is no manifest. Errors other than a missing object are thrown
 * (the caller reports them as `unknown`).
 */
export async function verifyDailyRun(s3: S3Client, bucket: string, keys: string[]): Promise<VerifiedRun | undefined> {
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
  for (const file of manifest.files) {
    const key = file.key.includes('/') ? file.key : newest.prefix + file.key;
    let actual;
    try {
      actual = await hashObject(s3, bucket, key);
    } catch (error) {
      if (isNoSuchKey(error)) {
        return corrupt(`${key} is listed in the manifest but does not exist`);
      }
      throw error;
    }
    if (actual.bytes !== file.bytes) {
      return corrupt(`${key} has ${actual.bytes} bytes, the manifest says ${file.bytes}`);
    }
    if (actual.sha256 !== file.sha256) {
      return corrupt(`${key} has SHA-256 ${actual.sha256}, the manifest says ${file.sha256}`);
    }
  }
  const dump = dumpFileOf(manifest);
  let listed: string;
  try {
    listed = parseChecksumFile(await readText(s3, bucket, newest.prefix + CHECKSUM_FILE_NAME));
  } catch (error) {
    if (isNoSuchKey(error)) {
      return corrupt(`${CHECKSUM_FILE_NAME} does not exist`);
    }
    if (error instanceof Error && error.name === 'ManifestError') {
      return corrupt(`${CHECKSUM_FILE_NAME} is unreadable: ${error.message}`);
    }
    throw error;
  }
  if (listed !== dump.sha256) {
    return corrupt(`${CHECKSUM_FILE_NAME} says ${listed}, the dump's SHA-256 is ${dump.sha256}`);
  }
  return { prefix: newest.prefix, createdAt, verified: `${manifest.files.length} file(s) of run ${manifest.runId} match their SHA-256 and size` };
}

/** The newest run of a year in the archive bucket, and what is wrong with it if anything. */
export interface YearlyRun {
  readonly prefix: string;
  /** The UTC date of the dump (from its key). */
  readonly date: Date;
  readonly problem?: string;
}

/**
 * The newest run under `yearly/<year>/`: complete when its dump (not empty), checksum file
 * and manifest are all listed. Archived objects may sit in a cold storage class, so this
 * checks the listing only and does not read them.
 */
export async function findYearlyRun(s3: S3Client, bucket: string, year: number): Promise<YearlyRun | undefined> {
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
  const complete = newestFirst.find(([, run]) => run.files.has(MANIFEST_FILE_NAME) && run.files.has(CHECKSUM_FILE_NAME) && (run.files.get(DUMP_FILE_NAME) ?? 0) > 0);
  if (complete) {
    return { prefix: complete[0], date: new Date(`${complete[1].date}T00:00:00Z`) };
  }
  const [prefix, run] = newestFirst[0] ?? [];
  if (!prefix || !run) {
    return undefined;
  }
  const missing = [DUMP_FILE_NAME, CHECKSUM_FILE_NAME, MANIFEST_FILE_NAME].filter((name) => !run.files.has(name));
  const problem = missing.length > 0
    ? `s3://${bucket}/${prefix} lacks ${missing.join(', ')}`
    : `s3://${bucket}/${prefix}${DUMP_FILE_NAME} is empty`;
  return { prefix, date: new Date(`${run.date}T00:00:00Z`), problem };
}
