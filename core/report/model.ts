/**
 * Turns the stacks of a cloud assembly into the backup report: one row per protected
 * resource with its tiers, copies, keys, locks, checks and drills; the owner and the
 * recovery objectives; notifications; the KMS keys of all these, with what would delete them;
 * and every acknowledged compliance finding. Everything
 * is derived from CloudFormation resource types and properties and from the `cdk-backup-dr`
 * metadata the library writes.
 */
import { Acknowledgement, Assembly, ReportInputError, StackArtifact } from './assembly';
import { RpoShortfall, rpoShortfall } from './objectives';
import { OffSite, copyOffSite } from './off-site';
import { timelineOf } from './timeline-lanes';
import { Located, METADATA_KEY, meta } from './located';
import { AssemblyIndex } from './assembly-index';
import { tagsOf } from './resource-tags';
import { encryptionOf } from './resource-encryption';
import { locksOf } from './resource-locks';
import type { TierFacts } from './tier-facts';
import { backupPlanTiers, selectionsCovering } from './backup-plan';
import { dlmDefaultPoliciesTaking, dlmDefaultTiers, dlmNotKnownText, dlmPoliciesTargeting, dlmTiers, instancePoliciesTaking } from './dlm-policy';
import { referencedIds } from './template-references';
import type { Json } from './assembly';
import { rdsTiers } from './rds-backups';
import { clusterOfMember, clustersMaybeOfMember } from './aurora-cluster';
import { activity } from './activities';
import { notificationEntries } from './notifications';
import { s3LifecycleTiers } from './s3-buckets';
import { reportKeys } from './report-keys';

export { METADATA_KEY };

/** The stateful resource types that get a row, with a readable name. */
export const PROTECTED_TYPES: { [type: string]: string } = {
  'AWS::RDS::DBInstance': 'RDS DB instance',
  'AWS::RDS::DBCluster': 'RDS DB cluster',
  'AWS::EC2::Volume': 'EBS volume',
  // Its own disks: the EBS volumes of its BlockDeviceMappings and of its image's root device, which are no AWS::EC2::Volume.
  'AWS::EC2::Instance': 'EC2 instance',
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::DynamoDB::Table': 'DynamoDB table',
  'AWS::DynamoDB::GlobalTable': 'DynamoDB global table',
  'AWS::EFS::FileSystem': 'EFS file system',
};

/** A copy of a tier's backups in another place. */
export interface CopyEntry {
  readonly destination: string;
  readonly region: string;
  readonly account: string;
  readonly retention: string;
  readonly minHours?: number;
  readonly maxHours?: number;
  readonly encryptionKey?: string;
  readonly locks: string[];
  /**
   * Set where the copy is not made for certain: an S3 replication rule that is `disabled`,
   * or whose status is `not known` at synth. Such a copy has no lifetime and is not off-site.
   */
  readonly status?: 'disabled' | 'not known';
  /** In another region or account than its source; `not known` where the assembly does not tell (`copyOffSite`). */
  readonly offsite: boolean | 'not known';
  /** What the copy leaves out, where it is not all of its source: an S3 replication rule copies only objects written after it exists. */
  readonly caveat?: string;
}

