/**
 * The replica drift check: compares a master and its replica table by table in
 * primary-key chunks, both servers at once, at a matched replication position.
 *
 * Per chunk, the master reads its GTID position and runs ONE aggregate query (`COUNT(*)`,
 * `BIT_XOR(spread row hash)` per part of the chunk); the replica waits until it has applied the
 * newest position the master reported (`MASTER_GTID_WAIT` / `WAIT_FOR_EXECUTED_GTID_SET`) and
 * runs the same query. The two connections stream through the chunks with at most two under
 * way (`chunk-stream.ts`), and the chunk size adapts so that a chunk takes about
 * `targetChunkSeconds`. Differing parts are narrowed to keys, and every candidate key is
 * verified: master, replica at the master's position, master again; a row that changed on the
 * master in between is in flight and is retried, a row that is stable on the master and
 * different on the replica is drift (`narrowing.ts`).
 *
 * Memory does not grow with the table: only the aggregates of two chunks, a bounded number
 * of differing ranges, the row hashes of at most a few thousand rows and batches of candidate
 * keys are held.
 */
import type { Connection } from 'mysql2/promise';
import { compareKeyedTable } from './chunk-stream';
import { KeySpec } from './keys';
import { TableDrift } from './narrowing';
import type { ReplicaHealth, ServerFlavor } from './replication';
import { describeUnhealthy, gtidProblem, masterGtidPosition, serverInfo } from './replication';
import type { CheckStatus, ConsistencyReport, TableResult } from './report';
import type { ListedTable, TableDefinition } from './schema';
import { describeDefinitionDifference, listTablesWithEstimates, readTableDefinition, REPLICA_SPECIFIC_TABLES } from './schema';
import { invalidCheckOption } from './check-options';
import { splitTableName, TableFilter } from './table-filter';
import { everyColumnReadable, hiddenTablesProblem } from './visibility';
import type { CheckOptions, Row } from './session';
import { bothSettled, boundedSelect, CheckStopped, DeadlinePassed, errorMessage, isFatal, onBothAtMatchedPosition, readForVerification, same, Session, sleep, wholeTableAggregate } from './session';

export type { CheckOptions, ProgressEvent } from './session';

async function checkKeyedTable(session: Session, definition: TableDefinition, estimatedRows: number): Promise<Omit<TableResult, 'seconds'>> {
  const spec = new KeySpec(definition);
  const drift = new TableDrift(session, definition, spec);
  const { rowsMaster, rowsReplica, chunks } = await compareKeyedTable(session, definition, spec, drift, (totals) =>
    session.progress({ kind: 'chunk', schema: definition.schema, table: definition.table, rowsDone: totals.rowsMaster, estimatedRows }));
  await drift.flush();

  let status: CheckStatus = drift.count > 0 ? 'drift' : 'consistent';
  let reason: string | undefined;
  if (drift.unresolved > 0) {
    reason = `${drift.unresolved} row(s) kept changing on the master and could not be verified`;
    status = drift.count > 0 ? 'drift' : 'unknown';
  }
  return {
    schema: definition.schema, table: definition.table, status, primaryKey: definition.primaryKey, noPrimaryKey: false,
    rowsMaster, rowsReplica, chunks, driftedRows: drift.count, drift: drift.rows, driftTruncated: drift.count > drift.rows.length, reason,
  };
}

type WithoutKeyBase = Pick<TableResult, 'schema' | 'table' | 'primaryKey' | 'noPrimaryKey' | 'chunks' | 'drift' | 'driftTruncated'>;

/**
 * A table without a primary key, compared as a whole. Its queries are not chunks the check can
 * stop between, so the server stops them at the deadline: the table is then `unknown`.
 */
async function checkTableWithoutKey(session: Session, definition: TableDefinition): Promise<Omit<TableResult, 'seconds'>> {
  try {
    return await compareWithoutKey(session, definition, withoutKeyBase(definition));
  } catch (error) {
    if (!(error instanceof DeadlinePassed)) {
      throw error;
    }
    return withoutKeyOutOfTime(definition);
  }
}

function withoutKeyBase(definition: TableDefinition): WithoutKeyBase {
  return { schema: definition.schema, table: definition.table, primaryKey: [], noPrimaryKey: true, chunks: 1, drift: [], driftTruncated: false };
}

