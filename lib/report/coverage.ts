import { Annotations, CfnResource, IAspect, Lazy, Reference, Stack, TagManager, Token, Tokenization } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { SelectionTagCondition, SelectionTerms, Selects, backupCanProtect, selectionEntryNames, selectionSelects } from './backup-selection-rule';
import { BackupMetadata, BackupRole } from './metadata';
import { replicationRuleScope } from './replication-rule-scope';
import { defaultPolicyTakesVolume, dlmDefaultSettings } from '../private/dlm-default-policy';
import { DlmTag, TARGET_NOT_KNOWN_TEXT, carriesOneOf, instancePolicyTakesVolume } from '../private/dlm-instance-volumes';
import { SynthWarnings } from '../synth-warnings';

const BACKUP_METADATA_KEY = BackupMetadata.KEY;

/** Options of the coverage guard. */
export interface BackupCoverageProps {
  /**
   * The backup owner, recorded in the `Metadata` of every stateful resource in scope that
   * has no owner yet.
   * @default - no owner recorded
   */
  readonly owner?: string;
}

/** The stateful resource types the guard checks, with a readable name for messages. */
const STATEFUL_TYPES: { [type: string]: string } = {
  'AWS::RDS::DBInstance': 'RDS instance',
  'AWS::RDS::DBCluster': 'RDS cluster',
  'AWS::EC2::Volume': 'EBS volume',
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::DynamoDB::Table': 'DynamoDB table',
  'AWS::DynamoDB::GlobalTable': 'DynamoDB global table',
  'AWS::EFS::FileSystem': 'EFS file system',
};

/** The roles of the library's own resources that hold backups or copies: they are covered by being part of a tier. */
const COVERED_ROLES: string[] = [BackupRole.BACKUP_STORE, BackupRole.REPLICA, BackupRole.BACKUP_VAULT];

const EXEMPTIONS = new WeakMap<IConstruct, string>();

/** The id of the warning the guard gives for a resource whose coverage synth cannot decide (TypeScript only: `SynthWarnings.COVERAGE_NOT_KNOWN` in every language). */
export const COVERAGE_NOT_KNOWN_WARNING = SynthWarnings.COVERAGE_NOT_KNOWN;

/**
 * How a stateful resource is covered: `by` one line per tier or copy that surely covers it;
 * `notKnown` the ones only the deploy decides (a token); `partly` the copies of only some of
 * its objects, which do not cover it.
 */
interface Coverage {
  readonly by: string[];
  readonly notKnown: string[];
  readonly partly: string[];
}

/**
 * The coverage guard: an Aspect that fails the synth when a stateful resource (RDS instance
 * or cluster, EBS volume, S3 bucket, DynamoDB table or global table, EFS file system) is
 * neither covered by a backup tier nor exempted with a reason. An EC2 instance is not
 * required to be covered (many hold no data); the backup report lists its disks' coverage.
 *
 * A resource is covered when, in its own stack:
 * - an AWS Backup selection lists it by reference, `*` or an ARN pattern of every resource
 *   of its type (and no entry of its service in `NotResources` may exclude it), or selects
 *   it by a tag it carries (`ListOfTags` or
 *   `Conditions.StringEquals` on `aws:ResourceTag/<key>`);
 * - (EBS volumes) a DLM policy for `VOLUME` of the app in its region and account (DLM runs a
 *   policy there, whatever its stack) targets one of its tags; or a DLM default policy for
 *   EBS snapshots (`DefaultPolicy: VOLUME`) of the app in its region and account, which snapshots
 *   every volume there, does not leave it out (`Exclusions`: `ExcludeTags`, `ExcludeVolumeTypes`); or it is attached to an
 *   EC2 instance (`AWS::EC2::VolumeAttachment` or the instance's `Volumes`) that an AWS Backup
 *   selection selects, or whose tags a DLM policy for `INSTANCE` of the app in the instance's
 *   region and account targets, unless the volume
 *   carries one of the policy's `ExcludeDataVolumeTags`;
 * - (S3 buckets) it replicates to another bucket with an enabled replication rule that copies
 *   the whole bucket (no filter, or an empty prefix and no tag), or is the destination of one;
 * - (RDS) it is a read replica (`SourceDBInstanceIdentifier`) or a cluster replica, or an
 *   Aurora instance whose cluster (by reference, or by name in its region and account) is
 *   covered (it is backed up with its cluster);
 * - the library describes it with a tier (`BackupMetadata.describe(..., { tier })`) or with
 *   the role `backup-store`, `backup-vault` or `replica`.
 *
 * Where a token keeps synth from telling (a tag value compared by a selection or a DLM policy, a replication
 * prefix, a cluster outside the app, the region or account of a DLM policy's stack or the resource's), the coverage is not known: the synth goes on with the
 * warning `cdk-backup-dr:coverageNotKnown` and the `Metadata` lists it in `coverageNotKnown`.
 *
 * Add it to a scope with `Aspects.of(scope).add(new BackupCoverage())`.
 */
