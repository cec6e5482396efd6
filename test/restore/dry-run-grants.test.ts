/**
 * `grantDryRun` of every restore workflow: exactly what `restore --dry-run` calls for it
 * (cli/validate-step.ts, then the workflow's Validate code), and no more; the operate grants
 * include it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DumpRestoreWorkflow } from '../../lib/restore/dump-restore-workflow';
import { ObjectRestoreWorkflow } from '../../lib/restore/object-restore-workflow';
import { VolumeRestoreWorkflow } from '../../lib/restore/volume-restore-workflow';
import { restoreFixture } from './db-fixture';
import { restoreTestStack } from './workflow-fixture';

const functionSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

/** The statements of the policies attached to a new role `OnCall` after `grant` ran on it. */
function grantedTo(stack: Stack, grant: (role: iam.IRole) => void): unknown[] {
  const role = new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() });
  grant(role);
  const roleRef = JSON.stringify([{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }]);
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === roleRef)
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as unknown[]);
}

/** An ARN as CDK writes it with the stack's account and region. */
function arn(rest: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}

const logicalId = (prefix: string) => expect.stringMatching(new RegExp(`^${prefix}[0-9A-F]{8}$`));
const keyArn = { 'Fn::GetAtt': [logicalId('Key'), 'Arn'] };

/** Starting an execution encrypts its input with the workflow's key: allowed only for that state machine. */
function startEncryption(machine: unknown): unknown {
  return { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: keyArn, Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': machine } } };
}

/** The workflow's definition and its Validate function's configuration, each decrypted only in its own encryption context. */
function readsOfTheWorkflow(machine: unknown, validateFunction: unknown): unknown[] {
  return [
    { Effect: 'Allow', Action: 'states:DescribeStateMachine', Resource: machine },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': machine } } },
    { Effect: 'Allow', Action: 'lambda:GetFunctionConfiguration', Resource: validateFunction },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:EncryptionContext:aws:lambda:FunctionArn': validateFunction } } },
  ];
}

describe('DatabaseRestore', () => {
  const machine = { Ref: logicalId('Restore') };
  const steps = { 'Fn::GetAtt': [logicalId('RestoreSteps'), 'Arn'] };
  const rdsReads = {
    Effect: 'Allow',
    Action: ['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots', 'rds:DescribeDBSubnetGroups', 'rds:DescribeDBInstanceAutomatedBackups'],
    Resource: [arn(':rds:eu-west-1:123456789012:db:*'), arn(':rds:eu-west-1:123456789012:snapshot:*'), arn(':rds:eu-west-1:123456789012:subgrp:*'), arn(':rds:eu-west-1:123456789012:auto-backup:*')],
  };

  test('grantDryRun: the definition, the steps function\'s configuration, the key for them, and the Validate step\'s reads', () => {
    const { stack, restore } = restoreFixture();
    expect(grantedTo(stack, (role) => restore.grantDryRun(role))).toEqual([
      ...readsOfTheWorkflow(machine, steps),
      rdsReads,
      { Effect: 'Allow', Action: 'backup:ListRecoveryPointsByResource', Resource: '*' },
      { Effect: 'Allow', Action: 'backup:GetRecoveryPointRestoreMetadata', Resource: [arn(':backup:eu-west-1:123456789012:recovery-point:*'), arn(':backup:eu-west-1:123456789012:backup-vault:*'), arn(':rds:eu-west-1:123456789012:snapshot:awsbackup:*')] },
    ]);
  });

  test('grantDryRun without recovery points: no AWS Backup reads', () => {
    const { stack, restore } = restoreFixture(new App(), { backupRecoveryPoints: false });
    expect(grantedTo(stack, (role) => restore.grantDryRun(role))).toEqual([...readsOfTheWorkflow(machine, steps), rdsReads]);
  });

  test('the key policy is left alone: the grantee is in the same account', () => {
    const { stack, restore } = restoreFixture();
    grantedTo(stack, (role) => restore.grantDryRun(role));
    const keyPolicy = JSON.stringify(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    expect(keyPolicy).not.toContain('OnCall');
  });

  test('grantStartExecution includes the dry run', () => {
    const { stack, restore } = restoreFixture();
    const statements = grantedTo(stack, (role) => restore.grantStartExecution(role));
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: machine }),
      startEncryption(machine),
      ...readsOfTheWorkflow(machine, steps),
      rdsReads,
    ]));
  });
});

