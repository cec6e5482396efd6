/**
 * The dump workflow's Lambda steps against a real MariaDB master/replica pair on loopback,
 * with the real dump script in between and aws-sdk-client-mock for S3.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { Connection } from 'mysql2/promise';
import * as mysql from 'mysql2/promise';
import { replicaHealth } from '../../../core/consistency/replication';
import { tableChecksum } from '../../../core/consistency/table-checksum';
import { parseManifest } from '../../../core/dump/manifest';
import { replicationApplying } from '../../../core/dump/source';
import { DumpSettings, readSettings } from '../../../lambda/database-dump/settings';
import { finalize, inspect, prepare, PrepareEvent, PreparedRun, resume, runIdFor } from '../../../lambda/database-dump/steps';
import { ADMIN_PASSWORD, ADMIN_USER, MariaDbServer, ReplicatedPair, startMariaDb, startReplicatedPair, stopStartedServers } from '../../support/mariadb';
import { interceptQueries } from '../../support/intercept-queries';

const SCRIPT = join(__dirname, '..', '..', '..', 'lib', 'dump', 'scripts', 'dump-database.sh');
const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });

let pair: ReplicatedPair;
let restoreTarget: MariaDbServer;
let dumpDir: string;

function settings(overrides: Partial<DumpSettings> = {}): DumpSettings {
  return {
    ...readSettings({
      DB_HOST: '127.0.0.1', DB_PORT: String(pair.replica.port), DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db', DB_TLS: 'off',
      DAILY_BUCKET: 'daily-bucket', ARCHIVE_BUCKET: 'archive-bucket', PAUSE_REPLICATION: 'true', REPLICATION_CONTROL: 'sql',
    }),
    ...overrides,
  };
}

/** Prepare, then inspect, as the workflow runs them. */
async function prepareRun(connection: Connection, runSettings: DumpSettings, event: PrepareEvent, now?: Date): Promise<PreparedRun> {
  const plan = await prepare(connection, s3, runSettings, event, now);
  return inspect(connection, runSettings, { action: 'inspect', plan });
}

function body(bytes: Buffer): never {
  return Object.assign(Readable.from([bytes]), {
    transformToString: async () => bytes.toString('utf8'),
  }) as never;
}

const DUMP_ETAG = '"etag-of-the-uploaded-dump"';

/** Serves the files of the dump folder as the objects the upload container would have written. */
function serveUploads(prefixes: string[], tamper = false): void {
  const dump = readFileSync(join(dumpDir, 'dump.sql.gz'));
  const checksum = readFileSync(join(dumpDir, 'dump.sql.gz.sha256'));
  for (const prefix of prefixes) {
    s3Mock.on(GetObjectCommand, { Key: `${prefix}dump.sql.gz` }).callsFake(() => ({ Body: body(tamper ? Buffer.concat([dump, Buffer.from([0])]) : dump), ETag: DUMP_ETAG }));
    s3Mock.on(GetObjectCommand, { Key: `${prefix}dump.sql.gz.sha256` }).callsFake(() => ({ Body: body(checksum) }));
  }
}

/**
 * Answers the multipart copy as S3 does: each UploadPartCopy returns the SHA-256 of the source
 * range it copied (of `stored`, the source's bytes at copy time), when the source's ETag still matches.
 */
function serveArchiveCopy(stored: Buffer = readFileSync(join(dumpDir, 'dump.sql.gz'))): void {
  s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
  s3Mock.on(UploadPartCopyCommand).callsFake((input) => {
    if (input.CopySourceIfMatch !== DUMP_ETAG) {
      throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed' });
    }
    const [first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.CopySourceRange)!.slice(1).map(Number);
    return { CopyPartResult: { ETag: `"part-${input.PartNumber}"`, ChecksumSHA256: createHash('sha256').update(stored.subarray(first, last + 1)).digest('base64') } };
  });
  s3Mock.on(CompleteMultipartUploadCommand).resolves({});
  s3Mock.on(AbortMultipartUploadCommand).resolves({});
}

/** Every S3 request made to the archive bucket, as `<command> <key>`. */
function archiveRequests(): string[] {
  return s3Mock.calls().map((call) => call.args[0] as { constructor: { name: string }; input: { Bucket?: string; Key?: string } })
    .filter((command) => command.input.Bucket === 'archive-bucket')
    .map((command) => `${command.constructor.name} ${command.input.Key ?? ''}`.trim());
}

