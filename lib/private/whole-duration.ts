import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

type Unit = 'seconds' | 'minutes' | 'days';

const MILLIS: Record<Unit, number> = { seconds: 1000, minutes: 60_000, days: 86_400_000 };

/**
 * `value` in whole `unit`s, for a prop the workflow hands on in that unit. Fails with the
 * construct path and the prop where aws-cdk-lib's own conversion would fail without them: a
 * fraction of the unit, or a token given in another unit (which cannot be converted).
 */
export function wholeDuration(scope: IConstruct, prop: string, value: Duration, unit: Unit): number {
  const path = scope.node.path;
  if (value.isUnresolved()) {
    if (value.unitLabel() !== unit) {
      throw new Error(`${path}: \`${prop}\` must be a concrete duration, or a token given in ${unit} (\`Duration.${unit}(token)\`), got Duration.${value.unitLabel()}(token)`);
    }
    return convert(value, unit);
  }
  if (value.toMilliseconds() % MILLIS[unit] !== 0) {
    // toHumanString shows the two largest parts only: the milliseconds show the fraction it may leave out.
    throw new Error(`${path}: \`${prop}\` must be a whole number of ${unit}, got ${value.toHumanString()} (${value.toMilliseconds()} milliseconds)`);
  }
  return convert(value, unit);
}

function convert(value: Duration, unit: Unit): number {
  switch (unit) {
    case 'seconds': return value.toSeconds();
    case 'minutes': return value.toMinutes();
    case 'days': return value.toDays();
  }
}
