// Internal: a step in the day of the week, which AWS's cron reference does not give that field.
import { AWS_WEEKDAYS, expandCronField } from './cron-field';

/**
 * Why a cron expression is neither taken at synth nor read for a step (`/`) in its day of the
 * week (`MON/2`, `*\/2`, `2-6/2`), or undefined when it has none. The EventBridge cron
 * expressions reference, which AWS Backup and DLM refer to, gives the day-of-week field the
 * wildcards `, - * ? L #`, and `/` to every other field. Quartz reads one (`MON/2` from
 * Monday every second day to Saturday); AWS does not say it does, so the message says how
 * Quartz reads it, as the list to write instead.
 */
export function dayOfWeekStepProblem(dowField: string): string | undefined {
  if (!dowField.includes('/')) {
    return undefined;
  }
  // Quartz too rejects a step above 7 in this field: no reading of it to suggest.
  const aboveSeven = [...dowField.matchAll(/\/(\d+)/g)].some(([, step]) => Number(step) > 7);
  const days = aboveSeven ? undefined : expandCronField(dowField, 1, 7, AWS_WEEKDAYS);
  const names = Object.keys(AWS_WEEKDAYS);
  const quartz = days === undefined ? '' : ` (Quartz, whose syntax AWS's follows, reads ${dowField} as ${days.map((d) => names[d - 1]).join(',')})`;
  return `AWS documents no step (/) in the day-of-week field, whose wildcards are , - * ? L # (EventBridge cron expressions reference), not ${dowField}: list the days instead${quartz}`;
}
