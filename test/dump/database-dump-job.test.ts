import { CfnParameter, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseDumpJob, DatabaseDumpJobProps, ReplicationPauseMethod } from '../../lib/dump/database-dump-job';
import { certificateBlocks, rdsRootCertificates } from '../../lib/dump/rds-certificate-authorities';
import { dumpJobStack } from './fixtures';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';
import { LAST_IN_LIST_ALLOWED, LAST_IN_LIST_CRONS } from '../support/last-in-list-crons';
import { NTH_WEEKDAY_NOT_ALONE_CRONS } from '../support/nth-weekday-list-crons';
import { ALLOWED_CRON_VALUES, OUT_OF_RANGE_CRONS } from '../support/out-of-range-crons';
import { stateMachineDefinition, validateDefinition } from '../support/local-state-machine';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function synth(overrides: Partial<DatabaseDumpJobProps> = {}): { template: Template; job: DatabaseDumpJob } {
  const stack = new Stack(undefined, 'S', { env: ENV });
  const job = dumpJobStack(stack, overrides);
  return { template: Template.fromStack(stack), job };
}

describe('DatabaseDumpJob defaults', () => {
  const { template } = synth();

  test('the task runs the real dump script in the official MySQL image, then the upload script in the AWS CLI image', () => {
    const dumpScript = readFileSync(join(__dirname, '..', '..', 'lib', 'dump', 'scripts', 'dump-database.sh'), 'utf8');
    const uploadScript = readFileSync(join(__dirname, '..', '..', 'lib', 'dump', 'scripts', 'upload-dump.sh'), 'utf8');
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '4096',
      EphemeralStorage: { SizeInGiB: 50 },
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Volumes: [{ Name: 'dump' }],
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'dump',
          Image: 'public.ecr.aws/docker/library/mysql:8.4',
          Essential: false,
          User: '999:999',
          ReadonlyRootFilesystem: true,
          Memory: 3584,
          EntryPoint: ['bash', '-c'],
          Command: [dumpScript],
          MountPoints: [{ SourceVolume: 'dump', ContainerPath: '/var/lib/mysql', ReadOnly: false }],
          Environment: Match.arrayWith([
            { Name: 'DB_HOST', Value: 'replica.example.internal' },
            { Name: 'DB_TLS', Value: 'required' },
            { Name: 'DUMP_BINARY', Value: 'mysqldump' },
            { Name: 'DUMP_DIR', Value: '/var/lib/mysql/run' },
          ]),
          Secrets: [
            { Name: 'DB_USER', ValueFrom: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf:username::' },
            { Name: 'DB_PASSWORD', ValueFrom: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf:password::' },
          ],
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
        Match.objectLike({
          Name: 'upload',
          Image: 'public.ecr.aws/aws-cli/aws-cli:latest',
          Essential: true,
          User: '999:999',
          ReadonlyRootFilesystem: true,
          Memory: 512,
          Command: [uploadScript],
          DependsOn: [{ ContainerName: 'dump', Condition: 'SUCCESS' }],
        }),
      ],
    });
  });

  test('the schedule starts the workflow every day at 03:00 UTC, and the workflow logs, traces and encrypts', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      Target: Match.objectLike({ Input: '{"forceYearly":false}', RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 3 } }),
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      Tags: Match.arrayWith([{ Key: 'cdk-backup-dr:workflow', Value: 'backup' }]),
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
    });
  });

  test('the dead-letter queues (schedule invocations that never started the workflow, failed function invocations) are kept when they leave the stack', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues).some((id) => id.startsWith('DumpScheduleDeadLetters'))).toBe(true);
    expect(Object.values(queues).map((queue) => [queue.DeletionPolicy, queue.UpdateReplacePolicy])).toEqual([['Retain', 'Retain'], ['Retain', 'Retain']]);
  });

  test('the function reads the replica settings from its environment, with replication not paused', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({
        DB_HOST: 'replica.example.internal', DB_PORT: '3307', DB_TLS: 'required', PAUSE_REPLICATION: 'false', REPLICATION_CONTROL: 'rds', DATABASES: '', MAX_REPLICA_LAG_SECONDS: '300',
        DAILY_BUCKET: { Ref: Match.stringLikeRegexp('BucketsDaily') }, ARCHIVE_BUCKET: { Ref: Match.stringLikeRegexp('BucketsArchive') },
      }) },
    });
  });

  test('the replica admits the job on its port; the task role may only put under daily/: the task never writes to the archive bucket', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 3307, ToPort: 3307, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DumpSecurityGroup'), 'GroupId'] },
    });
    const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: 'S/Dump: upload the dump and its checksum under the run\'s daily prefix' } });
    expect(Object.values(policies).map((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([[
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/BucketsDaily/), 'Arn'] }, '/daily/*']] },
      },
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/BucketsDaily.*Key|BucketsKey/), 'Arn'] } }),
    ]]);
    // Nor does the upload container learn where the archive copy goes.
    const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const upload = (task.Properties.ContainerDefinitions as Array<{ Name: string; Environment: Array<{ Name: string }> }>).find((container) => container.Name === 'upload')!;
    expect(upload.Environment.map((entry) => entry.Name).sort()).toEqual(['DAILY_BUCKET', 'DAILY_PREFIX', 'DUMP_DIR']);
    const definition = stateMachineDefinition(template);
    expect(definition.States.Dump.Parameters.Overrides.ContainerOverrides.find((o: { Name: string }) => o.Name === 'upload').Environment).toEqual([
      { Name: 'DAILY_PREFIX', 'Value.$': '$.prepared.value.dailyPrefix' },
    ]);
  });

  test('the function reads the daily copy and writes the archive copy (reading it only where a write found it already there: HeadObject is s3:GetObject), and may abort the uploads a failed run left open under daily/ and yearly/', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'S/Dump: read back the uploaded dump, copy a verified yearly run to the archive, write the manifests',
      PolicyDocument: { Statement: Match.arrayWith([
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('BucketsDaily'), 'Arn'] }, '/daily/*']] },
        },
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('BucketsArchive'), 'Arn'] }, '/yearly/*']] },
        },
        {
          Effect: 'Allow',
          Action: 's3:ListBucketMultipartUploads',
          Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('BucketsDaily'), 'Arn'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('BucketsArchive'), 'Arn'] }],
        },
      ]) },
    });
  });

  test('the workflow: prepare, inspect, dump task (.sync), finalize, resume; every failure from Inspect (which pauses) on resumes the replication the run paused', () => {
    const definition = stateMachineDefinition(template);
    expect(validateDefinition(definition)).toEqual([]);
    expect(definition.StartAt).toBe('Defaults');
    expect(definition.States.Dump.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
    expect(definition.States.Dump.TimeoutSeconds).toBe(6 * 3600);
    // Prepare changes nothing on the replica; Inspect pauses it, so a failure there, its own
    // crash or timeout included, resumes; but not a replication Inspect found stopped by someone else.
    expect(definition.States.Prepare.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'DumpFailed' }]);
    expect(definition.States.Prepare.ResultPath).toBe('$.planned');
    expect(definition.States.Prepare.Next).toBe('Inspect');
    expect(definition.States.Inspect.Parameters.Payload).toEqual({ action: 'inspect', 'plan.$': '$.planned.value' });
    expect(definition.States.Inspect.ResultPath).toBe('$.prepared');
    expect(definition.States.Inspect.TimeoutSeconds).toBe(900);
    expect(definition.States.Inspect.Catch).toEqual([
      { ErrorEquals: ['ReplicationStoppedElsewhere'], ResultPath: '$.error', Next: 'DumpFailed' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ResumeAfterFailure' },
    ]);
    expect(definition.States.Inspect.Next).toBe('Dump');
    // A failure of the dump task or Finalize resumes replication first, then aborts the run's
    // open uploads (whose retries may take 45 minutes); whatever the resume's outcome, and a failed abort
    // does not change how the run ends.
    for (const state of ['Dump', 'Finalize']) {
      expect(definition.States[state].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ResumeAfterFailure' }]);
    }
    for (const state of ['Resume', 'ResumeAfterFailure']) {
      expect(definition.States[state].Parameters.Payload).toEqual({ action: 'resume', 'replicationPaused.$': '$.planned.value.pauseReplication' });
    }
    expect(definition.States.ResumeAfterFailure.Next).toBe('UploadsMayBeOpen');
    expect(definition.States.UploadsMayBeOpen).toEqual({
      Type: 'Choice', Choices: [{ Variable: '$.prepared', IsPresent: true, Next: 'AbortUploads' }], Default: 'HowTheRunFails',
    });
    expect(definition.States.AbortUploads.Parameters.Payload).toEqual({ action: 'abort-uploads', 'run.$': '$.prepared.value' });
    expect(definition.States.AbortUploads.ResultPath).toBe('$.uploadsAborted');
    expect(definition.States.AbortUploads.Next).toBe('HowTheRunFails');
    expect(definition.States.AbortUploads.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.abortError', Next: 'HowTheRunFails' }]);
    expect(definition.States.HowTheRunFails).toEqual({
      Type: 'Choice',
      Choices: [
        { And: [{ Variable: '$.resumeError', IsPresent: true }, { Variable: '$.resumeError.Error', StringEquals: 'ReplicationStoppedElsewhere' }], Next: 'ReplicationLeftStopped' },
        { Variable: '$.resumeError', IsPresent: true, Next: 'ResumeFailed' },
      ],
      Default: 'DumpFailed',
    });
    // A channel someone else stopped during the window is left stopped by Resume: its error is
    // not retried (its retrier comes before States.ALL's; CDK's for Lambda service errors come first), and the run ends with it as the cause.
    for (const state of ['Resume', 'ResumeAfterFailure']) {
      expect(definition.States[state].Retry.slice(-2)).toEqual([
        { ErrorEquals: ['ReplicationStoppedElsewhere'], MaxAttempts: 0 },
        expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 5 }),
      ]);
    }
    expect(definition.States.Resume.Catch).toEqual([
      { ErrorEquals: ['ReplicationStoppedElsewhere'], ResultPath: '$.resumeError', Next: 'ReplicationLeftStoppedAfterDump' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.resumeError', Next: 'ResumeFailedAfterDump' },
    ]);
    expect(definition.States.ResumeAfterFailure.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.resumeError', Next: 'UploadsMayBeOpen' }]);
    for (const leftStopped of ['ReplicationLeftStoppedAfterDump', 'ReplicationLeftStopped']) {
      expect(definition.States[leftStopped]).toEqual({ Type: 'Fail', Error: 'ReplicationStoppedElsewhere', CausePath: '$.resumeError.Cause' });
    }
    // The on-call engineer is told not to start such a replication as one the run left paused.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('Check that replication runs on the replica, unless the run ended with ReplicationStoppedElsewhere: someone else stopped it, and the run left it stopped'),
    });
    expect(definition.States.ResumeFailedAfterDump).toMatchObject({ Type: 'Fail', Error: 'ReplicationNotResumed', Cause: expect.stringContaining('start it by hand (CALL mysql.rds_start_replication)') });
    // The run reports what the manifests record (Finalize), not what Prepare intended.
    expect(definition.States.WhereTheCopiesLanded.Parameters['replicationPaused.$']).toBe('$.finalized.value.replicationPaused');
    // The yearly copy too: one Prepare planned but Finalize skipped (another run copied the year) has no archive prefix, and says why.
    expect(definition.States.WhereTheCopiesLanded.Parameters).toMatchObject({
      'archiveBucket.$': '$.finalized.value.archiveBucket', 'archivePrefix.$': '$.finalized.value.archivePrefix', 'archiveCopySkipped.$': '$.finalized.value.archiveCopySkipped',
    });
  });

  test('the execution outlasts its longest path, so that its own timeout (which nothing catches) never cuts off resuming replication', () => {
    const definition = stateMachineDefinition(template);
    // Every attempt of a step up to its timeout, and the waits between them.
    const longest = (name: string): number => {
      const state = definition.States[name];
      expect(state.TimeoutSeconds).toBeGreaterThan(0);
      const retry = (state.Retry ?? []).find((r: { ErrorEquals: string[] }) => r.ErrorEquals.includes('States.ALL'));
      let seconds = state.TimeoutSeconds;
      for (let attempt = 0; attempt < (retry?.MaxAttempts ?? 0); attempt++) {
        seconds += retry.IntervalSeconds * retry.BackoffRate ** attempt + state.TimeoutSeconds;
      }
      return seconds;
    };
    const paths = [['Prepare', 'Inspect', 'Dump', 'Finalize', 'ResumeAfterFailure', 'AbortUploads'], ['Prepare', 'Inspect', 'Dump', 'Finalize', 'Resume']];
    for (const path of paths) {
      expect(definition.TimeoutSeconds).toBeGreaterThan(path.map(longest).reduce((a, b) => a + b, 0));
    }
    expect(definition.States.Dump.TimeoutSeconds).toBe(6 * 3600);
  });
});

