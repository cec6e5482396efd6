/**
 * What the dump, volume and object restore workflows share: the errors their steps throw
 * (whose names the state machines match), execution names and client tokens, and the tags
 * that mark what a workflow created (the steps of `DatabaseRestore` use the same tag keys).
 * Used by the functions and by the `restore` command.
 */
import { createHash } from 'node:crypto';

/**
 * Tag on everything a restore workflow creates: the execution name (for `DatabaseRestore`,
 * the request id, which defaults to the execution name). Cleanup deletes only resources that
 * carry the tag with its own execution name (request id).
 */
export const EXECUTION_TAG = 'cdk-backup-dr:restore-execution';
/**
 * Tag on what a restore workflow creates that its IAM policy checks: the workflow's id (its
 * construct path). The volume workflow and `DatabaseRestore` delete (or change) only
 * resources that carry it with their own id.
 */
export const WORKFLOW_ID_TAG = 'cdk-backup-dr:workflow-id';
/** Tag naming the workflow kind (`dump`, `volume`, `objects`); also on the state machines, where the CLI finds them. */
export const WORKFLOW_TAG = 'cdk-backup-dr:workflow';

/**
 * States an RDS instance being created or restored does not leave on its own for `available`
 * (`stopped` and `stopping`: someone stopped it), so a workflow waiting for it fails at once.
 */
export const RDS_DEAD_END_STATES: ReadonlySet<string> = new Set([
  'failed', 'incompatible-network', 'incompatible-option-group', 'incompatible-parameters', 'incompatible-restore',
  'inaccessible-encryption-credentials', 'inaccessible-encryption-credentials-recoverable', 'restore-error', 'storage-full', 'deleting',
  'stopped', 'stopping',
]);

/**
 * Bad input: thrown before anything is created, naming the input, the value and what is
 * allowed. The state machines fail on it without retrying or cleaning up.
 */
export class RestoreInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreInputError';
  }
}

/** A step that found the restored copy wrong (verification, checksum); the workflow cleans up. */
export class RestoreCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreCheckError';
  }
}

/** Error names of AWS throttling, which the state machines retry with backoff. */
export const THROTTLING_ERRORS: readonly string[] = [
  'ThrottlingException', 'Throttling', 'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown', 'RequestThrottled', 'RequestThrottledException',
];

/** The message of an error. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The name of an error (an SDK error's name is its AWS error code). */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** What an AWS support case about a failed call needs: the request's ids and its HTTP status, as the SDK reports them. */
interface AwsRequestMetadata {
  readonly requestId?: string;
  /** S3's second id of the request (x-amz-id-2), which S3 support asks for with the first. */
  readonly extendedRequestId?: string;
  readonly httpStatusCode?: number;
}

