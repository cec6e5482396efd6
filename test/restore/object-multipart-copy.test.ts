/**
 * A copy above the single-copy limit, in parts copied a few at a time, with S3 mocked: the
 * parts are completed in order, and after a failed part no other starts and the upload is
 * aborted once those in flight have settled.
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { copyVersion } from '../../core/restore-workflows/objects';
import { GiB, arrangeNewUpload, bigSource, target } from './multipart-fixture';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const source = bigSource(11);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Mocks the calls around the parts; `part` answers each UploadPartCopy. Returns the order of part starts, ends and the abort. */
function arrange(part: (partNumber: number) => Promise<{ CopyPartResult: { ETag: string } }>) {
  s3mock.reset();
  const log: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  arrangeNewUpload(s3mock);
  s3mock.on(UploadPartCopyCommand).callsFake(async (input) => {
    log.push(`start ${input.PartNumber}`);
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    try {
      return await part(input.PartNumber);
    } finally {
      inFlight -= 1;
      log.push(`end ${input.PartNumber}`);
    }
  });
  s3mock.on(CompleteMultipartUploadCommand).resolves({});
  s3mock.on(AbortMultipartUploadCommand).callsFake(() => {
    log.push('abort');
    return {};
  });
  return { log, mostInFlight: () => mostInFlight };
}

/** Waits for the promise, or half a second when it does not settle (parts copied one at a time never meet). */
const atMostHalfASecond = (promise: Promise<void>) => Promise.race([promise, sleep(500)]);

/** A promise and the function that settles it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}

test('parts are copied a few at a time and completed in part order, whatever order they finish in', async () => {
  // The first four parts wait for each other; part 1 finishes only after part 2.
  const started: number[] = [];
  const firstFour = signal();
  const partTwoEnded = signal();
  const { log, mostInFlight } = arrange(async (partNumber) => {
    started.push(partNumber);
    if (started.length === 4) {
      firstFour.fire();
    }
    if (partNumber <= 4) {
      await atMostHalfASecond(firstFour.promise);
    }
    if (partNumber === 1) {
      await atMostHalfASecond(partTwoEnded.promise);
    }
    await sleep(1);
    if (partNumber === 2) {
      setImmediate(partTwoEnded.fire);
    }
    return { CopyPartResult: { ETag: `"etag-${partNumber}"` } };
  });
  await copyVersion(s3, source, target, 'objects-1');

  const ranges = s3mock.commandCalls(UploadPartCopyCommand).map((call) => [call.args[0].input.PartNumber, call.args[0].input.CopySourceRange]);
  expect(ranges.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
    ...Array.from({ length: 10 }, (_, i) => [i + 1, `bytes=${i * GiB}-${(i + 1) * GiB - 1}`]),
    [11, `bytes=${10 * GiB}-${10 * GiB + 4}`],
  ]);
  expect(mostInFlight()).toBe(4);
  expect(log.indexOf('end 2')).toBeLessThan(log.indexOf('end 1'));
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([{
    Bucket: 'data', Key: target.key, UploadId: 'upload-1', IfNoneMatch: '*',
    MultipartUpload: { Parts: Array.from({ length: 11 }, (_, i) => ({ PartNumber: i + 1, ETag: `"etag-${i + 1}"` })) },
  }]);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});

test('after a failed part no other starts; the parts in flight settle, then the upload is aborted and the copy fails with the part\'s error', async () => {
  // Part 2 fails once the first four have started; the others end later, part 4 last.
  let startedCount = 0;
  const firstFour = signal();
  const partTwoFailed = signal();
  const { log } = arrange(async (partNumber) => {
    startedCount += 1;
    if (startedCount === 4) {
      firstFour.fire();
    }
    await atMostHalfASecond(firstFour.promise);
    if (partNumber === 2) {
      setTimeout(partTwoFailed.fire, 5);
      throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: {} });
    }
    await atMostHalfASecond(partTwoFailed.promise);
    await sleep(partNumber === 4 ? 30 : 5);
    return { CopyPartResult: { ETag: `"etag-${partNumber}"` } };
  });
  const failure = copyVersion(s3, source, target, 'objects-1');
  await expect(failure).rejects.toThrow(/^copying s3:\/\/data\/app\/big.bin \(version g1\) to s3:\/\/data\/restored\/app\/big.bin: Access Denied$/);
  await expect(failure).rejects.toHaveProperty('name', 'AccessDenied');

  // Parts 1 to 4 start together; part 2 fails first, so 5 to 11 never start.
  expect(log.filter((entry) => entry.startsWith('start')).sort()).toEqual(['start 1', 'start 2', 'start 3', 'start 4']);
  expect(log.indexOf('abort')).toBe(log.length - 1);
  expect(log.indexOf('end 4')).toBeLessThan(log.indexOf('abort'));
  expect(s3mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  expect(s3mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: 'data', Key: target.key, UploadId: 'upload-1' }]);
});

test('a failed abort after a failed part is named with the command that aborts the upload', async () => {
  arrange(async (partNumber) => {
    if (partNumber === 3) {
      throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { requestId: 'R-part-3', httpStatusCode: 403 } });
    }
    await sleep(10);
    return { CopyPartResult: { ETag: `"etag-${partNumber}"` } };
  });
  s3mock.on(AbortMultipartUploadCommand).rejects(Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError', $metadata: {} }));
  const failure = copyVersion(s3, source, target, 'objects-1');
  await expect(failure).rejects.toThrow(new RegExp([
    '^copying s3://data/app/big.bin \\(version g1\\) to s3://data/restored/app/big.bin: Access Denied \\(AWS request id R-part-3, HTTP 403\\); ',
    'its multipart upload upload-1 of s3://data/restored/app/big.bin was left \\(aborting it failed: We encountered an internal error.\\)',
    ".*aws s3api abort-multipart-upload --bucket data --key 'restored/app/big.bin' --upload-id 'upload-1'$",
  ].join('')));
  await expect(failure).rejects.toHaveProperty('name', 'AccessDenied');
});
