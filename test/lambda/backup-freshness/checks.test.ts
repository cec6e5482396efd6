import { BackupClient, ListRecoveryPointsByBackupVaultCommand, ListRecoveryPointsByResourceCommand } from '@aws-sdk/client-backup';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { checksumFileContent, serializeManifest } from '../../../core/dump/manifest';
import { ClientsFor, RegionClients, runCheck, runChecks, worstStatus } from '../../../lambda/backup-freshness/checks';
import { CheckConfig } from '../../../lambda/backup-freshness/config';
import { awsError, manifestFor, serveObjects, sha256, storeRun } from './support';

const rdsMock = mockClient(RDSClient);
const backupMock = mockClient(BackupClient);
const ec2Mock = mockClient(EC2Client);
const s3Mock = mockClient(S3Client);

const NOW = new Date('2026-11-21T12:00:00Z');
const hoursAgo = (hours: number): Date => new Date(NOW.getTime() - hours * 3_600_000);

const clients: RegionClients = {
  rds: new RDSClient({ region: 'eu-west-1' }),
  backup: new BackupClient({ region: 'eu-west-1' }),
  ec2: new EC2Client({ region: 'eu-west-1' }),
  s3: new S3Client({ region: 'eu-west-1' }),
};
let clientsFor: jest.Mock<RegionClients, Parameters<ClientsFor>>;

beforeEach(() => {
  rdsMock.reset();
  backupMock.reset();
  ec2Mock.reset();
  s3Mock.reset();
  clientsFor = jest.fn((_region: string | undefined) => clients);
});

const rdsCheck: CheckConfig = { kind: 'rds-snapshot', tier: 'daily', resource: 'orders-db', intervalHours: 24, graceHours: 2, dbInstanceIdentifier: 'orders-db', snapshotType: 'any' };

describe('RDS snapshots', () => {
  test('the newest available snapshot across pages counts; snapshots still being created do not', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolvesOnce({
      DBSnapshots: [{ DBSnapshotIdentifier: 'rds:orders-db-old', SnapshotCreateTime: hoursAgo(30), Status: 'available' }],
      Marker: 'page-2',
    }).resolvesOnce({
      DBSnapshots: [
        { DBSnapshotIdentifier: 'rds:orders-db-new', SnapshotCreateTime: hoursAgo(5), Status: 'available' },
        { DBSnapshotIdentifier: 'rds:orders-db-creating', SnapshotCreateTime: hoursAgo(0.1), Status: 'creating' },
      ],
    });
    const result = await runCheck(rdsCheck, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'ok', newestCopy: 'rds:orders-db-new', ageHours: 5, maxAgeHours: 26, region: 'eu-west-1' });
    const calls = rdsMock.commandCalls(DescribeDBSnapshotsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0].args[0].input).toMatchObject({ DBInstanceIdentifier: 'orders-db' });
    expect(calls[0].args[0].input.SnapshotType).toBeUndefined();
    expect(calls[1].args[0].input).toMatchObject({ Marker: 'page-2' });
  });

  test('a snapshot older than interval plus grace is stale; a snapshot type narrows the query', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: 'manual-1', SnapshotCreateTime: hoursAgo(27), Status: 'available' }] });
    const result = await runCheck({ ...rdsCheck, snapshotType: 'manual' }, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('stale');
    expect(result.detail).toContain('27 hours old, more than the 26 hours allowed');
    expect(rdsMock.commandCalls(DescribeDBSnapshotsCommand)[0].args[0].input.SnapshotType).toBe('manual');
  });

  test('at the limit: a second over is stale and reads over it, exactly at the limit is ok', async () => {
    const snapshotAged = (ageMs: number) => rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [{ DBSnapshotIdentifier: 'rds:orders-db-1', SnapshotCreateTime: new Date(NOW.getTime() - ageMs), Status: 'available' }],
    });
    snapshotAged(26 * 3_600_000 + 1_000);
    const justOver = await runCheck(rdsCheck, clientsFor, 'eu-west-1', NOW);
    expect(justOver).toMatchObject({ status: 'stale', ageHours: 26.01 });
    expect(justOver.detail).toBe('the newest available RDS snapshot of orders-db is 26.01 hours old, more than the 26 hours allowed (interval 24 h + grace 2 h)');
    snapshotAged(26 * 3_600_000);
    expect(await runCheck(rdsCheck, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'ok', ageHours: 26 });
    snapshotAged(26 * 3_600_000 - 1_000);
    expect(await runCheck(rdsCheck, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'ok', ageHours: 25.99 });
  });

  test('no snapshot is missing', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    const result = await runCheck(rdsCheck, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('missing');
    expect(result.ageHours).toBeUndefined();
  });

  test('throttling makes the check unknown with the reason, never ok', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', 400));
    const result = await runCheck(rdsCheck, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('unknown');
    expect(result.detail).toBe('rds-snapshot orders-db daily could not be checked: throttled by AWS (ThrottlingException: Rate exceeded)');
  });

  test('a copy in the disaster-recovery region is looked up with that region\'s clients', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: 'copy-1', SnapshotCreateTime: hoursAgo(3), Status: 'available' }] });
    const result = await runCheck({ ...rdsCheck, region: 'eu-central-1', tier: 'daily-dr' }, clientsFor, 'eu-west-1', NOW);
    expect(clientsFor).toHaveBeenCalledWith('eu-central-1');
    expect(result).toMatchObject({ status: 'ok', region: 'eu-central-1', tier: 'daily-dr' });
  });

  test('a copy made recently of an old snapshot is as old as the original: stale', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [
      { DBSnapshotIdentifier: 'copy-of-old', SnapshotCreateTime: hoursAgo(1), OriginalSnapshotCreateTime: hoursAgo(72), Status: 'available' },
    ] });
    const result = await runCheck({ ...rdsCheck, region: 'eu-central-1', tier: 'daily-dr' }, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'stale', newestCopy: 'copy-of-old', ageHours: 72, newestAt: hoursAgo(72).toISOString() });
  });

  test('among copies, the one holding the newest data counts, whenever it was copied', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [
      { DBSnapshotIdentifier: 'recent-copy-of-old', SnapshotCreateTime: hoursAgo(0.5), OriginalSnapshotCreateTime: hoursAgo(50), Status: 'available' },
      { DBSnapshotIdentifier: 'older-copy-of-new', SnapshotCreateTime: hoursAgo(3), OriginalSnapshotCreateTime: hoursAgo(4), Status: 'available' },
    ] });
    const result = await runCheck({ ...rdsCheck, region: 'eu-central-1' }, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'ok', newestCopy: 'older-copy-of-new', ageHours: 4 });
  });
});

