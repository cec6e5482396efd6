/**
 * Streams a gzip-compressed `mysqldump` file into a MySQL or MariaDB server, statement by
 * statement, without holding the file on disk or in memory.
 *
 * Design for large dumps: a Lambda invocation lives at most 15 minutes, so a load is a
 * series of invocations. Each one reads the dump from its first byte (gzip cannot be
 * entered in the middle), skips the statements the earlier invocations applied (replaying
 * only the `SET`/`USE` statements that shape the session) and stops at a statement boundary
 * before its deadline, returning the number of statements applied so far. The state
 * machine loops until `done`. Skipping decompresses at hundreds of MB/s, far faster than
 * the server inserts, so the repeated read costs little; in exchange the loader needs no
 * container image, no local disk and one code path that the tests run against a real
 * server. Because every invocation reads the whole prefix of the file, the SHA-256 of the
 * compressed bytes is complete when the last invocation finishes, and is returned for the
 * manifest comparison.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as mysql from 'mysql2/promise';
import { commaList } from '../../core/comma-list';
import { StatementSplitter, isSessionStatement } from './sql-statements';

export interface LoadDumpOptions {
  /** The compressed dump, from its first byte. */
  readonly source: Readable;
  /**
   * Where to load it. The loader opens its own connection with the `binary` client
   * character set, so the bytes of the dump reach the server unchanged (the dump's own
   * `SET NAMES` tells the server how to read them).
   */
  readonly connection: mysql.ConnectionOptions;
  /** Statements applied by earlier invocations of the same load. @default 0 */
  readonly resumeAfter?: number;
  /** Time (milliseconds since the epoch) after which no new statement starts. @default - no deadline */
  readonly deadline?: number;
  /**
   * Remove the `DEFINER=user@host` clause of triggers, views, routines and events, so that
   * the loading user becomes their definer. RDS's master user may not create objects for
   * another definer (that needs SET_USER_ID / SUPER), and the source's users do not exist
   * on a new instance. @default false
   */
  readonly stripDefiners?: boolean;
  /** Called after each applied statement. */
  readonly onProgress?: (progress: LoadProgress) => void;
}

export interface LoadProgress {
  /** Statements applied so far, earlier invocations included. */
  readonly statementsApplied: number;
  /** Compressed bytes read so far in this invocation. */
  readonly compressedBytes: number;
}

export interface LoadDumpResult {
  /** True when the whole dump was applied. */
  readonly done: boolean;
  /** Statements applied so far, earlier invocations included: the `resumeAfter` of the next invocation. */
  readonly statementsApplied: number;
  /** Statements this invocation sent to the server (replayed session statements included). */
  readonly statementsExecuted: number;
  /** Compressed bytes read by this invocation. */
  readonly compressedBytes: number;
  /** Lower-case hex SHA-256 of the whole compressed file; only when `done`. */
  readonly sha256?: string;
}

/** A dump statement the server rejected, with its position in the dump. */
export class DumpStatementError extends Error {
  constructor(public readonly statementNumber: number, statement: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`statement ${statementNumber} of the dump failed: ${reason} (statement starts: ${statement.slice(0, 120).replace(/\s+/g, ' ')})`);
    this.name = 'DumpStatementError';
  }
}

// The first statement after a resume may have been committed by the invocation that was
// cut off before it could report it: a duplicate row or an existing table then means
// "already applied".
const ALREADY_APPLIED_ERRORS = new Set(['ER_DUP_ENTRY', 'ER_TABLE_EXISTS_ERROR', 'ER_DB_CREATE_EXISTS']);

/** The server status flag of a session in NO_BACKSLASH_ESCAPES mode (SERVER_STATUS_NO_BACKSLASH_ESCAPES). */
const NO_BACKSLASH_ESCAPES = 0x200;

const NAME = "(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|[A-Za-z0-9_$.%-]+)";
const DEFINER_CLAUSE = new RegExp(`DEFINER\\s*=\\s*(?:${NAME}\\s*@\\s*${NAME}|CURRENT_USER(?:\\(\\))?)`, 'i');

// What may stand around the clause in a CREATE ... VIEW / TRIGGER / routine / EVENT header,
// read with the dump's executable comment markers (`/*!50017 `, `*/`) taken out.
const EXECUTABLE_MARKERS = /\/\*M?!\d*|\*\//g;
const BEFORE_DEFINER = /^\s*CREATE(?:\s+OR\s+REPLACE)?(?:\s+ALGORITHM\s*=\s*\w+)?\s*$/i;
const AFTER_DEFINER = /^\s*(?:SQL\s+SECURITY\s+\w+\s+)?(?:VIEW|TRIGGER|PROCEDURE|(?:AGGREGATE\s+)?FUNCTION|EVENT)\b/i;

