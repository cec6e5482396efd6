/**
 * The steps of the S3 object restore workflow.
 *
 * Point in time ("shadow copy"): for every key under a prefix, the newest version at or
 * before the chosen time is copied to a NEW prefix (by default `restored/<time>/<prefix>`
 * in the same bucket) or, only with `confirm`, back over the same prefix as a new current
 * version (every older version stays). Keys that did not exist at that time, or were
 * deleted, are left alone and counted. A planning scan runs first and copies nothing.
 *
 * Archive: objects under a prefix in Glacier / Deep Archive are restored (`RestoreObject`),
 * waited for (the `Restore` header of `HeadObject`) and copied to a new prefix as STANDARD.
 *
 * Every copy carries the tag `cdk-backup-dr:restore-execution=<execution>` (with the
 * source's own tags); cleanup deletes only object versions carrying its own execution's tag.
 * Scans and copies run page by page with a cursor, so a prefix of any size is worked through
 * by repeated invocations.
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectTaggingCommand,
  HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, ListObjectsV2Command, ListPartsCommand, RestoreObjectCommand, S3Client, Tag, Tier, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { SHELL_WORD_PATTERN, shellWord } from '../shell-word';
import { ZONED_TIME_ALLOWED, isZonedIsoTime } from '../zoned-time';
import {
  EXECUTION_TAG, RestoreCheckError, RestoreInputError, errorName, errorText, optionalInteger, optionalKey, optionalString, requestIdsText, requiredString, rethrowFor,
} from './common';
import { CarriedStateBudget } from './carried-state-budget';
import { CopyProgress, StallState } from './copy-progress';
import { isTransientError } from './transient-error';

/** What the deployment fixes. */
export interface ObjectRestoreSettings {
  /** Buckets the workflow may read and restore from. */
  readonly sourceBuckets: string[];
  /** Buckets the workflow may write copies to. */
  readonly targetBuckets: string[];
  /** Minutes an archive retrieval may take before the workflow gives up. */
  readonly archiveReadyWithinMinutes: number;
}

export type ObjectRestoreMode = 'point-in-time' | 'archive';

/** What the workflow will copy where; the output of validation and of `--dry-run`. */
export interface ObjectRestorePlan {
  readonly mode: ObjectRestoreMode;
  readonly bucket: string;
  readonly prefix: string;
  /** ISO time (point-in-time). */
  readonly time?: string;
  readonly targetBucket: string;
  readonly targetPrefix: string;
  /** True when the copies become the current versions of the same keys (confirmed). */
  readonly inPlace: boolean;
  /** ISO time the execution started; cleanup considers only versions written after it. */
  readonly startedAt: string;
  /** Archive: the retrieval tier and how many days the retrieved copy stays. */
  readonly restoreTier?: string;
  readonly restoreDays?: number;
  /** ISO time after which waiting for archive retrievals fails the restore. */
  readonly readyBy?: string;
  /** The command that lists the multipart uploads under the target prefix, quoted for a POSIX shell (the state machine's own notes use it). */
  readonly listUploads: string;
}

/** Where a page-wise scan stands. */
export interface ScanCursor {
  readonly keyMarker?: string;
  readonly versionIdMarker?: string;
  /** The key whose versions the previous page ended in, and whether its version at the time was found. */
  readonly pendingKey?: string;
  readonly pendingDecided?: boolean;
  readonly done: boolean;
}

/** Counts of a point-in-time scan. */
export interface ScanCounts {
  /** Keys with a version at the time (to copy, or copied). */
  readonly keys: number;
  readonly bytes: number;
  /** Keys whose newest entry at the time is a delete marker: not restored. */
  readonly deletedAtTime: number;
  /** Keys created after the time: left as they are. */
  readonly newerOnly: number;
  /** In place: keys whose current version is the one at the time (nothing to write). */
  readonly unchanged: number;
  /** The oldest version or delete marker seen (ISO), undefined when the prefix is empty. */
  readonly oldestVersion?: string;
}

/** `stalled` and `setback` (copying scan only): invocations in a row that moved nothing on, see {@link CopyProgress}. */
export interface ScanState extends StallState {
  readonly cursor: ScanCursor;
  readonly counts: ScanCounts;
  /** Multipart copies of the page that the previous invocation's deadline cut off (the next one goes on with them); kept within a budget, see {@link CarriedStateBudget}. */
  readonly uploads?: UnfinishedUploads;
  /** Keys of the page whose copy S3 refused (a single copy in place) or refused to complete (a copy in parts), in a row: see {@link REFUSED_WRITES_ALLOWED}. */
  readonly refused?: RefusedWrites;
}

/**
 * The condition a single copy is made on, and a multipart copy completed on: over the version
 * found current (If-Match with its ETag), or only while no object is current (If-None-Match: *:
 * to a new prefix, or in place over a delete marker).
 */
export type WriteCondition = { readonly IfMatch: string } | { readonly IfNoneMatch: '*' };

/** A multipart copy left open: its upload, and the condition fixed when the upload was created, which its completion is made on whichever invocation completes it. */
export interface OpenUpload {
  readonly uploadId: string;
  /** Absent for an upload created by an earlier version, which kept none: it is completed with none, as it would have been then. */
  readonly condition?: WriteCondition;
}

/** Multipart copies an invocation left unfinished at its deadline, by target key (a bare upload id: left by an earlier version, with no condition). */
export type UnfinishedUploads = Record<string, OpenUpload | string>;

/**
 * Refused writes of a key in a row (single copies, or completions of its copy in parts), by a digest of the target key (see
 * {@link refusalKey}): only keys being refused now are kept, and a digest instead of a key of up
 * to 1,024 bytes keeps the state (256 KiB) small.
 */
export type RefusedWrites = Record<string, number>;

/**
 * Refused writes of one key in a row that fail the restore (the last of them does): completions
 * of its copy in parts S3 refused (the key written, deleted, or under another write since the
 * upload was created), and single copies in place it refused, counted together. Each refused completion
 * aborts the upload and the next attempt copies every part again, which counts as progress, so
 * the stall counter never ends a restore whose key the application writes more often than its
 * copy takes: it would loop until the execution's history is full, with no failure document.
 * Single copies in place refused because the key was written or deleted since it was looked
 * at are counted the same way: their attempts copy nothing, but another key of the page copied
 * in the same invocation (or one the application writes again and again, copied over each time)
 * is progress, and the stall counter alone would at best fail the restore an hour later without
 * saying what to do. A conflict (another write under way) stays the stall counter's.
 */
export const REFUSED_WRITES_ALLOWED = 5;

const EMPTY_COUNTS: ScanCounts = { keys: 0, bytes: 0, deletedAtTime: 0, newerOnly: 0, unchanged: 0 };
/** Objects above this size are copied in parts (CopyObject copies up to 5 GiB). */
export const MULTIPART_THRESHOLD = 5 * 1024 ** 3;
const PART_SIZE = 1024 ** 3;
/**
 * How long a copy call (a part, or a single copy) still under way at an invocation's deadline
 * may go on before it is cancelled: S3 documents no time within which an UploadPartCopy of
 * 1 GiB or a CopyObject of 5 GiB ends, and the function keeps a margin longer than this after
 * its deadline. The next invocation lists the upload's parts and copies again any the cancelled
 * call did not leave whole, or makes the single copy again unless it finds it made.
 */
export const PART_OVERRUN_MS = 45_000;
/** Parts of one multipart copy copied at the same time (each object copy of a page runs beside seven others). */
const PARTS_AT_ONCE = 4;
const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);
const TIERS: readonly string[] = ['Standard', 'Bulk'];
/** How long a retrieved copy of an archived object may be kept readable. */
export const RESTORE_DAYS = { min: 1, max: 30 };