export class BackupCoverage implements IAspect {
  /**
   * Exempts a construct and everything below it from the guard. The reason is recorded
   * in the resources' `Metadata` and listed in the backup report.
   */
  public static exempt(construct: IConstruct, reason: string): void {
    if (typeof reason !== 'string' || reason.trim().length === 0) {
      throw new Error(`${construct.node.path}: \`BackupCoverage.exempt\` needs a reason, got ${JSON.stringify(reason)}; say why this data needs no backup`);
    }
    EXEMPTIONS.set(construct, reason.trim());
  }

  /** The exemption reason of a construct or of its nearest exempted ancestor. */
  public static exemptionOf(construct: IConstruct): string | undefined {
    for (const scope of [...construct.node.scopes].reverse()) {
      const reason = EXEMPTIONS.get(scope);
      if (reason !== undefined) {
        return reason;
      }
    }
    return undefined;
  }

  /**
   * How a stateful CloudFormation resource is covered: one line per AWS Backup selection,
   * DLM policy, replication or library tier; empty when it is not covered. Call it after
   * the app is complete (the guard calls it at synth).
   */
  public static coveredBy(resource: CfnResource): string[] {
    return coverageOf(resource).by;
  }

  private readonly visited = new WeakSet<IConstruct>();
  private readonly owner?: string;

  constructor(props: BackupCoverageProps = {}) {
    this.owner = props.owner;
  }

  /** Checks one construct; called by the CDK for every construct in scope. */
  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || STATEFUL_TYPES[node.cfnResourceType] === undefined || this.visited.has(node)) {
      return;
    }
    this.visited.add(node);
    const resource = node;
    const cluster = clusterOfMember(resource);
    const clusterExemption = cluster === undefined ? undefined : BackupCoverage.exemptionOf(cluster);
    const exemption = BackupCoverage.exemptionOf(resource)
      ?? (clusterExemption === undefined || cluster === undefined ? undefined : `its cluster ${cluster.node.path} is exempt: ${clusterExemption}`);
    const existing = resource.getMetadata(BACKUP_METADATA_KEY);
    if (exemption !== undefined) {
      resource.addMetadata(BACKUP_METADATA_KEY, { ...(existing ?? {}), role: BackupRole.EXEMPT, exemptReason: exemption });
      return;
    }
    if (existing === undefined) {
      // Resolved at synthesis, after every selection and policy of the app exists.
      // Uncached: while the guard renders the resource to read its properties, this Metadata is not produced (no recursion).
      resource.addMetadata(BACKUP_METADATA_KEY, Lazy.uncachedAny({
        produce: () => {
          if (RENDERING.has(resource)) {
            return {};
          }
          const coverage = coverageOf(resource);
          return {
            role: BackupRole.PROTECTED_DATA,
            ...(this.owner !== undefined ? { owner: this.owner } : {}),
            coveredBy: coverage.by,
            ...(coverage.by.length === 0 && coverage.notKnown.length > 0 ? { coverageNotKnown: coverage.notKnown } : {}),
          };
        },
      }));
    } else if (this.owner !== undefined && existing.owner === undefined) {
      resource.addMetadata(BACKUP_METADATA_KEY, { ...existing, owner: this.owner });
    }
    resource.node.addValidation({
      validate: () => {
        const coverage = coverageOf(resource);
        // A cluster member is backed up with its cluster: the cluster's own check reports it.
        if (coverage.by.length > 0 || (cluster !== undefined && this.visited.has(cluster))) {
          return [];
        }
        const stack = Stack.of(resource);
        const logicalId = stack.resolve(stack.getLogicalId(resource));
        const name = `${STATEFUL_TYPES[resource.cfnResourceType]} ${logicalId} (${resource.node.path})`;
        if (coverage.notKnown.length > 0) {
          // A check that could not decide says so: neither covered nor a plain "not covered".
          Annotations.of(resource).addWarningV2(COVERAGE_NOT_KNOWN_WARNING, `${name}: whether it is covered by a backup tier is not known at synth (unknown, not passed): `
            + `${coverage.notKnown.join('; ')}; the deploy decides`);
          return [];
        }
        return [`${name} is not covered by any backup tier: `
          + 'select it in an AWS Backup plan, target its tags with a DLM policy, or exempt it with `BackupCoverage.exempt(construct, reason)`'
          + (backupCanProtect(resource.cfnResourceType, versioningStatusOf(resource)) ? '' : ' (AWS Backup backs up a bucket only with versioning enabled)')
          + (coverage.partly.length > 0 ? ` (${coverage.partly.join('; ')}: not the whole bucket)` : '')
          + (cluster !== undefined ? ` (it is backed up with its cluster ${cluster.node.path}, which is not covered)` : '')
          + attachedHint(instancesAttachedTo(resource, logicalId))];
      },
    });
  }
}

