/**
 * Reading back what the dump task uploaded: the SHA-256 of an S3 object computed from its
 * bytes (streamed, memory does not grow with the object), and its `.sha256` file.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseChecksumFile } from './manifest';

/** Size and SHA-256 of an object's bytes. */
export interface ObjectDigest {
  readonly bytes: number;
  /** Lower-case hex. */
  readonly sha256: string;
}

/** What one read of an object saw: its digest, its ETag, and the digests of its parts when asked for. */
export interface ReadDigest extends ObjectDigest {
  /** The ETag of the version that was read; undefined when S3 returned none. */
  readonly etag?: string;
  /** The SHA-256 (base64, as S3 gives part checksums) of each `partBytes` slice, in order; only when `partBytes` was given. */
  readonly partSha256?: string[];
}

/**
 * Streams an object and hashes it; with `partBytes`, also each consecutive slice of that
 * many bytes (the last one shorter), in the same pass. Errors name the object.
 */
export async function digestObject(s3: S3Client, bucket: string, key: string, partBytes?: number): Promise<ReadDigest> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = response.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) {
      throw new Error('the response has no body');
    }
    const hash = createHash('sha256');
    const parts: string[] = [];
    let part = partBytes === undefined ? undefined : createHash('sha256');
    let inPart = 0;
    let bytes = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      bytes += chunk.length;
      let offset = 0;
      while (part !== undefined && partBytes !== undefined && offset < chunk.length) {
        const take = Math.min(partBytes - inPart, chunk.length - offset);
        part.update(chunk.subarray(offset, offset + take));
        offset += take;
        inPart += take;
        if (inPart === partBytes) {
          parts.push(part.digest('base64'));
          part = createHash('sha256');
          inPart = 0;
        }
      }
    }
    if (part !== undefined && inPart > 0) {
      parts.push(part.digest('base64'));
    }
    return { bytes, sha256: hash.digest('hex'), etag: response.ETag, ...(partBytes === undefined ? {} : { partSha256: parts }) };
  } catch (error) {
    throw new Error(`s3://${bucket}/${key}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads a small text object. */
export async function readTextObject(s3: S3Client, bucket: string, key: string): Promise<string> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!response.Body) {
      throw new Error('the response has no body');
    }
    return await response.Body.transformToString('utf8');
  } catch (error) {
    throw new Error(`s3://${bucket}/${key}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A dump object checked against its `.sha256` file. */
export interface VerifiedDump {
  readonly dump: ReadDigest;
  readonly checksum: ObjectDigest;
  /** The `.sha256` file's text, as read. */
  readonly checksumText: string;
}

/**
 * Checks a dump object against its `.sha256` file and returns the digests of both (with
 * `partBytes`, also those of the dump's parts, see `digestObject`). Throws, naming the
 * object, when the bytes do not match the recorded digest.
 */
export async function verifyDumpObject(s3: S3Client, bucket: string, dumpKey: string, checksumKey: string, partBytes?: number): Promise<VerifiedDump> {
  const checksumText = await readTextObject(s3, bucket, checksumKey);
  const recorded = parseChecksumFile(checksumText);
  const dump = await digestObject(s3, bucket, dumpKey, partBytes);
  if (dump.sha256 !== recorded) {
    throw new Error(`s3://${bucket}/${dumpKey}: SHA-256 of the stored bytes is ${dump.sha256}, but ${checksumKey} records ${recorded}`);
  }
  const checksumBytes = Buffer.from(checksumText, 'utf8');
  return { dump, checksum: { bytes: checksumBytes.length, sha256: createHash('sha256').update(checksumBytes).digest('hex') }, checksumText };
}
