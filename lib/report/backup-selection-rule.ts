/**
 * Whether an AWS Backup selection selects a resource, as AWS Backup decides it: the resource
 * is named in `Resources` (a reference, `*` or an ARN pattern of its service) or carries one of
 * the `ListOfTags` (either is enough), it meets every one of the `Conditions`, and
 * `NotResources` does not name it. Conditions alone select every resource that meets them.
 * Used at synth (the coverage guard) and on templates (the report), so both say the same.
 */

/**
 * One tag condition: `aws:ResourceTag/<key>` in `Conditions`, the tag key itself in `ListOfTags`.
 * A key or value that is not a string (a token, resolved to `{ Ref: ... }` and the like) is
 * known only at deploy.
 */
export interface SelectionTagCondition {
  readonly conditionKey: unknown;
  readonly conditionValue: unknown;
}

/** Whether a selection selects a resource: `'unknown'` where a token keeps synth from telling. */
export type Selects = boolean | 'unknown';

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
  'AWS::EC2::Instance': 'ec2',
  'AWS::S3::Bucket': 's3',
  'AWS::DynamoDB::Table': 'dynamodb',
  'AWS::DynamoDB::GlobalTable': 'dynamodb',
  'AWS::EFS::FileSystem': 'elasticfilesystem',
};

/** The `Resources` ARN pattern (the part after the account) that names every resource of each type. */
const EVERY_RESOURCE_OF_TYPE: { readonly [type: string]: string } = {
  'AWS::RDS::DBInstance': 'db:*',
  'AWS::RDS::DBCluster': 'cluster:*',
  'AWS::EC2::Volume': 'volume/*',
  'AWS::EC2::Instance': 'instance/*',
  'AWS::S3::Bucket': '*',
  'AWS::DynamoDB::Table': 'table/*',
  'AWS::DynamoDB::GlobalTable': 'table/*',
  'AWS::EFS::FileSystem': 'file-system/*',
};

/**
 * Whether one entry of `Resources` or `NotResources` names a resource of the given type:
 * `true` for `*`, an ARN pattern that names every resource of its type (`arn:aws:rds:*:*:db:*`),
 * or a value that `refersToIt`; `'maybe'` for any other ARN (pattern) of its service, whose
 * match is known only at deploy (`arn:aws:s3:::scratch-*`, the ARN of a name given by a
 * parameter); `false` otherwise. A selection lists a resource only when it surely names it,
 * and excludes it when it may.
 */
export function selectionEntryNames(entry: unknown, type: string, refersToIt: (value: unknown) => boolean): boolean | 'maybe' {
  if (typeof entry !== 'string') {
    return refersToIt(entry);
  }
  if (entry === '*') {
    return true;
  }
  const parts = entry.split(':');
  const service = parts[2];
  if (parts[0] !== 'arn' || service === undefined || (service !== SERVICE_OF_TYPE[type] && service !== '*')) {
    return false;
  }
  const resource = parts.slice(5).join(':');
  return resource === '*' || (service !== '*' && resource === EVERY_RESOURCE_OF_TYPE[type]) ? true : 'maybe';
}

/** `*` stands for any run of characters, as in `StringLike`. */
function likePattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

/** The tag a condition reads; undefined when the key is no resource tag, `'unknown'` when the key is a token. */
function tagKey(condition: SelectionTagCondition): string | undefined | 'unknown' {
  const key = condition.conditionKey;
  if (typeof key !== 'string') {
    return 'unknown';
  }
  return key.startsWith(RESOURCE_TAG) ? key.slice(RESOURCE_TAG.length) : undefined;
}

/** Every one holds: false when one does not, else `'unknown'` when one is not known. */
function allOf(answers: readonly Selects[]): Selects {
  return answers.includes(false) ? false : answers.includes('unknown') ? 'unknown' : true;
}

/** One holds: true when one does, else `'unknown'` when one is not known. */
function anyOf(answers: readonly Selects[]): Selects {
  return answers.includes(true) ? true : answers.includes('unknown') ? 'unknown' : false;
}

/**
 * Whether the selection selects the resource. `names(entry)` says whether one entry of
 * `Resources` or `NotResources` names it (`'maybe'`: only the deploy can tell; it then counts
 * as excluding and not as listing); `tags` are its resolved tags, a value that is not a string
 * being a token. Negated conditions hold for a resource without the tag, as in IAM. A tag
 * condition whose tag value or condition value is a token is `'unknown'`: the answer is then
 * `'unknown'` unless the rest decides it.
 */
export function selectionSelects(terms: SelectionTerms, names: (entry: unknown) => boolean | 'maybe', tags: { readonly [key: string]: unknown }): Selects {
  if ((terms.notResources ?? []).some((entry) => names(entry) !== false)) {
    return false;
  }
  const resources = terms.resources ?? [];
  const listOfTags = terms.listOfTags ?? [];
  const conditions = terms.conditions ?? {};
  // `absent`: the answer for a resource without the tag; `compare`: for two known strings.
  const holds = (key: string | undefined | 'unknown', condition: SelectionTagCondition, absent: boolean, compare: (value: string, wanted: string) => boolean): Selects => {
    if (key === undefined) {
      return false;
    }
    if (key === 'unknown') {
      return 'unknown';
    }
    const value = Object.prototype.hasOwnProperty.call(tags, key) ? tags[key] : undefined;
    if (value === undefined) {
      return absent;
    }
    if (typeof value !== 'string' || typeof condition.conditionValue !== 'string') {
      return 'unknown';
    }
    return compare(value, condition.conditionValue);
  };
  const each = (list: readonly SelectionTagCondition[] | undefined, absent: boolean, compare: (value: string, wanted: string) => boolean): Selects[] =>
    (list ?? []).map((condition) => holds(tagKey(condition), condition, absent, compare));
  const meetsConditions = allOf([
    ...each(conditions.stringEquals, false, (value, wanted) => value === wanted),
    ...each(conditions.stringNotEquals, true, (value, wanted) => value !== wanted),
    ...each(conditions.stringLike, false, (value, wanted) => likePattern(wanted).test(value)),
    ...each(conditions.stringNotLike, true, (value, wanted) => !likePattern(wanted).test(value)),
  ]);
  if (meetsConditions === false) {
    return false;
  }
  if (resources.length === 0 && listOfTags.length === 0) {
    return Object.values(conditions).some((list) => (list ?? []).length > 0) ? meetsConditions : false;
  }
  const listed = anyOf([
    ...resources.map((entry) => names(entry) === true),
    ...listOfTags.map((tag) => {
      const key = tagKey(tag);
      return holds(key ?? (tag.conditionKey as string), tag, false, (value, wanted) => value === wanted);
    }),
  ]);
  return allOf([meetsConditions, listed]);
}
/**
 * Whether AWS Backup can back up a resource its selection selects: it backs up an S3 bucket
 * only when the bucket's versioning is enabled (its jobs for any other bucket fail).
 * `versioningStatus` is the bucket's `VersioningConfiguration.Status`.
 */
export function backupCanProtect(type: string, versioningStatus: unknown): boolean {
  return type !== 'AWS::S3::Bucket' || versioningStatus === 'Enabled';
}
