import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { BackupMetadata, BackupRole, StackBackupMetadataOptions } from '../../lib';

describe('BackupMetadata', () => {
  test('writes the role, tier, owner and targets to the resource Metadata and the backup tags', () => {
    const stack = new Stack(new App(), 'S');
    const bucket = new s3.Bucket(stack, 'Dumps');
    const drill = new sfn.StateMachine(stack, 'Drill', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'P')) });
    BackupMetadata.describe(bucket, { role: BackupRole.BACKUP_STORE, tier: 'dump', owner: 'dba@example.com', description: 'SQL dumps' });
    BackupMetadata.describe(drill, { role: BackupRole.RESTORE_DRILL, targets: [bucket] });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      Metadata: { 'cdk-backup-dr': { role: 'backup-store', tier: 'dump', owner: 'dba@example.com', description: 'SQL dumps' } },
      Properties: { Tags: [{ Key: 'backup:owner', Value: 'dba@example.com' }, { Key: 'backup:tier', Value: 'dump' }] },
    });
    template.hasResource('AWS::StepFunctions::StateMachine', { Metadata: { 'cdk-backup-dr': { role: 'restore-drill', targets: ['S/Dumps'] } } });
    expect(BackupMetadata.of(bucket.node.defaultChild as s3.CfnBucket)).toMatchObject({ role: 'backup-store' });
  });

  test('records the owner and the recovery objectives in the template and describes the stack', () => {
    const stack = new Stack(new App(), 'S');
    new s3.Bucket(stack, 'B');
    BackupMetadata.describeStack(stack, { description: 'the database and its backups', owner: 'dba@example.com', recoveryPointObjective: Duration.minutes(15), recoveryTimeObjective: Duration.hours(2) });
    const template = Template.fromStack(stack).toJSON();
    expect(template.Description).toEqual('the database and its backups');
    expect(template.Metadata['cdk-backup-dr']).toEqual({ owner: 'dba@example.com', rpoMinutes: 15, rtoMinutes: 120 });
  });

  test('keeps a description the stack already has', () => {
    const stack = new Stack(new App(), 'S', { description: 'given' });
    new s3.Bucket(stack, 'B');
    BackupMetadata.describeStack(stack, { description: 'other' });
    expect(Template.fromStack(stack).toJSON().Description).toEqual('given');
  });

  test.each<[string, Partial<StackBackupMetadataOptions>, string]>([
    ['an RPO of seconds', { recoveryPointObjective: Duration.seconds(30) }, 'S: `recoveryPointObjective` must be a whole number of minutes, at least 1 minute, got 30 seconds'],
    ['an RTO of no time', { recoveryTimeObjective: Duration.minutes(0) }, 'S: `recoveryTimeObjective` must be a whole number of minutes, at least 1 minute, got 0 minutes'],
    ['a stack owner that is not an email address', { owner: 'dba team' }, "S: `owner` must be an email address, got 'dba team'"],
  ])('describeStack rejects %s, naming the stack, the prop and the value', (_name, options, message) => {
    const stack = new Stack(new App(), 'S');
    expect(() => BackupMetadata.describeStack(stack, options)).toThrow(message);
    expect(stack.templateOptions.metadata).toBeUndefined();
  });

  test('rejects an owner that is not an email address', () => {
    const stack = new Stack(new App(), 'S');
    const bucket = new s3.Bucket(stack, 'B');
    expect(() => BackupMetadata.describe(bucket, { role: BackupRole.PROTECTED_DATA, owner: 'dba team' }))
      .toThrow("S/B: `owner` must be an email address, got 'dba team'");
  });
});
