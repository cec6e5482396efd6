/**
 * The steps of the dump workflow that run in Lambda. Each takes its connection and
 * clients as arguments so that tests run them against a real server and mocked AWS APIs.
 *
 * prepare -> inspect -> (ECS task: dump-database.sh, then upload-dump.sh into the 48-hour bucket) -> finalize
 * (verifies, copies a yearly run into the archive bucket) -> resume
 * `prepare` changes nothing on the replica; `inspect` pauses replication (when configured),
 * and `resume` runs on every failure path from `inspect` on: an `inspect` that crashes or
 * times out after the pause cannot start replication again itself. The one exception is an
 * `inspect` that finds replication already stopped (`ReplicationStoppedElsewhere`): it paused
 * nothing, and starting replication would override whoever stopped it.
 */
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Connection } from 'mysql2/promise';
import { readTableDefinition, listTables } from '../../core/consistency/schema';
import { tableChecksum } from '../../core/consistency/table-checksum';
import {
  DumpManifest, DumpSource, DumpTier, MANIFEST_CREATED_AT_METADATA, MANIFEST_FILE_NAME, RunKeys, runKeys, serializeManifest, TableManifestEntry, dailyPrefix, yearlyPrefix,
  isValidRunId,
} from '../../core/dump/manifest';
import { copyVerifiedDump, CopyLimits, DEFAULT_COPY_LIMITS, ExistingObjectDiffers, putArchiveObject, putVerifiedText } from '../../core/dump/archive-copy';
import { verifyDumpObject } from '../../core/dump/objects';
import { checkEventDelimiters } from '../../core/dump/event-delimiters';
import { checkDumpPrivileges } from '../../core/dump/privileges';
import {
  checkReplicaCurrent, listDumpDatabases, pauseReplication, readAppliedPosition, readSource, replicationApplying, ReplicationStoppedElsewhere,
  resumeReplication,
} from '../../core/dump/source';
import type { DumpSettings } from './settings';

/** Input of `prepare`: the workflow passes its execution name. */
export interface PrepareEvent {
  readonly action: 'prepare';
  /** The Step Functions execution name; the run id is made from it. */
  readonly executionName: string;
  /** Copy this run to the archive bucket even when this year already has a copy. */
  readonly forceYearly?: boolean;
}

/** Which run this is and where its files go. */
export interface RunPlace {
  readonly runId: string;
  readonly createdAt: string;
  readonly dailyBucket: string;
  readonly dailyPrefix: string;
  /** Empty when this run is not copied to the archive bucket. */
  readonly archiveBucket: string;
  readonly archivePrefix: string;
  /**
   * The execution input's `forceYearly`: the copy is made although the year has one. When false,
   * `finalize` looks again before copying and makes none when another run copied the year since.
   * Absent in a run that an earlier version prepared (in flight across a deploy), which may have
   * been forced and whose workflow reports Prepare's archive prefix as the copy's: it copies, as
   * that version did with every copy its Prepare planned.
   */
  readonly forceYearly?: boolean;
}

/** What `prepare` decides before anything on the replica changes; `inspect` carries it out. */
export interface PlannedRun extends RunPlace {
  /** `inspect` pauses replication: from there on, every failure path resumes it. */
  readonly pauseReplication: boolean;
  /** How far the replica was behind its master (seconds) when the check read it. */
  readonly lagSeconds: number;
}

export interface InspectEvent {
  readonly action: 'inspect';
  readonly plan: PlannedRun;
}

/** What `inspect` hands to the dump task and to `finalize`. */
export interface PreparedRun extends RunPlace {
  /** Space-separated, as the dump script reads them. */
  readonly databases: string;
  readonly replicationPaused: boolean;
  readonly source: DumpSource;
  /** `readAppliedPosition` at the pause; empty when it could not be read. */
  readonly appliedPosition: string;
  /** Why the dump may be incomplete although nothing was found missing (grants that could not be read). */
  readonly completenessNotes?: string[];
}

/** One container of the finished ECS task, as RunTask `.sync` returns it. */
export interface TaskContainer {
  readonly Name?: string;
  readonly ExitCode?: number;
  readonly Reason?: string;
}

export interface FinalizeEvent {
  readonly action: 'finalize';
  readonly run: PreparedRun;
  readonly containers?: TaskContainer[];
}