/** A table without a primary key that the deadline kept from being compared: no chunk, and no row counts (as for a table whose rows were not read). */
function withoutKeyOutOfTime(definition: TableDefinition): Omit<TableResult, 'seconds'> {
  return {
    ...withoutKeyBase(definition), chunks: 0, status: 'unknown', driftedRows: 0,
    reason: 'no primary key: the table could not be compared as a whole in the time left before the deadline',
  };
}

async function compareWithoutKey(session: Session, definition: TableDefinition, base: WithoutKeyBase): Promise<Omit<TableResult, 'seconds'>> {
  const { master: firstMaster, replica: firstReplica } = await onBothAtMatchedPosition(session, (connection) => wholeTableAggregate(session, connection, definition));
  if (same(firstMaster, firstReplica)) {
    return { ...base, status: 'consistent', rowsMaster: firstMaster.rows, rowsReplica: firstReplica.rows, driftedRows: 0, reason: 'no primary key: compared as a whole' };
  }
  for (let round = 0; round < session.options.rowVerifyRounds; round++) {
    if (round > 0) {
      await sleep(100 * round);
    }
    const { before, replica: onReplica, after } = await readForVerification(session, (connection) => wholeTableAggregate(session, connection, definition));
    if (!same(before, after)) {
      continue;
    }
    if (same(before, onReplica)) {
      return { ...base, status: 'consistent', rowsMaster: before.rows, rowsReplica: onReplica.rows, driftedRows: 0, reason: 'no primary key: compared as a whole' };
    }
    return {
      ...base, status: 'drift', rowsMaster: before.rows, rowsReplica: onReplica.rows, driftedRows: Math.max(1, Math.abs(before.rows - onReplica.rows)),
      reason: `no primary key: the table differs as a whole (${before.rows} rows on the master, ${onReplica.rows} on the replica); rows cannot be named`,
    };
  }
  return {
    ...base, status: 'unknown', rowsMaster: firstMaster.rows, rowsReplica: firstReplica.rows, driftedRows: 0,
    reason: 'no primary key, and the table kept changing on the master: it could not be compared as a whole',
  };
}

/** A table whose rows were not compared: it has no row counts, rather than counts of 0. */
function tableOnlyResult(schema: string, table: string, status: CheckStatus, reason: string): TableResult {
  return { schema, table, status, primaryKey: [], noPrimaryKey: false, chunks: 0, driftedRows: 0, drift: [], driftTruncated: false, reason, seconds: 0 };
}

/** `schema.table`, as reports and the `tables` and `excludeTables` options write it. */
function nameOf(entry: { schema: string; table: string }): string {
  return `${entry.schema}.${entry.table}`;
}

/** What tells tables apart: `schema.table` does not, when a schema or table name holds a dot (`s`.`a.b`, `s.a`.`b`). */
function identityOf(entry: { schema: string; table: string }): string {
  return JSON.stringify([entry.schema, entry.table]);
}

/** The tables in one of two listings of the master and not in the other (created or dropped in between), by name. */
function tablesThatChanged(before: readonly ListedTable[], after: readonly ListedTable[]): ListedTable[] {
  const first = new Set(before.map(identityOf));
  const second = new Set(after.map(identityOf));
  return [...before.filter((entry) => !second.has(identityOf(entry))), ...after.filter((entry) => !first.has(identityOf(entry)))]
    .sort((left, right) => (nameOf(left) < nameOf(right) ? -1 : nameOf(left) > nameOf(right) ? 1 : 0));
}

/**
 * The definitions of a table on both servers. Read at once; when they differ, read again with
 * the replica at the master's position, so an ALTER TABLE the replica has not applied yet is not
 * drift. Throws when the master's definition changed while it was read, and `DeadlinePassed`
 * when a read waiting for the table's metadata lock was stopped at the deadline.
 */
async function matchedDefinitions(session: Session, schema: string, table: string): Promise<[TableDefinition, TableDefinition]> {
  const read = (connection: Connection) => readTableDefinition(connection, schema, table, boundedSelect(session));
  const first = await bothSettled(read(session.master), read(session.replica));
  if (!describeDefinitionDifference(...first)) {
    return first;
  }
  const { before, replica, after } = await readForVerification(session, read);
  if (describeDefinitionDifference(before, after)) {
    throw new Error('its definition changed on the master while it was read');
  }
  return [after, replica];
}

