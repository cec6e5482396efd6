/**
 * The verification function reads the restored copy and the live source (its newest row at
 * the start measures the data lost): its description says so, and it reaches the source's
 * port and reads the credentials it logs in to both with.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { DatabaseRestore } from '../../lib/restore/database-restore';
import { restoreFixture } from './db-fixture';

/** Lambda's limit on a function's description. */
const DESCRIPTION_LIMIT = 256;

const WHAT = ": CHECK TABLE, schema against the live source, newest row against the source's newest row at the start (data lost)";

interface FunctionProperties {
  readonly Description: string;
  readonly Role: { 'Fn::GetAtt': [string, string] };
  readonly VpcConfig: { SecurityGroupIds: unknown[] };
}

/** The logical id and properties of the verification function. */
function verifyFunction(template: Template): { id: string; properties: FunctionProperties } {
  const functions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('RestoreVerify'));
  expect(functions).toHaveLength(1);
  return { id: functions[0][0], properties: functions[0][1].Properties };
}

test('its description names the reads of the live source, not only the checks of the copy', () => {
  const { properties } = verifyFunction(Template.fromStack(restoreFixture().stack));
  expect(properties.Description).toBe(`Verifies restored copies of Stack/Db${WHAT}`);
});

test('a source path too long for the description keeps its end, within Lambda\'s limit', () => {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  let scope: Construct = stack;
  // Short enough for the steps function's description (the path and 68 characters), too long for this one's.
  for (let level = 1; level <= 4; level++) {
    scope = new Construct(scope, `ProductionOrdersPlatformLevel${level}`);
  }
  const database = new rds.DatabaseInstance(scope, 'OrdersDatabase', { engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0_42 }), vpc, storageEncrypted: true });
  new DatabaseRestore(stack, 'Restore', { database, credentials: database.secret!, vpc, encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
  expect(database.node.path.length).toBeGreaterThan(DESCRIPTION_LIMIT - WHAT.length);

  const description = verifyFunction(Template.fromStack(stack)).properties.Description;
  expect(description.length).toBe(DESCRIPTION_LIMIT);
  expect(description).toMatch(/^Verifies restored copies of \.\.\.[A-Za-z0-9/]+\/ProductionOrdersPlatformLevel4\/OrdersDatabase: CHECK TABLE/);
  expect(description.endsWith(WHAT)).toBe(true);
});

test('its security group is admitted to the source\'s port by the source\'s security group (the copies get the same groups)', () => {
  const template = Template.fromStack(restoreFixture().stack);
  const { properties } = verifyFunction(template);
  const verifyGroups = properties.VpcConfig.SecurityGroupIds;
  expect(verifyGroups).toHaveLength(1);
  const sourcePort = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Db[0-9A-F]{8}$'), 'Endpoint.Port'] };
  template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    Description: 'Restore verification',
    IpProtocol: 'tcp',
    GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbSecurityGroup'), 'GroupId'] },
    SourceSecurityGroupId: verifyGroups[0],
    FromPort: sourcePort,
    ToPort: sourcePort,
  });
});

test('its role reads the source\'s credentials (the copy has the same users)', () => {
  const template = Template.fromStack(restoreFixture().stack);
  const { properties } = verifyFunction(template);
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: properties.Role['Fn::GetAtt'][0] }],
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Effect: 'Allow', Action: Match.arrayWith(['secretsmanager:GetSecretValue']), Resource: { Ref: Match.stringLikeRegexp('^DbSecretAttachment') },
    })]) },
  });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ CREDENTIALS_SECRET_ARN: { Ref: Match.stringLikeRegexp('^DbSecretAttachment') } }) },
  });
});
