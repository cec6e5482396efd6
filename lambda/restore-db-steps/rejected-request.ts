/**
 * What the failure path keeps of an input that Validate refused (or could not check). The input
 * may take up to the 256 KiB Step Functions allows a state: kept beside the error, the cleanup's
 * error and the failure document, it would pass that limit, failing the execution with an error
 * no Catch sees and losing the failure document.
 */
import { REQUEST_ID, type RejectedRequest } from './types';

/** The request's id when it is a valid one, whether it asked for a drill, and its size. Never throws on a bad input. */
export function readRejectedRequest(input: unknown): RejectedRequest {
  const fields = typeof input === 'object' && input !== null && !Array.isArray(input) ? input as Record<string, unknown> : {};
  const requestId = typeof fields.requestId === 'string' && REQUEST_ID.test(fields.requestId) ? fields.requestId : undefined;
  return { requestId, drill: fields.drill === true, bytes: Buffer.byteLength(JSON.stringify(input) ?? '') };
}