/** Where the copies of a run landed. */
export interface FinalizedRun {
  readonly runId: string;
  readonly dailyManifest: string;
  /** Empty when the run was not copied to the archive bucket. */
  readonly archiveManifest: string;
  /** `s3://` bucket and prefix of the run's archive copy; empty when none was made. */
  readonly archiveBucket: string;
  readonly archivePrefix: string;
  /** Why a run planned as the year's copy made none (another run copied the year since its Prepare); '' otherwise. */
  readonly archiveCopySkipped: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly tables: number;
  readonly gtidPosition: string;
  /** What the manifests record: false when the run paused replication but found it applying again after the checksums. */
  readonly replicationPaused: boolean;
}

export interface ResumeEvent {
  readonly action: 'resume';
  /** `PreparedRun.replicationPaused`: replication is started again only when this run stopped it. */
  readonly replicationPaused?: boolean;
}

export type DumpEvent = PrepareEvent | InspectEvent | FinalizeEvent | ResumeEvent;

/** `<UTC timestamp>-<execution name>`, cut to a valid run id, so that run ids sort by time. */
export function runIdFor(executionName: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const name = executionName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60);
  const runId = name ? `${stamp}-${name}` : stamp;
  if (!isValidRunId(runId)) {
    throw new Error(`cannot make a run id from execution name '${executionName}'`);
  }
  return runId;
}

/** True when the archive bucket holds no yearly manifest for the year yet. */
export async function yearNeedsArchiveCopy(s3: S3Client, bucket: string, year: string): Promise<boolean> {
  return (await findYearlyManifest(s3, bucket, year)) === undefined;
}

/** The key of a yearly manifest of the year in the archive bucket, other than one under `exceptPrefix`; undefined when there is none. */
export async function findYearlyManifest(s3: S3Client, bucket: string, year: string, exceptPrefix?: string): Promise<string | undefined> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `yearly/${year}/`, ContinuationToken: token }));
    const found = (page.Contents ?? []).find((object) => object.Key?.endsWith(`/${MANIFEST_FILE_NAME}`) && !(exceptPrefix && object.Key.startsWith(exceptPrefix)));
    if (found) {
      return found.Key;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return undefined;
}

/**
 * Why a yearly run makes no copy after all, or '' when it makes it: another run's yearly
 * manifest of the year landed since this run's Prepare (two runs that overlap, such as a
 * `backup now` during the scheduled run, both planned the year's copy). A run started with
 * `forceYearly` always copies, and so does one prepared by an earlier version, which recorded no
 * `forceYearly` (`RunPlace.forceYearly`); so does one whose earlier attempt already locked objects
 * under its own prefix (a retried Finalize): its copy is finished rather than left without a manifest.
 *
 * This narrows the window, it does not close it: a Finalize that looks while another run is
 * still copying (from that run's own look to its manifest, up to the function's 15 minutes)
 * finds no manifest and copies too, and both copies stay locked. Nothing here is a lock.
 */
async function yearAlreadyCopied(s3: S3Client, run: PreparedRun): Promise<string> {
  if (run.forceYearly !== false) {
    return '';
  }
  const year = String(new Date(run.createdAt).getUTCFullYear());
  const other = await findYearlyManifest(s3, run.archiveBucket, year, run.archivePrefix);
  if (other === undefined) {
    return '';
  }
  const own = await s3.send(new ListObjectsV2Command({ Bucket: run.archiveBucket, Prefix: run.archivePrefix, MaxKeys: 1 }));
  if ((own.Contents ?? []).length > 0) {
    console.warn(`dump run ${run.runId}: the archive bucket already holds this year's copy (s3://${run.archiveBucket}/${other}), `
      + `but an earlier attempt of this run locked objects under s3://${run.archiveBucket}/${run.archivePrefix}: finishing this run's copy too`);
    return '';
  }
  return `the archive bucket already holds this year's copy (s3://${run.archiveBucket}/${other}), made by another run since this run's Prepare; this run made no yearly copy`;
}

/**
 * Refuses a replica that is not current (`checkReplicaCurrent`, whose lag reading the run
 * records) and a dump user that lacks privileges a complete dump needs, and decides whether
 * this run is the year's archive copy (the first successful run of each UTC year, or any run
 * started with `forceYearly`, which a job without an archive bucket refuses). Changes nothing on the replica: a failure or a timeout here
 * (the S3 listing may hang) leaves nothing to resume.
 */
