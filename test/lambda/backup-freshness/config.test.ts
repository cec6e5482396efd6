import { parseConfig, readOutputs } from '../../../lambda/backup-freshness/config';

const base = { resourceName: 'db', metricNamespace: 'Ns', reportBucket: 'reports', reportPrefix: 'checks/' };
const rds = { kind: 'rds-snapshot', tier: 'daily', resource: 'db', intervalHours: 24, graceHours: 2, dbInstanceIdentifier: 'db' };

test('a valid configuration parses with defaults filled in', () => {
  const config = parseConfig(JSON.stringify({ ...base, checks: [rds, { kind: 'ebs-snapshot', tier: 'hourly', resource: 'vol', intervalHours: 1, graceHours: 0.5, tagKey: 'backup' }] }));
  expect(config.checks[0]).toEqual({ ...rds, snapshotType: 'any', region: undefined });
  expect(config.checks[1]).toMatchObject({ kind: 'ebs-snapshot', tagKey: 'backup', volumeId: undefined });
  expect(config.reportPrefix).toBe('checks/');
  expect(config.verificationPrefix).toBeUndefined();
  expect(parseConfig(JSON.stringify({ ...base, verificationPrefix: 'checks/dump-verifications/', checks: [] })).verificationPrefix).toBe('checks/dump-verifications/');
});

test.each([
  [undefined, 'FRESHNESS_CONFIG: the environment variable is not set'],
  ['{', 'FRESHNESS_CONFIG: not JSON'],
  ['[]', 'FRESHNESS_CONFIG: expected an object, got []'],
  [JSON.stringify({ ...base, checks: {} }), 'FRESHNESS_CONFIG.checks: expected an array, got {}'],
  [JSON.stringify({ ...base, reportPrefix: 'no-slash', checks: [] }), 'FRESHNESS_CONFIG.reportPrefix: expected \'\' or a prefix ending in \'/\''],
  [JSON.stringify({ ...base, checks: [{ ...rds, kind: 'tape' }] }), 'FRESHNESS_CONFIG.checks[0].kind: expected one of rds-snapshot, recovery-point, ebs-snapshot, daily-dump, yearly-archive, got "tape"'],
  [JSON.stringify({ ...base, checks: [{ ...rds, intervalHours: -1 }] }), 'FRESHNESS_CONFIG.checks[0].intervalHours: expected a number of hours from 0.01 to 8784 (366 days), got -1'],
  [JSON.stringify({ ...base, checks: [{ ...rds, kind: 'daily-dump', bucket: 'dumps', graceHours: 1e9 }] }), 'FRESHNESS_CONFIG.checks[0].graceHours: expected a number of hours from 0 to 8784 (366 days), got 1000000000'],
  [JSON.stringify({ ...base, checks: [{ ...rds, tier: '' }] }), 'FRESHNESS_CONFIG.checks[0].tier: expected a non-empty string, got ""'],
  [JSON.stringify({ ...base, checks: [{ ...rds, snapshotType: 'shared' }] }), 'FRESHNESS_CONFIG.checks[0].snapshotType: expected one of automated, manual, awsbackup, any, got "shared"'],
  [JSON.stringify({ ...base, checks: [{ ...rds, kind: 'ebs-snapshot' }] }), 'FRESHNESS_CONFIG.checks[0]: expected exactly one of volumeId and tagKey, got neither'],
  [JSON.stringify({ ...base, checks: [{ ...rds, kind: 'ebs-snapshot', tagKey: 'backup', alsoTagKey: 'policy' }] }), 'FRESHNESS_CONFIG.checks[0]: alsoTagKey and alsoTagValue go together, got only alsoTagKey'],
  [JSON.stringify({ ...base, checks: [{ ...rds, kind: 'daily-dump' }] }), 'FRESHNESS_CONFIG.checks[0].bucket: expected a non-empty string, got nothing'],
  [JSON.stringify({ ...base, checks: [rds, rds] }), 'FRESHNESS_CONFIG.checks[1]: the check rds-snapshot db daily is listed twice'],
  [JSON.stringify({ ...base, reportBucket: 5, checks: [] }), 'FRESHNESS_CONFIG.reportBucket: expected a non-empty string, got 5'],
  [JSON.stringify({ ...base, verificationPrefix: 'no-slash', checks: [] }), 'FRESHNESS_CONFIG.verificationPrefix: expected a prefix ending in \'/\' (not starting with one), got "no-slash"'],
  [JSON.stringify({ ...base, verificationPrefix: '', checks: [] }), 'FRESHNESS_CONFIG.verificationPrefix: expected a prefix ending in \'/\' (not starting with one), got ""'],
])('configuration %s is rejected', (raw, message) => {
  expect(() => parseConfig(raw)).toThrow(message);
});

