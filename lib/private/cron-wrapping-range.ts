// Internal: ranges of a cron expression that run from a larger value to a smaller one, which the readers do not read.
import { CRON_FIELD_RANGES, CronFieldRange } from './cron-field';

/**
 * Why a cron expression is not read for a range from a larger value to a smaller one
 * (`FRI-MON`, `22-2`, `NOV-FEB`, `5-1`), or undefined when it has none. The EventBridge cron
 * expressions reference describes a range as "1-15 includes days 1 through 15" and none that
 * wraps past its field's end; Quartz reads one as wrapping, but AWS does not say it does, so
 * the library reads no such schedule and says how to write it as two ranges.
 */
export function wrappingRangeProblem(fields: readonly string[]): string | undefined {
  for (const [index, range] of CRON_FIELD_RANGES.entries()) {
    for (const part of (fields[index] ?? '').split(',')) {
      const match = /^([A-Za-z0-9]+)-([A-Za-z0-9]+)(\/\d+)?$/.exec(part);
      if (!match || !((valueOf(match[1], range) ?? -Infinity) > (valueOf(match[2], range) ?? Infinity))) {
        continue;
      }
      const problem = `AWS does not document a range from a larger value to a smaller one (${part} in the ${range.field} field)`;
      // A year does not wrap, and with a step the values after the wrap depend on the step.
      return range.field === 'year' || match[3] !== undefined ? problem : `${problem}: write it as two ranges, ${twoRanges(match[1], match[2], range)}`;
    }
  }
  return undefined;
}

function valueOf(text: string, range: CronFieldRange): number | undefined {
  const value = range.names?.[text.toUpperCase()] ?? (/^\d+$/.test(text) ? Number(text) : NaN);
  return value >= range.min && value <= range.max ? value : undefined;
}

/** `FRI-MON` as `FRI-SAT,SUN-MON`, `22-2` as `22-23,0-2`: names when the range starts with one, in its case. */
function twoRanges(from: string, to: string, range: CronFieldRange): string {
  const named = /^\d+$/.test(from) ? undefined : Object.keys(range.names ?? {});
  // The names in the range's own case: `fri-mon` as `fri-sat,sun-mon`.
  const inCase = (name: string): string => (from === from.toLowerCase() ? name.toLowerCase() : name);
  const [first, last] = named ? [inCase(named[0]), inCase(named[named.length - 1])] : [String(range.min), String(range.max)];
  const span = (a: string, b: string): string => (a.toUpperCase() === b.toUpperCase() ? b : `${a}-${b}`);
  return `${span(from, last)},${span(first, to)}`;
}