describe('DatabaseDumpJob overrides', () => {
  test('pause, method, databases, sizes, schedule, binary, TLS and timeout', () => {
    const { template } = synth({
      pauseReplication: true,
      pauseMethod: ReplicationPauseMethod.SQL_STATEMENTS,
      databases: ['shop', 'audit'],
      cpu: 2048,
      memoryLimitMiB: 8192,
      ephemeralStorageGiB: 200,
      schedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '1' }),
      dumpBinary: 'mariadb-dump',
      tls: false,
      dumpTimeout: Duration.hours(12),
      maxReplicaLag: Duration.minutes(1),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PAUSE_REPLICATION: 'true', REPLICATION_CONTROL: 'sql', DATABASES: 'shop audit', DB_TLS: 'off', MAX_REPLICA_LAG_SECONDS: '60' }) },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '2048', Memory: '8192', EphemeralStorage: { SizeInGiB: 200 },
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Name: 'dump', Memory: 7680, Environment: Match.arrayWith([{ Name: 'DUMP_BINARY', Value: 'mariadb-dump' }, { Name: 'DUMP_DATABASES', Value: 'shop audit' }]) })]),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 1 * * ? *)' });
    expect(stateMachineDefinition(template).States.Dump.TimeoutSeconds).toBe(12 * 3600);
    // Starting replication by hand names the statements of the method, not the RDS procedure.
    for (const state of ['ResumeFailed', 'ResumeFailedAfterDump']) {
      const { Cause: cause } = stateMachineDefinition(template).States[state];
      expect(cause).toContain("start it by hand (START REPLICA 'name' SQL_THREAD on MariaDB, START REPLICA SQL_THREAD FOR CHANNEL 'name' on MySQL, on each channel whose applier is stopped, except one that Resume's error says someone else stopped)");
      expect(cause).not.toContain('rds_start_replication');
    }
  });

  test('the workflow\'s description claims checksums of the dumped data only when replication is paused', () => {
    const description = (pauseReplication: boolean): string => {
      const [machine] = Object.values(synth({ pauseReplication }).template.findResources('AWS::StepFunctions::StateMachine'));
      return String((machine.Metadata as Record<string, { description?: string }>)['cdk-backup-dr'].description);
    };
    expect(description(true)).toContain('row counts and checksums of the dumped data (replication is paused for the dump)');
    const unpaused = description(false);
    expect(unpaused).toContain('GTID position read before the dump and row counts and checksums taken after it while replication ran on (not those of the dumped data)');
    expect(unpaused).not.toContain('of the dumped data (');
  });

  test('replicationPauseLimit: with a pause, the dump\'s timeout and the Inspect, Finalize and Resume steps (15 minutes each); none without', () => {
    expect(synth({ pauseReplication: true }).job.replicationPauseLimit?.toMinutes()).toBe(6 * 60 + 45);
    expect(synth({ pauseReplication: true, dumpTimeout: Duration.hours(2) }).job.replicationPauseLimit?.toMinutes()).toBe(2 * 60 + 45);
    expect(synth({ pauseReplication: false }).job.replicationPauseLimit).toBeUndefined();
  });

  test('without an archive bucket the job writes only the daily copy', () => {
    const stack = new Stack(undefined, 'S', { env: ENV });
    dumpJobStack(stack, { archiveBucket: undefined });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ARCHIVE_BUCKET: '' }) } });
  });
});

