/** Lambda's limit on a function's description. */
export const FUNCTION_DESCRIPTION_CHARACTERS = 256;

const ELLIPSIS = '...';

/**
 * `description` within Lambda's limit. When it is too long, the construct path it names
 * (`path`, its last occurrence) keeps its end, the most specific part, after '...'; the rest of
 * the text stays whole. Throws when even the shortest path would not make it fit.
 */
export function fitFunctionDescription(description: string, path?: string): string {
  if (description.length <= FUNCTION_DESCRIPTION_CHARACTERS) {
    return description;
  }
  const at = path ? description.lastIndexOf(path) : -1;
  if (!path || at < 0) {
    throw new Error(`the function description is ${description.length} characters, Lambda allows ${FUNCTION_DESCRIPTION_CHARACTERS}: '${description}'`);
  }
  const before = description.slice(0, at);
  const after = description.slice(at + path.length);
  const room = FUNCTION_DESCRIPTION_CHARACTERS - before.length - after.length - ELLIPSIS.length;
  if (room < 1) {
    throw new Error(`the function description without its path is too long for Lambda's ${FUNCTION_DESCRIPTION_CHARACTERS} characters: '${before}${after}'`);
  }
  return `${before}${ELLIPSIS}${path.slice(-room)}${after}`;
}