/** One backup tier of a protected resource. */
export interface TierEntry {
  readonly tier: string;
  /**
   * Of this tier's runs in the report's year, those the service takes as another rule or
   * schedule, kept longer, that starts with it: AWS Backup a rule of the plan whose start
   * window overlaps, DLM a schedule of the policy that starts at the same time (one backup,
   * kept as that rule or schedule). `notDocumented` (DLM): runs whose retention depends on
   * what DLM's documentation does not say about "the highest retention period" (how a count
   * of snapshots compares with a period or with another count, whether time in the snapshot
   * archive counts), by the schedules they may be kept as (`Rolling or Weekly`, `Monthly or Yearly`).
   * `notKnownAtSynth` (DLM): likewise, runs whose retention a token decides: a schedule's retention,
   * or the interval, times or cron expression of a schedule that may start with them; or that may
   * start with a schedule without `Times` (DLM picks its start) or with a cron expression the merge
   * check does not read (such a schedule's own tier has no `takenByLongerRules`: its runs are not known).
   * A run left open by both is counted here, once.
   */
  readonly takenByLongerRules?: {
    readonly year: number;
    readonly runs: number;
    readonly byRule: { readonly [rule: string]: number };
    readonly notDocumented?: { readonly [rules: string]: number };
    readonly notKnownAtSynth?: { readonly [rules: string]: number };
    /**
     * AWS Backup: set where a token (a rule's start window or retention), or a rule kept longer whose
     * schedule the check does not read, decides which runs another rule takes: why (byRule is then empty).
     */
    readonly notKnown?: string;
  };
  /** What takes the backups: AWS Backup plan rule, DLM schedule, RDS automated backups, S3 lifecycle, a job. */
  readonly mechanism: string;
  readonly schedule: string;
  readonly scheduleNote?: string;
  readonly runs: number[];
  /**
   * Set where the runs are a known time apart at a time of day that is not known (`runs` then
   * empty): a DLM interval schedule without `Times`, whose start DLM picks; RDS automated backups
   * without `PreferredBackupWindow` (RDS picks the window) or with one given by a token. Minutes between runs.
   */
  readonly intervalMinutes?: number;
  /** A schedule read in a zone with daylight saving time: `runs` are at the zone's January offset, these at its July offset. */
  readonly runsInJuly?: number[];
  /** How many minutes the runs move in UTC between January and July. */
  readonly daylightSavingMinutes?: number;
  readonly retention: string;
  readonly minHours?: number;
  readonly maxHours?: number;
  /** Where the backups are stored (vault, bucket, snapshots). */
  readonly storedIn?: string;
  readonly encryptionKey?: string;
  readonly locks: string[];
  readonly copies: CopyEntry[];
  /**
   * Set where a token or a condition leaves to the deploy whether the tier runs at all (an RDS DB
   * instance's `BackupRetentionPeriod`, which may be 0; an AWS Backup selection or plan, or a DLM
   * policy, with a `Condition`; a DLM policy whose `State` is a token): why.
   */
  readonly mayNotRun?: string;
}

/** A scheduled consistency check, restore drill or backup job. */
export interface ActivityEntry {
  readonly kind: string;
  readonly path: string;
  readonly type: string;
  readonly description?: string;
  readonly schedule: string;
  readonly scheduleNote?: string;
  readonly runs: number[];
  /** As `TierEntry.runsInJuly`. */
  readonly runsInJuly?: number[];
  /** As `TierEntry.daylightSavingMinutes`. */
  readonly daylightSavingMinutes?: number;
  readonly targets: string[];
}

/** One protected resource. */
export interface ProtectedResource {
  readonly stack: string;
  readonly region: string;
  readonly account: string;
  readonly type: string;
  readonly typeName: string;
  readonly logicalId: string;
  readonly path: string;
  readonly role: string;
  readonly tierTag?: string;
  readonly owner?: string;
  readonly tiers: TierEntry[];
  readonly encryption: string;
  readonly locks: string[];
  readonly checks: ActivityEntry[];
  readonly drills: ActivityEntry[];
  readonly backupJobs: ActivityEntry[];
  readonly exemptReason?: string;
  /**
   * Set on a resource without a tier or exemption that a selection may select: one line per
   * selection whose answer a token leaves to the deploy. Such a row is not known, not uncovered.
   */
  readonly coverageNotKnown?: string[];
  /**
   * On an Aurora DB instance of a cluster the assembly holds (`DBClusterIdentifier`), which has no
   * backups of its own: the cluster, its tiers' names (empty when it has none) and its exemption.
   */
  readonly backedUpWithCluster?: ClusterCoverage;
}

/** The coverage an Aurora DB instance has from its cluster. */
export interface ClusterCoverage {
  readonly path: string;
  readonly tiers: string[];
  readonly exemptReason?: string;
}

/** Whether a row's resource is an Aurora instance whose cluster has a tier or an exemption. */
export function coveredByCluster(r: ProtectedResource): boolean {
  const cluster = r.backedUpWithCluster;
  return cluster !== undefined && (cluster.tiers.length > 0 || cluster.exemptReason !== undefined);
}

/** Where notifications go. */
export interface NotificationEntry {
  readonly stack: string;
  readonly topic: string;
  readonly encryptionKey?: string;
  readonly subscribers: string[];
  readonly sources: string[];
}

