/**
 * What a step function throws becomes Lambda's error document, `{"errorType", "errorMessage",
 * "trace"}`, and Step Functions puts that JSON text in the failure's cause, which holds at most
 * 32,768 characters; the object restore adds more to it (the open uploads, a failed cleanup's
 * own document). The Node.js runtime makes `trace` of the error's stack, whose first line
 * repeats the message, and JSON escapes a `"` or `\` in a key as two characters, a control
 * character as six.
 */
import { errorName, errorText } from './common';

/**
 * Characters (in JSON) of the message of an error a restore function throws: two such documents
 * (the step's and a failed cleanup's) with their traces and names take under 19,000 of the
 * 32,768; the object restore's handler works out its larger share.
 */
export const RESTORE_ERROR_CHARACTERS = 6_500;

/** Lines of a stack kept in the trace, and characters of each. */
const TRACE_LINES = 10;
const TRACE_LINE_CHARACTERS = 200;

/** Characters a text takes in a JSON string, without the quotes around it. */
function jsonCharacters(text: string): number {
  return JSON.stringify(text).length - 2;
}

/** The start of `text` that takes at most `characters` characters in a JSON string. */
function jsonPrefix(text: string, characters: number): string {
  let length = 0;
  let end = 0;
  for (const character of text) {
    length += jsonCharacters(character);
    if (length > characters) {
      break;
    }
    end += character.length;
  }
  return text.slice(0, end);
}

/**
 * The message of an error named `name` as far as it takes `characters` in JSON: a cut one says
 * so, and the whole is written to the function's log. What a restore function puts in a
 * failure's cause (its own error, or one it was handed) is cut this way.
 */
export function boundedText(text: string, characters: number, name: string): string {
  if (jsonCharacters(text) <= characters) {
    return text;
  }
  const note = ` ... (cut at ${characters} characters, a Step Functions cause being limited to 32,768: the function's log has the whole error)`;
  console.error(JSON.stringify({ message: 'error cut in the failure\'s cause', name, error: text }));
  return cutInJson(text, characters, note);
}

/**
 * `text` as it is when it takes at most `characters` characters in a JSON string, else its
 * start followed by `note` (which says why), the two together taking at most `characters`.
 */
export function cutInJson(text: string, characters: number, note: string): string {
  if (jsonCharacters(text) <= characters) {
    return text;
  }
  return jsonPrefix(text, characters - jsonCharacters(note)) + note;
}

/**
 * The error to throw to Step Functions in place of `error`: the same name (the state machine's
 * rules match it), the message as far as it takes `characters` in JSON (a cut one says so,
 * and the whole is written to the function's log), and a stack of the name and at most ten
 * short frames, not the message again. Its document then takes at most `characters` plus
 * {@link DOCUMENT_OVERHEAD} characters and the name twice.
 */
export function boundedError(error: unknown, characters: number): Error {
  const name = errorName(error);
  const bounded = new Error(boundedText(errorText(error), characters, name));
  bounded.name = name;
  const frames = (error instanceof Error && typeof error.stack === 'string' ? error.stack.split('\n') : [])
    .filter((line) => /^\s+at /.test(line)).slice(0, TRACE_LINES).map((line) => jsonPrefix(line, TRACE_LINE_CHARACTERS));
  bounded.stack = [name, ...frames].join('\n');
  return bounded;
}

/** Characters of a bounded error's document besides its message and name: the JSON keys and the trace's frames. */
export const DOCUMENT_OVERHEAD = 60 + TRACE_LINES * (TRACE_LINE_CHARACTERS + 3);

/**
 * `handler` with every error it throws passed through {@link boundedError}: what each restore
 * function uses, as a failed restore's cause holds its error and, when cleanup fails too, the
 * cleanup's (`cleanupIncomplete` in lib/restore/workflow-shell.ts).
 */
export function withBoundedErrors<E, C, R>(handler: (event: E, context?: C) => Promise<R>, characters: number): (event: E, context?: C) => Promise<R> {
  return async (event, context) => {
    try {
      return await handler(event, context);
    } catch (error) {
      throw boundedError(error, characters);
    }
  };
}