function compactTime(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** True when one prefix lies inside the other (copies would be scanned again, or land among the sources). */
function overlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

async function prefixIsEmpty(s3: S3Client, bucket: string, prefix: string): Promise<boolean> {
  try {
    const response = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
    return (response.Versions ?? []).length === 0 && (response.DeleteMarkers ?? []).length === 0;
  } catch (error) {
    rethrowFor(`s3://${bucket}/${prefix}`, error);
  }
}

/** The part of a prefix after its last `/` (empty when it ends in one). */
function partialName(prefix: string): string {
  return prefix.slice(prefix.lastIndexOf('/') + 1);
}

/**
 * A copy is named `targetPrefix` + the rest of the key after `prefix`: both must end in the
 * same partial name (after their last `/`), or names are joined or cut (`restored` + `a.txt`
 * gave `restoreda.txt`).
 */
function checkNamesStayWhole(prefix: string, targetPrefix: string): void {
  const partial = partialName(prefix);
  if (partialName(targetPrefix) === partial) {
    return;
  }
  const sample = partial === '' ? 'a.txt' : '-01';
  const allowed = partial === '' ? "end in '/'" : `end in '/${partial}' (or be '${partial}'), as \`prefix\` '${prefix}' does`;
  throw new RestoreInputError(`input \`targetPrefix\` must ${allowed}: a copy is named \`targetPrefix\` + the rest of its key after \`prefix\`, `
    + `so '${targetPrefix}' would name ${prefix}${sample} '${targetPrefix}${sample}'; got '${targetPrefix}'`);
}

/**
 * Why a target prefix in the restored bucket is refused, and what to give instead: the whole
 * bucket (an empty `prefix`) holds every prefix of it, so only another bucket can take its copies.
 */
function overlapProblem(settings: ObjectRestoreSettings, bucket: string, prefix: string, targetPrefix: string, defaultTarget: boolean): string {
  if (prefix === '') {
    return `input \`prefix\` is empty (the whole bucket s3://${bucket}/): its copies cannot go to a prefix of the same bucket, which the restore reads (the target prefix would be '${targetPrefix}'); `
      + `give a \`targetBucket\` other than '${bucket}' (this workflow writes to ${settings.targetBuckets.join(', ')}), or a \`prefix\``;
  }
  return `input \`targetPrefix\` '${targetPrefix}'${defaultTarget ? ' (the default, restored/<time>/<prefix>)' : ''} overlaps the restored prefix '${prefix}' in the same bucket; give a \`targetPrefix\` outside it`;
}

/** Checks the request; copies nothing. The oldest-version check needs the scan and happens in `planScan`. */
export async function planObjectRestore(s3: S3Client, settings: ObjectRestoreSettings, input: Record<string, unknown>, now: Date = new Date()): Promise<ObjectRestorePlan> {
  const bucket = requiredString(input, 'bucket', `one of ${settings.sourceBuckets.join(', ')}`);
  if (!settings.sourceBuckets.includes(bucket)) {
    throw new RestoreInputError(`input \`bucket\` must be one of the buckets this workflow restores (${settings.sourceBuckets.join(', ')}); got '${bucket}'`);
  }
  const prefix = optionalKey(input, 'prefix', 'a key prefix such as data/ (empty for the whole bucket)') ?? '';
  const modeInput = optionalString(input, 'mode', "'point-in-time' or 'archive'") ?? (input.time !== undefined ? 'point-in-time' : undefined);
  if (modeInput !== 'point-in-time' && modeInput !== 'archive') {
    throw new RestoreInputError(`input \`mode\` must be 'point-in-time' (with \`time\`) or 'archive'; got ${modeInput === undefined ? 'nothing' : `'${modeInput}'`}`);
  }
  const mode: ObjectRestoreMode = modeInput;
  let time: string | undefined;
  if (mode === 'point-in-time') {
    const text = requiredString(input, 'time', ZONED_TIME_ALLOWED);
    // Without a zone the time would be read in the function's zone (UTC), not the operator's.
    if (!isZonedIsoTime(text)) {
      throw new RestoreInputError(`input \`time\` must be ${ZONED_TIME_ALLOWED}; got '${text}'`);
    }
    const parsed = Date.parse(text);
    if (parsed > now.getTime()) {
      throw new RestoreInputError(`input \`time\` must not be in the future (now ${now.toISOString()}); got '${text}'`);
    }
    time = new Date(parsed).toISOString();
  }
  const targetBucket = optionalString(input, 'targetBucket', `one of ${settings.targetBuckets.join(', ')}`) ?? bucket;
  if (!settings.targetBuckets.includes(targetBucket)) {
    throw new RestoreInputError(`input \`targetBucket\` must be one of the buckets this workflow may write to (${settings.targetBuckets.join(', ')}); got '${targetBucket}'`);
  }
  const givenTargetPrefix = optionalKey(input, 'targetPrefix', 'a key prefix for the copies');
  if (givenTargetPrefix !== undefined) {
    checkNamesStayWhole(prefix, givenTargetPrefix);
  }
  const targetPrefix = givenTargetPrefix ?? `restored/${compactTime(time ?? now.toISOString())}/${prefix}`;
  const inPlace = targetBucket === bucket && targetPrefix === prefix;
  if (inPlace) {
    if (mode === 'archive') {
      throw new RestoreInputError('input `targetPrefix`: an archive restore copies to a new prefix; in place is not allowed (the archive copies stay where they are)');
    }
    const live = `s3://${bucket}/${prefix}`;
    if (input.confirm !== live) {
      throw new RestoreInputError(`restoring in place writes new current versions over the live prefix ${live}: input \`confirm\` must be exactly '${live}' to allow it (or give a new \`targetPrefix\`); got ${input.confirm === undefined ? 'nothing' : JSON.stringify(input.confirm)}`);
    }
  } else {
    if (targetBucket === bucket && overlaps(targetPrefix, prefix)) {
      throw new RestoreInputError(overlapProblem(settings, bucket, prefix, targetPrefix, givenTargetPrefix === undefined));
    }
    if (!(await prefixIsEmpty(s3, targetBucket, targetPrefix))) {
      throw new RestoreInputError(`input \`targetPrefix\`: s3://${targetBucket}/${targetPrefix} already holds objects; the workflow writes only to an empty prefix (choose another, or delete what is there)`);
    }
  }
  let restoreTier: string | undefined;
  let restoreDays: number | undefined;
  if (mode === 'archive') {
    restoreTier = optionalString(input, 'restoreTier', TIERS.join(' or ')) ?? 'Standard';
    if (!TIERS.includes(restoreTier)) {
      throw new RestoreInputError(`input \`restoreTier\` must be ${TIERS.join(' or ')} (Deep Archive: Standard within 12 hours, Bulk within 48 hours); got '${restoreTier}'`);
    }
    restoreDays = optionalInteger(input, 'restoreDays', RESTORE_DAYS.min, RESTORE_DAYS.max, 'days') ?? 3;
  }
  return {
    mode,
    bucket,
    prefix,
    time,
    targetBucket,
    targetPrefix,
    inPlace,
    startedAt: now.toISOString(),
    restoreTier,
    restoreDays,
    readyBy: mode === 'archive' ? new Date(now.getTime() + settings.archiveReadyWithinMinutes * 60_000).toISOString() : undefined,
    listUploads: listUploadsCommand(targetBucket, targetPrefix),
  };
}

/** One version or delete marker, merged from a ListObjectVersions page. */
interface Entry {
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: number;
  readonly size: number;
  readonly deleteMarker: boolean;
  /** The current version of its key. */
  readonly latest: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

async function listPage(s3: S3Client, bucket: string, prefix: string, cursor: ScanCursor, maxKeys: number) {
  try {
    const response = await s3.send(new ListObjectVersionsCommand({
      Bucket: bucket, Prefix: prefix, KeyMarker: cursor.keyMarker, VersionIdMarker: cursor.versionIdMarker, MaxKeys: maxKeys,
    }));
    const entries: Entry[] = [
      ...(response.Versions ?? []).map((v) => ({ key: v.Key!, versionId: v.VersionId ?? 'null', lastModified: new Date(v.LastModified!).getTime(), size: v.Size ?? 0, deleteMarker: false, latest: v.IsLatest === true })),
      ...(response.DeleteMarkers ?? []).map((m) => ({ key: m.Key!, versionId: m.VersionId ?? 'null', lastModified: new Date(m.LastModified!).getTime(), size: 0, deleteMarker: true, latest: m.IsLatest === true })),
    ].sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1)
      // Listed times have whole seconds: of a version and a delete marker written in the same second, the current one is the newer.
      : b.lastModified - a.lastModified || Number(b.latest) - Number(a.latest)));
    return {
      entries,
      next: response.IsTruncated ? { keyMarker: response.NextKeyMarker, versionIdMarker: response.NextVersionIdMarker } : undefined,
    };
  } catch (error) {
    rethrowFor(`listing the versions of s3://${bucket}/${prefix}`, error);
  }
}

/**
 * Walks version pages from the cursor until done or until the budget is spent (checked
 * between pages), calling `chosen` with the version of each key at the time. With
 * `stopWithinPage`, no call starts after the deadline either, and a page left unfinished is
 * not counted: the next invocation starts it again (a copy already made is skipped).
 */
