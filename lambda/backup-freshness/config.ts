/**
 * The configuration of the backup freshness function: one JSON document in the environment
 * variable `FRESHNESS_CONFIG`, written by the `ConsistencyChecks` construct and validated
 * once at cold start. When it is invalid, `readOutputs` still finds where the run's
 * `unknown` outcome goes.
 */

/** The kinds of copy this function checks. */
export const CHECK_KINDS = ['rds-snapshot', 'recovery-point', 'ebs-snapshot', 'daily-dump', 'yearly-archive'] as const;
export type CheckKind = typeof CHECK_KINDS[number];

/** Which RDS snapshots count. */
export const SNAPSHOT_TYPES = ['automated', 'manual', 'awsbackup', 'any'] as const;
export type SnapshotType = typeof SNAPSHOT_TYPES[number];

interface CheckBase {
  /** The name of the tier (e.g. `hourly`, `daily`, `daily-dr`), a metric dimension. */
  readonly tier: string;
  /**
   * The label of the protected resource, the `Resource` metric dimension. Left out of the
   * JSON when it is the resource the other fields name: the instance, the last part of the
   * ARN, the volume or `tag:<key>[=<value>]`, the bucket.
   */
  readonly resource: string;
  /** The interval of the tier in hours: a copy is due this often. */
  readonly intervalHours: number;
  /** Hours a copy may be late before it counts as stale. */
  readonly graceHours: number;
  /** The region to look in. @default the function's own region */
  readonly region?: string;
}

/** The newest RDS snapshot of an instance of one type: automated, manual, AWS Backup, or `any` (automated and manual only, as RDS lists them when no type is given). */
export interface RdsSnapshotCheck extends CheckBase {
  readonly kind: 'rds-snapshot';
  readonly dbInstanceIdentifier: string;
  readonly snapshotType: SnapshotType;
}

/** The newest AWS Backup recovery point of a resource, in any vault or in one vault. */
export interface RecoveryPointCheck extends CheckBase {
  readonly kind: 'recovery-point';
  readonly resourceArn: string;
  /** Look only in this vault (e.g. the disaster-recovery vault, with `region`). */
  readonly backupVaultName?: string;
  /** The account of `backupVaultName`, when it is not the function's own. */
  readonly backupVaultAccountId?: string;
}

/** The newest EBS snapshot of a volume, or of every snapshot carrying a tag. */
export interface EbsSnapshotCheck extends CheckBase {
  readonly kind: 'ebs-snapshot';
  readonly volumeId?: string;
  readonly tagKey?: string;
  readonly tagValue?: string;
  /** A second tag (key and value) the snapshots must also carry. */
  readonly alsoTagKey?: string;
  readonly alsoTagValue?: string;
}

/** The newest dump in the 48-hour bucket: manifest, dump and checksum file, hashes verified. */
export interface DailyDumpCheck extends CheckBase {
  readonly kind: 'daily-dump';
  readonly bucket: string;
}

/** This year's archive in the yearly bucket: a run with its three files. */
export interface YearlyArchiveCheck extends CheckBase {
  readonly kind: 'yearly-archive';
  readonly bucket: string;
}

export type CheckConfig = RdsSnapshotCheck | RecoveryPointCheck | EbsSnapshotCheck | DailyDumpCheck | YearlyArchiveCheck;

/** Where a run's outcome goes: the metrics and the report. */
export interface FreshnessOutputs {
  /** The `Resource` dimension of the run's overall `CheckStatus`. */
  readonly resourceName: string;
  readonly metricNamespace: string;
  readonly reportBucket: string;
  /** Prefix of the reports, empty or ending in `/`. */
  readonly reportPrefix: string;
}

/** The whole configuration. */
export interface FreshnessConfig extends FreshnessOutputs {
  readonly checks: CheckConfig[];
  /**
   * Prefix in the report bucket, ending in `/`, of the records of dump runs verified
   * earlier (see `verification-record.ts`). Without it, every run hashes the dumps in full.
   */
  readonly verificationPrefix?: string;
}

