/**
 * Stacks for the dump, volume and object restore workflow tests.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ObjectRestoreWorkflow } from '../../lib/restore/object-restore-workflow';
import { localStateMachine, type LocalStateMachine } from '../support/local-state-machine';

export interface RestoreTestStack {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly key: kms.Key;
  readonly dumpBucket: s3.Bucket;
  readonly archiveBucket: s3.Bucket;
}

/** A stack with a VPC (private and isolated subnets in two zones), a key and two buckets that pass the compliance gates. */
export function restoreTestStack(app: App = new App()): RestoreTestStack {
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const bucket = (id: string) => new s3.Bucket(stack, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { stack, vpc, key, dumpBucket: bucket('DumpBucket'), archiveBucket: bucket('ArchiveBucket') };
}

/**
 * The object restore workflow of a `restoreTestStack`, ready to run locally, with the
 * environment its function reads (source and target buckets, the archive's retrieval time).
 */
export function objectRestoreMachine(): LocalStateMachine {
  const { stack, vpc, key, dumpBucket } = restoreTestStack(new App());
  new ObjectRestoreWorkflow(stack, 'ObjectRestore', { vpc, encryptionKey: key, buckets: [dumpBucket], functionSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  Object.assign(process.env, { SOURCE_BUCKETS: 'data,archive', TARGET_BUCKETS: 'data,scratch', ARCHIVE_READY_WITHIN_MINUTES: '4320' });
  return localStateMachine(Template.fromStack(stack));
}