describe('AWS Backup recovery points', () => {
  const check: CheckConfig = { kind: 'recovery-point', tier: 'daily', resource: 'orders-db', intervalHours: 24, graceHours: 4, resourceArn: 'arn:aws:rds:eu-west-1:111111111111:db:orders-db' };

  test('pages through the resource\'s recovery points and ignores partial ones', async () => {
    backupMock.on(ListRecoveryPointsByResourceCommand).resolvesOnce({
      RecoveryPoints: [{ RecoveryPointArn: 'rp-1', CreationDate: hoursAgo(20), Status: 'COMPLETED' }],
      NextToken: 'next',
    }).resolvesOnce({
      RecoveryPoints: [{ RecoveryPointArn: 'rp-2', CreationDate: hoursAgo(1), Status: 'PARTIAL' }, { RecoveryPointArn: 'rp-3', CreationDate: hoursAgo(2), Status: 'COMPLETED' }],
    });
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'ok', newestCopy: 'rp-3', ageHours: 2 });
    expect(backupMock.commandCalls(ListRecoveryPointsByResourceCommand)[1].args[0].input).toMatchObject({ NextToken: 'next', ResourceArn: check.resourceArn });
  });

  test('only recovery points managed by AWS Backup count, not the snapshots RDS takes itself', async () => {
    backupMock.on(ListRecoveryPointsByResourceCommand).resolves({
      RecoveryPoints: [{ RecoveryPointArn: 'arn:aws:rds:eu-west-1:111111111111:snapshot:rds:orders-db-2026-11-21-10-00', CreationDate: hoursAgo(2), Status: 'COMPLETED' }],
    });
    backupMock.on(ListRecoveryPointsByResourceCommand, { ManagedByAWSBackupOnly: true }).resolves({
      RecoveryPoints: [{ RecoveryPointArn: 'rp-backup', CreationDate: hoursAgo(50), Status: 'COMPLETED' }],
    });
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'stale', newestCopy: 'rp-backup', ageHours: 50 });
  });

  test('a copy in the disaster-recovery vault is listed by vault and resource', async () => {
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: 'rp-dr', CreationDate: hoursAgo(40), Status: 'COMPLETED' }] });
    const result = await runCheck({ ...check, backupVaultName: 'dr-vault', region: 'eu-central-1' }, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'stale', newestCopy: 'rp-dr', ageHours: 40 });
    expect(backupMock.commandCalls(ListRecoveryPointsByBackupVaultCommand)[0].args[0].input).toMatchObject({ BackupVaultName: 'dr-vault', ByResourceArn: check.resourceArn });
  });

  // Before: the vault's account was not sent, so AWS Backup looked for a vault of that name in
  // the function's own account (none: unknown; or another vault of the same name).
  test('a vault of another account is listed with that account', async () => {
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: 'rp-dr', CreationDate: hoursAgo(3), Status: 'COMPLETED' }] });
    const result = await runCheck({ ...check, backupVaultName: 'dr-vault', backupVaultAccountId: '222222222222', region: 'eu-central-1' }, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'ok', newestCopy: 'rp-dr', detail: expect.stringContaining('in vault dr-vault of account 222222222222') });
    expect(backupMock.commandCalls(ListRecoveryPointsByBackupVaultCommand)[0].args[0].input).toEqual({ BackupVaultName: 'dr-vault', BackupVaultAccountId: '222222222222', ByResourceArn: check.resourceArn });
  });

  test('a vault of the function\'s own account is listed without an account', async () => {
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [] });
    await runCheck({ ...check, backupVaultName: 'dr-vault' }, clientsFor, 'eu-west-1', NOW);
    expect(backupMock.commandCalls(ListRecoveryPointsByBackupVaultCommand)[0].args[0].input).toEqual({ BackupVaultName: 'dr-vault', ByResourceArn: check.resourceArn });
  });

  test('a copy made recently of an old recovery point counts from its CreationDate, the source\'s: stale', async () => {
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [{
      RecoveryPointArn: 'rp-copy-of-old', SourceBackupVaultArn: 'arn:aws:backup:eu-west-1:111111111111:backup-vault:primary',
      CreationDate: hoursAgo(72), InitiationDate: hoursAgo(1), CompletionDate: hoursAgo(0.5), Status: 'COMPLETED',
    }] });
    const result = await runCheck({ ...check, backupVaultName: 'dr-vault', region: 'eu-central-1' }, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'stale', newestCopy: 'rp-copy-of-old', ageHours: 72, newestAt: hoursAgo(72).toISOString() });
  });

  test('access denied makes the check unknown', async () => {
    backupMock.on(ListRecoveryPointsByResourceCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform backup:ListRecoveryPointsByResource', 403));
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('unknown');
    expect(result.detail).toContain('access denied (AccessDeniedException: not authorized');
  });
});

