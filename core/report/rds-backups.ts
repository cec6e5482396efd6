/** RDS: the automated backups of a DB instance or cluster, and its read replicas (their source, engine and backups) as copies. */
import type { StackArtifact } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { encryptionOf } from './resource-encryption';
import { daysRetention, windowRuns } from './schedule';
import { PartialRetention, knownNumber } from './template-numbers';
import type { CopyFacts, TierFacts } from './tier-facts';
import { ValueText, arnPlace, givenByToken, mayBeNamed } from './token-arn';
import { tokenText } from './token-text';

/** The engines whose read replicas RDS takes automated backups of (Amazon RDS User Guide, differences between read replicas for DB engines). */
const READ_REPLICA_BACKUP_ENGINES = /^(mysql|mariadb|db2-)/;

/** A read replica matched to its source by the DB instance name its template writes, not by a reference. */
const BY_NAME = 'matched by DB instance name (the template names the source, with no reference to it the report can follow)';

/** The automated backups of an RDS DB instance or cluster, and of a read replica where RDS takes them; none for a member of a cluster. */
export function rdsTiers(index: AssemblyIndex, r: Located): TierFacts[] {
  const p = r.resource.Properties ?? {};
  // An instance of a cluster has no backups of its own: the cluster's are on the cluster's row.
  if (p.ReplicationSourceIdentifier !== undefined || (r.resource.Type === 'AWS::RDS::DBInstance' && p.DBClusterIdentifier !== undefined)) {
    return [];
  }
  // A read replica has automated backups only where its template sets a retention.
  if (p.SourceDBInstanceIdentifier !== undefined && p.BackupRetentionPeriod === undefined) {
    return [];
  }
  // A retention that is a token (a parameter) is set at deploy: the tier is shown, its retention not known.
  const days = p.BackupRetentionPeriod === undefined ? 1 : knownNumber(p.BackupRetentionPeriod);
  if (days !== undefined && !(days > 0)) {
    return [];
  }
  const tokenRetention: PartialRetention = {
    text: `not known at synth (BackupRetentionPeriod is ${tokenText(p.BackupRetentionPeriod)}${r.resource.Type === 'AWS::RDS::DBInstance' ? '; 0 would turn automated backups off' : ''})`,
  };
  const daysSet = days === undefined ? `${tokenText(p.BackupRetentionPeriod)}, not known at synth,` : `${days} ${days === 1 ? 'day' : 'days'}`;
  // A read replica's tier is its daily backups, without transaction logs (see the replica below).
  const runs = windowRuns(p.PreferredBackupWindow, p.SourceDBInstanceIdentifier === undefined);
  const retention = days === undefined ? tokenRetention : daysRetention(days, ', point-in-time restore within it');
  /** The tier of automated backups that run in the backup window, kept `kept`, copied to the read replicas. */
  const automated = (mechanism: string, schedule: string, kept: PartialRetention): TierFacts => ({
    tier: 'automated backups',
    mechanism,
    schedule,
    scheduleNote: runs.note,
    runs: runs.minutes,
    ...(runs.intervalMinutes ? { intervalMinutes: runs.intervalMinutes } : {}),
    retention: kept.text,
    minHours: kept.minHours,
    maxHours: kept.maxHours,
    storedIn: `RDS backup storage in ${r.stack.region}`,
    encryptionKey: encryptionOf(index, r),
    locks: [],
    copies: replicasOf(index, r),
  });

  if (p.SourceDBInstanceIdentifier !== undefined) {
    const { engine, note: engineNote, notFound } = replicaEngine(index, r);
    if (engine === undefined || !READ_REPLICA_BACKUP_ENGINES.test(engine)) {
      return [{
        tier: 'automated backups',
        mechanism: 'RDS automated backups of a read replica, not known',
        schedule: `not known: the template sets a retention of ${daysSet}; the Amazon RDS User Guide documents automated backups of MySQL, MariaDB and Db2 read replicas, `
          + `and this replica's engine is ${engine === undefined ? notFound : engine}${engineNote}`,
        scheduleNote: 'not known',
        runs: [],
        retention: `not known (${daysSet} set)`,
        storedIn: `RDS backup storage in ${r.stack.region}`,
        encryptionKey: encryptionOf(index, r),
        locks: [],
        copies: [],
      }];
    }
    // Daily backups; whether RDS restores a read replica's backups to a point in time is not in the template.
    return [automated('RDS automated backups of a read replica', `${runs.text}${engineNote}`, days === undefined ? tokenRetention : daysRetention(days))];
  }
  const mayNotRun = days === undefined && r.resource.Type === 'AWS::RDS::DBInstance'
    ? { mayNotRun: `BackupRetentionPeriod is ${tokenText(p.BackupRetentionPeriod)}, a token: 0 would turn automated backups off` } : {};
  return [{ ...mayNotRun, ...automated('RDS automated backups', runs.text, retention) }];
}

/**
 * The DB instance a read replica replicates: by reference where the template has one (in
 * the replica's stack, through another stack's export, or through CDK's cross-region export
 * reader); otherwise by the DB instance name, in the region and account of the identifier's
 * ARN (of the replica for a bare name). A hand-written name or ARN, or one from outside the
 * app, leaves nothing else in the template, so such a match is said as one by name.
 */
