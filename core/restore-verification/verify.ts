/**
 * Verifies a restored MySQL / MariaDB database: its tables pass `CHECK TABLE`, its schema
 * equals the source's, its row counts and checksums match the dump manifest or the source,
 * and its newest row gives the recovery point achieved.
 *
 * The checksums are `core/consistency/table-checksum.ts` `tableChecksum()`, the same the
 * dump manifest records. Each function takes its connections as arguments.
 */
import type { Connection } from 'mysql2/promise';
import { tableChecksum, type TableChecksum } from '../consistency/table-checksum';
import { describeDefinitionDifference, listTables, qualifiedName, readTableDefinition, SYSTEM_SCHEMAS } from '../consistency/schema';
import type { DumpManifest } from '../dump/manifest';
import { errorText, report, type VerificationCheck, type VerificationReport } from './report';

type Row = Record<string, unknown>;

export interface CheckTablesOptions {
  /** The schemas to check. @default - every schema except the system schemas */
  readonly schemas?: readonly string[];
  /** `CHECK TABLE ... QUICK` (skips the scan of rows for incorrect links). @default false */
  readonly quick?: boolean;
}

/**
 * Runs `CHECK TABLE` on every base table. A table passes when the server's last `status`
 * message is `OK` and it reported no `error`; it is unknown when its engine does not support
 * the check.
 */
