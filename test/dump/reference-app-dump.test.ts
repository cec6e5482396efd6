/**
 * The reference app's S3 tiers and daily dump: wired to the ReplicatedMySql replica, zero
 * unacknowledged compliance findings for these parts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import { buildReferenceApp } from '../../bin/reference-app';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';

const context = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
const MINE = ['BackupDrPrimary/Default/BackupBuckets', 'BackupDrPrimary/Default/DatabaseDump', 'BackupDrRecovery/Default/Buckets'];

test('the dump job dumps the replica into the backup buckets, which replicate to the recovery stack\'s buckets', () => {
  const app = new App({ context });
  const { primary, recovery } = buildReferenceApp(app);
  const template = Template.fromStack(primary);
  const replica = primary.resolve((primary.database.replica.node.defaultChild as rds.CfnDBInstance).ref);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ DB_HOST: { 'Fn::GetAtt': [replica.Ref, 'Endpoint.Address'] }, PAUSE_REPLICATION: 'true' }) },
  });
  template.hasOutput('DumpStateMachineArn', {});
  const command = JSON.stringify(template.findOutputs('BackupNowCommand').BackupNowCommand.Value);
  for (const flag of ['npx cdk-backup-dr backup now', '--state-machine ', '--vault ', '--backup-role-arn ', '--resource-arn ', ':volume/']) {
    expect(command).toContain(flag);
  }
  const replicaBuckets = Template.fromStack(recovery);
  replicaBuckets.hasResourceProperties('AWS::S3::Bucket', {
    BucketName: { 'Fn::Join': ['', ['cdk-backup-dr-daily-', { Ref: 'AWS::AccountId' }, `-${recovery.region}`]] },
  });
  template.hasResourceProperties('AWS::S3::Bucket', {
    ReplicationConfiguration: { Rules: [Match.objectLike({ Destination: Match.objectLike({
      Bucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::cdk-backup-dr-daily-', { Ref: 'AWS::AccountId' }, `-${recovery.region}`]] },
    }) })] },
  });
  expect(primary.dependencies.map((stack) => stack.stackName)).toContain(recovery.stackName);
});

test('the reference app\'s buckets and dump job have zero unacknowledged compliance findings', () => {
  const app = appWithComplianceGates({ context });
  buildReferenceApp(app);
  const findings = complianceFindings(app).filter((f) => MINE.some((path) => f.path.startsWith(path)) || /DatabaseDump|BackupBuckets|BackupDrRecovery\/Default\/Buckets/.test(f.path));
  expect(describeFindings(findings)).toEqual('');
});
