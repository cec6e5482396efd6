import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { hashObjectInRanges, ObjectChangedError } from '../../../lambda/backup-freshness/ranged-hash';
import { awsError, eTagOf, serveObjects, sha256 } from './support';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const content = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37) % 256));
const object = { bytes: content.length, eTag: eTagOf(content) };

beforeEach(() => s3Mock.reset());

function ranges(): string[] {
  return s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Range!);
}

test('reads the object in ranges of partBytes, each bound to the ETag HEAD saw, and hashes the whole', async () => {
  serveObjects(s3Mock, { objects: new Map([['dump.sql.gz', content]]) });
  const digest = await hashObjectInRanges(s3, 'dumps', 'dump.sql.gz', object, { partBytes: 16, partsInFlight: 3 });
  expect(digest).toBe(sha256(content));
  expect(ranges()).toEqual(['bytes=0-15', 'bytes=16-31', 'bytes=32-47', 'bytes=48-63', 'bytes=64-79', 'bytes=80-95', 'bytes=96-99']);
  expect(s3Mock.commandCalls(GetObjectCommand).every((call) => call.args[0].input.IfMatch === object.eTag && call.args[0].input.Bucket === 'dumps')).toBe(true);
});

test('parts that arrive out of order are hashed in order, with no more than partsInFlight requests at a time', async () => {
  let inFlight = 0;
  let most = 0;
  serveObjects(s3Mock, {
    objects: new Map([['dump.sql.gz', content]]),
    // The first part of each window answers last.
    beforeRange: async (_key, range) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const start = Number(/bytes=(\d+)/.exec(range)![1]);
      await new Promise((resolve) => setTimeout(resolve, start % 48 === 0 ? 30 : 1));
      inFlight--;
    },
  });
  const digest = await hashObjectInRanges(s3, 'dumps', 'dump.sql.gz', object, { partBytes: 16, partsInFlight: 3 });
  expect(digest).toBe(sha256(content));
  expect(most).toBe(3);
  expect(ranges()).toHaveLength(7);
});

test('an object that is one part, or empty, is read with one GET, or none', async () => {
  serveObjects(s3Mock, { objects: new Map([['small', content], ['empty', Buffer.alloc(0)]]) });
  expect(await hashObjectInRanges(s3, 'dumps', 'small', object)).toBe(sha256(content));
  expect(ranges()).toEqual(['bytes=0-99']);
  s3Mock.resetHistory();
  expect(await hashObjectInRanges(s3, 'dumps', 'empty', { bytes: 0, eTag: eTagOf(Buffer.alloc(0)) })).toBe(sha256(''));
  expect(ranges()).toEqual([]);
});

test('a failing range fails the read and aborts the ranges still in flight, without waiting for them', async () => {
  // Ranges after the failing one answer only when aborted, as the SDK's send rejects on abort, or after 2 s otherwise.
  const ended: Record<string, 'aborted' | 'answered'> = {};
  const signalOf = (range: string): AbortSignal => {
    const call = s3Mock.commandCalls(GetObjectCommand).find((c) => c.args[0].input.Range === range)!;
    return ((call.args as unknown[])[1] as { abortSignal: AbortSignal }).abortSignal;
  };
  serveObjects(s3Mock, {
    objects: new Map([['dump.sql.gz', content]]),
    beforeRange: async (_key, range) => {
      const start = Number(/bytes=(\d+)/.exec(range)![1]);
      if (start < 32) {
        return;
      }
      if (start === 32) {
        throw awsError('InternalError', 'We encountered an internal error. Please try again.', 500);
      }
      const signal = signalOf(range);
      await new Promise<void>((resolve) => {
        const end = (how: 'aborted' | 'answered') => {
          ended[range] ??= how;
          resolve();
        };
        const timer = setTimeout(() => end('answered'), 2000);
        signal.addEventListener('abort', () => { clearTimeout(timer); end('aborted'); }, { once: true });
      });
      signal.throwIfAborted();
    },
  });
  await expect(hashObjectInRanges(s3, 'dumps', 'dump.sql.gz', object, { partBytes: 16, partsInFlight: 4 })).rejects.toThrow('We encountered an internal error');
  // In flight when range 32-47 failed: 48-63, and 64-79 and 80-95 started as 0-15 and 16-31 were hashed.
  expect(ranges()).toEqual(['bytes=0-15', 'bytes=16-31', 'bytes=32-47', 'bytes=48-63', 'bytes=64-79', 'bytes=80-95']);
  expect(ended).toEqual({ 'bytes=48-63': 'aborted', 'bytes=64-79': 'aborted', 'bytes=80-95': 'aborted' });
});

test('an object replaced mid-read is detected: If-Match fails (412), or a range comes from another ETag', async () => {
  const objects = new Map([['dump.sql.gz', content]]);
  serveObjects(s3Mock, {
    objects,
    beforeRange: (key, range) => {
      if (range === 'bytes=48-63') {
        objects.set(key, Buffer.from(content).fill(0, 50, 51));
      }
    },
  });
  const replaced = hashObjectInRanges(s3, 'dumps', 'dump.sql.gz', object, { partBytes: 16, partsInFlight: 1 });
  await expect(replaced).rejects.toThrow(ObjectChangedError);
  await expect(replaced).rejects.toThrow(`s3://dumps/dump.sql.gz changed while it was read (it was ETag ${object.eTag}; bytes 48-63 no longer match it)`);

  // A range served from another version (If-Match not honoured) is refused as well.
  s3Mock.reset();
  s3Mock.on(GetObjectCommand).callsFake(async () => ({ Body: undefined, ETag: '"other"' }));
  await expect(hashObjectInRanges(s3, 'dumps', 'dump.sql.gz', object, { partBytes: 64 })).rejects.toThrow('bytes 0-63 came from ETag "other"');
});

test('a range that returns fewer bytes than asked fails the read', async () => {
  serveObjects(s3Mock, { objects: new Map([['dump.sql.gz', content.subarray(0, 90)]]) });
  await expect(hashObjectInRanges(s3, 'dumps', 'dump.sql.gz', { bytes: 100, eTag: eTagOf(content.subarray(0, 90)) }, { partBytes: 64 }))
    .rejects.toThrow('s3://dumps/dump.sql.gz returned 26 bytes for bytes 64-99, expected 36');
});

test('a run whose time is up stops the read: no further range is requested and the read fails with the signal\'s reason', async () => {
  const deadline = new AbortController();
  const timeUp = new Error('time is up');
  serveObjects(s3Mock, {
    objects: new Map([['dump.sql.gz', content]]),
    beforeRange: async (_key, range) => {
      if (range === 'bytes=16-31') {
        deadline.abort(timeUp);
      }
    },
  });
  await expect(hashObjectInRanges(s3, 'dumps', 'dump.sql.gz', object, { partBytes: 16, partsInFlight: 2, signal: deadline.signal })).rejects.toBe(timeUp);
  expect(ranges()).toEqual(['bytes=0-15', 'bytes=16-31']);
});