describe('DatabaseDumpJob TLS certificate authorities', () => {
  const dumpEnvironment = (template: Template): Array<{ Name: string; Value: unknown }> => {
    const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const dump = (definition.Properties.ContainerDefinitions as Array<{ Name: string; Environment: Array<{ Name: string; Value: unknown }> }>).find((container) => container.Name === 'dump')!;
    return dump.Environment;
  };
  const variable = (template: Template, name: string): unknown => dumpEnvironment(template).find((entry) => entry.Name === name)?.Value;
  const commonNames = (pem: string): string[] => certificateBlocks(pem).map((block) => /^CN=(.*)$/m.exec(new X509Certificate(block).subject)![1]).sort();

  test('by default the dump verifies the replica against the current Amazon RDS roots of the stack\'s region', () => {
    const { template, job } = synth();
    expect(commonNames(String(variable(template, 'DB_CA_CERTIFICATES')))).toEqual([
      'Amazon RDS eu-west-1 Root CA ECC384 G1', 'Amazon RDS eu-west-1 Root CA RSA2048 G1', 'Amazon RDS eu-west-1 Root CA RSA4096 G1',
    ]);
    Annotations.fromStack(Stack.of(job)).hasNoWarning('*', Match.stringLikeRegexp('certificate'));
  });

  test('expired roots and other regions\' roots are left out', () => {
    // af-south-1's first root ("Amazon RDS af-south-1 Root CA") expired in October 2024; its G1 roots are current.
    expect(commonNames(rdsRootCertificates('af-south-1', new Date('2023-01-01T00:00:00Z'))!)).toContain('Amazon RDS af-south-1 Root CA');
    expect(commonNames(rdsRootCertificates('af-south-1')!)).not.toContain('Amazon RDS af-south-1 Root CA');
    expect(commonNames(rdsRootCertificates('us-east-1')!).every((name) => name.startsWith('Amazon RDS us-east-1 Root CA '))).toBe(true);
    expect(rdsRootCertificates('xx-nowhere-1')).toBeUndefined();
  });

  test('given authorities replace them; with TLS off there are none', () => {
    const own = rdsRootCertificates('us-east-1')!;
    expect(variable(synth({ tlsCertificateAuthorities: own }).template, 'DB_CA_CERTIFICATES')).toBe(own);
    expect(variable(synth({ tls: false }).template, 'DB_CA_CERTIFICATES')).toBeUndefined();
  });

  test('an environment-agnostic stack gets no authorities, and synth warns', () => {
    const stack = new Stack(undefined, 'S');
    dumpJobStack(stack, {});
    expect(variable(Template.fromStack(stack), 'DB_CA_CERTIFICATES')).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/S/Dump', Match.stringLikeRegexp("The stack's region is not known at synth: the dump connects to the replica over TLS without verifying its certificate"));
  });
});

