/**
 * Which objects an S3 replication rule copies: the whole bucket, or those under a prefix
 * and/or with tags (the rule's Filter, or the Prefix of a rule without one); and whether
 * the rule copies at all (its Status).
 */
import { Json } from './assembly';

export function replicationScope(rule: Json, render: (value: Json) => string): string {
  const filter = rule.Filter ?? (rule.Prefix !== undefined ? { Prefix: rule.Prefix } : {});
  const and = filter.And ?? {};
  const prefix = filter.Prefix ?? and.Prefix;
  const tags: Json[] = [...(filter.TagFilter ? [filter.TagFilter] : []), ...(Array.isArray(and.TagFilters) ? and.TagFilters : [])];
  const parts = [
    ...(prefix !== undefined && render(prefix) !== '' ? [`prefix "${render(prefix)}"`] : []),
    ...tags.map((tag) => `tag ${render(tag.Key)}=${render(tag.Value)}`),
  ];
  return parts.length === 0 ? 'copy of the whole bucket' : `copy of the objects with ${parts.join(' and ')} only`;
}

/**
 * What S3 replication leaves out: "Objects that existed before you set up replication aren't
 * replicated automatically" (Amazon S3 User Guide, Setting up live replication).
 */
export const REPLICATION_EXISTING_OBJECTS = 'S3 replicates only objects written after the replication rule exists: objects already in the bucket need S3 Batch Replication';

/** A replication rule that is not `Enabled`: S3 makes no copy (`disabled`), or the template does not say (`not known`). */
export interface ReplicationStatus {
  readonly status: 'disabled' | 'not known';
  /** What becomes of the copy, for the report's retention line. */
  readonly retention: string;
}

/** The status of a rule that does not copy for certain, or undefined for an `Enabled` rule. */
export function replicationStatus(rule: Json, render: (value: Json) => string): ReplicationStatus | undefined {
  if (rule.Status === 'Enabled') {
    return undefined;
  }
  if (rule.Status === 'Disabled') {
    return { status: 'disabled', retention: 'none: the replication rule is disabled, S3 makes no copy' };
  }
  // CloudFormation takes Enabled or Disabled; anything else (a parameter, a condition) is decided at deployment.
  const written = typeof rule.Status === 'string' ? rule.Status : render(rule.Status);
  return { status: 'not known', retention: `not known: the replication rule's status is not known at synth (${written || 'not set'})` };
}
