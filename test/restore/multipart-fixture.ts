/**
 * What the multipart copy tests share: a source object above the single-copy limit, its
 * target, and the mocked calls before its parts (S3 mocked).
 */
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectTaggingCommand, HeadObjectCommand, S3ClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';

export const GiB = 1024 ** 3;

/** The copy's target. */
export const target = { bucket: 'data', key: 'restored/app/big.bin' };

/** A source of `parts` parts: all of 1 GiB but the last, of 5 bytes. */
export function bigSource(parts: number) {
  return { bucket: 'data', key: 'app/big.bin', versionId: 'g1', size: (parts - 1) * GiB + 5 };
}

/** The calls before the parts of a new copy: the source's tags and head, no copy at the target yet, and upload 'upload-1'. */
export function arrangeNewUpload(s3mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>): void {
  s3mock.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3mock.on(GetObjectTaggingCommand, { Key: target.key }).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} }));
  s3mock.on(HeadObjectCommand).resolves({ ContentType: 'application/octet-stream' });
  s3mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
}

/** The size of part `part` of `bigSource(parts)`. */
export function partSize(parts: number, part: number): number {
  return part === parts ? 5 : GiB;
}

/** A ListParts answer: the parts `numbers` of `bigSource(parts)`, each of its size, with the ETags `etag` gives ("copied-n" by default). */
export function listedParts(parts: number, numbers: readonly number[], etag: (part: number) => string = (part) => `"copied-${part}"`) {
  return { Parts: numbers.map((PartNumber) => ({ PartNumber, ETag: etag(PartNumber), Size: partSize(parts, PartNumber) })), IsTruncated: false };
}

/** A part copied in this call gets the ETag "redone-n", and aborting an upload succeeds. */
export function arrangeRedoneParts(s3mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>): void {
  s3mock.on(UploadPartCopyCommand).callsFake((input: { PartNumber?: number }) => ({ CopyPartResult: { ETag: `"redone-${input.PartNumber}"` } }));
  s3mock.on(AbortMultipartUploadCommand).resolves({});
}

/** An error as S3 answers it: its name and HTTP status. */
export function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from S3`), { name, $metadata: { httpStatusCode: status } });
}

/** A failed connection, as Node.js reports it to the SDK. */
export function networkError(code: string): Error {
  return Object.assign(new Error(`socket: ${code}`), { code, $metadata: {} });
}

/** Failures that pass (throttling, 5xx, a dropped connection) as S3 and the SDK report them after the SDK's own attempts. */
export const PASSING_S3_ERRORS: [string, Error][] = [
  ['SlowDown (503)', s3Error('SlowDown', 503)],
  ['ThrottlingException', s3Error('ThrottlingException', 400)],
  ['ServiceUnavailable (503)', s3Error('ServiceUnavailable', 503)],
  ['InternalError (500)', s3Error('InternalError', 500)],
  ['RequestTimeout', s3Error('RequestTimeout', 400)],
  ['a connection reset', networkError('ECONNRESET')],
  ['a timed-out socket', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
];
