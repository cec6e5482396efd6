/**
 * The IAM actions an SDK call needs. Most are `<service prefix>:<operation>`; the tables
 * below hold the operations whose action has another name and the input fields that need
 * a further action.
 */
import type { SdkCall } from './sdk-commands';

/** The IAM service prefix of each client package the code uses (a new client must be added here). */
const SERVICE_PREFIXES: Record<string, string> = {
  'client-backup': 'backup',
  'client-cloudwatch': 'cloudwatch',
  'client-ec2': 'ec2',
  'client-ecs': 'ecs',
  'client-lambda': 'lambda',
  'client-rds': 'rds',
  'client-s3': 's3',
  'client-secrets-manager': 'secretsmanager',
  'client-sfn': 'states',
  'client-sns': 'sns',
};

/**
 * S3 operations authorized by an action of another name (S3 API reference, "Permissions"
 * of each operation): a HEAD is a read of the object, listings are actions on the bucket,
 * every request of a multipart upload is a write of the object, and a copy reads its
 * source and writes its target.
 */
const S3_ACTIONS: Record<string, string[]> = {
  HeadObject: ['s3:GetObject'],
  ListObjects: ['s3:ListBucket'],
  ListObjectsV2: ['s3:ListBucket'],
  ListObjectVersions: ['s3:ListBucketVersions'],
  ListMultipartUploads: ['s3:ListBucketMultipartUploads'],
  ListParts: ['s3:ListMultipartUploadParts'],
  CreateMultipartUpload: ['s3:PutObject'],
  UploadPart: ['s3:PutObject'],
  CompleteMultipartUpload: ['s3:PutObject'],
  UploadPartCopy: ['s3:PutObject', 's3:GetObject'],
  CopyObject: ['s3:PutObject', 's3:GetObject'],
};

/** S3 operations that, given a `VersionId`, act on that version: a further action. */
const S3_VERSION_ACTIONS: Record<string, string> = {
  GetObject: 's3:GetObjectVersion',
  HeadObject: 's3:GetObjectVersion',
  GetObjectTagging: 's3:GetObjectVersionTagging',
  PutObjectTagging: 's3:PutObjectVersionTagging',
  DeleteObject: 's3:DeleteObjectVersion',
};

/**
 * Input fields that make the service check further actions of the caller: tags set with an
 * S3 write (`Tagging`); tags on create in EC2 (`TagSpecifications`) and RDS (`Tags`); the
 * master user secret RDS creates in Secrets Manager with the caller's permissions
 * (`ManageMasterUserPassword`); and a role handed to a service (`IamRoleArn`, e.g. AWS
 * Backup's StartRestoreJob).
 */
const FIELD_ACTIONS: Record<string, Record<string, string[]>> = {
  's3': { Tagging: ['s3:PutObjectTagging'] },
  'ec2': { TagSpecifications: ['ec2:CreateTags'] },
  'rds': { Tags: ['rds:AddTagsToResource'], ManageMasterUserPassword: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'] },
  '*': { IamRoleArn: ['iam:PassRole'] },
};

/** The IAM actions one SDK call needs of its caller. */
export function actionsOf(call: SdkCall): string[] {
  const prefix = SERVICE_PREFIXES[call.client];
  if (!prefix) {
    throw new Error(`${call.file}: no IAM service prefix for @aws-sdk/${call.client}: add it to SERVICE_PREFIXES in test/support/iam-actions.ts`);
  }
  const actions = prefix === 's3' ? [...S3_ACTIONS[call.operation] ?? [`s3:${call.operation}`]] : [`${prefix}:${call.operation}`];
  if (prefix === 's3' && call.inputFields.has('VersionId') && S3_VERSION_ACTIONS[call.operation]) {
    actions.push(S3_VERSION_ACTIONS[call.operation]);
  }
  // Without s3:ListBucket a missing key answers 403 Access Denied, not 404 (S3 GetObject and
  // HeadObject, "Permissions"): code that looks for NoSuchKey or NotFound needs it.
  if (prefix === 's3' && call.expectsNotFound && ['GetObject', 'HeadObject'].includes(call.operation)) {
    actions.push('s3:ListBucket');
  }
  if (prefix === 's3' && call.inputFields.has('CopySource') && call.copiesVersions) {
    actions.push('s3:GetObjectVersion');
  }
  for (const [field, further] of Object.entries({ ...FIELD_ACTIONS[prefix], ...FIELD_ACTIONS['*'] })) {
    if (call.inputFields.has(field)) {
      actions.push(...further);
    }
  }
  return actions;
}

/** Whether an action is allowed by a statement's action (IAM wildcards `*` and `?`, case-insensitive). */
export function actionMatches(pattern: string, action: string): boolean {
  const expression = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${expression}$`, 'i').test(action);
}