/** A customer managed KMS key that encrypts backup data or the report's notifications. */
export interface KeyEntry {
  /** The key's stack; for a key not in the assembly, that of the first resource that names it. */
  readonly stack: string;
  readonly region: string;
  readonly account: string;
  /** The key's construct path, or the reference as written for a key not in the assembly (its ARN where a user writes one). */
  readonly key: string;
  /** For a key not in the assembly given by a token (a parameter, a function): the value as the template writes it (JSON), `key` then in words. */
  readonly written?: string;
  /**
   * For a key not in the assembly that may be one of it: `may be alias/<name> of this assembly` for an alias ARN whose region
   * or account a token gives; `may be <path>, whose name is <name>` (joined by `; or `) for an alias name a token gives, or one
   * an alias of its region and account named by a token may bear.
   */
  readonly mayBeInAssembly?: string;
  readonly logicalId?: string;
  readonly rotation: string;
  /** Its state, and what becomes of it on stack deletion and on replacement (with the pending window). */
  readonly locks: string[];
  /** The data, backups, copies and topics it encrypts. */
  readonly encrypts: string[];
}

/** One lane of the weekly timeline. */
export interface TimelineLane {
  readonly label: string;
  readonly kind: 'tier' | 'activity';
  /** A tier's lane: the paths of the resources it covers (those whose runs, note and lifetimes it draws). */
  readonly resources?: string[];
  readonly runs: number[];
  /** The runs at the zone's July offset, when daylight saving time moves them. */
  readonly runsInJuly?: number[];
  readonly note?: string;
  /** `offsite` is `not known` where the copy's or its source's region or account is not in the assembly. */
  readonly lifetimes: Array<{ readonly label: string; readonly minHours: number; readonly maxHours: number; readonly offsite: boolean | 'not known' }>;
}

/** The whole report. */
export interface ReportModel {
  readonly source: string;
  readonly stacks: Array<{ readonly id: string; readonly account: string; readonly region: string; readonly description?: string }>;
  readonly owners: string[];
  /**
   * The recovery objectives of each stack; with an RPO, `rpoNotMetBy` lists the protected
   * resources of the stack whose scheduled backups are further apart (empty when all meet it).
   */
  readonly objectives: Array<{
    readonly stack: string;
    readonly rpoMinutes?: number;
    readonly rtoMinutes?: number;
    readonly rpoNotMetBy?: RpoShortfall[];
    /** With an RPO: the protected resources whose coverage is not known at synth (`coverageNotKnown`), so whether they meet it is not known either. */
    readonly rpoNotKnownFor?: RpoShortfall[];
  }>;
  readonly resources: ProtectedResource[];
  readonly activities: ActivityEntry[];
  readonly notifications: NotificationEntry[];
  /** The KMS keys of the resources, vaults, copies and topics above: deleting one makes what it encrypts unreadable. */
  readonly keys: KeyEntry[];
  readonly acknowledgements: Acknowledgement[];
  readonly timeline: TimelineLane[];
  readonly summary: ReportSummary;
}

/** The counts the report leads with (the HTML cards, the Markdown summary, the command's line). */
export interface ReportSummary {
  readonly protectedResources: number;
  /** Protected resources without a tier or an exemption (those whose coverage is not known at synth left out). */
  readonly withoutTierOrExemption: number;
  /**
   * Protected resources without an exemption whose coverage only the deploy can tell: without a tier (`coverageNotKnown`),
   * or whose every tier may not run (`mayNotRun`, a DB instance's retention given by a token that may be 0).
   */
  readonly coverageNotKnownAtSynth: number;
  /** Protected resources with a copy known to be off site. */
  readonly withOffSiteCopy: number;
  /** Protected resources without a copy known to be off site, but with one that may be. */
  readonly offSiteCopyNotKnown: number;
  readonly acknowledgedFindings: number;
}

/** Options of `buildReport`. */
export interface ReportOptions {
  /** The calendar year in which overlapping backup rules are counted. @default the current year (UTC) */
  readonly year?: number;
}

