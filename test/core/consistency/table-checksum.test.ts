import type { Connection } from 'mysql2/promise';
import { combineChecksums, formatChecksum, spreadRowHash } from '../../../core/consistency/row-hash';
import { tableChecksum } from '../../../core/consistency/table-checksum';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../../support/mariadb';

let server: MariaDbServer;
let connection: Connection;

const CREATE = `CREATE TABLE t (
  id INT NOT NULL, k2 VARCHAR(10) NOT NULL, a VARCHAR(20) NULL, b VARCHAR(20) NULL, bin VARBINARY(16) NULL,
  doc JSON NULL, amount DECIMAL(12,4) NULL, at TIMESTAMP(3) NULL, day DATE NULL, note TEXT CHARACTER SET utf8mb4 NULL,
  PRIMARY KEY (id, k2))`;

beforeAll(async () => {
  server = await startMariaDb();
  connection = await server.connect();
  await connection.query('CREATE DATABASE ck; USE ck');
  await connection.query(CREATE);
});

afterAll(async () => {
  await stopStartedServers(() => connection?.end());
});

async function reset(rows: string): Promise<void> {
  await connection.query('TRUNCATE TABLE ck.t');
  if (rows) {
    await connection.query(`INSERT INTO ck.t VALUES ${rows}`);
  }
}

async function checksumOf(rows: string): Promise<string> {
  await reset(rows);
  return (await tableChecksum(connection, 'ck', 't')).checksum;
}

const BASE = "(1, 'x', 'a', 'b', 0x00ff, '{\"k\": [1, 2]}', 12.5, '2026-01-02 03:04:05.678', '2026-01-02', 'héllo 🙂')";