async function walk(s3: S3Client, plan: ObjectRestorePlan, state: ScanState, deadline: number, maxKeys: number, chosen: (entry: Entry) => Promise<boolean>, stopWithinPage = false): Promise<ScanState> {
  const time = Date.parse(plan.time!);
  let cursor = state.cursor;
  const counts: Mutable<ScanCounts> = { ...state.counts };
  let oldest = counts.oldestVersion === undefined ? Infinity : Date.parse(counts.oldestVersion);
  let pendingKey = cursor.pendingKey;
  let decided = cursor.pendingDecided ?? false;
  while (!cursor.done) {
    const pageStart: ScanState = { cursor, counts: { ...counts } };
    const page = await listPage(s3, plan.bucket, plan.prefix, cursor, maxKeys);
    const picks: Entry[] = [];
    for (const entry of page.entries) {
      if (entry.key !== pendingKey) {
        if (pendingKey !== undefined && !decided) {
          counts.newerOnly += 1;
        }
        pendingKey = entry.key;
        decided = false;
      }
      if (entry.lastModified < oldest) {
        oldest = entry.lastModified;
        counts.oldestVersion = new Date(oldest).toISOString();
      }
      if (decided || entry.lastModified > time) {
        continue;
      }
      decided = true;
      if (entry.deleteMarker) {
        counts.deletedAtTime += 1;
      } else if (plan.inPlace && entry.latest) {
        // In place, a key unchanged since the time already is what the restore would write.
        counts.unchanged += 1;
      } else {
        counts.keys += 1;
        counts.bytes += entry.size;
        picks.push(entry);
      }
    }
    let cutOff = false;
    const started = await inParallel(picks, 8, async (entry) => {
      cutOff = !(await chosen(entry)) || cutOff;
    }, stopWithinPage ? deadline : Infinity);
    if (!started || cutOff) {
      return pageStart;
    }
    if (!page.next) {
      if (pendingKey !== undefined && !decided) {
        counts.newerOnly += 1;
      }
      cursor = { done: true };
      break;
    }
    cursor = { ...page.next, pendingKey, pendingDecided: decided, done: false };
    if (Date.now() >= deadline) {
      break;
    }
  }
  return { cursor, counts };
}

/**
 * Works through the items, `concurrency` at a time; true when every item was done. After a
 * failure, or after the deadline, no further item is started, and the work in flight is waited
 * for: a step must not go on copying after it returned (a Lambda environment resumes its
 * pending work in its next invocation, which may be cleanup). The first failure is thrown, its
 * name kept, with the messages of any others.
 */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>, deadline = Infinity): Promise<boolean> {
  let next = 0;
  const failures: unknown[] = [];
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length && failures.length === 0 && Date.now() < deadline) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
      }
    }
  });
  await Promise.all(workers);
  if (failures.length === 1) {
    throw failures[0];
  }
  if (failures.length > 1) {
    const [first, ...others] = failures;
    throw Object.assign(new Error(combinedFailureText(errorText(first), others.map(errorText))), { name: errorName(first) });
  }
  return next === items.length;
}

/**
 * Characters of a combined failure's text past which further errors are left out: a Step
 * Functions cause holds at most 32,768 characters, and the object restore adds the open
 * uploads and a failed cleanup's error to it.
 */
const FAILURE_TEXT_CHARACTERS = 6_000;

/** The first error whole, then the others while the text stays within its limit; those left out are counted, and written to the function's log. */
function combinedFailureText(first: string, others: string[]): string {
  const shown: string[] = [];
  let length = first.length;
  for (const text of others) {
    if (length + text.length + 2 > FAILURE_TEXT_CHARACTERS) {
      break;
    }
    shown.push(text);
    length += text.length + 2;
  }
  const left = others.slice(shown.length);
  if (left.length > 0) {
    console.error(JSON.stringify({ message: `${left.length} errors left out of the failure's cause`, errors: left }));
    shown.push(`${left.length} not shown here, a Step Functions cause being limited to 32,768 characters: the function's log has each one`);
  }
  return `${first} (and ${others.length} more: ${shown.join('; ')})`;
}

/** The initial state of a scan. */
export function newScan(): ScanState {
  return { cursor: { done: false }, counts: EMPTY_COUNTS };
}

/**
 * The planning scan of a point-in-time restore (reads only). When it completes it checks the
 * time against the oldest version and fails with a `RestoreInputError` when nothing can be restored.
 */
export async function planScan(s3: S3Client, plan: ObjectRestorePlan, state: ScanState, deadline: number): Promise<ScanState> {
  const result = await walk(s3, plan, state, deadline, 1000, async () => true);
  if (result.cursor.done) {
    const oldest = result.counts.oldestVersion;
    if (oldest === undefined) {
      throw new RestoreInputError(`input \`prefix\`: s3://${plan.bucket}/${plan.prefix} holds no object versions`);
    }
    if (Date.parse(plan.time!) < Date.parse(oldest)) {
      throw new RestoreInputError(`input \`time\` ${plan.time} is before the oldest version under s3://${plan.bucket}/${plan.prefix} (${oldest}); allowed: ${oldest} to now`);
    }
    if (result.counts.keys === 0 && result.counts.unchanged === 0) {
      throw new RestoreInputError(`input \`time\`: no object under s3://${plan.bucket}/${plan.prefix} existed at ${plan.time} (${result.counts.deletedAtTime} deleted, ${result.counts.newerOnly} created later)`);
    }
  }
  return result;
}

function targetKey(plan: ObjectRestorePlan, key: string): string {
  return plan.targetPrefix + key.slice(plan.prefix.length);
}

async function sourceTags(s3: S3Client, bucket: string, key: string, versionId: string | undefined): Promise<Tag[]> {
  try {
    const response = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    return (response.TagSet ?? []).filter((tag) => tag.Key !== EXECUTION_TAG);
  } catch (error) {
    rethrowKeepingCause(`tags of s3://${bucket}/${key}`, error);
  }
}

/** As `rethrowFor`, keeping the HTTP status and a connection's error code, by which the copy tells a passing failure. */
function rethrowKeepingCause(resource: string, error: unknown): never {
  const details = error as { $metadata?: unknown; code?: unknown };
  throw Object.assign(new Error(`${resource}: ${errorText(error)}`), { name: errorName(error), $metadata: details?.$metadata, code: details?.code });
}

function tagging(tags: Tag[], execution: string): string {
  // An object carries at most 10 tags: the execution tag takes the place of the last.
  const all = [...tags.slice(0, 9), { Key: EXECUTION_TAG, Value: execution }];
  return all.map((tag) => `${encodeURIComponent(tag.Key!)}=${encodeURIComponent(tag.Value ?? '')}`).join('&');
}

/**
 * True when the target's current version (or the version `versionId`) is already this
 * execution's copy: a step retried after some copies of its page were written must not write
 * them a second time.
 */
async function copiedByExecution(s3: S3Client, target: { bucket: string; key: string }, execution: string, versionId?: string): Promise<boolean> {
  try {
    const response = await s3.send(new GetObjectTaggingCommand({ Bucket: target.bucket, Key: target.key, VersionId: versionId }));
    return (response.TagSet ?? []).some((tag) => tag.Key === EXECUTION_TAG && tag.Value === execution);
  } catch (error) {
    // No object, or a delete marker as the current version: nothing copied yet.
    if (['NoSuchKey', 'NotFound', 'MethodNotAllowed'].includes(errorName(error))) {
      return false;
    }
    rethrowKeepingCause(`tags of s3://${target.bucket}/${target.key}`, error);
  }
}

/**
 * The ETag and version id of a key's current version; undefined when it has none (a delete
 * marker, or no object).
 */
async function currentVersion(s3: S3Client, target: { bucket: string; key: string }): Promise<{ etag: string; versionId?: string } | undefined> {
  try {
    const response = await s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }));
    return response.ETag ? { etag: response.ETag, versionId: response.VersionId } : undefined;
  } catch (error) {
    if (['NoSuchKey', 'NotFound', 'MethodNotAllowed'].includes(errorName(error))) {
      return undefined;
    }
    rethrowKeepingCause(`s3://${target.bucket}/${target.key}`, error);
  }
}

/**
 * The parts an earlier invocation copied into an upload, by part number, with their ETags; a
 * part whose size is not the one it should have is left out (copied again). Undefined when
 * the upload is gone (aborted, or completed); `unlisted` when the listing failed for a
 * transient reason (the upload is then left open for the next invocation, not aborted).
 */
