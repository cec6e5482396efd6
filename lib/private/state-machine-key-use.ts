/**
 * A state machine's own use of the customer managed key that encrypts its executions.
 *
 * CDK grants the role `kms:Decrypt` and `kms:GenerateDataKey` on the condition that the
 * encryption context names the state machine's ARN, which it writes from the machine's name.
 * This library leaves the names to CloudFormation, so that condition reads
 * `arn:<partition>:states:<region>:<account>:stateMachine:`, which no execution's context
 * equals: the role could never use the key. This grant names the machine's real ARN. It is a
 * policy of its own because the state machine depends on its role's default policy, which
 * therefore cannot name the machine. A managed policy, as the compliance packs refuse inline
 * policies other than the role's own.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as RULES from './description-rules';
import { fitPathDescription } from './path-description';

/** Grants the state machine's role the key in the context of this state machine's executions. */
export function grantOwnKeyUse(machine: sfn.StateMachine, key: kms.IKey): iam.ManagedPolicy {
  return new iam.ManagedPolicy(machine, 'OwnKeyUse', {
    description: fitPathDescription(`The key use of ${machine.node.path} in its own executions' encryption context`, machine.node.path, RULES.MANAGED_POLICY),
    roles: [machine.role],
    statements: [new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': machine.stateMachineArn } },
    })],
  });
}
