import {
  channelStatements, listDumpDatabases, parseReplicationControl, RDS_REPLICATION_PROCEDURES, readAppliedPosition, readSource, replicationApplying,
} from '../../../core/dump/source';
import { MariaDbServer, startMariaDb } from '../../support/mariadb';

let server: MariaDbServer;

beforeAll(async () => {
  server = await startMariaDb({ serverId: 31 });
});

afterAll(async () => {
  await server?.stop();
});

test('RDS replicas are paused and resumed with the RDS procedures, others channel by channel', () => {
  expect(RDS_REPLICATION_PROCEDURES).toEqual({ pause: 'CALL mysql.rds_stop_replication', resume: 'CALL mysql.rds_start_replication' });
  expect(channelStatements('mariadb', '')).toEqual({ stop: "STOP REPLICA '' SQL_THREAD", startApplier: "START REPLICA '' SQL_THREAD", start: "START REPLICA ''" });
  // Without FOR CHANNEL, MySQL's statements act on every channel.
  expect(channelStatements('mysql', "it's")).toEqual({
    stop: "STOP REPLICA SQL_THREAD FOR CHANNEL 'it\\'s'", startApplier: "START REPLICA SQL_THREAD FOR CHANNEL 'it\\'s'", start: "START REPLICA FOR CHANNEL 'it\\'s'",
  });
  expect(parseReplicationControl('sql')).toBe('sql');
  expect(() => parseReplicationControl(undefined)).toThrow("replication control must be 'rds' or 'sql', got ''");
});

test('the databases to dump: every non-system schema, sorted; names with white space refused', async () => {
  const connection = await server.connect();
  try {
    expect(await replicationApplying(connection)).toBeUndefined();
    expect(await readAppliedPosition(connection)).toBeUndefined();
    await expect(listDumpDatabases(connection)).rejects.toThrow('the replica has no database to dump (only system schemas)');
    await connection.query('CREATE DATABASE zeta; CREATE DATABASE alpha; CREATE DATABASE percona;');
    // A database named percona is the application's (or pt-table-checksum's), not a system schema.
    expect(await listDumpDatabases(connection)).toEqual(['alpha', 'percona', 'zeta']);
    expect(await listDumpDatabases(connection, ['zeta', 'zeta'])).toEqual(['zeta']);
    await connection.query('CREATE DATABASE `with space`');
    await expect(listDumpDatabases(connection)).rejects.toThrow("database names with white space cannot be dumped by this job: 'with space'");
    expect(await readSource(connection, 'db.internal')).toEqual({
      host: 'db.internal', engine: 'mariadb', serverVersion: expect.stringMatching(/MariaDB/), gtidPosition: expect.any(String),
    });
  } finally {
    await connection.end();
  }
});
