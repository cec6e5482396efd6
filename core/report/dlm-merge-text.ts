/**
 * The wording of the snapshots DLM merges when schedules of one policy start at the same time
 * (one snapshot, with the retention of the schedule with the highest retention period): how
 * many runs each schedule gives to another, and why it is not known where DLM's documentation
 * or a token leaves it open.
 */
import type { TierEntry } from './model';

/** Why DLM's documentation leaves open which schedule's retention a merged snapshot gets. */
export type DlmMergeReason = 'count' | 'counts' | 'archive' | 'token';

/** Where a DLM run whose retention is open is counted: left open by DLM's documentation, or by a token. */
export type DlmOpenField = 'notDocumented' | 'notKnownAtSynth';

/** The runs of a DLM schedule merged with other schedules of its policy, and why some are open, by field and schedules. */
export interface DlmMerges {
  readonly taken: NonNullable<TierEntry['takenByLongerRules']>;
  readonly reasons: { [field in DlmOpenField]: { [rules: string]: { reasons: DlmMergeReason[]; scheduleTokens: string[] } } };
}

const DLM_MERGE_REASONS: { [reason in Exclude<DlmMergeReason, 'token'>]: string } = {
  count: 'how a number of snapshots compares with a period',
  counts: 'how one number of snapshots compares with another',
  archive: 'whether time in the snapshot archive counts',
};

/** A list in words: `A, B or C`. */
export function listText(items: string[], conjunction: string): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}` : items.join('');
}

/** Why which schedule's retention merged snapshots get is not known: what DLM's documentation does not say, a retention or a schedule given by a token. */
function mergeReasonsText({ reasons, scheduleTokens }: { reasons: DlmMergeReason[]; scheduleTokens: string[] }): string {
  const undocumented = reasons.filter((reason): reason is Exclude<DlmMergeReason, 'token'> => reason !== 'token');
  return listText([
    ...(undocumented.length > 0 ? [`its documentation does not say ${listText(undocumented.map((reason) => DLM_MERGE_REASONS[reason]), 'or')}`] : []),
    ...(reasons.includes('token') ? ['a retention given by a token is not known at synth'] : []),
    ...(scheduleTokens.length > 0 ? [listText(scheduleTokens, 'and')] : []),
  ], 'and');
}

export function dlmTakenText({ taken, reasons }: DlmMerges): string {
  const documented = Object.entries(taken.byRule);
  const open = (['notDocumented', 'notKnownAtSynth'] as const).flatMap((field) => Object.entries(taken[field] ?? {})
    .map(([names, n]) => ({ names, n, why: reasons[field][names] ?? { reasons: [], scheduleTokens: [] } })));
  return [
    documented.length > 0
      ? `; in ${taken.year} DLM takes ${documented.map(([name, n]) => `${n} as ${name}`).join(', ')} of its ${taken.runs} snapshots (a schedule of the policy kept longer that starts at the same time)`
      : '',
    ...open.map(({ names, n, why }) => `; in ${taken.year} ${n} of its ${taken.runs} snapshots ${why.scheduleTokens.length > 0 ? 'may start' : n === 1 ? 'starts' : 'start'} at the same time as another schedule of the policy`
      + ` and ${n === 1 ? 'is' : 'are'} kept as ${names}: DLM takes one snapshot with the retention of the schedule with the highest retention period, and ${mergeReasonsText(why)}, so which of these schedules' retention they get is not known`),
  ].join('');
}