export async function checkTables(connection: Connection, options: CheckTablesOptions = {}): Promise<VerificationReport> {
  let tables: Array<{ schema: string; table: string }>;
  try {
    tables = await listTables(connection, options.schemas ?? []);
  } catch (error) {
    return report([{ name: 'check-table', status: 'unknown', detail: `could not list the tables: ${errorText(error)}` }]);
  }
  if (tables.length === 0) {
    return report([{ name: 'check-table', status: 'unknown', detail: `no tables found in ${options.schemas?.join(', ') || 'the non-system schemas'}` }]);
  }
  const checks: VerificationCheck[] = [];
  for (const { schema, table } of tables) {
    const name = `check-table ${schema}.${table}`;
    try {
      const [rows] = await connection.query(`CHECK TABLE ${qualifiedName(schema, table)}${options.quick ? ' QUICK' : ''}`);
      const messages = (rows as Row[]).map((row) => ({ type: String(row.Msg_type).toLowerCase(), text: String(row.Msg_text) }));
      const errors = messages.filter((m) => m.type === 'error');
      const statuses = messages.filter((m) => m.type === 'status');
      const last = statuses[statuses.length - 1];
      if (errors.length === 0 && last && last.text.toUpperCase() === 'OK') {
        checks.push({ name, status: 'ok', detail: 'OK' });
      } else if (errors.length === 0 && !last && messages.some((m) => /doesn't support check/i.test(m.text))) {
        // e.g. a MEMORY table: the check did not run, so nothing was found either way.
        checks.push({ name, status: 'unknown', detail: messages.map((m) => `${m.type}: ${m.text}`).join('; ') });
      } else {
        checks.push({ name, status: 'failed', detail: messages.map((m) => `${m.type}: ${m.text}`).join('; ') || 'no status returned' });
      }
    } catch (error) {
      checks.push({ name, status: 'unknown', detail: errorText(error) });
    }
  }
  return report(checks);
}

/** The schemas (databases) that exist on a server, among the given ones. */
async function existingSchemas(connection: Connection, schemas: readonly string[]): Promise<Set<string>> {
  if (schemas.length === 0) {
    return new Set();
  }
  const [rows] = await connection.query(
    `SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${schemas.map(() => '?').join(', ')})`, [...schemas]);
  return new Set((rows as Row[]).map((row) => String(row.s)));
}

function tableKey(schema: string, table: string): string {
  return `${schema}.${table}`;
}

/** Why the row counts and checksums of a manifest taken without pausing replication are not compared. */
const NOT_COMPARABLE = 'not comparable, the dump was taken without pausing replication (replicationPaused false), so the manifest counted the rows after the dump while the replica kept applying changes; checksums not compared either';

/**
 * The enabled events the server's scheduler runs (`schema.event`), none when `event_scheduler`
 * is not ON. Events come back with the status the dump wrote: enabled ones run on a server whose
 * parameter group turns the scheduler on and may change the rows between the load and the check.
 * Events replicated from the master were dumped from the replica `DISABLE ON SLAVE` and come back
 * `SLAVESIDE_DISABLED`: they do not run (see replicaDisabledEvents).
 */
async function scheduledEvents(connection: Connection): Promise<string[]> {
  const [scheduler] = await connection.query('SELECT @@GLOBAL.event_scheduler AS scheduler');
  if (String((scheduler as Array<{ scheduler: unknown }>)[0].scheduler).toUpperCase() !== 'ON') {
    return [];
  }
  const [events] = await connection.query("SELECT EVENT_SCHEMA AS s, EVENT_NAME AS n FROM information_schema.EVENTS WHERE STATUS = 'ENABLED' ORDER BY EVENT_SCHEMA, EVENT_NAME");
  return (events as Array<{ s: string; n: string }>).map((event) => `${event.s}.${event.n}`);
}

/** Names a few of the events, and how many there are. */
function eventList(events: readonly string[]): string {
  return events.length <= 3 ? events.join(', ') : `${events.slice(0, 3).join(', ')} and ${events.length - 3} more`;
}

/**
 * Compares a restored server with the dump manifest: every database and table of the dump
 * exists (and no other table in those databases) and, when the manifest was taken with
 * replication paused, each table has the manifest's row count and checksum. Without the pause
 * the row counts are `unknown` and marked `notComparable` (never `ok`, never `failed`). So is
 * a count or checksum that differs while the server's scheduler runs enabled events: they may
 * have changed the rows since the load (a match is still `ok`).
 */
export async function verifyAgainstManifest(connection: Connection, manifest: DumpManifest): Promise<VerificationReport> {
  const checks: VerificationCheck[] = [];
  let tables: Array<{ schema: string; table: string }>;
  let events: string[];
  try {
    events = await scheduledEvents(connection);
    const present = await existingSchemas(connection, manifest.databases);
    for (const database of manifest.databases) {
      checks.push(present.has(database)
        ? { name: `database ${database}`, status: 'ok', detail: 'exists' }
        : { name: `database ${database}`, status: 'failed', detail: `missing on the restored server (the dump of run ${manifest.runId} has it)` });
    }
    tables = manifest.databases.length > 0 ? await listTables(connection, manifest.databases) : [];
  } catch (error) {
    return report([...checks, { name: 'tables', status: 'unknown', detail: `could not list the restored tables: ${errorText(error)}` }]);
  }
  const restored = new Set(tables.map((t) => tableKey(t.schema, t.table)));
  const expected = new Set(manifest.tables.map((t) => tableKey(t.schema, t.table)));
  for (const extra of [...restored].filter((name) => !expected.has(name))) {
    checks.push({ name: `table ${extra}`, status: 'failed', detail: `exists on the restored server but not in the dump of run ${manifest.runId}` });
  }
  for (const entry of manifest.tables) {
    const name = tableKey(entry.schema, entry.table);
    if (!restored.has(name)) {
      checks.push({ name: `table ${name}`, status: 'failed', detail: `missing on the restored server (${entry.rows} rows in the dump)` });
      continue;
    }
    let actual: TableChecksum;
    try {
      actual = await tableChecksum(connection, entry.schema, entry.table);
    } catch (error) {
      checks.push({ name: `rows ${name}`, status: 'unknown', detail: errorText(error) });
      continue;
    }
    if (!manifest.replicationPaused) {
      // Equal counts would prove nothing either: the manifest may count rows the dump does not hold.
      checks.push({ name: `rows ${name}`, status: 'unknown', notComparable: true, detail: `${actual.rows} rows restored, ${entry.rows} in the manifest: ${NOT_COMPARABLE}` });
      continue;
    }
    const differs = (check: string, detail: string): VerificationCheck => events.length === 0
      ? { name: check, status: 'failed', detail }
      : { name: check, status: 'unknown', notComparable: true, detail: `${detail}: not comparable, the server runs enabled events (event_scheduler ON: ${eventList(events)}), which may have changed the rows since the load` };
    checks.push(actual.rows === entry.rows
      ? { name: `rows ${name}`, status: 'ok', detail: `${actual.rows} rows` }
      : differs(`rows ${name}`, `${actual.rows} rows restored, ${entry.rows} in the dump`));
    checks.push(actual.checksum === entry.checksum
      ? { name: `checksum ${name}`, status: 'ok', detail: actual.checksum }
      : differs(`checksum ${name}`, `restored ${actual.checksum}, dump ${entry.checksum}`));
  }
  return report(checks);
}

export interface VerifyAgainstSourceOptions {
  /**
   * Compare row counts and checksums as well as the schema. Turn off when the source has
   * moved on since the restore point (a live source): the schema is still compared.
   * @default true
   */
  readonly data?: boolean;
}

/**
 * Compares a restored server with its source, database by database: the same tables with
 * the same columns and primary keys, and (unless `data` is false) the same row counts and
 * checksums.
 */
export async function verifyAgainstSource(restored: Connection, source: Connection, databases: readonly string[], options: VerifyAgainstSourceOptions = {}): Promise<VerificationReport> {
  const compareData = options.data ?? true;
  const checks: VerificationCheck[] = [];
  if (databases.length === 0) {
    return report([{ name: 'databases', status: 'unknown', detail: 'no databases given to compare' }]);
  }
  let restoredTables: Array<{ schema: string; table: string }>;
  let sourceTables: Array<{ schema: string; table: string }>;
  try {
    const [restoredSchemas, sourceSchemas] = [await existingSchemas(restored, databases), await existingSchemas(source, databases)];
    for (const database of databases) {
      if (!sourceSchemas.has(database)) {
        checks.push({ name: `database ${database}`, status: 'unknown', detail: 'does not exist on the source: nothing to compare with' });
      } else if (!restoredSchemas.has(database)) {
        checks.push({ name: `database ${database}`, status: 'failed', detail: 'exists on the source but not on the restored server' });
      } else {
        checks.push({ name: `database ${database}`, status: 'ok', detail: 'exists' });
      }
    }
    restoredTables = await listTables(restored, databases);
    sourceTables = await listTables(source, databases);
  } catch (error) {
    return report([...checks, { name: 'tables', status: 'unknown', detail: `could not list the tables: ${errorText(error)}` }]);
  }
  const restoredNames = new Set(restoredTables.map((t) => tableKey(t.schema, t.table)));
  const sourceNames = new Set(sourceTables.map((t) => tableKey(t.schema, t.table)));
  for (const extra of [...restoredNames].filter((name) => !sourceNames.has(name))) {
    checks.push({ name: `table ${extra}`, status: 'failed', detail: 'exists on the restored server but not on the source' });
  }
  for (const { schema, table } of sourceTables) {
    const name = tableKey(schema, table);
    if (!restoredNames.has(name)) {
      checks.push({ name: `table ${name}`, status: 'failed', detail: 'exists on the source but not on the restored server' });
      continue;
    }
    try {
      const difference = describeDefinitionDifference(await readTableDefinition(source, schema, table), await readTableDefinition(restored, schema, table));
      checks.push(difference === ''
        ? { name: `schema ${name}`, status: 'ok', detail: 'same columns and primary key' }
        : { name: `schema ${name}`, status: 'failed', detail: difference.replace(/^master has/, 'source has').replace(/; replica has/, '; restored has') });
    } catch (error) {
      checks.push({ name: `schema ${name}`, status: 'unknown', detail: errorText(error) });
      continue;
    }
    if (!compareData) {
      continue;
    }
    try {
      const [mine, theirs] = [await tableChecksum(restored, schema, table), await tableChecksum(source, schema, table)];
      checks.push(mine.rows === theirs.rows
        ? { name: `rows ${name}`, status: 'ok', detail: `${mine.rows} rows` }
        : { name: `rows ${name}`, status: 'failed', detail: `${mine.rows} rows restored, ${theirs.rows} on the source` });
      checks.push(mine.checksum === theirs.checksum
        ? { name: `checksum ${name}`, status: 'ok', detail: mine.checksum }
        : { name: `checksum ${name}`, status: 'failed', detail: `restored ${mine.checksum}, source ${theirs.checksum}` });
    } catch (error) {
      checks.push({ name: `rows ${name}`, status: 'unknown', detail: errorText(error) });
    }
  }
  return report(checks);
}

/** A column that records when a row was written. */
export interface TimestampColumn {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
}

/** The newest row of a restored server. */
export interface NewestRow {
  /** `ok` when a time was found; `unknown` when no column could be read or every table was empty. */
  readonly status: 'ok' | 'unknown';
  /** ISO 8601 UTC time of the newest row, when found. */
  readonly time?: string;
  /** `schema.table.column` that held it. */
  readonly column?: string;
  /** What was looked at, or why nothing was found. */
  readonly detail: string;
}

/**
 * Finds the timestamp / datetime columns that lead an index (so that `MAX()` reads one
 * index entry) in the given schemas, or in every non-system schema.
 */
export async function indexedTimestampColumns(connection: Connection, schemas: readonly string[] = []): Promise<TimestampColumn[]> {
  const params: string[] = [];
  let filter: string;
  if (schemas.length > 0) {
    filter = `c.TABLE_SCHEMA IN (${schemas.map(() => '?').join(', ')})`;
    params.push(...schemas);
  } else {
    filter = `c.TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(', ')})`;
    params.push(...SYSTEM_SCHEMAS);
  }
  const [rows] = await connection.query(
    'SELECT DISTINCT c.TABLE_SCHEMA AS s, c.TABLE_NAME AS t, c.COLUMN_NAME AS c FROM information_schema.COLUMNS c ' +
    'JOIN information_schema.STATISTICS i ON i.TABLE_SCHEMA = c.TABLE_SCHEMA AND i.TABLE_NAME = c.TABLE_NAME AND i.COLUMN_NAME = c.COLUMN_NAME AND i.SEQ_IN_INDEX = 1 ' +
    "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE' " +
    `WHERE c.DATA_TYPE IN ('timestamp', 'datetime') AND ${filter} ORDER BY s, t, c`, params);
  return (rows as Row[]).map((row) => ({ schema: String(row.s), table: String(row.t), column: String(row.c) }));
}

/** What one timestamp column gave: its newest time (undefined: no row), or why it could not be read. */
export interface ColumnReading {
  /** `schema.table.column`. */
  readonly name: string;
  /** Milliseconds since the epoch of its newest row; undefined when it held no row (up to the bound). */
  readonly time?: number;
  readonly problem?: string;
}

/** The bound a reading is taken up to: `'2026-12-01 04:00:00.000000'`, as a UTC datetime literal. */
function datetimeLiteral(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '000');
}

