import { vaultPolicyLock } from '../../../core/report/vault-policy';

const deny = (extra: object): object => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Resource: '*', ...extra }] });

describe('vaultPolicyLock', () => {
  test('a Deny for everyone of the action, or of a wildcard that covers it, is a lock', () => {
    for (const action of ['backup:DeleteRecoveryPoint', ['backup:UpdateRecoveryPointLifecycle', 'backup:deleterecoverypoint'], 'backup:*', 'backup:Delete*', '*']) {
      expect(vaultPolicyLock(deny({ Action: action }))).toBe('vault policy denies deleting recovery points');
    }
  });

  test('a Deny of other actions only is no lock; NotAction counts unless it names the action', () => {
    expect(vaultPolicyLock(deny({ Action: 'backup:DeleteBackupVault*' }))).toBeUndefined();
    expect(vaultPolicyLock(deny({ Action: 'backup:Describe*' }))).toBeUndefined();
    expect(vaultPolicyLock(deny({ NotAction: 'backup:Describe*' }))).toBe('vault policy denies deleting recovery points');
    expect(vaultPolicyLock(deny({ NotAction: 'backup:Delete*' }))).toBeUndefined();
  });

  test('a policy given as JSON text is read; one built at deployment is not known', () => {
    expect(vaultPolicyLock(JSON.stringify(deny({ Action: 'backup:DeleteRecoveryPoint' })))).toBe('vault policy denies deleting recovery points');
    expect(vaultPolicyLock({ 'Fn::Join': ['', ['{"Statement":', '[]}']] })).toMatch(/^vault policy not readable at synth/);
    expect(vaultPolicyLock(undefined)).toBeUndefined();
  });

  test('a Deny that leaves principals out is named with what it leaves out', () => {
    const text = vaultPolicyLock({ Statement: { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'backup:DeleteRecoveryPoint', Resource: '*' } });
    expect(text).toBe('vault policy denies deleting recovery points only for some principals or recovery points, or under conditions: {"NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"}}');
  });
});

describe('vaultPolicyLock reads the recovery points a Deny covers', () => {
  const NARROW = 'vault policy denies deleting recovery points only for some principals or recovery points, or under conditions: ';
  const forEveryone = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'backup:DeleteRecoveryPoint' };

  test('a Deny of every recovery point (Resource "*", alone or in a list) is a lock', () => {
    expect(vaultPolicyLock({ Statement: [{ ...forEveryone, Resource: '*' }] })).toBe('vault policy denies deleting recovery points');
    expect(vaultPolicyLock({ Statement: [{ ...forEveryone, Resource: ['arn:aws:backup:eu-west-1:111111111111:recovery-point:one', '*'] }] }))
      .toBe('vault policy denies deleting recovery points');
  });

  test('a Deny limited to some recovery points is no plain lock: it is named with the recovery points it covers', () => {
    const arn = 'arn:aws:backup:eu-west-1:111111111111:recovery-point:one';
    expect(vaultPolicyLock({ Statement: [{ ...forEveryone, Resource: arn }] })).toBe(`${NARROW}{"Principal":{"AWS":"*"},"Resource":"${arn}"}`);
  });

  test('a Deny of every recovery point but some (NotResource), or without a Resource, is no plain lock', () => {
    const arn = 'arn:aws:backup:eu-west-1:111111111111:recovery-point:kept';
    expect(vaultPolicyLock({ Statement: [{ ...forEveryone, NotResource: arn }] })).toBe(`${NARROW}{"Principal":{"AWS":"*"},"NotResource":"${arn}"}`);
    expect(vaultPolicyLock({ Statement: [{ ...forEveryone }] })).toBe(`${NARROW}{"Principal":{"AWS":"*"},"Resource":"none given"}`);
  });

  test('a Resource given by a token is not known to cover every recovery point, and is said without its JSON', () => {
    const text = vaultPolicyLock({ Statement: [{ ...forEveryone, Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:backup:${AWS::Region}:${AWS::AccountId}:recovery-point:*' } }] });
    expect(text).toMatch(new RegExp(`^${NARROW.replace(/[()]/g, '\\$&')}`));
    expect(text).not.toContain('"Fn::Sub"');
  });

  test('a narrow Deny beside a full one leaves the full lock', () => {
    expect(vaultPolicyLock({ Statement: [{ ...forEveryone, Resource: 'arn:aws:backup:eu-west-1:111111111111:recovery-point:one' }, { ...forEveryone, Resource: '*' }] }))
      .toBe('vault policy denies deleting recovery points');
  });
});
