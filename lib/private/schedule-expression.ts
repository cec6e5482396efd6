// Internal: the form EventBridge Scheduler requires of a cron expression, checked at synth.
import { Token } from 'aws-cdk-lib';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { IConstruct } from 'constructs';
import { CRON_FIELD_RANGES_TEXT, cronShapeProblem, cronValueProblem, nthWeekdayFormProblem } from './cron-field';
import { dayOfWeekStepProblem } from './cron-day-of-week-step';
import { lastDayInListProblem } from './cron-last-day-form';

/**
 * Throws, naming the construct, the prop and the expression, when a `cron(...)` schedule does
 * not have the six fields EventBridge Scheduler reads, has not exactly one of its day-of-month
 * and day-of-week fields `?` (neither, or both), has a value out of its field's range
 * (`cronValueProblem`), or has `#` in a day-of-week field that is not one `n#k` alone
 * (`nthWeekdayFormProblem`), or has `L` in a list of a day field (`lastDayInListProblem`): AWS
 * would refuse the schedule only at deploy. Also when it has a step in the day of the week,
 * which AWS does not document (`dayOfWeekStepProblem`).
 * `ScheduleExpression.cron()` always writes `?` but passes its fields as given;
 * `ScheduleExpression.expression()` passes whatever it is given.
 */
export function checkCronForm(scope: IConstruct, prop: string, schedule: scheduler.ScheduleExpression): void {
  const expression = schedule.expressionString;
  if (Token.isUnresolved(expression)) {
    return;
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (!cron) {
    return;
  }
  const fields = cron[1].trim().split(/\s+/);
  const allowed = 'cron(minutes hours day-of-month month day-of-week year), with exactly one of day-of-month and day-of-week ? (e.g. cron(0 3 ? * MON *) or cron(0 3 1 * ? *))';
  if (cronShapeProblem(fields) !== undefined) {
    throw new Error(`${scope.node.path}: \`${prop}\` must be ${allowed}, as EventBridge Scheduler requires, got '${expression}'`);
  }
  const valueProblem = cronValueProblem(fields);
  if (valueProblem !== undefined) {
    throw new Error(`${scope.node.path}: \`${prop}\` must have in each field a value EventBridge Scheduler accepts (${CRON_FIELD_RANGES_TEXT}; no step in the day-of-week, elsewhere a step of at least 1, and no larger than the field's largest value but in the year; L-0 to L-30 in the day-of-month), got '${expression}': ${valueProblem}`);
  }
  const nthProblem = nthWeekdayFormProblem(fields[4]);
  if (nthProblem !== undefined) {
    throw new Error(`${scope.node.path}: \`${prop}\` must have a day-of-week field EventBridge Scheduler accepts, got '${expression}': ${nthProblem}`);
  }
  const lastDayProblem = lastDayInListProblem(fields[2], fields[4]);
  if (lastDayProblem !== undefined) {
    throw new Error(`${scope.node.path}: \`${prop}\` must use L in its day fields as EventBridge Scheduler accepts it, got '${expression}': ${lastDayProblem}`);
  }
  const stepProblem = dayOfWeekStepProblem(fields[4]);
  if (stepProblem !== undefined) {
    throw new Error(`${scope.node.path}: \`${prop}\` must have a day-of-week field of the form AWS documents, got '${expression}': ${stepProblem}`);
  }
}