describe('EBS snapshots', () => {
  test('snapshots by tag across pages', async () => {
    ec2Mock.on(DescribeSnapshotsCommand).resolvesOnce({ Snapshots: [{ SnapshotId: 'snap-1', StartTime: hoursAgo(9) }], NextToken: 't' })
      .resolvesOnce({ Snapshots: [{ SnapshotId: 'snap-2', StartTime: hoursAgo(0.5) }] });
    const result = await runCheck({ kind: 'ebs-snapshot', tier: 'hourly', resource: 'app-volumes', intervalHours: 1, graceHours: 0.5, tagKey: 'backup', tagValue: 'hourly' }, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'ok', newestCopy: 'snap-2', ageHours: 0.5 });
    expect(ec2Mock.commandCalls(DescribeSnapshotsCommand)[0].args[0].input).toMatchObject({
      OwnerIds: ['self'],
      Filters: [{ Name: 'status', Values: ['completed'] }, { Name: 'tag:backup', Values: ['hourly'] }],
    });
  });

  test('copies by a volume tag and the tag of the policy that made them: both filters, so snapshots with only one do not count', async () => {
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-copy', StartTime: hoursAgo(2) }] });
    const check: CheckConfig = {
      kind: 'ebs-snapshot', tier: 'off-site', resource: 'tag:backup=hourly', intervalHours: 1, graceHours: 6, region: 'eu-central-1',
      tagKey: 'backup', tagValue: 'hourly', alsoTagKey: 'cdk-backup-dr:snapshot-policy', alsoTagValue: 'eu-west-1/Primary/Dr/VolumeSnapshots',
    };
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'ok', newestCopy: 'snap-copy', region: 'eu-central-1' });
    expect(ec2Mock.commandCalls(DescribeSnapshotsCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'status', Values: ['completed'] },
      { Name: 'tag:backup', Values: ['hourly'] },
      { Name: 'tag:cdk-backup-dr:snapshot-policy', Values: ['eu-west-1/Primary/Dr/VolumeSnapshots'] },
    ]);
  });

  test('snapshots of one volume', async () => {
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    const result = await runCheck({ kind: 'ebs-snapshot', tier: 'daily', resource: 'vol-1', intervalHours: 24, graceHours: 1, volumeId: 'vol-1' }, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('missing');
    expect(ec2Mock.commandCalls(DescribeSnapshotsCommand)[0].args[0].input.Filters).toContainEqual({ Name: 'volume-id', Values: ['vol-1'] });
  });
});

function serve(objects: Map<string, Buffer>, pageSize = 2): void {
  serveObjects(s3Mock, { objects }, pageSize);
}

