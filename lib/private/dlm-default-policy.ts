/**
 * DLM default policies (`AWS::DLM::LifecyclePolicy` with `DefaultPolicy: VOLUME` or `INSTANCE`),
 * read the same by the coverage guard (on the rendered template properties of a policy at synth)
 * and the backup report (on templates). A default policy for EBS snapshots (`VOLUME`) targets
 * every volume of its account and region but those its `Exclusions` leave out, and snapshots each
 * one whose newest snapshot is older than `CreateInterval` days (so a volume other backups cover
 * recently is skipped, and is covered by those). Pure: no CDK, no template reading.
 */
import { DlmAnswer, DlmTag, carriesOneOf } from './dlm-instance-volumes';

/** Template JSON (CloudFormation's property names), whose shape varies. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON of a template
type Json = any;

/** The settings of a default policy that say what it backs up, how often and for how long. */
export interface DlmDefaultSettings {
  /** `VOLUME` (EBS snapshots) or `INSTANCE` (EBS-backed AMIs); a token where one gives it. */
  readonly kind: unknown;
  /** Days between runs: DLM's default 1 where neither place sets it. */
  readonly createInterval: unknown;
  /** Days each snapshot is kept: DLM's default 7 where neither place sets it. */
  readonly retainInterval: unknown;
  readonly exclusions: Json;
  /** `CrossRegionCopyTargets`: `[{ TargetRegion }]`, a token, or none. */
  readonly crossRegionCopyTargets: unknown;
}

/**
 * A policy's default-policy settings (properties with CloudFormation's names), or undefined for a
 * custom policy (no `DefaultPolicy`). DLM takes the settings of a default policy at the top level
 * or in `PolicyDetails`, not both: the top level is read first.
 */
export function dlmDefaultSettings(properties: Json): DlmDefaultSettings | undefined {
  const kind: unknown = properties?.DefaultPolicy;
  if (kind === undefined) {
    return undefined;
  }
  const details = properties?.PolicyDetails ?? {};
  const either = (name: string): unknown => properties?.[name] ?? details[name];
  return {
    kind,
    createInterval: either('CreateInterval') ?? 1,
    retainInterval: either('RetainInterval') ?? 7,
    exclusions: either('Exclusions') ?? {},
    crossRegionCopyTargets: either('CrossRegionCopyTargets'),
  };
}

/** Why whether a default policy's exclusions leave a volume out is not known, said after "DLM default policy <path>". */
export const EXCLUDE_TAGS_NOT_KNOWN_TEXT = 'leaves out the volumes of its Exclusions ExcludeTags, compared with a token';
/** See `EXCLUDE_TAGS_NOT_KNOWN_TEXT`. */
export const EXCLUDE_TYPES_NOT_KNOWN_TEXT = 'leaves out the volume types of its Exclusions ExcludeVolumeTypes, and the volume\'s type or one of those is a token or not set (EC2 picks the type)';

/**
 * Whether an enabled default `VOLUME` policy snapshots an `AWS::EC2::Volume` with the given
 * `VolumeType` and resolved tags (a token being no string): yes unless it carries one of the
 * policy's `ExcludeTags` or is of one of its `ExcludeVolumeTypes`. `ExcludeBootVolumes` leaves
 * such a volume in: CloudFormation attaches one as a data volume (a `VolumeAttachment` or an
 * instance's `Volumes`), never as the boot volume. `notKnown` says why where the answer is `'unknown'`.
 */
export function defaultPolicyTakesVolume(settings: DlmDefaultSettings, volumeType: unknown, volumeTags: { readonly [key: string]: unknown }): { readonly takes: DlmAnswer; readonly notKnown: string[] } {
  const exclusions = settings.exclusions ?? {};
  const excludeTags: unknown = exclusions.ExcludeTags;
  const byTag: DlmAnswer = excludeTags === undefined ? false
    : Array.isArray(excludeTags) ? carriesOneOf(excludeTags.map((t: Json): DlmTag => ({ key: t?.Key, value: t?.Value })), volumeTags) : 'unknown';
  const excludeTypes: unknown = exclusions.ExcludeVolumeTypes;
  const byType: DlmAnswer = excludeTypes === undefined ? false
    : !Array.isArray(excludeTypes) ? 'unknown'
      : typeof volumeType === 'string' && excludeTypes.includes(volumeType) ? true
        : excludeTypes.length > 0 && (typeof volumeType !== 'string' || excludeTypes.some((t) => typeof t !== 'string')) ? 'unknown' : false;
  if (byTag === true || byType === true) {
    return { takes: false, notKnown: [] };
  }
  const notKnown = [
    ...(byTag === 'unknown' ? [EXCLUDE_TAGS_NOT_KNOWN_TEXT] : []),
    ...(byType === 'unknown' ? [EXCLUDE_TYPES_NOT_KNOWN_TEXT] : []),
  ];
  return { takes: notKnown.length > 0 ? 'unknown' : true, notKnown };
}