describe('DumpRestoreWorkflow', () => {
  const machine = { Ref: logicalId('DumpRestoreStateMachine') };
  const fn = { 'Fn::GetAtt': [logicalId('DumpRestoreFunction'), 'Arn'] };
  const bucketObjects = (bucket: string, prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(bucket), 'Arn'] }, `/${prefix}/*`]] });
  const bucketArn = (bucket: string) => ({ 'Fn::GetAtt': [logicalId(bucket), 'Arn'] });

  test('grantDryRun: the manifest and dump objects, their key through S3, and whether the target exists (prefixed identifiers only)', () => {
    const fixture = restoreTestStack();
    const workflow = new DumpRestoreWorkflow(fixture.stack, 'DumpRestore', {
      vpc: fixture.vpc, encryptionKey: fixture.key, dumpBucket: fixture.dumpBucket, archiveBucket: fixture.archiveBucket, functionSubnets,
    });
    expect(grantedTo(fixture.stack, (role) => workflow.grantDryRun(role))).toEqual([
      ...readsOfTheWorkflow(machine, fn),
      { Effect: 'Allow', Action: 's3:GetObject', Resource: [bucketObjects('DumpBucket', 'daily'), bucketObjects('ArchiveBucket', 'yearly')] },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: [bucketArn('DumpBucket'), bucketArn('ArchiveBucket')] },
      { Effect: 'Allow', Action: 'rds:DescribeDBInstances', Resource: arn(':rds:eu-west-1:123456789012:db:restored-*') },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } },
    ]);
  });

  test('grantStartRestore includes the dry run', () => {
    const fixture = restoreTestStack();
    const workflow = new DumpRestoreWorkflow(fixture.stack, 'DumpRestore', { vpc: fixture.vpc, encryptionKey: fixture.key, dumpBucket: fixture.dumpBucket, functionSubnets });
    expect(grantedTo(fixture.stack, (role) => workflow.grantStartRestore(role))).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: machine }),
      startEncryption(machine),
      ...readsOfTheWorkflow(machine, fn),
      { Effect: 'Allow', Action: 's3:GetObject', Resource: bucketObjects('DumpBucket', 'daily') },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn('DumpBucket') },
    ]));
  });
});

describe('VolumeRestoreWorkflow', () => {
  const machine = { Ref: logicalId('VolumeRestoreStateMachine') };
  const fn = { 'Fn::GetAtt': [logicalId('VolumeRestoreFunction'), 'Arn'] };
  const ec2Reads = { Effect: 'Allow', Action: ['ec2:DescribeSnapshots', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances'], Resource: '*' };

  test('grantDryRun: the snapshot, the zones and the instance (EC2 Describe actions take no resource)', () => {
    const fixture = restoreTestStack();
    const workflow = new VolumeRestoreWorkflow(fixture.stack, 'VolumeRestore', { vpc: fixture.vpc, encryptionKey: fixture.key, functionSubnets });
    expect(grantedTo(fixture.stack, (role) => workflow.grantDryRun(role))).toEqual([...readsOfTheWorkflow(machine, fn), ec2Reads]);
  });

  test('grantStartRestore includes the dry run', () => {
    const fixture = restoreTestStack();
    const workflow = new VolumeRestoreWorkflow(fixture.stack, 'VolumeRestore', { vpc: fixture.vpc, encryptionKey: fixture.key, functionSubnets });
    expect(grantedTo(fixture.stack, (role) => workflow.grantStartRestore(role))).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: machine }),
      startEncryption(machine),
      ...readsOfTheWorkflow(machine, fn),
      ec2Reads,
    ]));
  });
});

describe('ObjectRestoreWorkflow', () => {
  const machine = { Ref: logicalId('ObjectRestoreStateMachine') };
  const fn = { 'Fn::GetAtt': [logicalId('ObjectRestoreFunction'), 'Arn'] };
  const bucketArn = (bucket: string) => ({ 'Fn::GetAtt': [logicalId(bucket), 'Arn'] });

  test('grantDryRun: listing the versions of the source and target buckets and the objects of the source buckets, not reading or writing objects', () => {
    const fixture = restoreTestStack();
    const workflow = new ObjectRestoreWorkflow(fixture.stack, 'ObjectRestore', {
      vpc: fixture.vpc, encryptionKey: fixture.key, buckets: [fixture.dumpBucket], targetBuckets: [fixture.archiveBucket], functionSubnets,
    });
    expect(grantedTo(fixture.stack, (role) => workflow.grantDryRun(role))).toEqual([
      ...readsOfTheWorkflow(machine, fn),
      { Effect: 'Allow', Action: 's3:ListBucketVersions', Resource: [bucketArn('DumpBucket'), bucketArn('ArchiveBucket')] },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn('DumpBucket') },
    ]);
  });

  test('grantStartRestore includes the dry run', () => {
    const fixture = restoreTestStack();
    const workflow = new ObjectRestoreWorkflow(fixture.stack, 'ObjectRestore', { vpc: fixture.vpc, encryptionKey: fixture.key, buckets: [fixture.dumpBucket], functionSubnets });
    expect(grantedTo(fixture.stack, (role) => workflow.grantStartRestore(role))).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: machine }),
      startEncryption(machine),
      ...readsOfTheWorkflow(machine, fn),
      { Effect: 'Allow', Action: 's3:ListBucketVersions', Resource: bucketArn('DumpBucket') },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn('DumpBucket') },
    ]));
  });
});