/** Builds the report; throws `ReportInputError` when no stack carries the library's metadata. */
export function buildReport(assembly: Assembly, options: ReportOptions = {}): ReportModel {
  const all: Located[] = assembly.stacks.flatMap((stack) => Object.entries(stack.template.Resources ?? {}).map(([logicalId, resource]) => ({
    stack, logicalId, resource, path: stack.pathOfLogicalId.get(logicalId) ?? `${stack.id}/${logicalId}`,
  })));
  const usesLibrary = assembly.stacks.some((s) => s.template.Metadata?.[METADATA_KEY] !== undefined) || all.some((r) => r.resource.Metadata?.[METADATA_KEY] !== undefined);
  if (!usesLibrary) {
    throw new ReportInputError(`${assembly.directory} is not from an app that uses cdk-backup-dr: no template or resource carries '${METADATA_KEY}' metadata`);
  }
  const ctx = new Context(all, options.year ?? new Date().getUTCFullYear());
  const activities = all.filter((r) => ['consistency-check', 'restore-drill', 'backup-job'].includes(meta(r)?.role)).map((r) => activity(ctx, ctx.year, r));
  const resources = all
    .filter((r) => PROTECTED_TYPES[r.resource.Type] !== undefined || meta(r)?.role === 'protected-data')
    .map((r) => ctx.protectedResource(r, activities))
    .sort((a, b) => a.path.localeCompare(b.path));
  const owners = new Set<string>();
  for (const stack of assembly.stacks) {
    const owner = stack.template.Metadata?.[METADATA_KEY]?.owner;
    if (typeof owner === 'string') {
      owners.add(owner);
    }
  }
  for (const r of all) {
    const owner = meta(r)?.owner;
    if (typeof owner === 'string') {
      owners.add(owner);
    }
  }
  const notifications = notificationEntries(ctx);
  const acknowledgements = assembly.stacks.flatMap((s) => s.acknowledgements).sort((a, b) => a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path));
  return {
    source: assembly.directory,
    stacks: assembly.stacks.map((s) => ({ id: s.id, account: s.account, region: s.region, description: s.template.Description })),
    owners: [...owners].sort(),
    objectives: assembly.stacks
      .map((s) => objectivesOf(s, resources))
      .filter((o) => o.rpoMinutes !== undefined || o.rtoMinutes !== undefined),
    resources,
    activities,
    notifications,
    keys: reportKeys(ctx, resources, activities),
    acknowledgements,
    timeline: timelineOf(resources, activities),
    summary: summaryOf(resources, acknowledgements),
  };
}

function summaryOf(resources: ProtectedResource[], acknowledgements: Acknowledgement[]): ReportSummary {
  const offSiteOf = (r: ProtectedResource): Set<CopyEntry['offsite']> => new Set(r.tiers.flatMap((t) => t.copies.map((c) => c.offsite)));
  const withoutTier = resources.filter((r) => r.tiers.length === 0 && r.exemptReason === undefined && !coveredByCluster(r));
  // A row whose every tier may not run (a token the deploy may set to 0) is not known to be covered.
  const mayNotRunOnly = resources.filter((r) => r.tiers.length > 0 && r.tiers.every((t) => t.mayNotRun !== undefined) && r.exemptReason === undefined);
  return {
    protectedResources: resources.length,
    withoutTierOrExemption: withoutTier.filter((r) => r.coverageNotKnown === undefined).length,
    coverageNotKnownAtSynth: withoutTier.filter((r) => r.coverageNotKnown !== undefined).length + mayNotRunOnly.length,
    withOffSiteCopy: resources.filter((r) => offSiteOf(r).has(true)).length,
    offSiteCopyNotKnown: resources.filter((r) => !offSiteOf(r).has(true) && offSiteOf(r).has('not known')).length,
    acknowledgedFindings: acknowledgements.length,
  };
}