function runDump(databases: string): void {
  const result = spawnSync('bash', [SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin', DUMP_BINARY: 'mariadb-dump', DB_TLS: 'off', DB_HOST: '127.0.0.1', DB_PORT: String(pair.replica.port),
      DB_USER: ADMIN_USER, DB_PASSWORD: ADMIN_PASSWORD, DUMP_DATABASES: databases, DUMP_DIR: dumpDir,
    },
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}

beforeAll(async () => {
  [pair, restoreTarget] = await Promise.all([startReplicatedPair(), startMariaDb({ serverId: 21 })]);
  dumpDir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-dump-steps-'));
  const master = await pair.master.connect();
  await master.query(`
    CREATE DATABASE app CHARACTER SET utf8mb4;
    CREATE TABLE app.accounts (id INT PRIMARY KEY, owner VARCHAR(50) NULL, doc JSON NULL, photo BLOB NULL);
    CREATE TABLE app.ledger (account_id INT NOT NULL, amount DECIMAL(10,2) NOT NULL, memo TEXT NULL);
    INSERT INTO app.accounts VALUES (1, 'Åsa 🚀', '{"k": [1, null]}', x'00ff10'), (2, NULL, NULL, NULL), (3, '', '"s"', '');
    INSERT INTO app.ledger VALUES (1, 10.50, 'first'), (1, 10.50, 'first'), (2, -3.25, NULL);
  `);
  await master.end();
  await pair.waitForReplica();
});

afterAll(async () => {
  await stopStartedServers();
  if (dumpDir) {
    rmSync(dumpDir, { recursive: true, force: true });
  }
});

beforeEach(() => {
  s3Mock.reset();
});

test('run ids start with the UTC time and keep only safe characters', () => {
  expect(runIdFor('a1b2/c3 d4', new Date('2026-11-22T01:02:03.456Z'))).toBe('20261122T010203Z-a1b2-c3-d4');
});

test('a paused run: the manifest matches the dump, the dump restores to the same checksums, replication resumes', async () => {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  const replica = await pair.replica.connect();
  const master = await pair.master.connect();
  try {
    const now = new Date('2027-01-01T02:00:00Z');
    const run = await prepareRun(replica, settings(), { action: 'prepare', executionName: 'exec-1' }, now);
    expect(run).toMatchObject({
      runId: '20270101T020000Z-exec-1',
      dailyBucket: 'daily-bucket',
      dailyPrefix: 'daily/2027-01-01/20270101T020000Z-exec-1/',
      archiveBucket: 'archive-bucket',
      archivePrefix: 'yearly/2027/2027-01-01/20270101T020000Z-exec-1/',
      databases: 'app',
      replicationPaused: true,
      source: { host: '127.0.0.1', engine: 'mariadb', lagSeconds: expect.any(Number) },
    });
    expect(run.source.gtidPosition).toMatch(/^0-1-\d+$/);
    expect(s3Mock.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({ Bucket: 'archive-bucket', Prefix: 'yearly/2027/' });
    expect(await replicationApplying(replica)).toBe(false);

    // The master moves on while the replica stands still: the dump and the manifest describe the paused replica.
    await master.query("INSERT INTO app.ledger VALUES (3, 1.00, 'after the pause')");
    runDump(run.databases);
    serveUploads([run.dailyPrefix]);
    serveArchiveCopy();
    s3Mock.on(PutObjectCommand).resolves({});

    const result = await finalize(replica, s3, {
      action: 'finalize', run, containers: [{ Name: 'dump', ExitCode: 0 }, { Name: 'upload', ExitCode: 0 }],
    });
    expect(result).toMatchObject({
      runId: run.runId,
      dailyManifest: `s3://daily-bucket/${run.dailyPrefix}manifest.json`,
      archiveManifest: `s3://archive-bucket/${run.archivePrefix}manifest.json`,
      tables: 2,
      gtidPosition: run.source.gtidPosition,
    });
    const puts = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => `${put.Bucket}/${put.Key}`)).toEqual([
      `daily-bucket/${run.dailyPrefix}manifest.json`, `archive-bucket/${run.archivePrefix}dump.sql.gz.sha256`, `archive-bucket/${run.archivePrefix}manifest.json`,
    ]);
    expect(puts[0].ChecksumAlgorithm).toBe('SHA256');
    // Readable by HEAD in Deep Archive, where the freshness check finds the yearly copy's time.
    expect([puts[0].Metadata, puts[2].Metadata]).toEqual([{ 'created-at': '2027-01-01T02:00:00.000Z' }, { 'created-at': '2027-01-01T02:00:00.000Z' }]);
    const manifest = parseManifest(String(puts[0].Body));
    const yearly = parseManifest(String(puts[2].Body));
    expect(yearly.tier).toBe('yearly');
    expect(yearly.files).toEqual([
      { key: `${run.archivePrefix}dump.sql.gz`, bytes: result.bytes, sha256: result.sha256 },
      { ...manifest.files[1], key: `${run.archivePrefix}dump.sql.gz.sha256` },
    ]);
    expect(manifest).toMatchObject({ tier: 'daily', replicationPaused: true, databases: ['app'], createdAt: '2027-01-01T02:00:00.000Z' });
    expect(manifest.source.lagSeconds).toBe(run.source.lagSeconds);
    expect(manifest.files[0]).toEqual({ key: `${run.dailyPrefix}dump.sql.gz`, bytes: result.bytes, sha256: result.sha256 });
    expect(manifest.tables.map((t) => [t.table, t.rows, t.hasPrimaryKey])).toEqual([['accounts', 3, true], ['ledger', 3, false]]);

    // Restore the dump into a fresh server: every checksum equals the manifest's.
    execFileSync('bash', ['-c', `gzip -dc dump.sql.gz | mariadb --host=127.0.0.1 --port=${restoreTarget.port} --user=${ADMIN_USER} --password="$PW" --skip-ssl`], {
      cwd: dumpDir, env: { ...process.env, PW: ADMIN_PASSWORD }, stdio: 'pipe',
    });
    const restored = await restoreTarget.connect();
    try {
      for (const entry of manifest.tables) {
        expect(await tableChecksum(restored, entry.schema, entry.table)).toEqual({ schema: entry.schema, table: entry.table, rows: entry.rows, checksum: entry.checksum });
      }
    } finally {
      await restored.end();
    }
    // ... and the master's ledger (which moved on) does not.
    const ledger = manifest.tables.find((t) => t.table === 'ledger')!;
    expect((await tableChecksum(master, 'app', 'ledger')).checksum).not.toBe(ledger.checksum);

    expect(await resume(replica, settings(), { action: 'resume', replicationPaused: run.replicationPaused })).toEqual({ resumed: true });
    expect(await replicationApplying(replica)).toBe(true);
    await pair.waitForReplica();
    expect((await tableChecksum(replica, 'app', 'ledger')).rows).toBe(4);
  } finally {
    await resume(replica, settings(), { action: 'resume', replicationPaused: true });
    await Promise.all([replica.end(), master.end()]);
  }
});

