/**
 * EC2 takes a security group description (and a rule description) of up to 255 characters of
 * a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* ('&' not in a rule's) and refuses the
 * template at deploy otherwise. The groups and rules of this library name construct paths; a
 * deep path keeps its end, a character EC2 refuses becomes '_', and a description that fits
 * stays exactly as it was (a changed group description replaces the group).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { BackupDisasterRecovery } from '../../lib';
import * as RULES from '../../lib/private/description-rules';
import { fitPathDescription } from '../../lib/private/path-description';

const LIMIT = 255;
const GROUP_CHARACTERS = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
const RULE_CHARACTERS = /^[A-Za-z0-9 ._\-:/()#,@[\]+=;{}!$*]*$/;

function stackWithVpc(): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 1 });
  return { stack, vpc };
}

function deepScope(stack: Stack, lastId = 'ProductionOrdersPlatformRegionEuropeLevel8'): Construct {
  let scope: Construct = stack;
  for (let level = 1; level <= 7; level++) {
    scope = new Construct(scope, `ProductionOrdersPlatformRegionEuropeLevel${level}`);
  }
  scope = new Construct(scope, lastId);
  expect(scope.node.path.length).toBeGreaterThan(LIMIT);
  return scope;
}

function groupDescriptions(template: Template): string[] {
  return Object.values(template.findResources('AWS::EC2::SecurityGroup')).map((sg) => sg.Properties.GroupDescription);
}

/** The descriptions of the rules, whether in their own resources or inline in a group. */
function ruleDescriptions(template: Template): string[] {
  const standalone = ['AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress']
    .flatMap((type) => Object.values(template.findResources(type)).map((rule) => rule.Properties.Description));
  const inline = Object.values(template.findResources('AWS::EC2::SecurityGroup'))
    .flatMap((sg) => [...(sg.Properties.SecurityGroupIngress ?? []), ...(sg.Properties.SecurityGroupEgress ?? [])])
    .map((rule: { Description?: string }) => rule.Description);
  return [...standalone, ...inline].filter((d): d is string => d !== undefined);
}

test('every security group and rule of BackupDisasterRecovery under a very long construct path fits EC2 and names the end of the path', () => {
  const { stack, vpc } = stackWithVpc();
  new BackupDisasterRecovery(deepScope(stack), 'Dr', { vpc, ownerEmail: 'dba@example.com', recoveryRegion: 'eu-central-1' });
  const template = Template.fromStack(stack);

  const groups = groupDescriptions(template);
  for (const description of groups) {
    expect(description.length).toBeLessThanOrEqual(LIMIT);
    expect(description).toMatch(GROUP_CHARACTERS);
  }
  // The database's and the dump's own groups name their paths, the rotation function's group is its path.
  const named = groups.filter((description) => description.includes('Level8/Dr/'));
  expect(named).toEqual(expect.arrayContaining([
    expect.stringMatching(/^\.\.\.[A-Za-z0-9/]*Level8\/Dr\/Database: the MySQL master and replica; /),
    expect.stringMatching(/^\.\.\.[A-Za-z0-9/]*Level8\/Dr\/DatabaseDump: the dump task and its function; /),
    expect.stringMatching(/^\.\.\.[A-Za-z0-9/]*Level8\/Dr\/Database\/Resource\/Secret\/Attachment\/Rotation\/SecurityGroup$/),
  ]));
  // A function's automatic group keeps the end of its unique id (aws-cdk-lib's own, ending in its hash).
  expect(groups).toEqual(expect.arrayContaining([expect.stringMatching(/^Automatic security group for Lambda Function \.\.\.[A-Za-z0-9]+[0-9A-F]{8}$/)]));
  const rules = ruleDescriptions(template);
  expect(rules.some((description) => description.includes('Level8/Dr/'))).toBe(true);
  for (const description of rules) {
    expect(description.length).toBeLessThanOrEqual(LIMIT);
    expect(description).toMatch(RULE_CHARACTERS);
  }
});

test('characters EC2 refuses in a construct id become _ in the descriptions', () => {
  const { stack, vpc } = stackWithVpc();
  new BackupDisasterRecovery(new Construct(stack, "Kunden-Datenbank München's"), 'Dr', { vpc, ownerEmail: 'dba@example.com', recoveryRegion: 'eu-central-1' });
  const template = Template.fromStack(stack);
  const groups = groupDescriptions(template);
  expect(groups).toContain('S/Kunden-Datenbank M_nchen_s/Dr/Database: the MySQL master and replica; ingress only from the clients granted access');
  for (const description of groups) {
    expect(description).toMatch(GROUP_CHARACTERS);
  }
  for (const description of ruleDescriptions(template)) {
    expect(description).toMatch(RULE_CHARACTERS);
  }
});

test('a short path keeps today\'s exact descriptions (a changed group description would replace the group)', () => {
  const { stack, vpc } = stackWithVpc();
  new BackupDisasterRecovery(stack, 'Dr', { vpc, ownerEmail: 'dba@example.com', recoveryRegion: 'eu-central-1' });
  const template = Template.fromStack(stack);
  expect(groupDescriptions(template)).toEqual(expect.arrayContaining([
    'S/Dr/Database: the MySQL master and replica; ingress only from the clients granted access',
    'S/Dr/DatabaseDump: the dump task and its function; outbound to the replica, S3, Secrets Manager and ECR',
  ]));
  expect(ruleDescriptions(template)).toEqual(expect.arrayContaining(['S/Dr/DatabaseDump: the daily dump', 'the drift check of S/Dr/ConsistencyChecks']));
});

test('a description too long keeps the end of its path and the rest of the text, at exactly the limit', () => {
  const path = `S/${'Level'.repeat(60)}/End`;
  const description = fitPathDescription(`${path}: the text after it`, path, RULES.SECURITY_GROUP);
  expect(description).toHaveLength(LIMIT);
  expect(description.startsWith('...')).toBe(true);
  expect(description.endsWith('Level/End: the text after it')).toBe(true);
});

test('& is kept in a group description and replaced in a rule description', () => {
  expect(fitPathDescription('S/R&D: x', 'S/R&D', RULES.SECURITY_GROUP)).toBe('S/R&D: x');
  expect(fitPathDescription('S/R&D: x', 'S/R&D', RULES.SECURITY_GROUP_RULE)).toBe('S/R_D: x');
});
