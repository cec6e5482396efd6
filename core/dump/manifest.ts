/**
 * The manifest written beside every database dump, and the S3 layout of the dumps.
 *
 * Shared by the dump workflow's functions (which write it), the `backup now` command (which
 * prints where it landed) and the restore code (which reads and verifies it). Plain
 * TypeScript: no CDK and no AWS SDK imports.
 *
 * Layout, in the 48-hour bucket:
 *   daily/YYYY-MM-DD/<run id>/dump.sql.gz         the gzip-compressed output of mysqldump
 *   daily/YYYY-MM-DD/<run id>/dump.sql.gz.sha256  `<hex>  dump.sql.gz` (sha256sum format)
 *   daily/YYYY-MM-DD/<run id>/manifest.json       this manifest
 * and for the yearly copy, in the archive bucket:
 *   yearly/YYYY/YYYY-MM-DD/<run id>/...           the same three files
 * The date is the UTC date on which the dump started.
 */

/** The manifest format this code writes and reads. */
export const MANIFEST_VERSION = 1;

/** File names inside a run's prefix. */
export const DUMP_FILE_NAME = 'dump.sql.gz';
export const CHECKSUM_FILE_NAME = 'dump.sql.gz.sha256';
export const MANIFEST_FILE_NAME = 'manifest.json';

/**
 * The S3 user metadata key (`x-amz-meta-created-at`) under which a manifest object also carries
 * its `createdAt`: HEAD reads it in any storage class, and replication copies it, so the
 * yearly archive's time can be checked without restoring the manifest from Deep Archive.
 */
export const MANIFEST_CREATED_AT_METADATA = 'created-at';

/** The storage tier a copy belongs to. */
export type DumpTier = 'daily' | 'yearly';

/** The server the dump was taken from (the replica). */
export interface DumpSource {
  /** Host name the dump connected to. */
  readonly host: string;
  /** `mysql` or `mariadb`, from `@@version` / `@@version_comment`. */
  readonly engine: string;
  /** `@@version` of the server. */
  readonly serverVersion: string;
  /**
   * The replica's executed GTID set, read before the dump: `@@gtid_executed` on MySQL
   * (`uuid:1-42,...`), `@@gtid_current_pos` on MariaDB (`0-1-42`). The position of the
   * dumped data only when `replicationPaused` is true; otherwise the dump holds this
   * position or a later one. Empty when the server does not use GTIDs.
   */
  readonly gtidPosition: string;
  /**
   * How far the replica was behind its master (`Seconds_Behind_Master`, whole seconds) when
   * the run checked it, moments before the pause (before the dump when replication was not
   * paused): the dumped data is about this much older than the master's at that time. The run
   * refuses a lag above `maxReplicaLag`. Absent in manifests written before it was recorded.
   */
  readonly lagSeconds?: number;
}

/**
 * One table of the dump, counted and checksummed on the replica after the dump: the dumped
 * data when the manifest's `replicationPaused` is true, the replica at a later time otherwise.
 */
export interface TableManifestEntry {
  readonly schema: string;
  readonly table: string;
  /** Row count. */
  readonly rows: number;
  /** The checksum from `core/consistency/table-checksum.ts` `tableChecksum()`. */
  readonly checksum: string;
  readonly hasPrimaryKey: boolean;
}

/** One object of the run, in the same bucket as the manifest. */
export interface DumpFile {
  /** Full object key. */
  readonly key: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** Lower-case hex SHA-256 of the object's bytes. */
  readonly sha256: string;
}