/** A configuration that does not match the schema; the message names the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(`FRESHNESS_CONFIG${message}`);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  return value === undefined ? 'nothing' : String(JSON.stringify(value)).slice(0, 80);
}

function text(object: Json, key: string, path: string, optional = false): string | undefined {
  const value = object[key];
  if (value === undefined && optional) {
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`${path}.${key}: expected a non-empty string, got ${shown(value)}`);
  }
  return value;
}

/** 366 days, the most the construct allows for an interval or a grace; it bounds the days a dump check lists. */
const MAX_HOURS = 8784;

const ACCOUNT_ID = /^[0-9]{12}$/;

function hours(object: Json, key: string, path: string, min: number): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_HOURS) {
    throw new ConfigError(`${path}.${key}: expected a number of hours from ${min} to ${MAX_HOURS} (366 days), got ${shown(value)}`);
  }
  return value;
}

function parseCheck(value: unknown, index: number): CheckConfig {
  const path = `.checks[${index}]`;
  if (!isObject(value)) {
    throw new ConfigError(`${path}: expected an object, got ${shown(value)}`);
  }
  const kind = value.kind;
  if (typeof kind !== 'string' || !(CHECK_KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(`${path}.kind: expected one of ${CHECK_KINDS.join(', ')}, got ${shown(kind)}`);
  }
  const tier = text(value, 'tier', path)!;
  const sharedFields = {
    intervalHours: hours(value, 'intervalHours', path, 0.01),
    graceHours: hours(value, 'graceHours', path, 0),
    region: text(value, 'region', path, true),
  };
  // The construct leaves `resource` out when it is the one the check's other fields name:
  // the configuration is one environment variable, which Lambda limits to 4 KB.
  const resource = (named: string): string => text(value, 'resource', path, true) ?? named;
  switch (kind as CheckKind) {
    case 'rds-snapshot': {
      const snapshotType = value.snapshotType ?? 'any';
      if (typeof snapshotType !== 'string' || !(SNAPSHOT_TYPES as readonly string[]).includes(snapshotType)) {
        throw new ConfigError(`${path}.snapshotType: expected one of ${SNAPSHOT_TYPES.join(', ')}, got ${shown(snapshotType)}`);
      }
      const dbInstanceIdentifier = text(value, 'dbInstanceIdentifier', path)!;
      return { tier, resource: resource(dbInstanceIdentifier), ...sharedFields, kind: 'rds-snapshot', dbInstanceIdentifier, snapshotType: snapshotType as SnapshotType };
    }
    case 'recovery-point': {
      const resourceArn = text(value, 'resourceArn', path)!;
      const lastPart = resourceArn.slice(resourceArn.lastIndexOf(':') + 1);
      if (lastPart === '' && value.resource === undefined) {
        throw new ConfigError(`${path}.resource: expected a non-empty string (or a resourceArn whose last part after ':' names the resource), got nothing`);
      }
      const backupVaultName = text(value, 'backupVaultName', path, true);
      const backupVaultAccountId = value.backupVaultAccountId;
      if (backupVaultAccountId !== undefined && (typeof backupVaultAccountId !== 'string' || !ACCOUNT_ID.test(backupVaultAccountId))) {
        throw new ConfigError(`${path}.backupVaultAccountId: expected a 12-digit AWS account ID, got ${shown(backupVaultAccountId)}`);
      }
      if (backupVaultAccountId !== undefined && backupVaultName === undefined) {
        throw new ConfigError(`${path}.backupVaultAccountId: expected only with backupVaultName (the account of that vault), got ${shown(backupVaultAccountId)} without it`);
      }
      return { tier, resource: resource(lastPart), ...sharedFields, kind: 'recovery-point', resourceArn, backupVaultName, backupVaultAccountId };
    }
    case 'ebs-snapshot': {
      const volumeId = text(value, 'volumeId', path, true);
      const tagKey = text(value, 'tagKey', path, true);
      const tagValue = text(value, 'tagValue', path, true);
      if ((volumeId === undefined) === (tagKey === undefined)) {
        throw new ConfigError(`${path}: expected exactly one of volumeId and tagKey, got ${volumeId === undefined ? 'neither' : 'both'}`);
      }
      if (tagValue !== undefined && tagKey === undefined) {
        throw new ConfigError(`${path}.tagValue: needs tagKey`);
      }
      const alsoTagKey = text(value, 'alsoTagKey', path, true);
      const alsoTagValue = text(value, 'alsoTagValue', path, true);
      if ((alsoTagKey === undefined) !== (alsoTagValue === undefined)) {
        throw new ConfigError(`${path}: alsoTagKey and alsoTagValue go together, got only ${alsoTagKey === undefined ? 'alsoTagValue' : 'alsoTagKey'}`);
      }
      const named = volumeId ?? `tag:${tagKey}${tagValue !== undefined ? `=${tagValue}` : ''}`;
      return { tier, resource: resource(named), ...sharedFields, kind: 'ebs-snapshot', volumeId, tagKey, tagValue, alsoTagKey, alsoTagValue };
    }
    case 'daily-dump': {
      const bucket = text(value, 'bucket', path)!;
      return { tier, resource: resource(bucket), ...sharedFields, kind: 'daily-dump', bucket };
    }
    case 'yearly-archive': {
      const bucket = text(value, 'bucket', path)!;
      return { tier, resource: resource(bucket), ...sharedFields, kind: 'yearly-archive', bucket };
    }
  }
}

function isReportPrefix(value: unknown): value is string {
  return typeof value === 'string' && (value === '' || value.endsWith('/')) && !value.startsWith('/');
}

/**
 * The outputs that a configuration names, each read on its own and left out when it is
 * not valid, so that a run whose configuration is wrong can still report `unknown`
 * wherever it can. Nothing when the variable is not a JSON object.
 */
export function readOutputs(raw: string | undefined): Partial<FreshnessOutputs> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '');
  } catch {
    return {};
  }
  if (!isObject(parsed)) {
    return {};
  }
  const object = parsed;
  const optional = (key: keyof FreshnessOutputs): string | undefined => {
    const value = object[key];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const reportPrefix = object.reportPrefix ?? '';
  return {
    resourceName: optional('resourceName'),
    metricNamespace: optional('metricNamespace'),
    reportBucket: optional('reportBucket'),
    reportPrefix: isReportPrefix(reportPrefix) ? reportPrefix : undefined,
  };
}

