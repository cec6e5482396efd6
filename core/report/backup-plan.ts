/** AWS Backup: the selections that cover a resource, and the tiers of their plan's rules (schedule, retention, vault, copies, runs taken by longer-kept rules). */
import type { Json } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import { AWS_BACKUP_COLD_STORAGE_SCOPE } from '../../lib/private/aws-backup-cold-storage';
import type { SelectionTagCondition, SelectionTerms, Selects } from '../../lib/report/backup-selection-rule';
import { backupCanProtect, selectionEntryNames, selectionSelects } from '../../lib/report/backup-selection-rule';
import { vaultArnPlace, vaultLocks, vaultNotFoundText, vaultOf, vaultText } from './backup-vaults';
import { clockGapText } from './clock-gap';
import { conditionText, mayNotRunText } from './resource-condition';
import { keyText } from './kms-key-refs';
import type { Located } from './located';
import type { TierEntry } from './model';
import { PlanRuleTimes, rulesMeeting, runsInYear, runsTakenByLongerRules } from './overlap';
import { selectionTagsOf } from './resource-tags';
import { WeeklyRuns, daysRetention, seasons, zonedWeeklyRuns } from './schedule';
import { referencedIds } from './template-references';
import { PartialRetention, knownNumber, notKnownRetention } from './template-numbers';
import type { CopyFacts, TierFacts } from './tier-facts';
import { tokenText } from './token-text';

export function selectionsCovering(index: AssemblyIndex, r: Located, answer: Selects = true): Located[] {
  const tags = selectionTagsOf(r.resource);
  if (!backupCanProtect(r.resource.Type, r.resource.Properties?.VersioningConfiguration?.Status)) {
    return [];
  }
  return index.ofType('AWS::Backup::BackupSelection').filter((sel) => sel.stack.id === r.stack.id
    && selectionSelects(selectionTerms(sel.resource.Properties?.BackupSelection ?? {}),
      (entry) => selectionEntryNames(entry, r.resource.Type, (value) => referencedIds(value).has(r.logicalId)), tags) === answer);
}

export function backupPlanTiers(index: AssemblyIndex, year: number, selection: Located): TierFacts[] {
  const plan = index.target(selection.resource.Properties?.BackupPlanId, selection.stack);
  if (!plan) {
    return [];
  }
  const planProps = plan.resource.Properties?.BackupPlan ?? {};
  const rules: Json[] = planProps.BackupPlanRule ?? [];
  const taken = planRunsTakenByLongerRules(year, rules);
  const mayNotRun = [conditionText('AWS Backup selection', selection), conditionText('AWS Backup plan', plan)].filter((x) => x !== undefined).join('; ');
  return rules.map((rule: Json): TierFacts => {
    const runs = rule.EnableContinuousBackup
      ? { minutes: [], text: 'continuous (point-in-time restore)', note: 'continuous backup' } as WeeklyRuns
      // AWS Backup reads the expression in the rule's time zone (UTC without one).
      : zonedWeeklyRuns(rule.ScheduleExpression ?? 'cron(0 5 ? * * *)', rule.ScheduleExpressionTimezone);
    const retention = lifecycleRetention(rule.Lifecycle);
    const vaultRef = rule.TargetBackupVault;
    const vault = vaultOf(index, vaultRef, plan.stack);
    const vaultNotFound = vaultNotFoundText(index, vaultRef, plan.stack);
    const copies = (rule.CopyActions ?? []).map((copy: Json): CopyFacts => {
      const arn = index.render(copy.DestinationBackupVaultArn, plan.stack);
      const parts = arn.split(':');
      // A region or account a token gives is said not known at synth, never a token's words split at their colons.
      const place = vaultArnPlace(index, copy.DestinationBackupVaultArn, plan.stack);
      const destination = vaultOf(index, copy.DestinationBackupVaultArn, plan.stack);
      const copyRetention = lifecycleRetention(copy.Lifecycle ?? rule.Lifecycle);
      const notFound = vaultNotFoundText(index, copy.DestinationBackupVaultArn, plan.stack);
      return {
        destination: destination ? destination.path : arn,
        region: destination?.stack.region ?? place?.region ?? parts[3] ?? 'unknown',
        account: destination?.stack.account ?? place?.account ?? parts[4] ?? 'unknown',
        retention: copyRetention.text,
        minHours: copyRetention.minHours,
        maxHours: copyRetention.maxHours,
        encryptionKey: destination ? keyText(index, destination.resource.Properties?.EncryptionKeyArn, destination.stack, 'AWS-owned key of AWS Backup') : notFound,
        locks: destination ? vaultLocks(index, destination) : [`locks ${notFound}`],
      };
    });
    const takenByLongerRules = taken.get(rule);
    const takenText = takenByLongerRules?.notKnown !== undefined
      ? `; in ${takenByLongerRules.year} how many of its ${takenByLongerRules.runs} backups AWS Backup takes as a rule kept longer whose start window overlaps is not known at synth (${takenByLongerRules.notKnown})`
      : takenByLongerRules
      ? `; in ${takenByLongerRules.year} AWS Backup takes ${Object.entries(takenByLongerRules.byRule).map(([name, n]) => `${n} as ${name}`).join(', ')} of its ${takenByLongerRules.runs} backups (a rule kept longer whose start window overlaps)`
      : '';
    return {
      tier: planRuleName(rule, rules),
      ...(takenByLongerRules ? { takenByLongerRules } : {}),
      mechanism: `AWS Backup plan ${plan.path}, rule ${planRuleName(rule, rules)}`,
      schedule: `${runs.text}${rule.StartWindowMinutes ? ` (start window ${tokenText(rule.StartWindowMinutes)} minutes${knownNumber(rule.StartWindowMinutes) === undefined ? ', not known at synth' : ''})` : ''}${takenText}${rule.EnableContinuousBackup ? '' : clockGapText(rule.ScheduleExpression, rule.ScheduleExpressionTimezone, year, 'AWS Backup')}${mayNotRunText(mayNotRun)}`,
      ...(mayNotRun ? { mayNotRun } : {}),
      scheduleNote: runs.note,
      runs: runs.minutes,
      ...seasons(runs),
      retention: retention.text,
      minHours: retention.minHours,
      maxHours: retention.maxHours,
      storedIn: vaultText(vault, index.render(vaultRef, plan.stack)),
      encryptionKey: vault ? keyText(index, vault.resource.Properties?.EncryptionKeyArn, vault.stack, 'AWS-owned key of AWS Backup') : vaultNotFound,
      locks: vault ? vaultLocks(index, vault) : [`locks ${vaultNotFound}`],
      copies,
    };
  });
}

