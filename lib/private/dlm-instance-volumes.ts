/**
 * DLM tag rules that the coverage guard (at synth, on resolved L1 properties) and the backup
 * report (on templates) both apply, so both say the same: whether a policy targets a resource
 * by its tags, and whether an `INSTANCE` policy's snapshot sets take an EBS volume attached to
 * an instance it targets. Pure: no CDK, no template reading.
 */

/** Whether something holds: `'unknown'` where a token keeps synth from telling. */
export type DlmAnswer = boolean | 'unknown';

/** One tag of a policy (`TargetTags`, `ExcludeDataVolumeTags`): a key or value that is not a string is a token. */
export interface DlmTag {
  readonly key: unknown;
  readonly value: unknown;
}

/**
 * Whether a resource carries one of `list`: true when one is its tag with that value, else
 * `'unknown'` when a key or value (the policy's, or the resource's, which `tags` holds resolved,
 * a token being no string) is a token, else false.
 */
export function carriesOneOf(list: readonly DlmTag[], tags: { readonly [key: string]: unknown }): DlmAnswer {
  const answers = list.map((tag): DlmAnswer => {
    const value = typeof tag.key === 'string' && Object.prototype.hasOwnProperty.call(tags, tag.key) ? tags[tag.key] : undefined;
    if (typeof tag.key === 'string' && value === undefined) {
      return false;
    }
    return typeof tag.key !== 'string' || typeof value !== 'string' || typeof tag.value !== 'string' ? 'unknown' : value === tag.value;
  });
  return answers.includes(true) ? true : answers.includes('unknown') ? 'unknown' : false;
}

/** Why an `INSTANCE` policy's taking a volume is not known, said after "DLM policy <path> of its instance <path>". */
export const TARGET_NOT_KNOWN_TEXT = 'targets a tag whose value (its own or the policy\'s) is a token';
/** See `TARGET_NOT_KNOWN_TEXT`. */
export const EXCLUSION_NOT_KNOWN_TEXT = 'leaves out the data volumes of ExcludeDataVolumeTags, compared with a token';

/**
 * Whether an enabled DLM `INSTANCE` policy's snapshot sets take an EBS volume attached to an
 * instance: the policy targets the instance (`targetsInstance`: one of its `TargetTags` is the
 * instance's) and the volume carries none of its `ExcludeDataVolumeTags` (DLM snapshots every
 * other volume of the instance). `notKnown` says why where the answer is `'unknown'`.
 */
export function instancePolicyTakesVolume(targetsInstance: DlmAnswer, excludeDataVolumeTags: readonly DlmTag[], volumeTags: { readonly [key: string]: unknown }): { readonly takes: DlmAnswer; readonly notKnown: string[] } {
  const excluded = carriesOneOf(excludeDataVolumeTags, volumeTags);
  if (targetsInstance === false || excluded === true) {
    return { takes: false, notKnown: [] };
  }
  const notKnown = [
    ...(targetsInstance === 'unknown' ? [TARGET_NOT_KNOWN_TEXT] : []),
    ...(excluded === 'unknown' ? [EXCLUSION_NOT_KNOWN_TEXT] : []),
  ];
  return { takes: notKnown.length > 0 ? 'unknown' : true, notKnown };
}
