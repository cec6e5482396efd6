import {
  channelStatements, listDumpDatabases, parseReplicationControl, RDS_REPLICATION_PROCEDURES, readAppliedPosition, readSource, replicationApplying,
} from '../../../core/dump/source';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../../support/mariadb';
import { interceptQueries } from '../../support/intercept-queries';

let server: MariaDbServer;

beforeAll(async () => {
  server = await startMariaDb({ serverId: 31 });
});

afterAll(async () => {
  await stopStartedServers();
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

test('databases whose list does not fit in the dump task\'s overrides (ECS takes 8192 characters for all of them) are refused, naming the count, the length and the limit', async () => {
  const connection = await server.connect();
  const names = Array.from({ length: 111 }, (_, index) => `many_${String(index).padStart(3, '0')}_${'x'.repeat(55)}`);
  try {
    await connection.query(names.slice(0, 110).map((name) => `CREATE DATABASE ${name};`).join(' '));
    // 110 names of 64 characters and their spaces: 7149 characters, which fit.
    expect(await listDumpDatabases(connection, names.slice(0, 110))).toHaveLength(110);
    await connection.query(`CREATE DATABASE ${names[110]}`);
    await expect(listDumpDatabases(connection, names)).rejects.toThrow(
      'the 111 databases to dump make a list of 7214 characters, more than the 7168 the dump task can be given (ECS takes 8192 characters for all of a task\'s container overrides, which carry the list and the run\'s prefixes)',
    );
  } finally {
    await connection.query(names.map((name) => `DROP DATABASE IF EXISTS ${name};`).join(' '));
    await connection.end();
  }
});

test('the databases to dump, where the server compares names as written (lower_case_table_names 0): App is not app, and the error says so', async () => {
  const connection = await server.connect();
  try {
    await connection.query('CREATE DATABASE IF NOT EXISTS cased');
    await expect(listDumpDatabases(connection, ['Cased'])).rejects.toThrow(/^the database\(s\) Cased to dump do not exist on the replica \(it compares database names as written: lower_case_table_names is 0\); it has .*\bcased\b/);
  } finally {
    await connection.end();
  }
});

test('the databases to dump, on a real MariaDB with lower_case_table_names=1: a requested App is the database app, dumped under that name, once', async () => {
  const folding = await startMariaDb({ serverId: 35, extraConfig: ['lower_case_table_names=1'] });
  const connection = await folding.connect();
  try {
    await connection.query('CREATE DATABASE App; CREATE DATABASE other');
    // The server keeps the name lowercased and takes App and app for one database.
    const [schemas] = await connection.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('app', 'other') ORDER BY 1");
    expect(schemas).toEqual([{ name: 'app' }, { name: 'other' }]);
    expect(await listDumpDatabases(connection, ['App'])).toEqual(['app']);
    expect(await listDumpDatabases(connection, ['App', 'app', 'OTHER'])).toEqual(['app', 'other']);
    await expect(listDumpDatabases(connection, ['Missing'])).rejects.toThrow(
      /^the database\(s\) Missing to dump do not exist on the replica \(it compares database names without regard to case: lower_case_table_names is 1 or 2\); it has /);
  } finally {
    await connection.end();
    await folding.stop();
  }
});

test('the databases to dump when lower_case_table_names cannot be read: names are compared as written, and the error says so', async () => {
  const connection = await server.connect();
  try {
    await connection.query('CREATE DATABASE IF NOT EXISTS cased');
    // The server answers every query but the one reading lower_case_table_names (as a proxy in front of it might).
    const unreadable = interceptQueries(connection, async (sql, run) => {
      if (/lower_case_table_names/.test(sql)) {
        throw new Error('refused for the test');
      }
      return run();
    });
    expect(await listDumpDatabases(unreadable, ['cased'])).toEqual(['cased']);
    await expect(listDumpDatabases(unreadable, ['Cased'])).rejects.toThrow(
      /^the database\(s\) Cased to dump do not exist on the replica \(whether it compares database names without regard to case could not be read \(lower_case_table_names\): they were compared as written\); it has /);
  } finally {
    await connection.end();
  }
});
