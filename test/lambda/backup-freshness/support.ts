import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommandOutput } from '@aws-sdk/client-s3';

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
