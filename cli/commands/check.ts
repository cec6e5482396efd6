/**
 * `cdk-backup-dr check`: compares a MySQL / MariaDB master and its replica from a terminal,
 * with the same checker the scheduled function runs.
 *
 * Exit codes: 0 consistent, 1 drift, 2 unknown (the check could not tell), 64 usage error,
 * 130 interrupted at a password prompt.
 */
import type { ConnectionOptions } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { commaList } from '../../core/comma-list';
import { checkConsistency } from '../../core/consistency/checker';
import type { ConsistencyReport } from '../../core/consistency/report';
import { STATUS_CODE, formatReport } from '../../core/consistency/report';
import { TABLE_NAME_FORM, invalidTableName } from '../../core/consistency/table-filter';
import type { DurationLimit } from '../numeric-options';
import { durationSeconds, positiveDecimal } from '../numeric-options';
import { PromptCancelled, askHidden } from '../password-prompt';
import type { ProgressStream } from '../progress';
import { ProgressRenderer } from '../progress';
import { OptionDeclaration, rejectRepeatedOptions } from '../repeated-options';
import { UsageError } from '../usage-error';

const USAGE = `Usage: cdk-backup-dr check --master mysql://user@host:port --replica mysql://user@host:port [options]

Compares the master and the replica table by table (primary-key chunks, both servers at
once, at a matched replication position) and lists the rows that differ.

Options:
  --master URL          the master (mysql://user@host[:port])
  --replica URL         the replica
  --databases a,b       the schemas to compare (default: every non-system schema)
  --tables s.t,s.u      only these tables (default: every table of the schemas)
  --exclude-tables s.t  leave these tables out (the report lists them as not compared)
  --max-lag SECONDS     wait while the replica is further behind than this (default 30)
  --max-lag-wait SECONDS  give up (unknown) when the lag stays above the limit this long (default 120)
  --chunk-time SECONDS  target time of one chunk query (default 0.1)
  --time-limit TIME     stop when this much time has passed since the command began connecting
                        (after any password prompt; connecting counts): the check is then
                        unknown (exit 2; drift, exit 1, when drift was already found) and the
                        tables not yet compared are not listed. Seconds (90, 0.5) or a duration
                        (45s, 15m, 1h30m), at most 720h (30 days); default: no limit
  --tls MODE            rds: verify against the Amazon RDS certificate authorities; verify: against
                        the system ones; off: no TLS (default: rds for *.rds.amazonaws.com, else off).
                        Also settable per URL with ?tls=MODE
  --json                print the report as JSON on stdout (progress stays on stderr)
  -h, --help            this text

Passwords: from MYSQL_PWD when set (both servers), else asked on the terminal (for the
replica, Enter takes the master's when the user is the same). A password written into a URL
(mysql://user:password@host, percent-encoded) works too, but other users of the machine can
read it in the process list, so the command warns.

Exit codes: 0 consistent, 1 drift, 2 unknown, 64 usage error, 130 interrupted at a password prompt.
The user needs SELECT on each compared schema as a whole (on *.* without --databases;
a table it cannot see makes the check unknown) and REPLICATION CLIENT (MySQL) / SLAVE MONITOR
(MariaDB) on the replica.`;

/** Where the command reads and writes (tests pass their own). */
export interface CheckIo {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  /** Where a password is typed when neither its URL nor MYSQL_PWD gives one (asked only on a terminal). */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** The environment (MYSQL_PWD). */
  readonly env?: NodeJS.ProcessEnv;
}

interface CheckArguments {
  readonly master: ConnectionOptions;
  readonly replica: ConnectionOptions;
  readonly databases: string[];
  readonly tables: string[];
  readonly excludeTables: string[];
  readonly json: boolean;
  readonly maxLagSeconds?: number;
  readonly maxLagWaitSeconds?: number;
  readonly targetChunkSeconds?: number;
  readonly timeLimitSeconds?: number;
  /** --time-limit as given (quoted when the check runs out of time while connecting). */
  readonly timeLimitText?: string;
}

const TLS_MODES = ['rds', 'verify', 'off'];

/**
 * The longest --time-limit. MySQL's `MAX_EXECUTION_TIME` hint takes at most 2^32-1 ms: it
 * ignores a larger one, and the statement then runs without a limit.
 */
const TIME_LIMIT_MAX: DurationLimit = {
  seconds: 720 * 3600,
  written: '720h (30 days, 2592000 seconds)',
  why: "MySQL's statement time limit ends at about 49.7 days, so the check's statements could not be stopped at a later limit",
};

