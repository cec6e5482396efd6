/**
 * A KMS alias, a replication bucket or a key the deploy names (a CloudFormation parameter, a
 * function): two stacks' parameters of one logical id are two values, so the report never reads
 * them as one name; within one stack a parameter has one value, so the same parameter still
 * names the same alias or bucket there.
 */
import { CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel } from '../../../core/report/model';
import { renderHtml, renderJson, renderMarkdown } from '../../../core/report/render';
import { rowAt } from './model-row';
import { reportOfApp } from './report-of-app';
import { describedStack, parametersIn, tableInPlan } from './report-fixtures';

let model: ReportModel;

/** A protected bucket `id` encrypted with `key`, replicating to `destination` (a bucket name or ARN) when given. */
function protectedBucket(stack: Stack, id: string, key: string, destination?: string): void {
  new s3.CfnBucket(stack, id, {
    versioningConfiguration: { status: 'Enabled' },
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key } }] },
    ...(destination === undefined ? {} : {
      replicationConfiguration: {
        role: 'arn:aws:iam::111111111111:role/replication',
        rules: [{ status: 'Enabled', destination: { bucket: destination } }],
      },
    }),
  }).cfnOptions.metadata = { 'cdk-backup-dr': { role: 'backup-store', tier: 'objects' } };
}

beforeAll(() => {
  model = reportOfApp((app) => {
    // A stack whose own parameter Name names its alias (alias/<Name>) and its replica bucket (<Name>).
    const others = describedStack(app, 'Others');
    const own = parametersIn(others);
    const otherName = own.text('Name');
    const key = new kms.CfnKey(others, 'Key', { enableKeyRotation: true });
    new kms.CfnAlias(others, 'Alias', { aliasName: Fn.join('', ['alias/', otherName]), targetKeyId: key.ref });
    new s3.CfnBucket(others, 'Replica', { bucketName: otherName, versioningConfiguration: { status: 'Enabled' } });
    // In its own stack the same parameter names the same alias and bucket.
    protectedBucket(others, 'Same', Fn.join('', ['alias/', otherName]), Fn.join('', ['arn:aws:s3:::', otherName]));
    protectedBucket(others, 'OwnKey', own.text('KeyArn'));
    // An export whose name the parameter gives.
    const vault = new backup.CfnBackupVault(others, 'Vault', { backupVaultName: 'others' });
    new CfnOutput(others, 'VaultExport', { value: vault.ref, exportName: otherName });

    // A bucket of another region named by an import: the same export name there is another export.
    const elsewhere = describedStack(app, 'Elsewhere', 'us-east-1');
    new s3.CfnBucket(elsewhere, 'Replica', { bucketName: Fn.importValue('ReplicaName'), versioningConfiguration: { status: 'Enabled' } });

    // Another stack of the same region and account with parameters of the same logical ids.
    const stack = describedStack(app, 'Names');
    const { text } = parametersIn(stack);
    const name = text('Name');
    protectedBucket(stack, 'Bucket', Fn.join('', ['alias/', name]), Fn.join('', ['arn:aws:s3:::', name]));
    protectedBucket(stack, 'BySub', Fn.sub('alias/${Name}'), Fn.sub('arn:aws:s3:::${Name}'));
    protectedBucket(stack, 'OwnKey', text('KeyArn'));
    protectedBucket(stack, 'ByImport', 'alias/aws/s3', Fn.join('', ['arn:aws:s3:::', Fn.importValue('ReplicaName')]));
    // An import of the literal export name 'Name'.
    tableInPlan(stack, [{ ruleName: 'Daily', targetBackupVault: Fn.importValue('Name'), scheduleExpression: 'cron(0 5 * * ? *)' }]);
  });
});

describe('a KMS alias named by a parameter', () => {
  // Before: 'KMS key Others/Key', read from the text 'alias/Name' of two different parameters.
  test('never matches an alias of another stack whose parameter has the same logical id', () => {
    for (const path of ['Names/Bucket', 'Names/BySub']) {
      expect(rowAt(model, path).encryption).not.toContain('Others/Key');
    }
  });

  test('matches the alias its own stack names with the same parameter', () => {
    expect(rowAt(model, 'Others/Same').encryption).toContain('KMS key Others/Key');
  });
});

describe('a replication bucket named by a parameter', () => {
  // Before: 'bucket Others/Replica', read from the text 'Name' of two different parameters.
  test('never matches a bucket of another stack whose parameter has the same logical id', () => {
    for (const path of ['Names/Bucket', 'Names/BySub']) {
      const [copy] = rowAt(model, path).tiers.flatMap((t) => t.copies);
      expect(copy.destination).not.toContain('Others/Replica');
    }
  });

  // Before: 'bucket Elsewhere/Replica', read from the text 'export ReplicaName' of two regions' exports.
  test('named by an import never matches a bucket of another region named by an import of the same name', () => {
    const [copy] = rowAt(model, 'Names/ByImport').tiers.flatMap((t) => t.copies);
    expect(copy.destination).not.toContain('Elsewhere/Replica');
  });

  test('matches the bucket its own stack names with the same parameter', () => {
    const [copy] = rowAt(model, 'Others/Same').tiers.flatMap((t) => t.copies);
    expect(copy.destination).toContain('bucket Others/Replica');
  });
});

// Before: one row for both, as if the two stacks' parameters KeyArn named one key.
test('keys given by two stacks\' parameters of one logical id are two rows of the keys table', () => {
  const rows = model.keys.filter((k) => k.encrypts.some((e) => e.endsWith('/OwnKey')));
  expect(rows.map((k) => [k.stack, k.encrypts])).toEqual(expect.arrayContaining([
    ['Others', ['data of S3 bucket Others/OwnKey']],
    ['Names', ['data of S3 bucket Names/OwnKey']],
  ]));
  expect(rows).toHaveLength(2);
});

// Before: stored in Others/Vault, the import of 'Name' read as the export the parameter Name names.
test('an import of a literal export name never reads an export whose name a parameter of the same logical id gives', () => {
  const [tier] = rowAt(model, 'Names/Table').tiers;
  expect(tier.storedIn).not.toContain('Others/Vault');
});

test('the report never shows the marks names are matched by', () => {
  for (const rendered of [renderMarkdown(model), renderHtml(model), renderJson(model)]) {
    expect(rendered).not.toContain('\uE001');
  }
});
