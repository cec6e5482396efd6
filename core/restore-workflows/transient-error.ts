/**
 * Which AWS errors are transient: throttling, a server error (5xx) or a failed connection, after
 * which the same call may well succeed later. By the time one reaches the code, the SDK has already
 * made the call `maxAttempts` times (3 by default, with backoff), so it is not retried here:
 * the work is left for a later invocation instead of being thrown away.
 */
import { THROTTLING_ERRORS } from './common';

const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  ...THROTTLING_ERRORS, 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
]);
/** Node's codes of a connection that failed or was cut. */
const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const details = error as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  const status = details.$metadata?.httpStatusCode ?? 0;
  return TRANSIENT_NAMES.has(error.name) || status === 429 || status >= 500 || NETWORK_CODES.has(details.code ?? '');
}