test('a dump user without TRIGGER is refused by prepare, which names the GRANT it lacks, and replication keeps applying', async () => {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  const master = await pair.master.connect();
  await master.query(`CREATE USER 'dumper_nt'@'127.0.0.1' IDENTIFIED BY 'pw';
    GRANT SELECT, SHOW VIEW, EVENT, SHOW DATABASES, SLAVE MONITOR, REPLICATION SLAVE ADMIN ON *.* TO 'dumper_nt'@'127.0.0.1'`);
  await master.end();
  await pair.waitForReplica();
  const asDumper = await mysql.createConnection({ host: '127.0.0.1', port: pair.replica.port, user: 'dumper_nt', password: 'pw' });
  try {
    await expect(prepare(asDumper, s3, settings({ replicationControl: 'sql' }), { action: 'prepare', executionName: 'e-priv' }))
      .rejects.toThrow("the dump user dumper_nt@127.0.0.1 lacks privileges a complete dump needs (the dump would leave data out silently): TRIGGER on database app (GRANT TRIGGER ON `app`.* TO 'dumper_nt'@'127.0.0.1')");
  } finally {
    await asDumper.end();
  }
  const replica = await pair.replica.connect();
  expect(await replicationApplying(replica)).toBe(true);
  await replica.end();
});

test('an event the dump program would hang on is refused by prepare and, created after it, by inspect', async () => {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  const master = await pair.master.connect();
  const replica = await pair.replica.connect();
  const hanging = "CREATE EVENT app.nightly ON SCHEDULE EVERY 1 DAY DO SELECT 'a;;b'";
  try {
    await master.query(hanging);
    await pair.waitForReplica();
    await expect(prepare(replica, s3, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'e-event' }))
      .rejects.toThrow(/prepare failed on 127\.0\.0\.1: event `app`\.`nightly` contains ';;' in its CREATE EVENT statement/);
    await master.query('DROP EVENT app.nightly');
    await pair.waitForReplica();
    const plan = await prepare(replica, s3, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'e-event' });
    await master.query(hanging);
    await pair.waitForReplica();
    await expect(inspect(replica, settings({ pauseReplication: false }), { action: 'inspect', plan }))
      .rejects.toThrow(/inspect failed on 127\.0\.0\.1: event `app`\.`nightly` contains ';;'/);
    expect(await replicationApplying(replica)).toBe(true);
  } finally {
    await master.query('DROP EVENT IF EXISTS app.nightly');
    await pair.waitForReplica();
    await Promise.all([replica.end(), master.end()]);
  }
});

test('a year that already has an archive copy gets none, unless forced; no pause means replication keeps running', async () => {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'yearly/2027/2027-01-01/r/manifest.json' }], IsTruncated: false });
  const replica = await pair.replica.connect();
  try {
    const now = new Date('2027-03-04T02:00:00Z');
    const plain = await prepareRun(replica, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'e2' }, now);
    expect(plain).toMatchObject({ archiveBucket: '', archivePrefix: '', replicationPaused: false });
    expect(await replicationApplying(replica)).toBe(true);
    const forced = await prepare(replica, s3, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'e3', forceYearly: true }, now);
    expect(forced.archivePrefix).toBe('yearly/2027/2027-03-04/20270304T020000Z-e3/');
    // Without an archive bucket, a run that does not ask for the copy simply makes none.
    const noArchive = await prepare(replica, s3, settings({ pauseReplication: false, archiveBucket: undefined }), { action: 'prepare', executionName: 'e4', forceYearly: false }, now);
    expect(noArchive).toMatchObject({ archiveBucket: '', archivePrefix: '' });
    expect(await resume(replica, settings({ pauseReplication: false }), { action: 'resume', replicationPaused: plain.replicationPaused })).toEqual({ resumed: false });
  } finally {
    await replica.end();
  }
});

test('a run that asks for a yearly copy (forceYearly true) of a job without an archive bucket fails prepare, saying what is missing, instead of making only the daily copy', async () => {
  const replica = await pair.replica.connect();
  try {
    const now = new Date('2027-03-04T02:00:00Z');
    await expect(prepare(replica, s3, settings({ pauseReplication: false, archiveBucket: undefined }), { action: 'prepare', executionName: 'e6', forceYearly: true }, now))
      .rejects.toThrow('dump run 20270304T020000Z-e6: the execution input asks for a yearly copy (forceYearly true), but this dump job has no archive bucket '
        + "(DatabaseDumpJob's archiveBucket is not set, so the function's ARCHIVE_BUCKET is empty); nothing was dumped: start the run without forceYearly, or give the job an archiveBucket");
    expect(s3Mock.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    expect(await replicationApplying(replica)).toBe(true);
  } finally {
    await replica.end();
  }
});

test('a forceYearly that is not true or false (a string typed into the console\'s input) fails prepare, naming the value, instead of being read as false', async () => {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'yearly/2027/2027-01-01/r/manifest.json' }], IsTruncated: false });
  const replica = await pair.replica.connect();
  try {
    const now = new Date('2027-03-04T02:00:00Z');
    await expect(prepare(replica, s3, settings(), { action: 'prepare', executionName: 'e5', forceYearly: 'true' as unknown as boolean }, now))
      .rejects.toThrow("dump run 20270304T020000Z-e5: the execution input's forceYearly must be true or false (a JSON boolean), got \"true\"");
    expect(s3Mock.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    expect(await replicationApplying(replica)).toBe(true);
  } finally {
    await replica.end();
  }
});

test('prepare changes nothing on the replica; an inspect that fails after the pause leaves it to resume, which starts replication again', async () => {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  const replica = await pair.replica.connect();
  try {
    // A database that is there for prepare and gone by inspect (dropped on the replica alone).
    await replica.query('SET SESSION sql_log_bin = 0; CREATE DATABASE vanishing_db; SET SESSION sql_log_bin = 1');
    const runSettings = settings({ databases: ['app', 'vanishing_db'] });
    const plan = await prepare(replica, s3, runSettings, { action: 'prepare', executionName: 'e5' });
    expect(plan).toMatchObject({ pauseReplication: true, lagSeconds: expect.any(Number) });
    expect(await replicationApplying(replica)).toBe(true);
    await replica.query('SET SESSION sql_log_bin = 0; DROP DATABASE vanishing_db; SET SESSION sql_log_bin = 1');
    await expect(inspect(replica, runSettings, { action: 'inspect', plan }))
      .rejects.toThrow(/dump run .*-e5: inspect failed on 127\.0\.0\.1: the database\(s\) vanishing_db to dump do not exist/);
    expect(await replicationApplying(replica)).toBe(false);
    expect(await resume(replica, runSettings, { action: 'resume', replicationPaused: plan.pauseReplication })).toEqual({ resumed: true });
    expect(await replicationApplying(replica)).toBe(true);
    // A second resume (a retry, or the workflow's after the function's own) finds it running: harmless.
    expect(await resume(replica, runSettings, { action: 'resume', replicationPaused: true })).toEqual({ resumed: true });
    expect(await replicationApplying(replica)).toBe(true);
  } finally {
    await replica.end();
  }
});