async function copiedParts(
  s3: S3Client, target: { bucket: string; key: string }, uploadId: string, sizeOf: (part: number) => number, progress?: CopyProgress,
): Promise<Map<number, string> | undefined | 'unlisted'> {
  const copied = new Map<number, string>();
  let marker: string | undefined;
  do {
    let page;
    try {
      page = await s3.send(new ListPartsCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId, PartNumberMarker: marker }));
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload') {
        return undefined;
      }
      if (isTransientError(error)) {
        const message = `the parts of multipart upload ${uploadId} of s3://${target.bucket}/${target.key} could not be listed; it is left open for the next invocation`;
        console.warn(JSON.stringify({ message, error: `${errorName(error)}: ${errorText(error)}` }));
        progress?.setback(`${message} (${errorName(error)}: ${errorText(error)})`);
        return 'unlisted';
      }
      throw error;
    }
    for (const part of page.Parts ?? []) {
      if (part.PartNumber !== undefined && part.ETag && part.Size === sizeOf(part.PartNumber)) {
        copied.set(part.PartNumber, part.ETag);
      }
    }
    marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
  } while (marker !== undefined);
  return copied;
}

/**
 * Runs one copy call, cancelled at `endBy`: its response, or undefined when it was cancelled.
 * The SDK closes the call's connection then, and the wait ends even if it does not; S3 may
 * still finish the copy (it documents nothing else), which the next invocation then finds (a
 * listed part, a tagged copy), or finds only after it made the copy again: a part copied
 * twice under one number is one part (S3 keeps the last; the upload is completed as listed),
 * and a single copy to a new prefix is made only where no object is.
 */