export async function prepare(connection: Connection, s3: S3Client, settings: DumpSettings, event: PrepareEvent, now: Date = new Date()): Promise<PlannedRun> {
  const runId = runIdFor(event.executionName, now);
  // Read as `=== true`, a string "true" typed into the console's input would make the run skip the copy it asked for.
  if (event.forceYearly !== undefined && typeof event.forceYearly !== 'boolean') {
    throw new Error(`dump run ${runId}: the execution input's forceYearly must be true or false (a JSON boolean), got ${JSON.stringify(event.forceYearly)}`);
  }
  // Asked for explicitly, a copy that cannot be made is an error; the automatic first-of-the-year copy is simply not made.
  if (event.forceYearly === true && settings.archiveBucket === undefined) {
    throw new Error(`dump run ${runId}: the execution input asks for a yearly copy (forceYearly true), but this dump job has no archive bucket `
      + "(DatabaseDumpJob's archiveBucket is not set, so the function's ARCHIVE_BUCKET is empty); nothing was dumped: start the run without forceYearly, or give the job an archiveBucket");
  }
  try {
    const lagSeconds = await checkReplicaCurrent(connection, settings.maxReplicaLagSeconds);
    // A user that cannot dump everything, and an event the dump program would hang on, are
    // refused here, before the pause; Inspect checks again on the databases it lists at the paused point.
    const databases = await listDumpDatabases(connection, settings.databases);
    await checkDumpPrivileges(connection, databases, settings.databases.length === 0);
    await checkEventDelimiters(connection, databases);
    const year = String(now.getUTCFullYear());
    const archive = settings.archiveBucket !== undefined && (event.forceYearly === true || await yearNeedsArchiveCopy(s3, settings.archiveBucket, year));
    return {
      runId,
      createdAt: now.toISOString(),
      dailyBucket: settings.dailyBucket,
      dailyPrefix: dailyPrefix(now, runId),
      archiveBucket: archive ? settings.archiveBucket! : '',
      archivePrefix: archive ? yearlyPrefix(now, runId) : '',
      forceYearly: event.forceYearly === true,
      pauseReplication: settings.pauseReplication,
      lagSeconds,
    };
  } catch (error) {
    throw new Error(`dump run ${runId}: prepare failed on ${settings.dbHost}: ${messageOf(error)}`);
  }
}

/**
 * Pauses replication when the plan says so (the pause refuses a replica whose IO thread does
 * not run) and checks that it stopped, or else checks again that the replica is current
 * (`checkReplicaCurrent`, whose lag the run then records); then records the
 * GTID position, the applier's position and the databases at that point (a database that
 * reached the replica just before the pause is in the list). Does not start replication
 * again when it fails: the workflow's ResumeAfterFailure does, for a failure here as for a
 * crash or a timeout, which no code of this function would outlive. A replication found
 * stopped before the pause (stopped by someone else since `prepare` checked it) fails with
 * `ReplicationStoppedElsewhere`, which the workflow does not resume.
 */
