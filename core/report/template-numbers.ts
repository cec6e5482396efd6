/** Numbers and retentions as a template writes them, where a token (a parameter, a reference) leaves the value to the deploy. */
import type { Retention } from './schedule';
import { tokenText } from './token-text';

/** A retention as read from the template: without a lifetime where a token leaves its length to the deploy. */
export type PartialRetention = Pick<Retention, 'text'> & Partial<Pick<Retention, 'minHours' | 'maxHours'>>;

/** A number as the template writes it; undefined for a token (a parameter, a reference), which only the deploy resolves. */
export function knownNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isNaN(n) ? undefined : n;
}

/** A retention whose length is a token: not known at synth, and without a lifetime. */
export function notKnownRetention(property: string, value: unknown, suffix = ''): PartialRetention {
  return { text: `not known at synth (${property} is ${tokenText(value)})${suffix}` };
}

/** `1 day`, `365 days`; a value that is not a number (a token) as rendered. */
export function plural(value: unknown, unit: string): string {
  return `${tokenText(value)} ${Number(value) === 1 ? unit : `${unit}s`}`;
}