async function untilCancelled<T>(endBy: number, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancelled = new Promise<undefined>((resolve) => {
    if (Number.isFinite(endBy)) {
      // Node fires at once a timer set beyond 2^31 - 1 milliseconds.
      timer = setTimeout(() => {
        controller.abort();
        resolve(undefined);
      }, Math.min(Math.max(0, endBy - Date.now()), 2 ** 31 - 1));
    }
  });
  const sending = Promise.resolve(send(controller.signal));
  // Once cancelled, the call's own rejection has no one waiting for it.
  sending.catch(() => undefined);
  try {
    return await Promise.race([sending, cancelled]);
  } catch (error) {
    if (controller.signal.aborted) {
      return undefined;
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** How a copy of one object version ended. */
export type CopyOutcome =
  /** Copied, or already this execution's copy. */
  | { readonly status: 'done' }
  /** A copy in parts cut off by the deadline: its upload is left open, and a later call given it goes on with it. */
  | { readonly status: 'upload-open'; readonly upload: OpenUpload }
  /**
   * A single copy not started before the deadline, cancelled, or failed for a passing reason, a
   * copy in parts whose upload was not created before the deadline, or a copy refused because
   * the key was written meanwhile (its upload aborted): not made, a later call makes it.
   * `refused`: a single copy in place S3 refused (the key written or deleted meanwhile), or a copy in parts whose completion it refused (counted, see {@link REFUSED_WRITES_ALLOWED}).
   */
  | { readonly status: 'redo'; readonly refused?: true };

const DONE: CopyOutcome = { status: 'done' };
const REDO: CopyOutcome = { status: 'redo' };

/**
 * Copies one object version (in parts above 5 GiB), tagged with the execution; skipped when the
 * target already is its copy. No copy call starts after `deadline`, and those still under way
 * at `endBy` are cancelled (S3 bounds neither a CopyObject of 5 GiB nor an UploadPartCopy of
 * 1 GiB): a single copy then is to be done again, and a copy in parts leaves its upload open,
 * which a later call given it goes on with, copying only the parts not yet copied (a copy
 * of hundreds of GiB outlasts one 15-minute invocation) and completing it with the parts as
 * S3 then lists them, on the condition fixed when the upload was created. `refusedBefore`: the
 * copies (or completions) of this key S3 refused in a row in earlier calls; the one that makes them
 * {@link REFUSED_WRITES_ALLOWED} fails the copy.
 */
export async function copyVersion(
  s3: S3Client, source: { bucket: string; key: string; versionId?: string; size: number }, target: { bucket: string; key: string; storageClass?: string }, execution: string,
  resume: { deadline?: number; endBy?: number; upload?: OpenUpload | string; progress?: CopyProgress; refusedBefore?: number } = {},
): Promise<CopyOutcome> {
  const progress = resume.progress;
  const copySource = `${source.bucket}/${encodeURIComponent(source.key).replace(/%2F/g, '/')}${source.versionId && source.versionId !== 'null' ? `?versionId=${encodeURIComponent(source.versionId)}` : ''}`;
  const versionId = source.versionId && source.versionId !== 'null' ? source.versionId : undefined;
  const inPlace = target.bucket === source.bucket && target.key === source.key;
  const where = `copying s3://${source.bucket}/${source.key}${versionId ? ` (version ${versionId})` : ''} to s3://${target.bucket}/${target.key}`;
  let uploadId: string | undefined;
  // The condition of the upload's completion: undefined for an upload an earlier version created, which kept none.
  let condition: WriteCondition | undefined;
  const leftOpen = (): CopyOutcome => ({ status: 'upload-open', upload: { uploadId: uploadId!, ...(condition === undefined ? {} : { condition }) } });
  // How the part copies failed: a passing failure leaves the upload open for the next invocation, unless a part also failed for good.
  const partFailures = { passing: false, permanent: false };
  try {
    // In place the key holds the live object, which the copy is to become the new version of. A
    // single copy, or a new upload's completion, is made only over the version current now
    // (If-Match), or only while none is when that is a delete marker (If-None-Match): read before
    // its tags, so that a copy of this execution landing in between refuses the new one.
    const current = inPlace ? await currentVersion(s3, target) : undefined;
    if (await copiedByExecution(s3, target, execution, current?.versionId)) {
      return DONE;
    }
    // A current delete marker has no ETag to match; If-None-Match is checked against the current version, which it leaves absent.
    const conditionNow: WriteCondition = inPlace && current !== undefined ? { IfMatch: current.etag } : { IfNoneMatch: '*' };
    const tags = tagging(await sourceTags(s3, source.bucket, source.key, versionId), execution);
    if (source.size <= MULTIPART_THRESHOLD) {
      if (Date.now() >= (resume.deadline ?? Infinity)) {
        return REDO;
      }
      let copied;
      try {
        copied = await untilCancelled(resume.endBy ?? Infinity, (abortSignal) => s3.send(new CopyObjectCommand({
          CopySource: copySource, Bucket: target.bucket, Key: target.key, MetadataDirective: 'COPY', TaggingDirective: 'REPLACE', Tagging: tags,
          StorageClass: target.storageClass as CopyObjectCommand['input']['StorageClass'], ...conditionNow,
        }), { abortSignal }));
      } catch (error) {
        // A passing failure leaves the copy to the next invocation (as a part's leaves its upload open), which finds it made should S3 have made it.
        if (isTransientError(error)) {
          const message = `${where}: ${errorName(error)} (${errorText(error)}); left for the next invocation`;
          console.warn(JSON.stringify({ message }));
          progress?.setback(message);
          return REDO;
        }
        // Over the version found current, S3 answers NoSuchKey once the key has no current object any
        // more (deleted meanwhile); while it has one, the missing key is the source's. (Looked at only
        // then: a failure is to be recorded at once, before other copies of the page start.)
        const deletedMeanwhile = errorName(error) === 'NoSuchKey' && 'IfMatch' in conditionNow && (await currentVersion(s3, target)) === undefined;
        if (!CONDITION_REFUSALS.includes(errorName(error)) && !deletedMeanwhile) {
          throw error;
        }
        const refused = await refusedCopy(s3, source, target, execution, errorName(error), inPlace);
        if (refused.status === 'done') {
          return refused;
        }
        const refusal = `${errorName(error)} (${errorText(error)}): ${refusalReason(errorName(error))}`;
        progress?.setback(`${where}: ${refusal}`);
        // A conflict (a write under way, perhaps this restore's cancelled copy still landing) is
        // left to the stall counter. A write or delete the application made since the key was
        // looked at is counted, as refused completions are: another key of the page copied in the
        // same invocation is progress, and the stall counter alone may never end the restore.
        if (errorName(error) === 'ConditionalRequestConflict') {
          return refused;
        }
        if ((resume.refusedBefore ?? 0) + 1 >= REFUSED_WRITES_ALLOWED) {
          throw keptWritten(target, refusal, inPlace, 'single');
        }
        return { status: 'redo', refused: true };
      }
      if (copied === undefined) {
        progress?.setback(`${where}: still under way ${PART_OVERRUN_MS / 1000} seconds after the invocation's deadline, cancelled`);
        return REDO;
      }
      progress?.wrote();
      return DONE;
    }
    const sizeOf = (part: number) => Math.min(PART_SIZE, source.size - (part - 1) * PART_SIZE);
    // Set before the listing: an upload of this copy whose parts cannot be listed is aborted like one whose part failed.
    uploadId = typeof resume.upload === 'string' ? resume.upload : resume.upload?.uploadId;
    condition = typeof resume.upload === 'string' ? undefined : resume.upload?.condition;
    const listed = uploadId === undefined ? undefined : await copiedParts(s3, target, uploadId, sizeOf, progress);
    if (listed === 'unlisted') {
      return leftOpen();
    }
    if (listed === undefined) {
      uploadId = undefined;
      condition = conditionNow;
      // Created past the deadline, an upload would be left open with no part copied.
      if (Date.now() >= (resume.deadline ?? Infinity)) {
        return REDO;
      }
      const head = await s3.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: versionId }));
      const sentAt = Date.now();
      let created;
      try {
        created = await s3.send(new CreateMultipartUploadCommand({
          Bucket: target.bucket, Key: target.key, Tagging: tags, ContentType: head.ContentType, ContentEncoding: head.ContentEncoding, Metadata: head.Metadata,
          StorageClass: target.storageClass as CreateMultipartUploadCommand['input']['StorageClass'],
        }));
      } catch (error) {
        if (isTransientError(error)) {
          await abortLostUploads(s3, target, sentAt, where);
        }
        throw error;
      }
      uploadId = created.UploadId;
      // An attempt the SDK retried may have been made by S3 all the same, its answer lost.
      if ((created.$metadata?.attempts ?? 1) > 1) {
        await abortLostUploads(s3, target, sentAt, where, uploadId);
      }
    }
    const copied = listed ?? new Map<number, string>();
    const parts = Array.from({ length: Math.ceil(source.size / PART_SIZE) }, (_, i) => ({ PartNumber: i + 1, ETag: copied.get(i + 1) ?? '' }));
    // After a failed part no other starts, and those in flight settle before the upload is aborted.
    const finished = await inParallel(parts.filter((part) => part.ETag === ''), PARTS_AT_ONCE, async (part) => {
      const start = (part.PartNumber - 1) * PART_SIZE;
      const end = start + sizeOf(part.PartNumber) - 1;
      let copied;
      try {
        copied = await untilCancelled(resume.endBy ?? Infinity, (abortSignal) => s3.send(new UploadPartCopyCommand({
          Bucket: target.bucket, Key: target.key, UploadId: uploadId, PartNumber: part.PartNumber, CopySource: copySource, CopySourceRange: `bytes=${start}-${end}`,
        }), { abortSignal }));
      } catch (error) {
        // Several failures reach the catch below as one error, without their details.
        if (isTransientError(error)) {
          partFailures.passing = true;
        } else {
          partFailures.permanent = true;
        }
        throw error;
      }
      part.ETag = copied?.CopyPartResult?.ETag ?? '';
      if (part.ETag !== '') {
        progress?.wrote();
      } else if (copied === undefined) {
        progress?.setback(`${where}: part ${part.PartNumber} still under way ${PART_OVERRUN_MS / 1000} seconds after the invocation's deadline, cancelled`);
      }
    }, resume.deadline);
    if (!finished || parts.some((part) => part.ETag === '')) {
      return leftOpen();
    }
    // A part copy an earlier invocation cancelled may have been finished by S3 after the listing,
    // and after this call copied the part again: S3 keeps the one it finished last, whose ETag
    // (under SSE-KMS) is not the redone copy's. A resumed upload is completed as S3 now lists it.
    const takeListedETags = async (): Promise<boolean> => {
      const now = await copiedParts(s3, target, uploadId!, sizeOf, progress);
      if (now === 'unlisted') {
        return false;
      }
      for (const part of parts) {
        part.ETag = now?.get(part.PartNumber) ?? part.ETag;
      }
      return true;
    };
    // Completed only over the version found current when the upload was created (or while no
    // object is): an application write during a copy of hours is not overwritten unseen.
    const complete = () => s3.send(new CompleteMultipartUploadCommand({
      Bucket: target.bucket, Key: target.key, UploadId: uploadId, MultipartUpload: { Parts: parts.map((part) => ({ ...part })) }, ...condition,
    }));
    if (listed !== undefined && !(await takeListedETags())) {
      return leftOpen();
    }
    try {
      try {
        await complete();
      } catch (error) {
        // Such a cancelled copy may also land between that listing and the completion (InvalidPart): listed again, completed once more.
        if (errorName(error) !== 'InvalidPart') {
          throw error;
        }
        if (!(await takeListedETags())) {
          return leftOpen();
        }
        await complete();
      }
    } catch (error) {
      if (condition === undefined || !COMPLETION_REFUSALS.includes(errorName(error))) {
        throw error;
      }
      const refused = uploadId!;
      // Aborted (or found gone) there: the catch below is not to abort it again.
      uploadId = undefined;
      return await refusedCompletion(s3, source, target, execution, refused, { error, inPlace, where, progress, refusedBefore: resume.refusedBefore ?? 0 });
    }
    progress?.wrote();
    return DONE;
  } catch (error) {
    // A part copy or the completion failing for a passing reason (throttling, a 5xx, a failed
    // connection, after the SDK's own attempts) leaves the upload and its parts to the next invocation.
    if (uploadId && !partFailures.permanent && (partFailures.passing || isTransientError(error))) {
      const message = `${where}: ${errorName(error)} (${errorText(error)}); its multipart upload ${uploadId} is left open for the next invocation`;
      console.warn(JSON.stringify({ message }));
      progress?.setback(message);
      return leftOpen();
    }
    // So is a call made with no upload open (the key's tags or current version, the source's tags or
    // head, creating the upload, looking at a refused copy's key): the copy is left to the next
    // invocation, which looks at the key again. An upload S3 created but whose answer was lost was
    // aborted above (or, should that have failed, the restore's end names it).
    if (uploadId === undefined && isTransientError(error)) {
      const message = `${where}: ${errorName(error)} (${errorText(error)}); left for the next invocation`;
      console.warn(JSON.stringify({ message }));
      progress?.setback(message);
      return REDO;
    }
    const left = uploadId ? await abortUpload(s3, target, uploadId) : undefined;
    // The copy's own error comes first and names the failure (the state machine's rules match the name).
    rethrowFor(where, left ? Object.assign(new Error(`${errorText(error)}${requestIdsText(error)}; ${left}`, { cause: error }), { name: errorName(error) }) : error);
  }
}

/**
 * Aborts the uploads of the key that S3 created for a CreateMultipartUpload whose answer was lost
 * (a timeout after S3 had made it), all but `kept` (the one the SDK's retry got): those started
 * since the call was sent (within S3's and the function's clocks' second). Each would otherwise
 * keep its parts stored, the next attempt creating another. One that cannot be listed or
 * aborted is left, with a warning; the restore's end names every upload it finds open.
 */
async function abortLostUploads(s3: S3Client, target: { bucket: string; key: string }, sentAt: number, where: string, kept?: string): Promise<void> {
  const until = Date.now() + 1000;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  try {
    do {
      const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: target.bucket, Prefix: target.key, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
      for (const upload of page.Uploads ?? []) {
        const initiated = upload.Initiated === undefined ? NaN : new Date(upload.Initiated).getTime();
        if (upload.Key === target.key && upload.UploadId && upload.UploadId !== kept && initiated >= sentAt - 1000 && initiated <= until) {
          await s3.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: upload.UploadId }));
        }
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker !== undefined);
  } catch (error) {
    const message = `${where}: an upload S3 may have created for a call whose answer was lost could not be looked for or aborted (${errorName(error)}: ${errorText(error)}); the restore's end names it if it is open: ${listUploadsCommand(target.bucket, target.key)}`;
    console.warn(JSON.stringify({ message }));
  }
}