describe('tableChecksum', () => {
  test('returns the schema, table, row count and a 16-hex-digit checksum; an empty table is 0 rows', async () => {
    await reset('');
    expect(await tableChecksum(connection, 'ck', 't')).toEqual({ schema: 'ck', table: 't', rows: 0, checksum: '0000000000000000' });
    await reset(`${BASE}, (2, 'y', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const result = await tableChecksum(connection, 'ck', 't');
    expect(result.rows).toBe(2);
    expect(result.checksum).toMatch(/^[0-9a-f]{16}$/);
    expect(result.checksum).not.toBe('0000000000000000');
  });

  test('does not depend on row order or on the session time zone', async () => {
    const other = "(2, 'y', NULL, '', NULL, NULL, NULL, NULL, NULL, NULL)";
    const forward = await checksumOf(`${BASE}, ${other}`);
    await connection.query('CREATE TABLE ck.t2 LIKE ck.t');
    await connection.query(`INSERT INTO ck.t2 VALUES ${other}, ${BASE}`);
    await connection.query('ALTER TABLE ck.t2 ENGINE=InnoDB');
    expect((await tableChecksum(connection, 'ck', 't2')).checksum).toBe(forward);
    await connection.query("SET SESSION time_zone = '+05:30'");
    expect((await tableChecksum(connection, 'ck', 't2')).checksum).toBe(forward);
    await connection.query("SET SESSION time_zone = 'SYSTEM'");
    await connection.query('DROP TABLE ck.t2');
  });

  test('tells NULL from empty, from a shifted value and from a missing value', async () => {
    const variants = [
      "(1, 'x', NULL, 'a', NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', 'a', NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', '', 'a', NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', 'a', '', NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', 'a#', NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', 'a', '#', NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', '', NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', NULL, NULL, '', NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', NULL, '', NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', '', '', NULL, NULL, NULL, NULL, NULL, NULL)",
      "(1, 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, '')",
      "(1, 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'ÿ')",
      "(1, 'x', NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL)",
    ];
    const checksums = [];
    for (const variant of variants) {
      checksums.push(await checksumOf(variant));
    }
    expect(new Set(checksums).size).toBe(variants.length);
  });

  test('changes when any column type changes by one value: binary, JSON, DECIMAL, temporal, utf8mb4 text, key', async () => {
    const base = await checksumOf(BASE);
    const changed = [
      "(1, 'x', 'a', 'b', 0x00fe, '{\"k\": [1, 2]}', 12.5, '2026-01-02 03:04:05.678', '2026-01-02', 'héllo 🙂')",
      "(1, 'x', 'a', 'b', 0x00ff, '{\"k\": [1, 3]}', 12.5, '2026-01-02 03:04:05.678', '2026-01-02', 'héllo 🙂')",
      "(1, 'x', 'a', 'b', 0x00ff, '{\"k\": [1, 2]}', 12.5001, '2026-01-02 03:04:05.678', '2026-01-02', 'héllo 🙂')",
      "(1, 'x', 'a', 'b', 0x00ff, '{\"k\": [1, 2]}', 12.5, '2026-01-02 03:04:05.679', '2026-01-02', 'héllo 🙂')",
      "(1, 'x', 'a', 'b', 0x00ff, '{\"k\": [1, 2]}', 12.5, '2026-01-02 03:04:05.678', '2026-01-03', 'héllo 🙂')",
      "(1, 'x', 'a', 'b', 0x00ff, '{\"k\": [1, 2]}', 12.5, '2026-01-02 03:04:05.678', '2026-01-02', 'hello 🙂')",
      "(1, 'x', 'a', 'b', 0x00ff, '{\"k\": [1, 2]}', 12.5, '2026-01-02 03:04:05.678', '2026-01-02', 'héllo 🙃')",
      "(1, 'X', 'a', 'b', 0x00ff, '{\"k\": [1, 2]}', 12.5, '2026-01-02 03:04:05.678', '2026-01-02', 'héllo 🙂')",
      "(2, 'x', 'a', 'b', 0x00ff, '{\"k\": [1, 2]}', 12.5, '2026-01-02 03:04:05.678', '2026-01-02', 'héllo 🙂')",
    ];
    for (const row of changed) {
      expect(await checksumOf(row)).not.toBe(base);
    }
    expect(await checksumOf(BASE)).toBe(base);
  });

  test('counts duplicate rows (no cancelling out) in a table without a primary key', async () => {
    await connection.query('CREATE TABLE ck.nopk (v VARCHAR(10) NULL)');
    await connection.query("INSERT INTO ck.nopk VALUES ('a')");
    const one = await tableChecksum(connection, 'ck', 'nopk');
    await connection.query("INSERT INTO ck.nopk VALUES ('a')");
    const two = await tableChecksum(connection, 'ck', 'nopk');
    await connection.query("INSERT INTO ck.nopk VALUES ('a')");
    const three = await tableChecksum(connection, 'ck', 'nopk');
    expect(two.rows).toBe(2);
    expect(new Set([one.checksum, two.checksum, three.checksum, '0000000000000000']).size).toBe(4);
    expect(combineChecksums([one.checksum, two.checksum])).toBe(three.checksum);
    await connection.query('DROP TABLE ck.nopk');
  });

  test('changes when rows swap values of equal length, which leaves a SUM of plain CRC32 row hashes unchanged', async () => {
    await connection.query('CREATE TABLE ck.swap (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)');
    const checksums = new Set<string>();
    // CRC32 is linear: these pairs of rows hash to plain CRC32 sums (and XORs) that are equal before and after the swap.
    for (const rows of ["(1, 'v000008'), (2, 'v000080')", "(1, 'v000080'), (2, 'v000008')", "(1, 'v000000'), (2, 'v000088')", "(1, 'v000088'), (2, 'v000000')"]) {
      await connection.query(`DELETE FROM ck.swap; INSERT INTO ck.swap VALUES ${rows}`);
      checksums.add((await tableChecksum(connection, 'ck', 'swap')).checksum);
    }
    expect(checksums.size).toBe(4);
    await connection.query('DROP TABLE ck.swap');
  });

  test('equals the combination of the checksums of disjoint chunks', async () => {
    await reset('');
    await connection.query(
      "INSERT INTO ck.t SELECT seq, CONCAT('k', seq MOD 7), IF(seq MOD 3 = 0, NULL, REPEAT('z', seq MOD 11)), NULL, UNHEX(HEX(seq)), NULL, seq / 7, NULL, NULL, NULL FROM ck.seq_1_to_5000");
    const whole = await tableChecksum(connection, 'ck', 't');
    const [definitionRows] = await connection.query(
      "SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE = 'YES' AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'ck' AND TABLE_NAME = 't' ORDER BY ORDINAL_POSITION");
    const columns = (definitionRows as Array<{ name: string; dataType: string; columnType: string; nullable: number }>)
      .map((column) => ({ ...column, nullable: column.nullable === 1 }));
    const parts = [];
    for (const [low, high] of [[0, 1000], [1000, 1001], [1001, 4321], [4321, 99999]]) {
      const [rows] = await connection.query(`SELECT SUM(${spreadRowHash(columns)}) AS s FROM ck.t WHERE id > ? AND id <= ?`, [low, high]);
      parts.push(formatChecksum((rows as Array<{ s: string | null }>)[0].s));
    }
    expect(whole.rows).toBe(5000);
    expect(combineChecksums(parts)).toBe(whole.checksum);
  });

  test('works across mixed collations and tells shifted NUL bytes in binary columns apart', async () => {
    await connection.query(`CREATE TABLE ck.mixed (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1, b VARCHAR(10) COLLATE utf8mb4_bin,
      c VARCHAR(10) COLLATE utf8mb4_general_ci, d VARCHAR(10) CHARACTER SET utf16 NULL, x VARBINARY(4), y BLOB)`);
    await connection.query("INSERT INTO ck.mixed VALUES (1, 'Ä', 'b', 'C', 'd', 0x00, 0x0000)");
    const first = await tableChecksum(connection, 'ck', 'mixed');
    await connection.query('UPDATE ck.mixed SET x = 0x0000, y = 0x00');
    const shifted = await tableChecksum(connection, 'ck', 'mixed');
    await connection.query("UPDATE ck.mixed SET x = 0x00, y = 0x0000, c = 'c'");
    const caseChanged = await tableChecksum(connection, 'ck', 'mixed');
    expect(new Set([first.checksum, shifted.checksum, caseChanged.checksum]).size).toBe(3);
    await connection.query('DROP TABLE ck.mixed');
  });

  test('tells NULL, empty and NUL bytes apart in the last binary column, and in a table of one binary column', async () => {
    await connection.query('CREATE TABLE ck.tail (id INT PRIMARY KEY, a VARCHAR(10) NULL, b VARBINARY(10) NULL)');
    await connection.query('CREATE TABLE ck.lone (b VARBINARY(10) NULL)');
    const checksums = new Set<string>();
    for (const [a, b] of [['NULL', 'NULL'], ['NULL', "''"], ["''", 'NULL'], ["''", "''"], ["'x'", '0x00'], ["'x'", '0x0000'], ["'x'", "''"], ["'x'", 'NULL']]) {
      await connection.query(`REPLACE INTO ck.tail VALUES (1, ${a}, ${b})`);
      checksums.add((await tableChecksum(connection, 'ck', 'tail')).checksum);
    }
    expect(checksums.size).toBe(8);
    const lone = new Set<string>();
    for (const b of ['NULL', "''", '0x00']) {
      await connection.query(`DELETE FROM ck.lone; INSERT INTO ck.lone VALUES (${b})`);
      lone.add((await tableChecksum(connection, 'ck', 'lone')).checksum);
    }
    expect(lone.size).toBe(3);
    await connection.query('DROP TABLE ck.tail, ck.lone');
  });

  test('concatenates text of several collations without a binary or nullable column, and text of one collation', async () => {
    await connection.query(`CREATE TABLE ck.strict (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1 NOT NULL,
      b VARCHAR(10) COLLATE utf8mb4_bin NOT NULL, c VARCHAR(10) CHARACTER SET utf16 NOT NULL)`);
    await connection.query('CREATE TABLE ck.single (id INT PRIMARY KEY, a VARCHAR(10) COLLATE utf8mb4_bin NOT NULL, b TEXT COLLATE utf8mb4_bin NOT NULL)');
    const checksums = new Set<string>();
    for (const [table, row] of [['strict', "(1, 'Ä', 'b', 'c')"], ['strict', "(1, 'Ä', 'b', 'C')"], ['single', "(1, 'a', 'b')"], ['single', "(1, 'a', 'B')"], ['single', "(1, 'ab', '')"]]) {
      await connection.query(`REPLACE INTO ck.${table} VALUES ${row}`);
      checksums.add((await tableChecksum(connection, 'ck', table)).checksum);
    }
    expect(checksums.size).toBe(5);
    await connection.query('DROP TABLE ck.strict, ck.single');
  });

  test('tells NULL, empty and shifted values apart in UTF-16 and UTF-32 text, whose bytes include NUL', async () => {
    await connection.query('CREATE TABLE ck.wide (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET utf16 NULL, b VARCHAR(10) CHARACTER SET utf32 NULL)');
    const checksums = new Set<string>();
    for (const [a, b] of [['NULL', "''"], ["''", 'NULL'], ["'A'", "''"], ["''", "'A'"], ['NULL', 'NULL'], ["''", "''"]]) {
      await connection.query(`REPLACE INTO ck.wide VALUES (1, ${a}, ${b})`);
      checksums.add((await tableChecksum(connection, 'ck', 'wide')).checksum);
    }
    expect(checksums.size).toBe(6);
    await connection.query('DROP TABLE ck.wide');
  });

  test('gives the checksums that earlier versions wrote into dump manifests (the row strings are the same bytes)', async () => {
    // Checksums of these rows as computed before the NULL marks and the separator became
    // literals with a COLLATE clause: a manifest written then must still verify.
    await connection.query(`CREATE DATABASE golden; USE golden; ${CREATE};
      INSERT INTO t VALUES ${BASE}, (2, 'y', NULL, '', NULL, NULL, NULL, NULL, NULL, NULL), (3, 'z', '', NULL, '', NULL, 0, NULL, NULL, 'ÿ');
      CREATE TABLE mixed (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1, b VARCHAR(10) COLLATE utf8mb4_bin,
        c VARCHAR(10) COLLATE utf8mb4_general_ci, d VARCHAR(10) CHARACTER SET utf16 NULL, x VARBINARY(4), y BLOB);
      INSERT INTO mixed VALUES (1, 'Ä', 'b', 'C', 'd', 0x00, 0x0000), (2, NULL, '', NULL, NULL, NULL, NULL);
      CREATE TABLE strict (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1 NOT NULL, b VARCHAR(10) COLLATE utf8mb4_bin NOT NULL,
        c VARCHAR(10) CHARACTER SET utf16 NOT NULL);
      INSERT INTO strict VALUES (1, 'Ä', 'b', 'c'), (2, '', '', '');
      CREATE TABLE wide (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET utf16 NULL, b VARCHAR(10) CHARACTER SET utf32 NULL);
      INSERT INTO wide VALUES (1, NULL, ''), (2, 'A', NULL), (3, '', 'B');
      CREATE TABLE latin (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1 NULL, b VARCHAR(10) CHARACTER SET latin1 NULL);
      INSERT INTO latin VALUES (1, NULL, 'ÿ'), (2, 'é', NULL);
      CREATE TABLE nokey (a INT NULL, b VARCHAR(5) NULL);
      INSERT INTO nokey VALUES (1, NULL), (1, NULL), (NULL, '');
      USE ck`);
    const checksums: Record<string, string> = {};
    for (const table of ['t', 'mixed', 'strict', 'wide', 'latin', 'nokey']) {
      checksums[table] = (await tableChecksum(connection, 'golden', table)).checksum;
    }
    expect(checksums).toEqual({
      t: '36e9ddb612dd74d3', mixed: 'c96cede296e3c1d9', strict: 'e4f833c461dc88fa', wide: '7efed09d7104edf4', latin: 'a661f83b6554ca6a', nokey: '2a70e767af8d30c2',
    });
    await connection.query('DROP DATABASE golden');
  });

  test('names the table when it does not exist', async () => {
    await expect(tableChecksum(connection, 'ck', 'missing')).rejects.toThrow('ck.missing');
  });
});

describe('combineChecksums', () => {
  test('adds modulo 2^64 and rejects what is not a checksum', () => {
    expect(combineChecksums([])).toBe('0000000000000000');
    expect(combineChecksums(['ffffffffffffffff', '0000000000000002'])).toBe('0000000000000001');
    expect(() => combineChecksums(['xyz'])).toThrow("not a checksum: 'xyz'");
  });
});