/** Parses and validates the configuration; throws a `ConfigError` naming the first wrong field. */
export function parseConfig(raw: string | undefined): FreshnessConfig {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigError(': the environment variable is not set');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(parsed)) {
    throw new ConfigError(`: expected an object, got ${shown(parsed)}`);
  }
  const reportPrefix = parsed.reportPrefix ?? '';
  if (!isReportPrefix(reportPrefix)) {
    throw new ConfigError(`.reportPrefix: expected '' or a prefix ending in '/' (not starting with one), got ${shown(reportPrefix)}`);
  }
  if (!Array.isArray(parsed.checks)) {
    throw new ConfigError(`.checks: expected an array, got ${shown(parsed.checks)}`);
  }
  const verificationPrefix = parsed.verificationPrefix;
  if (verificationPrefix !== undefined && !(isReportPrefix(verificationPrefix) && verificationPrefix !== '')) {
    throw new ConfigError(`.verificationPrefix: expected a prefix ending in '/' (not starting with one), got ${shown(verificationPrefix)}`);
  }
  const checks = parsed.checks.map(parseCheck);
  const seen = new Set<string>();
  checks.forEach((check, i) => {
    const id = checkId(check);
    if (seen.has(id)) {
      throw new ConfigError(`.checks[${i}]: the check ${id} is listed twice`);
    }
    seen.add(id);
  });
  return {
    resourceName: text(parsed, 'resourceName', '')!,
    metricNamespace: text(parsed, 'metricNamespace', '')!,
    reportBucket: text(parsed, 'reportBucket', '')!,
    reportPrefix,
    checks,
    ...(verificationPrefix !== undefined ? { verificationPrefix } : {}),
  };
}

/** A readable id of a check: `kind resource tier [region]`. */
export function checkId(check: CheckConfig): string {
  return `${check.kind} ${check.resource} ${check.tier}${check.region ? ` in ${check.region}` : ''}`;
}
