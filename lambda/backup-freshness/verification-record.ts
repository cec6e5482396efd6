/**
 * The record of a dump run whose files were verified, kept in the report bucket so that
 * each run's files are hashed once rather than on every hourly run. A later run reuses a
 * file's entry only while HEAD shows the same object (size, ETag and version id); anything
 * else, or a record that is missing or unreadable, means hashing again. Only a run that
 * verified completely is recorded.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** One file as it was when its bytes were hashed and matched the manifest. */
export interface VerifiedFile {
  readonly key: string;
  readonly bytes: number;
  readonly eTag: string;
  /** The object's version id, when the bucket is versioned. */
  readonly versionId?: string;
  readonly sha256: string;
  /** ISO 8601 time the bytes were hashed. */
  readonly verifiedAt: string;
}

/** The record of one run: `<verificationPrefix><bucket>/<run prefix>verified.json`. */
export interface VerificationRecord {
  readonly version: 1;
  readonly bucket: string;
  /** The run's prefix, e.g. `daily/2026-11-21/<run id>/`. */
  readonly prefix: string;
  readonly files: VerifiedFile[];
}

/** Reads and writes the records of runs. */
export interface VerificationStore {
  /** The record of a run; undefined when there is none or it cannot be read or parsed. */
  read(bucket: string, prefix: string): Promise<VerificationRecord | undefined>;
  /** Stores a record; throws with its location when it cannot. */
  write(record: VerificationRecord): Promise<void>;
}

/** The key of a run's record. */
export function recordKey(verificationPrefix: string, bucket: string, prefix: string): string {
  return `${verificationPrefix}${bucket}/${prefix}verified.json`;
}

/** Whether HEAD shows the same object that was verified. */
export function sameObject(verified: VerifiedFile, current: { key: string; bytes: number; eTag: string; versionId?: string }): boolean {
  return verified.key === current.key && verified.bytes === current.bytes && verified.eTag === current.eTag && verified.versionId === current.versionId;
}

const SHA256 = /^[0-9a-f]{64}$/;

function isVerifiedFile(value: unknown): value is VerifiedFile {
  const file = value as Partial<Record<keyof VerifiedFile, unknown>>;
  return typeof value === 'object' && value !== null
    && typeof file.key === 'string' && file.key.length > 0
    && typeof file.bytes === 'number' && Number.isSafeInteger(file.bytes) && file.bytes >= 0
    && typeof file.eTag === 'string' && file.eTag.length > 0
    && (file.versionId === undefined || (typeof file.versionId === 'string' && file.versionId.length > 0))
    && typeof file.sha256 === 'string' && SHA256.test(file.sha256)
    && typeof file.verifiedAt === 'string' && !Number.isNaN(Date.parse(file.verifiedAt));
}

/** Parses a record of the given run; throws when it is not one. */
export function parseRecord(text: string, bucket: string, prefix: string): VerificationRecord {
  const parsed = JSON.parse(text) as Partial<Record<keyof VerificationRecord, unknown>>;
  if (parsed?.version !== 1 || parsed.bucket !== bucket || parsed.prefix !== prefix || !Array.isArray(parsed.files) || !parsed.files.every(isVerifiedFile)) {
    throw new Error(`not a verification record of s3://${bucket}/${prefix}`);
  }
  return parsed as VerificationRecord;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Records in `s3://<reportBucket>/<verificationPrefix>`. */
export function s3VerificationStore(s3: S3Client, reportBucket: string, verificationPrefix: string): VerificationStore {
  return {
    async read(bucket, prefix) {
      const key = recordKey(verificationPrefix, bucket, prefix);
      try {
        const response = await s3.send(new GetObjectCommand({ Bucket: reportBucket, Key: key }));
        return parseRecord(await response.Body!.transformToString('utf8'), bucket, prefix);
      } catch (error) {
        // A missing record is AccessDenied as well as NoSuchKey: the function may not list
        // the report bucket. Either way the files are hashed again.
        console.log(JSON.stringify({ message: 'no usable verification record; hashing the files', record: `s3://${reportBucket}/${key}`, reason: describe(error) }));
        return undefined;
      }
    },
    async write(record) {
      const key = recordKey(verificationPrefix, record.bucket, record.prefix);
      try {
        await s3.send(new PutObjectCommand({ Bucket: reportBucket, Key: key, Body: `${JSON.stringify(record, null, 2)}\n`, ContentType: 'application/json' }));
      } catch (error) {
        throw new Error(`could not store the verification record at s3://${reportBucket}/${key}: ${describe(error)}`);
      }
    },
  };
}
