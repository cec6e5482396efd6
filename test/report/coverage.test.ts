import { App, Aspects, CfnParameter, CfnResource, Duration, Fn, Size, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BackupCoverage, BackupMetadata, BackupRole } from '../../lib';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function guardedStack(): Stack {
  const stack = new Stack(new App(), 'S', { env: ENV });
  Aspects.of(stack).add(new BackupCoverage({ owner: 'dba@example.com' }));
  return stack;
}

function volume(stack: Stack, id: string): ec2.Volume {
  return new ec2.Volume(stack, id, { availabilityZone: Fn.select(0, Fn.getAzs()), size: Size.gibibytes(8), encrypted: true });
}

function table(stack: Stack, id: string): dynamodb.Table {
  return new dynamodb.Table(stack, id, { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
}

/** A plan whose selection lists resources by ARN and by tag `backup=daily`. */
function plan(stack: Stack, resources: backup.BackupResource[]): void {
  const p = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
  p.addSelection('Selection', { resources, allowRestores: false });
}

function dlmPolicy(stack: Stack): void {
  const role = new iam.Role(stack, 'DlmRole', { assumedBy: new iam.ServicePrincipal('dlm.amazonaws.com') });
  new dlm.CfnLifecyclePolicy(stack, 'Snapshots', {
    description: 'snapshots',
    state: 'ENABLED',
    executionRoleArn: role.roleArn,
    policyDetails: {
      resourceTypes: ['VOLUME'],
      targetTags: [{ key: 'snapshots', value: 'daily' }],
      schedules: [{ name: 'daily', createRule: { interval: 24, intervalUnit: 'HOURS' }, retainRule: { count: 7 } }],
    },
  });
}

describe('BackupCoverage', () => {
  test('covered bucket, volume and table synthesize, with the coverage recorded in Metadata', () => {
    const stack = guardedStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { versioned: true });
    const vol = volume(stack, 'Volume');
    Tags.of(vol).add('snapshots', 'daily');
    const t = table(stack, 'Table');
    Tags.of(t).add('backup', 'daily');
    plan(stack, [backup.BackupResource.fromArn(bucket.bucketArn), backup.BackupResource.fromTag('backup', 'daily')]);
    dlmPolicy(stack);
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', { Metadata: { 'cdk-backup-dr': { role: 'protected-data', owner: 'dba@example.com', coveredBy: ['AWS Backup selection S/Plan/Selection/Resource'] } } });
    template.hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { role: 'protected-data', coveredBy: ['DLM policy S/Snapshots'] } } });
    template.hasResource('AWS::DynamoDB::Table', { Metadata: { 'cdk-backup-dr': { role: 'protected-data', coveredBy: ['AWS Backup selection S/Plan/Selection/Resource'] } } });
  });

  test('exempted bucket, volume and table synthesize, with the reason recorded', () => {
    const stack = guardedStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const vol = volume(stack, 'Volume');
    const t = table(stack, 'Table');
    BackupCoverage.exempt(bucket, 'Build artifacts, rebuilt by the pipeline');
    BackupCoverage.exempt(vol, 'Swap space');
    BackupCoverage.exempt(t, 'A cache of the database, refilled on demand');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', { Metadata: { 'cdk-backup-dr': { role: 'exempt', exemptReason: 'Build artifacts, rebuilt by the pipeline' } } });
    template.hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { role: 'exempt', exemptReason: 'Swap space' } } });
    template.hasResource('AWS::DynamoDB::Table', { Metadata: { 'cdk-backup-dr': { role: 'exempt', exemptReason: 'A cache of the database, refilled on demand' } } });
  });

  test('an exemption applies to everything below the exempted construct', () => {
    const stack = guardedStack();
    const group = new ec2.Vpc(stack, 'Scratch', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    BackupCoverage.exempt(group, 'Scratch area');
    new s3.Bucket(group, 'Bucket');
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test.each([
    ['bucket', (stack: Stack) => new s3.Bucket(stack, 'Bucket'), /S3 bucket Bucket83908E77 \(S\/Bucket\/Resource\) is not covered by any backup tier/],
    ['volume', (stack: Stack) => volume(stack, 'Volume'), /EBS volume Volume\w+ \(S\/Volume\/Resource\) is not covered by any backup tier/],
    ['table', (stack: Stack) => table(stack, 'Table'), /DynamoDB table Table\w+ \(S\/Table\/Resource\) is not covered by any backup tier/],
  ])('an uncovered %s fails the synth, naming the resource', (_name, make, message) => {
    const stack = guardedStack();
    make(stack);
    expect(() => Template.fromStack(stack)).toThrow(message);
  });

  test('a volume with the wrong tag and a bucket excluded with NotResources are not covered', () => {
    const stack = guardedStack();
    const vol = volume(stack, 'Volume');
    Tags.of(vol).add('snapshots', 'weekly');
    dlmPolicy(stack);
    expect(() => Template.fromStack(stack)).toThrow(/EBS volume Volume\w+ .* is not covered/);

    const other = guardedStack();
    const bucket = new s3.Bucket(other, 'Bucket', { versioned: true });
    const p = backup.BackupPlan.daily35DayRetention(other, 'Plan');
    new backup.CfnBackupSelection(other, 'Everything', {
      backupPlanId: p.backupPlanId,
      backupSelection: { iamRoleArn: 'arn:aws:iam::111111111111:role/backup', selectionName: 'all', resources: ['*'], notResources: [bucket.bucketArn] },
    });
    expect(() => Template.fromStack(other)).toThrow(/S3 bucket Bucket\w+ .* is not covered/);
  });

  // AWS Backup's jobs for a bucket without versioning fail: selecting it protects nothing.
  test('an AWS Backup selection does not cover a bucket without versioning, and the error says why', () => {
    const stack = guardedStack();
    const unversioned = new s3.Bucket(stack, 'Unversioned');
    const versioned = new s3.Bucket(stack, 'Versioned', { versioned: true });
    plan(stack, [backup.BackupResource.fromArn(unversioned.bucketArn), backup.BackupResource.fromArn(versioned.bucketArn)]);
    expect(() => Template.fromStack(stack)).toThrow(/S3 bucket Unversioned\w+ .* is not covered .*\(AWS Backup backs up a bucket only with versioning enabled\)/);
    expect(BackupCoverage.coveredBy(versioned.node.defaultChild as CfnResource)).toEqual(['AWS Backup selection S/Plan/Selection/Resource']);
    expect(BackupCoverage.coveredBy(unversioned.node.defaultChild as CfnResource)).toEqual([]);
  });

  // A prefix names only the buckets whose name the deploy gives it; an exact ARN in NotResources may be this one.
  test('a selection whose ARN pattern names only some resources of the type does not cover a bucket, and one that may exclude it does not either', () => {
    const selecting = (resources: string[], notResources?: string[]): Stack => {
      const stack = guardedStack();
      new s3.Bucket(stack, 'Bucket', { versioned: true });
      const p = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
      new backup.CfnBackupSelection(stack, 'Selection', {
        backupPlanId: p.backupPlanId,
        backupSelection: { iamRoleArn: 'arn:aws:iam::111111111111:role/backup', selectionName: 'some', resources, notResources },
      });
      return stack;
    };
    expect(() => Template.fromStack(selecting(['arn:aws:s3:::scratch-*']))).toThrow(/S3 bucket Bucket\w+ .* is not covered/);
    expect(() => Template.fromStack(selecting(['arn:aws:s3:::*'], ['arn:aws:s3:::logs-*']))).toThrow(/S3 bucket Bucket\w+ .* is not covered/);
    expect(() => Template.fromStack(selecting(['arn:aws:s3:::*']))).not.toThrow();
  });

  // The L1 class writes Conditions as given: CloudFormation's PascalCase form is the one that deploys,
  // and the camelCase form of the L1 property types is read too.
  test.each([
    ['as CloudFormation has them (StringEquals, ConditionKey)', { StringEquals: [{ ConditionKey: 'aws:ResourceTag/backup', ConditionValue: 'daily' }] }],
    ['in the L1 property types\' form (stringEquals, conditionKey)', { stringEquals: [{ conditionKey: 'aws:ResourceTag/backup', conditionValue: 'daily' }] }],
  ])('a selection of every resource with a tag condition written %s covers only the resources that meet it', (_form, conditions) => {
    const stack = guardedStack();
    const tagged = new s3.Bucket(stack, 'Tagged', { versioned: true });
    Tags.of(tagged).add('backup', 'daily');
    new s3.Bucket(stack, 'Untagged', { versioned: true });
    const p = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    new backup.CfnBackupSelection(stack, 'TaggedOnly', {
      backupPlanId: p.backupPlanId,
      backupSelection: { iamRoleArn: 'arn:aws:iam::111111111111:role/backup', selectionName: 'tagged', resources: ['*'], conditions },
    });
    expect(() => Template.fromStack(stack)).toThrow(/S3 bucket Untagged\w+ .* is not covered/);
    expect(BackupCoverage.coveredBy(tagged.node.defaultChild as CfnResource)).toEqual(['AWS Backup selection S/TaggedOnly']);
  });

  test('library roles, replicas and replication count as covered', () => {
    const stack = guardedStack();
    const store = new s3.Bucket(stack, 'DumpStore');
    BackupMetadata.describe(store, { role: BackupRole.BACKUP_STORE });
    const tiered = table(stack, 'Tiered');
    BackupMetadata.describe(tiered, { role: BackupRole.PROTECTED_DATA, tier: 'daily' });
    const replicated = new s3.Bucket(stack, 'Replicated', { versioned: true });
    const role = new iam.Role(stack, 'ReplicationRole', { assumedBy: new iam.ServicePrincipal('s3.amazonaws.com') });
    (replicated.node.defaultChild as s3.CfnBucket).replicationConfiguration = { role: role.roleArn, rules: [{ status: 'Enabled', destination: { bucket: 'arn:aws:s3:::elsewhere' } }] };
    // The destination, here in another stack, is a copy.
    const elsewhere = new Stack(stack.node.root as App, 'Elsewhere', { env: { ...ENV, region: 'eu-central-1' } });
    Aspects.of(elsewhere).add(new BackupCoverage());
    new s3.Bucket(elsewhere, 'Replicas', { bucketName: 'elsewhere' });
    expect(() => Template.fromStack(stack)).not.toThrow();
    Template.fromStack(elsewhere).hasResource('AWS::S3::Bucket', { Metadata: { 'cdk-backup-dr': { coveredBy: ['replica of S/Replicated/Resource'] } } });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', { Metadata: { 'cdk-backup-dr': { role: 'protected-data', tier: 'daily', owner: 'dba@example.com' } } });
    template.hasResourceProperties('AWS::DynamoDB::Table', { Tags: [{ Key: 'backup:tier', Value: 'daily' }] });
  });

  test('without the guard nothing is checked', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new s3.Bucket(stack, 'Bucket', { lifecycleRules: [{ expiration: Duration.days(2) }] });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('an exemption without a reason is a synth error', () => {
    const stack = guardedStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    expect(() => BackupCoverage.exempt(bucket, '')).toThrow('S/Bucket: `BackupCoverage.exempt` needs a reason, got ""; say why this data needs no backup');
    expect(() => BackupCoverage.exempt(bucket, '   ')).toThrow(/needs a reason/);
  });

  // A rule with a Filter (or the legacy rule Prefix) copies only the objects it names.
  test('an enabled replication rule that copies only some objects does not cover the bucket, and the error says which objects', () => {
    const withRules = (rules: s3.CfnBucket.ReplicationRuleProperty[]): Stack => {
      const stack = guardedStack();
      const bucket = new s3.Bucket(stack, 'Bucket', { versioned: true });
      (bucket.node.defaultChild as s3.CfnBucket).replicationConfiguration = { role: 'arn:aws:iam::111111111111:role/replication', rules };
      return stack;
    };
    const rule = (scope: object, priority?: number): s3.CfnBucket.ReplicationRuleProperty => ({ status: 'Enabled', priority, destination: { bucket: 'arn:aws:s3:::elsewhere' }, ...scope });
    const notCovered = /S3 bucket Bucket\w+ .* is not covered by any backup tier: .*\(S3 replication copies only the objects with /;
    expect(() => Template.fromStack(withRules([rule({ filter: { prefix: 'logs/' } })]))).toThrow(/is not covered .*\(S3 replication copies only the objects with prefix "logs\/": not the whole bucket\)/);
    expect(() => Template.fromStack(withRules([rule({ prefix: 'logs/' })]))).toThrow(notCovered);
    expect(() => Template.fromStack(withRules([rule({ filter: { tagFilter: { key: 'copy', value: 'yes' } } })]))).toThrow(/copies only the objects with tag copy=yes/);
    expect(() => Template.fromStack(withRules([rule({ filter: { and: { prefix: '', tagFilters: [{ key: 'copy', value: 'yes' }] } } })]))).toThrow(notCovered);
    expect(() => Template.fromStack(withRules([rule({ filter: { and: { prefix: 'a/', tagFilters: [{ key: 'copy', value: 'yes' }] } } }, 1), rule({ filter: { prefix: 'b/' } }, 2)])))
      .toThrow(/copies only the objects with prefix "a\/" and tag copy=yes; S3 replication copies only the objects with prefix "b\/"/);
    // An empty prefix names every object.
    expect(() => Template.fromStack(withRules([rule({ filter: { prefix: '' } })]))).not.toThrow();
    expect(() => Template.fromStack(withRules([rule({ prefix: '' })]))).not.toThrow();
    expect(() => Template.fromStack(withRules([rule({})]))).not.toThrow();
    expect(() => Template.fromStack(withRules([rule({ filter: { prefix: 'logs/' } }, 2), rule({ filter: { prefix: '' } }, 1)]))).not.toThrow();
  });

  // CloudFormation takes Enabled or Disabled: a parameter chooses at deploy whether S3 copies.
  test('a replication rule whose status is a token leaves the coverage not known, not uncovered', () => {
    const stack = guardedStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { versioned: true });
    const status = new CfnParameter(stack, 'ReplicationStatus', { allowedValues: ['Enabled', 'Disabled'] });
    (bucket.node.defaultChild as s3.CfnBucket).replicationConfiguration = {
      role: 'arn:aws:iam::111111111111:role/replication',
      rules: [{ id: 'Copy', status: status.valueAsString, filter: { prefix: '' }, destination: { bucket: 'arn:aws:s3:::elsewhere' } }],
    };
    expect(() => Template.fromStack(stack)).not.toThrow();
    Template.fromStack(stack).hasResource('AWS::S3::Bucket', { Metadata: { 'cdk-backup-dr': { coveredBy: [], coverageNotKnown: ['S3 replication rule Copy has a status that is a token (enabled or not is chosen at deploy)'] } } });
    Annotations.fromStack(stack).hasWarning('/S/Bucket/Resource', Match.stringLikeRegexp('not known at synth \\(unknown, not passed\\)'));
  });

  test('the destination of a rule that copies only some objects is a replica of those objects, and says so', () => {
    const stack = guardedStack();
    const source = new s3.Bucket(stack, 'Source', { versioned: true });
    BackupCoverage.exempt(source, 'Test source');
    const destination = new s3.Bucket(stack, 'Destination', { versioned: true });
    (source.node.defaultChild as s3.CfnBucket).replicationConfiguration = {
      role: 'arn:aws:iam::111111111111:role/replication',
      rules: [{ status: 'Enabled', filter: { prefix: 'logs/' }, destination: { bucket: destination.bucketArn } }],
    };
    expect(BackupCoverage.coveredBy(destination.node.defaultChild as CfnResource)).toEqual(['replica of S/Source/Resource (the objects with prefix "logs/" only)']);
  });

  test('an Aurora instance is backed up with its cluster: covered when the cluster is, never reported on its own', () => {
    const aurora = (): [Stack, rds.DatabaseCluster] => {
      const stack = guardedStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
        engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_2 }),
        writer: rds.ClusterInstance.provisioned('Writer'),
        readers: [rds.ClusterInstance.provisioned('Reader')],
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      });
      return [stack, cluster];
    };
    const [covered, cluster] = aurora();
    plan(covered, [backup.BackupResource.fromRdsDatabaseCluster(cluster)]);
    expect(() => Template.fromStack(covered)).not.toThrow();
    const writer = cluster.node.findChild('Writer').node.defaultChild as CfnResource;
    expect(BackupCoverage.coveredBy(writer)).toEqual(['its cluster S/Cluster/Resource: AWS Backup selection S/Plan/Selection/Resource']);

    // An uncovered cluster is one error, on the cluster; its instances are not reported apart.
    const [uncovered] = aurora();
    expect(() => Template.fromStack(uncovered)).toThrow(/RDS cluster Cluster\w+ \(S\/Cluster\/Resource\) is not covered/);
    expect(() => Template.fromStack(uncovered)).not.toThrow(/RDS instance/);

    // A cluster outside the guard's scope: the instance's error names it.
    const app = new App();
    const outside = new Stack(app, 'S', { env: ENV });
    const cluster2 = new rds.CfnDBCluster(outside, 'Cluster', { engine: 'aurora-mysql' });
    const guarded = new Construct(outside, 'Guarded');
    Aspects.of(guarded).add(new BackupCoverage());
    new rds.CfnDBInstance(guarded, 'Member', { engine: 'aurora-mysql', dbInstanceClass: 'db.r6g.large', dbClusterIdentifier: cluster2.ref });
    expect(() => Template.fromStack(outside)).toThrow(/RDS instance GuardedMember\w+ .* \(it is backed up with its cluster S\/Cluster, which is not covered\)/);
  });

  test('an L1 cluster member: covered, exempt or not known with its cluster', () => {
    const withCluster = (identifier?: string): [Stack, rds.CfnDBCluster, rds.CfnDBInstance] => {
      const stack = guardedStack();
      const cluster = new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-mysql', dbClusterIdentifier: 'Orders' });
      const member = new rds.CfnDBInstance(stack, 'Member', { engine: 'aurora-mysql', dbInstanceClass: 'db.r6g.large', dbClusterIdentifier: identifier ?? cluster.ref });
      return [stack, cluster, member];
    };
    const [byName, , named] = withCluster('orders');
    BackupMetadata.describe(byName.node.findChild('Cluster'), { role: BackupRole.PROTECTED_DATA, tier: 'daily' });
    expect(() => Template.fromStack(byName)).not.toThrow();
    expect(BackupCoverage.coveredBy(named)).toEqual(['its cluster S/Cluster: tier daily']);

    const [exempt, cluster] = withCluster();
    BackupCoverage.exempt(cluster, 'Scratch cluster');
    Template.fromStack(exempt).hasResource('AWS::RDS::DBInstance', { Metadata: { 'cdk-backup-dr': { role: 'exempt', exemptReason: 'its cluster S/Cluster is exempt: Scratch cluster' } } });

    // The cluster named is not in the app: whether it is backed up is not known at synth.
    const [elsewhere] = withCluster('legacy');
    BackupCoverage.exempt(elsewhere.node.findChild('Cluster'), 'Not the cluster of Member');
    const template = Template.fromStack(elsewhere);
    template.hasResource('AWS::RDS::DBInstance', { Metadata: { 'cdk-backup-dr': { coveredBy: [], coverageNotKnown: [Match.stringLikeRegexp('its cluster "legacy" is not in this app')] } } });
    Annotations.fromStack(elsewhere).hasWarning('/S/Member', Match.stringLikeRegexp('RDS instance Member \\(S/Member\\): whether it is covered by a backup tier is not known at synth \\(unknown, not passed\\)'));
  });

  // RDS identifiers are unique per region and account: a cluster of the same name elsewhere is another cluster.
  test('a member is matched by name only to a cluster in its region and account; where a stack\'s environment is a token, not known', () => {
    const withClusterIn = (env: { account?: string; region?: string } | undefined): [Stack, rds.CfnDBInstance] => {
      const app = new App();
      const member = new Stack(app, 'S', { env: ENV });
      Aspects.of(member).add(new BackupCoverage());
      const other = new Stack(app, 'Other', { env });
      const cluster = new rds.CfnDBCluster(other, 'Cluster', { engine: 'aurora-mysql', dbClusterIdentifier: 'orders' });
      BackupMetadata.describe(cluster, { role: BackupRole.PROTECTED_DATA, tier: 'daily' });
      return [member, new rds.CfnDBInstance(member, 'Member', { engine: 'aurora-mysql', dbInstanceClass: 'db.r6g.large', dbClusterIdentifier: 'Orders' })];
    };
    const [same, sameMember] = withClusterIn(ENV);
    expect(BackupCoverage.coveredBy(sameMember)).toEqual(['its cluster Other/Cluster: tier daily']);
    expect(() => Template.fromStack(same)).not.toThrow();
    for (const env of [{ ...ENV, region: 'us-east-1' }, { ...ENV, account: '222222222222' }]) {
      const [elsewhere, member] = withClusterIn(env);
      expect(BackupCoverage.coveredBy(member)).toEqual([]);
      Template.fromStack(elsewhere).hasResource('AWS::RDS::DBInstance', { Metadata: { 'cdk-backup-dr': { coveredBy: [], coverageNotKnown: [Match.stringLikeRegexp('its cluster "Orders" is not in this app \\(in this instance\'s region and account\\)')] } } });
    }
    const [agnostic, member] = withClusterIn(undefined);
    expect(BackupCoverage.coveredBy(member)).toEqual([]);
    Template.fromStack(agnostic).hasResource('AWS::RDS::DBInstance', { Metadata: { 'cdk-backup-dr': { coveredBy: [],
      coverageNotKnown: ['its cluster "Orders" may be Other/Cluster, whose region or account, or this instance\'s, is not known at synth, so whether the cluster is backed up is not known'] } } });
  });

  // A token is compared at deploy: synth can say neither covered nor not covered.
  test('a tag or a selection value that is a token leaves the coverage not known: no error, a warning, and coverageNotKnown in the Metadata', () => {
    const notKnown = (stack: Stack, path: string, type: string, line: string | RegExp): void => {
      expect(() => Template.fromStack(stack)).not.toThrow();
      Template.fromStack(stack).hasResource(type, { Metadata: { 'cdk-backup-dr': { coveredBy: [], coverageNotKnown: [typeof line === 'string' ? line : Match.stringLikeRegexp(line.source)] } } });
      Annotations.fromStack(stack).hasWarning(`/${path}`, Match.stringLikeRegexp('not known at synth \\(unknown, not passed\\)'));
    };
    const taggedValue = guardedStack();
    const t = table(taggedValue, 'Table');
    Tags.of(t).add('backup', new CfnParameter(taggedValue, 'Tier').valueAsString);
    plan(taggedValue, [backup.BackupResource.fromTag('backup', 'daily')]);
    notKnown(taggedValue, 'S/Table/Resource', 'AWS::DynamoDB::Table', 'AWS Backup selection S/Plan/Selection/Resource compares a tag whose value (its own or the selection\'s) is a token');
    expect(BackupCoverage.coveredBy(t.node.defaultChild as CfnResource)).toEqual([]);

    const selectionValue = guardedStack();
    Tags.of(table(selectionValue, 'Table')).add('backup', 'daily');
    plan(selectionValue, [backup.BackupResource.fromTag('backup', new CfnParameter(selectionValue, 'Tier').valueAsString)]);
    notKnown(selectionValue, 'S/Table/Resource', 'AWS::DynamoDB::Table', /compares a tag whose value/);

    // StringNotEquals held for any token before: the selection was reported covering.
    const negated = guardedStack();
    const b = new s3.Bucket(negated, 'Bucket', { versioned: true });
    Tags.of(b).add('backup', new CfnParameter(negated, 'Tier').valueAsString);
    const p = backup.BackupPlan.daily35DayRetention(negated, 'Plan');
    new backup.CfnBackupSelection(negated, 'AllButNone', {
      backupPlanId: p.backupPlanId,
      backupSelection: {
        iamRoleArn: 'arn:aws:iam::111111111111:role/backup', selectionName: 'all-but-none', resources: ['*'],
        conditions: { stringNotEquals: [{ conditionKey: 'aws:ResourceTag/backup', conditionValue: 'none' }] },
      },
    });
    notKnown(negated, 'S/Bucket/Resource', 'AWS::S3::Bucket', /AWS Backup selection S\/AllButNone compares/);

    const dlmTag = guardedStack();
    Tags.of(volume(dlmTag, 'Volume')).add('snapshots', new CfnParameter(dlmTag, 'SnapshotsTag').valueAsString);
    dlmPolicy(dlmTag);
    notKnown(dlmTag, 'S/Volume/Resource', 'AWS::EC2::Volume', 'DLM policy S/Snapshots targets a tag whose value (its own or the policy\'s) is a token');
  });

  // The template is what DLM runs: a value set by addPropertyOverride counts, as the report reads it.
  test('a DLM policy is read as its template has it: TargetTags and State set by addPropertyOverride count', () => {
    const overridden = (override: (policy: dlm.CfnLifecyclePolicy) => void, tag: string): Stack => {
      const stack = guardedStack();
      Tags.of(volume(stack, 'Volume')).add('snapshots', tag);
      dlmPolicy(stack);
      override(stack.node.findChild('Snapshots') as dlm.CfnLifecyclePolicy);
      return stack;
    };
    const retargeted = overridden((p) => p.addPropertyOverride('PolicyDetails.TargetTags', [{ Key: 'snapshots', Value: 'hourly' }]), 'hourly');
    expect(() => Template.fromStack(retargeted)).not.toThrow();
    Template.fromStack(retargeted).hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { coveredBy: ['DLM policy S/Snapshots'] } } });
    expect(() => Template.fromStack(overridden((p) => p.addPropertyOverride('PolicyDetails.TargetTags', [{ Key: 'snapshots', Value: 'hourly' }]), 'daily')))
      .toThrow(/EBS volume Volume\w+ \(S\/Volume\/Resource\) is not covered/);
    expect(() => Template.fromStack(overridden((p) => p.addPropertyOverride('State', 'DISABLED'), 'daily')))
      .toThrow(/EBS volume Volume\w+ \(S\/Volume\/Resource\) is not covered/);
  });

  // DLM takes ENABLED or DISABLED: a State given by a parameter may stop the policy.
  test('a DLM policy whose State is a token leaves the coverage not known, not covered', () => {
    const stack = guardedStack();
    const vol = volume(stack, 'Volume');
    Tags.of(vol).add('snapshots', 'daily');
    dlmPolicy(stack);
    (stack.node.findChild('Snapshots') as dlm.CfnLifecyclePolicy).state = new CfnParameter(stack, 'PolicyState').valueAsString;
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(BackupCoverage.coveredBy(vol.node.defaultChild as CfnResource)).toEqual([]);
    Template.fromStack(stack).hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { coveredBy: [],
      coverageNotKnown: ['DLM policy S/Snapshots has a State that is a token (ENABLED or DISABLED is chosen at deploy)'] } } });
    Annotations.fromStack(stack).hasWarning('/S/Volume/Resource', Match.stringLikeRegexp('not known at synth \\(unknown, not passed\\)'));
  });

  test('a known answer elsewhere decides: a token does not keep a covered resource from being covered', () => {
    const stack = guardedStack();
    const t = table(stack, 'Table');
    Tags.of(t).add('backup', new CfnParameter(stack, 'Tier').valueAsString);
    plan(stack, [backup.BackupResource.fromTag('backup', 'daily'), backup.BackupResource.fromDynamoDbTable(t)]);
    expect(BackupCoverage.coveredBy(t.node.defaultChild as CfnResource)).toEqual(['AWS Backup selection S/Plan/Selection/Resource']);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('not known at synth'));
  });
});

