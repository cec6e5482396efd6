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
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CompletedPart, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCopyCommand,
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
export async function copyVerifiedDump(s3: S3Client, source: VerifiedSource, bucket: string, key: string, limits: CopyLimits = DEFAULT_COPY_LIMITS): Promise<void> {
  const what = `copying s3://${source.bucket}/${source.key} to s3://${bucket}/${key}`;
  const partCount = Math.ceil(source.bytes / limits.partBytes);
  if (!source.etag) {
    throw new Error(`${what}: the verifying read returned no ETag, so a copy could not be pinned to the verified bytes; nothing was copied`);
  }
  if (source.bytes === 0 || source.partSha256 === undefined || source.partSha256.length !== partCount) {
    throw new Error(`${what}: the verifying read has no SHA-256 for each of the ${partCount} part(s) of ${limits.partBytes} bytes, so the copy could not be checked; nothing was copied`);
  }
  const partSha256 = source.partSha256;
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
  let completedChecksum: string | undefined;
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
    completedChecksum = (await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }))).ChecksumSHA256;
  } catch (error) {
    let aborted = 'the upload was aborted, nothing was copied';
    try {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    } catch (abortError) {
      aborted = `aborting upload ${uploadId} failed too (${describeError(abortError)}; the workflow's AbortUploads step tries again)`;
    }
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}; ${aborted}`);
  }
  // S3 checked each part against the checksum given with it; its checksum of the whole is the SHA-256 of the parts' SHA-256, '-<parts>'.
  const composite = createHash('sha256').update(Buffer.concat(partSha256.map((part) => Buffer.from(part, 'base64')))).digest('base64');
  if (completedChecksum !== undefined && completedChecksum.replace(/-\d+$/, '') !== composite) {
    throw new Error(`${what}: S3's SHA-256 of the parts' SHA-256 is ${completedChecksum}, the verified read's is ${composite}-${partCount}; the object was written and is locked`);
  }
}

/** Writes a small verified text object (the `.sha256` file) with the SHA-256 that Object Lock requires and S3 checks. */
export async function putVerifiedText(s3: S3Client, bucket: string, key: string, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    Body: bytes,
    ContentType: 'text/plain',
    ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
  }));
}
