/**
 * Lambda allows a function description of 256 characters. The functions of this library name
 * construct paths in their descriptions; a deep path keeps its end and the description fits.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { BackupDisasterRecovery } from '../../lib';
import { HardenedFunction } from '../../lib/private/hardened-function';

/** Lambda's limit on a function's description. */
const LIMIT = 256;

function stackWithVpc(): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 1 });
  return { stack, vpc };
}

/** A scope whose path is longer than a whole description may be. */
function deepScope(stack: Stack): Construct {
  let scope: Construct = stack;
  for (let level = 1; level <= 8; level++) {
    scope = new Construct(scope, `ProductionOrdersPlatformRegionEuropeLevel${level}`);
  }
  expect(scope.node.path.length).toBeGreaterThan(LIMIT);
  return scope;
}

function descriptions(stack: Stack): string[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Description);
}

test('every function of BackupDisasterRecovery under a very long construct path has a description within the limit that names the end of the path', () => {
  const { stack, vpc } = stackWithVpc();
  const dr = new BackupDisasterRecovery(deepScope(stack), 'Dr', { vpc, ownerEmail: 'dba@example.com', recoveryRegion: 'eu-central-1' });

  const named = descriptions(stack).filter((description) => description.includes('Level8/Dr'));
  // The database's and the checks' paths are named by the dump, restore, drill and check functions.
  expect(named.length).toBeGreaterThanOrEqual(5);
  for (const description of descriptions(stack)) {
    expect(description.length).toBeLessThanOrEqual(LIMIT);
  }
  for (const description of named) {
    expect(description).toMatch(/\.\.\.[A-Za-z0-9/]*Level8\/Dr/);
  }
  expect(dr.node.path.length).toBeGreaterThan(LIMIT);
});

test('a description too long keeps the end of its path, the rest of the text whole, at exactly the limit', () => {
  const { stack, vpc } = stackWithVpc();
  const path = deepScope(stack).node.path;
  new HardenedFunction(stack, 'Fn', {
    code: 'self-test', description: `Checks ${path}: the rest of the text`, descriptionPath: path, vpc, encryptionKey: new kms.Key(stack, 'Key'),
  });
  const [description] = descriptions(stack);
  expect(description).toHaveLength(LIMIT);
  expect(description.startsWith('Checks ...')).toBe(true);
  expect(description.endsWith('Level8: the rest of the text')).toBe(true);
  expect(path.endsWith(description.slice('Checks ...'.length, -': the rest of the text'.length))).toBe(true);
});

test('a description within the limit is left as it is', () => {
  const { stack, vpc } = stackWithVpc();
  new HardenedFunction(stack, 'Fn', { code: 'self-test', description: 'Checks S/Db: the rest', descriptionPath: 'S/Db', vpc, encryptionKey: new kms.Key(stack, 'Key') });
  expect(descriptions(stack)).toEqual(['Checks S/Db: the rest']);
});

test('a description too long that names no path fails with the construct path and the length', () => {
  const { stack, vpc } = stackWithVpc();
  expect(() => new HardenedFunction(stack, 'Fn', { code: 'self-test', description: 'x'.repeat(300), vpc, encryptionKey: new kms.Key(stack, 'Key') }))
    .toThrow(/^S\/Fn: `description`: the function description is 300 characters, Lambda allows 256/);
});
