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
    expect(text).toBe('vault policy denies deleting recovery points only for some principals or under conditions: {"NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"}}');
  });
});
