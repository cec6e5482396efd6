/**
 * `Fn::Sub` with a variable map (`[template, { Var: value }]`): a variable reads as its value
 * (a literal as written, a token as `tokenText` says), never as its own name, and a variable
 * named like a resource of the stack is not a reference to that resource.
 */
import { CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = new Stack(app, 'Subs', { env: { account: '111111111111', region: 'eu-west-1' } });
    // Logical id `Key`, as the variable below is named.
    new kms.CfnKey(stack, 'Key', { keyPolicy: {} });
    const volume = (id: string, kmsKeyId: string): void => {
      new ec2.CfnVolume(stack, id, { availabilityZone: 'eu-west-1a', size: 8, encrypted: true, kmsKeyId })
        .cfnOptions.metadata = { 'cdk-backup-dr': { role: 'exempt', exemptReason: 'scratch' } };
    };
    volume('Literal', Fn.sub('arn:aws:kms:${Region}:222222222222:key/${Key}', { Region: 'eu-central-1', Key: 'abcd-1234' }));
    volume('Token', Fn.sub('arn:aws:kms:eu-west-1:333333333333:key/${Id}', { Id: Fn.select(0, Fn.split(',', new CfnParameter(stack, 'KeyIds').valueAsString)) }));
    volume('Escaped', Fn.sub('arn:aws:kms:eu-west-1:444444444444:alias/${!Literal}', { Other: 'x' }));
  });
});

test('a variable with a literal value reads as the value: the key, its region and account are those the deploy gets', () => {
  const literal = model.keys.find((k) => k.encrypts.includes('data of EBS volume Subs/Literal'))!;
  expect(literal).toMatchObject({ key: 'arn:aws:kms:eu-central-1:222222222222:key/abcd-1234', region: 'eu-central-1', account: '222222222222' });
  expect(literal.logicalId).toBeUndefined();
  expect(model.resources.find((r) => r.path === 'Subs/Literal')!.encryption).toContain('arn:aws:kms:eu-central-1:222222222222:key/abcd-1234');
});

test('a variable whose value is a token reads as tokenText says, not as the variable\'s name', () => {
  const token = model.keys.find((k) => k.encrypts.includes('data of EBS volume Subs/Token'))!;
  expect(token.key).toBe('arn:aws:kms:eu-west-1:333333333333:key/a value given by Fn::Select');
  expect(token.key).not.toContain('key/Id');
});

test('an escaped ${!Literal} reads as ${Literal}', () => {
  expect(model.resources.find((r) => r.path === 'Subs/Escaped')!.encryption).toContain('arn:aws:kms:eu-west-1:444444444444:alias/${Literal}');
});
