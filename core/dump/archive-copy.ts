/**
 * The yearly copy of a verified dump: a server-side copy from the 48-hour bucket into the
 * Object Lock archive bucket, made only after the daily copy's bytes were read back and
 * matched its `.sha256` file.
 *
 * A copy is always a multipart copy (UploadPartCopy), whatever the dump's size: S3 computes
 * each part's SHA-256 from the bytes it writes, and each must equal the SHA-256 of the same
 * range that the verifying read computed before CompleteMultipartUpload makes the object
 * exist. A mismatch, or a part whose checksum S3 did not return (unknown), aborts the upload:
 * nothing lands in the archive bucket, where a locked object could never be deleted. A single
 * CopyObject (up to 5 GiB) would have no such step: its checksum is known only once the
 * object exists. Every part reads the source version that was verified (CopySourceIfMatch
 * with its ETag).
 *
 * Every object is written once: a copy first looks for its object (ListObjectsV2), and
 * CompleteMultipartUpload and PutObject carry If-None-Match: *, so that a Finalize the
 * workflow runs again (Step Functions retries it on a Lambda service error, which can come
 * after the function ran to its end) copies nothing again and locks no second version. An object already there is checked instead (HeadObject with its SHA-256), and
 * accepted only when its size and SHA-256 are those of what was to be written.
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CompletedPart, CreateMultipartUploadCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';

/** How a copy is cut into parts. */
export interface CopyLimits {
  /** Bytes per part (the last part is shorter); S3 allows 5 MiB to 5 GiB and at most 10,000 parts. */
  readonly partBytes: number;
  /** Parts copied at the same time. */
  readonly concurrency: number;
}

/**
 * 1 GiB parts: S3's largest object (5 TiB) takes at most 5,120 of S3's 10,000 parts, and each
 * part is well under UploadPartCopy's 5 GiB.
 */
export const DEFAULT_COPY_LIMITS: CopyLimits = { partBytes: 1024 ** 3, concurrency: 8 };

/** What the verifying read of the source found. */
export interface VerifiedSource {
  readonly bucket: string;
  readonly key: string;
  /** The ETag of the version that was read. */
  readonly etag?: string;
  readonly bytes: number;
  /** Lower-case hex, of the whole object. */
  readonly sha256: string;
  /** Base64 SHA-256 of each `partBytes` slice, as the read computed them. */
  readonly partSha256?: string[];
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** How a write into the archive bucket ended: written now, or found already written (by an earlier attempt of the run) with the same size and SHA-256. */
export type ArchiveWrite = 'written' | 'already there';

/** An object a write found already at its key, whose size or SHA-256 is not that of what was to be written. */
export class ExistingObjectDiffers extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExistingObjectDiffers';
  }
}

/** Whether S3 refused a write because its If-None-Match: * found an object at the key. */
function foundExisting(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return error instanceof Error && (error.name === 'PreconditionFailed' || status === 412);
}

/**
 * Checks the object a conditional write found at `key` against what was to be written: its
 * size, and its SHA-256 as S3 stored it (HeadObject with ChecksumMode ENABLED). Throws when
 * either differs, or when S3 returned neither (unknown).
 */
async function checkExisting(s3: S3Client, bucket: string, key: string, expected: { bytes: number; checksumSHA256: string }, what: string): Promise<void> {
  let head;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
  } catch (error) {
    throw new Error(`${what}: an object is already at the key (written by an earlier attempt of this run?), but reading its size and SHA-256 failed (${describeError(error)}), so whether it is the verified one is unknown; nothing was written`);
  }
  if (head.ContentLength === undefined || !head.ChecksumSHA256) {
    throw new Error(`${what}: an object is already at the key (written by an earlier attempt of this run?), and S3 returned no ${head.ContentLength === undefined ? 'size' : 'SHA-256'} for it, so whether it is the verified one is unknown; nothing was written`);
  }
  // A multipart object's checksum ends in '-<parts>' (base64 has no '-').
  const bare = (checksum: string): string => checksum.replace(/-\d+$/, '');
  if (head.ContentLength !== expected.bytes || bare(head.ChecksumSHA256) !== bare(expected.checksumSHA256)) {
    throw new ExistingObjectDiffers(`${what}: an object is already at the key, of ${head.ContentLength} bytes with SHA-256 ${head.ChecksumSHA256}, not the verified ${expected.bytes} bytes with SHA-256 ${expected.checksumSHA256}; it is locked, and nothing was written beside it`);
  }
}

/**
 * Runs `work` on each index with at most `concurrency` at a time. After a failure no index
 * starts; it rejects with the first failure once the ones under way have ended (so that an
 * abort that follows finds no part copy in flight).
 */
async function eachLimited(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < count) {
      const index = next++;
      try {
        await work(index);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failures.length > 0) {
    throw failures[0];
  }
}

/**
 * Copies a verified dump object to `bucket`/`key` part by part, checking each part's SHA-256
 * as S3 computed it against the verifying read's before completing, and aborting the upload
 * on any failure. Throws naming both objects.
 */