/** The manifest of one dump run (`manifest.json`). */
export interface DumpManifest {
  readonly version: 1;
  /** The run id (the Step Functions execution name, or one made by `newRunId`). */
  readonly runId: string;
  /** `daily` in the 48-hour bucket, `yearly` in the archive bucket. */
  readonly tier: DumpTier;
  /** ISO 8601 UTC time at which the GTID position was recorded, just before the dump started. */
  readonly createdAt: string;
  readonly source: DumpSource;
  /**
   * True when replication was stopped for the whole dump window, so that the GTID
   * position, row counts and checksums describe exactly the data in the dump. When false
   * they were read before (GTID) and after (tables) the dump while the replica kept
   * applying changes: neither row counts nor checksums are those of the dump.
   */
  readonly replicationPaused: boolean;
  /**
   * Present when the dump user's grants could not all be read: the dump may lack what the
   * user could not see (databases, triggers, routines), and these notes say what.
   */
  readonly completenessNotes?: string[];
  /** The databases in the dump, sorted. */
  readonly databases: string[];
  /** Every base table of those databases, sorted by schema then table. */
  readonly tables: TableManifestEntry[];
  /** The dump and its checksum file (the manifest does not list itself). */
  readonly files: DumpFile[];
}

/** A manifest that does not match the format, with the JSON path of the first problem. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** True when `runId` is a valid run id: letters, digits, `.`, `_`, `-`, 1 to 80 characters. */
export function isValidRunId(runId: string): boolean {
  return RUN_ID.test(runId);
}

/** A run id from a time and a random suffix, e.g. `20261121T235300Z-3f9a1c`. */
export function newRunId(now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0x1000000).toString(16).padStart(6, '0');
  return `${stamp}-${suffix}`;
}

function utcDate(date: Date): string {
  if (Number.isNaN(date.getTime())) {
    throw new ManifestError('dump date is not a valid date');
  }
  return date.toISOString().slice(0, 10);
}

function checkRunId(runId: string): void {
  if (!isValidRunId(runId)) {
    throw new ManifestError(`run id must be 1 to 80 letters, digits, '.', '_' or '-' starting with a letter or digit, got '${runId}'`);
  }
}

/** The prefix (ending in `/`) of a run in the 48-hour bucket: `daily/YYYY-MM-DD/<run id>/`. */
export function dailyPrefix(date: Date, runId: string): string {
  checkRunId(runId);
  return `daily/${utcDate(date)}/${runId}/`;
}

/** The prefix (ending in `/`) of a run's copy in the archive bucket: `yearly/YYYY/YYYY-MM-DD/<run id>/`. */
export function yearlyPrefix(date: Date, runId: string): string {
  checkRunId(runId);
  const day = utcDate(date);
  return `yearly/${day.slice(0, 4)}/${day}/${runId}/`;
}

/** The prefix of a run in the given tier. */
export function runPrefix(tier: DumpTier, date: Date, runId: string): string {
  return tier === 'daily' ? dailyPrefix(date, runId) : yearlyPrefix(date, runId);
}

/** The three object keys of a run under `prefix` (which must end in `/`). */
export interface RunKeys {
  readonly dump: string;
  readonly checksum: string;
  readonly manifest: string;
}

/** The keys of the dump, its checksum file and the manifest under a run's prefix. */
export function runKeys(prefix: string): RunKeys {
  if (!prefix.endsWith('/')) {
    throw new ManifestError(`a run prefix must end in '/', got '${prefix}'`);
  }
  return { dump: prefix + DUMP_FILE_NAME, checksum: prefix + CHECKSUM_FILE_NAME, manifest: prefix + MANIFEST_FILE_NAME };
}

/** What an object key says about its run. */
export interface ParsedRunKey {
  readonly tier: DumpTier;
  /** `YYYY-MM-DD`, the UTC date the dump started. */
  readonly date: string;
  readonly runId: string;
  /** The run's prefix, ending in `/`. */
  readonly prefix: string;
  /** The file name after the prefix (e.g. `manifest.json`). */
  readonly fileName: string;
}

const DAILY_KEY = /^daily\/(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9][A-Za-z0-9._-]{0,79})\/([^/]+)$/;
const YEARLY_KEY = /^yearly\/(\d{4})\/(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9][A-Za-z0-9._-]{0,79})\/([^/]+)$/;

