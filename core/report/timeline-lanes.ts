/**
 * The lanes of the report's timeline: one per tier schedule (resources of one tier and
 * mechanism share a lane only where their runs, note and lifetimes are the same) and one per
 * check, drill or job, with when each runs in a week and how long each copy lives.
 */
import type { ActivityEntry, ProtectedResource, TimelineLane } from './model';

/** A tier's lane before its label: `name` without the resources it covers; `ownBucket` for an S3 lifecycle, named after its bucket always. */
type TierLane = Omit<TimelineLane, 'label' | 'resources'> & { readonly name: string; readonly ownBucket: boolean; readonly resources: string[] };

export function timelineOf(resources: ProtectedResource[], activities: ActivityEntry[]): TimelineLane[] {
  const tierLanes = new Map<string, TierLane>();
  for (const resource of resources) {
    for (const tier of resource.tiers) {
      const lifetimes: TimelineLane['lifetimes'][number][] = [];
      if (tier.minHours !== undefined && tier.maxHours !== undefined) {
        lifetimes.push({ label: tier.storedIn ?? tier.tier, minHours: tier.minHours, maxHours: tier.maxHours, offsite: false });
      }
      for (const copy of tier.copies) {
        if (copy.minHours !== undefined && copy.maxHours !== undefined) {
          lifetimes.push({ label: `copy in ${copy.region}`, minHours: copy.minHours, maxHours: copy.maxHours, offsite: copy.offsite });
        }
      }
      const note = tier.scheduleNote === 'does not run every week' ? `not every week: ${tier.schedule}` : tier.scheduleNote;
      const drawn = { runs: tier.runs, ...(tier.runsInJuly ? { runsInJuly: tier.runsInJuly } : {}), note, lifetimes };
      const key = `${tier.tier}|${tier.mechanism}|${JSON.stringify(drawn)}`;
      const lane = tierLanes.get(key);
      if (lane) {
        lane.resources.push(resource.path);
        continue;
      }
      tierLanes.set(key, {
        name: `${tier.tier} (${shortMechanism(tier.mechanism)}`, ownBucket: tier.mechanism.startsWith('S3 lifecycle'), kind: 'tier', ...drawn, resources: [resource.path],
      });
    }
  }
  // A lane says which resources it covers where another lane would read the same, and always for a bucket (its lifecycle is its own).
  const names = [...tierLanes.values()].map((lane) => lane.name);
  const lanes = new Map<string, TimelineLane>([...tierLanes].map(([key, { name, ownBucket, ...lane }]) => {
    const covered = lane.resources.map(lastSegments).join(', ');
    const label = ownBucket ? `${name} ${covered})` : names.filter((n) => n === name).length > 1 ? `${name}: ${covered})` : `${name})`;
    return [key, { label, ...lane }];
  }));
  for (const activity of activities) {
    const note = activity.scheduleNote === 'does not run every week' ? `not every week: ${activity.schedule}` : activity.scheduleNote;
    lanes.set(`activity|${activity.path}`, { label: `${activity.kind}: ${lastSegments(activity.path)}`, kind: 'activity', runs: activity.runs, ...(activity.runsInJuly ? { runsInJuly: activity.runsInJuly } : {}), note, lifetimes: [] });
  }
  return [...lanes.values()];
}

function shortMechanism(mechanism: string): string {
  if (mechanism.startsWith('AWS Backup')) {
    return 'AWS Backup';
  }
  if (mechanism.startsWith('DLM')) {
    return 'DLM';
  }
  if (mechanism.startsWith('S3 lifecycle')) {
    return 'S3';
  }
  return mechanism;
}

function lastSegments(path: string): string {
  const parts = path.split('/').filter((p) => p !== 'Resource');
  return parts.slice(-2).join('/');
}
