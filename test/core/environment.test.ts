import { EnvironmentSettings } from '../../core/environment';
import { settingsFromEnvironment as dumpSettings } from '../../lambda/restore-dump/settings';
import { settingsFromEnvironment as objectSettings } from '../../lambda/restore-objects/settings';
import { settingsFromEnvironment as volumeSettings } from '../../lambda/restore-volume/settings';

const settings = (env: NodeJS.ProcessEnv) => new EnvironmentSettings('some-function', env);

describe('EnvironmentSettings', () => {
  test('required: set and not empty, else an error naming the function and the variable', () => {
    expect(settings({ NAME: 'x' }).required('NAME')).toBe('x');
    expect(() => settings({}).required('NAME')).toThrow('some-function: environment variable NAME is not set');
    expect(() => settings({ NAME: '' }).required('NAME')).toThrow('some-function: environment variable NAME is not set');
  });

  test('optional: empty counts as unset', () => {
    expect(settings({ NAME: 'x' }).optional('NAME')).toBe('x');
    expect(settings({ NAME: '' }).optional('NAME')).toBeUndefined();
    expect(settings({}).optional('NAME')).toBeUndefined();
  });

  test('list: trimmed entries without empty ones; unset is empty unless required', () => {
    expect(settings({ LIST: ' a, b,,' }).list('LIST')).toEqual(['a', 'b']);
    expect(settings({}).list('LIST')).toEqual([]);
    expect(() => settings({}).list('LIST', { required: true })).toThrow('some-function: environment variable LIST is not set');
  });

  test('number: whole and at least the minimum unless told otherwise; the fallback only when unset or empty', () => {
    const rule = { unit: 'minutes', min: 1 };
    expect(settings({ N: '90' }).number('N', rule)).toBe(90);
    expect(settings({}).number('N', rule, 720)).toBe(720);
    expect(settings({ N: '' }).number('N', rule, 720)).toBe(720);
    expect(settings({ N: '1.5' }).number('N', { ...rule, fractional: true })).toBe(1.5);
    expect(() => settings({}).number('N', rule)).toThrow('some-function: environment variable N is not set');
    for (const bad of ['ten', '1.5', '0', '-3', 'Infinity']) {
      expect(() => settings({ N: bad }).number('N', rule, 720)).toThrow(`some-function: N must be a whole number of minutes of at least 1, got '${bad}'`);
    }
    expect(() => settings({ N: 'x' }).number('N', { ...rule, fractional: true })).toThrow("some-function: N must be a number of minutes of at least 1, got 'x'");
  });
});

describe('the restore workflows\' settings', () => {
  test('a malformed number is refused, naming it, instead of becoming NaN', () => {
    const dump = {
      DAILY_BUCKET: 'dumps', IDENTIFIER_PREFIX: 'restored-', ENGINE: 'mysql', ENGINE_VERSION: '8.4.10', INSTANCE_CLASS: 'db.r7g.large',
      ALLOCATED_STORAGE: '100', SUBNET_GROUP: 'subnets', SECURITY_GROUP_IDS: 'sg-1', KMS_KEY_ID: 'key', BACKUP_RETENTION_DAYS: '7', AVAILABLE_WITHIN_MINUTES: '60',
      WORKFLOW_ID: 'c8dump0000000000000000000000000000000001',
    };
    expect(dumpSettings(dump)).toMatchObject({ allocatedStorage: 100, backupRetentionDays: 7, availableWithinMinutes: 60, securityGroupIds: ['sg-1'], archiveBucket: undefined, workflowId: 'c8dump0000000000000000000000000000000001' });
    expect(() => dumpSettings({ ...dump, WORKFLOW_ID: '' })).toThrow('restore-dump: environment variable WORKFLOW_ID is not set');
    expect(() => dumpSettings({ ...dump, ALLOCATED_STORAGE: 'lots' })).toThrow("restore-dump: ALLOCATED_STORAGE must be a whole number of GiB of at least 20, got 'lots'");
    expect(() => dumpSettings({ ...dump, SECURITY_GROUP_IDS: '' })).toThrow('restore-dump: environment variable SECURITY_GROUP_IDS is not set');
    const volume = { KMS_KEY_ID: 'key', WORKFLOW_ID: 'Stack/VolumeRestore', READY_WITHIN_MINUTES: '120' };
    expect(volumeSettings(volume)).toEqual({ allowedZones: [], kmsKeyId: 'key', workflowId: 'Stack/VolumeRestore', readyWithinMinutes: 120 });
    expect(() => volumeSettings({ ...volume, READY_WITHIN_MINUTES: 'soon' })).toThrow("restore-volume: READY_WITHIN_MINUTES must be a whole number of minutes of at least 1, got 'soon'");
    const objects = { SOURCE_BUCKETS: 'data', TARGET_BUCKETS: 'data,scratch' };
    expect(objectSettings(objects)).toEqual({ sourceBuckets: ['data'], targetBuckets: ['data', 'scratch'], archiveReadyWithinMinutes: 4320 });
    expect(() => objectSettings({ ...objects, ARCHIVE_READY_WITHIN_MINUTES: 'a day' })).toThrow("restore-objects: ARCHIVE_READY_WITHIN_MINUTES must be a whole number of minutes of at least 1, got 'a day'");
  });
});