/** The errors of a write whose condition S3 refused (If-None-Match: an object is there; If-Match: the current version is not the one looked at), or another write of the key is under way. */
const CONDITION_REFUSALS: readonly string[] = ['PreconditionFailed', 'ConditionalRequestConflict'];
/**
 * The errors of a completion whose condition S3 refused: with If-Match, S3 answers 404 NoSuchKey
 * when the key has no current object any more (deleted since it was looked at). A completion
 * names no other key, so the error cannot be a missing source's, as a CopyObject's could.
 */
const COMPLETION_REFUSALS: readonly string[] = [...CONDITION_REFUSALS, 'NoSuchKey'];

/** Why S3 refused a conditional write, for the stall counter's setback. */
function refusalReason(refusal: string): string {
  switch (refusal) {
    case 'ConditionalRequestConflict':
      return 'another write of the key was under way';
    case 'NoSuchKey':
      return 'the key was deleted by something else since it was looked at';
    default:
      return 'the key was written by something else since it was looked at';
  }
}

/** The failure of a copy to a new prefix whose key holds something this restore did not write. */
function writtenByOther(source: { bucket: string; key: string; versionId?: string }, target: { bucket: string; key: string }, execution: string, left?: string): RestoreCheckError {
  const version = source.versionId && source.versionId !== 'null' ? ` (version ${source.versionId})` : '';
  return new RestoreCheckError(`s3://${target.bucket}/${target.key} was written by something other than this restore (execution ${execution}) while it copied s3://${source.bucket}/${source.key}${version} there, `
    + 'or this restore\'s copy there was deleted: the restore writes only into an empty prefix and does not write over what it did not write'
    + (left ? `; ${left}` : ''));
}

/**
 * How a copy in parts ended whose completion S3 refused (see {@link refusedCopy}). S3 documents
 * no state of an upload after a refused completion (after a conflict it says to start a new
 * one), so the upload is aborted, having been consumed already when it is the copy found at the
 * key. Then a key holding this execution's copy is done; in place, a key written (or deleted)
 * meanwhile, or a conflict, is left for the next invocation, which looks at the key again and
 * makes a new upload; to a new prefix, a key holding anything else fails the restore. The
 * refusal that makes {@link REFUSED_WRITES_ALLOWED} in a row fails the restore too.
 */
async function refusedCompletion(
  s3: S3Client, source: { bucket: string; key: string; versionId?: string }, target: { bucket: string; key: string }, execution: string, uploadId: string,
  refusal: { error: unknown; inPlace: boolean; where: string; progress?: CopyProgress; refusedBefore: number },
): Promise<CopyOutcome> {
  const name = errorName(refusal.error);
  // Aborted first: should looking at the key fail for a passing reason, no upload is left behind.
  const left = await abortUpload(s3, target, uploadId);
  const ours = name !== 'ConditionalRequestConflict' && await copiedByExecution(s3, target, execution);
  if (ours) {
    return DONE;
  }
  if (!refusal.inPlace && name !== 'ConditionalRequestConflict') {
    throw writtenByOther(source, target, execution, left);
  }
  if (refusal.refusedBefore + 1 >= REFUSED_WRITES_ALLOWED) {
    throw keptWritten(target, `${name} (${errorText(refusal.error)}): ${refusalReason(name)}`, refusal.inPlace, 'parts', left);
  }
  const message = `${refusal.where}: ${name} (${errorText(refusal.error)}): ${refusalReason(name)}; ${left ?? `its multipart upload ${uploadId} is aborted`}`;
  console.warn(JSON.stringify({ message }));
  refusal.progress?.setback(message);
  return { status: 'redo', refused: true };
}

/** The failure of a copy S3 refused (a single copy), or refused to complete (a copy in parts), {@link REFUSED_WRITES_ALLOWED} times in a row. */
function keptWritten(target: { bucket: string; key: string }, last: string, inPlace: boolean, copy: 'single' | 'parts', left?: string): RestoreCheckError {
  const key = `s3://${target.bucket}/${target.key}`;
  const what = inPlace
    ? `the application keeps writing ${key} during the restore, more often than a copy of its size takes. Restore to a new prefix (input \`targetPrefix\`), or stop the writes to ${key} and start the restore again`
    : `something other than this restore keeps writing ${key} under the target prefix. Stop it, or restore to another \`targetPrefix\``;
  const refused = copy === 'parts'
    ? `S3 refused to complete this copy in parts ${REFUSED_WRITES_ALLOWED} times in a row, its parts copied again in a new upload each time (the last refusal: ${last}): `
      + 'the restore completes a copy only over the version it found current when it began it'
    : `S3 refused this copy ${REFUSED_WRITES_ALLOWED} times in a row, in as many invocations (the last refusal: ${last}): `
      + 'the restore makes a copy only over the version it found current just before';
  return new RestoreCheckError(`${refused}, so as not to write over writes it has not seen, and ${what}`
    + (left ? `; ${left}` : ''));
}

/**
 * How a single copy made only where no object is (to a new prefix, or in place over a delete
 * marker) or only over the version found current (in place) ended when S3 refused it: a copy cancelled earlier may have landed
 * since the target was looked at (S3 finishes what the SDK stopped waiting for), and then it is
 * this execution's copy, done; a conflict is another write of the key still under way, to look
 * at again in the next invocation. In place, a version the application wrote meanwhile is
 * copied over by the next invocation, as it would have been had it come a moment earlier.
 */
async function refusedCopy(
  s3: S3Client, source: { bucket: string; key: string; versionId?: string }, target: { bucket: string; key: string }, execution: string, refusal: string, inPlace: boolean,
): Promise<CopyOutcome> {
  if (refusal === 'ConditionalRequestConflict') {
    return REDO;
  }
  if (await copiedByExecution(s3, target, execution)) {
    return DONE;
  }
  if (inPlace) {
    return REDO;
  }
  throw writtenByOther(source, target, execution);
}

/** How the note of an upload a failed copy left open begins (the CLI keeps such notes whole). */
export const UPLOAD_NOTE_START = 'its multipart upload ';
/** Matches the command {@link abortCommand} writes. */
export const ABORT_COMMAND_PATTERN = new RegExp(`aws s3api abort-multipart-upload --bucket \\S+ --key ${SHELL_WORD_PATTERN} --upload-id ${SHELL_WORD_PATTERN}`);

function abortCommand(bucket: string, key: string, uploadId: string): string {
  return `aws s3api abort-multipart-upload --bucket ${bucket} --key ${shellWord(key)} --upload-id ${shellWord(uploadId)}`;
}

/** The command that lists the multipart uploads under a prefix. */
function listUploadsCommand(bucket: string, prefix: string): string {
  return `aws s3api list-multipart-uploads --bucket ${bucket} --prefix ${shellWord(prefix)}`;
}

/**
 * Aborts a multipart upload of a failed copy: the parts copied so far are stored (and billed)
 * until it is, and cleanup lists versions, not uploads. Returns what the operator must do when
 * aborting failed, undefined when it succeeded.
 */
async function abortUpload(s3: S3Client, target: { bucket: string; key: string }, uploadId: string): Promise<string | undefined> {
  try {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }));
    return undefined;
  } catch (error) {
    // Gone already (completed, or aborted): nothing is left to store.
    if (errorName(error) === 'NoSuchUpload') {
      return undefined;
    }
    return `${UPLOAD_NOTE_START}${uploadId} of s3://${target.bucket}/${target.key} was left (aborting it failed: ${errorText(error)}), and its copied parts are stored until it is aborted: `
      + abortCommand(target.bucket, target.key, uploadId);
  }
}

/** The copying scan of a point-in-time restore: same walk as the plan, copying each chosen version; it stops within a page at the deadline. */
export async function copyScan(s3: S3Client, plan: ObjectRestorePlan, state: ScanState, deadline: number, execution: string): Promise<ScanState> {
  const uploads: UnfinishedUploads = { ...state.uploads };
  const refused: RefusedWrites = { ...state.refused };
  const progress = new CopyProgress();
  const budget = new CarriedStateBudget(() => ({ uploads, refused }));
  const result = await walk(s3, plan, state, deadline, 200, async (entry) => {
    const key = targetKey(plan, entry.key);
    const left = await withinBudget(budget, key, entry.size, uploads, () => copyVersion(
      s3, { bucket: plan.bucket, key: entry.key, versionId: entry.versionId, size: entry.size }, { bucket: plan.targetBucket, key }, execution,
      { deadline, endBy: deadline + PART_OVERRUN_MS, upload: uploads[key], progress, refusedBefore: refused[refusalKey(key)] },
    ));
    if (left === 'no-room') {
      return false;
    }
    countRefusal(refused, key, left);
    return keepUnfinished(uploads, key, left);
  }, true);
  const movedOn = JSON.stringify(result.cursor) !== JSON.stringify(state.cursor);
  return {
    cursor: result.cursor, counts: result.counts, ...(Object.keys(uploads).length > 0 ? { uploads } : {}), ...(Object.keys(refused).length > 0 ? { refused } : {}),
    ...progress.stall(state.stalled, movedOn),
  };
}

