/**
 * One word of a command for a POSIX shell (sh, bash, zsh), quoted so that the shell passes it
 * on unchanged: S3 keys may hold quotes, spaces, `$` and backticks. Inside single quotes only
 * `'` itself is special; it is written as `'"'"'` (close, a double-quoted quote, open again),
 * which holds no backslash: the text passes through Step Functions' `States.Format`, whose
 * escapes use backslashes.
 */
export function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}

/** Matches a word {@link shellWord} writes, in a regular expression's source. */
export const SHELL_WORD_PATTERN = `'[^']*'(?:"'"'[^']*')*`;
