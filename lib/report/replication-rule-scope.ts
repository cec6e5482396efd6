/**
 * Which objects an enabled S3 replication rule copies, read from the rule as the L1 class
 * holds it (resolved): its `filter` (`prefix`, `tagFilter`, or `and` of a prefix and tags), or
 * the legacy `prefix` of a rule without a filter. An empty prefix and no tag copy the whole
 * bucket.
 */
export type ReplicationRuleScope =
  | { readonly kind: 'whole' }
  /** `objects`: which objects, such as `the objects with prefix "logs/"`. */
  | { readonly kind: 'some'; readonly objects: string }
  /** A prefix that is a token: whether it is empty is known only at deploy. */
  | { readonly kind: 'not known'; readonly objects: string };

interface TagFilter { readonly key?: unknown; readonly value?: unknown }

export function replicationRuleScope(rule: { readonly filter?: unknown; readonly prefix?: unknown }): ReplicationRuleScope {
  const filter = (rule.filter ?? (rule.prefix !== undefined ? { prefix: rule.prefix } : {})) as {
    readonly prefix?: unknown; readonly tagFilter?: TagFilter; readonly and?: { readonly prefix?: unknown; readonly tagFilters?: readonly TagFilter[] };
  };
  const prefix = filter.prefix ?? filter.and?.prefix;
  const tags = [...(filter.tagFilter ? [filter.tagFilter] : []), ...(filter.and?.tagFilters ?? [])];
  const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
  const parts = [
    ...(prefix !== undefined && prefix !== '' ? [`prefix "${text(prefix)}"`] : []),
    ...tags.map((tag) => `tag ${text(tag.key)}=${text(tag.value)}`),
  ];
  if (parts.length === 0) {
    return { kind: 'whole' };
  }
  const objects = `the objects with ${parts.join(' and ')}`;
  // Tags always narrow the copy; a prefix that is a token may be '' at deploy.
  return tags.length === 0 && typeof prefix !== 'string' ? { kind: 'not known', objects } : { kind: 'some', objects };
}