/** Sets the check's session settings and returns a function that puts the previous ones back. */
async function prepareSession(connection: Connection, flavor: ServerFlavor, lockWaitSeconds: number): Promise<() => Promise<void>> {
  // MariaDB before 11.1 knows only tx_read_only, MySQL 8 only transaction_read_only.
  const readOnly = flavor === 'mariadb' ? '@@SESSION.tx_read_only' : '@@SESSION.transaction_read_only';
  const [rows] = await connection.query(`SELECT @@SESSION.time_zone AS tz, @@SESSION.innodb_lock_wait_timeout AS innodb, @@SESSION.lock_wait_timeout AS mdl, ${readOnly} AS ro`);
  const previous = (rows as Row[])[0];
  await connection.query(`SET SESSION time_zone = '+00:00', SESSION innodb_lock_wait_timeout = ${lockWaitSeconds}, SESSION lock_wait_timeout = ${lockWaitSeconds}`);
  await connection.query('SET SESSION TRANSACTION READ ONLY');
  return async () => {
    await connection.query(Number(previous.ro) === 1 ? 'SET SESSION TRANSACTION READ ONLY' : 'SET SESSION TRANSACTION READ WRITE');
    await connection.query('SET SESSION time_zone = ?, SESSION innodb_lock_wait_timeout = ?, SESSION lock_wait_timeout = ?', [previous.tz, previous.innodb, previous.mdl]);
  };
}

/**
 * Compares a master and its replica. The connections should be dedicated to the check: their
 * sessions are read-only, in UTC and with short lock waits while it runs (restored at the end).
 * Never throws for a problem with the servers: a check
 * that cannot finish returns `unknown` (or `drift` when drift was already found) with
 * `complete: false` and the reason. Needs SELECT on each compared schema as a whole (on `*.*`
 * when no `databases` are named; a check whose user may not see every table is `unknown`) and the right to
 * read the replica status (`REPLICATION CLIENT` on MySQL, `SLAVE MONITOR` on MariaDB 10.5+).
 */