test('the archive bucket is listed before replication is paused (an S3 call that hangs until the function times out leaves the replica running), the databases after it', async () => {
  const replica = await pair.replica.connect();
  const observer = await pair.replica.connect();
  const applyingWhileListing: Array<boolean | undefined> = [];
  s3Mock.on(ListObjectsV2Command).callsFake(async () => {
    applyingWhileListing.push(await replicationApplying(observer));
    // A database that reaches the replica before the pause is in the run's list.
    const master = await pair.master.connect();
    await master.query('CREATE DATABASE late_db');
    await master.end();
    await pair.waitForReplica();
    return { Contents: [], IsTruncated: false };
  });
  try {
    const run = await prepareRun(replica, settings(), { action: 'prepare', executionName: 'list-first' });
    expect(run.replicationPaused).toBe(true);
    expect(applyingWhileListing).toEqual([true]);
    expect(run.databases).toBe('app late_db');
  } finally {
    await resume(replica, settings(), { action: 'resume', replicationPaused: true });
    await Promise.all([replica.end(), observer.end()]);
    const master = await pair.master.connect();
    await master.query('DROP DATABASE IF EXISTS late_db');
    await master.end();
    await pair.waitForReplica();
  }
});

describe('control rds: the exact RDS procedure calls, against a server that has no RDS procedures (MariaDB refuses them; no stand-in plays RDS)', () => {
  /** `connection`, recording in `sent` every statement sent through it (it changes none). */
  function recording(connection: Connection, sent: string[]): Connection {
    return interceptQueries(connection, (sql, run) => {
      sent.push(sql);
      return run();
    });
  }

  const calls = (sent: string[]): string[] => sent.filter((sql) => /^CALL\b/i.test(sql));

  beforeEach(() => {
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  });

  test('inspect pauses with CALL mysql.rds_stop_replication (as AWS documents it), once; the server\'s refusal fails inspect with a plain error, which the workflow resumes after', async () => {
    const replica = await pair.replica.connect();
    try {
      const runSettings = settings({ replicationControl: 'rds' });
      const plan = await prepare(replica, s3, runSettings, { action: 'prepare', executionName: 'rds-stop' });
      const sent: string[] = [];
      const inspected = inspect(recording(replica, sent), runSettings, { action: 'inspect', plan });
      await expect(inspected).rejects.toThrow(/inspect failed on 127\.0\.0\.1: PROCEDURE mysql\.rds_stop_replication does not exist$/);
      await expect(inspected).rejects.toHaveProperty('name', 'Error');
      expect(calls(sent)).toEqual(['CALL mysql.rds_stop_replication']);
      expect(await replicationApplying(replica)).toBe(true);
      // Resume finds replication running: it calls nothing.
      const resumeSent: string[] = [];
      expect(await resume(recording(replica, resumeSent), runSettings, { action: 'resume', replicationPaused: true })).toEqual({ resumed: true });
      expect(calls(resumeSent)).toEqual([]);
    } finally {
      await replica.end();
    }
  });

  test('resume calls CALL mysql.rds_start_replication once, also for a whole stop (the procedure cannot tell an operator\'s from the pause\'s); a failed call fails resume naming the server\'s error', async () => {
    const replica = await pair.replica.connect();
    try {
      await replica.query('STOP SLAVE');
      const sent: string[] = [];
      await expect(resume(recording(replica, sent), settings({ replicationControl: 'rds' }), { action: 'resume', replicationPaused: true }))
        .rejects.toThrow(/^resuming replication on 127\.0\.0\.1 failed: PROCEDURE mysql\.rds_start_replication does not exist$/);
      expect(calls(sent)).toEqual(['CALL mysql.rds_start_replication']);
      expect(await replicationApplying(replica)).toBe(false);
    } finally {
      await replica.query('START SLAVE');
      await replica.end();
    }
    await pair.waitForReplica();
  });
});

test('pausing the master (no replica status) is refused', async () => {
  const master = await pair.master.connect();
  try {
    await expect(prepare(master, s3, settings(), { action: 'prepare', executionName: 'e6' })).rejects.toThrow(/reports no replica status/);
  } finally {
    await master.end();
  }
});

test('a paused run whose replication was started again before finalize records replicationPaused false', async () => {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
  s3Mock.on(PutObjectCommand).resolves({});
  const replica = await pair.replica.connect();
  const master = await pair.master.connect();
  try {
    const run = await prepareRun(replica, settings({ archiveBucket: undefined }), { action: 'prepare', executionName: 'restarted' }, new Date('2027-06-06T03:00:00Z'));
    expect(run.replicationPaused).toBe(true);
    runDump(run.databases);
    // Someone starts replication during the dump window; the replica applies a later change.
    await replica.query('START SLAVE');
    await master.query("INSERT INTO app.ledger VALUES (4, 2.00, 'during the dump')");
    await pair.waitForReplica();
    serveUploads([run.dailyPrefix]);
    const result = await finalize(replica, s3, { action: 'finalize', run, containers: [{ Name: 'dump', ExitCode: 0 }, { Name: 'upload', ExitCode: 0 }] });
    const manifest = parseManifest(String(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body));
    // The checksums are of the replica after the change, not of the dump: the manifest does not claim the dump's data.
    expect(manifest.tables.find((t) => t.table === 'ledger')?.rows).toBe((await tableChecksum(replica, 'app', 'ledger')).rows);
    expect(manifest.replicationPaused).toBe(false);
    expect(result.replicationPaused).toBe(false);
  } finally {
    await master.query("DELETE FROM app.ledger WHERE memo = 'during the dump'");
    await pair.waitForReplica();
    await Promise.all([replica.end(), master.end()]);
  }
});

