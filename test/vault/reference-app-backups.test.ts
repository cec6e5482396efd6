/**
 * The reference app wires the backup tiers to the ReplicatedMySql pair and to the tagged
 * volume of an example application, with the off-site copies in the recovery region.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildReferenceApp } from '../../bin/reference-app';

describe('reference app backups', () => {
  const app = new App({ context: { ebsCopyKeyArn: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' } });
  const { primary, recovery } = buildReferenceApp(app);
  // Only the wiring is checked here (test/reference-app.test.ts runs every gate and check over
  // the whole app), so the construct validations and the cycle check, which concern every
  // area, are left to it.
  const assembly = app.synth({ skipValidation: true });
  const template = Template.fromJSON(assembly.getStackArtifact(primary.artifactId).template, { skipCyclicalDependenciesCheck: true });
  const recoveryTemplate = Template.fromJSON(assembly.getStackArtifact(recovery.artifactId).template, { skipCyclicalDependenciesCheck: true });
  const ref = (construct: { node: { defaultChild?: unknown } }) => primary.getLogicalId(construct.node.defaultChild as never);

  test('the tier plan protects the master and the replica by ARN; point-in-time recovery the master', () => {
    const selections = Object.values(template.findResources('AWS::Backup::BackupSelection')).map((s) => JSON.stringify(s.Properties));
    const tiers = selections.find((s) => s.includes('BackupPlan') && !s.includes('PointInTimePlan'))!;
    const pitr = selections.find((s) => s.includes('PointInTimePlan'))!;
    expect(tiers).toContain(`"Ref":"${ref(primary.database.master)}"`);
    expect(tiers).toContain(`"Ref":"${ref(primary.database.replica)}"`);
    expect(pitr).toContain(`"Ref":"${ref(primary.database.master)}"`);
    expect(pitr).not.toContain(`"Ref":"${ref(primary.database.replica)}"`);
  });

  test('copies go to the recovery stack\'s vault by name, without a cross-region reference', () => {
    const plans = JSON.stringify(template.findResources('AWS::Backup::BackupPlan'));
    expect(plans).toContain(`:backup:${recovery.region}:${recovery.account}:backup-vault:cdk-backup-dr-offsite`);
    expect(plans).not.toContain('Fn::ImportValue');
    recoveryTemplate.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'cdk-backup-dr-offsite' });
    recoveryTemplate.hasOutput('EbsCopyKeyArn', {});
  });

  test('the example application volume is encrypted, tagged and covered by the snapshot policies', () => {
    template.hasResourceProperties('AWS::EC2::Volume', {
      Encrypted: true,
      Tags: [{ Key: 'cdk-backup-dr:snapshots', Value: 'tiers' }],
    });
    const policies = Object.values(template.findResources('AWS::DLM::LifecyclePolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDetails.TargetTags).toEqual([{ Key: 'cdk-backup-dr:snapshots', Value: 'tiers' }]);
      for (const schedule of policy.Properties.PolicyDetails.Schedules) {
        expect(schedule.CrossRegionCopyRules).toEqual([expect.objectContaining({ Target: recovery.region, Encrypted: true, CmkArn: app.node.tryGetContext('ebsCopyKeyArn') })]);
      }
    }
  });
});
