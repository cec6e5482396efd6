/** S3: the tiers of a bucket that holds backups (its lifecycle expiry), and its replication rules as copies. */
import type { Json, StackArtifact } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import { scheduleOf } from './activities';
import { keyText } from './kms-key-refs';
import { Located, meta } from './located';
import { replicaAccount } from './replica-account';
import { REPLICATION_EXISTING_OBJECTS, replicationScope, replicationStatus } from './replication-scope';
import { encryptionOf } from './resource-encryption';
import { locksOf } from './resource-locks';
import { s3ExpiryRetention } from './schedule';
import { PartialRetention, knownNumber, notKnownRetention } from './template-numbers';
import type { CopyFacts, TierFacts } from './tier-facts';
import { ValueText, hasToken, shapesMayMeet, tokenShape } from './token-arn';

/** The encryption and locks of a replication destination bucket the assembly does not define. */
const BUCKET_NOT_IN_ASSEMBLY = 'not known (bucket not in this assembly)';

/** An S3 expiry of a number of days, or not known where the number is a token. */
function expiryRetention(days: unknown, property: string): PartialRetention {
  const known = knownNumber(days);
  return known === undefined ? notKnownRetention(property, days) : s3ExpiryRetention(known);
}

/** Whether a lifecycle rule expires the current objects: at an age (`ExpirationInDays`) or on a date (`ExpirationDate`). */
function expiresObjects(rule: Json): boolean {
  return rule.ExpirationInDays !== undefined || rule.ExpirationDate !== undefined;
}

/**
 * How long a lifecycle rule that expires objects keeps them. A rule with `ExpirationDate` deletes
 * every object it covers from that date on, whatever its age: the lifetime of an object depends on
 * when it was written, so such a rule gives none.
 */
function ruleExpiry(rule: Json, name: string, render: (value: Json) => string): PartialRetention {
  if (rule.ExpirationInDays !== undefined) {
    return expiryRetention(rule.ExpirationInDays, 'ExpirationInDays');
  }
  return { text: `until ${render(rule.ExpirationDate)}: ${name} deletes the objects it covers from that date on, whatever their age (ExpirationDate)` };
}

/**
 * The retention of a lifecycle rule as its `Status` allows: CloudFormation takes Enabled or
 * Disabled, so any other value (a parameter, a condition) is decided at deployment and the
 * expiry is not known at synth, said with what it would be.
 */
function withStatus(rule: Json, name: string, retention: PartialRetention, render: (value: Json) => string): PartialRetention {
  if (rule.Status === 'Enabled') {
    return retention;
  }
  const written = rule.Status === undefined ? 'not set' : render(rule.Status);
  return { text: `not known at synth (the Status of ${name} is ${written}): if enabled, ${retention.text}` };
}

/** The tiers of a bucket that holds backups: its lifecycle rules' expiry of current and earlier versions, run by its backup job, with its replication copies. */
export function s3LifecycleTiers(index: AssemblyIndex, year: number, r: Located): TierFacts[] {
  const p = r.resource.Properties ?? {};
  const tierName = meta(r)?.tier;
  const rules = (p.LifecycleConfiguration?.Rules ?? []).filter((rule: Json) => rule.Status !== 'Disabled');
  const job = tierName ? index.all.find((a) => meta(a)?.role === 'backup-job' && meta(a)?.tier === tierName) : undefined;
  const jobRuns = job ? scheduleOf(index, year, job) : undefined;
  const replication = replicationCopies(index, r);
  const entry = (tier: string, mechanism: string, retention: PartialRetention, copies: CopyFacts[]): TierFacts => ({
    tier,
    mechanism,
    schedule: jobRuns ? `${jobRuns.text} (${job!.path})` : 'whenever objects are written',
    scheduleNote: jobRuns?.note,
    runs: jobRuns?.minutes ?? [],
    retention: retention.text,
    minHours: retention.minHours,
    maxHours: retention.maxHours,
    storedIn: `bucket ${r.path} (${r.stack.region})`,
    encryptionKey: encryptionOf(index, r),
    // The bucket's own locks are listed once, on the resource.
    locks: [],
    copies,
  });
  const ruleName = (rule: Json): string => {
    const prefix = index.render(rule.Prefix ?? rule.Filter?.Prefix, r.stack);
    return `S3 lifecycle rule ${index.render(rule.Id, r.stack)}${prefix ? ` on ${prefix}` : ''}`.replace(/ +$/, '');
  };
  const render = (value: Json): string => index.render(value, r.stack);
  const tier = tierName ?? 'objects';
  const expiring = rules.filter(expiresObjects);
  // The current objects: their expiry, or kept until deleted when no rule expires them.
  const current = expiring.length > 0
    ? expiring.map((rule: Json) => entry(tier, ruleName(rule), withStatus(rule, ruleName(rule), ruleExpiry(rule, ruleName(rule), render), render), replication))
    : [entry(tier, 'S3 bucket without an expiry rule', { text: 'kept until deleted by hand (no expiry)', minHours: Infinity, maxHours: Infinity }, replication)];
  // Earlier versions of an object (the shadow copies a point-in-time restore reads).
  const earlierVersions = rules
    .filter((rule: Json) => rule.NoncurrentVersionExpiration !== undefined)
    .map((rule: Json) => {
      const name = `${ruleName(rule)} (noncurrent versions)`;
      return entry(`${tier} (earlier versions)`, name, withStatus(rule, name, expiryRetention(rule.NoncurrentVersionExpiration.NoncurrentDays, 'NoncurrentDays'), render), []);
    });
  return [...current, ...earlierVersions];
}

