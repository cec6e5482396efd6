import { fitPathDescription } from './path-description';

/** Lambda's limit on a function's description. */
export const FUNCTION_DESCRIPTION_CHARACTERS = 256;

/**
 * `description` within Lambda's limit. When it is too long, the construct path it names
 * (`path`, its last occurrence) keeps its end, the most specific part, after '...'; the rest of
 * the text stays whole. Throws when even the shortest path would not make it fit.
 */
export function fitFunctionDescription(description: string, path?: string): string {
  return fitPathDescription(description, path, { what: 'the function description', service: 'Lambda', maxLength: FUNCTION_DESCRIPTION_CHARACTERS });
}