/** How long a server may take to accept a connection and greet (capped by --time-limit). */
const CONNECT_TIMEOUT_MS = 10_000;

/** A percent-encoded part of a URL, decoded; a stray % is a usage error (never the value: it may be a password). */
function decoded(flag: string, part: 'user' | 'password', text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UsageError(`the ${part} in ${flag} is not valid percent-encoding: write % as %25 (and @ : / ? # as %40 %3A %2F %3F %23)`);
  }
}

/**
 * A connection string as an error may quote it: with the password, everything between the first
 * `:` of the user part (after `//`, if any) and the last `@`, replaced by `***`; without an `@`,
 * everything after that `:` (`user:password` with the host left out reads like `host:port`). The
 * text did not parse as a URL, so this reads it the way a person wrote it, hiding too much rather
 * than too little.
 */
function withoutPassword(text: string): string {
  const at = text.lastIndexOf('@');
  const slashes = text.indexOf('//');
  const userStart = slashes >= 0 && (at < 0 || slashes < at) ? slashes + 2 : 0;
  const colon = text.indexOf(':', userStart);
  if (at < 0) {
    return colon >= 0 ? `${text.slice(0, colon + 1)}***` : text;
  }
  return colon >= 0 && colon < at ? `${text.slice(0, colon + 1)}***${text.slice(at)}` : text;
}

/** Connection options from `mysql://user:password@host:port[?tls=rds|verify|off]`. */
export function parseConnectionUrl(flag: string, text: string, tlsOverride?: string): ConnectionOptions {
  // An unencoded / ? or # ends the user part early: the rest of a password would read as the
  // path, the query or the host, and an error quoting those would print it. The user part ends
  // at its last @, so one after the first / ? or # means the user or the password holds one.
  const slashes = text.indexOf('//');
  if (slashes >= 0) {
    const authorityEnd = text.slice(slashes + 2).search(/[/?#]/);
    if (authorityEnd >= 0 && text.lastIndexOf('@') > slashes + 2 + authorityEnd) {
      throw new UsageError(`${flag} has an unencoded / ? # or @ in its user or password (got '${withoutPassword(text)}'): percent-encode them as %2F %3F %23 %40`);
    }
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be a URL like mysql://user@host:3306, got '${withoutPassword(text)}'`);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new UsageError(`${flag} must start with mysql://, got '${url.protocol}//'`);
  }
  if (!url.hostname || !url.username) {
    throw new UsageError(`${flag} needs a user and a host: mysql://user@host:3306`);
  }
  // Refused rather than ignored: `?ssl-mode=REQUIRED` would connect without TLS, `/shop` compare every schema.
  const unknownParameters = [...url.searchParams.keys()].filter((name) => name !== 'tls');
  if (unknownParameters.length > 0) {
    throw new UsageError(`${flag} takes only ?tls=rds|verify|off, got ?${unknownParameters.join(', ?')}`);
  }
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new UsageError(`${flag} names no database (got '${url.pathname}'): choose the schemas with --databases`);
  }
  const tls = tlsOverride ?? url.searchParams.get('tls') ?? (url.hostname.endsWith('.rds.amazonaws.com') ? 'rds' : 'off');
  const ssl = { rds: 'Amazon RDS', verify: { rejectUnauthorized: true }, off: undefined }[tls];
  if (!TLS_MODES.includes(tls)) {
    throw new UsageError(`the TLS mode of ${flag} must be rds, verify or off, got '${tls}'`);
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 3306,
    user: decoded(flag, 'user', url.username),
    // No password in the URL (the URL API cannot tell `user:@host` from `user@host`): see `withPasswords`.
    ...(url.password ? { password: decoded(flag, 'password', url.password) } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...(ssl ? { ssl } : {}),
  };
}

function parseArguments(args: string[]): CheckArguments | 'help' {
  const values = new Map<string, string>();
  const given: Array<{ kind: 'option'; name: string }> = [];
  let json = false;
  const valued = ['--master', '--replica', '--databases', '--tables', '--exclude-tables', '--max-lag', '--max-lag-wait', '--chunk-time', '--time-limit', '--tls'];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '-h' || arg === '--help') {
      return 'help';
    }
    if (arg === '--json') {
      json = true;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!valued.includes(flag)) {
      // Quoted without a value or a URL's password: `--mater=mysql://user:pw@host`, or a URL given without its option.
      throw new UsageError(arg.startsWith('-') ? `unknown option '${flag}'${inline === undefined ? '' : ' (its value is not shown)'}` : `unexpected argument '${withoutPassword(arg)}'`);
    }
    const value = inline ?? args[++index];
    // `--master --replica URL`: the next flag is not --master's value (no value here starts with --).
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`${flag} needs a value`);
    }
    values.set(flag, value);
    given.push({ kind: 'option', name: flag.slice(2) });
  }
  rejectRepeatedOptions(given, Object.fromEntries(valued.map((flag): [string, OptionDeclaration] => [flag.slice(2), { type: 'string' }])));
  for (const flag of ['--master', '--replica']) {
    if (!values.has(flag)) {
      throw new UsageError(`${flag} is required`);
    }
  }
  const tls = values.get('--tls');
  if (tls !== undefined && !TLS_MODES.includes(tls)) {
    throw new UsageError(`--tls must be rds, verify or off, got '${tls}'`);
  }
  const list = (flag: string): string[] => commaList(values.get(flag));
  for (const flag of ['--tables', '--exclude-tables']) {
    const invalid = invalidTableName(list(flag));
    if (invalid !== undefined) {
      throw new UsageError(`${flag} takes table names ${TABLE_NAME_FORM}, separated by commas, got '${invalid}'`);
    }
  }
  return {
    master: parseConnectionUrl('--master', values.get('--master')!, tls),
    replica: parseConnectionUrl('--replica', values.get('--replica')!, tls),
    databases: list('--databases'),
    tables: list('--tables'),
    excludeTables: list('--exclude-tables'),
    json,
    maxLagSeconds: values.has('--max-lag') ? positiveDecimal('--max-lag', values.get('--max-lag')!, 'seconds') : undefined,
    maxLagWaitSeconds: values.has('--max-lag-wait') ? positiveDecimal('--max-lag-wait', values.get('--max-lag-wait')!, 'seconds') : undefined,
    targetChunkSeconds: values.has('--chunk-time') ? positiveDecimal('--chunk-time', values.get('--chunk-time')!, 'seconds') : undefined,
    timeLimitSeconds: values.has('--time-limit') ? durationSeconds('--time-limit', values.get('--time-limit')!, TIME_LIMIT_MAX) : undefined,
    timeLimitText: values.get('--time-limit'),
  };
}