/** How a stateful resource is covered: surely, only at deploy, or partly. */
function coverageOf(resource: CfnResource): Coverage {
  const stack = Stack.of(resource);
  const logicalId: string = stack.resolve(stack.getLogicalId(resource));
  const tags = tagsOf(resource);
  const covered: string[] = [];
  const notKnown: string[] = [];
  const partly: string[] = [];
  const metadata = resource.getMetadata(BACKUP_METADATA_KEY);
  if (metadata && !Token.isUnresolved(metadata)) {
    if (typeof metadata.tier === 'string') {
      covered.push(`tier ${metadata.tier}`);
    } else if (COVERED_ROLES.includes(metadata.role)) {
      covered.push(`library role ${metadata.role}`);
    }
  }
  for (const construct of stack.node.findAll()) {
    if (construct instanceof backup.CfnBackupSelection && backupCanProtect(resource.cfnResourceType, versioningStatusOf(resource))) {
      const selects = selectionCovers(renderedProperties(construct).BackupSelection, logicalId, resource.cfnResourceType, tags);
      if (selects === true) {
        covered.push(`AWS Backup selection ${construct.node.path}`);
      } else if (selects === 'unknown') {
        notKnown.push(`AWS Backup selection ${construct.node.path} compares a tag whose value (its own or the selection's) is a token`);
      }
    }
  }
  if (resource.cfnResourceType === 'AWS::EC2::Volume') {
    for (const { construct, details, notKnownAlso } of dlmPoliciesFor(resource, 'VOLUME', 'volume')) {
      const targets = carriesOneOf(dlmTags(details.TargetTags), tags);
      const why = [...(targets === 'unknown' ? [TARGET_NOT_KNOWN_TEXT] : []), ...notKnownAlso];
      if (targets === true && why.length === 0) {
        covered.push(`DLM policy ${construct.node.path}`);
      } else if (targets !== false) {
        notKnown.push(`DLM policy ${construct.node.path} ${why.join(', and ')}`);
      }
    }
  }
  if (resource instanceof ec2.CfnVolume) {
    const ofDefaults = defaultPolicyCoverage(resource, tags);
    covered.push(...ofDefaults.by);
    notKnown.push(...ofDefaults.notKnown);
  }
  for (const instance of instancesAttachedTo(resource, logicalId)) {
    const ofInstance = attachedCoverage(instance, tags);
    covered.push(...ofInstance.by);
    notKnown.push(...ofInstance.notKnown);
  }
  if (resource instanceof s3.CfnBucket) {
    const replication = replicationOf(resource);
    // CloudFormation takes Enabled or Disabled; a status that is a token is chosen at deploy.
    for (const rule of (replication?.rules ?? []).filter((r: { status?: unknown }) => r.status === 'Enabled' || typeof r.status !== 'string')) {
      const scope = replicationRuleScope(rule);
      const name = `S3 replication${typeof rule.id === 'string' ? ` rule ${rule.id}` : ''}`;
      if (rule.status !== 'Enabled') {
        notKnown.push(`${name} has a status that is a token (enabled or not is chosen at deploy)${scope.kind === 'whole' ? '' : `, and copies ${scope.objects} only`}`);
        continue;
      }
      if (scope.kind === 'whole') {
        covered.push('S3 replication');
        break;
      }
      (scope.kind === 'some' ? partly : notKnown).push(scope.kind === 'some'
        ? `${name} copies only ${scope.objects}`
        : `${name} copies ${scope.objects}, a prefix that is a token (the whole bucket only if it is empty)`);
    }
  }
  if (resource instanceof s3.CfnBucket) {
    const source = replicationSourceOf(resource, logicalId);
    if (source !== undefined) {
      covered.push(`replica of ${source}`);
    }
  }
  if (resource instanceof rds.CfnDBInstance && resource.sourceDbInstanceIdentifier !== undefined) {
    covered.push('read replica');
  }
  if (resource instanceof rds.CfnDBCluster && resource.replicationSourceIdentifier !== undefined) {
    covered.push('cluster replica');
  }
  if (resource instanceof rds.CfnDBInstance && resource.dbClusterIdentifier !== undefined) {
    const cluster = clusterOfMember(resource);
    const maybe = cluster === undefined ? clustersNamedMaybeInEnv(resource) : [];
    const written = JSON.stringify(stack.resolve(resource.dbClusterIdentifier));
    if (maybe.length > 0) {
      notKnown.push(`its cluster ${written} may be ${maybe.map((c) => c.node.path).join(' or ')}, whose region or account, or this instance's, is not known at synth, so whether the cluster is backed up is not known`);
    } else if (cluster === undefined) {
      notKnown.push(`its cluster ${written} is not in this app (in this instance's region and account), so whether the cluster is backed up is not known`);
    } else {
      const ofCluster = coverageOf(cluster);
      covered.push(...ofCluster.by.map((line) => `its cluster ${cluster.node.path}: ${line}`));
      notKnown.push(...ofCluster.notKnown.map((line) => `its cluster ${cluster.node.path}: ${line}`));
    }
  }
  return { by: covered, notKnown: covered.length > 0 ? [] : notKnown, partly };
}

