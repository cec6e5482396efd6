/**
 * What the workflow keeps of its input, read by its first step from the raw execution input
 * (up to the 256 KiB Step Functions allows an input, and a state). The input itself never enters
 * the state: kept there, or wrapped in any step's event, an input near that limit passes it,
 * failing the execution with an error no Catch sees and losing the failure document.
 */
import { oversizedRequest } from './validate';
import { REQUEST_ID, type RejectedRequest } from './types';

/** The request's id when it is a valid one, whether it asked for a drill, and its size. Never throws on a bad input. */
export function readRejectedRequest(input: unknown): RejectedRequest {
  const fields = typeof input === 'object' && input !== null && !Array.isArray(input) ? input as Record<string, unknown> : {};
  const requestId = typeof fields.requestId === 'string' && REQUEST_ID.test(fields.requestId) ? fields.requestId : undefined;
  return { requestId, drill: fields.drill === true, bytes: Buffer.byteLength(JSON.stringify(input) ?? '') };
}

/**
 * The first step: what the workflow keeps of the input, and `refused`, the message of
 * `InvalidRestoreInput`, when the input is too large to be a request. The workflow then fails
 * without handing the input to Validate, whose event, the input wrapped, could pass 256 KiB.
 */
export function measureRequest(input: unknown): RejectedRequest & { readonly refused?: string } {
  const request = readRejectedRequest(input);
  const refused = oversizedRequest(request.bytes);
  return refused ? { ...request, refused } : request;
}
