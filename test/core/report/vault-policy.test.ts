import { vaultPolicyLock } from '../../../core/report/vault-policy';

const deny = (extra: object): object => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Resource: '*', ...extra }] });

describe('vaultPolicyLock', () => {
  test('a Deny for everyone that names the action is a lock', () => {
    for (const action of ['backup:DeleteRecoveryPoint', ['backup:UpdateRecoveryPointLifecycle', 'backup:deleterecoverypoint'], ['backup:Delete*', 'backup:DeleteRecoveryPoint']]) {
      expect(vaultPolicyLock(deny({ Action: action }))).toBe('vault policy denies deleting recovery points');
    }
  });

  // AWS Backup Developer Guide, "Vault access policies": unlike other IAM policies, they do not support a wildcard in Action.
  test('a Deny that reaches the action only through a wildcard is said, and not counted as a lock', () => {
    for (const action of ['backup:*', 'backup:Delete*', '*', ['backup:DeleteBackupVault', 'backup:Delete?ecoveryPoint']]) {
      const text = vaultPolicyLock(deny({ Action: action }));
      expect(text).not.toBe('vault policy denies deleting recovery points');
      expect(text).toMatch(/^vault policy names the delete action only through a wildcard \(.+\), which AWS Backup vault access policies do not support in Action: not counted as a lock$/);
    }
    expect(vaultPolicyLock(deny({ NotAction: 'backup:Describe*' }))).toBe(
      'vault policy names the delete action only through a wildcard (NotAction backup:Describe*), which AWS Backup vault access policies do not support in Action: not counted as a lock');
    const beside = vaultPolicyLock({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 'backup:*', Resource: '*' },
      { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'backup:DeleteRecoveryPoint', Resource: '*' }] });
    expect(beside).toBe('vault policy denies deleting recovery points only for some principals or recovery points, or under conditions: '
      + '{"Principal":{"AWS":"arn:aws:iam::111111111111:root"}}; it names the delete action only through a wildcard (backup:*), which AWS Backup vault access policies do not support in Action: not counted as a lock');
  });

  test('a Deny of other actions only is no lock; NotAction without a wildcard counts unless it names the action', () => {
    expect(vaultPolicyLock(deny({ Action: 'backup:DeleteBackupVault*' }))).toBeUndefined();
    expect(vaultPolicyLock(deny({ Action: 'backup:Describe*' }))).toBeUndefined();
    expect(vaultPolicyLock(deny({ NotAction: 'backup:DescribeBackupVault' }))).toBe('vault policy denies deleting recovery points');
    expect(vaultPolicyLock(deny({ NotAction: 'backup:Delete*' }))).toBeUndefined();
    expect(vaultPolicyLock(deny({ NotAction: 'backup:DeleteRecoveryPoint' }))).toBeUndefined();
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

  // Before: a token in them was printed as its JSON ({"Fn::GetAtt":[...]}, {"Ref":"..."}).
  test('a token in the Principal, NotPrincipal or Condition of a narrow Deny is said in words, at any depth; literal values as written', () => {
    const text = vaultPolicyLock({ Statement: [{
      ...forEveryone, Resource: '*',
      Principal: { AWS: [{ 'Fn::GetAtt': ['OperatorRole', 'Arn'] }, 'arn:aws:iam::111111111111:root'] },
      Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } }, NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 }, Bool: { 'aws:SecureTransport': false } },
    }] });
    expect(text).toBe(`${NARROW}{"Principal":{"AWS":["a value given by Fn::GetAtt","arn:aws:iam::111111111111:root"]},`
      + '"Condition":{"StringEquals":{"aws:PrincipalAccount":"AWS::AccountId"},"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"Bool":{"aws:SecureTransport":false}}}');
    const leftOut = { Effect: 'Deny', NotPrincipal: { AWS: { Ref: 'AdminRoleArn' } }, Action: 'backup:DeleteRecoveryPoint', Resource: '*' };
    expect(vaultPolicyLock({ Statement: [leftOut] })).toBe(`${NARROW}{"NotPrincipal":{"AWS":"AdminRoleArn"}}`);
    const whole = vaultPolicyLock({ Statement: [{ ...forEveryone, Principal: { Ref: 'Who' }, Condition: { 'Fn::If': ['Strict', { Bool: { 'aws:SecureTransport': 'true' } }, { Ref: 'AWS::NoValue' }] }, Resource: '*' }] });
    expect(whole).toBe(`${NARROW}{"Principal":"Who","Condition":"a value given by Fn::If"}`);
  });

  test('a narrow Deny beside a full one leaves the full lock', () => {
    expect(vaultPolicyLock({ Statement: [{ ...forEveryone, Resource: 'arn:aws:backup:eu-west-1:111111111111:recovery-point:one' }, { ...forEveryone, Resource: '*' }] }))
      .toBe('vault policy denies deleting recovery points');
  });
});