export async function inspect(connection: Connection, settings: DumpSettings, event: InspectEvent): Promise<PreparedRun> {
  const { plan } = event;
  try {
    // Without a pause, Prepare's check is made again where the dump starts: a replica that
    // stopped receiving since (IO thread stopped, master out of reach) would be dumped stale.
    const lagSeconds = plan.pauseReplication ? plan.lagSeconds : await checkReplicaCurrent(connection, settings.maxReplicaLagSeconds);
    if (plan.pauseReplication) {
      await pauseReplication(connection, settings.replicationControl);
    }
    const source = await readSource(connection, settings.dbHost);
    const appliedPosition = await readAppliedPosition(connection);
    const databases = await listDumpDatabases(connection, settings.databases);
    const completenessNotes = await checkDumpPrivileges(connection, databases, settings.databases.length === 0);
    await checkEventDelimiters(connection, databases);
    return {
      runId: plan.runId,
      createdAt: plan.createdAt,
      dailyBucket: plan.dailyBucket,
      dailyPrefix: plan.dailyPrefix,
      archiveBucket: plan.archiveBucket,
      archivePrefix: plan.archivePrefix,
      ...(plan.forceYearly === undefined ? {} : { forceYearly: plan.forceYearly === true }),
      databases: databases.join(' '),
      replicationPaused: plan.pauseReplication,
      source: { ...source, lagSeconds },
      appliedPosition: appliedPosition ?? '',
      ...(completenessNotes.length > 0 ? { completenessNotes } : {}),
    };
  } catch (error) {
    const message = `dump run ${plan.runId}: inspect failed on ${settings.dbHost}: ${messageOf(error)}`;
    // Its name tells the workflow not to resume: this run did not stop replication.
    throw error instanceof ReplicationStoppedElsewhere ? new ReplicationStoppedElsewhere(message) : new Error(message);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Row counts and checksums of every base table of the dumped databases, taken on the
 * replica after the dump: those of the dumped data only when the run paused replication.
 */
export async function checksumTables(connection: Connection, databases: readonly string[]): Promise<TableManifestEntry[]> {
  const entries: TableManifestEntry[] = [];
  for (const { schema, table } of await listTables(connection, databases)) {
    const definition = await readTableDefinition(connection, schema, table);
    const checksum = await tableChecksum(connection, schema, table);
    entries.push({ schema, table, rows: checksum.rows, checksum: checksum.checksum, hasPrimaryKey: definition.primaryKey.length > 0 });
  }
  return entries.sort((a, b) => (a.schema === b.schema ? a.table.localeCompare(b.table) : a.schema.localeCompare(b.schema)));
}

/** The containers of the dump task; each must have run to exit code 0. */
const TASK_CONTAINERS = ['dump', 'upload'];

function checkContainers(runId: string, containers: TaskContainer[] | undefined): void {
  for (const container of containers ?? []) {
    if (container.ExitCode !== 0) {
      const reason = container.Reason ? ` (${container.Reason})` : '';
      throw new Error(`dump run ${runId}: container '${container.Name ?? '?'}' exited with ${container.ExitCode ?? 'no exit code'}${reason}`);
    }
  }
  const missing = TASK_CONTAINERS.filter((name) => !(containers ?? []).some((container) => container.Name === name));
  if (missing.length > 0) {
    throw new Error(`dump run ${runId}: the task reports no container ${missing.map((name) => `'${name}'`).join(' or ')}, so whether it exited with 0 is unknown`);
  }
}

/**
 * Why the replica may not have stood still from the pause to the last checksum, or '' when
 * it did. The manifest may claim the dump's data only then: replication started again
 * meanwhile (by hand, by an operator's script) makes the dump and the checksums those of
 * different points, also when it was stopped again before now. The applier's position and
 * the GTID position move with every change it applied, the GTID position also with a write
 * made on the replica itself; a start and stop that applied nothing left the data as it was.
 */
async function movedSincePause(connection: Connection, run: PreparedRun): Promise<string> {
  if ((await replicationApplying(connection)) !== false) {
    return 'replication was applying changes again before the table checksums were done';
  }
  const applied = await readAppliedPosition(connection);
  if (!run.appliedPosition || applied === undefined) {
    return 'the replica\'s applier position could not be read at the pause or now, so whether replication stayed paused is unknown';
  }
  if (applied !== run.appliedPosition) {
    return `the replica applied changes during the dump window (replication was started and stopped again): its applier moved from ${run.appliedPosition} to ${applied}`;
  }
  const { gtidPosition } = await readSource(connection, run.source.host);
  if (gtidPosition !== run.source.gtidPosition) {
    return `the replica's GTID position moved during the dump window from '${run.source.gtidPosition}' to '${gtidPosition}'`;
  }
  return '';
}

/**
 * Verifies the uploaded daily dump against its `.sha256` file (from the stored bytes), takes
 * the table checksums and writes the daily `manifest.json`. On a yearly run it then looks again
 * whether another run copied the year since Prepare (`yearAlreadyCopied`: then it copies nothing,
 * and `archiveCopySkipped` says why), else copies the verified dump and its `.sha256` file into the archive bucket (`copyVerifiedDump`: nothing
 * lands there unless every copied part matches the verified read) and writes the yearly
 * manifest: the archive bucket, whose Object Lock keeps what lands forever, only ever receives
 * a verified dump, and no dump that failed verification or a task that failed.
 */
export async function finalize(connection: Connection, s3: S3Client, event: FinalizeEvent, copyLimits: CopyLimits = DEFAULT_COPY_LIMITS): Promise<FinalizedRun> {
  const { run } = event;
  checkContainers(run.runId, event.containers);
  const databases = run.databases.split(' ').filter((name) => name.length > 0);
  const archive = run.archiveBucket && run.archivePrefix ? { bucket: run.archiveBucket, keys: runKeys(run.archivePrefix) } : undefined;
  const dailyKeys = runKeys(run.dailyPrefix);
  // A yearly run hashes the parts of the copy in the same read, to check the copy against them.
  const verified = await verifyDumpObject(s3, run.dailyBucket, dailyKeys.dump, dailyKeys.checksum, archive ? copyLimits.partBytes : undefined);
  const tables = await checksumTables(connection, databases);
  const moved = run.replicationPaused ? await movedSincePause(connection, run) : '';
  const stayedPaused = run.replicationPaused && moved === '';
  if (moved) {
    console.warn(`dump run ${run.runId}: ${moved}; the manifest records replicationPaused false`);
  }
  const writeManifest = async (tier: DumpTier, bucket: string, keys: RunKeys): Promise<string> => {
    const manifest: DumpManifest = {
      version: 1,
      runId: run.runId,
      tier,
      createdAt: run.createdAt,
      source: run.source,
      replicationPaused: stayedPaused,
      ...(run.completenessNotes && run.completenessNotes.length > 0 ? { completenessNotes: run.completenessNotes } : {}),
      databases,
      tables,
      files: [
        { key: keys.dump, bytes: verified.dump.bytes, sha256: verified.dump.sha256 },
        { key: keys.checksum, bytes: verified.checksum.bytes, sha256: verified.checksum.sha256 },
      ],
    };
    const body = serializeManifest(manifest);
    const metadata = { [MANIFEST_CREATED_AT_METADATA]: run.createdAt };
    if (tier === 'yearly') {
      // Written once, as the copy and its .sha256 file: a Finalize run again adds no locked version.
      try {
        await putArchiveObject(s3, bucket, keys.manifest, body, { contentType: 'application/json', metadata });
      } catch (error) {
        if (!(error instanceof ExistingObjectDiffers)) {
          throw error;
        }
        // An earlier attempt of this run wrote it, after the same copy: locked, it stays the manifest
        // (without pauseReplication, its table checksums are those of that attempt's time).
        console.warn(`dump run ${run.runId}: kept the yearly manifest an earlier attempt wrote: ${error.message}`);
      }
    } else {
      await s3.send(new PutObjectCommand({
        Bucket: bucket,
        Key: keys.manifest,
        Body: body,
        ContentType: 'application/json',
        Metadata: metadata,
        // Object Lock buckets require a checksum on every write.
        ChecksumAlgorithm: 'SHA256',
      }));
    }
    return `s3://${bucket}/${keys.manifest}`;
  };
  // The daily copy is usable from here on, also when the yearly copy fails below.
  const dailyManifest = await writeManifest('daily', run.dailyBucket, dailyKeys);
  let archiveManifest = '';
  let archiveCopySkipped = '';
  if (archive) {
    try {
      // Prepare decided this run is the year's copy, maybe an hour or more ago: look again just before copying.
      archiveCopySkipped = await yearAlreadyCopied(s3, run);
    } catch (error) {
      throw new Error(`dump run ${run.runId}: the daily copy is verified and its manifest written (${dailyManifest}), but whether another run copied the year since Prepare is unknown `
        + `(listing s3://${archive.bucket}/yearly/ failed: ${messageOf(error)}); no yearly copy was made`);
    }
    if (archiveCopySkipped) {
      console.warn(`dump run ${run.runId}: ${archiveCopySkipped}`);
    }
  }
  if (archive && !archiveCopySkipped) {
    try {
      await copyVerifiedDump(s3, { bucket: run.dailyBucket, key: dailyKeys.dump, ...verified.dump }, archive.bucket, archive.keys.dump, copyLimits);
      await putVerifiedText(s3, archive.bucket, archive.keys.checksum, verified.checksumText);
    } catch (error) {
      throw new Error(`dump run ${run.runId}: the daily copy is verified and its manifest written (${dailyManifest}), but the yearly copy failed: ${messageOf(error)}`);
    }
    archiveManifest = await writeManifest('yearly', archive.bucket, archive.keys);
  }
  return {
    runId: run.runId,
    dailyManifest,
    archiveManifest,
    archiveBucket: archiveManifest ? run.archiveBucket : '',
    archivePrefix: archiveManifest ? run.archivePrefix : '',
    archiveCopySkipped,
    bytes: verified.dump.bytes,
    sha256: verified.dump.sha256,
    tables: tables.length,
    gtidPosition: run.source.gtidPosition,
    replicationPaused: stayedPaused,
  };
}

/**
 * Starts replication again when this run paused it (or was about to: `inspect` may have
 * stopped it before failing); a no-op otherwise (a replication stopped by someone else stays
 * stopped). Harmless when replication already runs. A channel someone else stopped during the
 * dump window (control `sql`, see `resumeReplication`) is left stopped and fails the step with
 * `ReplicationStoppedElsewhere`, which the workflow does not retry.
 */
export async function resume(connection: Connection, settings: DumpSettings, event: ResumeEvent): Promise<{ resumed: boolean }> {
  if (event.replicationPaused !== true) {
    return { resumed: false };
  }
  try {
    await resumeReplication(connection, settings.replicationControl);
  } catch (error) {
    const message = `resuming replication on ${settings.dbHost} failed: ${messageOf(error)}`;
    // Its name tells the workflow not to retry: a retry would find the same channels stopped.
    throw error instanceof ReplicationStoppedElsewhere ? new ReplicationStoppedElsewhere(message) : new Error(message);
  }
  return { resumed: true };
}
