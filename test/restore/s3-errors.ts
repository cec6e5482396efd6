/** S3 failures as the SDK reports them, for the object restore tests (S3 mocked). */

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
