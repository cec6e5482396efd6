/**
 * Whether an AWS Backup selection selects a resource, as AWS Backup decides it: the resource
 * is named in `Resources` (a reference, `*` or an ARN pattern of its service) or carries one of
 * the `ListOfTags` (either is enough), it meets every one of the `Conditions`, and
 * `NotResources` does not name it. Conditions alone select every resource that meets them.
 * Used at synth (the coverage guard) and on templates (the report), so both say the same.
 */

/** One tag condition: `aws:ResourceTag/<key>` in `Conditions`, the tag key itself in `ListOfTags`. */
export interface SelectionTagCondition {
  readonly conditionKey: string;
  readonly conditionValue: string;
}

/** The parts of a selection, with property names as in the L1 class. */
export interface SelectionTerms {
  readonly resources?: readonly unknown[];
  readonly notResources?: readonly unknown[];
  readonly listOfTags?: readonly SelectionTagCondition[];
  readonly conditions?: {
    readonly stringEquals?: readonly SelectionTagCondition[];
    readonly stringNotEquals?: readonly SelectionTagCondition[];
    readonly stringLike?: readonly SelectionTagCondition[];
    readonly stringNotLike?: readonly SelectionTagCondition[];
  };
}

const RESOURCE_TAG = 'aws:ResourceTag/';

/** The service part of the ARNs of each stateful resource type. */
const SERVICE_OF_TYPE: { readonly [type: string]: string } = {
  'AWS::RDS::DBInstance': 'rds',
  'AWS::RDS::DBCluster': 'rds',
  'AWS::EC2::Volume': 'ec2',
  'AWS::S3::Bucket': 's3',
  'AWS::DynamoDB::Table': 'dynamodb',
  'AWS::DynamoDB::GlobalTable': 'dynamodb',
  'AWS::EFS::FileSystem': 'elasticfilesystem',
};

/**
 * Whether one entry of `Resources` or `NotResources` names a resource of the given type:
 * `*`, an ARN pattern ending in `*` for its service, or a value that `refersToIt`.
 */
export function selectionEntryNames(entry: unknown, type: string, refersToIt: (value: unknown) => boolean): boolean {
  if (typeof entry !== 'string') {
    return refersToIt(entry);
  }
  const service = entry.split(':')[2];
  return entry === '*' || (entry.endsWith('*') && service !== undefined && (service === SERVICE_OF_TYPE[type] || service === '*'));
}

/** `*` stands for any run of characters, as in `StringLike`. */
function likePattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

/** The tag a condition reads; undefined when the key is no resource tag (the condition is then not known to hold). */
function tagKey(condition: SelectionTagCondition): string | undefined {
  return condition.conditionKey.startsWith(RESOURCE_TAG) ? condition.conditionKey.slice(RESOURCE_TAG.length) : undefined;
}

/**
 * Whether the selection selects the resource. `names(entry)` says whether one entry of
 * `Resources` or `NotResources` names it; `tags` are its resolved tags. Negated conditions
 * hold for a resource without the tag, as in IAM.
 */
export function selectionSelects(terms: SelectionTerms, names: (entry: unknown) => boolean, tags: { readonly [key: string]: string }): boolean {
  if ((terms.notResources ?? []).some(names)) {
    return false;
  }
  const resources = terms.resources ?? [];
  const listOfTags = terms.listOfTags ?? [];
  const conditions = terms.conditions ?? {};
  const all = (list: readonly SelectionTagCondition[] | undefined, holds: (value: string | undefined, condition: SelectionTagCondition) => boolean): boolean =>
    (list ?? []).every((condition) => {
      const key = tagKey(condition);
      return key !== undefined && holds(tags[key], condition);
    });
  const meetsConditions = all(conditions.stringEquals, (value, condition) => value === condition.conditionValue)
    && all(conditions.stringNotEquals, (value, condition) => value !== condition.conditionValue)
    && all(conditions.stringLike, (value, condition) => value !== undefined && likePattern(condition.conditionValue).test(value))
    && all(conditions.stringNotLike, (value, condition) => value === undefined || !likePattern(condition.conditionValue).test(value));
  if (!meetsConditions) {
    return false;
  }
  if (resources.length === 0 && listOfTags.length === 0) {
    return Object.values(conditions).some((list) => (list ?? []).length > 0);
  }
  return resources.some(names) || listOfTags.some((tag) => tags[tagKey(tag) ?? tag.conditionKey] === tag.conditionValue);
}
