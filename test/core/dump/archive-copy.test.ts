/**
 * The yearly copy's building blocks without a database: the part digests of the verifying
 * read, and the multipart copy's checks, with aws-sdk-client-mock answering as S3 does.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { copyVerifiedDump, ExistingObjectDiffers, putVerifiedText, VerifiedSource } from '../../../core/dump/archive-copy';
import { digestObject } from '../../../core/dump/objects';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const bytes = Buffer.from(Array.from({ length: 95 }, (_, index) => (index * 37) % 256));
const sha256 = (data: Buffer, encoding: 'hex' | 'base64'): string => createHash('sha256').update(data).digest(encoding);
/** S3's refusal of a write with If-None-Match: * while the key has an object. */
const objectThere = (): Error => Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
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
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
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
    // Parts 1 and 3 end 20 ms after part 2 failed, not 20 ms after they started: on a loaded
    // machine fixed delays from the start could end them before part 2's failure is recorded.
    let part2Failed: () => void = () => undefined;
    const afterPart2 = new Promise<void>((resolve) => { part2Failed = resolve; });
    s3Mock.on(UploadPartCopyCommand).callsFake(async (input) => {
      inFlight++;
      if (input.PartNumber === 2) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        part2Failed();
        throw Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' });
      }
      await afterPart2;
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
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

  describe('a copy whose key already has an object (a Finalize run again after its copy completed)', () => {
    const key = 'yearly/2027/2027-01-01/r/dump.sql.gz';
    const what = `copying s3://daily-bucket/${source.key} to s3://archive-bucket/${key}`;

    beforeEach(() => {
      s3Mock.on(CompleteMultipartUploadCommand).rejects(objectThere());
    });

    test('found by the listing before the copy: the verified copy is accepted and nothing is copied again; another object there fails', async () => {
      s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: `${key}.sha256`, Size: 80 }, { Key: key, Size: 95 }], IsTruncated: false });
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 95, ChecksumSHA256: `${composite}-10` });
      await expect(copyVerifiedDump(s3, source, 'archive-bucket', key, { partBytes: 10, concurrency: 4 })).resolves.toBe('already there');
      expect(s3Mock.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input)).toEqual([{ Bucket: 'archive-bucket', Prefix: key, MaxKeys: 2 }]);
      expect(s3Mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 95, ChecksumSHA256: `${sha256(Buffer.from('other'), 'base64')}-10` });
      await expect(copyVerifiedDump(s3, source, 'archive-bucket', key, { partBytes: 10, concurrency: 4 })).rejects.toThrow(ExistingObjectDiffers);
      expect(s3Mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    });

    test('a listing that fails copies nothing, naming why', async () => {
      s3Mock.on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
      await expect(copyVerifiedDump(s3, source, 'archive-bucket', key, { partBytes: 10, concurrency: 4 })).rejects.toThrow(
        `${what}: listing s3://archive-bucket/${key} to find a copy made by an earlier attempt failed (AccessDenied: Access Denied); nothing was copied`);
      expect(s3Mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    });

    test('is completed only while the key has none (If-None-Match: *); the verified copy found there is accepted, and this upload aborted', async () => {
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 95, ChecksumSHA256: `${composite}-10` });
      await expect(copyVerifiedDump(s3, source, 'archive-bucket', key, { partBytes: 10, concurrency: 4 })).resolves.toBe('already there');
      expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input.IfNoneMatch).toBe('*');
      expect(s3Mock.commandCalls(HeadObjectCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: 'archive-bucket', Key: key, ChecksumMode: 'ENABLED' }]);
      expect(s3Mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: 'archive-bucket', Key: key, UploadId: 'u' }]);
    });

    test('another object there fails, naming both, and nothing is written beside it', async () => {
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 95, ChecksumSHA256: `${sha256(Buffer.from('other'), 'base64')}-10` });
      const copy = copyVerifiedDump(s3, source, 'archive-bucket', key, { partBytes: 10, concurrency: 4 });
      await expect(copy).rejects.toThrow(ExistingObjectDiffers);
      await expect(copy).rejects.toThrow(`${what}: an object is already at the key, of 95 bytes with SHA-256 ${sha256(Buffer.from('other'), 'base64')}-10, `
        + `not the verified 95 bytes with SHA-256 ${composite}-10; it is locked, and nothing was written beside it`);
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 94, ChecksumSHA256: `${composite}-10` });
      await expect(copyVerifiedDump(s3, source, 'archive-bucket', key, { partBytes: 10, concurrency: 4 })).rejects.toThrow('an object is already at the key, of 94 bytes');
    });

    test('one whose SHA-256 S3 does not return is unknown, not the verified copy', async () => {
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 95 });
      await expect(copyVerifiedDump(s3, source, 'archive-bucket', key, { partBytes: 10, concurrency: 4 })).rejects.toThrow(
        `${what}: an object is already at the key (written by an earlier attempt of this run?), and S3 returned no SHA-256 for it, so whether it is the verified one is unknown; nothing was written`);
      s3Mock.on(HeadObjectCommand).rejects(Object.assign(new Error('Forbidden'), { name: 'Forbidden' }));
      await expect(copyVerifiedDump(s3, source, 'archive-bucket', key, { partBytes: 10, concurrency: 4 })).rejects.toThrow('reading its size and SHA-256 failed (Forbidden: Forbidden)');
    });
  });

  test('a read without the digests of the copy\'s parts copies nothing', async () => {
    await expect(copyVerifiedDump(s3, { ...source, partSha256: undefined }, 'archive-bucket', 'yearly/k', { partBytes: 10, concurrency: 1 }))
      .rejects.toThrow('the verifying read has no SHA-256 for each of the 10 part(s) of 10 bytes, so the copy could not be checked; nothing was copied');
    await expect(copyVerifiedDump(s3, source, 'archive-bucket', 'yearly/k', { partBytes: 20, concurrency: 1 })).rejects.toThrow('of the 5 part(s) of 20 bytes');
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('putVerifiedText (the archive copy\'s .sha256 file)', () => {
  const text = `${sha256(bytes, 'hex')}  dump.sql.gz\n`;
  const checksum = sha256(Buffer.from(text), 'base64');

  test('is written only while the key has no object, with its SHA-256', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    await expect(putVerifiedText(s3, 'archive-bucket', 'yearly/k.sha256', text)).resolves.toBe('written');
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ ContentType: 'text/plain', ChecksumSHA256: checksum, IfNoneMatch: '*' });
  });

  test('the same file already there is accepted; another one fails', async () => {
    s3Mock.on(PutObjectCommand).rejects(objectThere());
    s3Mock.on(HeadObjectCommand).resolves({ ContentLength: text.length, ChecksumSHA256: checksum });
    await expect(putVerifiedText(s3, 'archive-bucket', 'yearly/k.sha256', text)).resolves.toBe('already there');
    s3Mock.on(HeadObjectCommand).resolves({ ContentLength: text.length, ChecksumSHA256: sha256(Buffer.from('x'), 'base64') });
    await expect(putVerifiedText(s3, 'archive-bucket', 'yearly/k.sha256', text)).rejects.toThrow(
      `writing s3://archive-bucket/yearly/k.sha256: an object is already at the key, of ${text.length} bytes with SHA-256 ${sha256(Buffer.from('x'), 'base64')}`);
  });
});
