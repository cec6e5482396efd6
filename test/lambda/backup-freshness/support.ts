import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as S3 from '@aws-sdk/client-s3';
import { GetObjectCommandOutput, ServiceOutputTypes } from '@aws-sdk/client-s3';
import { AwsStub } from 'aws-sdk-client-mock';
import { checksumFileContent, DumpManifest, serializeManifest } from '../../../core/dump/manifest';

/** A GetObject body as the SDK returns it in Node.js: a stream that can also turn itself into a string. */
export function objectBody(content: string | Buffer, chunkSize = 7): GetObjectCommandOutput['Body'] {
  const bytes = Buffer.from(content);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    chunks.push(bytes.subarray(offset, offset + chunkSize));
  }
  const stream = Readable.from(chunks);
  return Object.assign(stream, {
    transformToString: async () => bytes.toString('utf8'),
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToWebStream: () => { throw new Error('not used'); },
  }) as unknown as GetObjectCommandOutput['Body'];
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** An AWS SDK service error as the SDK throws it. */
export function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode }, $fault: 'client' });
}

/** The ETag S3 gives a single-part upload without KMS: the quoted MD5 of the content. */
export function eTagOf(content: Buffer): string {
  return `"${createHash('md5').update(content).digest('hex')}"`;
}

type S3Stub = AwsStub<object, ServiceOutputTypes, unknown>;

/** What `serveObjects` answers with: objects by key (any bucket but the report bucket), and the report bucket's objects. */
export interface ServedObjects {
  readonly objects: Map<string, Buffer>;
  /** Objects of the bucket `reports`, which PutObject writes to. */
  readonly reports?: Map<string, Buffer>;
  /** Version ids by key, for a versioned bucket. */
  readonly versions?: Map<string, string>;
  /** Called before each ranged GET is answered (to change the object mid-read, or fail a range). */
  readonly beforeRange?: (key: string, range: string) => void | Promise<void>;
  /** The SDK module whose commands the code under test sends (a handler loaded in isolation has its own copy). */
  readonly sdk?: typeof S3;
  /** What HEAD adds for a key: its storage class, user metadata, restore status. GET of a GLACIER or DEEP_ARCHIVE object not restored fails, as in S3. */
  readonly heads?: Map<string, { StorageClass?: string; Metadata?: Record<string, string>; Restore?: string }>;
}

/**
 * Answers ListObjectsV2, HeadObject, GetObject (whole or `Range: bytes=a-b`, honouring
 * `If-Match`) and PutObject of the report bucket from maps, as S3 would.
 */
export function serveObjects(s3Mock: S3Stub, served: ServedObjects, pageSize = 2): void {
  const { objects, reports = new Map(), versions = new Map(), heads = new Map() } = served;
  const archived = (key: string | undefined): boolean => {
    const head = heads.get(key ?? '');
    return ['GLACIER', 'DEEP_ARCHIVE'].includes(head?.StorageClass ?? '') && !/ongoing-request="false"/.test(head?.Restore ?? '');
  };
  const { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } = served.sdk ?? S3;
  const find = (bucket: string | undefined, key: string | undefined): Buffer | undefined => (bucket === 'reports' ? reports : objects).get(key ?? '');
  const notFound = (): Error => awsError('NoSuchKey', 'The specified key does not exist.', 404);
  s3Mock.on(ListObjectsV2Command).callsFake((input) => {
    const keys = [...objects.keys()].filter((key) => key.startsWith(input.Prefix)).sort();
    const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
    const page = keys.slice(start, start + pageSize);
    const more = start + pageSize < keys.length;
    return { Contents: page.map((Key) => ({ Key, Size: objects.get(Key)!.length })), IsTruncated: more, NextContinuationToken: more ? String(start + pageSize) : undefined };
  });
  s3Mock.on(HeadObjectCommand).callsFake((input) => {
    const content = find(input.Bucket, input.Key);
    if (!content) {
      throw awsError('NotFound', 'Not Found', 404);
    }
    return { ContentLength: content.length, ETag: eTagOf(content), VersionId: versions.get(input.Key), ...heads.get(input.Key) };
  });
  s3Mock.on(GetObjectCommand).callsFake(async (input) => {
    if (input.Range) {
      await served.beforeRange?.(input.Key, input.Range);
    }
    const content = find(input.Bucket, input.Key);
    if (!content) {
      throw notFound();
    }
    if (archived(input.Key)) {
      throw awsError('InvalidObjectState', 'The operation is not valid for the object\'s storage class', 403);
    }
    if (input.IfMatch !== undefined && input.IfMatch !== eTagOf(content)) {
      throw awsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
    }
    if (!input.Range) {
      return { Body: objectBody(content), ETag: eTagOf(content), ContentLength: content.length };
    }
    const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.Range)!;
    const part = content.subarray(Number(first), Math.min(Number(last), content.length - 1) + 1);
    return { Body: objectBody(part), ETag: eTagOf(content), ContentLength: part.length, ContentRange: `bytes ${first}-${Number(first) + part.length - 1}/${content.length}` };
  });
  s3Mock.on(PutObjectCommand).callsFake((input) => {
    if (input.Bucket !== 'reports') {
      throw awsError('AccessDenied', 'Access Denied', 403);
    }
    reports.set(input.Key, Buffer.from(String(input.Body)));
    return { ETag: eTagOf(Buffer.from(String(input.Body))) };
  });
}

/** The manifest of a run holding `dump` and its checksum file. */
export function manifestFor(prefix: string, runId: string, createdAt: Date, dump: Buffer): DumpManifest {
  return {
    version: 1,
    runId,
    tier: prefix.startsWith('daily/') ? 'daily' : 'yearly',
    createdAt: createdAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    source: { host: 'replica', engine: 'mariadb', serverVersion: '10.11.6', gtidPosition: '0-1-42' },
    replicationPaused: true,
    databases: ['shop'],
    tables: [{ schema: 'shop', table: 'orders', rows: 3, checksum: 'abc', hasPrimaryKey: true }],
    files: [
      { key: `${prefix}dump.sql.gz`, bytes: dump.length, sha256: sha256(dump) },
      { key: `${prefix}dump.sql.gz.sha256`, bytes: Buffer.byteLength(checksumFileContent(sha256(dump))), sha256: sha256(checksumFileContent(sha256(dump))) },
    ],
  };
}

/** Puts a run's three objects into the map. */
export function storeRun(objects: Map<string, Buffer>, prefix: string, runId: string, createdAt: Date, dump: Buffer): void {
  objects.set(`${prefix}dump.sql.gz`, dump);
  objects.set(`${prefix}dump.sql.gz.sha256`, Buffer.from(checksumFileContent(sha256(dump))));
  objects.set(`${prefix}manifest.json`, Buffer.from(serializeManifest(manifestFor(prefix, runId, createdAt, dump))));
}