/**
 * The connection options with the passwords their URLs leave out: from MYSQL_PWD (the variable
 * MySQL's and MariaDB's own clients read), else typed on the terminal, else none. For the
 * replica an empty answer means the master's password when the user is the same (an RDS read
 * replica has its source's users). A password in a URL is used as it is, with a warning.
 */
async function withPasswords(parsed: CheckArguments, io: CheckIo): Promise<{ master: ConnectionOptions; replica: ConnectionOptions }> {
  const env = io.env ?? process.env;
  const stdin = io.stdin ?? process.stdin;
  const resolved: Partial<Record<'master' | 'replica', ConnectionOptions>> = {};
  let askedMaster = false;
  for (const role of ['master', 'replica'] as const) {
    const options = parsed[role];
    if (options.password !== undefined) {
      io.stderr.write(`cdk-backup-dr check: warning: the password in --${role} is visible to other users of this machine in the process list; ` +
        'leave it out of the URL and set MYSQL_PWD or type it when asked\n');
      resolved[role] = options;
    } else if (env.MYSQL_PWD !== undefined) {
      resolved[role] = { ...options, password: env.MYSQL_PWD };
    } else if (stdin.isTTY === true) {
      const sameUser = role === 'replica' && askedMaster && resolved.master?.user === options.user;
      const answer = await askHidden(`Password for ${options.user}@${options.host}:${options.port} (${role}${sameUser ? "; Enter: the master's" : ''}): `, stdin, io.stderr);
      resolved[role] = { ...options, password: answer === '' && sameUser ? resolved.master?.password : answer };
      askedMaster ||= role === 'master';
    } else {
      resolved[role] = options;
    }
  }
  return { master: resolved.master!, replica: resolved.replica! };
}

/** The report of a check that could not run, tried from `startedAt` (e.g. connecting) until now. */
function unknownReport(reason: string, startedAt = new Date()): ConsistencyReport {
  const finishedAt = new Date();
  return {
    status: 'unknown', reason, complete: false, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    master: { version: 'unknown', gtidPosition: '' }, replica: { version: 'unknown', health: null },
    maxReplicaLagSeconds: null, tablesChecked: 0, driftedRows: 0, tables: [],
  };
}

