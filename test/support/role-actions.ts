/**
 * The actions a role's identity policies allow in a synthesized stack: the inline policies
 * attached to it (AWS::IAM::Policy), the customer managed policies attached to it either
 * way (the policy's Roles or the role's ManagedPolicyArns), and the role's own Policies.
 * Resources and conditions are left out. A Deny on named resources is left out too (it keeps
 * the role off some resources, which is resource scoping); a Deny on every resource, or a
 * NotAction, fails loudly, since this reading could not tell what it takes away.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';

export interface Statement {
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
}

const templates = new WeakMap<Stack, Template>();

function templateOf(stack: Stack): Template {
  if (!templates.has(stack)) {
    templates.set(stack, Template.fromStack(stack));
  }
  return templates.get(stack)!;
}

/** The actions (as written, wildcards kept) that the identity policies of `role` allow. */
export function actionsGrantedTo(role: iam.IRole): string[] {
  const stack = Stack.of(role);
  return actionsGrantedToRoleId(stack, stack.getLogicalId(role.node.defaultChild as iam.CfnRole), role.node.path);
}

/** The same for the role with logical id `roleId` in `stack`; `name` names it in errors. */
export function actionsGrantedToRoleId(stack: Stack, roleId: string, name = roleId): string[] {
  const allows = statementsOfRoleId(stack, roleId, name).filter((statement) => statement.Effect === 'Allow');
  return [...new Set(allows.flatMap((statement) => [statement.Action!].flat()))].sort();
}

/** The statements of the role's identity policies: its Allows and its Denys on named resources (any other fails loudly). */
export function statementsOfRoleId(stack: Stack, roleId: string, name = roleId): Statement[] {
  const template = templateOf(stack);
  const roleResource = template.findResources('AWS::IAM::Role')[roleId];
  if (!roleResource) {
    throw new Error(`${name}: no role ${roleId} in ${stack.stackName}`);
  }
  const ref = JSON.stringify({ Ref: roleId });
  const attachedTo = (policy: Record<string, unknown>) => ((policy.Properties as { Roles?: unknown[] }).Roles ?? []).some((r) => JSON.stringify(r) === ref);
  const inline = Object.values(template.findResources('AWS::IAM::Policy')).filter(attachedTo);
  const managed = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'));
  const managedArns: unknown[] = roleResource.Properties.ManagedPolicyArns ?? [];
  for (const arn of managedArns) {
    if (!managed.some(([id]) => JSON.stringify(arn) === JSON.stringify({ Ref: id }))) {
      throw new Error(`${name}: the managed policy ${JSON.stringify(arn)} is not in the stack; its actions cannot be read`);
    }
  }
  const attachedManaged = managed.filter(([id, policy]) => attachedTo(policy) || managedArns.some((arn) => JSON.stringify(arn) === JSON.stringify({ Ref: id })));
  const statements: Statement[] = [
    ...inline.flatMap((policy) => policy.Properties.PolicyDocument.Statement),
    ...attachedManaged.flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement),
    ...(roleResource.Properties.Policies ?? []).flatMap((policy: { PolicyDocument: { Statement: Statement[] } }) => policy.PolicyDocument.Statement),
  ];
  for (const statement of statements) {
    const scopedDeny = statement.Effect === 'Deny' && statement.Action !== undefined && ![statement.Resource].flat().includes('*');
    if (!scopedDeny && (statement.Effect !== 'Allow' || statement.Action === undefined)) {
      throw new Error(`${name}: a statement this test cannot read: ${JSON.stringify(statement)}`);
    }
  }
  return statements;
}
