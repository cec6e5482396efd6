/**
 * Which runs of a DLM schedule DLM merges with other schedules of its policy that start at the
 * same time (one snapshot, kept as the schedule with the highest retention period), in the report's year.
 */
import type { Json } from './assembly';
import { DlmMergeReason, DlmMerges, DlmOpenField, listText } from './dlm-merge-text';
import { dlmRetention, withArchiveTier } from './dlm-retention';
import { intervalRunsInYear, runsInYear } from './overlap';
import { dlmStartPicked } from './schedule';

/**
 * The runs of each schedule of a DLM policy that start at the same time as other schedules
 * of it, in the report's year. DLM takes one snapshot with the retention of the schedule
 * "that has the highest retention period". Its documentation does not say how a count of
 * snapshots compares with a period or with another count, nor whether a schedule's time in
 * the snapshot archive counts: a run whose retention depends on any of these is counted as
 * not documented, by the schedules it may be kept as (every schedule kept by a count, when
 * two or more are), with the reasons for the schedule text. A run whose retention a token
 * decides (a retention, or the interval, times or cron expression of a schedule that may start
 * with it) is counted apart, as not known at synth.
 */
export function snapshotsTakenByLongerSchedules(year: number, schedules: Json[]): Map<Json, DlmMerges> {
  const described = schedules.map((schedule) => {
    const create = schedule.CreateRule ?? {};
    const intervalHours = create.CronExpression ? 24 : Number(create.Interval ?? 24);
    const standard = dlmRetention(schedule.RetainRule, intervalHours);
    const name = String(schedule.Name ?? 'snapshots');
    const times: unknown = create.Times;
    const knownTimes = times === undefined || (Array.isArray(times) && times.every((t) => typeof t === 'string'));
    // DLM reads cron expressions in UTC; one `runsInYear` does not read has no runs here, and may start with any other schedule.
    const cronRuns = typeof create.CronExpression === 'string' ? runsInYear(create.CronExpression, undefined, year) : undefined;
    const cronNotRead = typeof create.CronExpression === 'string' && cronRuns === undefined;
    // Without Times DLM picks the start: such a schedule may start with any other.
    const startPicked = create.CronExpression === undefined && dlmStartPicked(create);
    // A schedule given by a token, or not placed in the day: the runs it has for certain, and whether it may start at another time.
    const tokenSchedule = create.CronExpression !== undefined ? typeof create.CronExpression !== 'string' || cronNotRead : !knownTimes || Number.isNaN(intervalHours) || startPicked;
    // DLM's intervals (1, 2, 3, 4, 6, 8, 12 or 24 hours) all divide a day: one given by a token starts at its times every day, and may on any hour from them.
    const intervalToken = create.CronExpression === undefined && knownTimes && !startPicked && Number.isNaN(intervalHours);
    const maybe = intervalToken ? new Set(intervalRunsInYear(1, times as string[] | undefined, year)) : undefined;
    return {
      name,
      runs: startPicked ? [] : intervalToken ? intervalRunsInYear(24, times as string[] | undefined, year)
        : create.CronExpression ? cronRuns : intervalRunsInYear(intervalHours, create.Times, year),
      mayStartAt: (run: number): boolean => tokenSchedule && (maybe === undefined || maybe.has(run)),
      /** Why its runs are not all known: the token that gives them, or what the report cannot place. */
      tokenScheduleText: !tokenSchedule ? undefined
        : cronNotRead ? `the cron expression of ${name} (${create.CronExpression}) is not one the merge check reads, not checked`
          : startPicked ? `${Number.isNaN(intervalHours) ? `the interval of ${name} is given by a token and its start time` : `the start time of ${name}`} is picked by DLM within 24 hours of the policy's creation (the schedule has no Times), not known at synth`
            : create.CronExpression !== undefined ? `the cron expression of ${name} is given by a token, not known at synth`
              : Number.isNaN(intervalHours) ? `the interval of ${name} is given by a token, not known at synth` : `the times of ${name} are given by a token, not known at synth`,
      byCount: schedule.RetainRule?.Count !== undefined,
      // A retention that is a token is NaN here: such a schedule may be the one kept longest (below).
      standardHours: standard.maxHours ?? NaN,
      lifetimeHours: withArchiveTier(standard, schedule.ArchiveRule).maxHours ?? NaN,
    };
  });
  // "At the same time": the same scheduled minute.
  const startingAt = new Map<number, number[]>();
  described.forEach((schedule, i) => (schedule.runs ?? []).forEach((run) => startingAt.set(run, [...(startingAt.get(run) ?? []), i])));
  const result = new Map<Json, DlmMerges>();
  schedules.forEach((schedule, i) => {
    // A schedule whose runs a token decides has no count of runs to give.
    if (described[i].tokenScheduleText !== undefined) {
      return;
    }
    const byRule: { [rule: string]: number } = {};
    const open: { [field in DlmOpenField]: { [rules: string]: number } } = { notDocumented: {}, notKnownAtSynth: {} };
    const reasons: DlmMerges['reasons'] = { notDocumented: {}, notKnownAtSynth: {} };
    for (const run of described[i].runs ?? []) {
      const certain = startingAt.get(run)!;
      // Schedules given by a token that may start now: each may or may not.
      const maybe = described.map((_, j) => j).filter((j) => !certain.includes(j) && described[j].mayStartAt(run));
      if (certain.length < 2 && maybe.length === 0) {
        continue;
      }
      const outcomes = subsets(maybe).map((some) => dlmKeepers(described, i, [...certain, ...some].sort((a, b) => a - b)));
      const candidates = new Set(outcomes.flatMap((o) => [...o.candidates]));
      if (candidates.size === 1) {
        const [winner] = candidates;
        if (winner !== i) {
          byRule[described[winner].name] = (byRule[described[winner].name] ?? 0) + 1;
        }
        continue;
      }
      const why = new Set(outcomes.flatMap((o) => o.candidates.size > 1 ? o.reasons : []));
      const keyOf = (o: { candidates: Set<number> }): string => [...o.candidates].sort((a, b) => a - b).join();
      const scheduleTokens = outcomes.some((o) => keyOf(o) !== keyOf(outcomes[0]))
        ? maybe.map((j) => described[j].tokenScheduleText!) : [];
      const field: DlmOpenField = why.has('token') || scheduleTokens.length > 0 ? 'notKnownAtSynth' : 'notDocumented';
      const key = listText([...candidates].sort((a, b) => a - b).map((j) => described[j].name), 'or');
      open[field][key] = (open[field][key] ?? 0) + 1;
      const said = reasons[field][key] ?? (reasons[field][key] = { reasons: [], scheduleTokens: [] });
      said.reasons = [...new Set([...said.reasons, ...why])];
      said.scheduleTokens = [...new Set([...said.scheduleTokens, ...scheduleTokens])];
    }
    if (Object.keys(byRule).length > 0 || Object.values(open).some((counts) => Object.keys(counts).length > 0)) {
      result.set(schedule, {
        taken: {
          year: year,
          runs: described[i].runs!.length,
          byRule: Object.fromEntries(described.map((d) => d.name).filter((rule) => byRule[rule] !== undefined).map((rule) => [rule, byRule[rule]])),
          ...(Object.keys(open.notDocumented).length > 0 ? { notDocumented: open.notDocumented } : {}),
          ...(Object.keys(open.notKnownAtSynth).length > 0 ? { notKnownAtSynth: open.notKnownAtSynth } : {}),
        },
        reasons,
      });
    }
  });
  return result;
}

