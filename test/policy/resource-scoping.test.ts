/**
 * Least privilege on resources: the action tests (function-calls-granted, state-machine-calls-granted)
 * check which actions each role holds, not on what. Here every Allow statement of every policy of the
 * reference app (inline, managed and role policies; key, bucket, vault, topic and queue policies) that
 * names every resource ('*') or a wildcard over more than one resource must grant only actions listed
 * below, by the policy that grants them, with the reason; where the list names a condition key, every
 * such statement must carry it. A wildcard after a reference to one resource (`<bucket ARN>/*`,
 * `<log group ARN>:log-stream:*`, `<function ARN>:*`) covers the parts of that one resource only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildReferenceApp } from '../../bin/reference-app';
import { actionMatches } from '../support/iam-actions';

interface WideGrant {
  /** The actions (as written in the policies). */
  readonly actions: string[];
  /** The construct paths of the policies that may grant them so (matched against `<stack>/<path>`). */
  readonly where: RegExp;
  readonly reason: string;
  /** A condition key every such statement must carry (ending in '/': a key starting so). */
  readonly condition?: string;
  /** The only wide resources it may be granted on (any, without). */
  readonly only?: RegExp;
}

const VPC_ENI = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];
const STATE_MACHINE_LOGGING = ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery'];
const FUNCTIONS = /\/(Steps|Verify|Function|CheckerUserFunction|DriftCheck|FreshnessCheck|DrillAgeCheckFunction)\/(Role\/DefaultPolicy|BasePolicy)\//;
const STATE_MACHINES = /\/(DatabaseDump\/Resource|DatabaseRestore\/Resource|DumpRestore\/StateMachine|VolumeRestore\/StateMachine|ObjectRestore\/StateMachine)\/Role\/DefaultPolicy\//;

