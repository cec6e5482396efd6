/** A tier and its copies as read from the template, before the copies are placed against their source. */
import type { CopyEntry, TierEntry } from './model';

/** A copy as read from the template, before it is placed against its source. */
export type CopyFacts = Omit<CopyEntry, 'offsite'>;

/** A tier as read from the template, its copies not yet placed against its source. */
export type TierFacts = Omit<TierEntry, 'copies'> & { readonly copies: CopyFacts[] };