describe('a paused run whose replication was started and stopped again during the window', () => {
  beforeEach(() => {
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3Mock.on(PutObjectCommand).resolves({});
  });

  async function finalizedManifest(replica: Connection, run: PreparedRun) {
    serveUploads([run.dailyPrefix]);
    const result = await finalize(replica, s3, { action: 'finalize', run, containers: [{ Name: 'dump', ExitCode: 0 }, { Name: 'upload', ExitCode: 0 }] });
    return { result, manifest: parseManifest(String(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body)) };
  }

  test('records replicationPaused false when the replica applied a change meanwhile', async () => {
    const replica = await pair.replica.connect();
    const master = await pair.master.connect();
    try {
      const run = await prepareRun(replica, settings({ archiveBucket: undefined }), { action: 'prepare', executionName: 'start-stop' }, new Date('2027-06-07T03:00:00Z'));
      runDump(run.databases);
      // Someone starts replication, the replica applies a later change, and someone stops it again.
      await replica.query('START SLAVE');
      await master.query("INSERT INTO app.ledger VALUES (5, 3.00, 'between start and stop')");
      await pair.waitForReplica();
      await replica.query('STOP SLAVE SQL_THREAD');
      expect(await replicationApplying(replica)).toBe(false);
      const { result, manifest } = await finalizedManifest(replica, run);
      // The dump lacks the change, the checksums count it: the manifest does not claim the dump's data.
      expect(manifest.tables.find((t) => t.table === 'ledger')?.rows).toBe((await tableChecksum(replica, 'app', 'ledger')).rows);
      expect(manifest.replicationPaused).toBe(false);
      expect(result.replicationPaused).toBe(false);
    } finally {
      await replica.query('START SLAVE');
      await master.query("DELETE FROM app.ledger WHERE memo = 'between start and stop'");
      await pair.waitForReplica();
      await Promise.all([replica.end(), master.end()]);
    }
  });

  test('keeps replicationPaused true when the replica applied nothing meanwhile (the data is still the pause\'s)', async () => {
    const replica = await pair.replica.connect();
    try {
      const run = await prepareRun(replica, settings({ archiveBucket: undefined }), { action: 'prepare', executionName: 'idle-start-stop' }, new Date('2027-06-08T03:00:00Z'));
      expect(run.appliedPosition).toMatch(/^:[^:,]+:\d+$/);
      runDump(run.databases);
      await replica.query('START SLAVE');
      await replica.query('STOP SLAVE SQL_THREAD');
      const { manifest } = await finalizedManifest(replica, run);
      expect(manifest.replicationPaused).toBe(true);
    } finally {
      await replica.query('START SLAVE');
      await replica.end();
    }
  });
});

