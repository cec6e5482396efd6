/**
 * What the multipart copy tests share: a source object above the single-copy limit, its
 * target, and the mocked calls before its parts (S3 mocked).
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectVersionsCommand, S3ClientResolvedConfig,
  ServiceInputTypes, ServiceOutputTypes, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { ObjectRestorePlan, OpenUpload } from '../../core/restore-workflows/objects';
import { s3Error } from './s3-errors';

type S3Mock = AwsStub<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>;

export const GiB = 1024 ** 3;

/** The copy's target. */
export const target = { bucket: 'data', key: 'restored/app/big.bin' };

/** An upload of a copy to a new prefix left open: completed only while no object is at the key. */
export function openUpload(uploadId = 'upload-1'): OpenUpload {
  return { uploadId, condition: { IfNoneMatch: '*' } };
}

/** A source of `parts` parts: all of 1 GiB but the last, of 5 bytes. */
export function bigSource(parts: number) {
  return { bucket: 'data', key: 'app/big.bin', versionId: 'g1', size: (parts - 1) * GiB + 5 };
}

/** The calls before the parts of a new copy: the source's tags and head, no copy at the target yet, and upload 'upload-1'. */
export function arrangeNewUpload(s3mock: S3Mock): void {
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
export function arrangeRedoneParts(s3mock: S3Mock): void {
  s3mock.on(UploadPartCopyCommand).callsFake((input: { PartNumber?: number }) => ({ CopyPartResult: { ETag: `"redone-${input.PartNumber}"` } }));
  s3mock.on(AbortMultipartUploadCommand).resolves({});
}

/** A new copy that goes through from a fresh mock: upload 'upload-1', each part copied ("redone-n"), the upload completed. */
export function arrangeCompletingCopy(s3mock: S3Mock): void {
  s3mock.reset();
  arrangeNewUpload(s3mock);
  arrangeRedoneParts(s3mock);
  s3mock.on(CompleteMultipartUploadCommand).resolves({});
}

/** A point-in-time restore of data/app/ to a new prefix, whose scan finds `bigSource(parts)` (see {@link arrangeScannedSource}). */
export const scanPlan: ObjectRestorePlan = {
  mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: '2026-11-20T12:00:00.000Z', targetBucket: 'data', targetPrefix: 'restored/app/', inPlace: false,
  startedAt: '2026-11-21T00:00:00.000Z', listUploads: "aws s3api list-multipart-uploads --bucket data --prefix 'restored/app/'",
};

/** The versions under data/app/: `bigSource(parts)` alone, current, written before the time of {@link scanPlan}. */
export function arrangeScannedSource(s3mock: S3Mock, parts: number): void {
  const source = bigSource(parts);
  s3mock.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: source.key, VersionId: source.versionId, LastModified: new Date('2026-11-20T00:00:00Z'), Size: source.size, IsLatest: true }], IsTruncated: false });
}

/**
 * HeadObject of the target key in place: a version's own metadata when asked by version id,
 * otherwise the version `current()` says is current (NotFound while none is).
 */
export function arrangeCurrentVersionHead(s3mock: S3Mock, current: () => { etag: string; versionId: string } | undefined): void {
  s3mock.on(HeadObjectCommand).callsFake((input) => {
    if (input.VersionId !== undefined) {
      return { ContentType: 'application/octet-stream' };
    }
    const now = current();
    if (now === undefined) {
      throw s3Error('NotFound', 404);
    }
    return { ETag: now.etag, VersionId: now.versionId };
  });
}

