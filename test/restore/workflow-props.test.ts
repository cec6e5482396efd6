import { App, Duration, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DumpRestoreWorkflow, DumpRestoreWorkflowProps } from '../../lib/restore/dump-restore-workflow';
import { ObjectRestoreWorkflow, ObjectRestoreWorkflowProps } from '../../lib/restore/object-restore-workflow';
import { VolumeRestoreWorkflow, VolumeRestoreWorkflowProps } from '../../lib/restore/volume-restore-workflow';
import { WORKFLOW_ID_TAG } from '../../core/restore-workflows/common';
import { restoreTestStack } from './workflow-fixture';

const functionSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

function dump(props: Partial<DumpRestoreWorkflowProps> = {}) {
  const fixture = restoreTestStack(new App());
  const workflow = new DumpRestoreWorkflow(fixture.stack, 'DumpRestore', { vpc: fixture.vpc, encryptionKey: fixture.key, dumpBucket: fixture.dumpBucket, functionSubnets, ...props });
  return { ...fixture, workflow, template: () => Template.fromStack(fixture.stack) };
}

describe('DumpRestoreWorkflow', () => {
  test('defaults: MySQL 8.4.10 on db.r7g.large, 100 GiB, restored-* only, 20-second polls, a day to finish, tagged for the CLI', () => {
    const { template, workflow } = dump();
    const role = new iam.Role(workflow, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    workflow.grantStartRestore(role);
    const t = template();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      MemorySize: 1769,
      Environment: { Variables: Match.objectLike({ ENGINE: 'mysql', ENGINE_VERSION: '8.4.10', INSTANCE_CLASS: 'db.r7g.large', ALLOCATED_STORAGE: '100', IDENTIFIER_PREFIX: 'restored-', BACKUP_RETENTION_DAYS: '7', AVAILABLE_WITHIN_MINUTES: '180', DATABASE_TLS: 'required' }) },
    });
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      Tags: Match.arrayWith([{ Key: 'cdk-backup-dr:workflow', Value: 'dump' }]),
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
    });
    const definition = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"WaitForInstance\\":{\\"Type\\":\\"Wait\\",\\"Seconds\\":20');
    expect(definition).toContain('\\"TimeoutSeconds\\":86400');
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ChangeAndDeleteOnlyPrefixedInstances', Action: ['rds:ModifyDBInstance', 'rds:DeleteDBInstance'], Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':db:restored-\\*$')])] } }),
          Match.objectLike({ Sid: 'ReadDumps', Action: 's3:GetObject' }),
          Match.objectLike({ Sid: 'FindDumps', Action: 's3:ListBucket' }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 3306, ToPort: 3306, IpProtocol: 'tcp' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartExecution' })]) },
    });
  });

  test('overrides: engine, instance type, storage, prefix, backup retention, polling and the archive bucket', () => {
    const { template, archiveBucket } = dump({
      engine: rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.VER_10_11_9 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.XLARGE),
      allocatedStorage: 500,
      instanceIdentifierPrefix: 'dr-',
      backupRetention: Duration.days(14),
      pollInterval: Duration.minutes(1),
      availableWithin: Duration.hours(5),
      timeout: Duration.hours(48),
    });
    void archiveBucket;
    const t = template();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENGINE: 'mariadb', ENGINE_VERSION: '10.11.9', INSTANCE_CLASS: 'db.m7g.xlarge', ALLOCATED_STORAGE: '500', IDENTIFIER_PREFIX: 'dr-', BACKUP_RETENTION_DAYS: '14', AVAILABLE_WITHIN_MINUTES: '300' }) },
    });
    const definition = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"Seconds\\":60');
    expect(definition).toContain('\\"TimeoutSeconds\\":172800');
  });

  test('the function creates, reads, changes and deletes only instances under the prefix, creates them tagged with this workflow\'s id and changes and deletes only those, and reads only their secrets', () => {
    const { workflow, template } = dump({ instanceIdentifierPrefix: 'dr-' });
    const statements = Object.values(template().findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Sid?: string; Action: unknown; Resource: unknown; Condition?: unknown }>);
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    const prefixed = JSON.stringify(bySid('CreateOnlyPrefixedInstances').Resource).match(/[^"]*:db:dr-\*/)![0];
    expect(JSON.stringify(bySid('ReadInstances').Resource)).toContain(prefixed);
    expect(JSON.stringify(bySid('ReadInstances').Resource)).not.toMatch(/:db:\*/);
    expect(bySid('CreateOnlyPrefixedInstances').Condition).toEqual({ StringEquals: { [`aws:RequestTag/${WORKFLOW_ID_TAG}`]: workflow.node.addr } });
    expect(bySid('ChangeAndDeleteOnlyPrefixedInstances').Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${WORKFLOW_ID_TAG}`]: workflow.node.addr } });
    expect(bySid('ManagedMasterUserSecret').Action).toEqual(['secretsmanager:CreateSecret', 'secretsmanager:TagResource']);
    expect(bySid('ReadNewInstancesSecrets').Action).toEqual('secretsmanager:GetSecretValue');
    expect(JSON.stringify(bySid('ReadNewInstancesSecrets').Condition)).toMatch(/^\{"StringLike":\{"aws:ResourceTag\/aws:rds:primaryDBInstanceArn":.*:db:dr-\*/);
    const secretReads = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secretReads.map((s) => s.Sid)).toEqual(['ReadNewInstancesSecrets']);
  });

  test('two workflows in one account change and delete only their own instances, also with the same prefix: each tags and is granted its own id', () => {
    const { stack, vpc, key, dumpBucket, template } = dump();
    new DumpRestoreWorkflow(stack, 'OtherDumpRestore', { vpc, encryptionKey: key, dumpBucket, functionSubnets });
    const t = template();
    const ids = Object.values(t.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables?.WORKFLOW_ID as string | undefined)
      .filter((id): id is string => id !== undefined);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    const conditions = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Sid?: string; Condition?: Record<string, Record<string, string>> }>)
      .filter((s) => s.Sid === 'ChangeAndDeleteOnlyPrefixedInstances' || s.Sid === 'CreateOnlyPrefixedInstances')
      .map((s) => s.Condition!.StringEquals[`aws:${s.Sid === 'CreateOnlyPrefixedInstances' ? 'RequestTag' : 'ResourceTag'}/${WORKFLOW_ID_TAG}`]);
    expect(conditions.sort()).toEqual([...ids, ...ids].sort());
  });

  test.each([
    [{ instanceIdentifierPrefix: 'Prod' }, /`instanceIdentifierPrefix` must be 1 to 40 lower-case letters, digits or single hyphens starting with a letter, got 'Prod'/],
    [{ backupRetention: Duration.days(40) }, /`backupRetention` must be 1 to 35 whole days, got 40 days/],
    [{ pollInterval: Duration.seconds(2) }, /`pollInterval` must be 5 seconds to 10 minutes, got 2 seconds/],
    [{ availableWithin: Duration.minutes(5) }, /`availableWithin` must be at least 10 minutes, got 5 minutes/],
    [{ timeout: Duration.minutes(30) }, /`timeout` must be at least 1 hour \(at most what the LoadDump loop's history budget allows, checked next\), got 0.5 hours$/],
    [{ allocatedStorage: 10 }, /`allocatedStorage` must be 20 to 65536 GiB, got 10 GiB/],
    // Before: aws-cdk-lib's "cannot be converted into a whole number of ..." without the construct or the prop.
    [{ backupRetention: Duration.hours(36) }, /`backupRetention` must be a whole number of days, got 1 day 12 hours \(129600000 milliseconds\)$/],
    [{ pollInterval: Duration.millis(7500) }, /`pollInterval` must be a whole number of seconds, got 7 seconds 500 millis \(7500 milliseconds\)$/],
    [{ availableWithin: Duration.seconds(1830) }, /`availableWithin` must be a whole number of minutes, got 30 minutes 30 seconds \(1830000 milliseconds\)$/],
    [{ pollInterval: Duration.minutes(Token.asNumber({ Ref: 'Poll' })) }, /`pollInterval` must be a concrete duration, or a token given in seconds \(`Duration.seconds\(token\)`\), got Duration.minutes\(token\)$/],
    // Before: accepted; the wait would run into Step Functions' 25,000 history events (no cleanup), or into the workflow's timeout (no cleanup either).
    [{ availableWithin: Duration.hours(6), pollInterval: Duration.seconds(5) }, /`availableWithin` may be at most 2000 times `pollInterval` \(2 hours 46 minutes with pollInterval 5 seconds\): each poll adds 9 events to the execution's history, and Step Functions ends an execution at 25,000 without its cleanup; got 6 hours, 4320 polls$/],
    [{ availableWithin: Duration.hours(3), timeout: Duration.hours(2) }, /`availableWithin` must be shorter than `timeout` \(the workflow would time out while waiting for the instance, without deleting it\), got availableWithin 180 minutes with timeout 2 hours$/],
    [{ availableWithin: Duration.hours(2), timeout: Duration.hours(2) }, /`availableWithin` must be shorter than `timeout`/],
  ])('rejects %j naming the construct, the prop and the value', (props, message) => {
    expect(() => dump(props as Partial<DumpRestoreWorkflowProps>)).toThrow(new RegExp(`^Stack/DumpRestore: ${message.source}`));
  });
});

describe('VolumeRestoreWorkflow', () => {
  const volume = (props: Partial<VolumeRestoreWorkflowProps> = {}) => {
    const { stack, vpc, key } = restoreTestStack(new App());
    new VolumeRestoreWorkflow(stack, 'VolumeRestore', { vpc, encryptionKey: key, functionSubnets, ...props });
    return Template.fromStack(stack);
  };

  test('defaults: the VPC\'s zones, 15-second polls, two hours to be ready, tagged for the CLI', () => {
    const t = volume();
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ALLOWED_ZONES: 'eu-west-1a,eu-west-1b', READY_WITHIN_MINUTES: '120' }) } });
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { Tags: Match.arrayWith([{ Key: 'cdk-backup-dr:workflow', Value: 'volume' }]) });
    expect(JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'))).toContain('\\"WaitForVolume\\":{\\"Type\\":\\"Wait\\",\\"Seconds\\":15');
  });

  test.each([
    [{ pollInterval: Duration.seconds(1) }, /`pollInterval` must be 5 seconds to 10 minutes, got 1 seconds/],
    [{ readyWithin: Duration.minutes(2) }, /`readyWithin` must be at least 5 minutes, got 2 minutes/],
    [{ pollInterval: Duration.millis(5500) }, /`pollInterval` must be a whole number of seconds, got 5 seconds 500 millis \(5500 milliseconds\)$/],
    [{ readyWithin: Duration.seconds(630) }, /`readyWithin` must be a whole number of minutes, got 10 minutes 30 seconds \(630000 milliseconds\)$/],
    // Before: accepted, with no upper bound; the polls would run into Step Functions' 25,000 history events, ending the restore without its cleanup.
    [{ readyWithin: Duration.hours(10) }, /`readyWithin` may be at most 2000 times `pollInterval` \(8 hours 20 minutes with pollInterval 15 seconds\): each poll adds 9 events to the execution's history, and Step Functions ends an execution at 25,000 without its cleanup; got 10 hours, 2400 polls$/],
    [{ readyWithin: Duration.days(30), pollInterval: Duration.minutes(10) }, /`readyWithin` may be at most 2000 times `pollInterval` \(13 days 21 hours with pollInterval 10 minutes\): .* got 30 days, 4320 polls$/],
  ])('rejects %j', (props, message) => {
    expect(() => volume(props as Partial<VolumeRestoreWorkflowProps>)).toThrow(new RegExp(`^Stack/VolumeRestore: ${message.source}`));
  });

  test('readyWithin of exactly 2000 polls is accepted', () => {
    expect(() => volume({ readyWithin: Duration.minutes(500) })).not.toThrow();
  });
});

describe('ObjectRestoreWorkflow', () => {
  const objects = (props: Partial<ObjectRestoreWorkflowProps> = {}) => {
    const { stack, vpc, key, dumpBucket, archiveBucket } = restoreTestStack(new App());
    new ObjectRestoreWorkflow(stack, 'ObjectRestore', { vpc, encryptionKey: key, functionSubnets, buckets: [dumpBucket, archiveBucket], ...props });
    return Template.fromStack(stack);
  };

  test('defaults: copies may go to the restorable buckets, hourly retrieval checks, 72 hours for retrievals', () => {
    const t = objects();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ARCHIVE_READY_WITHIN_MINUTES: '4320', SOURCE_BUCKETS: Match.anyValue(), TARGET_BUCKETS: Match.anyValue() }) },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ReadSources', Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:RestoreObject'] }),
          Match.objectLike({ Sid: 'WriteCopies', Action: Match.arrayWith(['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion']) }),
        ]),
      },
    });
    const definition = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"WaitForRetrieval\\":{\\"Type\\":\\"Wait\\",\\"Seconds\\":3600');
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { Tags: Match.arrayWith([{ Key: 'cdk-backup-dr:workflow', Value: 'objects' }]) });
  });

  test('the function lists the multipart uploads of the target buckets only', () => {
    const { stack, vpc, key, dumpBucket, archiveBucket } = restoreTestStack(new App());
    new ObjectRestoreWorkflow(stack, 'ObjectRestore', { vpc, encryptionKey: key, functionSubnets, buckets: [dumpBucket, archiveBucket], targetBuckets: [dumpBucket] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'ListUploads', Effect: 'Allow', Action: 's3:ListBucketMultipartUploads', Resource: { 'Fn::GetAtt': [stack.getLogicalId(dumpBucket.node.defaultChild as s3.CfnBucket), 'Arn'] },
        }]),
      },
    });
  });

  test.each([
    [{ buckets: [] }, /`buckets` must name at least one bucket, got none/],
    [{ archivePollInterval: Duration.seconds(10) }, /`archivePollInterval` must be 1 minute to 6 hours, got 10 seconds/],
    [{ archiveReadyWithin: Duration.days(10) }, /`archiveReadyWithin` must be 1 to 119 hours with archivePollInterval 1 hour .*, got 240 hours$/],
    // Before: accepted up to 168 hours, the restore's whole 7-day timeout: the execution timed out before the copies (and without cleanup).
    [{ archiveReadyWithin: Duration.hours(168) }, /`archiveReadyWithin` must be 1 to 119 hours with archivePollInterval 1 hour \(the restore's 7-day timeout keeps 48 hours for the copying and cleanup after the retrievals, and the deadline is noticed up to one poll late\), got 168 hours$/],
    [{ archiveReadyWithin: Duration.hours(120) }, /`archiveReadyWithin` must be 1 to 119 hours with archivePollInterval 1 hour .*, got 120 hours$/],
    [{ archivePollInterval: Duration.hours(6), archiveReadyWithin: Duration.hours(115) }, /`archiveReadyWithin` must be 1 to 114 hours with archivePollInterval 6 hours .*, got 115 hours$/],
    [{ archiveReadyWithin: Duration.minutes(30) }, /`archiveReadyWithin` must be 1 to 119 hours with archivePollInterval 1 hour .*, got 0.5 hours$/],
    [{ archivePollInterval: Duration.millis(90500) }, /`archivePollInterval` must be a whole number of seconds, got 1 minute 30 seconds \(90500 milliseconds\)$/],
    // Before: accepted; the retrieval checks would run into Step Functions' 25,000 history events, ending the restore without its cleanup.
    [{ archivePollInterval: Duration.minutes(1), archiveReadyWithin: Duration.hours(48) }, /`archiveReadyWithin` may be at most 2000 times `archivePollInterval` \(1 day 9 hours with archivePollInterval 1 minute\): .* got 2 days, 2880 polls$/],
    // Before: a workflow that could write its copies nowhere.
    [{ targetBuckets: [] }, /`targetBuckets` must name at least one bucket when set \(leave it unset to write the copies to `buckets`\), got none$/],
  ])('rejects %j', (props, message) => {
    expect(() => objects(props as Partial<ObjectRestoreWorkflowProps>)).toThrow(new RegExp(`^Stack/ObjectRestore: ${message.source}`));
  });

  // Before: accepted; the bucket was granted and listed twice, or another was meant.
  test.each<[string, (f: ReturnType<typeof restoreTestStack>) => Partial<ObjectRestoreWorkflowProps>, RegExp]>([
    ['a bucket twice in buckets', (f) => ({ buckets: [f.dumpBucket, f.archiveBucket, f.dumpBucket] }), /^Stack\/ObjectRestore: `buckets` may name each bucket once, got Stack\/DumpBucket twice \(\[0\] and \[2\]\)$/],
    ['one bucket imported twice by name', (f) => ({ buckets: [s3.Bucket.fromBucketName(f.stack, 'A', 'shop-dumps'), s3.Bucket.fromBucketName(f.stack, 'B', 'shop-dumps')] }),
      /^Stack\/ObjectRestore: `buckets` may name each bucket once, got 'shop-dumps' twice \(\[0\] and \[1\]\)$/],
    ['a bucket twice in targetBuckets', (f) => ({ targetBuckets: [f.dumpBucket, f.dumpBucket] }), /^Stack\/ObjectRestore: `targetBuckets` may name each bucket once, got Stack\/DumpBucket twice \(\[0\] and \[1\]\)$/],
  ])('rejects %s', (_name, props, message) => {
    const f = restoreTestStack(new App());
    expect(() => new ObjectRestoreWorkflow(f.stack, 'ObjectRestore', { vpc: f.vpc, encryptionKey: f.key, functionSubnets, buckets: [f.dumpBucket, f.archiveBucket], ...props(f) })).toThrow(message);
  });

  test.each([
    [Duration.hours(119), Duration.hours(1)],
    [Duration.hours(114), Duration.hours(6)],
    [Duration.hours(1), Duration.minutes(1)],
  ])('archiveReadyWithin %s with archivePollInterval %s is accepted', (archiveReadyWithin, archivePollInterval) => {
    expect(() => objects({ archiveReadyWithin, archivePollInterval })).not.toThrow();
  });

  test('the same bucket in buckets and targetBuckets is accepted (the default is the same list)', () => {
    const f = restoreTestStack(new App());
    expect(() => new ObjectRestoreWorkflow(f.stack, 'ObjectRestore', { vpc: f.vpc, encryptionKey: f.key, functionSubnets, buckets: [f.dumpBucket], targetBuckets: [f.dumpBucket] })).not.toThrow();
  });
});