export async function copyVerifiedDump(s3: S3Client, source: VerifiedSource, bucket: string, key: string, limits: CopyLimits = DEFAULT_COPY_LIMITS): Promise<ArchiveWrite> {
  const what = `copying s3://${source.bucket}/${source.key} to s3://${bucket}/${key}`;
  const partCount = Math.ceil(source.bytes / limits.partBytes);
  if (!source.etag) {
    throw new Error(`${what}: the verifying read returned no ETag, so a copy could not be pinned to the verified bytes; nothing was copied`);
  }
  if (source.bytes === 0 || source.partSha256 === undefined || source.partSha256.length !== partCount) {
    throw new Error(`${what}: the verifying read has no SHA-256 for each of the ${partCount} part(s) of ${limits.partBytes} bytes, so the copy could not be checked; nothing was copied`);
  }
  const partSha256 = source.partSha256;
  // S3's checksum of a multipart object is the SHA-256 of its parts' SHA-256, '-<parts>'.
  const composite = `${createHash('sha256').update(Buffer.concat(partSha256.map((part) => Buffer.from(part, 'base64')))).digest('base64')}-${partCount}`;
  // A Finalize run again after its copy completed copies nothing again: the listing (granted for
  // yearly/ prefixes, where a HEAD of a missing key would answer 403 rather than 404) finds it.
  let listed;
  try {
    listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 2 }));
  } catch (error) {
    throw new Error(`${what}: listing s3://${bucket}/${key} to find a copy made by an earlier attempt failed (${describeError(error)}); nothing was copied`);
  }
  if ((listed.Contents ?? []).some((object) => object.Key === key)) {
    await checkExisting(s3, bucket, key, { bytes: source.bytes, checksumSHA256: composite }, what);
    return 'already there';
  }
  const created = await s3.send(new CreateMultipartUploadCommand({
    Bucket: bucket,
    Key: key,
    // Object Lock buckets require a checksum on every write; SHA-256 is also what the parts are checked by.
    ChecksumAlgorithm: 'SHA256',
    ContentType: 'application/gzip',
    Metadata: { sha256: source.sha256 },
  }));
  const uploadId = created.UploadId;
  if (!uploadId) {
    throw new Error(`${what}: CreateMultipartUpload returned no upload id; nothing was copied`);
  }
  const abort = async (): Promise<string> => {
    try {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      return 'the upload was aborted';
    } catch (abortError) {
      return `aborting upload ${uploadId} failed too (${describeError(abortError)}; the workflow's AbortUploads step tries again)`;
    }
  };
  let completedChecksum: string | undefined;
  let existing = false;
  try {
    const parts: CompletedPart[] = new Array(partCount);
    await eachLimited(partCount, limits.concurrency, async (index) => {
      const first = index * limits.partBytes;
      const last = Math.min(first + limits.partBytes, source.bytes) - 1;
      const copied = await s3.send(new UploadPartCopyCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: index + 1,
        CopySource: `${source.bucket}/${source.key}`,
        CopySourceRange: `bytes=${first}-${last}`,
        CopySourceIfMatch: source.etag,
      }));
      const checksum = copied.CopyPartResult?.ChecksumSHA256;
      if (!checksum) {
        throw new Error(`part ${index + 1} (bytes ${first}-${last}): S3 returned no SHA-256 of the copied bytes, so whether they are the verified ones is unknown`);
      }
      if (checksum !== partSha256[index]) {
        throw new Error(`part ${index + 1} (bytes ${first}-${last}): S3's SHA-256 of the copied bytes is ${checksum}, the verified read's is ${partSha256[index]}`);
      }
      parts[index] = { PartNumber: index + 1, ETag: copied.CopyPartResult?.ETag, ChecksumSHA256: checksum };
    });
    try {
      // Only while the key has no object: a Finalize run again after its copy completed makes no second, locked version.
      completedChecksum = (await s3.send(new CompleteMultipartUploadCommand({
        Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, IfNoneMatch: '*',
      }))).ChecksumSHA256;
    } catch (error) {
      if (!foundExisting(error)) {
        throw error;
      }
      existing = true;
    }
  } catch (error) {
    const aborted = await abort();
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}; ${aborted === 'the upload was aborted' ? 'the upload was aborted, nothing was copied' : aborted}`);
  }
  if (existing) {
    // This copy's parts are no object (Object Lock does not hold them): abort them, then check the one already there.
    const aborted = await abort();
    if (aborted !== 'the upload was aborted') {
      console.warn(`${what}: ${aborted}`);
    }
    await checkExisting(s3, bucket, key, { bytes: source.bytes, checksumSHA256: composite }, what);
    return 'already there';
  }
  if (completedChecksum !== undefined && completedChecksum.replace(/-\d+$/, '') !== composite.replace(/-\d+$/, '')) {
    throw new Error(`${what}: S3's SHA-256 of the parts' SHA-256 is ${completedChecksum}, the verified read's is ${composite}; the object was written and is locked`);
  }
  return 'written';
}

/**
 * Writes a small object into the archive bucket once (If-None-Match: *), with the SHA-256 that
 * Object Lock requires and S3 checks; an object already at the key (an earlier attempt of the
 * run) is accepted only with the same size and SHA-256, see `checkExisting`.
 */
export async function putArchiveObject(s3: S3Client, bucket: string, key: string, text: string, options: { contentType: string; metadata?: Record<string, string> }): Promise<ArchiveWrite> {
  const bytes = Buffer.from(text, 'utf8');
  const checksumSHA256 = createHash('sha256').update(bytes).digest('base64');
  try {
    await s3.send(new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: bytes,
      ContentType: options.contentType,
      ...(options.metadata ? { Metadata: options.metadata } : {}),
      ChecksumSHA256: checksumSHA256,
      IfNoneMatch: '*',
    }));
    return 'written';
  } catch (error) {
    if (!foundExisting(error)) {
      throw error;
    }
  }
  await checkExisting(s3, bucket, key, { bytes: bytes.length, checksumSHA256 }, `writing s3://${bucket}/${key}`);
  return 'already there';
}

/** Writes the `.sha256` file of an archive copy once, see `putArchiveObject`. */
export async function putVerifiedText(s3: S3Client, bucket: string, key: string, text: string): Promise<ArchiveWrite> {
  return putArchiveObject(s3, bucket, key, text, { contentType: 'text/plain' });
}
