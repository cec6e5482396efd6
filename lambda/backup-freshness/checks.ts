/**
 * The freshness and integrity checks, one function per kind of copy. Each takes the SDK
 * clients as arguments and returns a result; none throws: a check that could not run is
 * `unknown` with the reason, never `ok`.
 */
import { BackupClient, paginateListRecoveryPointsByBackupVault, paginateListRecoveryPointsByResource } from '@aws-sdk/client-backup';
import { EC2Client, Filter, paginateDescribeSnapshots } from '@aws-sdk/client-ec2';
import { paginateDescribeDBSnapshots, RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { CheckConfig, checkId, DailyDumpCheck, EbsSnapshotCheck, RdsSnapshotCheck, RecoveryPointCheck, YearlyArchiveCheck } from './config';
import {
  archiveManifestTime, createdAtProblem, dailyRunDays, findYearlyRun, listNewestDailyRunDay, ManifestTimeUnknown, verifyDailyRun, VerifiedRun, YearlyRun,
} from './dumps';
import { VerificationStore } from './verification-record';

/** The outcome of one check. */
export type CheckStatus = 'ok' | 'stale' | 'missing' | 'corrupt' | 'unknown';

/** The metric value of each status: 0 good, 1 bad copy, 2 could not check. */
export const STATUS_CODES: Record<CheckStatus, number> = { ok: 0, stale: 1, missing: 1, corrupt: 1, unknown: 2 };

/** How bad a status is, for the overall status of a run. */
const SEVERITY: Record<CheckStatus, number> = { ok: 0, unknown: 1, stale: 2, missing: 3, corrupt: 4 };

/** The worst of several statuses; `unknown` when there is none (nothing was checked). */
export function worstStatus(statuses: CheckStatus[]): CheckStatus {
  if (statuses.length === 0) {
    return 'unknown';
  }
  return statuses.reduce((worst, status) => (SEVERITY[status] > SEVERITY[worst] ? status : worst), 'ok' as CheckStatus);
}

/** What one check found. */
export interface CheckResult {
  readonly kind: CheckConfig['kind'];
  readonly resource: string;
  readonly tier: string;
  readonly region: string;
  readonly status: CheckStatus;
  /** Why the status is what it is, in one sentence. */
  readonly detail: string;
  /** The newest copy found: snapshot id, recovery point ARN or object key. */
  readonly newestCopy?: string;
  /** ISO 8601 time of the newest copy. */
  readonly newestAt?: string;
  /** Age of the newest copy in hours. */
  readonly ageHours?: number;
  /** Interval plus grace of the tier, in hours. */
  readonly maxAgeHours: number;
  /** Of a verified dump: each file, its SHA-256 and when its bytes were hashed. */
  readonly verifiedFiles?: VerifiedRun['files'];
}

/** The SDK clients of a region. */
export interface RegionClients {
  readonly rds: RDSClient;
  readonly backup: BackupClient;
  readonly ec2: EC2Client;
  readonly s3: S3Client;
}

/** Returns the clients for a region (the function's own region when undefined). */
export type ClientsFor = (region: string | undefined) => RegionClients;

/** Newest copy seen so far while paging. */
interface Newest {
  readonly id: string;
  readonly at: Date;
}

function newer(current: Newest | undefined, id: string | undefined, at: Date | undefined): Newest | undefined {
  if (!id || !at) {
    return current;
  }
  return !current || at.getTime() > current.at.getTime() ? { id, at } : current;
}

/** The reason an AWS call failed, naming throttling and missing permissions plainly. */
export function describeError(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(name)) {
    return `throttled by AWS (${name}: ${message})`;
  }
  if (/AccessDenied|UnauthorizedOperation|Forbidden|NotAuthorized/i.test(name) || status === 403) {
    return `access denied (${name}: ${message})`;
  }
  return `${name}: ${message}`;
}

const HOUR_MS = 3_600_000;
const HUNDREDTH_HOUR_MS = HOUR_MS / 100;

