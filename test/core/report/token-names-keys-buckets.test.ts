/**
 * A KMS alias and a replication destination bucket whose name a token gives (a parameter), or a
 * literal name where an alias or bucket of the assembly is named by a token that may give it: the
 * deploy decides whether they are one, so the report says what it names is not known at synth and
 * which of the assembly's it may be, never that it is outside the assembly.
 */
import { CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel } from '../../../core/report/model';
import { renderMarkdown } from '../../../core/report/render';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { rowAt } from './model-row';
import { reportOfApp } from './report-of-app';
import { describedStack, parametersIn } from './report-fixtures';

const ACCOUNT = '111111111111';
const NOT_INSPECTED = 'not in this assembly: rotation and deletion not inspected';
let model: ReportModel;

function storeWithKey(stack: Stack, id: string, kmsMasterKeyId: string): void {
  const b = new s3.CfnBucket(stack, id, {
    versioningConfiguration: { status: 'Enabled' },
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId } }] },
  });
  BackupMetadata.describe(b, { role: BackupRole.BACKUP_STORE, tier: 'dump' });
}

function storeReplicatedTo(stack: Stack, id: string, bucket: string, account?: string): void {
  const b = new s3.CfnBucket(stack, id, {
    versioningConfiguration: { status: 'Enabled' },
    replicationConfiguration: { role: `arn:aws:iam::${ACCOUNT}:role/replication`, rules: [{ status: 'Enabled', destination: { bucket, account } }] },
  });
  BackupMetadata.describe(b, { role: BackupRole.BACKUP_STORE, tier: 'dump' });
}