export async function checkConsistency(master: Connection, replica: Connection, options: CheckOptions = {}): Promise<ConsistencyReport> {
  const startedAt = new Date();
  const tables: TableResult[] = [];
  let masterVersion = 'unknown';
  let replicaVersion = 'unknown';
  let gtidPosition = '';
  let health: ReplicaHealth | null = null;
  let stopReason: string | undefined;
  /** Why a check that compared every table still cannot tell (the replica stopped by its end, tables its user cannot see). */
  const endReasons: string[] = [];
  let session: Session | undefined;
  const restore: Array<() => Promise<void>> = [];
  const excluded = new Set<string>();
  try {
    const invalidOption = invalidCheckOption(options);
    if (invalidOption) {
      throw new CheckStopped(invalidOption);
    }
    let filter: TableFilter;
    try {
      filter = new TableFilter(options.tables, options.excludeTables);
    } catch (error) {
      throw new CheckStopped(errorMessage(error));
    }
    const [masterInfo, replicaInfo] = await Promise.all([serverInfo(master), serverInfo(replica)]);
    masterVersion = masterInfo.version;
    replicaVersion = replicaInfo.version;
    // One server given twice compares with itself and would always read consistent. Two servers
    // with one server_id cannot replicate to each other either: a replica skips events of its own id.
    if (masterInfo.serverId === replicaInfo.serverId) {
      throw new CheckStopped(`the master and the replica have the same server_id ${masterInfo.serverId}: they are one server (or two that cannot replicate to each other), so comparing them proves nothing`);
    }
    if (masterInfo.flavor !== replicaInfo.flavor) {
      throw new CheckStopped(`the master runs ${masterVersion} and the replica ${replicaVersion}: GTID positions of MySQL and MariaDB cannot be matched`);
    }
    session = new Session(master, replica, replicaInfo.flavor, options);
    const lockWait = session.options.lockWaitTimeoutSeconds;
    restore.push(...await Promise.all([prepareSession(master, masterInfo.flavor, lockWait), prepareSession(replica, replicaInfo.flavor, lockWait)]));
    const noGtid = await gtidProblem(master, masterInfo.flavor);
    if (noGtid) {
      throw new CheckStopped(noGtid);
    }
    [gtidPosition, health] = await Promise.all([masterGtidPosition(master, masterInfo.flavor), session.replicaHealth()]);
    const unhealthy = describeUnhealthy(health);
    if (unhealthy) {
      throw new CheckStopped(unhealthy);
    }
    session.observeHealth(health);

    const databases = options.databases ?? [];
    // The replica lists its tables at the master's position: a table the master created or
    // dropped just before is not drift on a replica that has not applied that yet.
    const select = boundedSelect(session);
    const listing = await readForVerification(session, (connection) => listTablesWithEstimates(connection, databases, { withSequences: true, select }));
    const listed = [listing.after, listing.replica];
    const changed = tablesThatChanged(listing.before, listing.after);
    const changing = new Set(changed.map(identityOf));
    const found = new Set([...listed.flat(), ...changed].map(nameOf));
    // Before any table result is listed: the reason would read 'after 1 table(s)' for a schema that is not there.
    if (databases.length > 0 && found.size === 0) {
      throw new CheckStopped(`no tables found on the master in ${databases.join(', ')}`);
    }
    // Nothing to compare is not a consistent replica: the user may see no tables at all.
    if (found.size === 0) {
      throw new CheckStopped("no tables found on the master or the replica outside the system schemas: nothing was compared (does the check's user have SELECT on the application's databases?)");
    }
    for (const name of found) {
      if (filter.excludes(name) || REPLICA_SPECIFIC_TABLES.includes(name)) {
        excluded.add(name);
      }
    }
    const [onMaster, onReplica] = listed.map((entries) => entries.filter((entry) => !excluded.has(nameOf(entry)) && filter.compares(nameOf(entry)) && !changing.has(identityOf(entry))));
    for (const entry of changed.filter((candidate) => !excluded.has(nameOf(candidate)) && filter.compares(nameOf(candidate)))) {
      tables.push(tableOnlyResult(entry.schema, entry.table, 'unknown', 'created or dropped on the master while the check listed the tables'));
    }
    const schemasKnown = [...databases, ...[...listing.before, ...listed.flat()].map((entry) => entry.schema)];
    for (const name of filter.notFound(found)) {
      const { schema, table } = splitTableName(name, schemasKnown);
      tables.push(tableOnlyResult(schema, table, 'unknown', 'named in the tables to compare, but on neither the master nor the replica'));
    }
    const schemasFound = new Set(listed.flat().map((entry) => entry.schema));
    for (const database of databases.filter((name) => !schemasFound.has(name))) {
      tables.push(tableOnlyResult(database, '*', 'unknown', 'named in the databases to compare, but no table of it is on the master or the replica'));
    }
    const replicaNames = new Set(onReplica.map(identityOf));
    const versionedOnReplica = new Set(onReplica.filter((entry) => entry.systemVersioned).map(identityOf));
    const masterNames = new Set(onMaster.map(identityOf));
    for (const entry of onReplica) {
      if (!masterNames.has(identityOf(entry))) {
        tables.push(tableOnlyResult(entry.schema, entry.table, 'drift', 'the table exists on the replica only'));
      }
    }
    if (excluded.size > 0 && onMaster.length === 0 && onReplica.length === 0 && tables.length === 0) {
      throw new CheckStopped(`every table found is excluded (${[...excluded].sort().join(', ')}): nothing was compared`);
    }
    // Named tables are each compared or unknown; otherwise a table the user cannot see would be left out unsaid.
    if ((options.tables ?? []).length === 0) {
      endReasons.push(...(await Promise.all([hiddenTablesProblem(master, 'master', databases), hiddenTablesProblem(replica, 'replica', databases)])).filter((problem) => problem));
    }
    for (const entry of onMaster) {
      session.checkDeadline();
      const started = Date.now();
      if (!replicaNames.has(identityOf(entry))) {
        tables.push(tableOnlyResult(entry.schema, entry.table, 'drift', 'the table is missing on the replica'));
        continue;
      }
      const estimatedRows = entry.estimatedRows;
      const definitions = matchedDefinitions(session, entry.schema, entry.table);
      definitions.catch(() => undefined);
      session.progress({ kind: 'table-start', schema: entry.schema, table: entry.table, estimatedRows });
      let result: TableResult;
      try {
        const [definition, replicaDefinition] = await definitions;
        // Not queued behind the definition reads: a statement is given the time left when it is
        // queued, so one that waited behind another for a metadata lock would run past the deadline.
        const readable = bothSettled(everyColumnReadable(session, master, 'master', entry.schema, entry.table), everyColumnReadable(session, replica, 'replica', entry.schema, entry.table));
        const outOfTime = await readable.then(() => false, (error: unknown) => {
          if (error instanceof DeadlinePassed) {
            return true;
          }
          throw error;
        });
        const difference = describeDefinitionDifference(definition, replicaDefinition);
        if (outOfTime && (difference || definition.primaryKey.length > 0)) {
          // As when its first chunk is cut off: the check stops, and the table is not listed.
          throw new DeadlinePassed();
        }
        const compared = outOfTime
          ? withoutKeyOutOfTime(definition)
          : difference
            ? { ...tableOnlyResult(entry.schema, entry.table, 'drift', `the table definitions differ: ${difference}`), primaryKey: definition.primaryKey }
            : definition.primaryKey.length > 0
              ? await checkKeyedTable(session, definition, estimatedRows)
              : await checkTableWithoutKey(session, definition);
        result = { ...compared, seconds: (Date.now() - started) / 1000 };
      } catch (error) {
        if (isFatal(error)) {
          throw error;
        }
        result = { ...tableOnlyResult(entry.schema, entry.table, 'unknown', `could not be compared: ${errorMessage(error)}`), seconds: (Date.now() - started) / 1000 };
      }
      // A plain SELECT reads only the current rows of a system-versioned table: its history is not compared.
      if (entry.systemVersioned || versionedOnReplica.has(identityOf(entry))) {
        result = { ...result, systemVersioned: true };
      }
      tables.push(result);
      session.progress({ kind: 'table-done', result });
    }
    try {
      health = await session.replicaHealth();
    } catch (error) {
      stopReason = `the replica status could not be read at the end: ${errorMessage(error)}`;
    }
    // A replica that stopped while the master was quiet reached every position it was given:
    // only this reading sees that it no longer follows the master.
    const unhealthyAtEnd = health && !stopReason ? describeUnhealthy(health) : '';
    if (unhealthyAtEnd) {
      endReasons.unshift(`${unhealthyAtEnd}, read again when every table had been compared`);
    }
  } catch (error) {
    const where = tables.length > 0 ? ` after ${tables.length} table(s)` : '';
    stopReason = error instanceof CheckStopped ? `${error.message}${where}` : `the check stopped${where}: ${errorMessage(error)}`;
  }
  // Best effort: a connection that was lost has no session to restore.
  await Promise.all(restore.map((undo) => undo().catch(() => undefined)));

  const driftedRows = tables.reduce((total, table) => total + table.driftedRows, 0);
  const anyDrift = tables.some((table) => table.status === 'drift');
  const anyUnknown = tables.some((table) => table.status === 'unknown');
  const endReason = endReasons.length > 0 ? endReasons.join('; ') : undefined;
  const status: CheckStatus = anyDrift ? 'drift' : stopReason || endReason || anyUnknown ? 'unknown' : 'consistent';
  let reason = stopReason ?? endReason;
  if (!reason && anyUnknown) {
    reason = tables.filter((table) => table.status === 'unknown').map((table) => `${table.schema}.${table.table}: ${table.reason}`).join('; ');
  }
  const finishedAt = new Date();
  return {
    status,
    ...(reason ? { reason } : {}),
    complete: stopReason === undefined,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    master: { version: masterVersion, gtidPosition },
    replica: { version: replicaVersion, health },
    maxReplicaLagSeconds: session?.maxLag ?? health?.lagSeconds ?? null,
    tablesChecked: tables.length,
    ...(excluded.size > 0 ? { excludedTables: [...excluded].sort() } : {}),
    driftedRows,
    tables,
  };
}
