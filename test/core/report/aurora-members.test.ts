/**
 * An Aurora DB instance of a cluster (`DBClusterIdentifier`) has no backups of its own: it is
 * backed up with its cluster. Its row says so, with the cluster's tiers, and reads NONE only
 * when the cluster has none either; a cluster not in the assembly leaves it not known. And a
 * volume whose tag a DLM policy targets, the value being a token, is not known, not NONE.
 */
import { CfnParameter, Stack, Validations } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { BackupMetadata } from '../../../lib/report/metadata';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { renderHtml, renderMarkdown } from '../../../core/report/render';
import { rowAt } from './model-row';
import { describedStack, snapshotPolicy, taggedVolume } from './report-fixtures';

let model: ReportModel;

const env = { account: '111111111111', region: 'eu-west-1' };

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Members');
    const member = (id: string, clusterIdentifier: string): void => {
      new rds.CfnDBInstance(stack, id, { engine: 'aurora-mysql', dbInstanceClass: 'db.r6g.large', dbClusterIdentifier: clusterIdentifier });
    };
    // RDS automated backups, kept 7 days: a covered cluster.
    const covered = new rds.CfnDBCluster(stack, 'Covered', { engine: 'aurora-mysql', storageEncrypted: true, backupRetentionPeriod: 7 });
    member('ByRef', covered.ref);
    new rds.CfnDBCluster(stack, 'Named', { engine: 'aurora-mysql', dbClusterIdentifier: 'orders', storageEncrypted: true });
    member('ByName', 'Orders');
    // No automated backups, no selection: the cluster is not covered (a retention CloudFormation rejects at deploy, read as written).
    Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::F3034', reason: 'a cluster without automated backups, for the report to read' });
    const bare = new rds.CfnDBCluster(stack, 'Bare', { engine: 'aurora-mysql', storageEncrypted: true, backupRetentionPeriod: 0 });
    member('OfBare', bare.ref);
    const exempt = new rds.CfnDBCluster(stack, 'Scratch', { engine: 'aurora-mysql', storageEncrypted: true, backupRetentionPeriod: 0 });
    // What BackupCoverage.exempt writes to the template.
    exempt.addMetadata(BackupMetadata.KEY, { role: 'exempt', exemptReason: 'scratch data, rebuilt nightly' });
    member('OfScratch', exempt.ref);
    member('Elsewhere', 'not-in-this-app');
    // A cluster of the same name in another region is not this instance's.
    const otherRegion = new Stack(app, 'OtherRegion', { env: { ...env, region: 'us-east-1' } });
    new rds.CfnDBCluster(otherRegion, 'Faraway', { engine: 'aurora-mysql', dbClusterIdentifier: 'faraway', storageEncrypted: true });
    member('FarawayName', 'faraway');
    // A member in another stack, referring to the cluster through CDK's export.
    const other = new Stack(app, 'Readers', { env });
    new rds.CfnDBInstance(other, 'Reader', { engine: 'aurora-mysql', dbInstanceClass: 'db.r6g.large', dbClusterIdentifier: covered.ref });

    // A DLM policy targets volumes tagged backup=daily; one volume's tag is a parameter.
    const tier = new CfnParameter(stack, 'VolumeTier');
    const daily = [{ name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { count: 7 } }];
    taggedVolume(stack, 'TokenVolume', tier.valueAsString);
    taggedVolume(stack, 'DailyVolume', 'daily');
    taggedVolume(stack, 'WeeklyVolume', 'weekly');
    snapshotPolicy(stack, 'Snapshots', 'daily', daily);
    // A policy whose target tag value is a parameter.
    taggedVolume(stack, 'GoldVolume', 'gold');
    snapshotPolicy(stack, 'ByParameter', new CfnParameter(stack, 'SnapshotTier').valueAsString, daily);
  });
});

test('a member of a covered cluster is backed up with it, by reference, by name (any case) and from another stack', () => {
  const markdown = renderMarkdown(model);
  for (const [path, cluster] of [['Members/ByRef', 'Members/Covered'], ['Members/ByName', 'Members/Named'], ['Readers/Reader', 'Members/Covered']]) {
    const row = rowAt(model, path);
    expect(row.tiers).toEqual([]);
    expect(row.backedUpWithCluster).toEqual({ path: cluster, tiers: ['automated backups'] });
    expect(row.coverageNotKnown).toBeUndefined();
    expect(markdown).toContain(`| RDS DB instance<br>${row.logicalId} (${row.stack}, eu-west-1)<br>${path} | with its cluster ${cluster}: automated backups |`);
  }
  const htmlRow = /<tr data-logical-id="ByRef">.*?<\/tr>/.exec(renderHtml(model))?.[0] ?? '';
  expect(htmlRow).toContain('with its cluster Members/Covered: automated backups');
  expect(htmlRow).not.toContain('class="alert"');
});

test('a covered member is not counted without a tier, nor as missing the RPO: its cluster\'s row carries both', () => {
  const uncounted = ['Members/ByRef', 'Members/ByName', 'Members/OfScratch', 'Readers/Reader'];
  const withoutTier = model.resources.filter((r) => r.tiers.length === 0 && r.exemptReason === undefined && r.coverageNotKnown === undefined).map((r) => r.path);
  expect(model.summary.withoutTierOrExemption).toBe(withoutTier.filter((p) => !uncounted.includes(p)).length);
  const rpoPaths = model.objectives.flatMap((o) => o.rpoNotMetBy ?? []).map((s) => s.path);
  expect(rpoPaths).toContain('Members/Bare');
  expect(rpoPaths).not.toContain('Members/ByRef');
  expect(rpoPaths).not.toContain('Members/ByName');
  expect(rpoPaths).not.toContain('Members/OfBare');
});

