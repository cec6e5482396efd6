/** The report's activities (consistency checks, restore drills, backup jobs) and the schedules that run them. */
import type { Json } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import { clockGapText } from './clock-gap';
import { Located, meta } from './located';
import type { ActivityEntry } from './model';
import { WeeklyRuns, seasons, weeklyRuns, zonedWeeklyRuns } from './schedule';
import { referencedIds } from './template-references';

export function scheduleOf(index: AssemblyIndex, year: number, activity: Located): WeeklyRuns | undefined {
  if (activity.resource.Type === 'AWS::Scheduler::Schedule' || activity.resource.Type === 'AWS::Events::Rule') {
    // EventBridge rules run in UTC; Scheduler schedules in their own time zone.
    return schedulerRuns(year, activity.resource.Properties ?? {});
  }
  const ids = new Set([activity.logicalId]);
  // A schedule may target the activity's state machine, function or cluster next to it.
  const parent = activity.path.split('/').slice(0, -1).join('/');
  for (const [id, path] of activity.stack.pathOfLogicalId) {
    if (path.startsWith(`${parent}/`)) {
      ids.add(id);
    }
  }
  for (const candidate of index.all) {
    if (candidate.stack.id !== activity.stack.id) {
      continue;
    }
    const p = candidate.resource.Properties ?? {};
    if (candidate.resource.Type === 'AWS::Scheduler::Schedule' && [...referencedIds(p.Target)].some((id) => ids.has(id))) {
      return schedulerRuns(year, p);
    }
    if (candidate.resource.Type === 'AWS::Events::Rule' && p.ScheduleExpression && [...referencedIds(p.Targets)].some((id) => ids.has(id))) {
      return weeklyRuns(p.ScheduleExpression);
    }
  }
  return undefined;
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
