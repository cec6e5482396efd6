/**
 * The `abort-uploads` step of the dump workflow's failure path: aborts the multipart uploads
 * a failed run left open under its own prefixes. The upload container's AWS CLI aborts its
 * upload when a part fails, but not when the task is stopped (timeout) or killed, nor when
 * the abort itself fails; Finalize's copy into the archive bucket (`copyVerifiedDump`) aborts
 * its own on a failure, but not when the function times out mid-copy. The parts of an open
 * upload are stored and billed until aborted (they are no object: Object Lock does not hold them).
 */
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { isValidRunId } from '../../core/dump/manifest';

/** The part of `PreparedRun` that says where the run's copies go. */
export interface RunCopies {
  readonly runId: string;
  readonly dailyBucket: string;
  readonly dailyPrefix: string;
  /** Empty when the run has no archive copy. */
  readonly archiveBucket: string;
  readonly archivePrefix: string;
}

export interface AbortUploadsEvent {
  readonly action: 'abort-uploads';
  readonly run: RunCopies;
}

/** One aborted upload. */
export interface AbortedUpload {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
}

export interface AbortedUploads {
  readonly aborted: AbortedUpload[];
}

interface OpenUpload {
  readonly key: string;
  readonly uploadId: string;
}

async function openUploads(s3: S3Client, bucket: string, prefix: string): Promise<OpenUpload[]> {
  const uploads: OpenUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
    for (const upload of page.Uploads ?? []) {
      if (upload.Key?.startsWith(prefix) && upload.UploadId) {
        uploads.push({ key: upload.Key, uploadId: upload.UploadId });
      }
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker !== undefined);
  return uploads;
}

function isNoSuchUpload(error: unknown): boolean {
  return error instanceof Error && error.name === 'NoSuchUpload';
}

/**
 * Aborts every open multipart upload under the run's daily (and archive) prefix, and only
 * there: each prefix must end in the run id. Tries every upload; throws afterwards, naming
 * each one that could not be aborted, so that the workflow retries.
 */
export async function abortUploads(s3: S3Client, event: AbortUploadsEvent): Promise<AbortedUploads> {
  const { run } = event;
  if (!isValidRunId(run.runId)) {
    throw new Error(`abort-uploads: '${run.runId}' is not a run id`);
  }
  const copies = [{ bucket: run.dailyBucket, prefix: run.dailyPrefix }];
  if (run.archiveBucket && run.archivePrefix) {
    copies.push({ bucket: run.archiveBucket, prefix: run.archivePrefix });
  }
  for (const copy of copies) {
    if (!copy.bucket || !copy.prefix.endsWith(`/${run.runId}/`)) {
      throw new Error(`abort-uploads: s3://${copy.bucket}/${copy.prefix} is not a prefix of run ${run.runId}; nothing was aborted`);
    }
  }
  const aborted: AbortedUpload[] = [];
  const failures: string[] = [];
  for (const copy of copies) {
    for (const upload of await openUploads(s3, copy.bucket, copy.prefix)) {
      try {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: copy.bucket, Key: upload.key, UploadId: upload.uploadId }));
        aborted.push({ bucket: copy.bucket, ...upload });
      } catch (error) {
        if (!isNoSuchUpload(error)) {
          failures.push(`s3://${copy.bucket}/${upload.key} (upload ${upload.uploadId}): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        }
      }
    }
  }
  if (failures.length > 0) {
    throw new Error(`dump run ${run.runId}: ${failures.length} open multipart upload(s) could not be aborted: ${failures.join('; ')}`);
  }
  return { aborted };
}