export function replicaSource(index: AssemblyIndex, replica: Located): { readonly source: Located; readonly byName: boolean } | undefined {
  const value = replica.resource.Properties?.SourceDBInstanceIdentifier;
  if (value === undefined) {
    return undefined;
  }
  const referenced = index.referenced(value, replica.stack);
  if (referenced?.resource.Type === 'AWS::RDS::DBInstance') {
    return { source: referenced, byName: false };
  }
  // A name a token gives (a parameter, a function) is decided at deploy: it never matches an instance by its text.
  if (givenByToken(value, textIn(index, replica.stack))) {
    return undefined;
  }
  const { region, account, name } = sourceAddress(index, value, replica);
  // RDS keeps DB instance identifiers in lower case.
  const source = name === '' ? undefined : index.ofType('AWS::RDS::DBInstance').find((other) => other !== replica
    && other.stack.region === region && other.stack.account === account
    && !givenByToken(other.resource.Properties?.DBInstanceIdentifier, textIn(index, other.stack))
    && index.nameOf(other.resource.Properties?.DBInstanceIdentifier, other.stack).toLowerCase() === name.toLowerCase());
  return source ? { source, byName: true } : undefined;
}

/**
 * The engine of a read replica: its own, or its source's where the source is in the assembly;
 * `notFound` says why the source's is not known where it is not: a token gives the source's engine,
 * the region, account or name of its ARN, or the whole name or ARN (the source may then be an
 * instance of the assembly), or the name of an instance of its region and account that may be the
 * source, or the source is not in the assembly.
 */
export function replicaEngine(index: AssemblyIndex, replica: Located): { readonly engine?: string; readonly note: string; readonly notFound: string } {
  const own = replica.resource.Properties?.Engine;
  if (typeof own === 'string') {
    return { engine: own, note: '', notFound: '' };
  }
  const found = replicaSource(index, replica);
  const engine = found?.source.resource.Properties?.Engine;
  return {
    engine: typeof engine === 'string' ? engine : undefined,
    note: found?.byName ? `; its engine is that of ${found.source.path}, ${BY_NAME}` : '',
    notFound: found && engine !== undefined ? `not known at synth (${index.render(engine, found.source.stack)})` : sourceNotFoundText(index, replica),
  };
}

/** Why a replica's engine is not known where its source is not in the assembly. */
const SOURCE_NOT_IN_ASSEMBLY = 'not in the assembly (its source is not)';

/** The region, account and DB instance name a source identifier (a name or an ARN) gives: those of the ARN, or of the replica for a bare name. */
function sourceAddress(index: AssemblyIndex, value: unknown, replica: Located): { readonly region: string; readonly account: string; readonly name: string } {
  const text = index.nameOf(value, replica.stack);
  const arn = /^arn:[^:]+:rds:([^:]*):([^:]*):db:(.+)$/.exec(text);
  return arn ? { region: arn[1], account: arn[2], name: arn[3] } : { region: replica.stack.region, account: replica.stack.account, name: text };
}

/** The DB instances of the region and account a literal source identifier gives whose own name a token gives and may be that name (RDS ignores case), each with its name in words. */
function sourcesMayBeNamed(index: AssemblyIndex, value: unknown, replica: Located): string[] {
  const { region, account, name } = sourceAddress(index, value, replica);
  return index.ofType('AWS::RDS::DBInstance')
    .filter((other) => other !== replica && other.stack.region === region && other.stack.account === account
      && mayBeNamed(other.resource.Properties?.DBInstanceIdentifier, textIn(index, other.stack), name, true))
    .map((other) => `${other.path}, whose name is ${index.render(other.resource.Properties?.DBInstanceIdentifier, other.stack)}`);
}

/** Why the engine of a replica whose source `replicaSource` did not find is not known. */
function sourceNotFoundText(index: AssemblyIndex, replica: Located): string {
  const value = replica.resource.Properties?.SourceDBInstanceIdentifier;
  const place = arnPlace(value, 'rds', textIn(index, replica.stack));
  if (place?.byToken) {
    return `not known (its source is in region ${place.region}, account ${place.account})`;
  }
  if (place?.resourceByToken) {
    return `not known (its source is DB instance named not known at synth (${place.resource.replace(/^db:/, '')}), in region ${place.region}, account ${place.account})`;
  }
  if (givenByToken(value, textIn(index, replica.stack))) {
    return place ? SOURCE_NOT_IN_ASSEMBLY : `not known at synth (${index.render(value, replica.stack)})`;
  }
  const mayBe = sourcesMayBeNamed(index, value, replica);
  return mayBe.length > 0 ? `not known at synth (its source may be ${mayBe.join('; or ')})` : SOURCE_NOT_IN_ASSEMBLY;
}


/** How a value of `stack` reads, in words and as a name to match. */
function textIn(index: AssemblyIndex, stack: StackArtifact): ValueText {
  return { render: (v) => index.render(v, stack), nameOf: (v) => index.nameOf(v, stack) };
}

export function replicasOf(index: AssemblyIndex, r: Located): CopyFacts[] {
  return index.ofType('AWS::RDS::DBInstance').map((replica) => ({ replica, found: replicaSource(index, replica) }))
    .filter(({ found }) => found?.source === r)
    .map(({ replica, found }) => ({
      destination: `read replica ${replica.path}${replica.resource.Properties?.AvailabilityZone ? ` in ${index.render(replica.resource.Properties.AvailabilityZone, replica.stack)}` : ''}`
        + `${found!.byName ? `, ${BY_NAME}` : ''}`,
      region: replica.stack.region,
      account: replica.stack.account,
      retention: 'live copy, replicated continuously',
      encryptionKey: encryptionOf(index, replica),
      locks: replica.resource.Properties?.DeletionProtection === true ? ['deletion protection'] : [],
    }));
}