/**
 * The EC2 instances of its stack an EBS volume is attached to: by an `AWS::EC2::VolumeAttachment`
 * or the instance's `Volumes` (as the report finds them, `attachedTo` in core/report/model.ts).
 */
function instancesAttachedTo(resource: CfnResource, logicalId: string): ec2.CfnInstance[] {
  if (resource.cfnResourceType !== 'AWS::EC2::Volume') {
    return [];
  }
  const stack = Stack.of(resource);
  const inStack = stack.node.findAll().filter((c) => Stack.of(c) === stack);
  const instances = inStack.filter((c): c is ec2.CfnInstance => c instanceof ec2.CfnInstance);
  // As the template has them: a VolumeId, InstanceId or Volumes set by addPropertyOverride counts.
  const byAttachment = inStack
    .filter((c): c is ec2.CfnVolumeAttachment => c instanceof ec2.CfnVolumeAttachment)
    .map((attachment) => renderedProperties(attachment))
    .filter((attachment) => referencesLogicalId(attachment.VolumeId, logicalId))
    .flatMap((attachment) => instances.filter((i) => referencesLogicalId(attachment.InstanceId, stack.resolve(stack.getLogicalId(i)))));
  const byVolumes = instances.filter((i) => listOf(renderedProperties(i).Volumes)
    .some((v) => referencesLogicalId((v as { VolumeId?: unknown } | undefined)?.VolumeId, logicalId)));
  return [...new Set([...byAttachment, ...byVolumes])];
}

