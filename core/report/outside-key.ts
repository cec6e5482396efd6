/**
 * A KMS key the report cannot match to a key of the assembly: given by its key ID or key ARN
 * (a key's ID is generated when it is created, so no template of the assembly knows it), or by
 * an alias the assembly does not define. The report does not inspect such a key: it says so,
 * and lists each such key once, in the region and account its ARN names (or of the resource
 * that names it), however its users write it.
 */
import { ACCOUNT_ID, REGION_NAME } from '../../lib/private/aws-identifiers';
import { ValueText, fillTokens, hasToken, tokenShape } from './token-arn';

/** What the report says of a key it does not inspect. */
export const KEY_NOT_INSPECTED = 'not in this assembly: rotation and deletion not inspected';

/** An AWS managed key (`alias/aws/...`): AWS rotates it and it cannot be deleted. */
export function isAwsManagedKey(written: string): boolean {
  return /(^|:)alias\/aws\//.test(written);
}

/** The region, account and key ID or alias name of a key not in the assembly. */
export interface OutsideKey {
  /** The region its ARN names, or `not known at synth (...)` where it is not a region name (a token decides it). */
  readonly region: string;
  /** The account its ARN names, or `not known at synth (...)` where it is not an account ID (a token decides it). */
  readonly account: string;
  /** `key/<id>` or `alias/<name>`, to tell keys apart (not to show): a token in it as `nameOf` reads it, so two different tokens, or one parameter of two stacks, never read as the same key. */
  readonly name: string;
}

/** Where a key written as a key ID, key ARN, alias name or alias ARN is; `home` for a bare ID or alias name. */
export function outsideKey(value: unknown, home: { readonly region: string; readonly account: string }, text: ValueText): OutsideKey {
  // Each token (a parameter, a function) stands as a mark without colons, so the JSON of one never splits the ARN.
  const key = tokenShape(value, text);
  const { shape, tokens } = key;
  const fill = (part: string, as: (token: unknown) => string): string => fillTokens(part, key, as);
  const place = (part: string, form: RegExp): string => {
    const words = fill(part, text.render);
    return !hasToken(part) && form.test(words) ? words : `not known at synth (${words})`;
  };
  const arn = /^arn:[^:]+:kms:([^:]*):([^:]*):((?:key|alias)\/.+)$/.exec(shape);
  if (arn) {
    return { region: place(arn[1], REGION_NAME), account: place(arn[2], ACCOUNT_ID), name: fill(arn[3], text.nameOf) };
  }
  const written = text.nameOf(value);
  const name = written.startsWith('alias/') ? written : `key/${written}`;
  // An alias name is looked up in the region and account of its user; a token that may be a key ID or any key's ARN is not placed.
  if (tokens.length > 0 && !shape.startsWith('alias/')) {
    const words = `not known at synth (${text.render(value)})`;
    return { region: words, account: words, name };
  }
  return { region: place(home.region, REGION_NAME), account: place(home.account, ACCOUNT_ID), name };
}