/** The request ids and HTTP status of an SDK error, as a message's suffix: ` (AWS request id ..., HTTP 403)`; empty when it has none. */
export function requestIdsText(error: unknown): string {
  const metadata = (error as { $metadata?: AwsRequestMetadata } | undefined)?.$metadata;
  const parts = [
    ...(metadata?.requestId ? [`AWS request id ${metadata.requestId}`] : []),
    ...(metadata?.extendedRequestId ? [`extended request id ${metadata.extendedRequestId}`] : []),
    ...(metadata?.httpStatusCode ? [`HTTP ${metadata.httpStatusCode}`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/**
 * Re-throws an AWS error with the resource in the message, keeping its name so that the
 * state machine's retry (throttling) and catch rules still match it, and its request ids and
 * HTTP status (the SDK's `$metadata`), which an AWS support case about it needs: in the message,
 * which is what the failed step reports, and with the error itself as `cause`. Not as `$metadata`
 * of its own: by its status, `isTransientError` would then take more of these errors for passing ones.
 */
export function rethrowFor(resource: string, error: unknown): never {
  const wrapped = new Error(`${resource}: ${errorText(error)}${requestIdsText(error)}`, { cause: error });
  wrapped.name = errorName(error);
  throw wrapped;
}

/** Characters Step Functions allows in an execution name. */
const NAME_UNSAFE = /[^A-Za-z0-9_-]+/g;

/**
 * A deterministic execution name: `<kind>-<readable part>-<12 hex digits of the input's
 * SHA-256>`, at most 80 characters. The same request always gets the same name, so starting
 * it twice attaches to the first execution instead of restoring a second copy.
 */
export function executionName(kind: string, readable: string, input: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 12);
  const middle = readable.replace(NAME_UNSAFE, '-').replace(/^-+|-+$/g, '');
  const head = `${kind}-${middle}`.slice(0, 80 - 13).replace(/-+$/, '');
  return `${head}-${digest}`;
}

/** JSON with the keys of every object sorted, so equal inputs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What tells one execution apart from every other: its ARN (`$$.Execution.Id`) and start time
 * (`$$.Execution.StartTime`). The name alone does not: the CLI names a request after its input,
 * and Step Functions lets a name (and so the ARN) be used again once the earlier execution's
 * history is gone (90 days after it closed).
 */
export interface ExecutionIdentity {
  readonly id: string;
  readonly startTime: string;
}

/**
 * A client token (64 hex digits: EC2 takes at most 64 ASCII characters; also the AWS Backup
 * restore job's idempotency token) for one step of one execution: a retried step sends the same
 * token and gets the same resource back; a later execution that reuses the name sends another,
 * so the service (which keeps tokens for a time it does not document) never answers it with the
 * earlier execution's volume, task or restore job.
 */
export function clientToken(execution: ExecutionIdentity, step: string): string {
  if (!execution?.id || !execution?.startTime) {
    throw new Error(`a client token for step ${step} needs the execution's id and start time; got ${JSON.stringify(execution)}`);
  }
  return createHash('sha256').update(`${execution.id}/${execution.startTime}/${step}`).digest('hex').slice(0, 64);
}

/**
 * How long before the execution's start (Step Functions' clock) a resource's creation (the
 * service's clock) may seem to be and still count as the execution's: an earlier execution of
 * the same name closed at least 30 days (the shortest history retention) before the name could
 * be used again.
 */
export const CLOCK_SKEW_MS = 60_000;

/** The execution's start time in milliseconds, or an error saying that `what` needs it. */
export function executionStart(identity: Pick<ExecutionIdentity, 'startTime'>, what: string): number {
  const started = Date.parse(identity?.startTime);
  if (Number.isNaN(started)) {
    throw new Error(`${what} needs the execution's start time; got ${JSON.stringify(identity?.startTime)}`);
  }
  return started;
}

/**
 * Whether a resource tagged with the execution's name was created before the execution started
 * (beyond the clock skew): then an earlier execution of the same name made it.
 */
export function createdBeforeStart(created: Date, started: number): boolean {
  return created.getTime() < started - CLOCK_SKEW_MS;
}

/** A required non-empty string input, or a `RestoreInputError` naming it. */
export function requiredString(input: Record<string, unknown>, name: string, allowed: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new RestoreInputError(`input \`${name}\` is required: ${allowed}; got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return value.trim();
}

/** An optional string input. */
export function optionalString(input: Record<string, unknown>, name: string, allowed: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new RestoreInputError(`input \`${name}\` must be ${allowed}; got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

/**
 * An S3 key or prefix input as given. S3 keeps whitespace in a key, so whitespace at its edges is
 * refused rather than trimmed: trimmed, the restore would work on other keys than those asked for.
 */
function keyAsGiven(name: string, value: string): string {
  const begins = /^\s/.test(value);
  const ends = /\s$/.test(value);
  const where = value.trim() === '' ? 'is whitespace only' : begins && ends ? 'begins and ends with whitespace' : begins ? 'begins with whitespace' : ends ? 'ends with whitespace' : undefined;
  if (where) {
    throw new RestoreInputError(`input \`${name}\` ${JSON.stringify(value)} ${where}: S3 keeps whitespace in a key, so the restore neither trims it (that would name other keys) nor takes it (most likely a slip); give it without`);
  }
  return value;
}

/** A required S3 key input, kept as given (see `keyAsGiven`). */
export function requiredKey(input: Record<string, unknown>, name: string, allowed: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new RestoreInputError(`input \`${name}\` is required: ${allowed}; got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return keyAsGiven(name, value);
}

/** An optional S3 key or prefix input, kept as given (see `keyAsGiven`); empty is none. */
export function optionalKey(input: Record<string, unknown>, name: string, allowed: string): string | undefined {
  const value = optionalString(input, name, allowed);
  return value === undefined ? undefined : keyAsGiven(name, input[name] as string);
}

/** An optional whole-number input within bounds. */
export function optionalInteger(input: Record<string, unknown>, name: string, min: number, max: number, unit: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RestoreInputError(`input \`${name}\` must be a whole number of ${unit} from ${min} to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Checks the confirmation of a step that changes a live resource: `confirm` must name that
 * resource exactly.
 */
export function requireConfirmation(input: Record<string, unknown>, what: string, resource: string): void {
  if (input.confirm !== resource) {
    throw new RestoreInputError(`${what} changes the live resource ${resource}: input \`confirm\` must be exactly '${resource}' to allow it; got ${input.confirm === undefined ? 'nothing' : JSON.stringify(input.confirm)}`);
  }
}

/** The input of a workflow as an object, or a `RestoreInputError`. */
export function inputObject(event: unknown): Record<string, unknown> {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new RestoreInputError(`the workflow input must be a JSON object; got ${JSON.stringify(event)}`);
  }
  return event as Record<string, unknown>;
}