// AWS Backup backs up every EBS volume of an instance it selects; a DLM INSTANCE policy snapshots
// every volume of the instances it targets but those carrying one of its ExcludeDataVolumeTags.
describe('BackupCoverage: an EBS volume attached to an EC2 instance', () => {
  const server = (stack: Stack, id: string, tags: { [key: string]: string } = {}): ec2.CfnInstance => new ec2.CfnInstance(stack, id, {
    imageId: 'ami-12345678', instanceType: 't3.micro', tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  });
  const attach = (stack: Stack, instance: ec2.CfnInstance, id: string, tags: { [key: string]: string } = {}): ec2.Volume => {
    const vol = volume(stack, id);
    Object.entries(tags).forEach(([key, value]) => Tags.of(vol).add(key, value));
    new ec2.CfnVolumeAttachment(stack, `${id}Attachment`, { instanceId: instance.ref, volumeId: vol.volumeId, device: '/dev/sdh' });
    return vol;
  };
  const instancePolicy = (stack: Stack, excludeDataVolumeTags?: Array<{ key: string; value: string }>): void => {
    new dlm.CfnLifecyclePolicy(stack, 'Sets', {
      description: 'snapshot sets', state: 'ENABLED', executionRoleArn: 'arn:aws:iam::111111111111:role/dlm',
      policyDetails: {
        resourceTypes: ['INSTANCE'], targetTags: [{ key: 'sets', value: 'daily' }],
        ...(excludeDataVolumeTags ? { parameters: { excludeDataVolumeTags } } : {}),
        schedules: [{ name: 'daily', createRule: { interval: 24, intervalUnit: 'HOURS' }, retainRule: { count: 7 } }],
      },
    });
  };
  const coveredBy = (vol: ec2.Volume): string[] => BackupCoverage.coveredBy(vol.node.defaultChild as CfnResource);

  test('an AWS Backup selection of its instance covers it, and coveredBy names the selection with the instance', () => {
    const stack = guardedStack();
    const instance = server(stack, 'Server');
    const data = attach(stack, instance, 'Data');
    plan(stack, [backup.BackupResource.fromArn(stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: instance.ref }))]);
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(coveredBy(data)).toEqual(['AWS Backup selection S/Plan/Selection/Resource (its instance S/Server, to which it is attached)']);
    Template.fromStack(stack).hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { coveredBy: ['AWS Backup selection S/Plan/Selection/Resource (its instance S/Server, to which it is attached)'] } } });
  });

  test('a DLM INSTANCE policy targeting its instance\'s tags covers it, in the instance\'s Volumes too, unless it carries one of ExcludeDataVolumeTags', () => {
    const stack = guardedStack();
    const instance = server(stack, 'Server', { sets: 'daily' });
    const data = attach(stack, instance, 'Data');
    const listed = volume(stack, 'Listed');
    instance.volumes = [{ device: '/dev/sdi', volumeId: listed.volumeId }];
    attach(stack, instance, 'Scratch', { role: 'scratch' });
    instancePolicy(stack, [{ key: 'role', value: 'scratch' }]);
    expect(coveredBy(data)).toEqual(['DLM policy S/Sets (its instance S/Server, to which it is attached)']);
    expect(coveredBy(listed)).toEqual(['DLM policy S/Sets (its instance S/Server, to which it is attached)']);
    expect(() => Template.fromStack(stack)).toThrow(/EBS volume Scratch\w+ \(S\/Scratch\/Resource\) is not covered by any backup tier/);
    expect(() => Template.fromStack(stack)).not.toThrow(/EBS volume (Data|Listed)/);
  });

  test('an INSTANCE policy\'s ExcludeDataVolumeTags set by addPropertyOverride leave the volume out, as in the template', () => {
    const stack = guardedStack();
    attach(stack, server(stack, 'Server', { sets: 'daily' }), 'Data', { role: 'scratch' });
    instancePolicy(stack);
    (stack.node.findChild('Sets') as dlm.CfnLifecyclePolicy).addPropertyOverride('PolicyDetails.Parameters.ExcludeDataVolumeTags', [{ Key: 'role', Value: 'scratch' }]);
    expect(() => Template.fromStack(stack)).toThrow(/EBS volume Data\w+ \(S\/Data\/Resource\) is not covered/);
  });

  test('an instance nothing covers leaves its volume uncovered; the instance itself is not required to be covered', () => {
    const stack = guardedStack();
    const instance = server(stack, 'Server', { sets: 'weekly' });
    attach(stack, instance, 'Data');
    instancePolicy(stack);
    expect(() => Template.fromStack(stack)).toThrow(/EBS volume Data\w+ \(S\/Data\/Resource\) is not covered .* \(it is attached to the EC2 instance S\/Server: /);
    expect(() => Template.fromStack(stack)).not.toThrow(/EC2 instance Server\w* \(S\/Server\) is not covered/);

    const bastion = guardedStack();
    server(bastion, 'Bastion');
    expect(() => Template.fromStack(bastion)).not.toThrow();
  });

  test('where a token decides (the instance\'s tag, the selection\'s, ExcludeDataVolumeTags, the policy\'s State), its coverage is not known: a warning, no error', () => {
    const notKnown = (stack: Stack, line: string): void => {
      expect(() => Template.fromStack(stack)).not.toThrow();
      Template.fromStack(stack).hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { coveredBy: [], coverageNotKnown: [line] } } });
      Annotations.fromStack(stack).hasWarning('/S/Data/Resource', Match.stringLikeRegexp('not known at synth \\(unknown, not passed\\)'));
    };
    const instanceTag = guardedStack();
    attach(instanceTag, server(instanceTag, 'Server', { sets: new CfnParameter(instanceTag, 'SetsTag').valueAsString }), 'Data');
    instancePolicy(instanceTag);
    notKnown(instanceTag, 'DLM policy S/Sets of its instance S/Server targets a tag whose value (its own or the policy\'s) is a token');

    const excluded = guardedStack();
    attach(excluded, server(excluded, 'Server', { sets: 'daily' }), 'Data', { role: 'data' });
    instancePolicy(excluded, [{ key: 'role', value: new CfnParameter(excluded, 'Excluded').valueAsString }]);
    notKnown(excluded, 'DLM policy S/Sets of its instance S/Server leaves out the data volumes of ExcludeDataVolumeTags, compared with a token');

    const state = guardedStack();
    attach(state, server(state, 'Server', { sets: 'daily' }), 'Data');
    instancePolicy(state);
    (state.node.findChild('Sets') as dlm.CfnLifecyclePolicy).state = new CfnParameter(state, 'SetsState').valueAsString;
    notKnown(state, 'DLM policy S/Sets of its instance S/Server has a State that is a token (ENABLED or DISABLED is chosen at deploy)');

    const selected = guardedStack();
    attach(selected, server(selected, 'Server', { backup: 'daily' }), 'Data');
    plan(selected, [backup.BackupResource.fromTag('backup', new CfnParameter(selected, 'Tier').valueAsString)]);
    notKnown(selected, 'AWS Backup selection S/Plan/Selection/Resource of its instance S/Server compares a tag whose value (its own or the selection\'s) is a token');
  });
});

