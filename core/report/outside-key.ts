/**
 * A KMS key the report cannot match to a key of the assembly: given by its key ID or key ARN
 * (a key's ID is generated when it is created, so no template of the assembly knows it), or by
 * an alias the assembly does not define. The report does not inspect such a key: it says so,
 * and lists each such key once, in the region and account its ARN names (or of the resource
 * that names it), however its users write it.
 */

/** What the report says of a key it does not inspect. */
export const KEY_NOT_INSPECTED = 'not in this assembly: rotation and deletion not inspected';

/** An AWS managed key (`alias/aws/...`): AWS rotates it and it cannot be deleted. */
export function isAwsManagedKey(written: string): boolean {
  return /(^|:)alias\/aws\//.test(written);
}

/** The region, account and key ID or alias name of a key not in the assembly. */
export interface OutsideKey {
  readonly region: string;
  readonly account: string;
  /** `key/<id>` or `alias/<name>`. */
  readonly name: string;
}

/** Where a key written as a key ID, key ARN, alias name or alias ARN is; `home` for a bare ID or alias name. */
export function outsideKey(written: string, home: { readonly region: string; readonly account: string }): OutsideKey {
  const arn = /^arn:[^:]+:kms:([^:]*):([^:]*):((?:key|alias)\/.+)$/.exec(written);
  if (arn) {
    return { region: arn[1], account: arn[2], name: arn[3] };
  }
  return { region: home.region, account: home.account, name: written.startsWith('alias/') ? written : `key/${written}` };
}