/** Parses a key of the layout above; undefined for any other key. */
export function parseRunKey(key: string): ParsedRunKey | undefined {
  const daily = DAILY_KEY.exec(key);
  if (daily) {
    return { tier: 'daily', date: daily[1], runId: daily[2], prefix: `daily/${daily[1]}/${daily[2]}/`, fileName: daily[3] };
  }
  const yearly = YEARLY_KEY.exec(key);
  if (yearly && yearly[2].startsWith(yearly[1])) {
    return { tier: 'yearly', date: yearly[2], runId: yearly[3], prefix: `yearly/${yearly[1]}/${yearly[2]}/${yearly[3]}/`, fileName: yearly[4] };
  }
  return undefined;
}

/**
 * The manifests among a listing of keys, newest first (by date, then run id, which starts
 * with a timestamp when made by `newRunId` or by the dump workflow).
 */
export function manifestKeysNewestFirst(keys: string[]): ParsedRunKey[] {
  return keys
    .map(parseRunKey)
    .filter((parsed): parsed is ParsedRunKey => parsed !== undefined && parsed.fileName === MANIFEST_FILE_NAME)
    .sort((a, b) => (a.date === b.date ? b.runId.localeCompare(a.runId) : b.date.localeCompare(a.date)));
}

/** The content of `dump.sql.gz.sha256`, in the format `sha256sum -c` reads. */
export function checksumFileContent(sha256: string, fileName: string = DUMP_FILE_NAME): string {
  if (!SHA256.test(sha256)) {
    throw new ManifestError(`a SHA-256 must be 64 lower-case hex digits, got '${sha256}'`);
  }
  return `${sha256}  ${fileName}\n`;
}

/** The hex digest in a `sha256sum` line (`<hex>  <name>` or `<hex> *<name>`). */
export function parseChecksumFile(content: string): string {
  const match = /^([0-9a-fA-F]{64})[ \t]+\*?\S+\s*$/.exec(content.trim());
  if (!match) {
    throw new ManifestError(`not a sha256sum line: '${content.trim().slice(0, 100)}'`);
  }
  return match[1].toLowerCase();
}

// ---- validation -----------------------------------------------------------------------