/**
 * Reads the newest time of each column, of rows at or before `atOrBefore` when given (a
 * `WHERE column <= bound` that the column's index still serves). `timestamp` columns are
 * read as stored (UTC); `datetime` columns are taken to hold UTC times.
 *
 * The reads run with the session time zone set to UTC, and the previous zone put back after:
 * a timestamp column is compared with its bound in the session zone, and in a zone with
 * daylight saving (a parameter group's `time_zone`) the hour repeated in autumn makes a bound
 * in the second pass of that hour a time of the first pass, an hour early.
 */
export async function readNewestRows(connection: Connection, columns: readonly TimestampColumn[], atOrBefore?: Date): Promise<ColumnReading[]> {
  let previousZone: unknown;
  try {
    const [rows] = await connection.query('SELECT @@SESSION.time_zone AS zone');
    previousZone = (rows as Row[])[0].zone;
    await connection.query("SET SESSION time_zone = '+00:00'");
  } catch (error) {
    return columns.map((c) => {
      const name = `${c.schema}.${c.table}.${c.column}`;
      return { name, problem: `${name}: could not set the session time zone to UTC: ${errorText(error)}` };
    });
  }
  try {
    return await readNewestRowsInUtc(connection, columns, atOrBefore);
  } finally {
    try {
      await connection.query('SET SESSION time_zone = ?', [previousZone]);
    } catch {
      // The readings stand (taken in UTC); a session whose zone cannot be set back has lost its connection.
    }
  }
}

