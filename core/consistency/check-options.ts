/**
 * The ranges of the check's numeric options. A value outside them does not fail loudly later:
 * a chunk of 0 rows, for one, breaks the chunk stream, so the check refuses it before it reads
 * anything.
 */
import type { CheckOptions } from './session';

type NumericOption = keyof Pick<CheckOptions, 'maxLagSeconds' | 'maxLagWaitSeconds' | 'targetChunkSeconds' | 'initialChunkRows' | 'maxChunkRows'
| 'lockWaitTimeoutSeconds' | 'chunkRechecks' | 'rowVerifyRounds' | 'maxReportedRows'>;

interface Range {
  readonly whole: boolean;
  readonly min: number;
  /** Whether `min` itself is allowed. */
  readonly includesMin: boolean;
  readonly allowed: string;
}

const WHOLE_ROWS: Range = { whole: true, min: 1, includesMin: true, allowed: 'a whole number of rows from 1' };
const SECONDS_FROM_0: Range = { whole: false, min: 0, includesMin: true, allowed: 'a number of seconds from 0' };

const RANGES: Record<NumericOption, Range> = {
  maxLagSeconds: SECONDS_FROM_0,
  maxLagWaitSeconds: SECONDS_FROM_0,
  targetChunkSeconds: { whole: false, min: 0, includesMin: false, allowed: 'a number of seconds above 0' },
  initialChunkRows: WHOLE_ROWS,
  maxChunkRows: WHOLE_ROWS,
  lockWaitTimeoutSeconds: { whole: true, min: 1, includesMin: true, allowed: 'a whole number of seconds from 1' },
  chunkRechecks: { whole: true, min: 0, includesMin: true, allowed: 'a whole number from 0' },
  rowVerifyRounds: { whole: true, min: 1, includesMin: true, allowed: 'a whole number from 1' },
  maxReportedRows: { whole: true, min: 0, includesMin: true, allowed: 'a whole number from 0' },
};

/** What is wrong with the first numeric option out of its range, or undefined when all are in range. */
export function invalidCheckOption(options: CheckOptions): string | undefined {
  for (const [name, range] of Object.entries(RANGES) as Array<[NumericOption, Range]>) {
    const value: unknown = options[name];
    if (value === undefined) {
      continue;
    }
    const inRange = typeof value === 'number' && Number.isFinite(value) && (range.includesMin ? value >= range.min : value > range.min) && (!range.whole || Number.isInteger(value));
    if (!inRange) {
      return `\`${name}\` must be ${range.allowed}, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`;
    }
  }
  return undefined;
}