// A DLM default policy for EBS snapshots (DefaultPolicy: VOLUME) snapshots every volume of its
// region and account but those its Exclusions leave out (CloudFormation: AWS::DLM::LifecyclePolicy).
describe('BackupCoverage: DLM default policies', () => {
  const defaultPolicy = (stack: Stack, props: Partial<dlm.CfnLifecyclePolicyProps> = {}): dlm.CfnLifecyclePolicy => new dlm.CfnLifecyclePolicy(stack, 'Baseline', {
    description: 'default policy', state: 'ENABLED', executionRoleArn: 'arn:aws:iam::111111111111:role/dlm',
    defaultPolicy: 'VOLUME', createInterval: 1, retainInterval: 7, ...props,
  });
  const coveredBy = (vol: ec2.Volume): string[] => BackupCoverage.coveredBy(vol.node.defaultChild as CfnResource);

  test('a default VOLUME policy covers an EBS volume of its region and account, and coveredBy names it', () => {
    const stack = guardedStack();
    const vol = volume(stack, 'Volume');
    defaultPolicy(stack);
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(coveredBy(vol)).toEqual(['DLM default policy S/Baseline (every EBS volume of its region and account)']);
    Template.fromStack(stack).hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { coveredBy: ['DLM default policy S/Baseline (every EBS volume of its region and account)'] } } });
  });

  test('one in another stack of the same region and account covers it; one elsewhere, a disabled one or an INSTANCE one does not', () => {
    const app = new App();
    const data = new Stack(app, 'Data', { env: ENV });
    Aspects.of(data).add(new BackupCoverage());
    const vol = volume(data, 'Volume');
    defaultPolicy(new Stack(app, 'Baseline', { env: ENV }));
    expect(() => app.synth()).not.toThrow();
    expect(coveredBy(vol)).toEqual(['DLM default policy Baseline/Baseline (every EBS volume of its region and account)']);

    const uncovered = (build: (stack: Stack) => void): void => {
      const stack = guardedStack();
      volume(stack, 'Volume');
      build(stack);
      expect(() => Template.fromStack(stack)).toThrow(/EBS volume Volume\w+ \(S\/Volume\/Resource\) is not covered/);
    };
    uncovered((stack) => defaultPolicy(new Stack(stack.node.root as App, 'Elsewhere', { env: { ...ENV, region: 'eu-central-1' } })));
    uncovered((stack) => defaultPolicy(stack, { state: 'DISABLED' }));
    uncovered((stack) => defaultPolicy(stack, { defaultPolicy: 'INSTANCE' }));
  });

  test('its Exclusions leave out a volume with one of ExcludeTags or of one of ExcludeVolumeTypes; the settings are read in PolicyDetails too', () => {
    const excluded = (exclusions: dlm.CfnLifecyclePolicy.ExclusionsProperty, tags: { [key: string]: string } = {}, inDetails = false): Stack => {
      const stack = guardedStack();
      const vol = new ec2.Volume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(125), encrypted: true, volumeType: ec2.EbsDeviceVolumeType.ST1 });
      Object.entries(tags).forEach(([key, value]) => Tags.of(vol).add(key, value));
      defaultPolicy(stack, inDetails ? { policyDetails: { policyLanguage: 'SIMPLIFIED', resourceType: 'VOLUME', exclusions } } : { exclusions });
      return stack;
    };
    const notCovered = /EBS volume Volume\w+ \(S\/Volume\/Resource\) is not covered/;
    expect(() => Template.fromStack(excluded({ excludeTags: [{ key: 'scratch', value: 'yes' }] }, { scratch: 'yes' }))).toThrow(notCovered);
    expect(() => Template.fromStack(excluded({ excludeTags: [{ key: 'scratch', value: 'yes' }] }, { scratch: 'no' }))).not.toThrow();
    expect(() => Template.fromStack(excluded({ excludeVolumeTypes: ['st1', 'sc1'] }))).toThrow(notCovered);
    expect(() => Template.fromStack(excluded({ excludeVolumeTypes: ['sc1'], excludeBootVolumes: true }))).not.toThrow();
    expect(() => Template.fromStack(excluded({ excludeVolumeTypes: ['st1'] }, {}, true))).toThrow(notCovered);
    expect(() => Template.fromStack(excluded({ excludeVolumeTypes: ['sc1'] }, {}, true))).not.toThrow();
  });

  test('where a token decides (an excluded tag, the State, the stack\'s region), its coverage is not known: a warning, no error', () => {
    const notKnown = (stack: Stack, line: string): void => {
      expect(() => Template.fromStack(stack)).not.toThrow();
      Template.fromStack(stack).hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { coveredBy: [], coverageNotKnown: [line] } } });
      Annotations.fromStack(stack).hasWarning('/S/Volume/Resource', Match.stringLikeRegexp('not known at synth \\(unknown, not passed\\)'));
    };
    const tag = guardedStack();
    Tags.of(volume(tag, 'Volume')).add('scratch', new CfnParameter(tag, 'Scratch').valueAsString);
    defaultPolicy(tag, { exclusions: { excludeTags: [{ key: 'scratch', value: 'yes' }] } });
    notKnown(tag, 'DLM default policy S/Baseline leaves out the volumes of its Exclusions ExcludeTags, compared with a token');

    const state = guardedStack();
    volume(state, 'Volume');
    defaultPolicy(state, { state: new CfnParameter(state, 'BaselineState').valueAsString });
    notKnown(state, 'DLM default policy S/Baseline has a State that is a token (ENABLED or DISABLED is chosen at deploy)');

    const app = new App();
    const agnostic = new Stack(app, 'S');
    Aspects.of(agnostic).add(new BackupCoverage());
    volume(agnostic, 'Volume');
    defaultPolicy(new Stack(app, 'Baseline', { env: ENV }));
    notKnown(agnostic, 'DLM default policy Baseline/Baseline is in a stack whose region or account, or this volume\'s, is not known at synth');
  });
});

