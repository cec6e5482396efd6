/** DLM: the enabled policies that target an EBS volume, and the tiers of their schedules (runs, retention, copies). */
import type { Json } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Selects } from '../../lib/report/backup-selection-rule';
import { defaultPolicyTakesVolume, dlmDefaultSettings } from '../../lib/private/dlm-default-policy';
import { DlmTag, carriesOneOf, instancePolicyTakesVolume } from '../../lib/private/dlm-instance-volumes';
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
import { PartialRetention, knownNumber, notKnownRetention, plural } from './template-numbers';
import { placeOffSite } from './off-site';
import type { TierFacts, CopyFacts } from './tier-facts';
import { isToken, tokenText } from './token-text';

/**
 * The enabled DLM policies of a volume's or an instance's region and account (DLM runs a policy
 * there, whatever its stack) whose answer to "does it target the resource" is `answer`: one of its
 * target tags is the resource's, or ('unknown') none is but a key or value that is a token (the
 * resource's or the policy's) may be, or the region or account of the policy's stack or the
 * resource's is not known. A `VOLUME` policy targets a volume, and the volumes of an instance's
 * BlockDeviceMappings where the instance propagates its tags to them
 * (`PropagateTagsToVolumeOnCreation`: 'unknown' where a token gives it); an `INSTANCE` policy
 * targets an instance (all its volumes).
 */
export function dlmPoliciesTargeting(index: AssemblyIndex, r: Located, answer: Selects = true): Located[] {
  return index.ofType('AWS::DLM::LifecyclePolicy').filter((policy) => dlmTargetsThere(policy, r) === answer);
}

/** Whether a policy runs where the resource is: the same stack, or `placeOffSite` of their stacks. */
function placeOf(policy: Located, r: Located): 'same' | 'elsewhere' | 'not known' {
  if (policy.stack.id === r.stack.id) {
    return 'same';
  }
  const place = placeOffSite(policy.stack, r.stack);
  return place === 'no' ? 'same' : place === 'yes' ? 'elsewhere' : 'not known';
}

/** `dlmTargets` where the policy runs where the resource is; 'unknown' where that is not known. */
function dlmTargetsThere(policy: Located, r: Located): Selects {
  const place = placeOf(policy, r);
  const targets = place === 'elsewhere' ? false : dlmTargets(policy, r);
  return targets === true && place === 'not known' ? 'unknown' : targets;
}

/** Why whether an enabled DLM policy targets the resource is not known at synth (`dlmPoliciesTargeting(..., 'unknown')`). */
export function dlmNotKnownText(policy: Located, r: Located): string {
  if (placeOf(policy, r) === 'not known' && dlmTargets(policy, r) === true) {
    return `DLM policy ${policy.path} ${placeNotKnownText(r)}`;
  }
  const propagate: unknown = r.resource.Properties?.PropagateTagsToVolumeOnCreation;
  if (r.resource.Type === 'AWS::EC2::Instance' && isToken(propagate) && tagsMatch(policy, r) === true) {
    return `DLM policy ${policy.path} targets its tags, which its volumes carry only if PropagateTagsToVolumeOnCreation (${tokenText(propagate)}) is true: not known at synth`;
  }
  return `DLM policy ${policy.path} targets a tag whose value (its own or the policy's) is a token`;
}

function dlmTargets(policy: Located, r: Located): Selects {
  const details = policy.resource.Properties?.PolicyDetails ?? {};
  const types: unknown[] = Array.isArray(details.ResourceTypes) ? details.ResourceTypes : [];
  if (policy.resource.Properties?.State === 'DISABLED') {
    return false;
  }
  if (r.resource.Type === 'AWS::EC2::Volume') {
    return types.includes('VOLUME') ? tagsMatch(policy, r) : false;
  }
  if (r.resource.Type !== 'AWS::EC2::Instance') {
    return false;
  }
  if (types.includes('INSTANCE')) {
    return tagsMatch(policy, r);
  }
  // The volumes an instance creates carry its tags only with PropagateTagsToVolumeOnCreation.
  const propagate: unknown = r.resource.Properties?.PropagateTagsToVolumeOnCreation;
  if (!types.includes('VOLUME') || !(propagate === true || propagate === 'true' || isToken(propagate))) {
    return false;
  }
  const selects = tagsMatch(policy, r);
  return selects === true && isToken(propagate) ? 'unknown' : selects;
}

/** Why a policy of another stack may not run where `r` is: the region or account of its stack, or `r`'s, is not known. */
function placeNotKnownText(r: Located): string {
  return `is in a stack whose region or account, or this ${r.resource.Type === 'AWS::EC2::Instance' ? 'instance' : 'volume'}'s, is not known at synth`;
}

/** Whether one of a policy's target tags is the resource's (the rule the coverage guard applies too). */
function tagsMatch(policy: Located, r: Located): Selects {
  return carriesOneOf(dlmTags(policy.resource.Properties?.PolicyDetails?.TargetTags), selectionTagsOf(r.resource));
}

