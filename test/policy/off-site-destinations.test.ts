import { App, Aws, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { OffSiteCopy, RetentionPolicy } from '../../lib/policy/retention-policy';
import { BackupVaults } from '../../lib/vault/backup-vaults';

// Two off-site copies to one vault are one copy: the policy check compares their regions and
// accounts as the values they have at deploy, tokens included.

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function errorOf(offSiteCopies: OffSiteCopy[]): string {
  try {
    new BackupVaults(newStack(), 'Backup', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies }) });
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

/** The warnings about two copies that synth cannot tell apart, without their ack tag. */
function duplicateWarnings(offSiteCopies: OffSiteCopy[]): string[] {
  const stack = newStack();
  new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies }) });
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('go to different vaults'))
    .map((w) => `${w.entry.data}`.replace(' [ack: cdk-backup-dr:uncheckedToken]', ''));
}

const param = (name: string): string => Token.asString({ Ref: name });
const copyRegion = param('CopyRegion');
const twice = '`policy.offSiteCopies` may name each region and account once (a second copy to the same vault is the same copy)';

// Before: the same token twice failed naming the token's placeholder (${Token[TOKEN.n]}); two tokens
// of one parameter, and an account left out beside the stack's own account, passed.
test.each<[string, OffSiteCopy[], string]>([
  ['one token twice', [{ region: copyRegion }, { region: copyRegion }],
    `Stack/Backup: ${twice}, got a token ({"Ref":"CopyRegion"}) twice`],
  ['two tokens of one parameter', [{ region: param('CopyRegion') }, { region: param('CopyRegion') }],
    `Stack/Backup: ${twice}, got a token ({"Ref":"CopyRegion"}) twice`],
  ['an account left out and the stack\'s own account', [{ region: 'eu-central-1' }, { region: 'eu-central-1', account: '123456789012' }],
    `Stack/Backup: ${twice}, got eu-central-1 in account 123456789012 twice (a copy without an account goes to the stack's)`],
  ['an account left out and Aws.ACCOUNT_ID', [{ region: 'eu-central-1', account: Aws.ACCOUNT_ID }, { region: 'eu-central-1' }],
    `Stack/Backup: ${twice}, got eu-central-1 in account a token ({"Ref":"AWS::AccountId"}) twice (a copy without an account goes to the stack's)`],
])('two copies provably to one vault fail the synth: %s', (_name, copies, message) => {
  expect(errorOf(copies)).toBe(message);
});

const atDeploy = 'both copies are passed on as they are: when they resolve to the same region and account, the same vault receives two copies, or AWS refuses the second at deploy';
const check = (a: number, b: number) => `the synth-time check of \`policy.offSiteCopies\` that copies ${a} and ${b} go to different vaults (each region and account named once) did not run (unknown, not passed)`;

// Before: no warning; a token was a string unlike any other, so the copies were taken as different.
test.each<[string, OffSiteCopy[], string[]]>([
  ['a token region beside a concrete one', [{ region: 'eu-central-1' }, { region: param('CopyRegion') }],
    [`Stack/Backup: the region of off-site copy 2 is an unresolved token, so ${check(1, 2)}; ${atDeploy}`]],
  ['two different tokens', [{ region: param('RegionA') }, { region: param('RegionB') }],
    [`Stack/Backup: each of the region of off-site copy 1 and the region of off-site copy 2 is an unresolved token, so ${check(1, 2)}; ${atDeploy}`]],
  ['a token account in one region', [{ region: 'eu-central-1' }, { region: 'eu-central-1', account: param('CopyAccount') }],
    [`Stack/Backup: the account of off-site copy 2 is an unresolved token, so ${check(1, 2)}; ${atDeploy}`]],
])('two copies synth cannot tell apart warn: %s', (_name, copies, warnings) => {
  expect(duplicateWarnings(copies)).toEqual(warnings);
});

test('copies that differ in a concrete region or account do not warn, tokens or not', () => {
  expect(duplicateWarnings([{ region: 'eu-central-1', account: param('A') }, { region: 'eu-north-1', account: param('B') }])).toEqual([]);
  expect(duplicateWarnings([{ region: param('R'), account: '210987654321' }, { region: param('R2'), account: '310987654321' }])).toEqual([]);
});

// Before: a token counted as a region of its own, so three regions and a token that may be one
// of them failed the synth.
test('more than 3 regions only if every token is a region of its own warns; more than 3 concrete ones fail', () => {
  const three = [{ region: 'eu-central-1' }, { region: 'eu-north-1' }, { region: 'us-east-1' }];
  const stack = newStack();
  new BackupVaults(stack, 'Backup', { policy: RetentionPolicy.rolling48Hours({ offSiteCopies: [...three, { region: param('CopyRegion') }] }) });
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('at most 3 regions')).map((w) => `${w.entry.data}`)).toEqual([
    'Stack/Backup: a region of an off-site copy is an unresolved token, so the synth-time check of `policy.offSiteCopies` that it names at most 3 regions (the AWS limit for copies) did not run (unknown, not passed); '
      + 'it names 4 regions if every token resolves to a region of its own, and AWS refuses more than 3 at deploy [ack: cdk-backup-dr:uncheckedToken]',
  ]);
  expect(errorOf([...three, { region: 'us-west-2' }, { region: param('CopyRegion') }]))
    .toBe('Stack/Backup: `policy.offSiteCopies` may name at most 3 regions (the AWS limit for copies), got 5: eu-central-1, eu-north-1, us-east-1, us-west-2, a token ({"Ref":"CopyRegion"})');
});
