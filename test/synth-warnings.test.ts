/**
 * The warning ids are public in every jsii language (`SynthWarnings`), not only as
 * TypeScript module constants, and every warning the library gives uses one of them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations as Annotate, App, Aspects, CfnParameter, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { BackupBuckets, BackupCoverage, COVERAGE_NOT_KNOWN_WARNING, SynthWarnings } from '../lib';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const LIB = join(__dirname, '..', 'lib');

/** The constant ids of `SynthWarnings`, by member name. */
function constantIds(): Record<string, string> {
  return Object.fromEntries(Object.entries(SynthWarnings).filter(([, value]) => typeof value === 'string'));
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

test('every id is cdk-backup-dr:<name>, each once', () => {
  const ids = Object.values(constantIds());
  expect(ids.length).toBeGreaterThanOrEqual(9);
  for (const id of ids) {
    expect(id).toMatch(/^cdk-backup-dr:[a-z][A-Za-z]+$/);
  }
  expect(new Set(ids).size).toBe(ids.length);
  expect(SynthWarnings.ebsArchive('Hourly')).toBe('cdk-backup-dr:ebsArchiveHourly');
});

// Before: the ids were string literals at each warning (and COVERAGE_NOT_KNOWN_WARNING a module constant that jsii users cannot import).
test('every warning of lib/ takes its id from SynthWarnings', () => {
  const literalIds = sourceFiles(LIB)
    .flatMap((file) => (readFileSync(file, 'utf8').match(/addWarningV2\(\s*[^,]*/g) ?? []).map((call) => `${file.slice(LIB.length + 1)}: ${call}`))
    .filter((call) => !/addWarningV2\(\s*(SynthWarnings\.[A-Za-z_]+|SynthWarnings\.ebsArchive\(tier\.name\)|COVERAGE_NOT_KNOWN_WARNING|UNCHECKED_TOKEN_WARNING)$/.test(call.split(': ').slice(1).join(': ')));
  expect(literalIds).toEqual([]);
  expect(COVERAGE_NOT_KNOWN_WARNING).toBe(SynthWarnings.COVERAGE_NOT_KNOWN);
});

// addWarning (not V2) gives a warning no id acknowledges: lib/ has none, and a new one fails here.
test('no warning of lib/ is given by addWarning, which cannot be acknowledged', () => {
  const unacknowledgeable = sourceFiles(LIB)
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').map((line, i) => ({ file, line, i })))
    .filter(({ line }) => /\baddWarning\s*\(/.test(line))
    .map(({ file, line, i }) => `${file.slice(LIB.length + 1)}:${i + 1}: ${line.trim()}`);
  expect(unacknowledgeable).toEqual([]);
});

test('a warning acknowledged by its SynthWarnings id is no longer reported', () => {
  const coverageWarnings = (acknowledge: boolean) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    Aspects.of(stack).add(new BackupCoverage({ owner: 'dba@example.com' }));
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } });
    Tags.of(table).add('backup', new CfnParameter(stack, 'Tier').valueAsString);
    const plan = new backup.BackupPlan(stack, 'Plan', { backupPlanRules: [backup.BackupPlanRule.daily()] });
    plan.addSelection('Selection', { resources: [backup.BackupResource.fromTag('backup', 'daily')] });
    if (acknowledge) {
      Annotate.of(stack).acknowledgeWarning(SynthWarnings.COVERAGE_NOT_KNOWN, 'the tier parameter is checked at deploy');
    }
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('not known at synth'));
  };
  expect(coverageWarnings(false)).toHaveLength(1);
  expect(coverageWarnings(true)).toEqual([]);

  const bucketWarnings = (acknowledge: boolean) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new BackupBuckets(stack, 'Buckets');
    if (acknowledge) {
      Annotate.of(stack).acknowledgeWarning(SynthWarnings.BUCKETS_NOT_REPLICATED, 'a single-region test stack');
    }
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no off-site copy'));
  };
  expect(bucketWarnings(false)).toHaveLength(1);
  expect(bucketWarnings(true)).toEqual([]);
});
