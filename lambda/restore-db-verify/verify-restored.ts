/**
 * The verification of a restored instance, run in the VPC after the restore: the tables
 * pass CHECK TABLE, the schema is compared with the (live) source's (a difference is reported,
 * not failed), and the newest row, against the source's newest row at the start, gives the
 * recovery point achieved. Takes its connections as arguments.
 */
import type { Connection } from 'mysql2/promise';
import { commaList } from '../../core/comma-list';
import { SYSTEM_SCHEMAS } from '../../core/consistency/schema';
import { cutInJson } from '../../core/restore-workflows/bounded-error';
import {
  checkTables, describeProblems, mergeReports, newestOfReadings, readNewestRows, report, sourceNewestRow, timestampColumnsToRead,
  verifyAgainstSource, type ColumnReading, type NewestRow, type SourceNewestRow, type TimestampColumn, type VerificationReport,
} from '../../core/restore-verification';

/** The summary the workflow carries (kept small: Step Functions payloads are limited to 256 KB). */
export interface VerificationSummary {
  readonly status: 'ok' | 'failed' | 'unknown';
  readonly checks: number;
  /** The failed and unknown checks, at most `MAX_PROBLEMS` lines, each cut at `PROBLEM_LINE_CHARACTERS`. */
  readonly problems: string[];
  /** Its `detail` (which names every column skipped, with why) cut like a problem line. */
  readonly newestRow: NewestRow;
  /**
   * The live source's newest row at or before the start of the restore, over the columns read
   * on the copy (its `detail` cut like a problem line): the data lost is measured against it.
   * Absent when no start was given.
   */
  readonly sourceNewestRow?: SourceNewestRow;
}

/** How many problem lines the summary keeps. */
export const MAX_PROBLEMS = 20;

/**
 * Characters (in JSON) each problem line keeps. A line quotes what it checked (a schema
 * difference quotes both tables' definitions), so it may be of any length, and the state
 * holds the summary twice (a failed verification's cause, or the result beside it): a state
 * beyond 256 KiB fails the execution with an error no Catch sees, so no cleanup and no
 * failure document. 21 lines and the details of the newest row and of the source's newest
 * row, of 500 each, take at most 34,500 bytes of UTF-8 per copy.
 */
export const PROBLEM_LINE_CHARACTERS = 500;

/** A problem line as the summary keeps it: a longer one is cut, saying so, and logged whole. */
export function problemLine(line: string): string {
  const kept = cutInJson(line, PROBLEM_LINE_CHARACTERS, ` ... (cut at ${PROBLEM_LINE_CHARACTERS} characters to keep the workflow's state small: the verification function's log has the whole line)`);
  if (kept !== line) {
    console.error(JSON.stringify({ message: 'verification problem line cut in the summary', line }));
  }
  return kept;
}

export interface VerifyRestoredOptions {
  readonly restored: Connection;
  /** The live source; undefined when it could not be reached (`sourceError` says why). */
  readonly source?: Connection;
  readonly sourceError?: string;
  /** The databases to verify. @default - every non-system database of the source (or of the restored server) */
  readonly databases?: string[];
  /** The columns that record when a row was written. @default - every indexed timestamp / datetime column */
  readonly timestampColumns?: TimestampColumn[];
  /** The start of the restore (ISO 8601): the source's newest row is read at or before it. */
  readonly startedAt?: string;
}

async function userDatabases(connection: Connection): Promise<string[]> {
  const [rows] = await connection.query(
    `SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(', ')}) ORDER BY s`, [...SYSTEM_SCHEMAS]);
  return (rows as Array<{ s: string }>).map((row) => row.s);
}

/** Verifies a restored server and summarises the result. */
export async function verifyRestored(options: VerifyRestoredOptions): Promise<VerificationSummary> {
  const databases = options.databases ?? await userDatabases(options.source ?? options.restored);
  const reports: VerificationReport[] = [await checkTables(options.restored, { schemas: databases })];
  if (options.source) {
    // The source is live and has moved on since the backup: its data is not compared, and a
    // schema difference may be a change made since the restore point, so it is only reported.
    const comparison = await verifyAgainstSource(options.restored, options.source, databases, { data: false });
    reports.push(report(comparison.checks.map((check) => check.status === 'failed'
      ? { ...check, status: 'unknown', detail: `${check.detail} (the live source may have changed since the restore point)` }
      : check)));
  } else {
    reports.push(report([{ name: 'schema', status: 'unknown', detail: `the source could not be reached to compare schemas: ${options.sourceError ?? 'no connection'}` }]));
  }
  const merged = mergeReports(...reports);
  const columns = await timestampColumnsToRead(options.restored, options.timestampColumns);
  const restoredReadings = 'error' in columns ? [] : await readNewestRows(options.restored, columns);
  const newestRow = 'error' in columns ? { status: 'unknown' as const, detail: columns.error } : newestOfReadings(restoredReadings);
  const sourceRow = await sourceNewestAtStart(options, 'error' in columns ? [] : columns, restoredReadings);
  const problems = describeProblems(merged).split('\n').filter((line) => line.length > 0).map(problemLine);
  return {
    status: merged.status,
    checks: merged.checks.length,
    problems: problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS), `... and ${problems.length - MAX_PROBLEMS} more`] : problems,
    newestRow: { ...newestRow, detail: problemLine(newestRow.detail) },
    sourceNewestRow: sourceRow && { ...sourceRow, detail: problemLine(sourceRow.detail) },
  };
}

async function sourceNewestAtStart(options: VerifyRestoredOptions, columns: readonly TimestampColumn[], restoredReadings: readonly ColumnReading[]): Promise<SourceNewestRow | undefined> {
  if (options.startedAt === undefined) {
    return undefined;
  }
  const start = new Date(options.startedAt);
  if (Number.isNaN(start.getTime())) {
    return { status: 'unknown', atOrBefore: options.startedAt, detail: `the start of the restore '${options.startedAt}' is not a time` };
  }
  if (!options.source) {
    return { status: 'unknown', atOrBefore: start.toISOString(), detail: `the source could not be reached: ${options.sourceError ?? 'no connection'}` };
  }
  return sourceNewestRow(options.source, columns, restoredReadings, start);
}

/** Parses `schema.table.column` entries (the `TIMESTAMP_COLUMNS` variable, comma-separated). */
export function parseTimestampColumns(text: string | undefined): TimestampColumn[] | undefined {
  const entries = commaList(text);
  if (entries.length === 0) {
    return undefined;
  }
  return entries.map((entry) => {
    const parts = entry.split('.');
    if (parts.length !== 3 || parts.some((part) => part.length === 0)) {
      throw new Error(`restore-db-verify: TIMESTAMP_COLUMNS entries must be schema.table.column, got '${entry}'`);
    }
    return { schema: parts[0], table: parts[1], column: parts[2] };
  });
}
