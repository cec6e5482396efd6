/**
 * A value only the deploy resolves (a token), in words for the report: the name of the
 * parameter (or pseudo parameter) a `Ref` names, otherwise which function gives it.
 */
export function tokenText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as { [key: string]: unknown });
    if (entries.length === 1) {
      const [key, inner] = entries[0];
      if (key === 'Ref' && typeof inner === 'string') {
        return inner;
      }
      if (key.startsWith('Fn::')) {
        return `a value given by ${key}`;
      }
    }
  }
  return 'a value only the deploy resolves';
}

/** A value only the deploy resolves: `{ Ref }` or `{ "Fn::...": ... }`. */
export function isToken(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    && Object.keys(value).some((key) => key === 'Ref' || key.startsWith('Fn::'));
}

/**
 * A template value (a policy's Principal, Condition, ...) with each token in it, at any depth of
 * its objects and lists, in words as `tokenText` says; its literal values are kept as they are.
 */
export function tokensInWords(value: unknown): unknown {
  if (isToken(value)) {
    return tokenText(value);
  }
  if (Array.isArray(value)) {
    return value.map(tokensInWords);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, tokensInWords(inner)]));
  }
  return value;
}
