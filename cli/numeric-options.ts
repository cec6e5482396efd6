/**
 * Numbers given as option values. Only decimal digits are taken: `Number()` would also read
 * `0x10` as 16, `1e3` as 1000, ` 5` and `5.` as 5, values no one means when typing a number
 * of seconds or GiB.
 */
import { UsageError } from './usage-error';

/** A whole number of `min` or more, and at most `max` when given (`unit` names what it counts), written in decimal digits. */
export function wholeNumber(flag: string, text: string, unit: string, min: number, max?: number): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    const allowed = max === undefined ? `, ${min} or more,` : ` from ${min} to ${max}`;
    throw new UsageError(`${flag} must be a whole number of ${unit}${allowed} in decimal digits (e.g. ${Math.max(min, 10)}); got '${text}'`);
  }
  return value;
}

/** A number above 0 (`unit` names what it counts), in decimal digits with an optional fraction: 30, 0.5. */
export function positiveDecimal(flag: string, text: string, unit: string): number {
  const value = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} must be a number of ${unit} above 0, in decimal digits with an optional fraction (e.g. 30 or 0.5); got '${text}'`);
  }
  return value;
}

/** The longest time a duration option takes: `written` as its error shows it, and `why` it is the longest. */
export interface DurationLimit {
  readonly seconds: number;
  readonly written: string;
  readonly why: string;
}

/**
 * A time above 0, in seconds: a number of seconds in decimal digits with an optional fraction
 * (`90`, `0.5`), or a duration in hours, minutes and seconds, in that order, each part optional,
 * whole except the seconds (`45s`, `2.5s`, `15m`, `1h30m`, `1m30s`); at most `max` when given.
 */
export function durationSeconds(flag: string, text: string, max?: DurationLimit): number {
  let value = NaN;
  if (/^[0-9]+(\.[0-9]+)?$/.test(text)) {
    value = Number(text);
  } else {
    const parts = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+(?:\.[0-9]+)?)s)?$/.exec(text);
    if (parts && text !== '') {
      value = Number(parts[1] ?? 0) * 3600 + Number(parts[2] ?? 0) * 60 + Number(parts[3] ?? 0);
    }
  }
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} must be above 0, in seconds (e.g. 90 or 0.5) or as a duration in h, m and s (e.g. 45s, 15m, 1h30m), in decimal digits; got '${text}'`);
  }
  if (max !== undefined && value > max.seconds) {
    throw new UsageError(`${flag} must be at most ${max.written}: ${max.why}; got '${text}'`);
  }
  return value;
}