/** The runs of each snapshot rule of a plan that AWS Backup takes as a longer-kept rule instead, in the report's year. */
function planRunsTakenByLongerRules(year: number, rules: Json[]): Map<Json, NonNullable<TierEntry['takenByLongerRules']>> {
  const snapshotRules = rules.filter((rule) => !rule.EnableContinuousBackup);
  // What a token (a parameter) gives, by rule: the deploy sets it.
  const tokens = snapshotRules.map((rule): string[] => [
    ...(rule.StartWindowMinutes !== undefined && knownNumber(rule.StartWindowMinutes) === undefined ? [`${planRuleName(rule, rules)}: StartWindowMinutes is ${tokenText(rule.StartWindowMinutes)}`] : []),
    ...(lifecycleDays(rule.Lifecycle?.DeleteAfterDays) !== undefined && knownNumber(rule.Lifecycle.DeleteAfterDays) === undefined
      ? [`${planRuleName(rule, rules)}: DeleteAfterDays is ${tokenText(rule.Lifecycle.DeleteAfterDays)}`] : []),
  ]);
  const times = snapshotRules.map((rule): PlanRuleTimes => {
    const zone = rule.ScheduleExpressionTimezone;
    return {
      name: planRuleName(rule, rules),
      runs: runsInYear(rule.ScheduleExpression ?? 'cron(0 5 ? * * *)', zone === undefined || typeof zone === 'string' ? zone : JSON.stringify(zone), year),
      // AWS Backup's default start window is 8 hours; one given by a token may be as long as the year (it then meets every rule).
      startWindowMinutes: rule.StartWindowMinutes === undefined ? 480 : knownNumber(rule.StartWindowMinutes) ?? YEAR_MINUTES,
      // A retention given by a token is never longer here: a rule it may decide is not known (below).
      retentionDays: lifecycleDays(rule.Lifecycle?.DeleteAfterDays) === undefined ? Infinity : knownNumber(rule.Lifecycle.DeleteAfterDays) ?? NaN,
    };
  });
  const taken = runsTakenByLongerRules(times);
  const meeting = rulesMeeting(times);
  // A rule AWS Backup runs whose runs the check does not read may meet any other (a form AWS rejects or does not document is said with its schedule).
  const unread = snapshotRules.map((rule, j): string | undefined => times[j].runs !== undefined ? undefined : unreadPlanRule(year, rule, rules));
  const result = new Map<Json, NonNullable<TierEntry['takenByLongerRules']>>();
  snapshotRules.forEach((rule, i) => {
    // Of those, the rules that may be kept longer than this one: each may take its runs.
    const unreadLonger = unread.filter((text, j): text is string => j !== i && text !== undefined && !(times[j].retentionDays <= times[i].retentionDays));
    // A token of this rule, or of a rule whose start window may meet it, decides which of its runs another rule takes.
    const deciding = [...snapshotRules.flatMap((_, j) => j === i || meeting.get(times[i].name)!.has(times[j].name) ? tokens[j] : []), ...unreadLonger];
    if (times[i].runs !== undefined && deciding.length > 0 && (meeting.get(times[i].name)!.size > 0 || unreadLonger.length > 0)) {
      result.set(rule, { year: year, runs: times[i].runs!.length, byRule: {}, notKnown: deciding.join('; ') });
      return;
    }
    const byRule = taken.get(times[i].name);
    if (byRule && byRule.size > 0) {
      result.set(rule, { year: year, runs: times[i].runs!.length, byRule: Object.fromEntries(byRule) });
    }
  });
  return result;
}