describe('daily dumps', () => {
  const check: CheckConfig = { kind: 'daily-dump', tier: 'daily-dump', resource: 'dumps', intervalHours: 24, graceHours: 2, bucket: 'dumps-48h' };
  const dump = Buffer.from('-- MariaDB dump\nINSERT INTO orders VALUES (1),(2),(3);\n'.repeat(50));

  test('today\'s newest run is verified by streaming every file through SHA-256', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'daily/2026-11-21/20261121T010000Z-aaaaaa/', '20261121T010000Z-aaaaaa', hoursAgo(11), Buffer.from('older'));
    storeRun(objects, 'daily/2026-11-21/20261121T030000Z-bbbbbb/', '20261121T030000Z-bbbbbb', hoursAgo(9), dump);
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'ok', newestCopy: 'daily/2026-11-21/20261121T030000Z-bbbbbb/', ageHours: 9 });
    expect(result.detail).toContain('2 file(s) of run 20261121T030000Z-bbbbbb match their SHA-256 and size');
    // Listing paged through today's prefix and stopped there: it holds a run.
    expect(s3Mock.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Prefix)).toEqual(['daily/2026-11-21/', 'daily/2026-11-21/', 'daily/2026-11-21/']);
  });

  test('a fresh, intact dump whose manifest notes it may be incomplete is unknown with the notes, not ok; a stale one stays stale with them', async () => {
    const notes = ["the dump user dumper@% may lack SHOW DATABASES (GRANT SHOW DATABASES ON *.* TO 'dumper'@'%'); whether it holds it is unknown: SHOW GRANTS FOR role 'reader' failed"];
    const objects = new Map<string, Buffer>();
    const prefix = 'daily/2026-11-21/20261121T030000Z-bbbbbb/';
    storeRun(objects, prefix, '20261121T030000Z-bbbbbb', hoursAgo(9), dump);
    objects.set(`${prefix}manifest.json`, Buffer.from(serializeManifest({ ...manifestFor(prefix, '20261121T030000Z-bbbbbb', hoursAgo(9), dump), completenessNotes: notes })));
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'unknown', newestCopy: prefix, ageHours: 9, verifiedFiles: [expect.objectContaining({ key: `${prefix}dump.sql.gz` }), expect.anything()] });
    expect(result.detail).toBe(
      `the newest dump is 9 hours old, within 26 hours; 2 file(s) of run 20261121T030000Z-bbbbbb match their SHA-256 and size (hashed in this run: ${prefix}dump.sql.gz, ${prefix}dump.sql.gz.sha256); ` +
      `but whether the dump is complete is unknown, its manifest notes: ${notes[0]}`,
    );
    const late = await runCheck(check, clientsFor, 'eu-west-1', new Date(NOW.getTime() + 20 * 3_600_000));
    expect(late).toMatchObject({ status: 'stale', ageHours: 29 });
    expect(late.detail).toContain(`; but whether the dump is complete is unknown, its manifest notes: ${notes[0]}`);
  });

  test('a dump whose bytes do not match the manifest\'s SHA-256 is corrupt', async () => {
    const objects = new Map<string, Buffer>();
    const prefix = 'daily/2026-11-21/20261121T030000Z-bbbbbb/';
    storeRun(objects, prefix, '20261121T030000Z-bbbbbb', hoursAgo(9), dump);
    const flipped = Buffer.from(dump);
    flipped[100] ^= 0xff;
    objects.set(`${prefix}dump.sql.gz`, flipped);
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('corrupt');
    expect(result.detail).toContain(`${prefix}dump.sql.gz has SHA-256 ${sha256(flipped)}, the manifest says ${sha256(dump)}`);
  });

  test('a checksum file that names another digest is corrupt', async () => {
    const objects = new Map<string, Buffer>();
    const prefix = 'daily/2026-11-21/run-1/';
    storeRun(objects, prefix, 'run-1', hoursAgo(3), dump);
    const other = Buffer.from(checksumFileContent('0'.repeat(64)));
    objects.set(`${prefix}dump.sql.gz.sha256`, other);
    // The manifest lists the checksum file's own hash: keep it consistent so that the comparison with the dump's digest is what fails.
    const manifest = manifestFor(prefix, 'run-1', hoursAgo(3), dump);
    objects.set(`${prefix}manifest.json`, Buffer.from(serializeManifest({ ...manifest, files: [manifest.files[0], { key: `${prefix}dump.sql.gz.sha256`, bytes: other.length, sha256: sha256(other) }] })));
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('corrupt');
    expect(result.detail).toContain(`dump.sql.gz.sha256 says ${'0'.repeat(64)}, the dump's SHA-256 is ${sha256(dump)}`);
  });

  test('a file listed in the manifest that does not exist makes the run corrupt', async () => {
    const objects = new Map<string, Buffer>();
    const prefix = 'daily/2026-11-21/run-1/';
    storeRun(objects, prefix, 'run-1', hoursAgo(3), dump);
    objects.delete(`${prefix}dump.sql.gz`);
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'corrupt' });
    expect(result.detail).toContain(`${prefix}dump.sql.gz is listed in the manifest but does not exist`);
  });

  test('a missing file is corrupt even where S3 answers its HEAD and GET with 403 (no s3:ListBucket on that key): the listing says it is missing', async () => {
    for (const missing of ['dump.sql.gz', 'dump.sql.gz.sha256']) {
      s3Mock.reset();
      const objects = new Map<string, Buffer>();
      const prefix = 'daily/2026-11-21/run-1/';
      storeRun(objects, prefix, 'run-1', hoursAgo(3), dump);
      objects.delete(`${prefix}${missing}`);
      serve(objects);
      s3Mock.on(HeadObjectCommand, { Key: `${prefix}${missing}` }).rejects(awsError('Forbidden', 'Forbidden', 403));
      s3Mock.on(GetObjectCommand, { Key: `${prefix}${missing}` }).rejects(awsError('AccessDenied', 'Access Denied', 403));
      const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
      expect(result).toMatchObject({ status: 'corrupt' });
      expect(result.detail).toMatch(/dump\.sql\.gz(\.sha256)? (is listed in the manifest but )?does not exist/);
    }
  });

  test('an empty dump is corrupt, though the manifest and the checksum file name the SHA-256 of nothing', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'daily/2026-11-21/run-1/', 'run-1', hoursAgo(3), Buffer.alloc(0));
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'corrupt', newestCopy: 'daily/2026-11-21/run-1/' });
    expect(result.detail).toBe('s3://dumps-48h/daily/2026-11-21/run-1/: the manifest lists daily/2026-11-21/run-1/dump.sql.gz with 0 bytes: a gzip-compressed dump is never empty');
  });

  test('a manifest whose dump started after the check\'s time is corrupt, not ok for as long as that lies ahead; a few minutes ahead is clock skew', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'daily/2026-11-21/run-1/', 'run-1', new Date('2026-11-21T23:00:00Z'), dump);
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'corrupt', newestCopy: 'daily/2026-11-21/run-1/' });
    expect(result.detail).toBe('s3://dumps-48h/daily/2026-11-21/run-1/: the manifest says the dump started at 2026-11-21T23:00:00Z, after this check\'s time 2026-11-21T12:00:00.000Z');
    storeRun(objects, 'daily/2026-11-21/run-1/', 'run-1', new Date('2026-11-21T12:04:00Z'), dump);
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'ok' });
  });

  test('a manifest whose dump started on another day than its prefix\'s (an older run copied under today) is corrupt; a few minutes across midnight is clock skew', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'daily/2026-11-21/run-1/', 'run-1', new Date('2026-11-19T09:00:00Z'), dump);
    serve(objects);
    const result = await runCheck({ ...check, intervalHours: 72 }, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'corrupt', newestCopy: 'daily/2026-11-21/run-1/', newestAt: '2026-11-19T09:00:00.000Z' });
    expect(result.detail).toBe('s3://dumps-48h/daily/2026-11-21/run-1/: the manifest says the dump started at 2026-11-19T09:00:00Z, not on 2026-11-21 (UTC), the day of its prefix daily/2026-11-21/ (allowing 5 minutes of clock skew)');
    storeRun(objects, 'daily/2026-11-21/run-1/', 'run-1', new Date('2026-11-20T23:54:00Z'), dump);
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'corrupt' });
    storeRun(objects, 'daily/2026-11-21/run-1/', 'run-1', new Date('2026-11-20T23:56:00Z'), dump);
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'ok', ageHours: 12.06 });
    storeRun(objects, 'daily/2026-11-20/run-0/', 'run-0', new Date('2026-11-21T00:06:00Z'), dump);
    objects.delete('daily/2026-11-21/run-1/manifest.json');
    const late = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(late).toMatchObject({ status: 'corrupt', newestCopy: 'daily/2026-11-20/run-0/' });
    expect(late.detail).toContain('started at 2026-11-21T00:06:00Z, not on 2026-11-20 (UTC)');
  });

  test('a manifest that lists another run\'s files is corrupt: the run\'s own dump is not what was hashed', async () => {
    const objects = new Map<string, Buffer>();
    const older = 'daily/2026-11-20/run-0/';
    const prefix = 'daily/2026-11-21/run-1/';
    storeRun(objects, older, 'run-0', hoursAgo(30), dump);
    storeRun(objects, prefix, 'run-1', hoursAgo(3), dump);
    // Today's manifest, fresh by its time, names yesterday's files; today's own dump is gone.
    objects.set(`${prefix}manifest.json`, Buffer.from(serializeManifest({ ...manifestFor(older, 'run-1', hoursAgo(3), dump), runId: 'run-1', tier: 'daily' })));
    objects.delete(`${prefix}dump.sql.gz`);
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'corrupt', newestCopy: prefix });
    expect(result.detail).toBe(`s3://dumps-48h/${prefix}: the manifest lists ${older}dump.sql.gz, which is not a file of this run (not directly under ${prefix})`);
    expect(s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([`${prefix}manifest.json`]);
    // A file a level below the run's prefix is not one of its files either.
    objects.set(`${prefix}dump.sql.gz`, dump);
    const nested = manifestFor(prefix, 'run-1', hoursAgo(3), dump);
    objects.set(`${prefix}manifest.json`, Buffer.from(serializeManifest({ ...nested, files: [{ ...nested.files[0], key: `${prefix}copy/dump.sql.gz` }, nested.files[1]] })));
    objects.set(`${prefix}copy/dump.sql.gz`, dump);
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'corrupt', detail: expect.stringContaining(`lists ${prefix}copy/dump.sql.gz, which is not a file of this run`) });
  });

  test('an invalid manifest makes the run corrupt', async () => {
    const objects = new Map<string, Buffer>();
    objects.set('daily/2026-11-21/run-1/manifest.json', Buffer.from('{"version": 7}'));
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('corrupt');
    expect(result.detail).toContain('the manifest of s3://dumps-48h/daily/2026-11-21/run-1/ is invalid');
  });

  test('yesterday\'s run older than interval plus grace is stale; no run at all is missing', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'daily/2026-11-20/run-0/', 'run-0', hoursAgo(30), dump);
    serve(objects);
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'stale', ageHours: 30 });
    serve(new Map());
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'missing' });
  });

  const listedPrefixes = (): string[] => [...new Set(s3Mock.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Prefix!))];

  test('just after midnight, a run from the day before yesterday within interval plus grace is ok, not missing', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'daily/2026-11-19/run-0/', 'run-0', new Date('2026-11-19T23:00:00Z'), dump);
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', new Date('2026-11-21T00:30:00Z'));
    expect(result).toMatchObject({ status: 'ok', newestCopy: 'daily/2026-11-19/run-0/', ageHours: 25.5 });
  });

  test('an interval of several days: the days are listed newest first up to the first with a manifest, passing a day whose run has no manifest yet', async () => {
    const everyThreeDays: CheckConfig = { ...check, intervalHours: 72, graceHours: 2 };
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'daily/2026-11-17/run-old/', 'run-old', new Date('2026-11-17T00:00:00Z'), dump);
    storeRun(objects, 'daily/2026-11-19/run-1/', 'run-1', new Date('2026-11-19T00:00:00Z'), dump);
    objects.set('daily/2026-11-20/run-2/dump.sql.gz', dump);
    serve(objects);
    const result = await runCheck(everyThreeDays, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'ok', newestCopy: 'daily/2026-11-19/run-1/', ageHours: 60 });
    expect(listedPrefixes()).toEqual(['daily/2026-11-21/', 'daily/2026-11-20/', 'daily/2026-11-19/']);
  });

  test('no run within an interval of several days is missing, naming the days looked at; each was listed once, none before them', async () => {
    serve(new Map([['daily/2026-11-16/run-0/manifest.json', Buffer.from('{}')]]));
    const result = await runCheck({ ...check, intervalHours: 72, graceHours: 2 }, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'missing' });
    expect(result.detail).toBe('no dump manifest under daily/2026-11-21/ back to daily/2026-11-17/ (5 days, for a run up to 74 hours old) in bucket dumps-48h');
    expect(listedPrefixes()).toEqual(['daily/2026-11-21/', 'daily/2026-11-20/', 'daily/2026-11-19/', 'daily/2026-11-18/', 'daily/2026-11-17/']);
    expect(s3Mock.commandCalls(ListObjectsV2Command)).toHaveLength(5);
  });

  test('when the run\'s time is up, the check is unknown and lists no further day after it returns', async () => {
    serve(new Map());
    const deadline = new AbortController();
    s3Mock.on(ListObjectsV2Command).callsFake(() => {
      deadline.abort(new Error('time is up'));
      return { Contents: [], IsTruncated: false };
    });
    const result = await runCheck({ ...check, intervalHours: 72 }, clientsFor, 'eu-west-1', NOW, undefined, deadline.signal);
    expect(result).toMatchObject({ status: 'unknown' });
    expect(result.detail).toContain('time is up');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listedPrefixes()).toEqual(['daily/2026-11-21/']);
  });

  test('access denied while reading the dump is unknown, not corrupt', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'daily/2026-11-21/run-1/', 'run-1', hoursAgo(3), dump);
    serve(objects);
    s3Mock.on(GetObjectCommand, { Key: 'daily/2026-11-21/run-1/dump.sql.gz' }).rejects(awsError('AccessDenied', 'Access Denied', 403));
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('unknown');
    expect(result.detail).toContain('access denied (AccessDenied: Access Denied)');
  });
});

