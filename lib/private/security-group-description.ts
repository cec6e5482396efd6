import { AspectPriority, Aspects, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import * as RULES from './description-rules';
import { fitPathDescription } from './path-description';

/**
 * Fits, at synth, the descriptions aws-cdk-lib makes for the groups and rules under `scope` to
 * EC2's rules (a description that fits is kept exactly: a new one replaces the group): a
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
        node.groupDescription = fitPathDescription(description, namedPart(node, description), RULES.SECURITY_GROUP);
      }
    } else if (node instanceof ec2.CfnSecurityGroupIngress || node instanceof ec2.CfnSecurityGroupEgress) {
      const description = node.description;
      if (description !== undefined && !Token.isUnresolved(description)) {
        node.description = fitPathDescription(description, namedPart(node, description), RULES.SECURITY_GROUP_RULE);
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
