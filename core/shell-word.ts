/**
 * One word of a command for a POSIX shell (sh, bash, zsh), quoted so that the shell passes it
 * on unchanged: S3 keys may hold quotes, spaces, `$` and backticks. Inside single quotes only
 * `'` itself is special; it is written as `'\''` (close, an escaped quote, open again).
 */
export function shellWord(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** Matches a word {@link shellWord} writes, in a regular expression's source. */
export const SHELL_WORD_PATTERN = "'[^']*'(?:\\\\''[^']*')*";
