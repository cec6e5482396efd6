/**
 * KMS allows a key description of 8,192 characters and Secrets Manager a secret description of
 * 2,048; aws-cdk-lib checks neither when it builds the resource (its template validation
 * refuses them at synth when @aws-cdk/core:validateAgainstDefaultRules is set, else the deploy
 * fails). The keys and secrets of this library name their construct's path: a deep path keeps
 * its end, and a description that fits stays byte for byte.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { BackupDisasterRecovery, ConsistencyChecks } from '../../lib';

const KEY_LIMIT = 8192;
const SECRET_LIMIT = 2048;
/** A construct id with characters outside ASCII and a dot, repeated past the longest limit. */
const ID_PART = 'Orders-Ä.';

function descriptions(template: Template, type: string): string[] {
  return Object.values(template.findResources(type))
    .map((resource) => resource.Properties.Description)
    .filter((description): description is string => typeof description === 'string');
}

describe('BackupDisasterRecovery under a construct id longer than a key description may be', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 1 });
  const scope = new Construct(stack, ID_PART.repeat(Math.ceil(KEY_LIMIT / ID_PART.length) + 10));
  const dr = new BackupDisasterRecovery(scope, 'Dr', { vpc, ownerEmail: 'dba@example.com', recoveryRegion: 'eu-central-1' });
  // On its own, ConsistencyChecks makes its own key as well as its connection secrets.
  new ConsistencyChecks(scope, 'Checks', { master: dr.database.master, replica: dr.database.replica, vpc, adminSecret: dr.database.credentials });
  new ConsistencyChecks(stack, 'ShortChecks', { master: dr.database.master, replica: dr.database.replica, vpc, adminSecret: dr.database.credentials });
  const template = Template.fromStack(stack);

  test.each([
    // The data key of BackupDisasterRecovery, the vaults' key and the checks' key.
    ['KMS key', 'AWS::KMS::Key', KEY_LIMIT, 3],
    // The checks' connections to the master and the replica, in BackupDisasterRecovery and on their own.
    ['secret', 'AWS::SecretsManager::Secret', SECRET_LIMIT, 4],
  ])('every %s description is within its limit and names the end of the path', (_what, type, limit, atLeast) => {
    const all = descriptions(template, type);
    const named = all.filter((description) => description.includes(ID_PART));
    expect(named.length).toBeGreaterThanOrEqual(atLeast);
    for (const description of all) {
      expect(description.length).toBeLessThanOrEqual(limit);
    }
    for (const description of named) {
      expect(description).toMatch(/\.\.\.[A-Za-zÄ.-]*\/(Dr|Checks)\b/);
    }
  });

  test('under a short path, key and secret descriptions are the texts as written', () => {
    expect(descriptions(template, 'AWS::KMS::Key')).toContain('Encrypts the reports, secrets, logs and notifications of S/ShortChecks');
    expect(descriptions(template, 'AWS::SecretsManager::Secret')).toEqual(expect.arrayContaining([
      'The consistency checker\'s connection to the master of S/ShortChecks: host, port and the checker user\'s credentials',
      'The consistency checker\'s connection to the replica of S/ShortChecks: host, port and the checker user\'s credentials',
    ]));
  });
});
