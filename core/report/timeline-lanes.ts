/**
 * The lanes of the report's timeline: one per tier (by tier name and mechanism: the first
 * resource's schedule stands for the others) and one per check, drill or job, with when each
 * runs in a week and how long each copy lives.
 */
import type { ActivityEntry, ProtectedResource, TimelineLane } from './model';

export function timelineOf(resources: ProtectedResource[], activities: ActivityEntry[]): TimelineLane[] {
  const lanes = new Map<string, TimelineLane>();
  for (const resource of resources) {
    for (const tier of resource.tiers) {
      const key = `${tier.tier}|${tier.mechanism}`;
      if (lanes.has(key)) {
        continue;
      }
      const lifetimes: TimelineLane['lifetimes'][number][] = [];
      if (tier.minHours !== undefined && tier.maxHours !== undefined) {
        lifetimes.push({ label: tier.storedIn ?? tier.tier, minHours: tier.minHours, maxHours: tier.maxHours, offsite: false });
      }
      for (const copy of tier.copies) {
        if (copy.minHours !== undefined && copy.maxHours !== undefined) {
          lifetimes.push({ label: `copy in ${copy.region}`, minHours: copy.minHours, maxHours: copy.maxHours, offsite: copy.offsite });
        }
      }
      const where = tier.mechanism.startsWith('S3 lifecycle') ? ` ${lastSegments(resource.path)}` : '';
      const note = tier.scheduleNote === 'does not run every week' ? `not every week: ${tier.schedule}` : tier.scheduleNote;
      lanes.set(key, { label: `${tier.tier} (${shortMechanism(tier.mechanism)}${where})`, kind: 'tier', runs: tier.runs, ...(tier.runsInJuly ? { runsInJuly: tier.runsInJuly } : {}), note, lifetimes });
    }
  }
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
