/**
 * A part copy cancelled at an invocation's end (its connection closed) may still be finished by
 * S3. The next invocation copies that part again under the same part number, and of the two the
 * one S3 finishes last is the part: a copy into an encrypted bucket (SSE-KMS) has an ETag of its
 * own, so completing with the redone part's ETag after the cancelled one landed fails with
 * InvalidPart. A resumed upload is completed with the parts as ListParts reports them (S3 mocked).
 */
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, ListPartsCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { copyVersion } from '../../core/restore-workflows/objects';
import { arrangeCompletingCopy, bigSource, listedParts, openUpload, target } from './multipart-fixture';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(7);
const listed = (parts: number[], etag?: (part: number) => string) => listedParts(7, parts, etag);

beforeEach(() => arrangeCompletingCopy(s3mock));

const completed = () => s3mock.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input.MultipartUpload!.Parts);

test('a part the cancelled copy finished after the listing is completed with the ETag S3 lists for it, not the redone copy\'s', async () => {
  // The resumed invocation lists every part but 4 (its copy was cancelled); by the time part 4 is
  // copied again, the cancelled copy has landed after it and is the part S3 keeps.
  s3mock.on(ListPartsCommand)
    .resolvesOnce(listed([1, 2, 3, 5, 6, 7], (part) => `"copied-${part}"`))
    .resolves(listed([1, 2, 3, 4, 5, 6, 7], (part) => (part === 4 ? '"cancelled-but-landed-4"' : `"copied-${part}"`)));
  expect(await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, upload: openUpload('upload-1') })).toEqual({ status: 'done' });
  expect(s3mock.commandCalls(UploadPartCopyCommand).map((call) => call.args[0].input.PartNumber)).toEqual([4]);
  expect(completed()).toEqual([[1, 2, 3, 4, 5, 6, 7].map((PartNumber) => ({ PartNumber, ETag: PartNumber === 4 ? '"cancelled-but-landed-4"' : `"copied-${PartNumber}"` }))]);
});

test('a part listed with a size it should not have is not completed with its listed ETag: the copy made in this call stands', async () => {
  s3mock.on(ListPartsCommand)
    .resolvesOnce(listed([1, 2, 3, 5, 6, 7], (part) => `"copied-${part}"`))
    .resolves({ Parts: [...listed([1, 2, 3, 5, 6, 7], (part) => `"copied-${part}"`).Parts, { PartNumber: 4, ETag: '"short-4"', Size: 5 }], IsTruncated: false });
  expect(await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000, upload: openUpload('upload-1') })).toEqual({ status: 'done' });
  expect(completed()[0]?.find((part) => part.PartNumber === 4)).toEqual({ PartNumber: 4, ETag: '"redone-4"' });
});

test('a new upload (no part of it was ever cancelled) is completed with the ETags its copies returned, without listing', async () => {
  expect(await copyVersion(s3, source, target, 'objects-1', { deadline: Date.now() + 60_000 })).toEqual({ status: 'done' });
  expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
  expect(s3mock.commandCalls(ListPartsCommand)).toHaveLength(0);
  expect(completed()).toEqual([[1, 2, 3, 4, 5, 6, 7].map((PartNumber) => ({ PartNumber, ETag: `"redone-${PartNumber}"` }))]);
});
