/**
 * An EC2 instance's own disks: the EBS volumes its `BlockDeviceMappings` (and its image's root
 * device) create are not `AWS::EC2::Volume` resources, yet they hold the instance's data. The
 * report gives the instance a row, with what backs those disks up: an AWS Backup selection of the
 * instance (by reference or tag), or a DLM policy that targets the instance's tags (an `INSTANCE`
 * policy; a `VOLUME` policy only where the instance propagates its tags to its volumes).
 */
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CfnParameter, Tags } from 'aws-cdk-lib';
import { ReportModel } from '../../../core/report/model';
import { renderMarkdown } from '../../../core/report/render';
import { BackupVaults } from '../../../lib/vault/backup-vaults';
import { EbsSnapshotPolicy } from '../../../lib/snapshots/ebs-snapshot-policy';
import { RetentionPolicy } from '../../../lib/policy/retention-policy';
import { reportOfApp } from './report-of-app';
import { describedStack, parametersIn } from './report-fixtures';
import { rowAt } from './model-row';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Servers');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const server = (id: string, propagate?: boolean): ec2.Instance => new ec2.Instance(stack, id, {
      vpc,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      blockDevices: [{ deviceName: '/dev/sdf', volume: ec2.BlockDeviceVolume.ebs(100, { encrypted: true }) }],
      ...(propagate !== undefined ? { propagateTagsToVolumeOnCreation: propagate } : {}),
    });
    const policy = RetentionPolicy.rolling48Hours();

    // Backed up by AWS Backup: the plan of BackupVaults selects the instance.
    const planned = server('Planned');
    new BackupVaults(stack, 'Backup', { policy, resources: [backup.BackupResource.fromEc2Instance(planned)] });

    // Snapshotted by DLM through the tags it propagates to its volumes.
    const tagged = server('Tagged', true);
    Tags.of(tagged).add('cdk-backup-dr:snapshots', 'tiers');
    new EbsSnapshotPolicy(stack, 'VolumeSnapshots', { policy, targetTags: { 'cdk-backup-dr:snapshots': 'tiers' } });

    // The same tag, not propagated: a VOLUME policy does not see its volumes.
    const notPropagated = server('NotPropagated');
    Tags.of(notPropagated).add('cdk-backup-dr:snapshots', 'tiers');

    // Nothing backs it up.
    server('Unprotected');

    const imageId = new CfnParameter(stack, 'ImageId', { type: 'AWS::EC2::Image::Id' }).valueAsString;
    // Whether its tags reach its volumes is a parameter.
    const maybe = new ec2.CfnInstance(stack, 'MaybePropagated', {
      imageId, instanceType: 't3.micro',
      tags: [{ key: 'cdk-backup-dr:snapshots', value: 'tiers' }],
    });
    maybe.addPropertyOverride('PropagateTagsToVolumeOnCreation', parametersIn(stack).text('Propagate'));

    // Snapshotted by a DLM INSTANCE policy, all its volumes but the root one; a data disk with its own key.
    const key = new kms.Key(stack, 'DiskKey', { enableKeyRotation: true });
    const sets = new ec2.CfnInstance(stack, 'SnapshotSets', {
      imageId, instanceType: 't3.micro',
      blockDeviceMappings: [{ deviceName: '/dev/sdg', ebs: { volumeSize: 50, encrypted: true, kmsKeyId: key.keyArn } }],
      tags: [{ key: 'sets', value: 'daily' }],
    });
    // Volumes of their own, attached to an instance: an attachment, and the instance's Volumes.
    const attached = (id: string): ec2.CfnVolume => new ec2.CfnVolume(stack, id, { availabilityZone: 'eu-west-1a', size: 20, encrypted: true, tags: [{ key: 'role', value: id }] });
    new ec2.CfnVolumeAttachment(stack, 'PlannedDataAttachment', { instanceId: planned.instanceId, volumeId: attached('PlannedData').ref, device: '/dev/sdh' });
    new ec2.CfnVolumeAttachment(stack, 'LooseDataAttachment', { instanceId: notPropagated.instanceId, volumeId: attached('LooseData').ref, device: '/dev/sdh' });
    sets.addPropertyOverride('Volumes', [{ Device: '/dev/sdh', VolumeId: attached('SetData').ref }, { Device: '/dev/sdi', VolumeId: attached('ScratchData').ref }]);
    // Whether the INSTANCE policy targets this one is for the deploy: its tag value is a parameter.
    new ec2.CfnInstance(stack, 'TokenTagged', {
      imageId, instanceType: 't3.micro', tags: [{ key: 'sets', value: parametersIn(stack).text('Sets') }],
      volumes: [{ device: '/dev/sdh', volumeId: attached('TokenTaggedData').ref }],
    });
    new dlm.CfnLifecyclePolicy(stack, 'InstancePolicy', {
      description: 'instance snapshot sets', state: 'ENABLED', executionRoleArn: 'arn:aws:iam::111111111111:role/dlm',
      policyDetails: {
        resourceTypes: ['INSTANCE'], targetTags: [{ key: 'sets', value: 'daily' }], parameters: { excludeBootVolume: true, excludeDataVolumeTags: [{ key: 'role', value: 'ScratchData' }] },
        schedules: [{ name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { count: 7 } }],
      },
    });
  });
});

