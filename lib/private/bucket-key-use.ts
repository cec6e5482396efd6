import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The use of each bucket's key that reading and writing its objects needs, through S3 of the
 * bucket's own region only (an off-site bucket's key lives in that region): kms:GenerateDataKey
 * to write an object (a multipart upload or copy included), kms:Decrypt to read one and for S3
 * to complete a multipart upload or copy. A bucket without a key of its own needs none.
 */
export function bucketKeyStatements(buckets: readonly s3.IBucket[]): iam.PolicyStatement[] {
  const seen = new Set<string>();
  const statements: iam.PolicyStatement[] = [];
  for (const bucket of buckets) {
    const key = bucket.encryptionKey;
    const viaService = `s3.${bucket.env.region}.amazonaws.com`;
    if (!key || seen.has(`${key.keyArn} ${viaService}`)) {
      continue;
    }
    seen.add(`${key.keyArn} ${viaService}`);
    statements.push(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': viaService } },
    }));
  }
  return statements;
}
