/**
 * The newest row the live source held at a reference time (the start of a restore), over the
 * columns the restored copy was read on: what the copy should reach for nothing to be lost.
 */
import type { Connection } from 'mysql2/promise';
import { readNewestRows, type ColumnReading, type TimestampColumn } from './verify';

/** The source's newest row at or before a time. */
export interface SourceNewestRow {
  /** `ok` when every column read on the copy was read on the source and one held a row at or before `atOrBefore`. */
  readonly status: 'ok' | 'unknown';
  /** ISO 8601 UTC time of that row. */
  readonly time?: string;
  /** `schema.table.column` that held it. */
  readonly column?: string;
  /** The reference time: rows after it are not counted. */
  readonly atOrBefore: string;
  /** What was read, or why the source's newest row is unknown. */
  readonly detail: string;
}

/**
 * Reads, on the source, the newest row at or before `atOrBefore` over the `columns` the copy
 * was read on. A column the copy gave a reading for but the source could not (dropped since,
 * no privilege, an error) makes the result unknown: the source's newest row may be in it, and
 * a lower bound would understate the data lost.
 */
export async function sourceNewestRow(source: Connection, columns: readonly TimestampColumn[], restoredReadings: readonly ColumnReading[], atOrBefore: Date): Promise<SourceNewestRow> {
  const at = atOrBefore.toISOString();
  const readOnCopy = new Set(restoredReadings.filter((reading) => reading.problem === undefined).map((reading) => reading.name));
  const wanted = columns.filter((column) => readOnCopy.has(`${column.schema}.${column.table}.${column.column}`));
  if (wanted.length === 0) {
    return { status: 'unknown', atOrBefore: at, detail: 'no timestamp column was read on the restored copy' };
  }
  const readings = await readNewestRows(source, wanted, atOrBefore);
  const problems = readings.filter((reading) => reading.problem !== undefined).map((reading) => reading.problem);
  if (problems.length > 0) {
    return { status: 'unknown', atOrBefore: at, detail: `could not read on the source: ${problems.join('; ')}` };
  }
  let newest: ColumnReading | undefined;
  for (const reading of readings) {
    if (reading.time !== undefined && (newest?.time === undefined || reading.time > newest.time)) {
      newest = reading;
    }
  }
  if (newest?.time === undefined) {
    return { status: 'unknown', atOrBefore: at, detail: `the source held no row at or before ${at} (${readings.length} column(s) read)` };
  }
  return { status: 'ok', time: new Date(newest.time).toISOString(), column: newest.name, atOrBefore: at, detail: `newest at or before ${at} of ${readings.length} column(s)` };
}
