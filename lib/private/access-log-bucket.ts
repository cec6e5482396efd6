/**
 * The bucket that receives S3 server access logs (internal). One definition for every
 * construct that keeps its own access logs.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BackupCoverage } from '../report/coverage';

const COMPLIANCE_PACKS = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];

/** The server access log bucket: SSE-S3 (log delivery cannot write with a KMS key), versioned, logs kept a year. */
export function logBucketProps(removalPolicy: RemovalPolicy): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy,
    lifecycleRules: [
      { id: 'KeepAccessLogsOneYear', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
  };
}

/**
 * EventBridge notifications, the coverage exemption and the acknowledgements of a log bucket.
 * @param loggedBuckets what the logs are of, e.g. "the backup buckets"
 */
export function finishLogBucket(bucket: s3.Bucket, loggedBuckets: string): s3.Bucket {
  enableEventBridge(bucket);
  BackupCoverage.exempt(bucket, `The server access logs of ${loggedBuckets}: audit records kept a year by a lifecycle rule, not data the backup policy protects.`);
  const reason = `This bucket receives the server access logs of ${loggedBuckets}. S3 log delivery cannot write to a bucket encrypted with a KMS key or with an Object Lock default retention, logging a log bucket into itself would loop, and replicating access logs adds no recovery value.`;
  Validations.of(bucket).acknowledge(
    { id: 'AwsSolutions-S1', reason },
    ...COMPLIANCE_PACKS.flatMap((pack) => [
      { id: `${pack}-S3BucketLoggingEnabled`, reason },
      { id: `${pack}-S3BucketReplicationEnabled`, reason },
      { id: `${pack}-S3DefaultEncryptionKMS`, reason },
    ]),
    { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason },
    { id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', reason },
    { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason },
  );
  return bucket;
}

/** Sends the bucket's object events to Amazon EventBridge (a native CloudFormation property, no custom resource). */
export function enableEventBridge(bucket: s3.Bucket): void {
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
}