/** What else would cover a volume attached to instances, for the "not covered" error. */
function attachedHint(instances: ec2.CfnInstance[]): string {
  return instances.length === 0 ? '' : ` (it is attached to the EC2 instance ${instances.map((i) => i.node.path).join(' and ')}: `
    + 'an AWS Backup selection of the instance, or a DLM `INSTANCE` policy targeting its tags whose `ExcludeDataVolumeTags` the volume does not carry, covers it too)';
}

/**
 * How an attached EBS volume (with resolved `volumeTags`) is covered through its instance: AWS
 * Backup backs up every EBS volume of an instance a selection selects; a DLM `INSTANCE` policy
 * targeting the instance's tags snapshots every volume but those carrying one of its
 * `ExcludeDataVolumeTags`. The lines name the instance.
 */
function attachedCoverage(instance: ec2.CfnInstance, volumeTags: { [key: string]: unknown }): { by: string[]; notKnown: string[] } {
  const stack = Stack.of(instance);
  const instanceId: string = stack.resolve(stack.getLogicalId(instance));
  const instanceTags = tagsOf(instance);
  const via = ` (its instance ${instance.node.path}, to which it is attached)`;
  const of = ` of its instance ${instance.node.path}`;
  const by: string[] = [];
  const notKnown: string[] = [];
  for (const construct of stack.node.findAll()) {
    if (construct instanceof backup.CfnBackupSelection) {
      const selects = selectionCovers(renderedProperties(construct).BackupSelection, instanceId, 'AWS::EC2::Instance', instanceTags);
      if (selects === true) {
        by.push(`AWS Backup selection ${construct.node.path}${via}`);
      } else if (selects === 'unknown') {
        notKnown.push(`AWS Backup selection ${construct.node.path}${of} compares a tag whose value (its own or the selection's) is a token`);
      }
    }
  }
  for (const { construct, details, notKnownAlso } of dlmPoliciesFor(instance, 'INSTANCE', 'instance')) {
    const taking = instancePolicyTakesVolume(carriesOneOf(dlmTags(details.TargetTags), instanceTags), dlmTags(details.Parameters?.ExcludeDataVolumeTags), volumeTags);
    const why = [...taking.notKnown, ...notKnownAlso];
    if (taking.takes === true && why.length === 0) {
      by.push(`DLM policy ${construct.node.path}${via}`);
    } else if (taking.takes !== false) {
      notKnown.push(`DLM policy ${construct.node.path}${of} ${why.join(', and ')}`);
    }
  }
  return { by, notKnown };
}

/**
 * The DLM custom policies of the app for `resourceType` that may run on `resource`: DLM runs a
 * policy in its region and account, so one of any stack there counts; a disabled one and one of
 * another region or account do not. `notKnownAlso` says what keeps synth from telling whether it
 * runs there (its stack's or the resource's environment, its `State`), said of the `subject`.
 */
function* dlmPoliciesFor(resource: CfnResource, resourceType: 'VOLUME' | 'INSTANCE', subject: string): Generator<{ construct: dlm.CfnLifecyclePolicy; details: TemplateJson; notKnownAlso: string[] }> {
  for (const construct of resource.node.root.node.findAll()) {
    if (!(construct instanceof dlm.CfnLifecyclePolicy)) {
      continue;
    }
    const place = sameEnvironment(Stack.of(construct), Stack.of(resource));
    const properties = renderedProperties(construct);
    const details = properties.PolicyDetails ?? {};
    if (place === false || properties.State === 'DISABLED' || !listOf(details.ResourceTypes).includes(resourceType)) {
      continue;
    }
    const notKnownAlso = [
      ...(place === 'unknown' ? [placeNotKnownText(subject)] : []),
      ...[stateTokenText(properties.State)].filter((text): text is string => text !== undefined),
    ];
    yield { construct, details, notKnownAlso };
  }
}

/**
 * How an EBS volume (with resolved `volumeTags`) is covered by the DLM default policies for EBS
 * snapshots (`DefaultPolicy: VOLUME`) of the app in its region and account: such a policy snapshots
 * every volume there but those its `Exclusions` leave out. Not known where a token decides (an
 * exclusion, the policy's `State`, or the region or account of its stack or of the volume's).
 */
