/**
 * The SHA-256 of an S3 object read with several ranged GETs at once. One GetObject stream
 * reads a large dump far slower than S3 serves parallel ranges, so a dump of tens of GB
 * did not fit in the function's timeout. Parts are fetched ahead, at most `partsInFlight`
 * at a time (each held in memory until hashed), and fed to the hash in order.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** Bytes per ranged GET. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
/** Ranged GETs in flight (and parts held in memory) per object. */
export const DEFAULT_PARTS_IN_FLIGHT = 8;

export interface RangedReadOptions {
  /** @default DEFAULT_PART_BYTES */
  readonly partBytes?: number;
  /** @default DEFAULT_PARTS_IN_FLIGHT */
  readonly partsInFlight?: number;
  /** Stops the read (with the signal's reason) when aborted, e.g. when the run's time is up. */
  readonly signal?: AbortSignal;
}

/** The object as a HEAD saw it; every range is read only from this version (`If-Match`). */
export interface ObjectVersion {
  readonly bytes: number;
  readonly eTag: string;
}

/** The object was replaced while it was read: the hash is of no version, so the check is `unknown`. */
export class ObjectChangedError extends Error {
  constructor(where: string, eTag: string, detail: string) {
    super(`${where} changed while it was read (it was ETag ${eTag}; ${detail}); the next run reads it again`);
    this.name = 'ObjectChangedError';
  }
}

function isPreconditionFailed(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'PreconditionFailed' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 412;
}

async function readRange(s3: S3Client, bucket: string, key: string, object: ObjectVersion, start: number, end: number, signal: AbortSignal): Promise<Uint8Array[]> {
  const where = `s3://${bucket}/${key}`;
  let response;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end}`, IfMatch: object.eTag }), { abortSignal: signal });
  } catch (error) {
    if (isPreconditionFailed(error)) {
      throw new ObjectChangedError(where, object.eTag, `bytes ${start}-${end} no longer match it`);
    }
    throw error;
  }
  if (response.ETag !== undefined && response.ETag !== object.eTag) {
    throw new ObjectChangedError(where, object.eTag, `bytes ${start}-${end} came from ETag ${response.ETag}`);
  }
  const body = response.Body as AsyncIterable<Uint8Array> | undefined;
  if (!body) {
    throw new Error(`${where} returned no body for bytes ${start}-${end}`);
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.length;
  }
  if (length !== end - start + 1) {
    throw new Error(`${where} returned ${length} bytes for bytes ${start}-${end}, expected ${end - start + 1}`);
  }
  return chunks;
}

/**
 * The SHA-256 (lower-case hex) of `object.bytes` bytes of the object, read from the version
 * with `object.eTag` only. Any failed range fails the whole read (the others are aborted).
 */
export async function hashObjectInRanges(s3: S3Client, bucket: string, key: string, object: ObjectVersion, options: RangedReadOptions = {}): Promise<string> {
  const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
  const partsInFlight = options.partsInFlight ?? DEFAULT_PARTS_IN_FLIGHT;
  if (!(partBytes >= 1 && partsInFlight >= 1)) {
    throw new Error(`ranged read of s3://${bucket}/${key}: partBytes and partsInFlight must be at least 1, got ${partBytes} and ${partsInFlight}`);
  }
  const hash = createHash('sha256');
  const parts = Math.ceil(object.bytes / partBytes);
  const abort = new AbortController();
  const stop = () => abort.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const pending: Array<Promise<Uint8Array[]>> = [];
  let next = 0;
  const startNext = (): void => {
    const start = next * partBytes;
    const end = Math.min(start + partBytes, object.bytes) - 1;
    next++;
    const read = readRange(s3, bucket, key, object, start, end, abort.signal);
    // Handled when its turn comes; until then a failure must not count as unhandled.
    read.catch(() => undefined);
    pending.push(read);
  };
  try {
    while (pending.length < partsInFlight && next < parts) {
      startNext();
    }
    while (pending.length > 0) {
      options.signal?.throwIfAborted();
      for (const chunk of await pending.shift()!) {
        hash.update(chunk);
      }
      if (next < parts) {
        startNext();
      }
    }
  } catch (error) {
    abort.abort();
    throw options.signal?.aborted ? options.signal.reason : error;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
  return hash.digest('hex');
}
