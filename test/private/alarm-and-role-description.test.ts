/**
 * CloudWatch allows an alarm description of 1,024 characters and IAM a role description of
 * 1,000. The alarms and roles of this library name construct paths in their descriptions; a deep
 * path keeps its end and the description fits.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { BackupDisasterRecovery } from '../../lib';
import { fitAlarmDescription } from '../../lib/private/alarm-description';
import { fitRoleDescription } from '../../lib/private/role-description';

const ALARM_LIMIT = 1024;
const ROLE_LIMIT = 1000;

/** A scope whose path is longer than a whole alarm description may be. */
function deepScope(stack: Stack): Construct {
  let scope: Construct = stack;
  for (let level = 1; level <= 26; level++) {
    scope = new Construct(scope, `ProductionOrdersPlatformRegionEuropeLevel${level}`);
  }
  expect(scope.node.path.length).toBeGreaterThan(ALARM_LIMIT);
  return scope;
}

function descriptions(stack: Stack, type: string, property: string): string[] {
  return Object.values(Template.fromStack(stack).findResources(type))
    .map((resource) => resource.Properties[property])
    .filter((description): description is string => typeof description === 'string');
}

describe('BackupDisasterRecovery under a construct path longer than an alarm description may be', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 1 });
  new BackupDisasterRecovery(deepScope(stack), 'Dr', { vpc, ownerEmail: 'dba@example.com', recoveryRegion: 'eu-central-1' });

  test('every alarm description is within CloudWatch\'s limit and names the end of the path', () => {
    const alarms = descriptions(stack, 'AWS::CloudWatch::Alarm', 'AlarmDescription');
    const named = alarms.filter((description) => description.includes('Level26/Dr'));
    // The database's, the checks', the dump's and the restore drills' alarms.
    expect(named.length).toBeGreaterThanOrEqual(10);
    for (const description of alarms) {
      expect(description.length).toBeLessThanOrEqual(ALARM_LIMIT);
    }
    for (const description of named) {
      expect(description).toMatch(/\.\.\.[A-Za-z0-9/]*Level26\/Dr/);
    }
  });

  test('every role description is within IAM\'s limit and names the end of the path', () => {
    const roles = descriptions(stack, 'AWS::IAM::Role', 'Description');
    const named = roles.filter((description) => description.includes('Level26/Dr'));
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const description of roles) {
      expect(description.length).toBeLessThanOrEqual(ROLE_LIMIT);
    }
    for (const description of named) {
      expect(description).toMatch(/\.\.\.[A-Za-z0-9/]*Level26\/Dr/);
    }
  });
});

describe('fitAlarmDescription and fitRoleDescription', () => {
  const path = `S/${'Deep'.repeat(300)}/Db`;

  test('a description that fits is left byte for byte as it is', () => {
    expect(fitAlarmDescription('S/Db: the replica lags the master by more than 5 minutes', 'S/Db')).toBe('S/Db: the replica lags the master by more than 5 minutes');
    expect(fitRoleDescription('AWS Backup takes the backups of S/Db', 'S/Db')).toBe('AWS Backup takes the backups of S/Db');
  });

  test('a description too long keeps the end of its path and the rest of the text, at exactly the limit', () => {
    const alarm = fitAlarmDescription(`${path}: the replica lags`, path);
    expect(alarm).toHaveLength(ALARM_LIMIT);
    expect(alarm).toMatch(/^\.\.\.[Dep]+\/Db: the replica lags$/);
    const role = fitRoleDescription(`AWS Backup takes the backups of ${path}`, path);
    expect(role).toHaveLength(ROLE_LIMIT);
    expect(role).toMatch(/^AWS Backup takes the backups of \.\.\.[Dep]+\/Db$/);
  });

  test('an alarm description naming two paths too long keeps the end of each', () => {
    const other = `S/${'Far'.repeat(300)}/Check`;
    const alarm = fitAlarmDescription(`No drill of ${path} succeeded: see the log group of ${other}`, path, other);
    expect(alarm.length).toBeLessThanOrEqual(ALARM_LIMIT);
    expect(alarm).toMatch(/^No drill of \.\.\.[Dep]{300,}\/Db succeeded: see the log group of \.\.\.[Far]{300,}\/Check$/);
  });
});
