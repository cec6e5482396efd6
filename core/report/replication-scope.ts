/**
 * Which objects an S3 replication rule copies: the whole bucket, or those under a prefix
 * and/or with tags (the rule's Filter, or the Prefix of a rule without one).
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
