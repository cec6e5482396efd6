/**
 * CloudWatch allows an alarm description of 1,024 characters, IAM a role's or a managed policy's
 * description of 1,000, EventBridge Scheduler a schedule's description of 512 and SNS a topic's
 * display name of 100. The descriptions of this library name construct paths; a deep path keeps
 * its end and the description fits.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { BackupDisasterRecovery, ConsistencyChecks } from '../../lib';
import * as RULES from '../../lib/private/description-rules';
import { DescriptionRules, fitPathDescription, fitPathsDescription } from '../../lib/private/path-description';

const ALARM_LIMIT = 1024;
const ROLE_LIMIT = 1000;
const MANAGED_POLICY_LIMIT = 1000;
const SCHEDULE_LIMIT = 512;
const TOPIC_DISPLAY_NAME_LIMIT = 100;

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
  const scope = deepScope(stack);
  const dr = new BackupDisasterRecovery(scope, 'Dr', { vpc, ownerEmail: 'dba@example.com', recoveryRegion: 'eu-central-1' });
  // On its own, ConsistencyChecks makes its own topic, whose display name names its path.
  new ConsistencyChecks(scope, 'DrChecks', { master: dr.database.master, replica: dr.database.replica, vpc, adminSecret: dr.database.credentials });
  // And one at the stack's top, whose descriptions fit and stay as they were.
  new ConsistencyChecks(stack, 'Checks', { master: dr.database.master, replica: dr.database.replica, vpc, adminSecret: dr.database.credentials });

  test.each([
    // The database's, the checks', the dump's and the restore drills' alarms.
    ['alarm description', 'AWS::CloudWatch::Alarm', 'AlarmDescription', ALARM_LIMIT, 10],
    ['IAM role description', 'AWS::IAM::Role', 'Description', ROLE_LIMIT, 5],
    ['managed policy description', 'AWS::IAM::ManagedPolicy', 'Description', MANAGED_POLICY_LIMIT, 10],
    ['EventBridge Scheduler schedule description', 'AWS::Scheduler::Schedule', 'Description', SCHEDULE_LIMIT, 4],
    ['SNS topic display name', 'AWS::SNS::Topic', 'DisplayName', TOPIC_DISPLAY_NAME_LIMIT, 1],
  ])('every %s is within its limit and names the end of the path', (_what, type, property, limit, atLeast) => {
    const all = descriptions(stack, type, property);
    const named = all.filter((description) => description.includes('Level26/Dr'));
    expect(named.length).toBeGreaterThanOrEqual(atLeast);
    for (const description of all) {
      expect(description.length).toBeLessThanOrEqual(limit);
    }
    for (const description of named) {
      expect(description).toMatch(/\.\.\.[A-Za-z0-9/]*Level26\/Dr/);
    }
  });

  test('under a short path, the descriptions are the texts as written, byte for byte', () => {
    expect(descriptions(stack, 'AWS::SNS::Topic', 'DisplayName')).toContain('cdk-backup-dr consistency checks of S/Checks');
    expect(descriptions(stack, 'AWS::Scheduler::Schedule', 'Description')).toEqual(expect.arrayContaining(['Drift check of S/Checks', 'Backup freshness check of S/Checks']));
    expect(descriptions(stack, 'AWS::IAM::ManagedPolicy', 'Description')).toEqual(expect.arrayContaining([
      'What the drift check of S/Checks writes: its reports',
      'What the backup freshness check of S/Checks lists, reads and writes',
    ]));
  });
});

describe('fitting a description to its service\'s rules', () => {
  const path = `S/${'Deep'.repeat(300)}/Db`;
  const cases: Array<[string, DescriptionRules, number, (p: string) => string, RegExp]> = [
    ['alarm', RULES.ALARM, ALARM_LIMIT, (p) => `${p}: the replica lags`, /^\.\.\.[Dep]+\/Db: the replica lags$/],
    ['role', RULES.ROLE, ROLE_LIMIT, (p) => `AWS Backup takes the backups of ${p}`, /^AWS Backup takes the backups of \.\.\.[Dep]+\/Db$/],
    ['managed policy', RULES.MANAGED_POLICY, MANAGED_POLICY_LIMIT, (p) => `${p}: upload the dump`, /^\.\.\.[Dep]+\/Db: upload the dump$/],
    ['schedule', RULES.SCHEDULE, SCHEDULE_LIMIT, (p) => `Drift check of ${p} every day`, /^Drift check of \.\.\.[Dep]+\/Db every day$/],
    ['topic display name', RULES.TOPIC_DISPLAY_NAME, TOPIC_DISPLAY_NAME_LIMIT, (p) => `cdk-backup-dr consistency checks of ${p}`, /^cdk-backup-dr consistency checks of \.\.\.[Dep]+\/Db$/],
  ];

  test.each(cases)('a %s description that fits is left byte for byte as it is', (_what, rules, _limit, text) => {
    expect(fitPathDescription(text('S/Db'), 'S/Db', rules)).toBe(text('S/Db'));
  });

  test.each(cases)('a %s description too long keeps the end of its path and the rest of the text, at exactly the limit', (_what, rules, limit, text, shortened) => {
    const fitted = fitPathDescription(text(path), path, rules);
    expect(fitted).toHaveLength(limit);
    expect(fitted).toMatch(shortened);
  });

  test('an alarm description naming two paths too long keeps the end of each', () => {
    const other = `S/${'Far'.repeat(300)}/Check`;
    const alarm = fitPathsDescription(`No drill of ${path} succeeded: see the log group of ${other}`, [path, other], RULES.ALARM);
    expect(alarm.length).toBeLessThanOrEqual(ALARM_LIMIT);
    expect(alarm).toMatch(/^No drill of \.\.\.[Dep]{300,}\/Db succeeded: see the log group of \.\.\.[Far]{300,}\/Check$/);
  });

  // Before: the database's path, a prefix of the check's (drills placed under the database), was cut inside the check's path, which was then not found: the synth failed.
  test('an alarm description naming a path and a path under it keeps the end of each', () => {
    const under = `${path}/Drills/DrillAgeCheck`;
    const alarm = fitPathsDescription(`No drill of ${path} succeeded: see the log group of ${under}`, [path, under], RULES.ALARM);
    expect(alarm.length).toBeLessThanOrEqual(ALARM_LIMIT);
    expect(alarm).toMatch(/^No drill of \.\.\.[Dep]{300,}\/Db succeeded: see the log group of \.\.\.[Dep]{300,}\/Db\/Drills\/DrillAgeCheck$/);
  });

  // Before: the cut was measured on the path as given, longer than the path with its emoji made '_' (one for two UTF-16 units): the fit failed.
  test('a path whose characters the service refuses is cut by its length as written to the description', () => {
    const emoji = `S/${'\u{1F600}'.repeat(101)}/Db`;
    const other = `S/${'Far'.repeat(33)}/Check`;
    const role = fitPathsDescription(`Drills of ${emoji} and ${other}: ${'x'.repeat(950)}`, [emoji, other], RULES.ROLE);
    expect(role.length).toBeLessThanOrEqual(ROLE_LIMIT);
    expect(role).toMatch(/^Drills of \.\.\._+\/Db and \.\.\.[Far]+\/Check: x{950}$/);
  });
});
