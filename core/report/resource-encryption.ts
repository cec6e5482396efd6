/** How a protected resource's data is encrypted, as its template says. */
import type { Json } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { ebsDefaultKeyText, ebsNotEncryptedText } from './ebs-encryption';
import { keyText } from './kms-key-refs';

export function encryptionOf(index: AssemblyIndex, r: Located): string {
  const p = r.resource.Properties ?? {};
  switch (r.resource.Type) {
    case 'AWS::RDS::DBInstance':
    case 'AWS::RDS::DBCluster':
      if (p.SourceDBInstanceIdentifier !== undefined && p.StorageEncrypted === undefined && p.KmsKeyId === undefined) {
        return 'as its source (a read replica inherits the source\'s encryption)';
      }
      return p.StorageEncrypted === true || p.KmsKeyId !== undefined ? keyText(index, p.KmsKeyId, r.stack, 'the AWS managed key aws/rds') : 'not encrypted';
    case 'AWS::EC2::Volume':
      // Without a key, or without Encrypted, the account's EBS settings of the region decide.
      return p.Encrypted === true ? keyText(index, p.KmsKeyId, r.stack, ebsDefaultKeyText(r.stack.region)) : ebsNotEncryptedText(r.stack.region);
    case 'AWS::EC2::Instance':
      return instanceDisksEncryption(index, r);
    case 'AWS::EFS::FileSystem':
      return p.Encrypted === true ? keyText(index, p.KmsKeyId, r.stack, 'the AWS managed key aws/elasticfilesystem') : 'not encrypted';
    case 'AWS::S3::Bucket': {
      const rule = p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault;
      if (!rule) {
        return 'SSE-S3 (the S3 default)';
      }
      const sseS3 = 'SSE-S3 (AES-256, keys managed by S3)';
      if (rule.SSEAlgorithm === 'AES256') {
        return sseS3;
      }
      const kms = keyText(index, rule.KMSMasterKeyID, r.stack, 'the AWS managed key aws/s3');
      // An algorithm given by a token may be AES256 as well as a KMS one: only the deploy tells.
      return typeof rule.SSEAlgorithm === 'string' ? `${rule.SSEAlgorithm}: ${kms}`
        : `not known at synth (SSEAlgorithm is ${index.render(rule.SSEAlgorithm, r.stack)}): ${sseS3}, or a KMS algorithm with ${kms}`;
    }
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable':
      return p.SSESpecification?.SSEEnabled === true ? keyText(index, p.SSESpecification.KMSMasterKeyId, r.stack, 'the AWS managed key aws/dynamodb') : 'AWS owned key (the DynamoDB default)';
    default:
      return 'unknown';
  }
}

/**
 * An instance's disks: each EBS volume of its BlockDeviceMappings, then those of its image's
 * devices it does not map (its root volume, unless mapped), which are made from the image's
 * snapshots and encrypted as they are, or as the account's EBS settings say.
 */
function instanceDisksEncryption(index: AssemblyIndex, r: Located): string {
  const region = r.stack.region;
  const mappings: Json[] = Array.isArray(r.resource.Properties?.BlockDeviceMappings) ? r.resource.Properties.BlockDeviceMappings : [];
  const mapped = mappings.filter((m) => m?.Ebs !== undefined).map((m) => {
    const device = index.render(m.DeviceName, r.stack);
    const ebs = m.Ebs;
    return ebs.Encrypted === true || ebs.Encrypted === 'true'
      ? `${device}: ${keyText(index, ebs.KmsKeyId, r.stack, ebsDefaultKeyText(region))}`
      : `${device}: as the snapshot it is made from, if any (SnapshotId, or the image's), else ${ebsNotEncryptedText(region)}`;
  });
  return [...mapped, `the devices of its image it does not map (its root volume, unless mapped): as the image's snapshots (not in the template), else ${ebsNotEncryptedText(region)}`].join('; ');
}