test('dump and archive buckets in another region are read with the clients of that region', async () => {
  const offSite: RegionClients = { ...clients, s3: new S3Client({ region: 'eu-central-1' }) };
  clientsFor.mockImplementation((region) => (region === 'eu-central-1' ? offSite : clients));
  const objects = new Map<string, Buffer>();
  storeRun(objects, 'daily/2026-11-21/20261121T030000Z-bbbbbb/', '20261121T030000Z-bbbbbb', hoursAgo(9), Buffer.from('dump'));
  storeRun(objects, 'yearly/2026/2026-01-02/run-1/', 'run-1', new Date('2026-01-02T01:00:00Z'), Buffer.from('dump'));
  serve(objects);
  const results = await runChecks([
    { kind: 'daily-dump', tier: 'daily-dump-dr', resource: 'dumps-replica', intervalHours: 24, graceHours: 2, bucket: 'dumps-replica', region: 'eu-central-1' },
    { kind: 'yearly-archive', tier: 'yearly-dr', resource: 'archive-replica', intervalHours: 8784, graceHours: 336, bucket: 'archive-replica', region: 'eu-central-1' },
  ], clientsFor, 'eu-west-1', NOW);
  expect(results.map((r) => `${r.kind}:${r.status}:${r.region}`)).toEqual(['daily-dump:ok:eu-central-1', 'yearly-archive:ok:eu-central-1']);
  const callers = [...s3Mock.commandCalls(ListObjectsV2Command), ...s3Mock.commandCalls(GetObjectCommand)].map((call) => call.thisValue);
  expect(callers.length).toBeGreaterThan(0);
  expect(callers.every((client) => client === offSite.s3)).toBe(true);
});