async function readNewestRowsInUtc(connection: Connection, columns: readonly TimestampColumn[], atOrBefore?: Date): Promise<ColumnReading[]> {
  const readings: ColumnReading[] = [];
  for (const candidate of columns) {
    const name = `${candidate.schema}.${candidate.table}.${candidate.column}`;
    try {
      const definition = await readTableDefinition(connection, candidate.schema, candidate.table);
      const column = definition.columns.find((c) => c.name === candidate.column);
      if (!column || (column.dataType !== 'timestamp' && column.dataType !== 'datetime')) {
        readings.push({ name, problem: `${name} is not a timestamp or datetime column` });
        continue;
      }
      const quoted = '`' + candidate.column.replace(/`/g, '``') + '`';
      // timestamp: seconds since the epoch, independent of the session time zone.
      // datetime: the literal value as text, read as UTC.
      const expression = column.dataType === 'timestamp' ? `UNIX_TIMESTAMP(MAX(${quoted}))` : `DATE_FORMAT(MAX(${quoted}), '%Y-%m-%dT%H:%i:%s.%fZ')`;
      // In the UTC session FROM_UNIXTIME gives the UTC time, which the timestamp column is compared in.
      const bound = atOrBefore === undefined ? ''
        : column.dataType === 'timestamp' ? ` WHERE ${quoted} <= FROM_UNIXTIME(?)` : ` WHERE ${quoted} <= ?`;
      const params = atOrBefore === undefined ? [] : [column.dataType === 'timestamp' ? atOrBefore.getTime() / 1000 : datetimeLiteral(atOrBefore)];
      const [rows] = await connection.query({ sql: `SELECT ${expression} AS newest FROM ${qualifiedName(candidate.schema, candidate.table)}${bound}`, dateStrings: true }, params);
      const value = (rows as Row[])[0]?.newest;
      if (value === null || value === undefined) {
        readings.push({ name });
        continue;
      }
      const time = column.dataType === 'timestamp' ? Number(value) * 1000 : Date.parse(String(value).replace(/(\.\d{3})\d*Z$/, '$1Z'));
      readings.push(Number.isNaN(time) ? { name, problem: `${name} held an unreadable time '${String(value)}'` } : { name, time });
    } catch (error) {
      readings.push({ name, problem: `${name}: ${errorText(error)}` });
    }
  }
  return readings;
}

/** The newest row among column readings. */
export function newestOfReadings(readings: readonly ColumnReading[]): NewestRow {
  let newest: { time: number; column: string } | undefined;
  const problems: string[] = [];
  for (const reading of readings) {
    if (reading.problem !== undefined) {
      problems.push(reading.problem);
    } else if (reading.time !== undefined && (!newest || reading.time > newest.time)) {
      newest = { time: reading.time, column: reading.name };
    }
  }
  if (!newest) {
    return { status: 'unknown', detail: problems.length ? problems.join('; ') : `every table was empty (${readings.length} column(s) read)` };
  }
  return {
    status: 'ok',
    time: new Date(newest.time).toISOString(),
    column: newest.column,
    detail: `newest of ${readings.length} column(s)${problems.length ? `; skipped: ${problems.join('; ')}` : ''}`,
  };
}

/** The columns `newestRowTime` reads: those given, or every indexed one; or why none could be found. */
export async function timestampColumnsToRead(connection: Connection, columns?: readonly TimestampColumn[]): Promise<readonly TimestampColumn[] | { error: string }> {
  let candidates: readonly TimestampColumn[];
  try {
    candidates = columns ?? await indexedTimestampColumns(connection);
  } catch (error) {
    return { error: `could not look for timestamp columns: ${errorText(error)}` };
  }
  if (candidates.length === 0) {
    return { error: 'no timestamp or datetime column to read (give the columns that record when a row was written)' };
  }
  return candidates;
}

/**
 * The time of the newest row among the given timestamp / datetime columns (or, when none
 * are given, every indexed one found by `indexedTimestampColumns`). `timestamp` columns are
 * read as stored (UTC); `datetime` columns are taken to hold UTC times.
 */
export async function newestRowTime(connection: Connection, columns?: readonly TimestampColumn[]): Promise<NewestRow> {
  const candidates = await timestampColumnsToRead(connection, columns);
  if ('error' in candidates) {
    return { status: 'unknown', detail: candidates.error };
  }
  return newestOfReadings(await readNewestRows(connection, candidates));
}

/**
 * The recovery point achieved, in minutes: how much older the newest restored row is than
 * the reference time (the moment of the incident, or the start of a drill). Never negative.
 */
export function recoveryPointMinutes(referenceTime: Date | string, newestRow: Date | string): number {
  const reference = new Date(referenceTime).getTime();
  const newest = new Date(newestRow).getTime();
  if (Number.isNaN(reference) || Number.isNaN(newest)) {
    throw new Error(`recoveryPointMinutes: both times must be valid, got '${String(referenceTime)}' and '${String(newestRow)}'`);
  }
  return Math.max(0, Math.round(((reference - newest) / 60_000) * 100) / 100);
}