describe('DatabaseDumpJob IAM beyond the buckets', () => {
  test('the function may read the database secret\'s value, the one Secrets Manager call its code makes, and not describe it', () => {
    const { template } = synth();
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Description: 'S/Dump: read back the uploaded dump, copy a verified yearly run to the archive, write the manifests' },
    }));
    const secretStatements = (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')));
    expect(secretStatements).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf' },
    ]);
  });

  test('the workflow\'s acknowledged Resource::* says why for each action granted on it: ECS\'s task ids, and the X-Ray and log delivery calls without resources', () => {
    const { job, template } = synth();
    const workflowPolicy = (job.stateMachine as sfn.StateMachine).role.node.tryFindChild('DefaultPolicy')!;
    const reasons = workflowPolicy.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((entry) => (entry.data as Record<string, string>)['Annotation::AwsSolutions-IAM5[Resource::*]']).filter((reason) => reason !== undefined);
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^DumpRoleDefaultPolicy') } }));
    const onEverything = (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((statement) => statement.Resource === '*').flatMap((statement) => [statement.Action].flat()).sort();
    expect(onEverything).toEqual([
      'ecs:DescribeTasks', 'ecs:StopTask',
      'logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery',
      'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
    ]);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/ecs:StopTask and ecs:DescribeTasks: .*task's id/);
    expect(reasons[0]).toMatch(/X-Ray/);
    expect(reasons[0]).toMatch(/log delivery/);
  });
});