test('the outputs of an invalid configuration are read one by one, each left out when it is not valid', () => {
  expect(readOutputs(JSON.stringify({ ...base, checks: 'all' }))).toEqual(base);
  expect(readOutputs(JSON.stringify({ resourceName: 'db', metricNamespace: '', reportBucket: 5, reportPrefix: '/abs/' }))).toEqual({
    resourceName: 'db', metricNamespace: undefined, reportBucket: undefined, reportPrefix: undefined,
  });
  expect(readOutputs(JSON.stringify({ reportBucket: 'reports' }))).toMatchObject({ reportBucket: 'reports', reportPrefix: '' });
  expect(readOutputs('{')).toEqual({});
  expect(readOutputs('[]')).toEqual({});
  expect(readOutputs(undefined)).toEqual({});
});

// The whole configuration is one environment variable, which Lambda limits to 4 KB: a check's
// `resource` is written only when it is not the one its other fields name.
test.each([
  ['rds-snapshot: the instance', { kind: 'rds-snapshot', dbInstanceIdentifier: 'orders' }, 'orders'],
  ['recovery-point: the last part of the ARN', { kind: 'recovery-point', resourceArn: 'arn:aws:rds:eu-west-1:111111111111:db:orders' }, 'orders'],
  ['ebs-snapshot: the volume', { kind: 'ebs-snapshot', volumeId: 'vol-0abc' }, 'vol-0abc'],
  ['ebs-snapshot: the tag and its value', { kind: 'ebs-snapshot', tagKey: 'backup', tagValue: 'a=b', alsoTagKey: 'policy', alsoTagValue: 'p' }, 'tag:backup=a=b'],
  ['ebs-snapshot: the tag, any value', { kind: 'ebs-snapshot', tagKey: 'backup' }, 'tag:backup'],
  ['daily-dump: the bucket', { kind: 'daily-dump', bucket: 'dumps' }, 'dumps'],
  ['yearly-archive: the bucket', { kind: 'yearly-archive', bucket: 'archive' }, 'archive'],
])('a check without resource names the resource of its other fields: %s', (_name, check, resource) => {
  const config = parseConfig(JSON.stringify({ ...base, checks: [{ tier: 'daily', intervalHours: 24, graceHours: 2, ...check }] }));
  expect(config.checks[0].resource).toBe(resource);
  const named = parseConfig(JSON.stringify({ ...base, checks: [{ tier: 'daily', intervalHours: 24, graceHours: 2, resource: 'label', ...check }] }));
  expect(named.checks[0].resource).toBe('label');
});

test('a recovery point check without resource whose ARN ends in a colon is rejected', () => {
  expect(() => parseConfig(JSON.stringify({ ...base, checks: [{ kind: 'recovery-point', tier: 'daily', intervalHours: 24, graceHours: 2, resourceArn: 'arn:aws:rds:eu-west-1:111111111111:db:' }] })))
    .toThrow('FRESHNESS_CONFIG.checks[0].resource: expected a non-empty string (or a resourceArn whose last part after \':\' names the resource), got nothing');
});

test('a recovery point check may name the account of its vault, as 12 digits and only with the vault', () => {
  const point = { kind: 'recovery-point', tier: 'daily', intervalHours: 24, graceHours: 2, resourceArn: 'arn:aws:rds:eu-west-1:111111111111:db:orders', backupVaultName: 'dr-vault' };
  expect(parseConfig(JSON.stringify({ ...base, checks: [{ ...point, backupVaultAccountId: '222222222222' }] })).checks[0]).toMatchObject({ backupVaultName: 'dr-vault', backupVaultAccountId: '222222222222' });
  expect(parseConfig(JSON.stringify({ ...base, checks: [point] })).checks[0]).toMatchObject({ backupVaultAccountId: undefined });
  expect(() => parseConfig(JSON.stringify({ ...base, checks: [{ ...point, backupVaultAccountId: '2222-2222-2222' }] })))
    .toThrow('FRESHNESS_CONFIG.checks[0].backupVaultAccountId: expected a 12-digit AWS account ID, got "2222-2222-2222"');
  expect(() => parseConfig(JSON.stringify({ ...base, checks: [{ ...point, backupVaultName: undefined, backupVaultAccountId: '222222222222' }] })))
    .toThrow('FRESHNESS_CONFIG.checks[0].backupVaultAccountId: expected only with backupVaultName (the account of that vault), got "222222222222" without it');
});
