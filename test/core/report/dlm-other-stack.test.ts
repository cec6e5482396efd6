/**
 * DLM runs a policy in its region and account: a tag-targeting policy (`PolicyDetails.TargetTags`)
 * of another stack there snapshots the volumes and instances carrying its tags too, as the
 * coverage guard counts them. Where a stack's region or account is a token, that is not known.
 */
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { describedStack, snapshotPolicy, taggedVolume } from './report-fixtures';
import { rowAt } from './model-row';

const daily: dlm.CfnLifecyclePolicy.ScheduleProperty[] = [{ name: 'daily', createRule: { interval: 24, intervalUnit: 'HOURS' }, retainRule: { count: 7 } }];

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const data = describedStack(app, 'Data');
    taggedVolume(data, 'Tagged', 'daily');
    const server = new ec2.CfnInstance(data, 'Server', { imageId: new CfnParameter(data, 'ImageId', { type: 'AWS::EC2::Image::Id' }).valueAsString, instanceType: 't3.micro', tags: [{ key: 'sets', value: 'daily' }] });
    const attached = new ec2.CfnVolume(data, 'Attached', { availabilityZone: Fn.select(0, Fn.getAzs()), size: 8, encrypted: true });
    new ec2.CfnVolumeAttachment(data, 'AttachedAttachment', { instanceId: server.ref, volumeId: attached.ref, device: '/dev/sdh' });
    taggedVolume(describedStack(app, 'Frankfurt', 'eu-central-1'), 'Tagged', 'daily');
    taggedVolume(new Stack(app, 'Agnostic'), 'Tagged', 'daily');

    const policies = describedStack(app, 'Policies');
    snapshotPolicy(policies, 'Snapshots', 'daily', daily);
    new dlm.CfnLifecyclePolicy(policies, 'Sets', {
      description: 'snapshot sets', state: 'ENABLED', executionRoleArn: 'arn:aws:iam::111111111111:role/dlm',
      policyDetails: { resourceTypes: ['INSTANCE'], targetTags: [{ key: 'sets', value: 'daily' }], schedules: daily },
    });
  });
});

test('a VOLUME policy of another stack of the same region and account gives a volume carrying its tag its tier', () => {
  const row = rowAt(model, 'Data/Tagged');
  expect(row.tiers.map((t) => t.mechanism)).toEqual(['DLM policy Policies/Snapshots, schedule daily']);
  expect(row.coverageNotKnown).toBeUndefined();
});

test('an INSTANCE policy of another stack of the same region and account gives the volumes of an instance it targets its tier', () => {
  expect(rowAt(model, 'Data/Attached').tiers.map((t) => t.mechanism))
    .toEqual(['DLM policy Policies/Sets, schedule daily (its instance Data/Server, to which it is attached)']);
});

test('one of another region gives none; where a stack\'s region or account is a token, the coverage is not known', () => {
  expect(rowAt(model, 'Frankfurt/Tagged').tiers).toEqual([]);
  const agnostic = rowAt(model, 'Agnostic/Tagged');
  expect(agnostic.tiers).toEqual([]);
  expect(agnostic.coverageNotKnown).toEqual(['DLM policy Policies/Snapshots is in a stack whose region or account, or this volume\'s, is not known at synth']);
});
