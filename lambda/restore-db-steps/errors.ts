/**
 * The errors the restore steps throw. Their `name` becomes the Step Functions error name,
 * which the state machine's Retry and Catch rules match.
 */
import { THROTTLING_ERRORS } from '../../core/restore-workflows/common';

/** Bad input: thrown before anything is created. The message names the input and the allowed values. */
export class InvalidRestoreInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRestoreInput';
  }
}

/** An AWS API throttled the call; the state machine retries it with backoff. */
export class RestoreThrottled extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreThrottled';
  }
}

/** The restore (or promotion) ended in a state it cannot leave. */
export class RestoreFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreFailed';
  }
}

/** The restore did not finish before its deadline. */
export class RestoreTimedOut extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreTimedOut';
  }
}

/** The instance to clean up cannot be deleted yet (still creating or modifying); retried later. */
export class CleanupPending extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CleanupPending';
  }
}

/** The names the other restore workflows' state machines retry as throttling: one list, so the two cannot drift apart. */
const THROTTLING_NAMES: ReadonlySet<string> = new Set(THROTTLING_ERRORS);

/** True when an AWS SDK error means the call was throttled. */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const meta = error as Error & { $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
  return THROTTLING_NAMES.has(error.name) || meta.$retryable?.throttling === true || meta.$metadata?.httpStatusCode === 429;
}

/** The error name of an AWS SDK error (`DBInstanceNotFound`, `DBSnapshotNotFoundFault`, ...). */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/**
 * Runs an AWS call, turning a throttling error into `RestoreThrottled` (retried by the
 * state machine) and adding what was being done to any other error.
 */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isThrottling(error)) {
      throw new RestoreThrottled(`${what}: throttled (${errorName(error)}: ${error instanceof Error ? error.message : String(error)})`);
    }
    if (error instanceof Error) {
      error.message = `${what}: ${error.message}`;
    }
    throw error;
  }
}