export function replicationCopies(index: AssemblyIndex, r: Located): CopyFacts[] {
  const rules: Json[] = r.resource.Properties?.ReplicationConfiguration?.Rules ?? [];
  return rules.map((rule: Json): CopyFacts => {
    const notCopying = replicationStatus(rule, (value) => index.render(value, r.stack));
    const destination = rule.Destination ?? {};
    const name = index.render(destination.Bucket, r.stack).replace(/^arn:[^:]+:s3:::/, '');
    const bucket = replicaBucket(index, destination.Bucket, r.stack);
    const retention = bucket ? replicaRetention(index, bucket) : undefined;
    const notFound = bucket ? undefined : replicaNotFoundText(index, destination.Bucket, r.stack);
    return {
      destination: `bucket ${bucket ? bucket.path : name} (${replicationScope(rule, (value) => index.render(value, r.stack))})`,
      region: bucket?.stack.region ?? notFound ?? 'unknown (bucket not in this assembly)',
      account: replicaAccount(destination, bucket?.stack.account, (value) => index.render(value, r.stack), notFound),
      retention: notCopying?.retention ?? retention?.text ?? (bucket ? 'no expiry' : notFound ?? 'unknown'),
      minHours: notCopying ? undefined : retention?.minHours,
      maxHours: notCopying ? undefined : retention?.maxHours,
      ...(notCopying ? { status: notCopying.status } : {}),
      ...(notCopying?.status === 'disabled' ? {} : { caveat: REPLICATION_EXISTING_OBJECTS }),
      encryptionKey: destination.EncryptionConfiguration?.ReplicaKmsKeyID !== undefined
        ? keyText(index, destination.EncryptionConfiguration.ReplicaKmsKeyID, r.stack, '')
        : (bucket ? encryptionOf(index, bucket) : notFound ?? BUCKET_NOT_IN_ASSEMBLY),
      locks: bucket ? locksOf(index, bucket) : [`locks ${notFound ?? BUCKET_NOT_IN_ASSEMBLY}`],
    };
  });
}

/** The objects a lifecycle rule covers: those with its prefix, tags and sizes; empty for the whole bucket. */
function lifecycleScope(rule: Json, render: (value: Json) => string): string {
  const prefix = rule.Prefix === undefined ? '' : render(rule.Prefix);
  const parts = [
    ...(prefix !== '' ? [`prefix "${prefix}"`] : []),
    ...(Array.isArray(rule.TagFilters) ? rule.TagFilters : []).map((tag: Json) => `tag ${render(tag.Key)}=${render(tag.Value)}`),
    ...(rule.ObjectSizeGreaterThan !== undefined ? [`size over ${render(rule.ObjectSizeGreaterThan)} bytes`] : []),
    ...(rule.ObjectSizeLessThan !== undefined ? [`size under ${render(rule.ObjectSizeLessThan)} bytes`] : []),
  ];
  return parts.length === 0 ? '' : `objects with ${parts.join(' and ')}`;
}