test('an instance selected by an AWS Backup plan has a row with the plan\'s tiers', () => {
  const row = rowAt(model, 'Servers/Planned/Resource');
  expect(row.typeName).toBe('EC2 instance');
  expect(row.tiers.map((t) => t.mechanism)).toEqual([expect.stringMatching(/^AWS Backup plan Servers\/Backup\//)]);
});

test('an instance whose tags a DLM VOLUME policy targets, propagated to its volumes, has the policy\'s tiers', () => {
  const row = rowAt(model, 'Servers/Tagged/Resource');
  expect(row.tiers.length).toBeGreaterThan(0);
  expect(row.tiers.every((t) => t.mechanism.startsWith('DLM policy Servers/VolumeSnapshots/'))).toBe(true);
  expect(row.tiers[0].storedIn).toBe('EBS snapshots in eu-west-1 of the volumes its tags reach (PropagateTagsToVolumeOnCreation; CloudFormation\'s documentation names the volumes of its BlockDeviceMappings)');
});

test('without PropagateTagsToVolumeOnCreation its volumes carry no tag: the row reads NONE', () => {
  const row = rowAt(model, 'Servers/NotPropagated/Resource');
  expect(row.tiers).toEqual([]);
  expect(row.coverageNotKnown).toBeUndefined();
});

test('an instance nothing backs up has a row that reads NONE, counted as without a tier', () => {
  const row = rowAt(model, 'Servers/Unprotected/Resource');
  expect(row.tiers).toEqual([]);
  expect(row.coverageNotKnown).toBeUndefined();
  expect(renderMarkdown(model)).toContain('NONE: not covered by any tier');
  expect(model.summary.withoutTierOrExemption).toBe(4);
  expect(model.summary.coverageNotKnownAtSynth).toBe(3);
});

test('PropagateTagsToVolumeOnCreation given by a parameter: whether the DLM policy targets its volumes is not known at synth', () => {
  const row = rowAt(model, 'Servers/MaybePropagated');
  expect(row.tiers).toEqual([]);
  expect(row.coverageNotKnown).toEqual([expect.stringContaining('Propagate')]);
});

test('an instance whose tags a DLM INSTANCE policy targets has its tiers, saying which of its volumes the snapshot sets leave out', () => {
  const row = rowAt(model, 'Servers/SnapshotSets');
  expect(row.tiers.map((t) => [t.tier, t.mechanism, t.storedIn])).toEqual([
    ['Daily', 'DLM policy Servers/InstancePolicy, schedule Daily', 'multi-volume EBS snapshot sets of its volumes in eu-west-1, not of its root volume (ExcludeBootVolume), not of its data volumes tagged role=ScratchData (ExcludeDataVolumeTags)'],
  ]);
});

test('the encryption of an instance\'s disks: each mapped volume, then the devices of its image it does not map', () => {
  expect(rowAt(model, 'Servers/SnapshotSets').encryption).toBe('/dev/sdg: KMS key Servers/DiskKey/Resource, rotated yearly; '
    + 'the devices of its image it does not map (its root volume, unless mapped): as the image\'s snapshots (not in the template), '
    + 'else not encrypted unless EBS encryption by default is on for the account in eu-west-1 (not in the template)');
  const key = model.keys.find((k) => k.key === 'Servers/DiskKey/Resource');
  expect(key?.encrypts).toEqual(['data of EC2 instance Servers/SnapshotSets, volume /dev/sdg']);
});

test('a volume attached to an instance an AWS Backup plan selects has the plan\'s tiers, through its instance', () => {
  const row = rowAt(model, 'Servers/PlannedData');
  expect(row.tiers.map((t) => t.mechanism)).toEqual([expect.stringMatching(/^AWS Backup plan Servers\/Backup\/.* \(its instance Servers\/Planned\/Resource, to which it is attached\)$/)]);
});

test('a volume in an instance\'s Volumes has the tiers of a DLM INSTANCE policy of the instance, unless the policy excludes its tags', () => {
  expect(rowAt(model, 'Servers/SetData').tiers.map((t) => t.mechanism)).toEqual(['DLM policy Servers/InstancePolicy, schedule Daily (its instance Servers/SnapshotSets, to which it is attached)']);
  expect(rowAt(model, 'Servers/ScratchData').tiers).toEqual([]);
});

test('a volume attached to an instance nothing backs up reads NONE', () => {
  expect(rowAt(model, 'Servers/LooseData').tiers).toEqual([]);
  expect(rowAt(model, 'Servers/LooseData').coverageNotKnown).toBeUndefined();
});

test('a volume attached to an instance whose tag value a DLM INSTANCE policy compares is a token: its coverage is not known at synth', () => {
  expect(rowAt(model, 'Servers/TokenTaggedData').coverageNotKnown).toEqual([
    'DLM policy Servers/InstancePolicy of its instance Servers/TokenTagged targets a tag whose value (its own or the policy\'s) is a token',
  ]);
});

// The guard (lib/report/coverage.ts) says the same: both apply lib/private/dlm-instance-volumes.ts.
test('a volume whose instance\'s tag and the INSTANCE policy\'s ExcludeDataVolumeTags are both compared with a token: not known at synth, for both reasons', () => {
  const both = reportOfApp((app) => {
    const stack = describedStack(app, 'Tokens');
    const data = new ec2.CfnVolume(stack, 'Data', { availabilityZone: 'eu-west-1a', size: 20, encrypted: true, tags: [{ key: 'role', value: 'data' }] });
    new ec2.CfnInstance(stack, 'Server', {
      imageId: 'ami-12345678', instanceType: 't3.micro', tags: [{ key: 'sets', value: parametersIn(stack).text('Sets') }],
      volumes: [{ device: '/dev/sdh', volumeId: data.ref }],
    });
    new dlm.CfnLifecyclePolicy(stack, 'InstancePolicy', {
      description: 'instance snapshot sets', state: 'ENABLED', executionRoleArn: 'arn:aws:iam::111111111111:role/dlm',
      policyDetails: {
        resourceTypes: ['INSTANCE'], targetTags: [{ key: 'sets', value: 'daily' }], parameters: { excludeDataVolumeTags: [{ key: 'role', value: parametersIn(stack).text('Excluded') }] },
        schedules: [{ name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { count: 7 } }],
      },
    });
  });
  expect(rowAt(both, 'Tokens/Data').tiers).toEqual([]);
  expect(rowAt(both, 'Tokens/Data').coverageNotKnown).toEqual([
    'DLM policy Tokens/InstancePolicy of its instance Tokens/Server targets a tag whose value (its own or the policy\'s) is a token, and leaves out the data volumes of ExcludeDataVolumeTags, compared with a token',
  ]);
});