function defaultPolicyCoverage(volume: ec2.CfnVolume, volumeTags: { [key: string]: unknown }): { by: string[]; notKnown: string[] } {
  const stack = Stack.of(volume);
  const volumeType: unknown = stack.resolve(volume.volumeType);
  const by: string[] = [];
  const notKnown: string[] = [];
  for (const construct of volume.node.root.node.findAll()) {
    if (!(construct instanceof dlm.CfnLifecyclePolicy)) {
      continue;
    }
    const properties = renderedProperties(construct);
    const settings = dlmDefaultSettings(properties);
    const place = sameEnvironment(Stack.of(construct), stack);
    // A default policy for EBS-backed AMIs (INSTANCE) images instances: which volumes its AMIs hold is not read here, so it covers none.
    if (settings === undefined || place === false || properties.State === 'DISABLED' || (typeof settings.kind === 'string' && settings.kind !== 'VOLUME')) {
      continue;
    }
    const name = `DLM default policy ${construct.node.path}`;
    const taking = defaultPolicyTakesVolume(settings, volumeType, volumeTags);
    const why = [
      ...(typeof settings.kind === 'string' ? [] : ['has a DefaultPolicy that is a token (VOLUME or INSTANCE is chosen at deploy)']),
      ...taking.notKnown,
      ...(place === 'unknown' ? [placeNotKnownText('volume')] : []),
      ...[stateTokenText(properties.State)].filter((text): text is string => text !== undefined),
    ];
    if (taking.takes === true && why.length === 0) {
      by.push(`${name} (every EBS volume of its region and account${exclusionsText(settings.exclusions)})`);
    } else if (taking.takes !== false) {
      notKnown.push(`${name} ${why.join(', and ')}`);
    }
  }
  return { by, notKnown };
}

/** Why a DLM policy of another stack may not run where the `resource` (volume, instance) is: a region or account is a token. */
function placeNotKnownText(resource: string): string {
  return `is in a stack whose region or account, or this ${resource}'s, is not known at synth`;
}

/** The exclusions of a default policy that leave a volume in, for its `coveredBy` line. */
function exclusionsText(exclusions: TemplateJson): string {
  const said = ['ExcludeTags', 'ExcludeVolumeTypes'].filter((name) => exclusions?.[name] !== undefined);
  return said.length === 0 ? '' : ` but those of its ${said.join(' and ')}`;
}

/**
 * The Aurora cluster of a DB instance that is a member of one (`DBClusterIdentifier`), when the
 * app defines it: by reference, or by its literal identifier (RDS keeps identifiers lower case)
 * in the instance's region and account.
 */
function clusterOfMember(resource: CfnResource): rds.CfnDBCluster | undefined {
  if (!(resource instanceof rds.CfnDBInstance) || resource.dbClusterIdentifier === undefined) {
    return undefined;
  }
  const identifier = resource.dbClusterIdentifier;
  if (Token.isUnresolved(identifier)) {
    const reference = Tokenization.reverse(identifier, { failConcat: false });
    if (reference instanceof Reference && reference.target instanceof rds.CfnDBCluster) {
      return reference.target;
    }
    const stack = Stack.of(resource);
    const resolved = stack.resolve(identifier);
    return stack.node.findAll().find((c): c is rds.CfnDBCluster => c instanceof rds.CfnDBCluster && Stack.of(c) === stack
      && referencesLogicalId(resolved, stack.resolve(stack.getLogicalId(c))));
  }
  return clustersNamed(resource, identifier).find((c) => sameEnvironment(Stack.of(c), Stack.of(resource)) === true);
}

/** The clusters of the app named as a member's literal identifier whose region or account, or the member's, is a token. */
function clustersNamedMaybeInEnv(resource: rds.CfnDBInstance): rds.CfnDBCluster[] {
  const identifier = resource.dbClusterIdentifier;
  return identifier === undefined || Token.isUnresolved(identifier) ? []
    : clustersNamed(resource, identifier).filter((c) => sameEnvironment(Stack.of(c), Stack.of(resource)) === 'unknown');
}

function clustersNamed(resource: CfnResource, identifier: string): rds.CfnDBCluster[] {
  return resource.node.root.node.findAll().filter((c): c is rds.CfnDBCluster => c instanceof rds.CfnDBCluster
    && typeof c.dbClusterIdentifier === 'string' && !Token.isUnresolved(c.dbClusterIdentifier)
    && c.dbClusterIdentifier.toLowerCase() === identifier.toLowerCase());
}

