import { AspectPriority, Aspects, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { fitPathDescription } from './path-description';

/**
 * EC2 takes up to 255 characters for a security group's description (GroupDescription), of
 * a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*, and refuses the group at deploy otherwise.
 * A group's description cannot be changed in place (a new description replaces the group), so
 * a description that already fits is kept exactly.
 */
export function fitSecurityGroupDescription(description: string, path: string): string {
  return fitPathDescription(description, path, {
    what: 'the security group description',
    service: 'EC2',
    maxLength: 255,
    allowedCharacter: /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]$/,
  });
}

/** A security group rule's description: up to 255 characters, the same as a group's but without '&'. */
export function fitSecurityGroupRuleDescription(description: string, path: string): string {
  return fitPathDescription(description, path, {
    what: 'the security group rule description',
    service: 'EC2',
    maxLength: 255,
    allowedCharacter: /^[A-Za-z0-9 ._\-:/()#,@[\]+=;{}!$*]$/,
  });
}

/**
 * Fits, at synth, the descriptions aws-cdk-lib makes for the groups and rules under `scope`: a
 * function's automatic group ("Automatic security group for Lambda Function <unique id>"), a
 * group named by its own path (a rotation function's), a rule "from <unique id>:<port>". The
 * part shortened is the construct path they name, else their last word.
 */
export function fitGeneratedSecurityGroupDescriptions(scope: IConstruct): void {
  Aspects.of(scope).add(FIT_GENERATED, { priority: AspectPriority.MUTATING });
}

const FIT_GENERATED: IAspect = {
  visit(node: IConstruct): void {
    if (node instanceof ec2.CfnSecurityGroup) {
      const description = node.groupDescription;
      if (!Token.isUnresolved(description)) {
        node.groupDescription = fitSecurityGroupDescription(description, namedPart(node, description));
      }
    } else if (node instanceof ec2.CfnSecurityGroupIngress || node instanceof ec2.CfnSecurityGroupEgress) {
      const description = node.description;
      if (description !== undefined && !Token.isUnresolved(description)) {
        node.description = fitSecurityGroupRuleDescription(description, namedPart(node, description));
      }
    }
  },
};

/** The longest construct path of the resource's scopes below its stack that the description names, else its last word. */
function namedPart(resource: IConstruct, description: string): string {
  const stack = Stack.of(resource);
  const scopes = resource.node.scopes.filter((s) => s !== stack && s.node.scopes.includes(stack)).reverse();
  const named = scopes.map((s) => s.node.path).find((path) => description.includes(path));
  return named ?? description.slice(description.lastIndexOf(' ') + 1);
}