/**
 * Of DLM schedules that start together (`together`, indices into `described`, with `i`), those
 * whose retention the one snapshot may get: one where it is known, several where DLM's
 * documentation or a token leaves it open, with why.
 */
function dlmKeepers(described: Array<{ byCount: boolean; standardHours: number; lifetimeHours: number }>, i: number, together: number[]): { candidates: Set<number>; reasons: DlmMergeReason[] } {
  // The schedule kept longest by each reading, of those whose retention is known: this one when none is kept longer.
  const longest = (all: number[], hours: 'standardHours' | 'lifetimeHours'): number | undefined => {
    const among = all.filter((j) => !Number.isNaN(described[j][hours]));
    return among.length === 0 ? undefined : among.reduce((best, j) => described[j][hours] > described[best][hours] || (best !== i && j === i && described[j][hours] === described[best][hours]) ? j : best);
  };
  // A schedule whose retention is a token may be kept longest: only the deploy tells.
  const tokenRetention = (among: number[]): number[] => among.filter((j) => Number.isNaN(described[j].standardHours) || Number.isNaN(described[j].lifetimeHours));
  if (together.length < 2) {
    return { candidates: new Set(together), reasons: [] };
  }
  const kinds = [together.filter((j) => described[j].byCount), together.filter((j) => !described[j].byCount)];
  // Two counts are not compared as count × interval: DLM's documentation does not say how it compares them.
  const counts = kinds[0].length > 1 ? kinds[0] : [];
  const candidates = new Set<number>(counts);
  for (const among of kinds) {
    for (const hours of ['standardHours', 'lifetimeHours'] as const) {
      const winner = among === counts ? undefined : longest(among, hours);
      if (winner !== undefined) {
        candidates.add(winner);
      }
    }
    if (among !== counts) {
      tokenRetention(among).forEach((j) => candidates.add(j));
    }
  }
  const reasons: DlmMergeReason[] = [];
  if (kinds.every((among) => among.length > 0)) {
    reasons.push('count');
  }
  if (counts.length > 0) {
    reasons.push('counts');
  }
  if (tokenRetention(together.filter((j) => !counts.includes(j))).length > 0) {
    reasons.push('token');
  }
  if (kinds.some((among) => among !== counts && longest(among, 'standardHours') !== longest(among, 'lifetimeHours'))) {
    reasons.push('archive');
  }
  return { candidates, reasons };
}

/** Every subset of a list (the list itself when empty: one subset, empty). */
function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((all, item) => [...all, ...all.map((some) => [...some, item])], [[]]);
}