/** Whether two stacks deploy to the same region and account: `unknown` where one is a token (an environment-agnostic stack) and the known parts agree. */
function sameEnvironment(a: Stack, b: Stack): boolean | 'unknown' {
  if (a === b) {
    return true;
  }
  const pairs = [[a.region, b.region], [a.account, b.account]];
  if (pairs.some(([x, y]) => !Token.isUnresolved(x) && !Token.isUnresolved(y) && x !== y)) {
    return false;
  }
  return pairs.some(([x, y]) => Token.isUnresolved(x) || Token.isUnresolved(y)) ? 'unknown' : true;
}

/**
 * The path of a bucket anywhere in the app that replicates into this one, if any, with the
 * objects it copies when a filter copies only some (the copies are still copies).
 */
function replicationSourceOf(bucket: s3.CfnBucket, logicalId: string): string | undefined {
  const stack = Stack.of(bucket);
  const name = bucket.bucketName !== undefined && !Token.isUnresolved(bucket.bucketName) ? bucket.bucketName : undefined;
  for (const other of bucket.node.root.node.findAll()) {
    if (!(other instanceof s3.CfnBucket) || other === bucket) {
      continue;
    }
    const otherStack = Stack.of(other);
    const rules = replicationOf(other)?.rules ?? [];
    for (const rule of rules) {
      const destination = rule.destination?.bucket;
      const sameStack = otherStack === stack && referencesLogicalId(destination, logicalId);
      if (rule.status === 'Enabled' && (sameStack || (name !== undefined && destination === `arn:aws:s3:::${name}`))) {
        const scope = replicationRuleScope(rule);
        return scope.kind === 'whole' ? other.node.path : `${other.node.path} (${scope.objects}${scope.kind === 'some' ? ' only' : ', a prefix that is a token'})`;
      }
    }
  }
  return undefined;
}

/** Whether a selection (its `BackupSelection` as the template has it) selects the resource. */
function selectionCovers(selection: TemplateJson, logicalId: string, type: string, tags: { [key: string]: unknown }): Selects {
  const terms: SelectionTerms = {
    resources: listOf(selection?.Resources),
    notResources: listOf(selection?.NotResources),
    listOfTags: listOf(selection?.ListOfTags).map((entry: TemplateJson) => ({ conditionKey: entry?.ConditionKey, conditionValue: entry?.ConditionValue })),
    conditions: conditionsOf(selection?.Conditions),
  };
  return selectionSelects(terms, (entry) => selectionEntryNames(entry, type, (value) => referencesLogicalId(value, logicalId)), tags);
}

/**
 * The `Conditions` of a selection. The L1 class types them as JSON and writes them as given,
 * so CloudFormation's `StringEquals: [{ ConditionKey, ConditionValue }]` is what a working
 * template has; the camelCase form is read too.
 */
function conditionsOf(conditions: unknown): SelectionTerms['conditions'] {
  if (!conditions || typeof conditions !== 'object') {
    return {};
  }
  const given = conditions as { [key: string]: unknown };
  const list = (name: string): SelectionTagCondition[] => [given[name], given[name.charAt(0).toLowerCase() + name.slice(1)]]
    .flatMap((value) => (Array.isArray(value) ? value : []))
    .map((entry: { [key: string]: unknown }) => ({ conditionKey: entry?.ConditionKey ?? entry?.conditionKey, conditionValue: entry?.ConditionValue ?? entry?.conditionValue }));
  return { stringEquals: list('StringEquals'), stringNotEquals: list('StringNotEquals'), stringLike: list('StringLike'), stringNotLike: list('StringNotLike') };
}