/**
 * The statement without the `DEFINER=...` clause of its CREATE VIEW / TRIGGER / PROCEDURE /
 * FUNCTION / EVENT header (in the first 1,000 characters); any other statement, e.g. an
 * INSERT whose data holds the text `DEFINER=`, is returned as it is.
 */
export function withoutDefiner(statement: string): string {
  const head = statement.slice(0, 1000);
  const clause = DEFINER_CLAUSE.exec(head);
  if (!clause) {
    return statement;
  }
  const before = head.slice(0, clause.index).replace(EXECUTABLE_MARKERS, ' ');
  const after = head.slice(clause.index + clause[0].length).replace(EXECUTABLE_MARKERS, ' ');
  if (!BEFORE_DEFINER.test(before) || !AFTER_DEFINER.test(after)) {
    return statement;
  }
  return head.slice(0, clause.index) + head.slice(clause.index + clause[0].length) + statement.slice(1000);
}

function asList(flags: string | string[] | undefined): string[] {
  if (flags === undefined) {
    return [];
  }
  return Array.isArray(flags) ? flags : commaList(flags);
}

/** Loads (part of) a compressed dump; see the file comment for how a large dump is split over invocations. */
export async function loadDump(options: LoadDumpOptions): Promise<LoadDumpResult> {
  const resumeAfter = options.resumeAfter ?? 0;
  // Without session tracking: mysql2 would otherwise follow the dump's `SET NAMES` and start
  // re-encoding the latin1 text as UTF-8.
  const flags = [...asList(options.connection.flags), '-SESSION_TRACK'];
  const connection = await mysql.createConnection({ ...options.connection, charset: 'BINARY', multipleStatements: false, flags });
  const hash = createHash('sha256');
  let compressedBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      compressedBytes += chunk.length;
      callback(null, chunk);
    },
  });
  const gunzip = createGunzip();
  let streamError: Error | undefined;
  pipeline(options.source, tap, gunzip, (error) => {
    if (error && error.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      streamError = error;
    }
  });
  const splitter = new StatementSplitter();
  let index = 0;
  let executed = 0;
  let stopped = false;

  const apply = async (statement: string): Promise<void> => {
    index += 1;
    if (index <= resumeAfter) {
      if (isSessionStatement(statement)) {
        await execute(statement, index, false);
      }
      return;
    }
    await execute(statement, index, index === resumeAfter + 1 && resumeAfter > 0);
    options.onProgress?.({ statementsApplied: index, compressedBytes });
  };
  const execute = async (statement: string, number: number, mayBeApplied: boolean): Promise<void> => {
    executed += 1;
    try {
      const [result] = await connection.query(options.stripDefiners ? withoutDefiner(statement) : statement);
      if (!Array.isArray(result)) {
        splitter.noBackslashEscapes = (result.serverStatus & NO_BACKSLASH_ESCAPES) !== 0;
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (mayBeApplied && code && ALREADY_APPLIED_ERRORS.has(code)) {
        return;
      }
      throw new DumpStatementError(number, statement, error);
    }
  };

  try {
    for await (const chunk of gunzip) {
      splitter.push((chunk as Buffer).toString('latin1'));
      for (let statement = splitter.next(); statement !== undefined; statement = splitter.next()) {
        // At least one new statement per invocation, so a load always makes progress.
        if (options.deadline !== undefined && index > resumeAfter && Date.now() >= options.deadline) {
          stopped = true;
          break;
        }
        await apply(statement);
      }
      if (stopped) {
        break;
      }
    }
    if (streamError) {
      throw streamError;
    }
    if (!stopped) {
      splitter.end();
      for (let statement = splitter.next(); statement !== undefined; statement = splitter.next()) {
        await apply(statement);
      }
      if (index < resumeAfter) {
        throw new Error(`the dump has ${index} statements but ${resumeAfter} were reported applied: the dump changed between invocations`);
      }
    }
  } catch (error) {
    throw streamError && !(error instanceof DumpStatementError) ? new Error(`reading the dump failed: ${streamError.message}`) : error;
  } finally {
    if (stopped) {
      gunzip.destroy();
      options.source.destroy();
    }
    await connection.end().catch(() => connection.destroy());
  }
  // When stopped, the statement that was about to start was not applied: `index` counts the applied ones.
  return {
    done: !stopped,
    statementsApplied: index,
    statementsExecuted: executed,
    compressedBytes,
    sha256: stopped ? undefined : hash.digest('hex'),
  };
}
