/**
 * Whether a copy is off site: in another region or account than the data it copies. A
 * region or account the assembly does not give (a destination not in the assembly, a value
 * known only at deploy, an environment-agnostic stack) leaves it not known, unless a known
 * one already differs.
 */

import { ACCOUNT_ID, REGION_NAME } from '../../lib/private/aws-identifiers';

/** `yes`: another region or account; `no`: the same region and account; `not known`. */
export type OffSite = 'yes' | 'no' | 'not known';

/** Where a copy or its source is. */
export interface Place {
  readonly region: string;
  readonly account: string;
}

/** Whether a copy in `copy` of data in `source` is off site, from the places alone. */
export function placeOffSite(copy: Place, source: Place): OffSite {
  const regionsKnown = REGION_NAME.test(copy.region) && REGION_NAME.test(source.region);
  const accountsKnown = ACCOUNT_ID.test(copy.account) && ACCOUNT_ID.test(source.account);
  if ((regionsKnown && copy.region !== source.region) || (accountsKnown && copy.account !== source.account)) {
    return 'yes';
  }
  return regionsKnown && accountsKnown ? 'no' : 'not known';
}

/**
 * Whether a copy is an off-site copy: a copy not made (a disabled replication rule) is not
 * one, and one whose replication rule's status is not known at synth is not known to be one.
 */
export function copyOffSite(copy: Place & { readonly status?: 'disabled' | 'not known' }, source: Place): OffSite {
  const place = placeOffSite(copy, source);
  if (copy.status === 'disabled') {
    return 'no';
  }
  return copy.status === 'not known' && place === 'yes' ? 'not known' : place;
}
