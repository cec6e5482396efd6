/** DLM: the enabled policies that target an EBS volume, and the tiers of their schedules (runs, retention, copies). */
import type { Json } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Selects } from '../../lib/report/backup-selection-rule';
import { dlmTakenText } from './dlm-merge-text';
import { conditionText, mayNotRunText } from './resource-condition';
import { snapshotsTakenByLongerSchedules } from './dlm-merges';
import { dlmRetention, withArchiveTier } from './dlm-retention';
import { ebsDefaultKeyText, ebsNotEncryptedText } from './ebs-encryption';
import { keyText } from './kms-key-refs';
import type { Located } from './located';
import { encryptionOf } from './resource-encryption';
import { selectionTagsOf } from './resource-tags';
import { DLM_PICKS_TIME_TEXT, WeeklyRuns, dlmStartPicked, intervalRuns, weeklyRuns } from './schedule';
import { knownNumber } from './template-numbers';
import type { TierFacts, CopyFacts } from './tier-facts';
import { tokenText } from './token-text';

/**
 * The enabled DLM `VOLUME` policies of a volume's stack whose answer to "does it target the
 * volume" is `answer`: one of its target tags is the volume's, or ('unknown') none is but a
 * key or value that is a token (the volume's or the policy's) may be.
 */
export function dlmPoliciesTargeting(index: AssemblyIndex, r: Located, answer: Selects = true): Located[] {
  if (r.resource.Type !== 'AWS::EC2::Volume') {
    return [];
  }
  const tags = selectionTagsOf(r.resource);
  return index.ofType('AWS::DLM::LifecyclePolicy').filter((policy) => {
    const details = policy.resource.Properties?.PolicyDetails ?? {};
    if (policy.stack.id !== r.stack.id || policy.resource.Properties?.State === 'DISABLED' || !(details.ResourceTypes ?? []).includes('VOLUME')) {
      return false;
    }
    const targets = (Array.isArray(details.TargetTags) ? details.TargetTags : []).map((t: Json): Selects => {
      const value = typeof t?.Key === 'string' ? tags[t.Key] : undefined;
      if (typeof t?.Key === 'string' && value === undefined) {
        return false;
      }
      return typeof t?.Key !== 'string' || typeof value !== 'string' || typeof t?.Value !== 'string' ? 'unknown' : value === t.Value;
    });
    const selects: Selects = targets.includes(true) ? true : targets.includes('unknown') ? 'unknown' : false;
    return selects === answer;
  });
}

export function dlmTiers(index: AssemblyIndex, year: number, r: Located): TierFacts[] {
  const tiers: TierFacts[] = [];
  for (const policy of dlmPoliciesTargeting(index, r)) {
    const details = policy.resource.Properties?.PolicyDetails ?? {};
    const taken = snapshotsTakenByLongerSchedules(year, details.Schedules ?? []);
    const state: unknown = policy.resource.Properties?.State;
    const mayNotRun = [
      conditionText('DLM policy', policy),
      // DLM takes ENABLED or DISABLED; a token (a parameter, a condition) is decided at deployment.
      ...(state === undefined || typeof state === 'string' ? [] : [`DLM policy ${policy.path} has State ${tokenText(state)}, a token: DISABLED would stop its snapshots`]),
    ].filter((x) => x !== undefined).join('; ');
    for (const schedule of details.Schedules ?? []) {
      const create = schedule.CreateRule ?? {};
      const intervalHours = create.CronExpression ? 24 : knownNumber(create.Interval ?? 24) ?? NaN;
      // Times given by a token (a list parameter, or one of its items) are not read.
      const times: unknown = create.Times;
      const timesKnown = times === undefined || (Array.isArray(times) && times.every((t) => typeof t === 'string'));
      // Without Times DLM picks the start (intervalRuns): the runs are a known time apart, at a time of day not known.
      const startPicked = !create.CronExpression && !Number.isNaN(intervalHours) && dlmStartPicked(create);
      const runs: WeeklyRuns = Number.isNaN(intervalHours)
        ? { minutes: [], text: `every ${tokenText(create.Interval)} hours${dlmStartPicked(create) ? `, ${DLM_PICKS_TIME_TEXT}` : ''}, not known at synth`, note: 'not known' }
        : create.CronExpression ? weeklyRuns(create.CronExpression)
          : !timesKnown ? { minutes: [], text: `every ${intervalHours} hours from ${Array.isArray(times) ? times.map(tokenText).join(', ') : tokenText(times)}, not known at synth`, note: 'not known' }
            : intervalRuns(intervalHours, create.Times);
      const retention = withArchiveTier(dlmRetention(schedule.RetainRule, intervalHours), schedule.ArchiveRule);
      const merges = taken.get(schedule);
      tiers.push({
        tier: schedule.Name ?? 'snapshots',
        ...(merges ? { takenByLongerRules: merges.taken } : {}),
        mechanism: `DLM policy ${policy.path}, schedule ${schedule.Name ?? ''}`.trim(),
        schedule: `${runs.text}${merges ? dlmTakenText(merges) : ''}${mayNotRunText(mayNotRun)}`,
        ...(mayNotRun ? { mayNotRun } : {}),
        scheduleNote: runs.note,
        runs: runs.minutes,
        ...(startPicked ? { intervalMinutes: intervalHours * 60 } : {}),
        retention: retention.text,
        minHours: retention.minHours,
        maxHours: retention.maxHours,
        storedIn: `EBS snapshots in ${r.stack.region}`,
        // A snapshot is encrypted as its volume.
        encryptionKey: encryptionOf(index, r),
        locks: [],
        copies: (schedule.CrossRegionCopyRules ?? []).map((copy: Json): CopyFacts => {
          const copyRetention = dlmRetention(copy.RetainRule, intervalHours);
          // A region given by a parameter or another token is rendered, not put in the report as JSON.
          const target = index.render(copy.TargetRegion ?? copy.Target, policy.stack) || 'unknown';
          return {
            destination: `EBS snapshot copies in ${target}`,
            region: target,
            account: r.stack.account,
            // Without a RetainRule DLM's documentation does not say how long a copy is kept.
            retention: copy.RetainRule ? copyRetention.text : 'not known: the copy rule sets no RetainRule, and DLM\'s documentation does not say how long such copies are kept',
            minHours: copy.RetainRule ? copyRetention.minHours : undefined,
            maxHours: copy.RetainRule ? copyRetention.maxHours : undefined,
            // DLM: copies of encrypted snapshots are encrypted; without CmkArn, with the account's default key of the target region.
            encryptionKey: copy.Encrypted === true || r.resource.Properties?.Encrypted === true || copy.CmkArn !== undefined
              ? keyText(index, copy.CmkArn, r.stack, ebsDefaultKeyText(target))
              : ebsNotEncryptedText(target),
            locks: [],
          };
        }),
      });
    }
  }
  return tiers;
}