function fail(path: string, expected: string, value: unknown): never {
  const shown = value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 80);
  throw new ManifestError(`manifest${path}: expected ${expected}, got ${shown}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(object: Record<string, unknown>, key: string, path: string, options: { nonEmpty?: boolean; pattern?: RegExp; what?: string } = {}): string {
  const value = object[key];
  if (typeof value !== 'string' || (options.nonEmpty && value.length === 0) || (options.pattern && !options.pattern.test(value))) {
    fail(`${path}.${key}`, options.what ?? (options.nonEmpty ? 'a non-empty string' : 'a string'), value);
  }
  return value;
}

function count(object: Record<string, unknown>, key: string, path: string): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`${path}.${key}`, 'a whole number of 0 or more', value);
  }
  return value;
}

function bool(object: Record<string, unknown>, key: string, path: string): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') {
    fail(`${path}.${key}`, 'true or false', value);
  }
  return value;
}

function list(object: Record<string, unknown>, key: string, path: string): unknown[] {
  const value = object[key];
  if (!Array.isArray(value)) {
    fail(`${path}.${key}`, 'an array', value);
  }
  return value;
}

/**
 * Checks that `value` (parsed JSON) is a valid manifest and returns it typed. Throws a
 * `ManifestError` naming the first field that is wrong. Unknown extra fields are dropped.
 */
export function validateManifest(value: unknown): DumpManifest {
  if (!isObject(value)) {
    fail('', 'an object', value);
  }
  if (value.version !== MANIFEST_VERSION) {
    fail('.version', `${MANIFEST_VERSION} (this code reads manifest version ${MANIFEST_VERSION} only)`, value.version);
  }
  const runId = str(value, 'runId', '', { pattern: RUN_ID, what: 'a run id (letters, digits, ., _, -)' });
  const tier = value.tier;
  if (tier !== 'daily' && tier !== 'yearly') {
    fail('.tier', "'daily' or 'yearly'", tier);
  }
  const createdAt = str(value, 'createdAt', '', { pattern: ISO_UTC, what: 'an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)' });
  if (Number.isNaN(Date.parse(createdAt))) {
    fail('.createdAt', 'a valid time', createdAt);
  }
  if (!isObject(value.source)) {
    fail('.source', 'an object', value.source);
  }
  const source: DumpSource = {
    host: str(value.source, 'host', '.source', { nonEmpty: true }),
    engine: str(value.source, 'engine', '.source', { nonEmpty: true }),
    serverVersion: str(value.source, 'serverVersion', '.source', { nonEmpty: true }),
    gtidPosition: str(value.source, 'gtidPosition', '.source'),
    ...(value.source.lagSeconds === undefined ? {} : { lagSeconds: count(value.source, 'lagSeconds', '.source') }),
  };
  const replicationPaused = bool(value, 'replicationPaused', '');
  const completenessNotes = value.completenessNotes === undefined ? undefined : list(value, 'completenessNotes', '').map((note, i) => {
    if (typeof note !== 'string' || note.length === 0) {
      fail(`.completenessNotes[${i}]`, 'a note', note);
    }
    return note;
  });
  const databases = list(value, 'databases', '').map((database, i) => {
    if (typeof database !== 'string' || database.length === 0) {
      fail(`.databases[${i}]`, 'a database name', database);
    }
    return database;
  });
  const tables = list(value, 'tables', '').map((entry, i): TableManifestEntry => {
    const path = `.tables[${i}]`;
    if (!isObject(entry)) {
      fail(path, 'an object', entry);
    }
    const schema = str(entry, 'schema', path, { nonEmpty: true });
    if (!databases.includes(schema)) {
      fail(`${path}.schema`, `one of the manifest's databases (${databases.join(', ')})`, schema);
    }
    return {
      schema,
      table: str(entry, 'table', path, { nonEmpty: true }),
      rows: count(entry, 'rows', path),
      checksum: str(entry, 'checksum', path, { nonEmpty: true }),
      hasPrimaryKey: bool(entry, 'hasPrimaryKey', path),
    };
  });
  const seen = new Set<string>();
  tables.forEach((entry, i) => {
    const name = `${entry.schema}.${entry.table}`;
    if (seen.has(name)) {
      fail(`.tables[${i}]`, 'each table once', name);
    }
    seen.add(name);
  });
  const files = list(value, 'files', '').map((entry, i): DumpFile => {
    const path = `.files[${i}]`;
    if (!isObject(entry)) {
      fail(path, 'an object', entry);
    }
    return {
      key: str(entry, 'key', path, { nonEmpty: true }),
      bytes: count(entry, 'bytes', path),
      sha256: str(entry, 'sha256', path, { pattern: SHA256, what: '64 lower-case hex digits' }),
    };
  });
  if (!files.some((file) => file.key.endsWith(`/${DUMP_FILE_NAME}`) || file.key === DUMP_FILE_NAME)) {
    fail('.files', `an entry for ${DUMP_FILE_NAME}`, files.map((file) => file.key));
  }
  return { version: MANIFEST_VERSION, runId, tier, createdAt, source, replicationPaused, ...(completenessNotes ? { completenessNotes } : {}), databases, tables, files };
}

/** Parses and validates the text of a `manifest.json`. */
export function parseManifest(text: string): DumpManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`manifest is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return validateManifest(parsed);
}

/** The text of a `manifest.json` (validated first, pretty-printed, ending with a newline). */
export function serializeManifest(manifest: DumpManifest): string {
  return `${JSON.stringify(validateManifest(manifest), null, 2)}\n`;
}

/** The manifest's entry for the dump file. */
export function dumpFileOf(manifest: DumpManifest): DumpFile {
  const file = manifest.files.find((entry) => entry.key.endsWith(`/${DUMP_FILE_NAME}`) || entry.key === DUMP_FILE_NAME);
  if (!file) {
    throw new ManifestError(`manifest of run ${manifest.runId} lists no ${DUMP_FILE_NAME}`);
  }
  return file;
}
