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

/** Streams an object and hashes it. Errors name the object. */
export async function digestObject(s3: S3Client, bucket: string, key: string): Promise<ObjectDigest> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = response.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) {
      throw new Error('the response has no body');
    }
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    return { bytes, sha256: hash.digest('hex') };
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

/**
 * Checks a dump object against its `.sha256` file and returns the digests of both. Throws,
 * naming the object, when the bytes do not match the recorded digest.
 */
export async function verifyDumpObject(s3: S3Client, bucket: string, dumpKey: string, checksumKey: string): Promise<{ dump: ObjectDigest; checksum: ObjectDigest }> {
  const checksumText = await readTextObject(s3, bucket, checksumKey);
  const recorded = parseChecksumFile(checksumText);
  const dump = await digestObject(s3, bucket, dumpKey);
  if (dump.sha256 !== recorded) {
    throw new Error(`s3://${bucket}/${dumpKey}: SHA-256 of the stored bytes is ${dump.sha256}, but ${checksumKey} records ${recorded}`);
  }
  const checksumBytes = Buffer.from(checksumText, 'utf8');
  return { dump, checksum: { bytes: checksumBytes.length, sha256: createHash('sha256').update(checksumBytes).digest('hex') } };
}