describe('the yearly copy is made by finalize, from the verified daily copy', () => {
  const exited = [{ Name: 'dump', ExitCode: 0 }, { Name: 'upload', ExitCode: 0 }];
  let replica: Connection;
  let run: PreparedRun;
  let dump: Buffer;

  beforeAll(async () => {
    replica = await pair.replica.connect();
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
    run = await prepareRun(replica, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'yearly-copy' }, new Date('2027-01-01T04:00:00Z'));
    expect(run.archivePrefix).not.toBe('');
    runDump(run.databases);
    dump = readFileSync(join(dumpDir, 'dump.sql.gz'));
  });

  afterAll(async () => {
    await replica.end();
  });

  beforeEach(() => {
    s3Mock.on(PutObjectCommand).resolves({});
    // The archive bucket holds nothing of this run yet.
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  });

  test('copies the dump server-side part by part, pinned to the verified version, then its .sha256 file and the yearly manifest', async () => {
    serveUploads([run.dailyPrefix]);
    serveArchiveCopy();
    const partBytes = 100;
    const parts = Math.ceil(dump.length / partBytes);
    expect(parts).toBeGreaterThan(2);
    const result = await finalize(replica, s3, { action: 'finalize', run, containers: exited }, { partBytes, concurrency: 3 });
    expect(result).toMatchObject({ archiveManifest: `s3://archive-bucket/${run.archivePrefix}manifest.json`, bytes: dump.length });
    // The archive copy is only read from the daily bucket, never uploaded or read back from the archive bucket.
    expect(s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Bucket)).toEqual(['daily-bucket', 'daily-bucket']);
    expect(s3Mock.commandCalls(CreateMultipartUploadCommand)[0].args[0].input).toEqual({
      Bucket: 'archive-bucket', Key: `${run.archivePrefix}dump.sql.gz`, ChecksumAlgorithm: 'SHA256', ContentType: 'application/gzip', Metadata: { sha256: result.sha256 },
    });
    const copies = s3Mock.commandCalls(UploadPartCopyCommand).map((call) => call.args[0].input).sort((a, b) => a.PartNumber! - b.PartNumber!);
    expect(copies.map((copy) => copy.CopySourceRange)).toEqual(Array.from({ length: parts }, (_, index) => `bytes=${index * partBytes}-${Math.min((index + 1) * partBytes, dump.length) - 1}`));
    expect(new Set(copies.map((copy) => `${copy.CopySource} ${copy.CopySourceIfMatch} ${copy.UploadId}`))).toEqual(new Set([`daily-bucket/${run.dailyPrefix}dump.sql.gz ${DUMP_ETAG} upload-1`]));
    const completed = s3Mock.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input;
    expect(completed.MultipartUpload!.Parts!.map((part) => part.PartNumber)).toEqual(Array.from({ length: parts }, (_, index) => index + 1));
    expect(completed.MultipartUpload!.Parts![0].ChecksumSHA256).toBe(createHash('sha256').update(dump.subarray(0, partBytes)).digest('base64'));
    const checksumPut = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input).find((put) => put.Key === `${run.archivePrefix}dump.sql.gz.sha256`)!;
    const checksumFile = readFileSync(join(dumpDir, 'dump.sql.gz.sha256'));
    expect(Buffer.from(checksumPut.Body as Buffer)).toEqual(checksumFile);
    expect(checksumPut.ChecksumSHA256).toBe(createHash('sha256').update(checksumFile).digest('base64'));
    // Listed twice: the year, for another run's copy made since Prepare, then the dump's key, for an earlier attempt's copy.
    expect(archiveRequests()).toEqual([
      `ListObjectsV2Command`, `ListObjectsV2Command`, `CreateMultipartUploadCommand ${run.archivePrefix}dump.sql.gz`, ...Array(parts).fill(`UploadPartCopyCommand ${run.archivePrefix}dump.sql.gz`),
      `CompleteMultipartUploadCommand ${run.archivePrefix}dump.sql.gz`, `PutObjectCommand ${run.archivePrefix}dump.sql.gz.sha256`, `PutObjectCommand ${run.archivePrefix}manifest.json`,
    ]);
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  test('a daily copy that fails verification, or a failed container, sends nothing to the archive bucket', async () => {
    serveUploads([run.dailyPrefix], true);
    serveArchiveCopy();
    await expect(finalize(replica, s3, { action: 'finalize', run, containers: exited })).rejects.toThrow(/SHA-256 of the stored bytes is [0-9a-f]{64}, but .*records/);
    serveUploads([run.dailyPrefix]);
    await expect(finalize(replica, s3, { action: 'finalize', run, containers: [{ Name: 'dump', ExitCode: 0 }, { Name: 'upload', ExitCode: 1 }] })).rejects.toThrow(/container 'upload' exited with 1/);
    expect(archiveRequests()).toEqual([]);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('a copied part whose SHA-256 differs from the verified read\'s (the daily object changed since) is never completed: the upload is aborted, the daily copy keeps its manifest', async () => {
    serveUploads([run.dailyPrefix]);
    const changed = Buffer.from(dump);
    changed[150] ^= 0xff;
    serveArchiveCopy(changed);
    await expect(finalize(replica, s3, { action: 'finalize', run, containers: exited }, { partBytes: 100, concurrency: 1 })).rejects.toThrow(new RegExp(
      `dump run ${run.runId}: the daily copy is verified and its manifest written \\(s3://daily-bucket/${run.dailyPrefix}manifest\\.json\\), but the yearly copy failed: `
      + `copying s3://daily-bucket/${run.dailyPrefix}dump\\.sql\\.gz to s3://archive-bucket/${run.archivePrefix}dump\\.sql\\.gz: part 2 \\(bytes 100-199\\): S3's SHA-256 of the copied bytes is \\S+, the verified read's is \\S+; the upload was aborted, nothing was copied`));
    expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: 'archive-bucket', Key: `${run.archivePrefix}dump.sql.gz`, UploadId: 'upload-1' }]);
    expect(s3Mock.commandCalls(PutObjectCommand).map((call) => `${call.args[0].input.Bucket}/${call.args[0].input.Key}`)).toEqual([`daily-bucket/${run.dailyPrefix}manifest.json`]);
  });

  test('a part whose SHA-256 S3 did not return is unknown, not matching: the upload is aborted', async () => {
    serveUploads([run.dailyPrefix]);
    serveArchiveCopy();
    s3Mock.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
    await expect(finalize(replica, s3, { action: 'finalize', run, containers: exited })).rejects.toThrow(
      /part 1 \(bytes 0-\d+\): S3 returned no SHA-256 of the copied bytes, so whether they are the verified ones is unknown; the upload was aborted, nothing was copied/);
    expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  test('a verifying read without an ETag copies nothing: the copy could not be pinned to the verified bytes', async () => {
    serveUploads([run.dailyPrefix]);
    s3Mock.on(GetObjectCommand, { Key: `${run.dailyPrefix}dump.sql.gz` }).callsFake(() => ({ Body: body(dump) }));
    serveArchiveCopy();
    await expect(finalize(replica, s3, { action: 'finalize', run, containers: exited })).rejects.toThrow(/returned no ETag, so a copy could not be pinned to the verified bytes; nothing was copied/);
    // Only the look for another run's copy of the year, which writes nothing.
    expect(archiveRequests()).toEqual(['ListObjectsV2Command']);
  });
});

