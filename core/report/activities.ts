/** The report's activities (consistency checks, restore drills, backup jobs) and the schedules that run them. */
import type { Json } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import { clockGapText } from './clock-gap';
import { Located, meta } from './located';
import type { ActivityEntry } from './model';
import { WeeklyRuns, seasons, weeklyRuns, zonedWeeklyRuns } from './schedule';
import { referencedIds } from './template-references';
import { tokenText } from './token-text';

export function scheduleOf(index: AssemblyIndex, year: number, activity: Located): WeeklyRuns | undefined {
  if (activity.resource.Type === 'AWS::Scheduler::Schedule' || activity.resource.Type === 'AWS::Events::Rule') {
    // EventBridge rules run in UTC; Scheduler schedules in their own time zone.
    return asItsStateSays(activity, schedulerRuns(year, activity.resource.Properties ?? {}));
  }
  const ids = new Set([activity.logicalId]);
  // A schedule may target the activity's state machine, function or cluster next to it.
  const parent = activity.path.split('/').slice(0, -1).join('/');
  for (const [id, path] of activity.stack.pathOfLogicalId) {
    if (path.startsWith(`${parent}/`)) {
      ids.add(id);
    }
  }
  const found: WeeklyRuns[] = [];
  for (const candidate of index.all) {
    if (candidate.stack.id !== activity.stack.id) {
      continue;
    }
    const p = candidate.resource.Properties ?? {};
    if (candidate.resource.Type === 'AWS::Scheduler::Schedule' && [...referencedIds(p.Target)].some((id) => ids.has(id))) {
      found.push(asItsStateSays(candidate, schedulerRuns(year, p)));
    }
    if (candidate.resource.Type === 'AWS::Events::Rule' && p.ScheduleExpression && [...referencedIds(p.Targets)].some((id) => ids.has(id))) {
      found.push(asItsStateSays(candidate, weeklyRuns(p.ScheduleExpression)));
    }
  }
  // A disabled schedule, or one whose State is a token, stands for the activity only where no other one surely runs it.
  return found.find((runs) => runs.note !== DISABLED_NOTE && runs.note !== STATE_NOT_KNOWN_NOTE)
    ?? found.find((runs) => runs.note === STATE_NOT_KNOWN_NOTE) ?? found[0];
}

/** The note of a schedule that EventBridge does not run (State DISABLED). */
const DISABLED_NOTE = 'disabled';
/** The note of a schedule whose State is a token. */
const STATE_NOT_KNOWN_NOTE = 'not known';

/**
 * The runs of an EventBridge Scheduler schedule or EventBridge rule as its State says: none
 * when it is DISABLED, not known when a token gives it; as written otherwise (ENABLED is the default).
 */
function asItsStateSays(schedule: Located, runs: WeeklyRuns): WeeklyRuns {
  const state: unknown = schedule.resource.Properties?.State;
  if (state === 'DISABLED') {
    return { minutes: [], text: `none: its schedule ${schedule.path} is disabled (State DISABLED)`, note: DISABLED_NOTE };
  }
  if (state === undefined || typeof state === 'string') {
    return runs;
  }
  return { minutes: [], text: `${runs.text}, only if its schedule ${schedule.path} is enabled: its State is ${tokenText(state)}, not known at synth`, note: STATE_NOT_KNOWN_NOTE };
}

/** The runs of an EventBridge Scheduler schedule (or rule, without a zone), with the runs it skips when the clocks go forward. */
function schedulerRuns(year: number, properties: Json): WeeklyRuns {
  const runs = zonedWeeklyRuns(properties.ScheduleExpression, properties.ScheduleExpressionTimezone);
  return { ...runs, text: `${runs.text}${clockGapText(properties.ScheduleExpression, properties.ScheduleExpressionTimezone, year, 'EventBridge Scheduler')}` };
}

export function activity(index: AssemblyIndex, year: number, r: Located): ActivityEntry {
  const m = meta(r) ?? {};
  const kind = m.role === 'consistency-check' ? 'consistency check' : m.role === 'restore-drill' ? 'restore drill' : 'backup job';
  const runs = scheduleOf(index, year, r);
  return {
    kind,
    path: r.path,
    type: r.resource.Type,
    description: m.description === undefined ? undefined : index.render(m.description, r.stack),
    schedule: runs ? runs.text : 'on demand (no schedule in the assembly)',
    scheduleNote: runs ? runs.note : 'on demand',
    runs: runs?.minutes ?? [],
    ...(runs ? seasons(runs) : {}),
    targets: Array.isArray(m.targets) ? m.targets.map(String) : [],
  };
}