// DLM runs a policy in its region and account: a tag-targeting policy of another stack there targets the volume too.
describe('BackupCoverage: DLM policies of another stack', () => {
  const twoStacks = (volumeEnv: { account?: string; region?: string } | undefined, policyEnv = ENV): { app: App; data: Stack; policies: Stack } => {
    const app = new App();
    const data = new Stack(app, 'Data', { env: volumeEnv });
    Aspects.of(data).add(new BackupCoverage());
    return { app, data, policies: new Stack(app, 'Policies', { env: policyEnv }) };
  };

  test('a VOLUME policy of another stack in its region and account covers a volume carrying its target tag; one of another region does not', () => {
    const { app, data, policies } = twoStacks(ENV);
    const vol = volume(data, 'Volume');
    Tags.of(vol).add('snapshots', 'daily');
    dlmPolicy(policies);
    expect(() => app.synth()).not.toThrow();
    expect(BackupCoverage.coveredBy(vol.node.defaultChild as CfnResource)).toEqual(['DLM policy Policies/Snapshots']);

    const elsewhere = twoStacks(ENV, { ...ENV, region: 'eu-central-1' });
    Tags.of(volume(elsewhere.data, 'Volume')).add('snapshots', 'daily');
    dlmPolicy(elsewhere.policies);
    expect(() => elsewhere.app.synth()).toThrow(/EBS volume Volume\w+ \(Data\/Volume\/Resource\) is not covered/);
  });

  test('an INSTANCE policy of another stack in its region and account covers the volumes of an instance it targets', () => {
    const { app, data, policies } = twoStacks(ENV);
    const instance = new ec2.CfnInstance(data, 'Server', { imageId: 'ami-12345678', instanceType: 't3.micro', tags: [{ key: 'sets', value: 'daily' }] });
    const vol = volume(data, 'Volume');
    new ec2.CfnVolumeAttachment(data, 'VolumeAttachment', { instanceId: instance.ref, volumeId: vol.volumeId, device: '/dev/sdh' });
    new dlm.CfnLifecyclePolicy(policies, 'Sets', {
      description: 'snapshot sets', state: 'ENABLED', executionRoleArn: 'arn:aws:iam::111111111111:role/dlm',
      policyDetails: { resourceTypes: ['INSTANCE'], targetTags: [{ key: 'sets', value: 'daily' }], schedules: [{ name: 'daily', createRule: { interval: 24, intervalUnit: 'HOURS' }, retainRule: { count: 7 } }] },
    });
    expect(() => app.synth()).not.toThrow();
    expect(BackupCoverage.coveredBy(vol.node.defaultChild as CfnResource)).toEqual(['DLM policy Policies/Sets (its instance Data/Server, to which it is attached)']);
  });

  test('where the region or account of the volume\'s stack is a token, whether the policy targets it is not known: a warning, no error', () => {
    const { app, data, policies } = twoStacks(undefined);
    const vol = volume(data, 'Volume');
    Tags.of(vol).add('snapshots', 'daily');
    dlmPolicy(policies);
    expect(() => app.synth()).not.toThrow();
    expect(BackupCoverage.coveredBy(vol.node.defaultChild as CfnResource)).toEqual([]);
    Template.fromStack(data).hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { coveredBy: [],
      coverageNotKnown: ['DLM policy Policies/Snapshots is in a stack whose region or account, or this volume\'s, is not known at synth'] } } });
    Annotations.fromStack(data).hasWarning('/Data/Volume/Resource', Match.stringLikeRegexp('not known at synth \\(unknown, not passed\\)'));
  });
});