describe('two runs that overlap (a manual run during the scheduled one) and both planned the year\'s copy at prepare', () => {
  const exited = [{ Name: 'dump', ExitCode: 0 }, { Name: 'upload', ExitCode: 0 }];
  /** The archive bucket's keys, as the runs' writes left them. */
  let archive: Set<string>;

  /** After the dump: the archive copy's writes add their keys. */
  function serveArchiveWrites(): void {
    serveArchiveCopy();
    s3Mock.on(CompleteMultipartUploadCommand).callsFake((input) => {
      archive.add(input.Key);
      return {};
    });
  }

  beforeEach(() => {
    archive = new Set();
    s3Mock.on(ListObjectsV2Command).callsFake((input) => ({
      Contents: [...archive].filter((key) => input.Bucket === 'archive-bucket' && key.startsWith(input.Prefix ?? '')).slice(0, input.MaxKeys ?? 1000).map((Key) => ({ Key })),
      IsTruncated: false,
    }));
    s3Mock.on(PutObjectCommand).callsFake((input) => {
      if (input.Bucket === 'archive-bucket') {
        archive.add(input.Key);
      }
      return {};
    });
  });

  test('the run that finalizes second finds the year copied and locks nothing; a forced run still copies', async () => {
    const replica = await pair.replica.connect();
    try {
      const scheduled = await prepareRun(replica, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'scheduled' }, new Date('2027-01-01T03:00:00Z'));
      const manual = await prepareRun(replica, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'backup-now' }, new Date('2027-01-01T03:10:00Z'));
      const forced = await prepareRun(replica, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'forced', forceYearly: true }, new Date('2027-01-01T03:20:00Z'));
      expect([scheduled.archivePrefix, manual.archivePrefix, forced.archivePrefix].every((prefix) => prefix !== '')).toBe(true);
      runDump(scheduled.databases);
      serveArchiveWrites();
      serveUploads([scheduled.dailyPrefix, manual.dailyPrefix, forced.dailyPrefix]);
      const first = await finalize(replica, s3, { action: 'finalize', run: scheduled, containers: exited });
      expect(first).toMatchObject({ archiveManifest: `s3://archive-bucket/${scheduled.archivePrefix}manifest.json`, archiveCopySkipped: '' });
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      let second;
      let warned: string[];
      try {
        second = await finalize(replica, s3, { action: 'finalize', run: manual, containers: exited });
      } finally {
        warned = warn.mock.calls.map((call) => call.join(' '));
        warn.mockRestore();
      }
      const reason = `the archive bucket already holds this year's copy (s3://archive-bucket/${scheduled.archivePrefix}manifest.json), made by another run since this run's Prepare; this run made no yearly copy`;
      expect(second).toMatchObject({ dailyManifest: `s3://daily-bucket/${manual.dailyPrefix}manifest.json`, archiveManifest: '', archiveCopySkipped: reason });
      expect(warned).toContain(`dump run ${manual.runId}: ${reason}`);
      expect([...archive].filter((key) => key.startsWith(manual.archivePrefix))).toEqual([]);
      expect(s3Mock.commandCalls(CreateMultipartUploadCommand).map((call) => call.args[0].input.Key)).toEqual([`${scheduled.archivePrefix}dump.sql.gz`]);
      // Asked for explicitly, the copy is made although the year has one.
      const third = await finalize(replica, s3, { action: 'finalize', run: forced, containers: exited });
      expect(third).toMatchObject({ archiveManifest: `s3://archive-bucket/${forced.archivePrefix}manifest.json`, archiveCopySkipped: '' });
    } finally {
      await replica.end();
    }
  });

  test('a run in flight across a deploy, prepared by the earlier version (no forceYearly in its plan, which that version did not record), copies as that version planned, although another run copied the year', async () => {
    const replica = await pair.replica.connect();
    try {
      const scheduled = await prepareRun(replica, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'scheduled' }, new Date('2027-01-01T03:00:00Z'));
      // Started before the deploy, maybe with forceYearly true: the earlier Prepare planned the copy and wrote no forceYearly.
      const { forceYearly: notRecorded, ...earlierPlan } = await prepare(replica, s3, settings({ pauseReplication: false }),
        { action: 'prepare', executionName: 'before-deploy', forceYearly: true }, new Date('2027-01-01T03:10:00Z'));
      expect(notRecorded).toBe(true);
      const inFlight = await inspect(replica, settings({ pauseReplication: false }), { action: 'inspect', plan: earlierPlan });
      runDump(scheduled.databases);
      serveArchiveWrites();
      serveUploads([scheduled.dailyPrefix, inFlight.dailyPrefix]);
      await finalize(replica, s3, { action: 'finalize', run: scheduled, containers: exited });
      // After the deploy, the new Finalize: the earlier version made every copy its Prepare planned, and its workflow reports Prepare's archive prefix.
      expect(await finalize(replica, s3, { action: 'finalize', run: inFlight, containers: exited }))
        .toMatchObject({ archiveManifest: `s3://archive-bucket/${inFlight.archivePrefix}manifest.json`, archiveCopySkipped: '' });
      expect(archive.has(`${inFlight.archivePrefix}manifest.json`)).toBe(true);
    } finally {
      await replica.end();
    }
  });

  test('a retried Finalize of the run that made the year\'s copy, or that locked its dump before another run\'s manifest landed, is not skipped', async () => {
    const replica = await pair.replica.connect();
    try {
      const own = await prepareRun(replica, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'retried' }, new Date('2027-01-01T03:00:00Z'));
      const other = await prepareRun(replica, settings({ pauseReplication: false }), { action: 'prepare', executionName: 'other' }, new Date('2027-01-01T03:10:00Z'));
      runDump(own.databases);
      serveArchiveWrites();
      serveUploads([own.dailyPrefix, other.dailyPrefix]);
      const dump = readFileSync(join(dumpDir, 'dump.sql.gz'));
      // The copy already there (one 1 GiB part) is the verified one.
      const composite = `${createHash('sha256').update(createHash('sha256').update(dump).digest()).digest('base64')}-1`;
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: dump.length, ChecksumSHA256: composite });
      // The earlier attempt wrote the whole copy and its manifest: the year's copy is this run's own.
      archive.add(`${own.archivePrefix}dump.sql.gz`).add(`${own.archivePrefix}dump.sql.gz.sha256`).add(`${own.archivePrefix}manifest.json`);
      expect(await finalize(replica, s3, { action: 'finalize', run: own, containers: exited }))
        .toMatchObject({ archiveManifest: `s3://archive-bucket/${own.archivePrefix}manifest.json`, archiveCopySkipped: '' });
      // The earlier attempt of the other run locked its dump (then timed out); its manifest is still written, next to the year's copy.
      archive.add(`${other.archivePrefix}dump.sql.gz`);
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        expect(await finalize(replica, s3, { action: 'finalize', run: other, containers: exited }))
          .toMatchObject({ archiveManifest: `s3://archive-bucket/${other.archivePrefix}manifest.json`, archiveCopySkipped: '' });
      } finally {
        warn.mockRestore();
      }
      expect(s3Mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    } finally {
      await replica.end();
    }
  });
});

