/**
 * The first step: what the workflow keeps of its input, read from the raw execution input (up to
 * the 256 KiB Step Functions allows an input, and a state). The input itself never enters the
 * state: kept there, or wrapped in any step's event, an input near that limit passes it, failing
 * the execution with an error no Catch sees and losing the failure document.
 */
import { oversizedRequest } from './validate';
import { REQUEST_ID, type MeasuredRequest } from './types';

/**
 * The request's id when it is a valid one, whether it asked for a drill, its size and `refused`,
 * the message of `InvalidRestoreInput`, when it is too large to be a request: the workflow then
 * fails without handing the input to Validate, whose event, the input wrapped, could pass 256 KiB.
 * Never throws on a bad input.
 */
export function measureRequest(input: unknown): MeasuredRequest {
  const fields = typeof input === 'object' && input !== null && !Array.isArray(input) ? input as Record<string, unknown> : {};
  const requestId = typeof fields.requestId === 'string' && REQUEST_ID.test(fields.requestId) ? fields.requestId : undefined;
  const bytes = Buffer.byteLength(JSON.stringify(input) ?? '');
  const refused = oversizedRequest(bytes);
  return refused ? { requestId, drill: fields.drill === true, bytes, refused } : { requestId, drill: fields.drill === true, bytes };
}
