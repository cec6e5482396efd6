/** How long a DLM schedule keeps its snapshots: its retain rule, and the snapshot archive tier. */
import type { Json } from './assembly';
import { PartialRetention, knownNumber, notKnownRetention } from './template-numbers';

export function dlmRetention(rule: Json, intervalHours: number): PartialRetention {
  if (!rule) {
    return { text: 'kept until deleted by hand', minHours: Infinity, maxHours: Infinity };
  }
  if (rule.Count !== undefined) {
    const count = knownNumber(rule.Count);
    if (count === undefined) {
      return notKnownRetention('RetainRule Count', rule.Count);
    }
    const hours = count * intervalHours;
    if (Number.isNaN(hours)) {
      return { text: `the last ${count} snapshots (how long that is, not known at synth: the interval is a token)` };
    }
    return { text: `the last ${rule.Count} snapshots (about ${hours >= 48 ? `${Math.round(hours / 24)} days` : `${hours} hours`})`, minHours: hours, maxHours: hours };
  }
  const unitHours: { [unit: string]: number } = { DAYS: 24, WEEKS: 168, MONTHS: 730, YEARS: 8760 };
  const interval = knownNumber(rule.Interval);
  if (interval === undefined) {
    return notKnownRetention('RetainRule Interval', rule.Interval);
  }
  const hours = interval * (unitHours[rule.IntervalUnit] ?? 24);
  return { text: `${rule.Interval} ${String(rule.IntervalUnit).toLowerCase()}`, minHours: hours, maxHours: hours };
}

/** A snapshot that DLM moves to the archive tier lives its standard retention plus its archive retention. */
export function withArchiveTier(standard: PartialRetention, archiveRule: Json): PartialRetention {
  const archived = archiveRule?.RetainRule?.RetentionArchiveTier;
  if (!archived) {
    return standard;
  }
  const archive = dlmRetention(archived, 24);
  return {
    text: `${standard.text} in the standard tier, then ${archive.text} in the snapshot archive`,
    ...(standard.minHours !== undefined && archive.minHours !== undefined ? { minHours: standard.minHours + archive.minHours } : {}),
    ...(standard.maxHours !== undefined && archive.maxHours !== undefined ? { maxHours: standard.maxHours + archive.maxHours } : {}),
  };
}
