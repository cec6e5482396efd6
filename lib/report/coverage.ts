import { CfnResource, IAspect, Lazy, Stack, TagManager, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { SelectionTerms, backupCanProtect, selectionEntryNames, selectionSelects } from './backup-selection-rule';
import { BackupMetadata, BackupRole } from './metadata';

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

/**
 * The coverage guard: an Aspect that fails the synth when a stateful resource (RDS instance
 * or cluster, EBS volume, S3 bucket, DynamoDB table, EFS file system) is neither covered by
 * a backup tier nor exempted with a reason.
 *
 * A resource is covered when, in its own stack:
 * - an AWS Backup selection lists it by reference, `*` or an ARN pattern of every resource
 *   of its type (and no entry of its service in `NotResources` may exclude it), or selects
 *   it by a tag it carries (`ListOfTags` or
 *   `Conditions.StringEquals` on `aws:ResourceTag/<key>`);
 * - (EBS volumes) a DLM policy for `VOLUME` targets one of its tags;
 * - (S3 buckets) it replicates to another bucket with an enabled replication rule;
 * - (RDS) it is a read replica (`SourceDBInstanceIdentifier`) or a cluster replica;
 * - the library describes it with a tier (`BackupMetadata.describe(..., { tier })`) or with
 *   the role `backup-store`, `backup-vault` or `replica`.
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
    return coverageOf(resource);
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
    const exemption = BackupCoverage.exemptionOf(resource);
    const existing = resource.getMetadata(BACKUP_METADATA_KEY);
    if (exemption !== undefined) {
      resource.addMetadata(BACKUP_METADATA_KEY, { ...(existing ?? {}), role: BackupRole.EXEMPT, exemptReason: exemption });
      return;
    }
    if (existing === undefined) {
      // Resolved at synthesis, after every selection and policy of the app exists.
      resource.addMetadata(BACKUP_METADATA_KEY, Lazy.any({
        produce: () => ({
          role: BackupRole.PROTECTED_DATA,
          ...(this.owner !== undefined ? { owner: this.owner } : {}),
          coveredBy: BackupCoverage.coveredBy(resource),
        }),
      }));
    } else if (this.owner !== undefined && existing.owner === undefined) {
      resource.addMetadata(BACKUP_METADATA_KEY, { ...existing, owner: this.owner });
    }
    resource.node.addValidation({
      validate: () => {
        if (BackupCoverage.coveredBy(resource).length > 0) {
          return [];
        }
        const stack = Stack.of(resource);
        const logicalId = stack.resolve(stack.getLogicalId(resource));
        return [`${STATEFUL_TYPES[resource.cfnResourceType]} ${logicalId} (${resource.node.path}) is not covered by any backup tier: `
          + 'select it in an AWS Backup plan, target its tags with a DLM policy, or exempt it with `BackupCoverage.exempt(construct, reason)`'
          + (backupCanProtect(resource.cfnResourceType, versioningStatusOf(resource)) ? '' : ' (AWS Backup backs up a bucket only with versioning enabled)')];
      },
    });
  }
}

/** How a stateful resource is covered, one line per tier or copy; empty when it is not. */
function coverageOf(resource: CfnResource): string[] {
  const stack = Stack.of(resource);
  const logicalId: string = stack.resolve(stack.getLogicalId(resource));
  const tags = tagsOf(resource);
  const covered: string[] = [];
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
      const selection = stack.resolve(construct.backupSelection);
      if (selectionCovers(selection, logicalId, resource.cfnResourceType, tags)) {
        covered.push(`AWS Backup selection ${construct.node.path}`);
      }
    } else if (construct instanceof dlm.CfnLifecyclePolicy && resource.cfnResourceType === 'AWS::EC2::Volume') {
      const details = stack.resolve(construct.policyDetails) ?? {};
      const types: string[] = details.resourceTypes ?? [];
      const targetTags: Array<{ key: string; value: string }> = details.targetTags ?? [];
      if (construct.state !== 'DISABLED' && types.includes('VOLUME') && targetTags.some((tag) => tags[tag.key] === tag.value)) {
        covered.push(`DLM policy ${construct.node.path}`);
      }
    }
  }
  if (resource instanceof s3.CfnBucket) {
    const replication = stack.resolve(resource.replicationConfiguration);
    if (replication && (replication.rules ?? []).some((rule: { status?: string }) => rule.status === 'Enabled')) {
      covered.push('S3 replication');
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
  return covered;
}

/** The path of a bucket anywhere in the app that replicates into this one, if any. */
function replicationSourceOf(bucket: s3.CfnBucket, logicalId: string): string | undefined {
  const stack = Stack.of(bucket);
  const name = bucket.bucketName !== undefined && !Token.isUnresolved(bucket.bucketName) ? bucket.bucketName : undefined;
  for (const other of bucket.node.root.node.findAll()) {
    if (!(other instanceof s3.CfnBucket) || other === bucket || other.replicationConfiguration === undefined) {
      continue;
    }
    const otherStack = Stack.of(other);
    const rules = otherStack.resolve(other.replicationConfiguration).rules ?? [];
    for (const rule of rules) {
      const destination = rule.destination?.bucket;
      const sameStack = otherStack === stack && referencesLogicalId(destination, logicalId);
      if (rule.status === 'Enabled' && (sameStack || (name !== undefined && destination === `arn:aws:s3:::${name}`))) {
        return other.node.path;
      }
    }
  }
  return undefined;
}

function selectionCovers(selection: SelectionTerms, logicalId: string, type: string, tags: { [key: string]: string }): boolean {
  return selectionSelects(selection, (entry) => selectionEntryNames(entry, type, (value) => referencesLogicalId(value, logicalId)), tags);
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

function tagsOf(resource: CfnResource): { [key: string]: string } {
  const tags = (resource as unknown as { tags?: unknown }).tags;
  if (tags instanceof TagManager) {
    return tags.tagValues();
  }
  return {};
}