describe('DatabaseDumpJob use of the buckets\' keys', () => {
  const STEPS = 'S/Dump: read back the uploaded dump, copy a verified yearly run to the archive, write the manifests';
  const UPLOAD = 'S/Dump: upload the dump and its checksum under the run\'s daily prefix';
  const kmsStatements = (template: Template, description: string): unknown[] => {
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: description } }));
    return (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('kms:')))
      .filter((statement) => JSON.stringify(statement.Resource).includes('Buckets') || JSON.stringify(statement.Resource).includes(':kms:'));
  };
  const viaS3 = (region: unknown) => ({ StringEquals: { 'kms:ViaService': region } });

  test('the function and the task use a bucket\'s key only through S3 in the bucket\'s region (GenerateDataKey to write, Decrypt to read and to complete a multipart upload or copy)', () => {
    const { template } = synth();
    const bucketKey = { 'Fn::GetAtt': [expect.stringMatching(/^BucketsKey/), 'Arn'] };
    const statement = { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: bucketKey, Condition: viaS3('s3.eu-west-1.amazonaws.com') };
    expect(kmsStatements(template, STEPS)).toEqual([statement]);
    expect(kmsStatements(template, UPLOAD)).toEqual([statement]);
  });

  test('an archive bucket in another region than the stack (an off-site copy) has its key used through S3 in its own region; the task never uses it', () => {
    const stack = new Stack(undefined, 'S', { env: ENV });
    const offSiteKey = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const archiveBucket = s3.Bucket.fromBucketAttributes(stack, 'OffSite', {
      bucketName: 'off-site-archive', region: 'us-east-1', encryptionKey: kms.Key.fromKeyArn(stack, 'OffSiteKey', offSiteKey),
    });
    dumpJobStack(stack, { archiveBucket });
    const template = Template.fromStack(stack);
    const dailyKey = { 'Fn::GetAtt': [expect.stringMatching(/^BucketsKey/), 'Arn'] };
    expect(kmsStatements(template, STEPS)).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: dailyKey, Condition: viaS3('s3.eu-west-1.amazonaws.com') },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: offSiteKey, Condition: viaS3('s3.us-east-1.amazonaws.com') },
    ]);
    expect(kmsStatements(template, UPLOAD)).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: dailyKey, Condition: viaS3('s3.eu-west-1.amazonaws.com') },
    ]);
  });

  test('in an environment-agnostic stack the condition names the region CloudFormation deploys to', () => {
    const stack = new Stack(undefined, 'S');
    dumpJobStack(stack);
    const template = Template.fromStack(stack);
    const deployRegion = viaS3({ 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] });
    expect(kmsStatements(template, STEPS)).toEqual([expect.objectContaining({ Condition: deployRegion })]);
    expect(kmsStatements(template, UPLOAD)).toEqual([expect.objectContaining({ Condition: deployRegion })]);
  });
});

