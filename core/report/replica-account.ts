/**
 * The account of an S3 replication rule's destination bucket, as far as the report may claim
 * it. A rule's `Destination.Account` names the destination bucket's owner so that S3 can hand
 * it the replicas (`AccessControlTranslation`, Owner `Destination`); S3 verifies the value only
 * then (S3 API Reference, Destination: "Amazon S3 verifies this value only if Access Control
 * Translation is enabled"). Without it the value is a statement nothing checks, and a bucket
 * outside the assembly may be in any account.
 */
import { Json } from './assembly';

const NOT_IN_ASSEMBLY = 'not known (bucket not in this assembly)';

/**
 * The destination bucket's account: its stack's where the assembly defines the bucket, the
 * rule's `Destination.Account` where S3 enforces it, and otherwise "not known" (`notKnown`, in
 * parentheses why: the bucket is not in the assembly unless said otherwise), with the stated
 * but unchecked account, if any.
 */
export function replicaAccount(destination: Json, bucketStackAccount: string | undefined, render: (value: Json) => string, notKnown = NOT_IN_ASSEMBLY): string {
  if (bucketStackAccount !== undefined) {
    return bucketStackAccount;
  }
  const stated = render(destination?.Account);
  if (stated === '') {
    return notKnown;
  }
  if (render(destination?.AccessControlTranslation?.Owner) === 'Destination') {
    return stated;
  }
  return `${notKnown.replace(/\)$/, '')}; Destination.Account ${stated} is stated, not enforced: S3 checks it only with AccessControlTranslation)`;
}