/** A lifecycle rule that expires objects, as the copy's retention says it. */
interface ExpiryRule {
  readonly name: string;
  /** The objects it covers; empty for the whole bucket. */
  readonly scope: string;
  readonly retention: PartialRetention;
}

/**
 * How long a replication destination bucket keeps the objects copied to it, by all its enabled
 * rules that expire objects: S3 deletes an object at the first rule that expires it, and keeps one
 * that no rule covers. Undefined where no rule expires objects.
 */
function replicaRetention(index: AssemblyIndex, bucket: Located): PartialRetention | undefined {
  const render = (value: Json): string => index.render(value, bucket.stack);
  const rules: Json[] = (bucket.resource.Properties?.LifecycleConfiguration?.Rules ?? []).filter((rule: Json) => rule.Status !== 'Disabled' && expiresObjects(rule));
  const read = rules.map((rule): ExpiryRule => {
    const name = `S3 lifecycle rule ${render(rule.Id)}`.trim();
    return { name, scope: lifecycleScope(rule, render), retention: withStatus(rule, name, ruleExpiry(rule, name, render), render) };
  });
  if (read.length === 0) {
    return undefined;
  }
  if (read.length === 1 && read[0].scope === '') {
    return read[0].retention;
  }
  const whole = read.filter((rule) => rule.scope === '');
  const text = [
    ...read.map((rule) => `${rule.name}${rule.scope ? ` on ${rule.scope}` : ''}: ${rule.retention.text}`),
    whole.length === 0 ? 'other objects: kept until deleted by hand (no expiry)' : 'an object is deleted by the first rule that expires it',
  ].join('; ');
  const mins = read.map((rule) => rule.retention.minHours);
  const maxes = whole.map((rule) => rule.retention.maxHours);
  if ([...mins, ...maxes].some((hours) => hours === undefined)) {
    return { text };
  }
  return {
    text,
    minHours: Math.min(...mins as number[]),
    // An object only the whole-bucket rules cover lives as long as the shortest of them; without one, some objects never expire.
    maxHours: whole.length === 0 ? Infinity : Math.min(...maxes as number[]),
  };
}

/** The destination bucket of a replication rule: by reference, or by its name (bucket names are global). */
export function replicaBucket(index: AssemblyIndex, value: unknown, stack: StackArtifact): Located | undefined {
  const name = index.nameOf(value, stack).replace(/^arn:[^:]+:s3:::/, '');
  return index.referencedOfType(value, stack, 'AWS::S3::Bucket')
    ?? index.ofType('AWS::S3::Bucket').find((b) => index.nameOf(b.resource.Properties?.BucketName, b.stack) === name);
}

/**
 * Why a replication destination bucket `replicaBucket` did not find may yet be one of the
 * assembly's: a token gives its whole name (it may be any bucket), or a token gives (some of) its
 * name or the `BucketName` of a bucket of the assembly that may bear it (bucket names are global),
 * each such bucket said; undefined where no bucket of the assembly may be it.
 */
function replicaNotFoundText(index: AssemblyIndex, value: unknown, stack: StackArtifact): string | undefined {
  const name = tokenShape(value, textIn(index, stack)).shape.replace(/^arn:[^:]+:s3:::/, '');
  if (/^\uE000\d+\uE000$/.test(name)) {
    return `not known at synth (${index.render(value, stack)})`;
  }
  const mayBe = index.ofType('AWS::S3::Bucket').filter((b) => {
    const own = b.resource.Properties?.BucketName;
    const ownName = own === undefined ? '' : tokenShape(own, textIn(index, b.stack)).shape;
    return (hasToken(name) || hasToken(ownName)) && shapesMayMeet(name, ownName);
  });
  return mayBe.length > 0
    ? `not known at synth (may be ${mayBe.map((b) => `${b.path}, whose name is ${index.render(b.resource.Properties?.BucketName, b.stack)}`).join('; or ')})`
    : undefined;
}

/** How a value of `stack` reads, in words and as a name to match. */
function textIn(index: AssemblyIndex, stack: StackArtifact): ValueText {
  return { render: (v) => index.render(v, stack), nameOf: (v) => index.nameOf(v, stack) };
}