/** A stack's objectives; the RPO checked against the backups of its protected data (backup stores and exemptions left out). */
function objectivesOf(stack: StackArtifact, resources: ProtectedResource[]): ReportModel['objectives'][number] {
  const recorded = stack.template.Metadata?.[METADATA_KEY] ?? {};
  const rpoMinutes: number | undefined = recorded.rpoMinutes;
  const rtoMinutes: number | undefined = recorded.rtoMinutes;
  if (rpoMinutes === undefined) {
    return { stack: stack.id, rpoMinutes, rtoMinutes };
  }
  const checked = resources
    // An Aurora instance's backups are its cluster's: the cluster's row is checked.
    .filter((r) => r.stack === stack.id && r.role === 'protected-data' && r.exemptReason === undefined && r.backedUpWithCluster === undefined);
  // A row whose coverage only the deploy can tell has no tier at synth, which is not "no backup tier".
  const notKnown = checked.filter((r) => r.tiers.length === 0 && r.coverageNotKnown !== undefined);
  const shortfalls = checked
    .filter((r) => !notKnown.includes(r))
    .map((r) => rpoShortfall(r.path, r.tiers, rpoMinutes))
    .filter((s): s is RpoShortfall => s !== undefined);
  // A shortfall of a row with a tier whose schedule only the deploy can tell is not known either.
  const scheduleNotKnown = (path: string): TierEntry[] => resources.find((r) => r.path === path)!.tiers.filter((t) => t.scheduleNote === 'not known');
  // A tier that may not run at all meets the RPO only if it runs: not known, where the others do not meet it.
  const mayNotRun = checked.filter((r) => !notKnown.includes(r) && r.tiers.some((t) => t.mayNotRun !== undefined)
    && rpoShortfall(r.path, r.tiers, rpoMinutes) === undefined && rpoShortfall(r.path, r.tiers.filter((t) => t.mayNotRun === undefined), rpoMinutes) !== undefined);
  const rpoNotKnownFor = [
    ...notKnown.map((r) => ({ path: r.path, reason: `coverage not known at synth: ${r.coverageNotKnown!.join('; ')}` })),
    ...mayNotRun.map((r) => ({ path: r.path, reason: `whether its backups run is not known at synth: ${r.tiers.filter((t) => t.mayNotRun !== undefined).map((t) => `${t.tier}: ${t.mayNotRun}`).join('; ')}` })),
    ...shortfalls.filter((s) => scheduleNotKnown(s.path).length > 0)
      .map((s) => ({ path: s.path, reason: `schedule not known at synth: ${scheduleNotKnown(s.path).map((t) => `${t.tier}: ${t.schedule}`).join('; ')}` })),
  ];
  const rpoNotMetBy = shortfalls.filter((s) => scheduleNotKnown(s.path).length === 0);
  return { stack: stack.id, rpoMinutes, rtoMinutes, rpoNotMetBy, ...(rpoNotKnownFor.length > 0 ? { rpoNotKnownFor } : {}) };
}

class Context extends AssemblyIndex {
  constructor(all: Located[], readonly year: number) {
    super(all);
  }

  // ---- the resources' own settings -----------------------------------------------------

  ownTiers(r: Located): TierFacts[] {
    const tierName = meta(r)?.tier;
    if (r.resource.Type === 'AWS::RDS::DBInstance' || r.resource.Type === 'AWS::RDS::DBCluster') {
      return rdsTiers(this, r);
    }
    // A bucket's lifecycle is a backup tier only when the bucket holds backups (a library
    // backup store); elsewhere expiry deletes data rather than keeping a copy of it.
    if (r.resource.Type === 'AWS::S3::Bucket' && (tierName !== undefined || meta(r)?.role === 'backup-store')) {
      return s3LifecycleTiers(this, this.year, r);
    }
    return [];
  }

  /** The instances an EBS volume is attached to: by an `AWS::EC2::VolumeAttachment` or the instance's `Volumes`. */
  attachedTo(r: Located): Located[] {
    if (r.resource.Type !== 'AWS::EC2::Volume') {
      return [];
    }
    const names = (value: unknown): boolean => referencedIds(value).has(r.logicalId);
    const byAttachment = this.ofType('AWS::EC2::VolumeAttachment')
      .filter((a) => a.stack.id === r.stack.id && names(a.resource.Properties?.VolumeId))
      .map((a) => this.referencedOfType(a.resource.Properties?.InstanceId, a.stack, 'AWS::EC2::Instance'))
      .filter((i): i is Located => i !== undefined);
    const byInstance = this.ofType('AWS::EC2::Instance').filter((i) => i.stack.id === r.stack.id
      && (Array.isArray(i.resource.Properties?.Volumes) ? i.resource.Properties.Volumes : []).some((v: Json) => names(v?.VolumeId)));
    return [...new Set([...byAttachment, ...byInstance])];
  }

  /**
   * An attached volume's tiers from its instance: AWS Backup backs up all the EBS volumes of an
   * instance it selects, and a DLM `INSTANCE` policy snapshots all of them (but those it excludes by tag).
   */
  attachedTiers(r: Located): TierFacts[] {
    return this.attachedTo(r).flatMap((instance) => {
      const via = ` (its instance ${instance.path}, to which it is attached)`;
      return [
        ...selectionsCovering(this, instance).flatMap((sel) => backupPlanTiers(this, this.year, sel)).map((tier) => ({ ...tier, mechanism: `${tier.mechanism}${via}` })),
        ...dlmTiers(this, this.year, r, instancePoliciesTaking(this, instance, r).taking, via),
      ];
    });
  }

