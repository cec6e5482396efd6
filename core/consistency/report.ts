/**
 * The result of a consistency check, as the CLI prints it, the Lambda function stores it
 * in S3 and the alarms read it (`CheckStatus` 0 consistent / 1 drift / 2 unknown).
 */
import type { ReplicaHealth } from './replication';

/** `consistent`: every compared row matched. `drift`: rows or tables differ. `unknown`: the check could not tell. */
export type CheckStatus = 'consistent' | 'drift' | 'unknown';

/** The numeric form used in metrics: 0 consistent, 1 drift, 2 unknown. */
export const STATUS_CODE: Record<CheckStatus, number> = { consistent: 0, drift: 1, unknown: 2 };

/**
 * One row that differs. `missing`: on the master, not on the replica. `extra`: on the
 * replica, not on the master. `different`: on both with different values.
 */
export interface DriftedRow {
  readonly key: Record<string, string | number | null>;
  readonly kind: 'missing' | 'extra' | 'different';
}

/** The comparison of one table. */
export interface TableResult {
  readonly schema: string;
  readonly table: string;
  readonly status: CheckStatus;
  /** The primary key columns; empty for a table without a primary key (compared as a whole). */
  readonly primaryKey: string[];
  /** True for a table without a primary key: drift in it cannot be narrowed to rows. */
  readonly noPrimaryKey: boolean;
  /**
   * Rows seen on the master and on the replica while comparing (approximate under writes).
   * Absent when the table's rows were not counted: a table on one server only, defined
   * differently, or `unknown` before its rows were read (e.g. cut off at the deadline).
   */
  readonly rowsMaster?: number;
  readonly rowsReplica?: number;
  /**
   * The number of chunks compared: primary-key chunks, or 1 for a table without a primary key
   * compared as a whole; 0 when none was (a table whose rows were not compared, or one without
   * a primary key cut off at the deadline).
   */
  readonly chunks: number;
  /** The number of drifted rows (for a table without a primary key: the difference in row counts, at least 1). */
  readonly driftedRows: number;
  /** The drifted rows, at most `maxReportedRows` of them. */
  readonly drift: DriftedRow[];
  /** True when more rows drifted than `drift` lists. */
  readonly driftTruncated: boolean;
  /**
   * True for a MariaDB system-versioned table (`WITH SYSTEM VERSIONING`, on the master or the
   * replica): its history rows were not compared, only its current rows (none when `rowsMaster`
   * is absent). Absent otherwise.
   */
  readonly systemVersioned?: boolean;
  /** Why the table is `unknown` or drifted as a whole (missing table, schema difference, no primary key). */
  readonly reason?: string;
  /** Wall time in seconds. */
  readonly seconds: number;
}

/** The result of one check of a master and its replica. */
export interface ConsistencyReport {
  readonly status: CheckStatus;
  /** Why the status is `unknown` (or why a drifted check is incomplete); absent when consistent. */
  readonly reason?: string;
  /** False when the check stopped before comparing every table. */
  readonly complete: boolean;
  /** ISO 8601 times. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Wall time in seconds. */
  readonly durationSeconds: number;
  readonly master: { readonly version: string; readonly gtidPosition: string };
  readonly replica: { readonly version: string; readonly health: ReplicaHealth | null };
  /** The highest replica lag seen during the check, in seconds (null when never known). */
  readonly maxReplicaLagSeconds: number | null;
  readonly tablesChecked: number;
  /** The tables that exist but were left out (`excludeTables`), as `schema.table`; absent when none. */
  readonly excludedTables?: string[];
  readonly driftedRows: number;
  readonly tables: TableResult[];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function differ(count: number, word: string): string {
  return `${plural(count, word)} ${count === 1 ? 'differs' : 'differ'}`;
}

/** What differs, in rows and in tables that differ as a whole (a missing table counts no rows). */
function driftHeadline(report: ConsistencyReport): string {
  const wholeTables = report.tables.filter((table) => table.status === 'drift' && table.driftedRows === 0).length;
  const parts = [
    ...(report.driftedRows > 0 ? [differ(report.driftedRows, 'row')] : []),
    ...(wholeTables > 0 ? [`${differ(wholeTables, 'table')} as a whole (missing, extra or defined differently)`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : 'the replica differs from the master';
}

function formatKey(key: Record<string, string | number | null>): string {
  return Object.entries(key).map(([name, value]) => `${name}=${value === null ? 'NULL' : String(value)}`).join(', ');
}

/** A human summary of a report, a few lines per table that is not consistent. */
export function formatReport(report: ConsistencyReport, maxRowsPerTable = 20): string {
  const lines: string[] = [];
  const headline = {
    consistent: 'CONSISTENT: the replica matches the master',
    drift: `DRIFT: ${driftHeadline(report)}`,
    unknown: 'UNKNOWN: the check could not tell whether the replica matches',
  }[report.status];
  lines.push(headline);
  if (report.reason) {
    lines.push(`  reason: ${report.reason}`);
  }
  const lag = report.maxReplicaLagSeconds === null ? 'unknown' : `${report.maxReplicaLagSeconds} s`;
  lines.push(`  ${plural(report.tablesChecked, 'table')} compared in ${report.durationSeconds.toFixed(1)} s; highest replica lag ${lag}; master ${report.master.version}, replica ${report.replica.version}`);
  if (report.excludedTables && report.excludedTables.length > 0) {
    lines.push(`  not compared (excluded): ${report.excludedTables.join(', ')}`);
  }
  for (const table of report.tables) {
    if (table.status === 'consistent' && !table.noPrimaryKey && !table.systemVersioned) {
      continue;
    }
    const name = `${table.schema}.${table.table}`;
    const flag = [
      ...(table.noPrimaryKey ? [' (no primary key: compared as a whole)'] : []),
      ...(table.systemVersioned ? [table.rowsMaster === undefined
        ? ' (system-versioned: its rows were not compared)'
        : ' (system-versioned: its history rows were not compared, only its current rows)'] : []),
    ].join('');
    lines.push(`  ${table.status.toUpperCase().padEnd(10)} ${name}${flag}${table.reason ? `: ${table.reason}` : ''}`);
    for (const row of table.drift.slice(0, maxRowsPerTable)) {
      lines.push(`    ${row.kind.padEnd(9)} ${formatKey(row.key)}`);
    }
    const hidden = table.driftedRows - Math.min(table.drift.length, maxRowsPerTable);
    if (table.drift.length > 0 && hidden > 0) {
      lines.push(`    ... and ${plural(hidden, 'more row')}`);
    }
  }
  return lines.join('\n');
}