describe('DatabaseDumpJob validation', () => {
  test.each<[string, Partial<DatabaseDumpJobProps>, string]>([
    ['a CPU value Fargate does not offer', { cpu: 3000 }, 'S/Dump: `cpu` must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 CPU units, got 3000'],
    ['memory outside the CPU\'s range', { cpu: 256, memoryLimitMiB: 4096 },
      "S/Dump: `memoryLimitMiB` must be 1024 or 2048 MiB for 256 CPU units (Fargate's sizes that leave the dump container memory beside the upload container's 512 MiB), got 4096 MiB"],
    ['memory between the sizes Fargate offers for the CPU', { cpu: 256, memoryLimitMiB: 1536 }, 'must be 1024 or 2048 MiB for 256 CPU units'],
    ['memory off the step of a larger CPU', { cpu: 8192, memoryLimitMiB: 18432 }, 'must be 16384 to 61440 MiB in steps of 4096 MiB for 8192 CPU units'],
    ['a task no larger than the upload container', { cpu: 256, memoryLimitMiB: 512 },
      "S/Dump: `memoryLimitMiB` must be 1024 or 2048 MiB for 256 CPU units (Fargate's sizes that leave the dump container memory beside the upload container's 512 MiB), got 512 MiB"],
    ['too little ephemeral storage', { ephemeralStorageGiB: 20 }, 'S/Dump: `ephemeralStorageGiB` must be a whole number from 21 to 200 GiB, got 20 GiB'],
    ['a dump timeout over a day', { dumpTimeout: Duration.hours(25) }, 'S/Dump: `dumpTimeout` must be 1 minute to 24 hours, got 1 day 1 hour'],
    ['no replica lag allowed at all', { maxReplicaLag: Duration.seconds(0) }, 'S/Dump: `maxReplicaLag` must be a whole number of seconds from 1 second to 1 day, got 0 seconds'],
    ['a replica lag of a fraction of a second', { maxReplicaLag: Duration.millis(1500) }, 'S/Dump: `maxReplicaLag` must be a whole number of seconds from 1 second to 1 day, got 1 second 500 millis'],
    ['a replica lag under a second', { maxReplicaLag: Duration.millis(500) }, 'S/Dump: `maxReplicaLag` must be a whole number of seconds from 1 second to 1 day, got 500 millis'],
    ['a replica lag of more than a day', { maxReplicaLag: Duration.days(30) }, 'S/Dump: `maxReplicaLag` must be a whole number of seconds from 1 second to 1 day, got 30 days'],
    ['another dump program', { dumpBinary: 'mydumper' }, "S/Dump: `dumpBinary` must be 'mysqldump' or 'mariadb-dump', got 'mydumper'"],
    ['a system schema', { databases: ['shop', 'mysql'] }, "S/Dump: `databases` must hold database names of 1 to 64 characters without white space and no system schema, got 'mysql'"],
    ['a name with a space', { databases: ['my shop'] }, "got 'my shop'"],
    // Before: accepted; the dump named the database twice.
    ['a database twice', { databases: ['shop', 'billing', 'shop'] }, "S/Dump: `databases` may name each database once, got 'shop' twice ([0] and [2])"],
    ['certificate authorities that are not PEM', { tlsCertificateAuthorities: 'not a certificate' },
      'S/Dump: `tlsCertificateAuthorities` must hold PEM certificates (-----BEGIN CERTIFICATE----- blocks) of at most 32 KiB, got 17 characters with 0 certificate(s)'],
    // Before: ignored without a word, so the method the user chose was never used.
    ['a pause method without pausing', { pauseMethod: ReplicationPauseMethod.SQL_STATEMENTS },
      "S/Dump: `pauseMethod` applies only when `pauseReplication` is true (replication is not paused otherwise); set `pauseReplication: true` or leave it out, got pauseMethod 'sql' with pauseReplication unset (false)"],
    ['a pause method with pausing turned off', { pauseReplication: false, pauseMethod: ReplicationPauseMethod.RDS_PROCEDURES },
      "S/Dump: `pauseMethod` applies only when `pauseReplication` is true (replication is not paused otherwise); set `pauseReplication: true` or leave it out, got pauseMethod 'rds' with pauseReplication false"],
    ['certificate authorities without TLS', { tls: false, tlsCertificateAuthorities: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
      'S/Dump: `tlsCertificateAuthorities` applies only to a TLS connection; leave it out or `tls` unset (true), got tlsCertificateAuthorities with tls false'],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });

  // Just outside each end of Fargate's memory sizes for every CPU value (the ECS task definition reference).
  test.each<[number, number, string]>([
    [256, 3072, '1024 or 2048 MiB'],
    [512, 512, '1024, 2048, 3072 or 4096 MiB'],
    [512, 5120, '1024, 2048, 3072 or 4096 MiB'],
    [1024, 1024, '2048 to 8192 MiB in steps of 1024 MiB'],
    [1024, 9216, '2048 to 8192 MiB in steps of 1024 MiB'],
    [2048, 3072, '4096 to 16384 MiB in steps of 1024 MiB'],
    [2048, 17408, '4096 to 16384 MiB in steps of 1024 MiB'],
    [4096, 7168, '8192 to 30720 MiB in steps of 1024 MiB'],
    [4096, 31744, '8192 to 30720 MiB in steps of 1024 MiB'],
    [8192, 12288, '16384 to 61440 MiB in steps of 4096 MiB'],
    [8192, 65536, '16384 to 61440 MiB in steps of 4096 MiB'],
    [16384, 24576, '32768 to 122880 MiB in steps of 8192 MiB'],
    [16384, 131072, '32768 to 122880 MiB in steps of 8192 MiB'],
    [16384, 36864, '32768 to 122880 MiB in steps of 8192 MiB'],
  ])('rejects %i CPU units with %i MiB, naming the sizes Fargate offers for them', (cpu, memory, allowed) => {
    expect(() => synth({ cpu, memoryLimitMiB: memory })).toThrow(`S/Dump: \`memoryLimitMiB\` must be ${allowed} for ${cpu} CPU units`);
    expect(() => synth({ cpu, memoryLimitMiB: memory })).toThrow(`got ${memory} MiB`);
  });

  test.each([[256, 1024], [256, 2048], [512, 1024], [8192, 20480], [16384, 122880]])('accepts %i CPU units with %i MiB, a size Fargate offers for them', (cpu, memory) => {
    const { template } = synth({ cpu, memoryLimitMiB: memory });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: String(cpu),
      Memory: String(memory),
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Name: 'dump', Memory: memory - 512 })]),
    });
  });

  // Props that take a CfnParameter: a number, a string or a list of strings.
  const number = (stack: Stack): number => new CfnParameter(stack, 'Token', { type: 'Number' }).valueAsNumber;
  const text = (stack: Stack): string => new CfnParameter(stack, 'Token').valueAsString;
  const withToken = (overrides: (stack: Stack) => Partial<DatabaseDumpJobProps>): Stack => {
    const stack = new Stack(undefined, 'S', { env: ENV });
    dumpJobStack(stack, overrides(stack));
    return stack;
  };

  test.each<[string, (stack: Stack) => Partial<DatabaseDumpJobProps>, string]>([
    // The execution's timeout is the dump's plus its steps': a token swallows the sum, and the run would end before resuming replication.
    ['a token dump timeout in seconds', (stack) => ({ dumpTimeout: Duration.seconds(number(stack)) }),
      "S/Dump: `dumpTimeout` must be a concrete duration of 1 minute to 24 hours (the workflow's own timeout, the dump's plus the time of the steps that resume replication, is computed from it at synth), got an unresolved token"],
    ['a token dump timeout in minutes', (stack) => ({ dumpTimeout: Duration.minutes(number(stack)) }), 'S/Dump: `dumpTimeout` must be a concrete duration'],
    // The dump container's memory is the task's less the upload container's.
    ['a token memory', (stack) => ({ memoryLimitMiB: number(stack) }),
      "S/Dump: `memoryLimitMiB` must be a concrete number of MiB (the dump container's memory, the task's less the upload container's 512 MiB, is computed from it at synth), got an unresolved token"],
    // Without the CPU value, Fargate's sizes are unknown; a task no larger than the upload container is still refused.
    ['a token CPU with a task no larger than the upload container', (stack) => ({ cpu: number(stack), memoryLimitMiB: 512 }),
      "S/Dump: `memoryLimitMiB` must be more than the upload container's 512 MiB (the dump container gets the rest), got 512 MiB"],
    ['a token replica lag in another unit than seconds', (stack) => ({ maxReplicaLag: Duration.minutes(number(stack)) }),
      'S/Dump: `maxReplicaLag` must be a concrete whole number of seconds from 1 second to 1 day, or a token given in seconds (`Duration.seconds(token)`, which the function receives as it is), got Duration.minutes(token)'],
    ['a list token of databases', (stack) => ({ databases: new CfnParameter(stack, 'Token', { type: 'CommaDelimitedList' }).valueAsList }),
      'S/Dump: `databases` must be a list of names (the space-separated list of the function and the dump container is joined from it at synth), got an unresolved list token'],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => Template.fromStack(withToken(overrides))).toThrow(message);
  });

  test('a token replica lag in seconds goes to the function as it is, with a warning that its range was not checked', () => {
    const stack = withToken((s) => ({ maxReplicaLag: Duration.seconds(number(s)) }));
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MAX_REPLICA_LAG_SECONDS: { Ref: 'Token' } }) } });
    Annotations.fromStack(stack).hasWarning('/S/Dump', Match.stringLikeRegexp(
      '^S/Dump: `maxReplicaLag` is an unresolved token, so the synth-time check that it is a whole number of seconds from 1 second to 1 day did not run \\(unknown, not passed\\); .*a lag of more than a day lets a dump of stale data pass as the latest backup'));
  });

  // What the checks guard against, AWS does not refuse at deploy: the run dumps with another program, dumps a system schema, or does not verify the replica's certificate.
  test.each<[string, (stack: Stack) => Partial<DatabaseDumpJobProps>, string]>([
    ['dumpBinary', (stack) => ({ dumpBinary: text(stack) }), "`dumpBinary` is an unresolved token, so the synth-time check that it is 'mysqldump' or 'mariadb-dump' did not run"],
    ['databases', (stack) => ({ databases: ['shop', text(stack)] }),
      'a name in `databases` is an unresolved token, so the synth-time check that each name is 1 to 64 characters without white space and no system schema did not run'],
    ['tlsCertificateAuthorities', (stack) => ({ tlsCertificateAuthorities: text(stack) }),
      "`tlsCertificateAuthorities` is an unresolved token, so the synth-time check that it holds PEM certificates of at most 32 KiB did not run (unknown, not passed); an empty value leaves the replica's certificate unverified"],
  ])('a token %s warns that its check did not run', (_prop, overrides, message) => {
    const warnings = Annotations.fromStack(withToken(overrides)).findWarning('/S/Dump', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings.filter((w) => w.includes('unresolved token'))).toEqual([expect.stringContaining(`S/Dump: ${message}`)]);
  });

  // ECS refuses at deploy what Fargate does not offer, but the synth-time check did not run: unknown, not passed.
  test('a token CPU or ephemeral storage goes to ECS as it is, with a warning for each that its check did not run', () => {
    const stack = withToken((s) => ({ cpu: number(s), ephemeralStorageGiB: new CfnParameter(s, 'Storage', { type: 'Number' }).valueAsNumber }));
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: { Ref: 'Token' }, EphemeralStorage: { SizeInGiB: { Ref: 'Storage' } } });
    const warnings = Annotations.fromStack(stack).findWarning('/S/Dump', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings.filter((w) => w.includes('unresolved token'))).toEqual([
      "S/Dump: `cpu` is an unresolved token, so the synth-time check that it is a CPU value of Fargate's CPU and memory table (256, 512, 1024, 2048, 4096, 8192, 16384 CPU units) that offers `memoryLimitMiB` (4096 MiB) did not run (unknown, not passed); ECS receives it as it is and refuses at deploy a CPU value or a CPU and memory pair that Fargate does not offer [ack: cdk-backup-dr:uncheckedToken]",
      'S/Dump: `ephemeralStorageGiB` is an unresolved token, so the synth-time check that it is a whole number from 21 to 200 GiB did not run (unknown, not passed); ECS receives it as it is and refuses at deploy a size outside 21 to 200 GiB [ack: cdk-backup-dr:uncheckedToken]',
    ]);
  });

  test('a replica lag of 1 second to 1 day is taken as it is', () => {
    for (const [lag, seconds] of [[Duration.seconds(1), '1'], [Duration.days(1), '86400']] as const) {
      synth({ maxReplicaLag: lag }).template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MAX_REPLICA_LAG_SECONDS: seconds }) } });
    }
  });
});

