import { App, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { OffSiteCopy, RetentionPolicy } from '../../lib/policy/retention-policy';
import { EbsSnapshotPolicy } from '../../lib/snapshots/ebs-snapshot-policy';

// DLM copies every off-site copy of the policy's account to its region: copies whose regions
// are the same at deploy, tokens included, are one copy rule.

const KEY = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const param = (name: string): string => Token.asString({ Ref: name });
/** A token that resolves to the literal region. */
const lazyRegion = Lazy.string({ produce: () => 'eu-central-1' });

function synth(offSiteCopies: OffSiteCopy[], copyEncryptionKeys?: { [region: string]: string }): { stack: Stack; snapshots: EbsSnapshotPolicy } {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const snapshots = new EbsSnapshotPolicy(stack, 'Snapshots', {
    policy: RetentionPolicy.rolling48Hours({ offSiteCopies }),
    targetTags: { 'cdk-backup-dr:snapshots': 'tiers' },
    copyEncryptionKeys,
  });
  return { stack, snapshots };
}

function copyRules(stack: Stack): unknown[] {
  const policy = Object.values(Template.fromStack(stack).findResources('AWS::DLM::LifecyclePolicy'))[0];
  return policy.Properties.PolicyDetails.Schedules[0].CrossRegionCopyRules;
}

function errorOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

// Before: regions were told apart as strings, so each of these made two copy rules to one region.
test.each<[string, OffSiteCopy[], unknown]>([
  ['a literal and a token that resolves to it', [{ region: 'eu-central-1' }, { region: lazyRegion, account: param('OtherAccount') }], 'eu-central-1'],
  ['two tokens of one parameter', [{ region: param('CopyRegion') }, { region: param('CopyRegion'), account: param('OtherAccount') }], { Ref: 'CopyRegion' }],
])('copies to one region, %s, make one copy rule', (_, copies, target) => {
  const { stack, snapshots } = synth(copies);
  expect(copyRules(stack)).toEqual([expect.objectContaining({ Target: target })]);
  expect(snapshots.copyRegions).toHaveLength(1);
});

// Before: the two copy rules came without a word from this construct (the policy's own warning
// covers copies to one vault, not copies to other accounts that DLM makes in this one).
test('copies whose regions synth cannot tell apart warn that DLM may get two copy rules to one region', () => {
  const { stack } = synth([{ region: 'eu-central-1' }, { region: param('CopyRegion'), account: '210987654321' }, { region: param('OtherRegion'), account: param('OtherAccount') }]);
  const warnings = Annotations.fromStack(stack).findWarning('/Stack/Snapshots', Match.stringLikeRegexp('copy rules'))
    .map((w) => `${w.entry.data}`.replace(' [ack: cdk-backup-dr:uncheckedToken]', ''));
  expect(warnings).toEqual([
    'Stack/Snapshots: the region of off-site copy 3 is an unresolved token, so the synth-time check of `policy.offSiteCopies` that the copies to eu-central-1 and to a token ({"Ref":"OtherRegion"}) '
    + 'go to different regions did not run (unknown, not passed); Data Lifecycle Manager copies both within this stack\'s account: when they resolve to one region, each schedule has two copy rules to it',
  ]);
});

// Before: a key named under a token region failed, saying it had to be a key in ${Token[TOKEN.n]}.
test('a key for a token region: the key is used, and the check of its region warns instead of failing', () => {
  const { stack } = synth([{ region: param('CopyRegion') }], { [param('CopyRegion')]: KEY });
  expect(copyRules(stack)).toEqual([expect.objectContaining({ Target: { Ref: 'CopyRegion' }, CmkArn: KEY })]);
  const warnings = Annotations.fromStack(stack).findWarning('/Stack/Snapshots', Match.stringLikeRegexp('uncheckedToken')).map((w) => `${w.entry.data}`);
  expect(warnings).toEqual([expect.stringMatching(/^Stack\/Snapshots: the region of off-site copy 1 is an unresolved token, so the synth-time check that the `copyEncryptionKeys` entry for it is a key in it \(it is a key in eu-central-1\) did not run/)]);
});

test('a key under a literal region matches the copy whose token resolves to it', () => {
  const { stack } = synth([{ region: lazyRegion }], { 'eu-central-1': KEY });
  expect(copyRules(stack)).toEqual([expect.objectContaining({ Target: 'eu-central-1', CmkArn: KEY })]);
});

test('a key that synth cannot match with a copy region fails, naming both', () => {
  expect(errorOf(() => synth([{ region: param('CopyRegion') }], { 'eu-central-1': KEY }))).toBe(
    'Stack/Snapshots: `copyEncryptionKeys` names eu-central-1, which synth cannot match with a copy region of the policy (a token ({"Ref":"CopyRegion"})): '
    + 'name the key under the value of the copy\'s region itself');
});
