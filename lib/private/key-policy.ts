import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * A key policy statement that denies `kms:CreateGrant` unless the grant is for an AWS
 * resource or the caller is an AWS service (AWS Control Tower control CT.KMS.PR.3).
 * Add it to the policy of every customer-managed key: RDS, Secrets Manager and AWS Backup
 * create their grants through the service and are not affected.
 */
export function denyGrantsExceptForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}