test('DatabaseDumpJob passes every compliance gate', () => {
  const app = appWithComplianceGates();
  const stack = new Stack(app, 'S', { env: ENV });
  const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true });
  dumpJobStack(stack, { pauseReplication: true, alarmActions: [new cloudwatchActions.SnsAction(topic)] });
  const findings = complianceFindings(app).filter((f) => f.path.startsWith('S/Dump') || f.path.startsWith('S/Buckets'));
  expect(describeFindings(findings)).toEqual('');
});

test('a cron schedule without exactly one ? in its day fields, or without 6 fields, fails at synth, naming the prop and what EventBridge Scheduler requires', () => {
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression('cron(0 3 * * MON *)') })).toThrow(
    "S/Dump: `schedule` must be cron(minutes hours day-of-month month day-of-week year), with exactly one of day-of-month and day-of-week ? (e.g. cron(0 3 ? * MON *) or cron(0 3 1 * ? *)), as EventBridge Scheduler requires, got 'cron(0 3 * * MON *)'");
  // Before: ? in both passed.
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression('cron(0 3 ? * ? *)') })).toThrow(
    "S/Dump: `schedule` must be cron(minutes hours day-of-month month day-of-week year), with exactly one of day-of-month and day-of-week ? (e.g. cron(0 3 ? * MON *) or cron(0 3 1 * ? *)), as EventBridge Scheduler requires, got 'cron(0 3 ? * ? *)'");
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression('cron(0 3 * * ?)') })).toThrow(/`schedule` must be cron\(minutes hours .*got 'cron\(0 3 \* \* \?\)'/);
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression('cron(0 3 * * ? * 2027)') })).toThrow(/`schedule` must be cron\(minutes hours .*got 'cron\(0 3 \* \* \? \* 2027\)'/);
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression('cron(0 3 ? * MON *)') })).not.toThrow();
});

