/**
 * The yearly copy's building blocks without a database: the part digests of the verifying
 * read, and the multipart copy's checks, with aws-sdk-client-mock answering as S3 does.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { copyVerifiedDump, VerifiedSource } from '../../../core/dump/archive-copy';
import { digestObject } from '../../../core/dump/objects';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const bytes = Buffer.from(Array.from({ length: 95 }, (_, index) => (index * 37) % 256));
const sha256 = (data: Buffer, encoding: 'hex' | 'base64'): string => createHash('sha256').update(data).digest(encoding);
const partsOf = (data: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(data.length / size) }, (_, index) => data.subarray(index * size, (index + 1) * size));

beforeEach(() => {
  s3Mock.reset();
});

test('the read hashes each part in the same pass, whatever the chunks the stream delivers', async () => {
  // Chunks of 7 bytes against parts of 10: chunks cross part boundaries, parts end inside chunks.
  s3Mock.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from(partsOf(bytes, 7)), ETag: '"e"' }));
  const read = await digestObject(s3, 'daily-bucket', 'k', 10);
  expect(read).toEqual({ bytes: 95, sha256: sha256(bytes, 'hex'), etag: '"e"', partSha256: partsOf(bytes, 10).map((part) => sha256(part, 'base64')) });
  expect(await digestObject(s3, 'daily-bucket', 'k')).toEqual({ bytes: 95, sha256: sha256(bytes, 'hex'), etag: '"e"' });
});

describe('copyVerifiedDump', () => {
  const source: VerifiedSource = {
    bucket: 'daily-bucket', key: 'daily/2027-01-01/r/dump.sql.gz', etag: '"e"', bytes: 95, sha256: sha256(bytes, 'hex'),
    partSha256: partsOf(bytes, 10).map((part) => sha256(part, 'base64')),
  };
  const composite = sha256(Buffer.concat(partsOf(bytes, 10).map((part) => createHash('sha256').update(part).digest())), 'base64');

  beforeEach(() => {
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u' });
    s3Mock.on(UploadPartCopyCommand).callsFake((input) => {
      const [first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.CopySourceRange)!.slice(1).map(Number);
      return { CopyPartResult: { ETag: `"p${input.PartNumber}"`, ChecksumSHA256: sha256(bytes.subarray(first, last + 1), 'base64') } };
    });
    s3Mock.on(AbortMultipartUploadCommand).resolves({});
  });

  test('completes with every part and its checksum; S3\'s checksum of the parts\' checksums is checked', async () => {
    s3Mock.on(CompleteMultipartUploadCommand).resolves({ ChecksumSHA256: `${composite}-10` });
    await copyVerifiedDump(s3, source, 'archive-bucket', 'yearly/2027/2027-01-01/r/dump.sql.gz', { partBytes: 10, concurrency: 4 });
    const parts = s3Mock.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input.MultipartUpload!.Parts!;
    expect(parts).toEqual(source.partSha256!.map((checksum, index) => ({ PartNumber: index + 1, ETag: `"p${index + 1}"`, ChecksumSHA256: checksum })));
    expect(s3Mock.commandCalls(UploadPartCopyCommand).map((call) => call.args[0].input.CopySourceRange).sort()).toContain('bytes=90-94');
  });

  test('a completed object whose checksum is not that of the verified parts fails, saying it is written and locked', async () => {
    s3Mock.on(CompleteMultipartUploadCommand).resolves({ ChecksumSHA256: `${sha256(Buffer.from('other'), 'base64')}-10` });
    await expect(copyVerifiedDump(s3, source, 'archive-bucket', 'yearly/k', { partBytes: 10, concurrency: 4 }))
      .rejects.toThrow(`copying s3://daily-bucket/${source.key} to s3://archive-bucket/yearly/k: S3's SHA-256 of the parts' SHA-256 is ${sha256(Buffer.from('other'), 'base64')}-10, `
        + `the verified read's is ${composite}-10; the object was written and is locked`);
  });

  test('a failed part stops the copy: no part starts after it, and the upload is aborted once those under way have ended', async () => {
    let inFlight = 0;
    let inFlightAtAbort: number | undefined;
    s3Mock.on(UploadPartCopyCommand).callsFake(async (input) => {
      inFlight++;
      await new Promise((resolve) => setTimeout(resolve, input.PartNumber === 2 ? 5 : 20));
      inFlight--;
      if (input.PartNumber === 2) {
        throw Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' });
      }
      const [first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.CopySourceRange)!.slice(1).map(Number);
      return { CopyPartResult: { ETag: '"p"', ChecksumSHA256: sha256(bytes.subarray(first, last + 1), 'base64') } };
    });
    s3Mock.on(AbortMultipartUploadCommand).callsFake(() => {
      inFlightAtAbort = inFlight;
      return {};
    });
    await expect(copyVerifiedDump(s3, source, 'archive-bucket', 'yearly/k', { partBytes: 10, concurrency: 3 }))
      .rejects.toThrow('copying s3://daily-bucket/daily/2027-01-01/r/dump.sql.gz to s3://archive-bucket/yearly/k: We encountered an internal error; the upload was aborted, nothing was copied');
    expect(s3Mock.commandCalls(UploadPartCopyCommand)).toHaveLength(3);
    expect(inFlightAtAbort).toBe(0);
    expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  test('an abort that fails too is named, and left to the workflow\'s AbortUploads', async () => {
    s3Mock.on(UploadPartCopyCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    s3Mock.on(AbortMultipartUploadCommand).rejects(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    await expect(copyVerifiedDump(s3, source, 'archive-bucket', 'yearly/k', { partBytes: 10, concurrency: 1 }))
      .rejects.toThrow("Access Denied; aborting upload u failed too (TimeoutError: timeout; the workflow's AbortUploads step tries again)");
  });

  test('a read without the digests of the copy\'s parts copies nothing', async () => {
    await expect(copyVerifiedDump(s3, { ...source, partSha256: undefined }, 'archive-bucket', 'yearly/k', { partBytes: 10, concurrency: 1 }))
      .rejects.toThrow('the verifying read has no SHA-256 for each of the 10 part(s) of 10 bytes, so the copy could not be checked; nothing was copied');
    await expect(copyVerifiedDump(s3, source, 'archive-bucket', 'yearly/k', { partBytes: 20, concurrency: 1 })).rejects.toThrow('of the 5 part(s) of 20 bytes');
    expect(s3Mock.calls()).toHaveLength(0);
  });
});