describe('yearly archives', () => {
  const check: CheckConfig = { kind: 'yearly-archive', tier: 'yearly', resource: 'archive', intervalHours: 8784, graceHours: 24 * 14, bucket: 'archive' };
  const dump = Buffer.from('dump');

  const RUN = 'yearly/2026/2026-01-02/run-1/';
  const MANIFEST = `${RUN}manifest.json`;

  test('this year\'s complete run whose manifest says it started on its prefix\'s day is ok; of its objects only the manifest is read', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, RUN, 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
    serve(objects);
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({
      status: 'ok',
      newestCopy: RUN,
      detail: `this year's archive ${RUN} holds its dump, checksum file and manifest; the manifest of ${RUN} says the dump started at 2026-01-02T01:00:00Z`,
    });
    // The dump may be in a cold storage class: it is listed, never read.
    expect(s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([MANIFEST]);
  });

  test('a manifest of another day under this year\'s prefix (an older run copied there) is corrupt', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, RUN, 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
    objects.set(MANIFEST, Buffer.from(serializeManifest(manifestFor(RUN, 'run-1', new Date('2024-01-02T01:00:00Z'), dump))));
    serve(objects);
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({
      status: 'corrupt',
      newestCopy: RUN,
      detail: `s3://archive/${RUN}: the manifest says the dump started at 2024-01-02T01:00:00Z, not on 2026-01-02 (UTC), the day of its prefix yearly/2026/2026-01-02/ (allowing 5 minutes of clock skew)`,
    });
  });

  test('a manifest that says its dump started after the check\'s time is corrupt', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'yearly/2026/2026-11-21/run-1/', 'run-1', new Date('2026-11-21T12:30:00Z'), dump);
    serve(objects);
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({
      status: 'corrupt',
      detail: 's3://archive/yearly/2026/2026-11-21/run-1/: the manifest says the dump started at 2026-11-21T12:30:00Z, after this check\'s time 2026-11-21T12:00:00.000Z',
    });
  });

  test('a manifest whose files differ in size from the run\'s, or name another run\'s, is corrupt', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, RUN, 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
    objects.set(MANIFEST, Buffer.from(serializeManifest(manifestFor(RUN, 'run-1', new Date('2026-01-02T01:00:00Z'), Buffer.from('a longer dump')))));
    serve(objects);
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({
      status: 'corrupt', detail: `s3://archive/${RUN}: the manifest lists ${RUN}dump.sql.gz with 13 bytes, the run holds 4`,
    });
    const older = 'yearly/2026/2026-01-01/run-0/';
    objects.set(MANIFEST, Buffer.from(serializeManifest({ ...manifestFor(older, 'run-0', new Date('2026-01-02T01:00:00Z'), dump) })));
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({
      status: 'corrupt', detail: `s3://archive/${RUN}: the manifest lists ${older}dump.sql.gz with 4 bytes, which the run does not hold`,
    });
  });

  test('an invalid manifest is corrupt', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, RUN, 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
    objects.set(MANIFEST, Buffer.from('{"version": 1}'));
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('corrupt');
    expect(result.detail).toMatch(new RegExp(`^the manifest s3://archive/${MANIFEST} is invalid: `));
  });

  test('a manifest in Deep Archive is not read: its created-at metadata (HEAD) gives the time, ok on the prefix\'s day, corrupt on another', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, RUN, 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
    const heads = new Map([[MANIFEST, { StorageClass: 'DEEP_ARCHIVE', Metadata: { 'created-at': '2026-01-02T01:00:00.000Z' } }]]);
    serveObjects(s3Mock, { objects, heads });
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({
      status: 'ok',
      detail: `this year's archive ${RUN} holds its dump, checksum file and manifest; the created-at metadata of the manifest of ${RUN} (in DEEP_ARCHIVE) says the dump started at 2026-01-02T01:00:00.000Z`,
    });
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    heads.set(MANIFEST, { StorageClass: 'DEEP_ARCHIVE', Metadata: { 'created-at': '2025-01-03T01:00:00.000Z' } });
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({
      status: 'corrupt',
      detail: `s3://archive/${RUN}: the manifest says the dump started at 2025-01-03T01:00:00.000Z, not on 2026-01-02 (UTC), the day of its prefix yearly/2026/2026-01-02/ (allowing 5 minutes of clock skew)`,
    });
    heads.set(MANIFEST, { StorageClass: 'DEEP_ARCHIVE', Metadata: { 'created-at': 'yesterday' } });
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({
      status: 'corrupt', detail: `the manifest s3://archive/${MANIFEST} has created-at metadata 'yesterday', not an ISO 8601 time`,
    });
  });

  test('a manifest in Deep Archive without created-at metadata (written before it was recorded) is unknown, not ok', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, RUN, 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
    serveObjects(s3Mock, { objects, heads: new Map([[MANIFEST, { StorageClass: 'DEEP_ARCHIVE' }]]) });
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result).toMatchObject({ status: 'unknown', newestCopy: RUN });
    expect(result.detail).toBe(`this year's archive ${RUN} holds its dump, checksum file and manifest; but when the dump of ${RUN} started is unknown: `
      + 'its manifest is in DEEP_ARCHIVE, which cannot be read without restoring it, and carries no created-at metadata (a manifest written before the dump job recorded it); '
      + 'a run started with forceYearly writes an archive that does');
  });

  test('a restored copy of an archived manifest is read', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, RUN, 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
    serveObjects(s3Mock, { objects, heads: new Map([[MANIFEST, { StorageClass: 'DEEP_ARCHIVE', Restore: 'ongoing-request="false", expiry-date="Fri, 27 Nov 2026 00:00:00 GMT"' }]]) });
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'ok', detail: expect.stringMatching(/; the manifest of yearly\/2026\/2026-01-02\/run-1\/ says the dump started at 2026-01-02T01:00:00Z$/) });
  });

  test('a manifest that cannot be read (access denied to HEAD or GET) is unknown, not ok', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, RUN, 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
    for (const command of [HeadObjectCommand, GetObjectCommand] as const) {
      serve(objects);
      s3Mock.on(command as typeof GetObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
      const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
      expect(result.status).toBe('unknown');
      expect(result.detail).toContain('Access Denied');
    }
  });

  test('last year\'s archive, counted within the grace after New Year, is checked the same way', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'yearly/2025/2025-01-03/run-0/', 'run-0', new Date('2025-01-03T01:00:00Z'), dump);
    objects.set('yearly/2025/2025-01-03/run-0/manifest.json', Buffer.from(serializeManifest(manifestFor('yearly/2025/2025-01-03/run-0/', 'run-0', new Date('2024-01-03T01:00:00Z'), dump))));
    serve(objects);
    expect(await runCheck(check, clientsFor, 'eu-west-1', new Date('2026-01-05T00:00:00Z'))).toMatchObject({
      status: 'corrupt',
      detail: expect.stringMatching(/^s3:\/\/archive\/yearly\/2025\/2025-01-03\/run-0\/: the manifest says the dump started at 2024-01-03T01:00:00Z, not on 2025-01-03 \(UTC\), the day of its prefix yearly\/2025\/2025-01-03\//),
    });
  });

  test('a run without its checksum file is corrupt', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'yearly/2026/2026-01-02/run-1/', 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
    objects.delete('yearly/2026/2026-01-02/run-1/dump.sql.gz.sha256');
    serve(objects);
    const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
    expect(result.status).toBe('corrupt');
    expect(result.detail).toContain('lacks dump.sql.gz.sha256');
  });

  test('a run with an empty checksum file or manifest is corrupt, as one with an empty dump', async () => {
    for (const empty of ['dump.sql.gz', 'dump.sql.gz.sha256', 'manifest.json']) {
      const objects = new Map<string, Buffer>();
      storeRun(objects, 'yearly/2026/2026-01-02/run-1/', 'run-1', new Date('2026-01-02T01:00:00Z'), dump);
      objects.set(`yearly/2026/2026-01-02/run-1/${empty}`, Buffer.alloc(0));
      serve(objects);
      const result = await runCheck(check, clientsFor, 'eu-west-1', NOW);
      expect(result).toMatchObject({ status: 'corrupt', detail: `s3://archive/yearly/2026/2026-01-02/run-1/ holds an empty ${empty}` });
    }
  });

  test('only last year\'s archive, and that one without its checksum file: corrupt, within the grace after New Year and after it', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'yearly/2025/2025-01-03/run-0/', 'run-0', new Date('2025-01-03T01:00:00Z'), dump);
    objects.delete('yearly/2025/2025-01-03/run-0/dump.sql.gz.sha256');
    serve(objects);
    for (const now of [new Date('2026-01-05T00:00:00Z'), NOW]) {
      const result = await runCheck(check, clientsFor, 'eu-west-1', now);
      expect(result).toMatchObject({ status: 'corrupt', newestCopy: 'yearly/2025/2025-01-03/run-0/' });
      expect(result.detail).toBe('no archive for 2026 under yearly/2026/ in bucket archive, and last year\'s is not whole: s3://archive/yearly/2025/2025-01-03/run-0/ lacks dump.sql.gz.sha256');
    }
  });

  test('this year\'s copy still being written (its manifest comes last) is not the year\'s archive: within the grace last year\'s counts, after it the archive is stale', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'yearly/2025/2025-01-03/run-0/', 'run-0', new Date('2025-01-03T01:00:00Z'), dump);
    objects.set('yearly/2026/2026-01-02/run-1/dump.sql.gz', dump);
    serve(objects);
    const inGrace = await runCheck(check, clientsFor, 'eu-west-1', new Date('2026-01-02T00:30:00Z'));
    expect(inGrace).toMatchObject({ status: 'ok', newestCopy: 'yearly/2025/2025-01-03/run-0/' });
    expect(inGrace.detail).toBe('this year\'s archive is not due yet (24.5 of 336 grace hours into 2026); last year\'s is yearly/2025/2025-01-03/run-0/; '
      + 'yearly/2026/2026-01-02/run-1/ has no manifest yet (a copy in progress, or one that failed); the manifest of yearly/2025/2025-01-03/run-0/ says the dump started at 2025-01-03T01:00:00Z');
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'stale', newestCopy: 'yearly/2025/2025-01-03/run-0/' });
  });

  test('only last year\'s archive: ok within the grace after New Year, stale after it', async () => {
    const objects = new Map<string, Buffer>();
    storeRun(objects, 'yearly/2025/2025-01-03/run-0/', 'run-0', new Date('2025-01-03T01:00:00Z'), dump);
    serve(objects);
    expect(await runCheck(check, clientsFor, 'eu-west-1', new Date('2026-01-05T00:00:00Z'))).toMatchObject({ status: 'ok' });
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'stale', newestCopy: 'yearly/2025/2025-01-03/run-0/' });
    serve(new Map());
    expect(await runCheck(check, clientsFor, 'eu-west-1', NOW)).toMatchObject({ status: 'missing' });
  });
});

