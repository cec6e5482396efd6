/**
 * Every state machine encrypted with a customer managed key may use that key for its own
 * executions: its role holds kms:Decrypt and kms:GenerateDataKey on the key on the condition
 * that the encryption context names this state machine's ARN (CDK's own grant names an ARN
 * written from the machine's name, and these machines have none).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildReferenceApp } from '../../bin/reference-app';

const context = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
const { primary, recovery } = buildReferenceApp(new App({ context }));

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The encrypted state machines of a stack, with the key and the statements of the policies (inline and managed) attached to the machine's role. */
function encryptedMachines(stack: Stack): Array<{ id: string; key: unknown; statements: Statement[] }> {
  const template = Template.fromStack(stack);
  const policies = [...Object.values(template.findResources('AWS::IAM::Policy')), ...Object.values(template.findResources('AWS::IAM::ManagedPolicy'))];
  return Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))
    .filter(([, machine]) => machine.Properties.EncryptionConfiguration?.Type === 'CUSTOMER_MANAGED_KMS_KEY')
    .map(([id, machine]) => {
      const roleId = machine.Properties.RoleArn['Fn::GetAtt'][0];
      const statements = policies
        .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
      return { id, key: machine.Properties.EncryptionConfiguration.KmsKeyId, statements };
    });
}

const machines = [primary, recovery].flatMap(encryptedMachines);

test('the reference app encrypts the state machines of the dump and of the four restores with its key', () => {
  expect(machines).toHaveLength(5);
});

test.each(machines.map((machine) => [machine.id, machine]))('%s: its role may use the key in its own executions\' context', (_id, machine) => {
  const usable = machine.statements.filter((statement) => statement.Effect === 'Allow'
    && JSON.stringify(statement.Resource) === JSON.stringify(machine.key)
    && JSON.stringify(statement.Condition) === JSON.stringify({ StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': { Ref: machine.id } } }));
  expect(usable.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
});