/** A policy's tag list (`TargetTags`, `ExcludeDataVolumeTags`) as the shared rules read it. */
function dlmTags(list: unknown): DlmTag[] {
  return (Array.isArray(list) ? list : []).map((t: Json) => ({ key: t?.Key, value: t?.Value }));
}

/**
 * The tiers of the schedules of `policies` (by default those that target `r`) for `r`;
 * `via` is said after the mechanism where the policy targets another resource (the instance a volume is attached to).
 */
export function dlmTiers(index: AssemblyIndex, year: number, r: Located, policies: Located[] = dlmPoliciesTargeting(index, r), via = ''): TierFacts[] {
  const tiers: TierFacts[] = [];
  for (const policy of policies) {
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
        mechanism: `${`DLM policy ${policy.path}, schedule ${schedule.Name ?? ''}`.trim()}${via}`,
        schedule: `${runs.text}${merges ? dlmTakenText(merges) : ''}${mayNotRunText(mayNotRun)}`,
        ...(mayNotRun ? { mayNotRun } : {}),
        scheduleNote: runs.note,
        runs: runs.minutes,
        ...(startPicked ? { intervalMinutes: intervalHours * 60 } : {}),
        retention: retention.text,
        minHours: retention.minHours,
        maxHours: retention.maxHours,
        storedIn: storedInText(index, policy, r),
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

/** Where a policy's snapshots of the resource are; of an instance, which of its volumes an `INSTANCE` policy leaves out. */
function storedInText(index: AssemblyIndex, policy: Located, r: Located): string {
  const details = policy.resource.Properties?.PolicyDetails ?? {};
  if (r.resource.Type !== 'AWS::EC2::Instance') {
    return `EBS snapshots in ${r.stack.region}`;
  }
  if (!(Array.isArray(details.ResourceTypes) && details.ResourceTypes.includes('INSTANCE'))) {
    // A VOLUME policy sees the volumes its tags reach: CloudFormation's documentation names those of its BlockDeviceMappings.
    return `EBS snapshots in ${r.stack.region} of the volumes its tags reach (PropagateTagsToVolumeOnCreation; CloudFormation's documentation names the volumes of its BlockDeviceMappings)`;
  }
  const stored = details.PolicyType === 'IMAGE_MANAGEMENT' ? `AMIs (with EBS snapshots of its volumes) in ${r.stack.region}` : `multi-volume EBS snapshot sets of its volumes in ${r.stack.region}`;
  const parameters = details.Parameters ?? {};
  const excludeBoot: unknown = parameters.ExcludeBootVolume;
  const excludedTags: Json[] = Array.isArray(parameters.ExcludeDataVolumeTags) ? parameters.ExcludeDataVolumeTags : [];
  const render = (value: unknown): string => index.render(value, policy.stack);
  const left = [
    ...(excludeBoot === true || excludeBoot === 'true' ? ['not of its root volume (ExcludeBootVolume)']
      : isToken(excludeBoot) ? [`of its root volume only if ExcludeBootVolume (${tokenText(excludeBoot)}) is false: not known at synth`] : []),
    ...(excludedTags.length > 0 ? [`not of its data volumes tagged ${excludedTags.map((t) => `${render(t?.Key)}=${render(t?.Value)}`).join(' or ')} (ExcludeDataVolumeTags)`] : []),
  ];
  return [stored, ...left].join(', ');
}

/**
 * The enabled `INSTANCE` policies of an instance's region and account (of any stack) whose snapshot sets take `volume`, attached
 * to the instance: those that target the instance, but for the ones whose `ExcludeDataVolumeTags`
 * the volume carries (the rule the coverage guard applies too). `notKnown`: one line per policy
 * whose answer a token leaves to the deploy (its target tag, the instance's, an excluded tag, or
 * the region or account of its stack or the instance's).
 */
export function instancePoliciesTaking(index: AssemblyIndex, instance: Located, volume: Located): { readonly taking: Located[]; readonly notKnown: string[] } {
  const tags = selectionTagsOf(volume.resource);
  const taking: Located[] = [];
  const notKnown: string[] = [];
  for (const policy of index.ofType('AWS::DLM::LifecyclePolicy')) {
    const details = policy.resource.Properties?.PolicyDetails ?? {};
    const place = placeOf(policy, instance);
    if (place === 'elsewhere' || !(Array.isArray(details.ResourceTypes) && details.ResourceTypes.includes('INSTANCE'))) {
      continue;
    }
    const takes = instancePolicyTakesVolume(dlmTargets(policy, instance), dlmTags(details.Parameters?.ExcludeDataVolumeTags), tags);
    const why = [...takes.notKnown, ...(place === 'not known' ? [placeNotKnownText(instance)] : [])];
    if (takes.takes === true && why.length === 0) {
      taking.push(policy);
    } else if (takes.takes !== false) {
      notKnown.push(`DLM policy ${policy.path} of its instance ${instance.path} ${why.join(', and ')}`);
    }
  }
  return { taking, notKnown };
}

/**
 * The enabled DLM default policies for EBS snapshots (`DefaultPolicy: VOLUME`) of the assembly that
 * snapshot an EBS volume: those of its region and account whose `Exclusions` leave it in (the rule
 * the coverage guard applies too). `notKnown`: one line per policy whose answer a token leaves to
 * the deploy (an exclusion, its `DefaultPolicy`, or the region or account of its stack or the volume's).
 * A policy whose `State` is a token takes the volume: its tier says it may not run.
 */
export function dlmDefaultPoliciesTaking(index: AssemblyIndex, volume: Located): { readonly taking: Located[]; readonly notKnown: string[] } {
  const taking: Located[] = [];
  const notKnown: string[] = [];
  if (volume.resource.Type !== 'AWS::EC2::Volume') {
    return { taking, notKnown };
  }
  for (const policy of index.ofType('AWS::DLM::LifecyclePolicy')) {
    const settings = dlmDefaultSettings(policy.resource.Properties);
    const place = policy.stack === volume.stack ? 'no' : placeOffSite(policy.stack, volume.stack);
    // A default policy for EBS-backed AMIs (INSTANCE) images instances: which volumes its AMIs hold is not read here.
    if (settings === undefined || place === 'yes' || policy.resource.Properties?.State === 'DISABLED' || (typeof settings.kind === 'string' && settings.kind !== 'VOLUME')) {
      continue;
    }
    const takes = defaultPolicyTakesVolume(settings, volume.resource.Properties?.VolumeType, selectionTagsOf(volume.resource));
    const why = [
      ...(typeof settings.kind === 'string' ? [] : ['has a DefaultPolicy that is a token (VOLUME or INSTANCE is chosen at deploy)']),
      ...takes.notKnown,
      ...(place === 'not known' ? ['is in a stack whose region or account, or this volume\'s, is not known at synth'] : []),
    ];
    if (takes.takes === true && why.length === 0) {
      taking.push(policy);
    } else if (takes.takes !== false) {
      notKnown.push(`DLM default policy ${policy.path} ${why.join(', and ')}`);
    }
  }
  return { taking, notKnown };
}

/**
 * The tier of each DLM default policy for EBS snapshots that snapshots `r` (`dlmDefaultPoliciesTaking`):
 * every `CreateInterval` days (1 by default) DLM snapshots the volume if its newest snapshot is older
 * than that, at a time of day it picks, and keeps each snapshot `RetainInterval` days (7 by default);
 * a cross-region copy (`CrossRegionCopyTargets`) is kept as long as its source.
 */
export function dlmDefaultTiers(index: AssemblyIndex, r: Located, policies: Located[] = dlmDefaultPoliciesTaking(index, r).taking): TierFacts[] {
  return policies.map((policy): TierFacts => {
    const settings = dlmDefaultSettings(policy.resource.Properties)!;
    const state: unknown = policy.resource.Properties?.State;
    const mayNotRun = [
      conditionText('DLM policy', policy),
      ...(state === undefined || typeof state === 'string' ? [] : [`DLM policy ${policy.path} has State ${tokenText(state)}, a token: DISABLED would stop its snapshots`]),
    ].filter((x) => x !== undefined).join('; ');
    const days = knownNumber(settings.createInterval);
    const keepDays = knownNumber(settings.retainInterval);
    const when = 'when the volume\'s newest snapshot is older than that (a default policy skips a volume backed up more recently)';
    const schedule = days === undefined
      ? `every ${tokenText(settings.createInterval)} days (CreateInterval), ${when}, not known at synth`
      : `every ${plural(days, 'day')}, ${when}, at a time of day DLM picks, not known at synth`;
    const retention: PartialRetention = keepDays === undefined ? notKnownRetention('RetainInterval', settings.retainInterval)
      : { text: plural(keepDays, 'day'), minHours: keepDays * 24, maxHours: keepDays * 24 };
    const targets: unknown = settings.crossRegionCopyTargets;
    return {
      tier: 'default policy',
      mechanism: `DLM default policy ${policy.path}`,
      schedule: `${schedule}${mayNotRunText(mayNotRun)}`,
      ...(mayNotRun ? { mayNotRun } : {}),
      scheduleNote: days === undefined ? 'not known' : 'the time of day is chosen by DLM',
      runs: [],
      ...(days !== undefined ? { intervalMinutes: days * 24 * 60 } : {}),
      retention: retention.text,
      minHours: retention.minHours,
      maxHours: retention.maxHours,
      storedIn: `EBS snapshots in ${r.stack.region}`,
      encryptionKey: encryptionOf(index, r),
      locks: [],
      // DLM: a default policy's copies are kept as long as their source snapshots.
      copies: (Array.isArray(targets) ? targets : []).map((copy: Json): CopyFacts => {
        const target = index.render(copy?.TargetRegion, policy.stack) || 'unknown';
        return {
          destination: `EBS snapshot copies in ${target}`,
          region: target,
          account: r.stack.account,
          retention: retention.text,
          minHours: retention.minHours,
          maxHours: retention.maxHours,
          encryptionKey: r.resource.Properties?.Encrypted === true ? ebsDefaultKeyText(target) : ebsNotEncryptedText(target),
          locks: [],
        };
      }),
    };
  });
}
