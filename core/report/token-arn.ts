/**
 * An ARN some of whose parts tokens (parameters, functions) give: each token stands as a mark
 * without colons while the ARN is split, so the JSON of one never splits it, and a part a token
 * gives is said to be not known at synth.
 */
import { isStackPseudoParameter } from './assembly-index';
import { subReference, templateText } from './template-text';
import { isToken } from './token-text';

/** How a template value of the ARN's stack reads: in words (`render`) and as a name to match (`nameOf`, tokens as JSON). */
export interface ValueText {
  render(value: unknown): string;
  nameOf(value: unknown): string;
}

/** A value as text with each token in it (at any depth of Fn::Join and Fn::Sub) a mark `\uE000<index in tokens>\uE000` (a private-use character). */
export interface TokenShape {
  readonly shape: string;
  readonly tokens: readonly unknown[];
}

export function tokenShape(value: unknown, text: ValueText): TokenShape {
  const tokens: unknown[] = [];
  const mark = (token: unknown): string => `\uE000${tokens.push(token) - 1}\uE000`;
  const part = (v: unknown): string => {
    if (!isToken(v)) {
      return typeof v === 'object' && v !== null ? mark(v) : text.nameOf(v);
    }
    const ref = (v as { Ref?: unknown }).Ref;
    return typeof ref === 'string' && isStackPseudoParameter(ref) ? text.nameOf(v) : mark(v);
  };
  return { shape: templateText(value, { part, subName: (name) => part(subReference(name)) }), tokens };
}

/** A part of a shape with its tokens read as `as` says. */
export function fillTokens(part: string, shape: TokenShape, as: (token: unknown) => string): string {
  return part.replace(/\uE000(\d+)\uE000/g, (_, i: string) => as(shape.tokens[Number(i)]));
}

/** Whether a token gives (some of) this part of a shape. */
export function hasToken(part: string): boolean {
  return part.includes('\uE000');
}

/** Where an ARN of a service is: its region and account as written, or `not known at synth (<in words>)` where a token gives them. */
export interface ArnPlace {
  readonly region: string;
  readonly account: string;
  /** Whether a token gives its region or account. */
  readonly byToken: boolean;
  /** The resource it names (`backup-vault:<name>`, `db:<name>`), a token in it in words. */
  readonly resource: string;
  /** Whether a token gives (some of) the resource it names. */
  readonly resourceByToken: boolean;
}

/** The region and account an ARN of `service` (`backup`, `rds`, ...) names; undefined for a value that is not such an ARN (a name, a token for the whole ARN). */
export function arnPlace(value: unknown, service: string, text: ValueText): ArnPlace | undefined {
  const shape = tokenShape(value, text);
  const arn = new RegExp(`^arn:[^:]+:${service}:([^:]*):([^:]*):(.+)$`).exec(shape.shape);
  if (!arn) {
    return undefined;
  }
  const place = (part: string): string => {
    const words = fillTokens(part, shape, text.render);
    return hasToken(part) ? `not known at synth (${words})` : words;
  };
  return {
    region: place(arn[1]), account: place(arn[2]), byToken: hasToken(arn[1]) || hasToken(arn[2]),
    resource: fillTokens(arn[3], shape, text.render), resourceByToken: hasToken(arn[3]),
  };
}

/** Whether a token (a parameter, a function; not a pseudo parameter the report knows) gives some of a value: the deploy decides it, so it never matches a name by its text. */
export function givenByToken(value: unknown, text: ValueText): boolean {
  return tokenShape(value, text).tokens.length > 0;
}

/**
 * Whether a value a token gives some of (a parameter, a function) may be this literal name: the
 * name holds the value's written parts in their order, with any text where each token stands.
 * False for a value without a token (compare such a name as text).
 */
export function mayBeNamed(value: unknown, text: ValueText, name: string, ignoreCase = false): boolean {
  const shape = tokenShape(value, text).shape;
  return hasToken(shape) && shapesMayMeet(shape, name, ignoreCase);
}

/**
 * Whether two names, each a literal or a shape (or part of one) with marks where tokens stand,
 * may be the same name once deployed: a literal is matched against the other's pattern (its
 * written parts in their order, any text where each token stands); two shapes with a token each
 * may meet where neither's written start nor end contradicts the other's (the tokens can then
 * hold all the rest). Two literals meet only when equal.
 */
export function shapesMayMeet(a: string, b: string, ignoreCase = false): boolean {
  const fold = (s: string): string => ignoreCase ? s.toLowerCase() : s;
  const parts = (s: string): string[] => fold(s).split(/\uE000\d+\uE000/);
  const [pa, pb] = [parts(a), parts(b)];
  if (pa.length === 1 || pb.length === 1) {
    const [pattern, literal] = pa.length === 1 ? [pb, pa[0]] : [pa, pb[0]];
    return new RegExp(`^${pattern.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`).test(literal);
  }
  const [firstA, firstB, lastA, lastB] = [pa[0], pb[0], pa[pa.length - 1], pb[pb.length - 1]];
  return (firstA.startsWith(firstB) || firstB.startsWith(firstA)) && (lastA.endsWith(lastB) || lastB.endsWith(lastA));
}