/**
 * Runs a copy, one that may open a new upload (above 5 GiB, none carried for its key) only while
 * the state carried to the next invocation has room for it: `no-room` leaves the key (and so its
 * page) to a later invocation, as a copy the deadline cut off is, with no setback.
 */
async function withinBudget(
  budget: CarriedStateBudget, key: string, size: number, uploads: UnfinishedUploads, copy: () => Promise<CopyOutcome>,
): Promise<CopyOutcome | 'no-room'> {
  return size > MULTIPART_THRESHOLD && uploads[key] === undefined ? budget.withRoomFor(key, copy) : copy();
}

/** The entry of a target key in {@link RefusedWrites}. */
export function refusalKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

/** Counts a refused completion of the key's copy, forgets the key's count once its copy is done, and keeps it otherwise (a copy left open or to redo for another reason). */
function countRefusal(refused: RefusedWrites, key: string, outcome: CopyOutcome): void {
  const entry = refusalKey(key);
  if (outcome.status === 'done') {
    delete refused[entry];
  } else if (outcome.status === 'redo' && outcome.refused) {
    refused[entry] = (refused[entry] ?? 0) + 1;
  }
}

/** Records the upload a copy left open (or forgets the key's, once done); true when the copy is done, false when the next invocation must go on with it. */
function keepUnfinished(uploads: UnfinishedUploads, key: string, outcome: CopyOutcome): boolean {
  switch (outcome.status) {
    case 'done':
      delete uploads[key];
      return true;
    case 'upload-open':
      uploads[key] = outcome.upload;
      return false;
    case 'redo':
      // An upload of the key is gone or was aborted: the next invocation starts the copy again.
      delete uploads[key];
      return false;
  }
}

/** One object of an archive restore. */
export interface ArchivedObject {
  readonly key: string;
  readonly size: number;
  readonly storageClass: string;
}

/** How many objects an archive restore takes: a yearly archive is a handful of files. */
const ARCHIVE_OBJECTS_ALLOWED = 1000;

/**
 * The objects under the prefix of an archive restore (at most 1000). Each step that works on
 * them lists them again: with keys of up to 1,024 bytes, the list would outgrow the 256 KiB a
 * Step Functions state holds.
 */
export async function archivedObjects(s3: S3Client, plan: ObjectRestorePlan): Promise<ArchivedObject[]> {
  let response;
  try {
    response = await s3.send(new ListObjectsV2Command({ Bucket: plan.bucket, Prefix: plan.prefix, MaxKeys: ARCHIVE_OBJECTS_ALLOWED }));
  } catch (error) {
    rethrowFor(`listing s3://${plan.bucket}/${plan.prefix}`, error);
  }
  if (response.IsTruncated) {
    throw new RestoreInputError(`input \`prefix\`: s3://${plan.bucket}/${plan.prefix} holds more than ${ARCHIVE_OBJECTS_ALLOWED} objects; an archive restore takes at most ${ARCHIVE_OBJECTS_ALLOWED} (narrow the prefix, e.g. to one run)`);
  }
  const objects = (response.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size ?? 0, storageClass: o.StorageClass ?? 'STANDARD' }));
  if (objects.length === 0) {
    throw new RestoreInputError(`input \`prefix\`: no objects under s3://${plan.bucket}/${plan.prefix}`);
  }
  return objects;
}

/** What an archive restore will work on: how many objects, how many of them archived, and their bytes (the objects themselves stay out of the state). */
export async function listArchive(s3: S3Client, plan: ObjectRestorePlan): Promise<{ objects: number; archived: number; bytes: number }> {
  const objects = await archivedObjects(s3, plan);
  return { objects: objects.length, archived: objects.filter((o) => ARCHIVED.has(o.storageClass)).length, bytes: objects.reduce((sum, o) => sum + o.size, 0) };
}

/** Requests the retrieval of every archived object. Repeating it is harmless (`RestoreAlreadyInProgress`). */
export async function requestRetrievals(s3: S3Client, plan: ObjectRestorePlan, objects: ArchivedObject[]): Promise<{ requested: number }> {
  let requested = 0;
  await inParallel(objects.filter((o) => ARCHIVED.has(o.storageClass)), 8, async (object) => {
    try {
      await s3.send(new RestoreObjectCommand({
        Bucket: plan.bucket, Key: object.key, RestoreRequest: { Days: plan.restoreDays, GlacierJobParameters: { Tier: plan.restoreTier as Tier } },
      }));
      requested += 1;
    } catch (error) {
      if (errorName(error) !== 'RestoreAlreadyInProgress') {
        rethrowFor(`requesting the retrieval of s3://${plan.bucket}/${object.key}`, error);
      }
      requested += 1;
    }
  });
  return { requested };
}

/** How many archived objects are retrieved (the `Restore` header says `ongoing-request="false"`). */
export async function retrievalState(s3: S3Client, plan: ObjectRestorePlan, objects: ArchivedObject[], now: Date = new Date()): Promise<{ ready: boolean; retrieved: number; waiting: number }> {
  let retrieved = 0;
  let waiting = 0;
  await inParallel(objects.filter((o) => ARCHIVED.has(o.storageClass)), 8, async (object) => {
    let restore: string | undefined;
    try {
      restore = (await s3.send(new HeadObjectCommand({ Bucket: plan.bucket, Key: object.key }))).Restore;
    } catch (error) {
      rethrowFor(`s3://${plan.bucket}/${object.key}`, error);
    }
    if (restore && /ongoing-request="false"/.test(restore)) {
      retrieved += 1;
    } else if (restore && /ongoing-request="true"/.test(restore)) {
      waiting += 1;
    } else {
      throw new RestoreCheckError(`s3://${plan.bucket}/${object.key}: no retrieval in progress (Restore header ${JSON.stringify(restore ?? null)}); it may have expired`);
    }
  });
  const ready = waiting === 0;
  if (!ready && plan.readyBy && now.getTime() > Date.parse(plan.readyBy)) {
    throw new RestoreCheckError(`${waiting} archived objects under s3://${plan.bucket}/${plan.prefix} are still being retrieved at ${now.toISOString()}, after the deadline ${plan.readyBy}`);
  }
  return { ready, retrieved, waiting };
}

/**
 * Copies the objects of an archive restore (retrieved or not archived) to the target prefix as
 * STANDARD. No copy starts after the deadline: a call that stops early returns `done: false`,
 * and the next one starts the list again, skipping the copies already made (as `copyScan` does
 * with a page).
 */
export async function copyArchive(
  s3: S3Client, plan: ObjectRestorePlan, objects: ArchivedObject[], execution: string, deadline: number, unfinished: UnfinishedUploads = {}, stalled?: number,
  refusedBefore: RefusedWrites = {},
): Promise<({ done: false; uploads?: UnfinishedUploads; refused?: RefusedWrites } & StallState) | { done: true; copied: number; bytes: number }> {
  const uploads: UnfinishedUploads = { ...unfinished };
  const refused: RefusedWrites = { ...refusedBefore };
  const progress = new CopyProgress();
  const budget = new CarriedStateBudget(() => ({ uploads, refused }));
  let cutOff = false;
  const started = await inParallel(objects, 8, async (object) => {
    const key = targetKey(plan, object.key);
    const left = await withinBudget(budget, key, object.size, uploads, () => copyVersion(
      s3, { bucket: plan.bucket, key: object.key, size: object.size }, { bucket: plan.targetBucket, key, storageClass: 'STANDARD' }, execution,
      { deadline, endBy: deadline + PART_OVERRUN_MS, upload: uploads[key], progress, refusedBefore: refused[refusalKey(key)] },
    ));
    if (left === 'no-room') {
      cutOff = true;
      return;
    }
    countRefusal(refused, key, left);
    cutOff = !keepUnfinished(uploads, key, left) || cutOff;
  }, deadline);
  if (started && !cutOff) {
    return { done: true, copied: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0) };
  }
  return { done: false, ...(Object.keys(uploads).length > 0 ? { uploads } : {}), ...(Object.keys(refused).length > 0 ? { refused } : {}), ...progress.stall(stalled, false) };
}