function ageResult(check: CheckConfig, region: string, now: Date, newest: Newest | undefined, what: string): CheckResult {
  const maxAgeHours = check.intervalHours + check.graceHours;
  const base = { kind: check.kind, resource: check.resource, tier: check.tier, region, maxAgeHours };
  if (!newest) {
    return { ...base, status: 'missing', detail: `no ${what} found` };
  }
  const ageMs = now.getTime() - newest.at.getTime();
  const stale = ageMs / HOUR_MS > maxAgeHours;
  // In hundredths of an hour, rounded toward the status so that the age reported (and the
  // BackupAgeHours alarm) agrees with it: an age just over the limit shows above it, not equal.
  const ageHours = (stale ? Math.ceil(ageMs / HUNDREDTH_HOUR_MS) : Math.floor(ageMs / HUNDREDTH_HOUR_MS)) / 100;
  return {
    ...base,
    status: stale ? 'stale' : 'ok',
    detail: stale
      ? `the newest ${what} is ${ageHours} hours old, more than the ${maxAgeHours} hours allowed (interval ${check.intervalHours} h + grace ${check.graceHours} h)`
      : `the newest ${what} is ${ageHours} hours old, within ${maxAgeHours} hours`,
    newestCopy: newest.id,
    newestAt: newest.at.toISOString(),
    ageHours,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function newestRdsSnapshot(rds: RDSClient, check: RdsSnapshotCheck): Promise<Newest | undefined> {
  let newest: Newest | undefined;
  const pages = paginateDescribeDBSnapshots({ client: rds }, {
    DBInstanceIdentifier: check.dbInstanceIdentifier,
    SnapshotType: check.snapshotType === 'any' ? undefined : check.snapshotType,
  });
  for await (const page of pages) {
    for (const snapshot of page.DBSnapshots ?? []) {
      if (snapshot.Status === 'available') {
        // A copy (e.g. in the disaster-recovery region) has its own SnapshotCreateTime, the
        // time of the copy; the data is as old as the snapshot it was copied from.
        newest = newer(newest, snapshot.DBSnapshotIdentifier, snapshot.OriginalSnapshotCreateTime ?? snapshot.SnapshotCreateTime);
      }
    }
  }
  return newest;
}

const USABLE_RECOVERY_POINT = new Set(['COMPLETED', 'AVAILABLE']);

// A copy (copy job, cross-region or cross-account) keeps the CreationDate of its source: "The
// creation date refers to when the source was created, not when the copy was created" (AWS
// Backup Developer Guide, "Backup and tag copy"), so CreationDate is the data's time, not
// InitiationDate or CompletionDate, which are the job's that made the recovery point.
async function newestRecoveryPoint(backup: BackupClient, check: RecoveryPointCheck): Promise<Newest | undefined> {
  let newest: Newest | undefined;
  if (check.backupVaultName) {
    // Without the account, AWS Backup looks for a vault of that name in the caller's account.
    const pages = paginateListRecoveryPointsByBackupVault({ client: backup }, {
      BackupVaultName: check.backupVaultName,
      ...(check.backupVaultAccountId ? { BackupVaultAccountId: check.backupVaultAccountId } : {}),
      ByResourceArn: check.resourceArn,
    });
    for await (const page of pages) {
      for (const point of page.RecoveryPoints ?? []) {
        if (point.Status && USABLE_RECOVERY_POINT.has(point.Status)) {
          newest = newer(newest, point.RecoveryPointArn, point.CreationDate);
        }
      }
    }
  } else {
    // Without ManagedByAWSBackupOnly, the listing of an RDS instance also holds the snapshots
    // RDS takes itself, which would make a stopped backup plan look fresh.
    const pages = paginateListRecoveryPointsByResource({ client: backup }, { ResourceArn: check.resourceArn, ManagedByAWSBackupOnly: true });
    for await (const page of pages) {
      for (const point of page.RecoveryPoints ?? []) {
        if (point.Status && USABLE_RECOVERY_POINT.has(point.Status)) {
          newest = newer(newest, point.RecoveryPointArn, point.CreationDate);
        }
      }
    }
  }
  return newest;
}

async function newestEbsSnapshot(ec2: EC2Client, check: EbsSnapshotCheck): Promise<Newest | undefined> {
  const filters: Filter[] = [{ Name: 'status', Values: ['completed'] }];
  if (check.volumeId) {
    filters.push({ Name: 'volume-id', Values: [check.volumeId] });
  } else if (check.tagValue !== undefined) {
    filters.push({ Name: `tag:${check.tagKey}`, Values: [check.tagValue] });
  } else {
    filters.push({ Name: 'tag-key', Values: [check.tagKey!] });
  }
  if (check.alsoTagKey !== undefined) {
    filters.push({ Name: `tag:${check.alsoTagKey}`, Values: [check.alsoTagValue!] });
  }
  let newest: Newest | undefined;
  for await (const page of paginateDescribeSnapshots({ client: ec2 }, { OwnerIds: ['self'], Filters: filters })) {
    for (const snapshot of page.Snapshots ?? []) {
      // A copy's StartTime is the start of the copy: EC2 keeps no time of the snapshot it was
      // copied from, and AWS Backup has no record of copies made by Data Lifecycle Manager.
      newest = newer(newest, snapshot.SnapshotId, snapshot.StartTime);
    }
  }
  return newest;
}

async function checkDailyDump(s3: S3Client, check: DailyDumpCheck, region: string, now: Date, verifications: VerificationStore | undefined, signal: AbortSignal | undefined): Promise<CheckResult> {
  const maxAgeHours = check.intervalHours + check.graceHours;
  const base = { kind: check.kind, resource: check.resource, tier: check.tier, region, maxAgeHours };
  // Every day that can hold a run young enough to count (interval and grace may exceed a day),
  // newest first; the newest day with a manifest holds the run that is verified.
  const days = dailyRunDays(now, maxAgeHours);
  const found = await listNewestDailyRunDay(s3, check.bucket, days, signal);
  const run = found && await verifyDailyRun(s3, check.bucket, found.keys, { now, store: verifications, ranged: { signal } });
  if (!run) {
    return {
      ...base,
      status: 'missing',
      detail: `no dump manifest under daily/${days[0]}/ back to daily/${days[days.length - 1]}/ (${days.length} days, for a run up to ${maxAgeHours} hours old) in bucket ${check.bucket}`,
    };
  }
  if (run.problem) {
    return { ...base, status: 'corrupt', detail: run.problem, newestCopy: run.prefix, newestAt: run.createdAt?.toISOString() };
  }
  const aged = ageResult(check, region, now, { id: run.prefix, at: run.createdAt! }, 'dump');
  const verified = { ...aged, detail: `${aged.detail}; ${run.verified}`, verifiedFiles: run.files };
  if (!run.completenessNotes) {
    return verified;
  }
  // Intact and fresh, but whether it holds everything was not established when it was taken:
  // not `ok`, and not `corrupt` either (nothing was found missing).
  const incomplete = `whether the dump is complete is unknown, its manifest notes: ${run.completenessNotes.join('; ')}`;
  return { ...verified, status: verified.status === 'ok' ? 'unknown' : verified.status, detail: `${verified.detail}; but ${incomplete}` };
}

async function checkYearlyArchive(s3: S3Client, check: YearlyArchiveCheck, region: string, now: Date): Promise<CheckResult> {
  const maxAgeHours = check.intervalHours + check.graceHours;
  const base = { kind: check.kind, resource: check.resource, tier: check.tier, region, maxAgeHours };
  const year = now.getUTCFullYear();
  const { run: thisYear, unfinished } = await findYearlyRun(s3, check.bucket, year);
  const describe = (run: { prefix: string; date: Date }, status: CheckResult['status'], detail: string): CheckResult => ({
    ...base, status, detail, newestCopy: run.prefix, newestAt: run.date.toISOString(), ageHours: round((now.getTime() - run.date.getTime()) / HOUR_MS),
  });
  // A whole run is `ok` only once its manifest's time fits its prefix; unread, it is `unknown`.
  const checkedOk = async (run: YearlyRun, whole: string): Promise<CheckResult> => {
    let time;
    try {
      time = await archiveManifestTime(s3, check.bucket, run);
    } catch (error) {
      if (error instanceof ManifestTimeUnknown) {
        return describe(run, 'unknown', `${whole}; but ${error.message}`);
      }
      throw error;
    }
    if ('problem' in time) {
      return describe(run, 'corrupt', time.problem);
    }
    const day = run.date.toISOString().slice(0, 10);
    const wrong = createdAtProblem({ at: time.createdAt, shown: time.shown }, `yearly/${day.slice(0, 4)}/${day}/`, day, now);
    return wrong
      ? describe(run, 'corrupt', `s3://${check.bucket}/${run.prefix}: ${wrong}`)
      : describe(run, 'ok', `${whole}; ${time.source} says the dump started at ${time.shown}`);
  };
  if (thisYear?.problem) {
    return describe(thisYear, 'corrupt', thisYear.problem);
  }
  if (thisYear) {
    return checkedOk(thisYear, `this year's archive ${thisYear.prefix} holds its dump, checksum file and manifest`);
  }
  const pending = unfinished ? `; ${unfinished} has no manifest yet (a copy in progress, or one that failed)` : '';
  const { run: lastYear } = await findYearlyRun(s3, check.bucket, year - 1);
  if (lastYear?.problem) {
    return describe(lastYear, 'corrupt', `no archive for ${year} under yearly/${year}/ in bucket ${check.bucket}, and last year's is not whole: ${lastYear.problem}${pending}`);
  }
  const hoursIntoYear = (now.getTime() - Date.UTC(year, 0, 1)) / HOUR_MS;
  if (lastYear && hoursIntoYear <= check.graceHours) {
    return checkedOk(lastYear, `this year's archive is not due yet (${round(hoursIntoYear)} of ${check.graceHours} grace hours into ${year}); last year's is ${lastYear.prefix}${pending}`);
  }
  if (lastYear) {
    return describe(lastYear, 'stale', `no archive for ${year} under yearly/${year}/ in bucket ${check.bucket}; the newest is last year's ${lastYear.prefix}${pending}`);
  }
  return { ...base, status: 'missing', detail: `no archive for ${year} or ${year - 1} under yearly/ in bucket ${check.bucket}${pending}` };
}

async function checkOne(check: CheckConfig, clients: RegionClients, region: string, now: Date, verifications: VerificationStore | undefined, signal: AbortSignal | undefined): Promise<CheckResult> {
  switch (check.kind) {
    case 'rds-snapshot':
      return ageResult(check, region, now, await newestRdsSnapshot(clients.rds, check), `available ${check.snapshotType === 'any' ? '' : `${check.snapshotType} `}RDS snapshot of ${check.dbInstanceIdentifier}`);
    case 'recovery-point':
      return ageResult(check, region, now, await newestRecoveryPoint(clients.backup, check), `completed recovery point of ${check.resourceArn}${check.backupVaultName ? ` in vault ${check.backupVaultName}` : ''}${check.backupVaultAccountId ? ` of account ${check.backupVaultAccountId}` : ''}`);
    case 'ebs-snapshot':
      return ageResult(check, region, now, await newestEbsSnapshot(clients.ec2, check), `completed EBS snapshot of ${check.volumeId ?? `tag ${check.tagKey}${check.tagValue !== undefined ? `=${check.tagValue}` : ''}`}`);
    case 'daily-dump':
      return checkDailyDump(clients.s3, check, region, now, verifications, signal);
    case 'yearly-archive':
      return checkYearlyArchive(clients.s3, check, region, now);
  }
}

/** `work`, or the signal's reason as soon as it is aborted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) {
    return work;
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    // Always settled through here, even once aborted: work that fails after it was given up
    // must not become an unhandled rejection, which ends the Lambda process.
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs one check. Never throws: an error, or `signal` aborting (the run's time is up) before
 * it finished, makes the result `unknown` with the reason. `verifications` holds the dump runs
 * verified earlier (without it, dumps are hashed in full).
 */
export async function runCheck(
  check: CheckConfig, clientsFor: ClientsFor, defaultRegion: string, now: Date, verifications?: VerificationStore, signal?: AbortSignal,
): Promise<CheckResult> {
  const region = check.region ?? defaultRegion;
  try {
    return await untilAborted(checkOne(check, clientsFor(check.region), region, now, verifications, signal), signal);
  } catch (error) {
    return {
      kind: check.kind, resource: check.resource, tier: check.tier, region,
      maxAgeHours: check.intervalHours + check.graceHours,
      status: 'unknown',
      detail: `${checkId(check)} could not be checked: ${describeError(error)}`,
    };
  }
}

/** Runs every check, a few at a time so that the account's API rate limits hold; see `runCheck` for `signal`. */
export async function runChecks(
  checks: CheckConfig[], clientsFor: ClientsFor, defaultRegion: string, now: Date,
  options: { concurrency?: number; verifications?: VerificationStore; signal?: AbortSignal } = {},
): Promise<CheckResult[]> {
  const concurrency = options.concurrency ?? 4;
  const results: CheckResult[] = new Array(checks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < checks.length) {
      const index = next++;
      results[index] = await runCheck(checks[index], clientsFor, defaultRegion, now, options.verifications, options.signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, checks.length) }, worker));
  return results;
}