/** Runs the command; returns the exit code. */
export async function run(args: string[], io: CheckIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let parsed: CheckArguments | 'help';
  try {
    parsed = parseArguments(args);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`cdk-backup-dr check: ${error.message}\nRun \`cdk-backup-dr check --help\` for the options.\n`);
      return 64;
    }
    throw error;
  }
  if (parsed === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let servers: { master: ConnectionOptions; replica: ConnectionOptions };
  try {
    servers = await withPasswords(parsed, io);
  } catch (error) {
    if (error instanceof PromptCancelled) {
      io.stderr.write(`cdk-backup-dr check: ${error.message}\n`);
      return 130;
    }
    // The check could not run: unknown (2), with the report a script reading --json expects.
    return printReport(unknownReport(`could not read the passwords: ${error instanceof Error ? error.message : String(error)}`), parsed.json, io);
  }

  const progress = new ProgressRenderer(io.stderr);
  const showProgress = !parsed.json || io.stderr.isTTY === true;
  let report: ConsistencyReport;
  const connections: Array<{ end(): Promise<void> }> = [];
  // Counted from here, after any password prompt.
  const startedAt = new Date();
  const deadline = parsed.timeLimitSeconds === undefined ? undefined : startedAt.getTime() + parsed.timeLimitSeconds * 1000;
  try {
    const open = async (role: string, options: ConnectionOptions) => {
      // The time limit covers connecting: a server that does not answer is given what is left of
      // it, not the whole connect timeout.
      const connectTimeout = options.connectTimeout ?? CONNECT_TIMEOUT_MS;
      const left = deadline === undefined ? Infinity : Math.max(1, Math.ceil(deadline - Date.now()));
      const cut = left < connectTimeout;
      try {
        const connection = await createConnection({ ...options, connectTimeout: cut ? left : connectTimeout });
        connections.push(connection);
        return connection;
      } catch (error) {
        const outOfTime = cut && (error as { code?: string }).code === 'ETIMEDOUT';
        throw new Error(`could not connect to the ${role} ${options.host}:${options.port}: ${outOfTime
          ? `the check ran out of time (--time-limit ${parsed.timeLimitText}) while connecting`
          : error instanceof Error ? error.message : String(error)}`);
      }
    };
    // Both attempts settle before the check gives up on one: a connection that opened after the
    // other failed would otherwise stay open, never closed, and keep the command from exiting.
    const [master, replica] = (await Promise.allSettled([open('master', servers.master), open('replica', servers.replica)])).map((attempt) => {
      if (attempt.status === 'rejected') {
        throw attempt.reason;
      }
      return attempt.value;
    });
    let chunked = false;
    report = await checkConsistency(master, replica, {
      databases: parsed.databases,
      tables: parsed.tables,
      excludeTables: parsed.excludeTables,
      maxLagSeconds: parsed.maxLagSeconds,
      maxLagWaitSeconds: parsed.maxLagWaitSeconds,
      targetChunkSeconds: parsed.targetChunkSeconds,
      deadline,
      onProgress: showProgress ? (event) => {
        switch (event.kind) {
          case 'table-start':
            progress.start(`${event.schema}.${event.table}`, event.estimatedRows);
            chunked = false;
            break;
          case 'chunk':
            progress.update(event.rowsDone);
            chunked = true;
            break;
          case 'table-done': {
            // A table compared as a whole (no primary key) sends no chunks: its count is the result's, if it was counted.
            const { rowsMaster, rowsReplica } = event.result;
            const counted = rowsMaster === undefined && rowsReplica === undefined ? null : Math.max(rowsMaster ?? 0, rowsReplica ?? 0);
            progress.finish(event.result.status === 'drift' && event.result.driftedRows > 0
              ? `DRIFT: ${event.result.driftedRows} row(s)` : event.result.status === 'consistent' ? 'ok' : event.result.status.toUpperCase(), chunked ? undefined : counted);
            break;
          }
          case 'waiting-for-replica':
            progress.note(`waiting: ${event.reason}`);
            break;
        }
      } : undefined,
    });
  } catch (error) {
    report = unknownReport(error instanceof Error ? error.message : String(error), startedAt);
  } finally {
    await Promise.all(connections.map((connection) => connection.end().catch(() => undefined)));
  }
  progress.finish('stopped');
  return printReport(report, parsed.json, io);
}

/** Prints the report (as JSON with --json) on stdout; returns the exit code of its status. */
function printReport(report: ConsistencyReport, json: boolean, io: CheckIo): number {
  io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return STATUS_CODE[report.status];
}