describe('vaultPolicyLock says what a token leaves to the deploy as not known at synth, never as no lock nor as a lock', () => {
  const NOT_KNOWN = /^vault policy: whether it denies deleting recovery points is not known at synth: /;
  const lockStatement = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'backup:DeleteRecoveryPoint', Resource: '*' };
  const conditional = { 'Fn::If': ['Production', lockStatement, { Ref: 'AWS::NoValue' }] };

  test('a Statement given by Fn::If, whole or as one of the list, is not known', () => {
    const whole = vaultPolicyLock({ Version: '2012-10-17', Statement: conditional });
    expect(whole).toBe('vault policy: whether it denies deleting recovery points is not known at synth: a statement is a value given by Fn::If');
    expect(vaultPolicyLock({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'backup:Describe*', Resource: '*' }, conditional] })).toMatch(NOT_KNOWN);
  });

  test('a Deny whose Action, NotAction or Effect is given by a token is not known', () => {
    const action = vaultPolicyLock({ Statement: [{ ...lockStatement, Action: { Ref: 'DeniedAction' } }] });
    expect(action).toBe('vault policy: whether it denies deleting recovery points is not known at synth: the Action of a statement is DeniedAction');
    expect(vaultPolicyLock({ Statement: [{ ...lockStatement, Action: ['backup:DeleteBackupVault', { 'Fn::If': ['Production', 'backup:DeleteRecoveryPoint', 'backup:Describe*'] }] }] }))
      .toMatch(NOT_KNOWN);
    const notAction = { ...lockStatement, NotAction: { Ref: 'AllowedAction' } } as { [key: string]: unknown };
    delete notAction.Action;
    expect(vaultPolicyLock({ Statement: [notAction] })).toMatch(NOT_KNOWN);
    expect(vaultPolicyLock({ Statement: [{ ...lockStatement, Effect: { Ref: 'Effect' } }] }))
      .toBe('vault policy: whether it denies deleting recovery points is not known at synth: the Effect of a statement that names the action is Effect');
  });

  test('a token beside a literal lock leaves the lock; beside a narrow Deny both are said', () => {
    expect(vaultPolicyLock({ Statement: [conditional, lockStatement] })).toBe('vault policy denies deleting recovery points');
    const text = vaultPolicyLock({ Statement: [conditional, { ...lockStatement, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }] });
    expect(text).toBe('vault policy: whether it denies deleting recovery points is not known at synth: a statement is a value given by Fn::If;'
      + ' as written it denies deleting recovery points only for some principals or recovery points, or under conditions: {"Principal":{"AWS":"*"},"Condition":{"Bool":{"aws:SecureTransport":"true"}}}');
  });

  test('a token in a statement that denies nothing of recovery points anyway leaves no lock line', () => {
    expect(vaultPolicyLock({ Statement: [{ ...lockStatement, Effect: 'Allow', Action: { Ref: 'AllowedAction' } }] })).toBeUndefined();
  });
});