// The template is what AWS Backup and EC2 act on: what addPropertyOverride sets counts, as in the report.
describe('BackupCoverage: selections and attachments as the template has them', () => {
  test('an AWS Backup selection\'s ListOfTags or Resources set by addPropertyOverride count', () => {
    const stack = guardedStack();
    const weekly = volume(stack, 'Weekly');
    Tags.of(weekly).add('backup', 'weekly');
    const listed = volume(stack, 'Listed');
    const p = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    const selection = p.addSelection('Selection', { resources: [backup.BackupResource.fromTag('backup', 'daily'), backup.BackupResource.fromArn(`arn:aws:ec2:eu-west-1:111111111111:volume/${listed.volumeId}`)], allowRestores: false });
    const cfn = selection.node.defaultChild as backup.CfnBackupSelection;
    cfn.addPropertyOverride('BackupSelection.ListOfTags', [{ ConditionType: 'STRINGEQUALS', ConditionKey: 'backup', ConditionValue: 'weekly' }]);
    cfn.addPropertyOverride('BackupSelection.Resources', []);
    expect(() => Template.fromStack(stack)).toThrow(/EBS volume Listed\w+ \(S\/Listed\/Resource\) is not covered/);
    expect(() => Template.fromStack(stack)).not.toThrow(/EBS volume Weekly/);
    expect(BackupCoverage.coveredBy(weekly.node.defaultChild as CfnResource)).toEqual(['AWS Backup selection S/Plan/Selection/Resource']);
  });

  test('a VolumeAttachment\'s VolumeId or an instance\'s Volumes set by addPropertyOverride attach the volume they name', () => {
    const stack = guardedStack();
    const instance = new ec2.CfnInstance(stack, 'Server', { imageId: 'ami-12345678', instanceType: 't3.micro', tags: [{ key: 'backup', value: 'daily' }] });
    const first = volume(stack, 'First');
    const second = volume(stack, 'Second');
    const listed = volume(stack, 'Listed');
    new ec2.CfnVolumeAttachment(stack, 'Attachment', { instanceId: instance.ref, volumeId: first.volumeId, device: '/dev/sdh' })
      .addPropertyOverride('VolumeId', { Ref: stack.resolve((second.node.defaultChild as CfnResource).logicalId) });
    instance.addPropertyOverride('Volumes', [{ Device: '/dev/sdi', VolumeId: { Ref: stack.resolve((listed.node.defaultChild as CfnResource).logicalId) } }]);
    plan(stack, [backup.BackupResource.fromTag('backup', 'daily')]);
    const via = 'AWS Backup selection S/Plan/Selection/Resource (its instance S/Server, to which it is attached)';
    expect(BackupCoverage.coveredBy(second.node.defaultChild as CfnResource)).toEqual([via]);
    expect(BackupCoverage.coveredBy(listed.node.defaultChild as CfnResource)).toEqual([via]);
    expect(() => Template.fromStack(stack)).toThrow(/EBS volume First\w+ \(S\/First\/Resource\) is not covered/);
    expect(() => Template.fromStack(stack)).not.toThrow(/EBS volume (Second|Listed)/);
  });
});