/** Whether a resolved CloudFormation value refers to the logical id (`Ref`, `Fn::GetAtt`, or inside `Fn::Join`/`Fn::Sub`). */
function referencesLogicalId(value: unknown, logicalId: string): boolean {
  if (Array.isArray(value)) {
    return value.some((item) => referencesLogicalId(item, logicalId));
  }
  if (value && typeof value === 'object') {
    const object = value as { [key: string]: unknown };
    if (object.Ref === logicalId) {
      return true;
    }
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[0] === logicalId) {
      return true;
    }
    if (typeof getAtt === 'string' && getAtt.split('.')[0] === logicalId) {
      return true;
    }
    return Object.values(object).some((item) => referencesLogicalId(item, logicalId));
  }
  return false;
}

/** The `VersioningConfiguration.Status` of a bucket (of the L1 class), resolved; undefined for anything else. */
function versioningStatusOf(resource: CfnResource): unknown {
  return resource instanceof s3.CfnBucket ? Stack.of(resource).resolve(resource.versioningConfiguration)?.status : undefined;
}

/**
 * The resource's tags as its template has them (with what `addPropertyOverride` sets), resolved: a
 * value that is a token is left as CloudFormation has it (not a string).
 */
function tagsOf(resource: CfnResource): { [key: string]: unknown } {
  const tags = (resource as unknown as { tags?: unknown }).tags;
  if (!(tags instanceof TagManager)) {
    return {};
  }
  // The TagManager names the L1 attribute (`tags`, `fileSystemTags`); the template's property is its capitalized name.
  const rendered: unknown = renderedProperties(resource)[tags.tagPropertyName.charAt(0).toUpperCase() + tags.tagPropertyName.slice(1)];
  if (Array.isArray(rendered)) {
    return Object.fromEntries(rendered.filter((tag) => typeof tag?.Key === 'string').map((tag) => [tag.Key, tag.Value]));
  }
  return rendered && typeof rendered === 'object' ? { ...rendered } : {};
}

/** A bucket's `ReplicationConfiguration` as its template has it, with the L1 attributes' camelCase names the rule readers take. */
function replicationOf(bucket: s3.CfnBucket): TemplateJson {
  return camelCaseKeys(renderedProperties(bucket).ReplicationConfiguration);
}

function camelCaseKeys(value: unknown): TemplateJson {
  if (Array.isArray(value)) {
    return value.map(camelCaseKeys);
  }
  if (value && typeof value === 'object' && !Object.keys(value).some((key) => key === 'Ref' || key.startsWith('Fn::'))) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.charAt(0).toLowerCase() + key.slice(1), camelCaseKeys(item)]));
  }
  return value;
}

/**
 * A resource's properties as its template has them, resolved: CloudFormation's names, with what
 * `addPropertyOverride` and `addOverride` set (the L1 attributes do not hold those), as the report reads them.
 */
function renderedProperties(resource: CfnResource): { [name: string]: TemplateJson } {
  RENDERING.add(resource);
  try {
    // `_toCloudFormation` is how the stack renders the resource into its template (the one place overrides are applied).
    const rendered = (resource as unknown as { _toCloudFormation(): object })._toCloudFormation();
    const resources: { [id: string]: { Properties?: { [name: string]: TemplateJson } } } = Stack.of(resource).resolve(rendered).Resources ?? {};
    return Object.values(resources)[0]?.Properties ?? {};
  } finally {
    RENDERING.delete(resource);
  }
}

/** The resources the guard is rendering to read them: their coverage `Metadata`, rendered too, is not produced meanwhile. */
const RENDERING = new WeakSet<CfnResource>();

/** Template JSON, whose shape varies by resource type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON rendered for the template
type TemplateJson = any;

/**
 * Why a DLM policy whose `State` is a token (a parameter, a condition) may not run: DLM takes
 * `ENABLED` or `DISABLED`, and the deploy chooses. Undefined for a known state.
 */
function stateTokenText(state: unknown): string | undefined {
  return state === undefined || typeof state === 'string' ? undefined : 'has a State that is a token (ENABLED or DISABLED is chosen at deploy)';
}

/** A list of the template, or nothing where it holds no list (a token). */
function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A DLM tag list of the template (`TargetTags`, `ExcludeDataVolumeTags`) as the shared DLM rules read it. */
function dlmTags(list: unknown): DlmTag[] {
  return listOf(list).map((tag) => ({ key: (tag as { Key?: unknown } | undefined)?.Key, value: (tag as { Value?: unknown } | undefined)?.Value }));
}