test('finalize refuses a tampered upload, a failed container and a task that does not report its containers', async () => {
  const replica = await pair.replica.connect();
  try {
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
    const run = await prepareRun(replica, settings({ pauseReplication: false, archiveBucket: undefined }), { action: 'prepare', executionName: 'e7' }, new Date('2027-05-05T00:00:00Z'));
    runDump(run.databases);
    serveUploads([run.dailyPrefix], true);
    const exited = [{ Name: 'dump', ExitCode: 0 }, { Name: 'upload', ExitCode: 0 }];
    await expect(finalize(replica, s3, { action: 'finalize', run, containers: exited }))
      .rejects.toThrow(new RegExp(`s3://daily-bucket/${run.dailyPrefix}dump\\.sql\\.gz: SHA-256 of the stored bytes is [0-9a-f]{64}, but .*records`));
    await expect(finalize(replica, s3, { action: 'finalize', run, containers: [{ Name: 'dump', ExitCode: 2, Reason: 'Access denied' }] }))
      .rejects.toThrow(/container 'dump' exited with 2 \(Access denied\)/);
    // Exit codes the task did not report are unknown, not 0 (the uploads here would verify).
    serveUploads([run.dailyPrefix]);
    await expect(finalize(replica, s3, { action: 'finalize', run })).rejects.toThrow(/the task reports no container 'dump' or 'upload', so whether it exited with 0 is unknown/);
    await expect(finalize(replica, s3, { action: 'finalize', run, containers: [{ Name: 'dump', ExitCode: 0 }] })).rejects.toThrow(/no container 'upload'/);
    s3Mock.on(GetObjectCommand).rejects(new Error('NoSuchKey'));
    await expect(finalize(replica, s3, { action: 'finalize', run, containers: exited })).rejects.toThrow(/dump\.sql\.gz\.sha256: cannot read: NoSuchKey/);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  } finally {
    await replica.end();
  }
});

test('a replica whose replication is stopped is refused, and neither prepare nor resume starts it again', async () => {
  const replica = await pair.replica.connect();
  try {
    await replica.query('STOP SLAVE');
    for (const pauseReplication of [true, false]) {
      await expect(prepare(replica, s3, settings({ pauseReplication }), { action: 'prepare', executionName: 'stopped' }))
        .rejects.toThrow(/prepare failed on 127\.0\.0\.1: the replica is not current: replication is not running: the IO thread is stopped and the SQL thread is stopped/);
      expect(await replicationApplying(replica)).toBe(false);
    }
    expect(await resume(replica, settings(), { action: 'resume', replicationPaused: false })).toEqual({ resumed: false });
    expect(await replicationApplying(replica)).toBe(false);
  } finally {
    await replica.query('START SLAVE');
    await replica.end();
  }
  await pair.waitForReplica();
});

test('a run without pause checks the replica again at Inspect: an IO thread stopped since Prepare (nothing received, SQL thread running) is refused, and nothing is started', async () => {
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  const replica = await pair.replica.connect();
  try {
    const runSettings = settings({ pauseReplication: false });
    const plan = await prepare(replica, s3, runSettings, { action: 'prepare', executionName: 'io-stopped' });
    await replica.query('STOP SLAVE IO_THREAD');
    await expect(inspect(replica, runSettings, { action: 'inspect', plan }))
      .rejects.toThrow(/inspect failed on 127\.0\.0\.1: the replica is not current: replication is not running: the IO thread is stopped$/);
    expect(await resume(replica, runSettings, { action: 'resume', replicationPaused: plan.pauseReplication })).toEqual({ resumed: false });
    const health = await replicaHealth(replica, 'mariadb');
    expect([health.ioThreadRunning, health.sqlThreadRunning]).toEqual([false, true]);
  } finally {
    await replica.query('START SLAVE');
    await replica.end();
  }
  await pair.waitForReplica();
});

test('a replica further behind its master than the limit is refused', async () => {
  const replica = await pair.replica.connect();
  const master = await pair.master.connect();
  try {
    // The replica holds back an event written an hour ago (by its timestamp): an hour behind.
    await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 86400; START SLAVE');
    await master.query("SET TIMESTAMP = UNIX_TIMESTAMP() - 3600; INSERT INTO app.ledger VALUES (9, 0.01, 'late'); SET TIMESTAMP = DEFAULT");
    const deadline = Date.now() + 20_000;
    while (((await replicaHealth(replica, 'mariadb')).lagSeconds ?? 0) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await expect(prepare(replica, s3, settings(), { action: 'prepare', executionName: 'lagging' }))
      .rejects.toThrow(/the replica is not current: it is 36\d\d s behind its master \(the limit is 300 s\)/);
    expect(await replicationApplying(replica)).toBe(true);
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
    const run = await prepareRun(replica, settings({ pauseReplication: false, maxReplicaLagSeconds: 7200 }), { action: 'prepare', executionName: 'lag-allowed' });
    expect(run.replicationPaused).toBe(false);
    // A lag within the limit is recorded as read, for the manifest.
    expect(run.source.lagSeconds).toBeGreaterThanOrEqual(3600);
    expect(run.source.lagSeconds).toBeLessThan(3700);
  } finally {
    await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE');
    await Promise.all([replica.end(), master.end()]);
  }
  await pair.waitForReplica();
});

test('settings name the variable that is wrong', () => {
  expect(() => readSettings({})).toThrow(/DB_HOST is not set/);
  expect(() => readSettings({ DB_HOST: 'h', DB_SECRET_ARN: 's', DAILY_BUCKET: 'b', DB_PORT: 'x' })).toThrow(/DB_PORT must be a port number, got 'x'/);
  expect(() => readSettings({ DB_HOST: 'h', DB_SECRET_ARN: 's', DAILY_BUCKET: 'b', PAUSE_REPLICATION: 'yes' })).toThrow(/PAUSE_REPLICATION must be 'true' or 'false'/);
  expect(() => readSettings({ DB_HOST: 'h', DB_SECRET_ARN: 's', DAILY_BUCKET: 'b', REPLICATION_CONTROL: 'ssh' })).toThrow(/'rds' or 'sql', got 'ssh'/);
  expect(() => readSettings({ DB_HOST: 'h', DB_SECRET_ARN: 's', DAILY_BUCKET: 'b', MAX_REPLICA_LAG_SECONDS: '5m' })).toThrow(/MAX_REPLICA_LAG_SECONDS must be a whole number of seconds, got '5m'/);
  expect(readSettings({ DB_HOST: 'h', DB_SECRET_ARN: 's', DAILY_BUCKET: 'b', DATABASES: ' a  b ' })).toMatchObject({
    dbPort: 3306, tls: true, archiveBucket: undefined, pauseReplication: false, replicationControl: 'rds', databases: ['a', 'b'], maxReplicaLagSeconds: 300,
  });
});
