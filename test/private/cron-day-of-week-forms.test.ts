/**
 * Two forms of the day of the week and the month that AWS's cron reference does not spell
 * out. A step (`MON/2`, `*\/2`) in the day of the week: the EventBridge cron expressions
 * reference gives that field the wildcards `, - * ? L #`, no `/` (it gives `/` to the minutes,
 * hours, day of the month, month and year), so the synth check refuses it and the readers
 * (the report, the drill interval) do not read it. Names in lower or mixed case (`mon`, `Jan`):
 * the reference writes them in upper case without saying case matters, Quartz, whose syntax
 * AWS's follows, reads them regardless of case, and users of the EventBridge console report
 * that it accepts `Wed-Fri` and `mOn`: every check and reader takes them as `MON` and `JAN`.
 */
import { App } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { runsInYear } from '../../core/report/overlap';
import { NOT_UNDERSTOOD_NOTE, weeklyRuns } from '../../core/report/schedule';
import { checkCronForm } from '../../lib/private/schedule-expression';
import { longestGap } from '../../lib/restore/schedule-interval';

function synthError(expression: string): string {
  try {
    checkCronForm(new Construct(new App(), 'Stack'), 'schedule', scheduler.ScheduleExpression.expression(expression));
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

/** `lower` is taken at synth and read as `upper` by the report, the year's runs and the drill interval. */
function expectReadAs(lower: string, upper: string): void {
  expect(synthError(lower)).toBe('no error');
  expect(weeklyRuns(lower)).toEqual(weeklyRuns(upper));
  expect(weeklyRuns(lower).note?.startsWith(NOT_UNDERSTOOD_NOTE)).not.toBe(true);
  expect(runsInYear(lower, undefined, 2026)).toEqual(runsInYear(upper, undefined, 2026));
  expect(longestGap(lower)).toEqual(longestGap(upper));
  expect(longestGap(lower)).toHaveProperty('hours');
}

const STEPS: Array<[string, string, string]> = [
  ['cron(0 3 ? * MON/2 *)', 'MON/2', 'MON,WED,FRI'],
  ['cron(0 3 ? * mon/2 *)', 'mon/2', 'MON,WED,FRI'],
  ['cron(0 3 ? * */2 *)', '*/2', 'SUN,TUE,THU,SAT'],
  ['cron(0 3 ? * 2-6/2 *)', '2-6/2', 'MON,WED,FRI'],
];

const why = (field: string, days: string): string =>
  `AWS documents no step (/) in the day-of-week field, whose wildcards are , - * ? L # (EventBridge cron expressions reference), not ${field}: list the days instead (Quartz, whose syntax AWS's follows, reads ${field} as ${days})`;

// Before: each passed the synth and was read as Quartz reads it (MON/2 on Mondays, Wednesdays and Fridays).
describe.each(STEPS)('%s, a step in the day of the week', (expression, field, days) => {
  test('fails the synth, naming the path, the prop, the expression and what AWS documents', () => {
    expect(synthError(expression)).toBe(`Stack: \`schedule\` must have a day-of-week field of the form AWS documents, got '${expression}': ${why(field, days)}`);
  });

  test('is not read by the report, which says why, nor given runs of the year or a drill interval', () => {
    expect(weeklyRuns(expression)).toEqual({ minutes: [], text: expression, note: `${NOT_UNDERSTOOD_NOTE}: ${why(field, days)}` });
    expect(runsInYear(expression, undefined, 2026)).toBeUndefined();
    expect(longestGap(expression)).toEqual({ reason: why(field, days) });
  });
});

// Before: 1/8 failed as "a step in the day-of-week field is at most 7", as if a smaller step were
// documented, and the report said AWS rejects it.
test('a step above 7 in the day of the week is told that the field takes no step, without a reading Quartz does not make', () => {
  const noStep = 'AWS documents no step (/) in the day-of-week field, whose wildcards are , - * ? L # (EventBridge cron expressions reference), not 1/8: list the days instead';
  expect(synthError('cron(0 3 ? * 1/8 *)')).toBe(`Stack: \`schedule\` must have a day-of-week field of the form AWS documents, got 'cron(0 3 ? * 1/8 *)': ${noStep}`);
  expect(weeklyRuns('cron(0 3 ? * 1/8 *)').note).toBe(`${NOT_UNDERSTOOD_NOTE}: ${noStep}`);
  expect(longestGap('cron(0 3 ? * 1/8 *)')).toEqual({ reason: noStep });
});

test('a step in the month, after a name or a number, runs from it to December: JAN/3 and 1/3 are January, April, July and October', () => {
  for (const expression of ['cron(0 3 1 JAN/3 ? *)', 'cron(0 3 1 jan/3 ? *)', 'cron(0 3 1 1/3 ? *)']) {
    expect(synthError(expression)).toBe('no error');
    expect(weeklyRuns(expression).text).toBe('on day 1 of January, April, July and October at 03:00 UTC');
  }
});

describe('names in lower or mixed case are the upper-case names', () => {
  test.each([
    ['cron(0 3 ? * mon-fri *)', 'cron(0 3 ? * MON-FRI *)'],
    ['cron(0 3 ? * Wed *)', 'cron(0 3 ? * WED *)'],
    ['cron(0 3 ? jan,Jul mon *)', 'cron(0 3 ? JAN,JUL MON *)'],
    ['cron(0 3 ? * mon#1 *)', 'cron(0 3 ? * MON#1 *)'],
    ['cron(0 3 ? * fril *)', 'cron(0 3 ? * FRIL *)'],
  ])('%s is read as %s, at synth, in the report and for the drill interval', expectReadAs);

  test('a name the field does not take fails in any case', () => {
    expect(synthError('cron(0 3 1 mon ? *)')).toMatch(/the month field takes 1-12 or JAN-DEC, not mon$/);
    expect(synthError('cron(0 3 ? * jan *)')).toMatch(/the day-of-week field takes 1-7 or SUN-SAT, not jan$/);
  });

  test('a wrapping range in lower case is told to be written as two ranges in its own case', () => {
    expect(longestGap('cron(0 4 ? * fri-mon *)')).toEqual({ reason: 'AWS does not document a range from a larger value to a smaller one (fri-mon in the day-of-week field): write it as two ranges, fri-sat,sun-mon' });
  });
});

// Before: a lone l in the day of the week failed as a value the field does not take, and in the
// day of the month was not read (AWS documents L alone), while fri, fril and mon#1 were read.
describe('L in lower case is L, as the names are', () => {
  test.each([
    ['cron(0 3 ? * l *)', 'cron(0 3 ? * L *)'],
    ['cron(0 3 l * ? *)', 'cron(0 3 L * ? *)'],
    ['cron(0 3 l 2 ? *)', 'cron(0 3 L 2 ? *)'],
  ])('%s is read as %s, at synth, in the report and for the drill interval', expectReadAs);
});
