/**
 * Finalize's GTID comparison on its own: a write made on the paused replica itself moves its
 * GTID position but not its applier's position. Its own master/replica pair, since the write
 * leaves a GTID of the replica's in a domain of its own that the other tests' replica lacks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { tableChecksum } from '../../../core/consistency/table-checksum';
import { parseManifest } from '../../../core/dump/manifest';
import { readAppliedPosition, replicationApplying } from '../../../core/dump/source';
import { readSettings } from '../../../lambda/database-dump/settings';
import { finalize, inspect, prepare } from '../../../lambda/database-dump/steps';
import { ADMIN_PASSWORD, ADMIN_USER, ReplicatedPair, startReplicatedPair, stopStartedServers } from '../../support/mariadb';

const SCRIPT = join(__dirname, '..', '..', '..', 'lib', 'dump', 'scripts', 'dump-database.sh');
const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });

let pair: ReplicatedPair;
let dumpDir: string;

beforeAll(async () => {
  pair = await startReplicatedPair();
  dumpDir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-finalize-gtid-'));
  const master = await pair.master.connect();
  await master.query(`
    CREATE DATABASE app;
    CREATE TABLE app.ledger (id INT PRIMARY KEY, memo VARCHAR(40) NOT NULL);
    INSERT INTO app.ledger VALUES (1, 'first'), (2, 'second');
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

test('a write on the paused replica itself (GTID position moved, applier position not) makes the manifest record replicationPaused false', async () => {
  const settings = readSettings({
    DB_HOST: '127.0.0.1', DB_PORT: String(pair.replica.port), DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db', DB_TLS: 'off',
    DAILY_BUCKET: 'daily-bucket', PAUSE_REPLICATION: 'true', REPLICATION_CONTROL: 'sql',
  });
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
  s3Mock.on(PutObjectCommand).resolves({});
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const replica = await pair.replica.connect();
  try {
    const plan = await prepare(replica, s3, settings, { action: 'prepare', executionName: 'local-write' }, new Date('2027-06-09T03:00:00Z'));
    const run = await inspect(replica, settings, { action: 'inspect', plan });
    expect(run.replicationPaused).toBe(true);
    expect(run.source.gtidPosition).toMatch(/^0-1-\d+$/);
    const dumped = spawnSync('bash', [SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin', DUMP_BINARY: 'mariadb-dump', DB_TLS: 'off', DB_HOST: '127.0.0.1', DB_PORT: String(pair.replica.port),
        DB_USER: ADMIN_USER, DB_PASSWORD: ADMIN_PASSWORD, DUMP_DATABASES: run.databases, DUMP_DIR: dumpDir,
      },
      encoding: 'utf8',
    });
    expect(dumped.stderr).toBe('');
    expect(dumped.status).toBe(0);
    for (const name of ['dump.sql.gz', 'dump.sql.gz.sha256']) {
      const bytes = readFileSync(join(dumpDir, name));
      s3Mock.on(GetObjectCommand, { Key: `${run.dailyPrefix}${name}` }).callsFake(() => ({
        Body: Object.assign(Readable.from([bytes]), { transformToString: async () => bytes.toString('utf8') }),
      }));
    }
    // Someone writes on the replica during the dump window (read_only does not stop an admin),
    // in a GTID domain of its own: the applier stays stopped and where it stood.
    await replica.query("SET SESSION gtid_domain_id = 9; INSERT INTO app.ledger VALUES (3, 'written on the replica')");
    expect(await replicationApplying(replica)).toBe(false);
    expect(await readAppliedPosition(replica)).toBe(run.appliedPosition);

    const result = await finalize(replica, s3, { action: 'finalize', run, containers: [{ Name: 'dump', ExitCode: 0 }, { Name: 'upload', ExitCode: 0 }] });
    const manifest = parseManifest(String(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body));
    // The dump lacks the row, the checksums count it: the manifest must not claim the dump's data.
    expect(manifest.tables.find((table) => table.table === 'ledger')?.rows).toBe((await tableChecksum(replica, 'app', 'ledger')).rows);
    expect(manifest.tables.find((table) => table.table === 'ledger')?.rows).toBe(3);
    expect(manifest.replicationPaused).toBe(false);
    expect(result.replicationPaused).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(
      new RegExp(`the replica's GTID position moved during the dump window from '${run.source.gtidPosition}' to '(0-1-\\d+,9-2-1|9-2-1,0-1-\\d+)'; the manifest records replicationPaused false$`),
    ));
  } finally {
    warn.mockRestore();
    await replica.end();
  }
});