  /** A resource's tiers, its exemption, and why its coverage is not known where only the deploy can tell. */
  coverage(r: Located): { readonly tiers: TierEntry[]; readonly exemptReason?: string; readonly notKnown: string[]; readonly cluster?: ClusterCoverage } {
    const m = meta(r) ?? {};
    const source = { region: r.stack.region, account: r.stack.account };
    const tiers: TierEntry[] = [
      ...selectionsCovering(this, r).flatMap((sel) => backupPlanTiers(this, this.year, sel)),
      ...dlmTiers(this, this.year, r),
      ...dlmDefaultTiers(this, r),
      ...this.ownTiers(r),
      ...this.attachedTiers(r),
    ].map((tier) => ({ ...tier, copies: tier.copies.map((copy) => ({ ...copy, offsite: offSiteFlag(copyOffSite(copy, source)) })) }));
    const exemptReason = m.role === 'exempt' ? this.render(m.exemptReason ?? '', r.stack) : undefined;
    if (tiers.length > 0 || exemptReason !== undefined) {
      return { tiers, exemptReason, notKnown: [] };
    }
    const notKnown = [
      ...this.attachedTo(r).flatMap((instance) => [
        ...selectionsCovering(this, instance, 'unknown').map((sel) => `AWS Backup selection ${sel.path} of its instance ${instance.path} compares a tag whose value (its own or the selection's) is a token`),
        ...instancePoliciesTaking(this, instance, r).notKnown,
      ]),
      ...selectionsCovering(this, r, 'unknown').map((sel) => `AWS Backup selection ${sel.path} compares a tag whose value (its own or the selection's) is a token`),
      ...dlmPoliciesTargeting(this, r, 'unknown').map((policy) => dlmNotKnownText(policy, r)),
      ...dlmDefaultPoliciesTaking(this, r).notKnown,
    ];
    if (r.resource.Type !== 'AWS::RDS::DBInstance' || r.resource.Properties?.DBClusterIdentifier === undefined) {
      return { tiers, notKnown };
    }
    const clusterOf = clusterOfMember(this, r);
    if (clusterOf === undefined) {
      const written = this.render(r.resource.Properties.DBClusterIdentifier, r.stack);
      const maybe = clustersMaybeOfMember(this, r).map((cluster) => cluster.path);
      return { tiers, notKnown: [...notKnown, maybe.length > 0
        ? `its cluster ${written} may be ${maybe.join(' or ')}, whose region or account, or this instance's, is not known at synth, so whether the cluster is backed up is not known`
        : `its cluster ${written} is not in the assembly, so whether the cluster is backed up is not known`] };
    }
    const ofCluster = this.coverage(clusterOf);
    const cluster: ClusterCoverage = {
      path: clusterOf.path,
      tiers: [...new Set(ofCluster.tiers.map((t) => t.tier))],
      ...(ofCluster.exemptReason !== undefined ? { exemptReason: ofCluster.exemptReason } : {}),
    };
    const covered = cluster.tiers.length > 0 || cluster.exemptReason !== undefined;
    return { tiers, cluster, notKnown: covered ? [] : [...notKnown, ...ofCluster.notKnown.map((line) => `its cluster ${clusterOf.path}: ${line}`)] };
  }

  protectedResource(r: Located, activities: ActivityEntry[]): ProtectedResource {
    const m = meta(r) ?? {};
    const { tiers, exemptReason, notKnown, cluster } = this.coverage(r);
    const concerns = (a: ActivityEntry): boolean => a.targets.some((t) => r.path === t || r.path.startsWith(`${t}/`));
    const tags = tagsOf(r.resource);
    return {
      stack: r.stack.id,
      region: r.stack.region,
      account: r.stack.account,
      type: r.resource.Type,
      typeName: PROTECTED_TYPES[r.resource.Type] ?? r.resource.Type,
      logicalId: r.logicalId,
      path: r.path,
      role: m.role ?? 'protected-data',
      tierTag: tags['backup:tier'] ?? m.tier,
      owner: tags['backup:owner'] ?? m.owner,
      tiers,
      encryption: encryptionOf(this, r),
      locks: locksOf(this, r),
      checks: activities.filter((a) => a.kind === 'consistency check' && concerns(a)),
      drills: activities.filter((a) => a.kind === 'restore drill' && concerns(a)),
      backupJobs: activities.filter((a) => a.kind === 'backup job' && concerns(a)),
      exemptReason,
      ...(notKnown.length > 0 ? { coverageNotKnown: notKnown } : {}),
      ...(cluster !== undefined ? { backedUpWithCluster: cluster } : {}),
    };
  }

}

function offSiteFlag(offSite: OffSite): boolean | 'not known' {
  return offSite === 'not known' ? offSite : offSite === 'yes';
}