/** Every grant on '*' or on a wildcard over many resources, with why it cannot be narrower. */
const WIDE_GRANTS: WideGrant[] = [
  // CDK-generated.
  { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], where: new RegExp(`${FUNCTIONS.source}|${STATE_MACHINES.source}`), reason: 'active tracing (CDK\'s tracing grant); X-Ray supports no resource-level permissions for these actions' },
  { actions: ['xray:GetSamplingRules', 'xray:GetSamplingTargets'], where: STATE_MACHINES, reason: 'state machine tracing (CDK); no resource-level permissions' },
  { actions: STATE_MACHINE_LOGGING, where: STATE_MACHINES, reason: 'Step Functions logging to CloudWatch Logs (CDK): the log delivery actions support no resource-level permissions (Step Functions developer guide, "IAM policies for logging to CloudWatch Logs")' },
  { actions: VPC_ENI, where: FUNCTIONS, reason: 'Lambda creates, describes and deletes the function\'s network interfaces with its role (HardenedFunction\'s base policy, as AWSLambdaVPCAccessExecutionRole); the interfaces exist only at run time and the Describe actions support no resource-level permissions' },
  { actions: ['ecs:DescribeTasks', 'ecs:StopTask'], where: /\/DatabaseDump\/Resource\/Role\/DefaultPolicy\//, reason: 'CDK\'s EcsRunTask (.sync) grant: the task\'s ARN exists only once the execution runs it' },
  // Describe and List actions that support no resource-level permissions (Service Authorization Reference: no resource type).
  { actions: ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots', 'ec2:DescribeSnapshotAttribute', 'ec2:DescribeSnapshotTierStatus', 'ec2:DescribeFastSnapshotRestores', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeReplaceRootVolumeTasks'], where: /\/(VolumeSnapshots\/RolePolicy|VolumeRestore\/RestorePolicy)\//, reason: 'EC2 Describe actions support no resource-level permissions' },
  { actions: ['ec2:DescribeSnapshots'], where: /\/ConsistencyChecks\/FreshnessCheckPolicy\//, condition: 'aws:RequestedRegion', reason: 'EC2 Describe actions support no resource-level permissions; each statement is limited to the region of one check' },
  { actions: ['rds:DescribeDBSnapshots'], where: /\/ConsistencyChecks\/FreshnessCheckPolicy\//, only: /:rds:[^:]+:[^:]+:snapshot:\*$/, reason: 'the check lists the snapshots of one instance (whose ARN the statement names too: db and snapshot are DescribeDBSnapshots\' resource types, Service Authorization Reference), automated ones named by RDS and manual, AWS Backup and copied ones named at run time: any snapshot of the region the check looks in' },
  { actions: ['cloudwatch:PutMetricData'], where: /\/(DatabaseRestore\/Resource\/Role\/DefaultPolicy|DatabaseRestore\/StepsPolicy|RestoreDrills\/DrillAgeCheck\/Policy)\//, condition: 'cloudwatch:namespace', reason: 'PutMetricData supports no resource-level permissions; the namespace condition keeps the metrics in the project\'s namespace' },
  { actions: ['backup:ListRecoveryPointsByResource', 'backup:DescribeRestoreJob'], where: /\/DatabaseRestore\/StepsPolicy\//, reason: 'the Service Authorization Reference (AWS Backup) names no resource type for either action (its Resource types column is empty), so both can only be granted on \'*\'' },
  { actions: ['backup:GetRecoveryPointRestoreMetadata', 'backup:StartRestoreJob'], where: /\/DatabaseRestore\/StepsPolicy\//, only: /:(backup:[^:]+:[^:]+:(recovery-point|backup-vault):\*|rds:[^:]+:[^:]+:snapshot:awsbackup:\*)$/, reason: 'the recovery point to restore is chosen at run time; AWS\'s pages name three resource forms for these actions (recoveryPoint in the Service Authorization Reference; backup vaults, and for RDS the recovery point\'s snapshot awsbackup:<job>, in the AWS Backup Developer Guide), none with a vault in the recovery point\'s ARN, and no AWS Backup condition key names the vault: each form over the account and region, so that a restore is not refused' },
  // Resources created at run time by the workflows, each scoped by a tag condition.
  { actions: ['rds:RestoreDBInstanceFromDBSnapshot', 'rds:RestoreDBInstanceToPointInTime', 'rds:AddTagsToResource'], where: /\/DatabaseRestore\/StepsPolicy\//, condition: 'aws:RequestTag/cdk-backup-dr:workflow-id', reason: 'the restored instance is named at run time; it must be tagged with this workflow\'s id when created' },
  { actions: ['rds:ModifyDBInstance', 'rds:DeleteDBInstance'], where: /\/DatabaseRestore\/StepsPolicy\//, condition: 'aws:ResourceTag/cdk-backup-dr:workflow-id', reason: 'only instances this workflow tagged when it restored them' },
  { actions: ['rds:DescribeDBInstances', 'rds:DescribeDBInstanceAutomatedBackups', 'rds:DescribeDBSnapshots', 'rds:DescribeDBSubnetGroups', 'rds:ListTagsForResource'], where: /\/DatabaseRestore\/StepsPolicy\//, reason: 'reads of the source and of the instances, snapshots and automated backups the restore finds by the names given at run time' },
  { actions: ['ec2:CreateVolume'], where: /\/VolumeRestore\/RestorePolicy\//, only: /:volume\/\*$/, condition: 'aws:RequestTag/cdk-backup-dr:workflow-id', reason: 'the new volume exists only at run time; it must carry this workflow\'s id' },
  { actions: ['ec2:AttachVolume', 'ec2:DeleteVolume'], where: /\/VolumeRestore\/RestorePolicy\//, only: /:volume\/\*$/, condition: 'aws:ResourceTag/cdk-backup-dr:workflow-id', reason: 'only volumes this workflow created and tagged' },
  { actions: ['ec2:CreateTags'], where: /\/VolumeRestore\/RestorePolicy\//, condition: 'ec2:CreateAction', reason: 'tags only as the volume or the replace-root task is created' },
  { actions: ['ec2:CreateVolume', 'ec2:CreateReplaceRootVolumeTask'], where: /\/VolumeRestore\/RestorePolicy\//, only: /::snapshot\/\*$/, reason: 'the snapshot to restore is named at run time by the person restoring' },
  { actions: ['ec2:AttachVolume'], where: /\/VolumeRestore\/RestorePolicy\//, only: /:instance\/\*$/, condition: 'ec2:AvailabilityZone', reason: 'the instance is the one the person names and confirms at run time (the function checks the confirmation), in one of the VPC\'s zones, where the volume is created (ec2:AvailabilityZone is a condition key of AttachVolume\'s instance resource, Service Authorization Reference, Amazon EC2)' },
  { actions: ['ec2:CreateReplaceRootVolumeTask'], where: /\/VolumeRestore\/RestorePolicy\//, only: /:instance\/\*$/, condition: 'ec2:AvailabilityZone', reason: 'the instance the person names and confirms at run time, which the function accepts only in one of the VPC\'s zones (ec2:AvailabilityZone is a condition key of this action\'s instance resource, Service Authorization Reference, Amazon EC2); not narrowed by tag: its tags are the owner\'s' },
  { actions: ['ec2:CreateReplaceRootVolumeTask'], where: /\/VolumeRestore\/RestorePolicy\//, only: /:replace-root-volume-task\/\*$/, condition: 'aws:RequestTag/cdk-backup-dr:workflow-id', reason: 'the task exists only once created; it must carry this workflow\'s id (aws:RequestTag is a condition key of this action\'s replace-root-volume-task resource)' },
  { actions: ['ec2:CreateReplaceRootVolumeTask'], where: /\/VolumeRestore\/RestorePolicy\//, only: /:volume\/\*$/, reason: 'the new root volume EC2 makes from the snapshot; the request tags only the task, so no request-tag condition can hold for the volume' },
  { actions: ['ec2:CreateSnapshot'], where: /\/VolumeSnapshots\/RolePolicy\//, only: /:volume\/\*$/, condition: 'aws:ResourceTag/', reason: 'Data Lifecycle Manager snapshots the volumes that carry a target tag (the condition names the tag)' },
  { actions: ['ec2:CreateSnapshot', 'ec2:CopySnapshot', 'ec2:CreateTags'], where: /\/VolumeSnapshots\/RolePolicy\//, only: /::snapshot\/\*$/, reason: 'Data Lifecycle Manager creates, copies (into other regions) and tags snapshots whose ids exist only at run time (as its AWSDataLifecycleManagerServiceRole); CreateTags carries no ec2:CreateAction condition because that managed policy (v10, 2026-02-12) grants it on snapshot/* without one, and AWS does not document that DLM tags only while creating or copying' },
  { actions: ['ec2:DeleteSnapshot', 'ec2:ModifySnapshotTier', 'ec2:ModifySnapshotAttribute', 'ec2:EnableFastSnapshotRestores', 'ec2:DisableFastSnapshotRestores'], where: /\/VolumeSnapshots\/RolePolicy\//, condition: 'aws:ResourceTag/aws:dlm:lifecycle-policy-id', reason: 'only snapshots Data Lifecycle Manager made (its policy-id tag)' },
  { actions: ['kms:Encrypt', 'kms:GenerateDataKey'], where: /\/BackupBuckets\/ReplicationPolicy\//, condition: 'kms:ResourceAliases', reason: 'S3 replication encrypts the replicas with the recovery region\'s bucket key, known there by its alias only: any key of that region carrying the alias' },
  { actions: ['kms:Decrypt'], where: /\/ConsistencyChecks\/FreshnessCheckPolicy\//, condition: 'kms:ResourceAliases', reason: 'an imported bucket\'s key is known by its alias only: any key of the region, on the condition that it carries that alias, through S3' },
  // The dump restore creates instances whose names start with its prefix.
  { actions: ['rds:CreateDBInstance', 'rds:AddTagsToResource'], where: /\/DumpRestore\/RestorePolicy\//, condition: 'aws:RequestTag/cdk-backup-dr:workflow-id', reason: 'the new instance is named at run time under the prefix and must be tagged with this workflow\'s id; it uses the engine\'s default option group (named by version) and CreateDBInstance authorizes against DB security groups' },
  { actions: ['rds:ModifyDBInstance', 'rds:DeleteDBInstance'], where: /\/DumpRestore\/RestorePolicy\//, condition: 'aws:ResourceTag/cdk-backup-dr:workflow-id', reason: 'only instances under the prefix that this workflow tagged with its id when it created them (not another DumpRestoreWorkflow\'s)' },
  { actions: ['rds:DescribeDBInstances'], where: /\/DumpRestore\/RestorePolicy\//, only: /:db:restored-\*$/, reason: 'the target is named at run time, under the prefix (the reference app\'s is restored-)' },
  { actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], where: /\/DumpRestore\/RestorePolicy\//, reason: 'RDS creates the new instance\'s master user secret (rds!db-<random>) with the caller\'s permissions; its name is not known before' },
  { actions: ['secretsmanager:GetSecretValue'], where: /\/DumpRestore\/RestorePolicy\//, condition: 'aws:ResourceTag/aws:rds:primaryDBInstanceArn', reason: 'the master user secret of a new instance: RDS names it at run time and tags it with its instance\'s ARN, which must be under the prefix' },
];

/** Policies on one resource, where '*' means that resource ("this KMS key", "this vault"). */
const STAR_IS_THE_RESOURCE = new Set(['AWS::KMS::Key', 'AWS::Backup::BackupVault']);

interface Statement {
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A resource as text: a reference to a resource (Ref, Fn::GetAtt, ...) becomes `{ref}`, a pseudo parameter `{AWS::...}`. */
function resourceText(resource: unknown): string {
  if (typeof resource === 'string') {
    return resource;
  }
  const value = resource as Record<string, unknown>;
  if (Array.isArray(value['Fn::Join'])) {
    return (value['Fn::Join'][1] as unknown[]).map(resourceText).join('');
  }
  if (typeof value.Ref === 'string' && value.Ref.startsWith('AWS::')) {
    return `{${value.Ref}}`;
  }
  return '{ref}';
}

/** Whether a resource names more than one resource: '*' or a wildcard that does not follow a reference to one resource and a separator. */
function isWide(text: string): boolean {
  const star = text.indexOf('*');
  if (star < 0) {
    return false;
  }
  const before = text.slice(0, star);
  return !/\{ref\}[^*]*[/:]$/.test(before) && !/^arn:(aws|\{AWS::Partition\}):s3:::[^/*]+\//.test(before);
}

interface Policy {
  readonly name: string;
  readonly type: string;
  readonly statements: Statement[];
}

type Document = { Statement: Statement[] };

/** The properties of a resource that hold policy documents. */
interface PolicyProperties {
  readonly PolicyDocument?: Document;
  readonly KeyPolicy?: Document;
  readonly AccessPolicy?: Document;
  readonly Policies?: Array<{ PolicyName: string; PolicyDocument: Document }>;
}

function policiesOf(stack: Stack): Policy[] {
  const paths = new Map(stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c)).map((c) => [stack.getLogicalId(c), c.node.path]));
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: PolicyProperties }>;
  return Object.entries(resources).flatMap(([id, { Type: type, Properties: p }]) => {
    const name = paths.get(id) ?? `${stack.stackName}/${id}`;
    const documents: Array<{ name: string; document?: Document }> = {
      'AWS::IAM::Policy': [{ name, document: p.PolicyDocument }],
      'AWS::IAM::ManagedPolicy': [{ name, document: p.PolicyDocument }],
      'AWS::IAM::Role': (p.Policies ?? []).map((policy) => ({ name: `${name} (${policy.PolicyName})`, document: policy.PolicyDocument })),
      'AWS::KMS::Key': [{ name, document: p.KeyPolicy }],
      'AWS::S3::BucketPolicy': [{ name, document: p.PolicyDocument }],
      'AWS::Backup::BackupVault': [{ name, document: p.AccessPolicy }],
      'AWS::SNS::TopicPolicy': [{ name, document: p.PolicyDocument }],
      'AWS::SQS::QueuePolicy': [{ name, document: p.PolicyDocument }],
    }[type] ?? [];
    return documents.filter((d) => d.document).map((d) => ({ name: d.name, type, statements: d.document!.Statement }));
  });
}

const context = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
const { primary, recovery } = buildReferenceApp(new App({ context }));
const policies = [primary, recovery].flatMap(policiesOf);

/** `policy: action on resource` for every action an Allow statement grants on a wide resource, with the statement. */
function wideGrants(): Array<{ policy: Policy; action: string; resource: string; statement: Statement }> {
  return policies.flatMap((policy) => policy.statements.filter((s) => s.Effect === 'Allow').flatMap((statement) => {
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
      throw new Error(`${policy.name}: an Allow with NotAction or NotResource, which this test cannot read: ${JSON.stringify(statement)}`);
    }
    const wide = [statement.Resource].flat().map(resourceText)
      .filter((text) => isWide(text) && !(text === '*' && STAR_IS_THE_RESOURCE.has(policy.type)));
    return [statement.Action!].flat().flatMap((action) => wide.map((resource) => ({ policy, action, resource, statement })));
  }));
}

test('a wildcard after one resource\'s reference is that resource\'s parts; any other is wide', () => {
  expect(isWide(resourceText({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/daily/*']] }))).toBe(false);
  expect(isWide(resourceText({ 'Fn::Join': ['', ['arn:aws:states:eu-west-1:1:execution:', { 'Fn::Select': [6, {}] }, ':*']] }))).toBe(false);
  expect(isWide(resourceText({ Ref: 'Topic' }))).toBe(false);
  expect(isWide(resourceText({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::daily-', { Ref: 'AWS::AccountId' }, '/daily/*']] }))).toBe(false);
  expect(isWide('arn:aws:s3:::daily-*')).toBe(true);
  expect(isWide('*')).toBe(true);
  expect(isWide('arn:aws:rds:eu-west-1:123456789012:db:*')).toBe(true);
  expect(isWide('arn:aws:rds:eu-west-1:123456789012:db:restored-*')).toBe(true);
  expect(isWide(resourceText({ 'Fn::Join': ['', ['arn:aws:rds:', { Ref: 'AWS::Region' }, ':1:db:*']] }))).toBe(true);
  expect(isWide(resourceText({ 'Fn::Join': ['', [{ Ref: 'Name' }, '-*']] }))).toBe(true);
});

test('the reference app has wide grants to check (the walk reads its policies)', () => {
  expect(policies.map((p) => p.type)).toEqual(expect.arrayContaining(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::KMS::Key', 'AWS::S3::BucketPolicy', 'AWS::Backup::BackupVault']));
  expect(wideGrants().length).toBeGreaterThan(0);
});

test('every grant on a wide resource is listed with its reason, for the policy that makes it, with the condition the list requires', () => {
  const problems = wideGrants().flatMap(({ policy, action, resource, statement }) => {
    const listed = WIDE_GRANTS.filter((g) => g.where.test(policy.name) && g.actions.some((a) => actionMatches(a, action)) && (!g.only || g.only.test(resource)));
    if (listed.length === 0) {
      return [`${policy.name} allows ${action} on ${resource}, which WIDE_GRANTS does not list for it`];
    }
    const keys = Object.values(statement.Condition ?? {}).flatMap((operator) => Object.keys(operator));
    const carries = (key: string) => keys.some((k) => k === key || (key.endsWith('/') && k.startsWith(key)));
    return listed.some((g) => !g.condition || carries(g.condition)) ? []
      : [`${policy.name} allows ${action} on ${resource} without the condition ${listed.map((g) => g.condition).join(' or ')}`];
  });
  expect(problems).toEqual([]);
});

test('every entry of WIDE_GRANTS is still needed', () => {
  const grants = wideGrants();
  const stale = WIDE_GRANTS.flatMap((g) => g.actions
    .filter((action) => !grants.some((w) => g.where.test(w.policy.name) && actionMatches(action, w.action) && (!g.only || g.only.test(w.resource))))
    .map((action) => `${action} (${g.where.source})`));
  expect(stale).toEqual([]);
});
