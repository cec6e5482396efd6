import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { HardenedFunction } from './hardened-function';

/**
 * Lets a function read a secret, and decrypt it through Secrets Manager only, with statements
 * in the function's own policy. (`ISecret.grantRead` also writes the role into the key's
 * policy, which makes a dependency cycle when the same key encrypts the function's log group.)
 */
export function grantSecretRead(secret: secretsmanager.ISecret, fn: HardenedFunction): void {
  fn.function.addToRolePolicy(new iam.PolicyStatement({
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
  }));
  if (secret.encryptionKey) {
    fn.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [secret.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(fn).region}.amazonaws.com` } },
    }));
  }
}
