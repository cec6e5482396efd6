/**
 * The size of a Lambda function's environment as Lambda measures it for its 4 KB limit: the
 * variables as one JSON object (`{"NAME":"value",...}`, quotes and backslashes escaped), in
 * UTF-8 bytes. A value CloudFormation resolves at deploy (a reference or an attribute) is
 * counted from its shortest possible length to `LONG_TOKEN` characters.
 */

/** Lambda's limit on the environment variables of a function, names and values: 4 KB. */
export const ENVIRONMENT_LIMIT = 4096;

/** The length counted for a resolved reference or attribute at its longest (a bucket name's limit). */
export const LONG_TOKEN = 63;

/** The shortest values of the pseudo parameters that have one; any other token may resolve to nothing. */
const SHORTEST_PSEUDO: { [name: string]: number } = {
  'AWS::AccountId': 12,
  'AWS::Region': 9, // us-east-1
  'AWS::Partition': 3, // aws
  'AWS::URLSuffix': 13, // amazonaws.com
};

export interface SizeRange {
  /** Bytes with every token at its shortest. */
  readonly shortest: number;
  /** Bytes with every token at `LONG_TOKEN` characters (or its shortest, when that is longer). */
  readonly longest: number;
}

export interface EnvironmentSize extends SizeRange {
  /** The tokens the values hold. */
  readonly tokens: number;
  /** Each variable's name and value as measured, largest first. */
  readonly variables: Array<{ readonly name: string } & SizeRange>;
}

/** Bytes of a literal text inside a JSON string, escaped. */
function escapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

interface Measured extends SizeRange {
  readonly tokens: number;
}

const NOTHING: Measured = { shortest: 0, longest: 0, tokens: 0 };

function plus(a: Measured, b: Measured): Measured {
  return { shortest: a.shortest + b.shortest, longest: a.longest + b.longest, tokens: a.tokens + b.tokens };
}

/** A value as CloudFormation writes it: a string, an `Fn::Join` of parts, or a token. */
function measure(value: unknown): Measured {
  if (typeof value === 'string') {
    const bytes = escapedBytes(value);
    return { shortest: bytes, longest: bytes, tokens: 0 };
  }
  const join = (value as { 'Fn::Join'?: unknown } | null)?.['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const [delimiter, parts] = join as [string, unknown[]];
    const delimiters = escapedBytes(delimiter) * Math.max(parts.length - 1, 0);
    return parts.map(measure).reduce(plus, { shortest: delimiters, longest: delimiters, tokens: 0 });
  }
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  const shortest = typeof ref === 'string' ? SHORTEST_PSEUDO[ref] ?? 0 : 0;
  return { shortest, longest: Math.max(shortest, LONG_TOKEN), tokens: 1 };
}

/** The size of `variables`, resolved as in the template. */
export function environmentSize(variables: { [name: string]: unknown }): EnvironmentSize {
  const entries = Object.entries(variables).map(([name, value]) => ({ name, ...plus(measure(name), measure(value)) }));
  // {"A":"a","B":"b"}: the braces, a colon and two quotes each, a comma between.
  const punctuation = 2 + entries.length * 5 + Math.max(entries.length - 1, 0);
  const total = entries.reduce(plus, { ...NOTHING, shortest: punctuation, longest: punctuation });
  return {
    ...total,
    variables: entries.sort((a, b) => b.longest - a.longest).map(({ name, shortest, longest }) => ({ name, shortest, longest })),
  };
}