/** The multipart uploads left open under the target prefix: `unknown` when they could not be listed. */
export interface OpenUploads {
  readonly status: 'none' | 'open' | 'unknown';
  /** One line per open upload with the command that aborts it (past a limit, their number and the command that lists them), or why the listing is unknown. */
  readonly notes: string[];
}

/** How many open uploads, and how many bytes (UTF-8) of their notes, a listing names one by one. */
interface NamingLimits {
  readonly uploads: number;
  readonly bytes: number;
}

/** Open uploads named in a successful restore's result: it travels in a state whose payload is at most 256 KiB. */
const RESULT_UPLOADS_NAMED: NamingLimits = { uploads: 50, bytes: 64_000 };
/** Open uploads named in a failure's cause: it holds at most 32,768 characters, with the copy's error and the cleanup's. */
const FAILURE_UPLOADS_NAMED: NamingLimits = { uploads: 20, bytes: 8_000 };

interface UploadListing {
  readonly status: 'none' | 'open' | 'unknown';
  /** Notes of the first open uploads, within the limits. */
  readonly named: string[];
  /** Every open upload found, named or not. */
  readonly open: number;
  /** Why the listing is unknown. */
  readonly unknown?: string;
}

/**
 * Lists the multipart uploads started under the target prefix since the restore began and
 * still open once every copy has ended, naming the first within `limits` and counting all.
 */
async function listOpenUploads(s3: S3Client, plan: ObjectRestorePlan, deadline: number, limits: NamingLimits): Promise<UploadListing> {
  const started = Date.parse(plan.startedAt);
  const named: string[] = [];
  let bytes = 0;
  let open = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    if (Date.now() >= deadline) {
      return { status: 'unknown', named, open, unknown: `the listing of the multipart uploads under s3://${plan.targetBucket}/${plan.targetPrefix} did not finish in time; list them: ${listUploadsCommand(plan.targetBucket, plan.targetPrefix)}` };
    }
    let page;
    try {
      page = await s3.send(new ListMultipartUploadsCommand({ Bucket: plan.targetBucket, Prefix: plan.targetPrefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
    } catch (error) {
      return {
        status: 'unknown', named, open,
        unknown: `the multipart uploads under s3://${plan.targetBucket}/${plan.targetPrefix} could not be listed (${errorName(error)}: ${errorText(error)}); a copy may have left one open: ${listUploadsCommand(plan.targetBucket, plan.targetPrefix)}`,
      };
    }
    for (const upload of page.Uploads ?? []) {
      if (upload.Key && upload.UploadId && (upload.Initiated === undefined || new Date(upload.Initiated).getTime() >= started - 1000)) {
        open += 1;
        const note = `multipart upload ${upload.UploadId} of s3://${plan.targetBucket}/${upload.Key}, started ${upload.Initiated ? new Date(upload.Initiated).toISOString() : 'at an unknown time'}, is open and its parts are stored until it is aborted: ${abortCommand(plan.targetBucket, upload.Key, upload.UploadId)}`;
        // Named in order: once one is left out, so are those after it.
        if (open === named.length + 1 && named.length < limits.uploads && bytes + Buffer.byteLength(note) <= limits.bytes) {
          named.push(note);
          bytes += Buffer.byteLength(note);
        }
      }
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker !== undefined);
  return { status: open > 0 ? 'open' : 'none', named, open };
}

/**
 * The multipart uploads started under the target prefix since the restore began and still
 * open once every copy has ended. A copy whose part and abort both failed leaves one; its
 * failure says so, but a step retried after it (throttling) and then successful drops that
 * message, so the uploads themselves are looked for here. Nothing is aborted: in place, the
 * prefix is live and an upload may be the application's own.
 */
export async function openUploads(s3: S3Client, plan: ObjectRestorePlan, deadline: number): Promise<OpenUploads> {
  const listing = await listOpenUploads(s3, plan, deadline, RESULT_UPLOADS_NAMED);
  const more = listing.open - listing.named.length;
  const rest = more > 0
    ? [`and ${more} more multipart ${more === 1 ? 'upload' : 'uploads'} started under s3://${plan.targetBucket}/${plan.targetPrefix} since the restore began, open and not named here (the result's size is limited): list them all: ${listUploadsCommand(plan.targetBucket, plan.targetPrefix)}`]
    : [];
  return { status: listing.status, notes: [...listing.named, ...rest, ...(listing.unknown === undefined ? [] : [listing.unknown])] };
}

/**
 * What a failed restore adds to its cause about the multipart uploads started under the target
 * prefix since it began: a copy cut off by the function's timeout never aborted its upload,
 * and a note of one whose abort failed is lost when its step is retried and fails again. Empty
 * when none is open; the uploads are named, not aborted.
 */
export async function failureUploadsNote(s3: S3Client, plan: ObjectRestorePlan, deadline: number): Promise<{ note: string }> {
  const listing = await listOpenUploads(s3, plan, deadline, FAILURE_UPLOADS_NAMED);
  if (listing.status === 'none') {
    return { note: '' };
  }
  const more = listing.open - listing.named.length;
  if (listing.status === 'unknown') {
    const found = more > 0 ? [`(and ${more} more found open)`] : [];
    return { note: ` Open multipart uploads unknown: ${[...listing.named, ...found, listing.unknown].join(' ')}` };
  }
  const rest = more > 0 ? `; and ${more} more: ${listUploadsCommand(plan.targetBucket, plan.targetPrefix)}` : '';
  return {
    note: ` ${listing.open === 1 ? '1 multipart upload' : `${listing.open} multipart uploads`} started under s3://${plan.targetBucket}/${plan.targetPrefix} `
      + `since the restore began ${listing.open === 1 ? 'is' : 'are'} open (the restore aborts none): `
      + listing.named.join('; ') + rest,
  };
}

/**
 * Deletes the object versions this execution wrote under the target prefix (found by its tag,
 * written after it started). In place, that makes the previous versions current again.
 */
export interface CleanupState {
  readonly cursor: ScanCursor;
  readonly deleted: number;
  /** Copies that could not be deleted (Object Lock, a bucket policy), with up to 20 examples. */
  readonly notDeleted: number;
  readonly notDeletedExamples: string[];
}

export async function deleteCopies(s3: S3Client, plan: ObjectRestorePlan, execution: string, deadline: number, state?: CleanupState): Promise<CleanupState & { done: boolean }> {
  let deleted = state?.deleted ?? 0;
  let keptCount = state?.notDeleted ?? 0;
  const kept: string[] = [...(state?.notDeletedExamples ?? [])];
  let cursor: ScanCursor = state?.cursor ?? { done: false };
  const started = Date.parse(plan.startedAt);
  while (!cursor.done) {
    let response;
    try {
      response = await s3.send(new ListObjectVersionsCommand({ Bucket: plan.targetBucket, Prefix: plan.targetPrefix, KeyMarker: cursor.keyMarker, VersionIdMarker: cursor.versionIdMarker, MaxKeys: 1000 }));
    } catch (error) {
      rethrowFor(`listing s3://${plan.targetBucket}/${plan.targetPrefix}`, error);
    }
    const candidates = (response.Versions ?? []).filter((v) => new Date(v.LastModified!).getTime() >= started - 1000);
    await inParallel(candidates, 8, async (version) => {
      let tags: Tag[];
      try {
        tags = (await s3.send(new GetObjectTaggingCommand({ Bucket: plan.targetBucket, Key: version.Key!, VersionId: version.VersionId }))).TagSet ?? [];
      } catch (error) {
        rethrowFor(`tags of s3://${plan.targetBucket}/${version.Key}`, error);
      }
      if (!tags.some((tag) => tag.Key === EXECUTION_TAG && tag.Value === execution)) {
        return;
      }
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: plan.targetBucket, Key: version.Key!, VersionId: version.VersionId }));
        deleted += 1;
      } catch (error) {
        // Object Lock (or a bucket policy) may keep a copy: report it rather than hide the restore's own error behind it.
        if (kept.length < 20) {
          kept.push(`s3://${plan.targetBucket}/${version.Key} (version ${version.VersionId}): ${errorText(error)}`);
        }
        keptCount += 1;
      }
    });
    cursor = response.IsTruncated ? { keyMarker: response.NextKeyMarker, versionIdMarker: response.NextVersionIdMarker, done: false } : { done: true };
    if (Date.now() >= deadline) {
      break;
    }
  }
  return { cursor, deleted, notDeleted: keptCount, notDeletedExamples: kept, done: cursor.done };
}