// The template is what DLM and S3 act on: a volume's tags or a bucket's replication set by addPropertyOverride count.
describe('BackupCoverage: a resource\'s own tags and replication as the template has them', () => {
  test('Tags set by addPropertyOverride are the ones a DLM policy targets, and the Metadata still records the coverage', () => {
    const stack = guardedStack();
    const vol = volume(stack, 'Volume');
    Tags.of(vol).add('snapshots', 'weekly');
    (vol.node.defaultChild as CfnResource).addPropertyOverride('Tags', [{ Key: 'snapshots', Value: 'daily' }]);
    dlmPolicy(stack);
    expect(() => Template.fromStack(stack)).not.toThrow();
    Template.fromStack(stack).hasResource('AWS::EC2::Volume', { Metadata: { 'cdk-backup-dr': { role: 'protected-data', coveredBy: ['DLM policy S/Snapshots'] } } });
    expect(BackupCoverage.coveredBy(vol.node.defaultChild as CfnResource)).toEqual(['DLM policy S/Snapshots']);
  });

  test('a ReplicationConfiguration set by addPropertyOverride covers the bucket, and makes its destination a replica', () => {
    const stack = guardedStack();
    const bucket = new s3.Bucket(stack, 'Replicated', { versioned: true });
    const replicas = new s3.Bucket(stack, 'Replicas', { bucketName: 'elsewhere-replicas' });
    (bucket.node.defaultChild as CfnResource).addPropertyOverride('ReplicationConfiguration', {
      Role: 'arn:aws:iam::111111111111:role/replication', Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::elsewhere-replicas' } }],
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(BackupCoverage.coveredBy(bucket.node.defaultChild as CfnResource)).toEqual(['S3 replication']);
    expect(BackupCoverage.coveredBy(replicas.node.defaultChild as CfnResource)).toEqual(['replica of S/Replicated/Resource']);
  });
});