test('a check started once the run\'s time is up is unknown, and its work failing afterwards is no unhandled rejection (which ends the Lambda process)', async () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', record);
  try {
    rdsMock.on(DescribeDBSnapshotsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', 400));
    const deadline = new AbortController();
    deadline.abort(new Error('time is up'));
    const result = await runCheck(rdsCheck, clientsFor, 'eu-west-1', NOW, undefined, deadline.signal);
    expect(result).toMatchObject({ status: 'unknown' });
    expect(result.detail).toContain('time is up');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rdsMock.commandCalls(DescribeDBSnapshotsCommand)).toHaveLength(1);
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', record);
  }
});

test('runChecks keeps the order of the checks and the worst status wins', async () => {
  rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: 's', SnapshotCreateTime: hoursAgo(1), Status: 'available' }] });
  ec2Mock.on(DescribeSnapshotsCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
  const results = await runChecks([
    rdsCheck,
    { kind: 'ebs-snapshot', tier: 'daily', resource: 'vol-1', intervalHours: 24, graceHours: 1, volumeId: 'vol-1' },
    { ...rdsCheck, tier: 'weekly', intervalHours: 168 },
  ], clientsFor, 'eu-west-1', NOW, { concurrency: 2 });
  expect(results.map((r) => `${r.kind}/${r.tier}:${r.status}`)).toEqual(['rds-snapshot/daily:ok', 'ebs-snapshot/daily:unknown', 'rds-snapshot/weekly:ok']);
  expect(worstStatus(results.map((r) => r.status))).toBe('unknown');
  expect(worstStatus(['ok', 'unknown', 'corrupt', 'stale'])).toBe('corrupt');
  expect(worstStatus([])).toBe('unknown');
});