/**
 * Why the overlap check does not read the runs of an AWS Backup rule that AWS runs: a schedule
 * expression given by a token, a year field other than `*`, a time zone given by a token or one
 * the report does not know, or both of the last; undefined for any other (a form AWS rejects or does not document).
 */
function unreadPlanRule(year: number, rule: Json, rules: readonly Json[]): string | undefined {
  // Without one, AWS Backup runs the rule at its default (as `runsTakenByLongerRules` reads it).
  const expression: unknown = rule.ScheduleExpression ?? 'cron(0 5 ? * * *)';
  const zone: unknown = rule.ScheduleExpressionTimezone;
  if (typeof expression !== 'string') {
    return `${planRuleName(rule, rules)}: ScheduleExpression is ${tokenText(expression)}`;
  }
  const anyYear = expression.replace(/\s+\S+\s*\)\s*$/, ' *)');
  if (runsInYear(anyYear, undefined, year) === undefined) {
    return undefined;
  }
  const zoneRead = zone === undefined || (typeof zone === 'string' && runsInYear(anyYear, zone, year) !== undefined);
  const reasons = [
    ...(runsInYear(expression, undefined, year) === undefined ? [`the year field of ${expression} is one the overlap check does not read`] : []),
    ...(zoneRead ? [] : typeof zone === 'string' ? [`the time zone ${zone} is not one the overlap check knows`] : [`ScheduleExpressionTimezone is given by a token (${tokenText(zone)})`]),
  ];
  return reasons.length > 0 ? `${planRuleName(rule, rules)}: ${reasons.join(' and ')}, not checked` : undefined;
}

/** A start window given by a token may be any length: as long as a year, it meets every other rule. */
const YEAR_MINUTES = 366 * 1440;

/** A template's `BackupSelection` property with the L1 class's property names. */
function selectionTerms(selection: Json): SelectionTerms {
  // A key or value that is not a string (a Ref, a Fn::Sub) is kept: the rule answers unknown for it.
  const tagConditions = (list: unknown): SelectionTagCondition[] => (Array.isArray(list) ? list : [])
    .filter((entry: Json) => entry?.ConditionKey !== undefined && entry?.ConditionValue !== undefined)
    .map((entry: Json) => ({ conditionKey: entry.ConditionKey, conditionValue: entry.ConditionValue }));
  const conditions = selection.Conditions ?? {};
  return {
    resources: Array.isArray(selection.Resources) ? selection.Resources : [],
    notResources: Array.isArray(selection.NotResources) ? selection.NotResources : [],
    listOfTags: tagConditions(selection.ListOfTags),
    conditions: {
      stringEquals: tagConditions(conditions.StringEquals),
      stringNotEquals: tagConditions(conditions.StringNotEquals),
      stringLike: tagConditions(conditions.StringLike),
      stringNotLike: tagConditions(conditions.StringNotLike),
    },
  };
}

/**
 * The name of an AWS Backup plan rule of `rules` for the report; one given by a token as
 * `tokenText` says. Names that read alike (two tokens of one kind) get the rule's place in the
 * plan, so that the tiers, and the overlap check, which knows rules by name, tell them apart.
 */
function planRuleName(rule: Json, rules: readonly Json[]): string {
  if (rule.RuleName === undefined) {
    return 'rule';
  }
  const name = tokenText(rule.RuleName);
  const alike = rules.filter((other) => other.RuleName !== undefined && tokenText(other.RuleName) === name);
  return alike.length > 1 ? `${name} (rule ${rules.indexOf(rule) + 1} of the plan)` : name;
}

/** AWS Backup: -1 for DeleteAfterDays or MoveToColdStorageAfterDays keeps recovery points indefinitely (no deletion, no move). */
function lifecycleDays(value: unknown): unknown {
  return value === undefined || Number(value) === -1 ? undefined : value;
}

function lifecycleRetention(lifecycle: Json): PartialRetention {
  const coldDays = lifecycleDays(lifecycle?.MoveToColdStorageAfterDays);
  const cold = coldDays === undefined ? ''
    : knownNumber(coldDays) === undefined
      ? `, cold storage after a number of days not known at synth (MoveToColdStorageAfterDays is ${tokenText(coldDays)}) ${AWS_BACKUP_COLD_STORAGE_SCOPE}`
      : `, cold storage after ${coldDays} days ${AWS_BACKUP_COLD_STORAGE_SCOPE}`;
  if (!lifecycle || lifecycleDays(lifecycle.DeleteAfterDays) === undefined) {
    // An indefinite tier may still move to cold storage.
    return { text: `kept until deleted by hand${cold}`, minHours: Infinity, maxHours: Infinity };
  }
  const days = knownNumber(lifecycle.DeleteAfterDays);
  return days === undefined ? notKnownRetention('DeleteAfterDays', lifecycle.DeleteAfterDays, cold) : daysRetention(days, cold);
}