beforeAll(() => {
  model = reportOfApp((app) => {
    // Another stack of the same region and account: an alias alias/<AliasName>, and buckets <BucketName>-replicas and dev-replicas.
    const others = describedStack(app, 'Others');
    const key = new kms.CfnKey(others, 'Key', { enableKeyRotation: true });
    const aliasName = new CfnParameter(others, 'AliasName', { type: 'String' }).valueAsString;
    new kms.CfnAlias(others, 'Alias', { aliasName: Fn.join('', ['alias/', aliasName]), targetKeyId: key.ref });
    const bucketName = new CfnParameter(others, 'BucketName', { type: 'String' }).valueAsString;
    new s3.CfnBucket(others, 'Replicas', { bucketName: Fn.join('', [bucketName, '-replicas']), versioningConfiguration: { status: 'Enabled' } });
    new s3.CfnBucket(others, 'DevReplicas', { bucketName: 'dev-replicas', versioningConfiguration: { status: 'Enabled' } });

    const stack = describedStack(app, 'Names');
    const { text } = parametersIn(stack);
    new kms.CfnAlias(stack, 'DataAlias', { aliasName: 'alias/data', targetKeyId: new kms.CfnKey(stack, 'DataKey', { enableKeyRotation: true }).ref });
    storeWithKey(stack, 'ByLiteralAlias', 'alias/prod');
    storeWithKey(stack, 'ByLiteralAliasArn', `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/prod`);
    storeWithKey(stack, 'ByAliasElsewhere', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/prod`);
    storeWithKey(stack, 'ByTokenAlias', Fn.join('', ['alias/', text('KeyAlias')]));
    storeWithKey(stack, 'ByTokenAliasElsewhere', Fn.join('', [`arn:aws:kms:us-east-1:${ACCOUNT}:alias/`, text('FarAlias')]));

    storeReplicatedTo(stack, 'ToLiteral', 'arn:aws:s3:::prod-replicas');
    storeReplicatedTo(stack, 'ToLiteralStated', 'arn:aws:s3:::prod-replicas', '222222222222');
    storeReplicatedTo(stack, 'ToLiteralElsewhere', 'arn:aws:s3:::prod-copies');
    storeReplicatedTo(stack, 'ToParameter', text('DestinationArn'));
    storeReplicatedTo(stack, 'ToTokenName', Fn.join('', ['arn:aws:s3:::', text('Env'), '-replicas']));
    storeReplicatedTo(stack, 'ToTokenNameElsewhere', Fn.join('', ['arn:aws:s3:::', text('Far'), '-archive']));
  });
});

describe('a KMS alias', () => {
  const mayBeOthers = 'may be Others/Alias, whose name is alias/AliasName';

  // Before: '(not in this assembly: rotation and deletion not inspected)', though Others/Alias, named by a parameter, may be it.
  test('a literal alias name or ARN, where an alias of its region and account is named by a token, is not known at synth', () => {
    expect(rowAt(model, 'Names/ByLiteralAlias').encryption).toBe(`aws:kms: KMS key alias/prod (not known at synth: ${mayBeOthers}; rotation and deletion not inspected)`);
    expect(rowAt(model, 'Names/ByLiteralAliasArn').encryption).toBe(
      `aws:kms: KMS key arn:aws:kms:eu-west-1:${ACCOUNT}:alias/prod (not known at synth: ${mayBeOthers}; rotation and deletion not inspected)`);
    const row = model.keys.find((k) => k.key === `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/prod`);
    expect(row).toMatchObject({ mayBeInAssembly: mayBeOthers, rotation: `not known (key not known at synth: ${mayBeOthers})` });
    expect(renderMarkdown(model)).toContain(`KMS key not known at synth: ${mayBeOthers}; rotation and deletion not inspected`);
  });

  test('a literal alias of a region and account where no alias may bear its name stays not in this assembly', () => {
    expect(rowAt(model, 'Names/ByAliasElsewhere').encryption).toContain(`(${NOT_INSPECTED})`);
  });

  // Before: '(not in this assembly: rotation and deletion not inspected)', though alias/<KeyAlias> may be either alias of its region and account.
  test('an alias name a token gives is not known at synth, and may be any alias of its region and account it can name', () => {
    const { encryption } = rowAt(model, 'Names/ByTokenAlias');
    expect(encryption).toMatch(/^aws:kms: KMS key alias\/KeyAlias \(not known at synth: may be /);
    expect(encryption).toContain('Others/Alias, whose name is alias/AliasName');
    expect(encryption).toContain('Names/DataAlias, whose name is alias/data');
    expect(encryption).not.toContain(NOT_INSPECTED);
    expect(model.keys.find((k) => k.key === 'alias/KeyAlias')?.mayBeInAssembly).toContain('Others/Alias');
    expect(rowAt(model, 'Names/ByTokenAliasElsewhere').encryption).toContain(`(${NOT_INSPECTED})`);
  });
});

describe('a replication destination bucket', () => {
  const mayBeReplicas = 'not known at synth (may be Others/Replicas, whose name is BucketName-replicas)';

  // Before: region 'unknown (bucket not in this assembly)', though Others/Replicas, named by a parameter, may be it.
  test('a literal bucket name that a bucket named by a token may bear is not known at synth', () => {
    const [copy] = rowAt(model, 'Names/ToLiteral').tiers[0].copies;
    expect(copy).toMatchObject({
      destination: 'bucket prod-replicas (copy of the whole bucket)', region: mayBeReplicas, account: mayBeReplicas,
      retention: mayBeReplicas, encryptionKey: mayBeReplicas, locks: [`locks ${mayBeReplicas}`],
    });
  });

  // Before: 'not known (bucket not in this assembly; Destination.Account 222222222222 is stated, ...)'.
  test('an account stated without AccessControlTranslation is said with why the bucket is not known', () => {
    const [copy] = rowAt(model, 'Names/ToLiteralStated').tiers[0].copies;
    expect(copy.account).toBe('not known at synth (may be Others/Replicas, whose name is BucketName-replicas; '
      + 'Destination.Account 222222222222 is stated, not enforced: S3 checks it only with AccessControlTranslation)');
  });

  test('a literal bucket name no bucket of the assembly may bear stays not in this assembly', () => {
    const [copy] = rowAt(model, 'Names/ToLiteralElsewhere').tiers[0].copies;
    expect(copy).toMatchObject({ region: 'unknown (bucket not in this assembly)', encryptionKey: 'not known (bucket not in this assembly)' });
  });

  // Before: region 'unknown (bucket not in this assembly)', though the parameter may name any bucket of the assembly.
  test('a destination given wholly by a parameter is not known at synth', () => {
    const [copy] = rowAt(model, 'Names/ToParameter').tiers[0].copies;
    const notKnown = 'not known at synth (DestinationArn)';
    expect(copy).toMatchObject({ region: notKnown, account: notKnown, retention: notKnown, encryptionKey: notKnown, locks: [`locks ${notKnown}`] });
  });

  // Before: region 'unknown (bucket not in this assembly)', though <Env>-replicas may be either bucket named so.
  test('a destination name a token gives some of is not known at synth, and may be any bucket it can name', () => {
    const [copy] = rowAt(model, 'Names/ToTokenName').tiers[0].copies;
    expect(copy.region).toMatch(/^not known at synth \(may be /);
    expect(copy.region).toContain('Others/Replicas, whose name is BucketName-replicas');
    expect(copy.region).toContain('Others/DevReplicas, whose name is dev-replicas');
    const [far] = rowAt(model, 'Names/ToTokenNameElsewhere').tiers[0].copies;
    expect(far.region).toBe('unknown (bucket not in this assembly)');
  });

  test('such a copy is off-site not known', () => {
    const markdown = renderMarkdown(model);
    expect(markdown).toContain(`→ bucket prod-replicas (copy of the whole bucket) (${mayBeReplicas}, account ${mayBeReplicas}; off-site not known)`);
  });
});