test('a member of a cluster without tiers reads NONE, naming the cluster; of an exempt cluster, EXEMPT with it', () => {
  const markdown = renderMarkdown(model);
  expect(rowAt(model, 'Members/OfBare').backedUpWithCluster).toEqual({ path: 'Members/Bare', tiers: [] });
  expect(markdown).toContain('| NONE: not covered by any tier, nor is its cluster Members/Bare |');
  expect(rowAt(model, 'Members/OfScratch').backedUpWithCluster).toEqual({ path: 'Members/Scratch', tiers: [], exemptReason: 'scratch data, rebuilt nightly' });
  expect(markdown).toContain('| EXEMPT with its cluster Members/Scratch: scratch data, rebuilt nightly |');
});

test('a member whose cluster is not in the assembly (or only in another region) is not known, not NONE', () => {
  expect(rowAt(model, 'Members/Elsewhere').backedUpWithCluster).toBeUndefined();
  expect(rowAt(model, 'Members/Elsewhere').coverageNotKnown).toEqual([
    'its cluster not-in-this-app is not in the assembly, so whether the cluster is backed up is not known',
  ]);
  expect(rowAt(model, 'Members/FarawayName').coverageNotKnown).toEqual([
    'its cluster faraway is not in the assembly, so whether the cluster is backed up is not known',
  ]);
  expect(renderMarkdown(model)).toContain('| NOT KNOWN at synth: its cluster not-in-this-app is not in the assembly');
});

test('a row whose coverage is not known is RPO not known, not RPO not met by "no backup tier"', () => {
  const objectives = model.objectives.find((o) => o.stack === 'Members')!;
  const notMet = (objectives.rpoNotMetBy ?? []).map((s) => s.path);
  for (const path of ['Members/Elsewhere', 'Members/FarawayName', 'Members/TokenVolume', 'Members/GoldVolume']) {
    expect(notMet).not.toContain(path);
  }
  expect(objectives.rpoNotKnownFor).toEqual(expect.arrayContaining([
    { path: 'Members/Elsewhere', reason: 'coverage not known at synth: its cluster not-in-this-app is not in the assembly, so whether the cluster is backed up is not known' },
    { path: 'Members/GoldVolume', reason: 'coverage not known at synth: DLM policy Members/ByParameter targets a tag whose value (its own or the policy\'s) is a token' },
  ]));
  expect(objectives.rpoNotKnownFor!.map((s) => s.path).sort()).toEqual(['Members/Elsewhere', 'Members/FarawayName', 'Members/GoldVolume', 'Members/TokenVolume', 'Members/WeeklyVolume']);
  expect(renderMarkdown(model)).toContain('  - **RPO not known** for Members/Elsewhere: coverage not known at synth: its cluster not-in-this-app is not in the assembly');
  expect(renderHtml(model)).toContain('<li class="alert">RPO not known for Members/GoldVolume: coverage not known at synth: DLM policy Members/ByParameter targets');
});

test('the summary counts the rows whose coverage is not known apart from those without a tier', () => {
  const notKnown = ['Members/Elsewhere', 'Members/FarawayName', 'Members/GoldVolume', 'Members/TokenVolume', 'Members/WeeklyVolume'];
  const none = model.resources.filter((r) => r.tiers.length === 0 && r.exemptReason === undefined && r.coverageNotKnown === undefined
    && (r.backedUpWithCluster === undefined || r.backedUpWithCluster.tiers.length === 0 && r.backedUpWithCluster.exemptReason === undefined));
  expect(none.map((r) => r.path).sort()).toEqual(['Members/Bare', 'Members/OfBare']);
  expect(model.summary.withoutTierOrExemption).toBe(2);
  expect(model.summary.coverageNotKnownAtSynth).toBe(notKnown.length);
  expect(renderMarkdown(model)).toContain('- Without a tier or exemption: **2**\n- Coverage not known at synth: **5**\n');
  expect(renderHtml(model)).toContain('Coverage not known at synth<b id="count-coverage-not-known" class="alert">5</b>');
});

test('a volume whose tag a DLM policy targets, the value (the volume\'s or the policy\'s) a token, is not known; a literal tag is as before', () => {
  const token = rowAt(model, 'Members/TokenVolume');
  expect(token.tiers).toEqual([]);
  expect(token.coverageNotKnown).toEqual([
    'DLM policy Members/Snapshots targets a tag whose value (its own or the policy\'s) is a token',
    'DLM policy Members/ByParameter targets a tag whose value (its own or the policy\'s) is a token',
  ]);
  expect(rowAt(model, 'Members/GoldVolume').coverageNotKnown).toEqual(['DLM policy Members/ByParameter targets a tag whose value (its own or the policy\'s) is a token']);
  expect(renderMarkdown(model)).toContain('NOT KNOWN at synth: DLM policy Members/Snapshots targets a tag');
  expect(rowAt(model, 'Members/DailyVolume').tiers.map((t) => t.mechanism)).toEqual(['DLM policy Members/Snapshots, schedule Daily']);
  expect(rowAt(model, 'Members/WeeklyVolume').tiers).toEqual([]);
  expect(rowAt(model, 'Members/WeeklyVolume').coverageNotKnown).toEqual(['DLM policy Members/ByParameter targets a tag whose value (its own or the policy\'s) is a token']);
});
