/**
 * The entries of a comma-separated list (an environment variable, a command-line value),
 * trimmed, without empty ones: `' a, b,,'` is `['a', 'b']`, and an absent text is `[]`.
 */
export function commaList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}