// Before: each passed the synth, and AWS would refuse the schedule at deploy.
test.each(OUT_OF_RANGE_CRONS)('a cron schedule %s, out of its field\'s range, fails at synth, naming the prop, the value and what is allowed', (expression, why) => {
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression(expression) })).toThrow(new Error(
    `S/Dump: \`schedule\` must have in each field a value EventBridge Scheduler accepts (${ALLOWED_CRON_VALUES}), got '${expression}': ${why}`));
});

// Before: each passed the synth, and AWS would refuse the schedule at deploy.
test.each(NTH_WEEKDAY_NOT_ALONE_CRONS)('a cron schedule %s, with # not alone in the day of the week, fails at synth, naming the prop, the value and what is allowed', (expression, why) => {
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression(expression) })).toThrow(new Error(
    `S/Dump: \`schedule\` must have a day-of-week field EventBridge Scheduler accepts, got '${expression}': ${why}`));
});

// Before: each passed the synth, and AWS would refuse the schedule at deploy.
test.each(LAST_IN_LIST_CRONS)('a cron schedule %s, with L in a list of a day field, fails at synth, naming the prop, the value and what is allowed', (expression, why) => {
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression(expression) })).toThrow(new Error(
    `S/Dump: \`schedule\` ${LAST_IN_LIST_ALLOWED}, got '${expression}': ${why}`));
});

test('a cron schedule with one n#k alone in the day of the week passes the synth', () => {
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression('cron(0 3 ? * 2#1 *)') })).not.toThrow();
  expect(() => synth({ schedule: scheduler.ScheduleExpression.expression('cron(0 3 ? * MON#5 *)') })).not.toThrow();
});

test('a schedule from ScheduleExpression.cron() with a value out of range fails at synth too', () => {
  // cron() checks none of its fields' values; before, this passed.
  expect(() => synth({ schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '25' }) })).toThrow(new Error(
    `S/Dump: \`schedule\` must have in each field a value EventBridge Scheduler accepts (${ALLOWED_CRON_VALUES}), got 'cron(0 25 * * ? *)': the hours field takes 0-23, not 25`));
});
