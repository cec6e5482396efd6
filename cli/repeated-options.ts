/**
 * Every command refuses an option that takes one value when it is given twice, instead of
 * silently taking the last (`--tables a.b --tables c.d` compares only c.d).
 */
import { UsageError } from './usage-error';

/** How an option is declared (the shape of node:util parseArgs' configuration). */
export interface OptionDeclaration {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
}

/**
 * Throws a UsageError naming the first option that takes one value (type string, not
 * multiple) and appears more than once among `tokens` (parseArgs' tokens, or a command's own
 * in the same form; `name` is the long name without dashes). Repeating a switch changes
 * nothing and is allowed.
 */
export function rejectRepeatedOptions(tokens: ReadonlyArray<{ readonly kind: string; readonly name?: string }>, options: Readonly<Record<string, OptionDeclaration>>): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) {
      continue;
    }
    const declaration = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (declaration?.type !== 'string' || declaration.multiple === true) {
      continue;
    }
    if (seen.has(token.name)) {
      throw new UsageError(`--${token.name} is given more than once; it takes one value`);
    }
    seen.add(token.name);
  }
}
