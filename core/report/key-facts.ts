/**
 * What the report says of a KMS key that encrypts backup data: how it is rotated, and what
 * happens to it when its stack is deleted or an update replaces it. A deleted key makes
 * everything it encrypts unreadable; KMS first holds it for a pending window in which it
 * cannot be used (AWS KMS ScheduleKeyDeletion: 7 to 30 days, 30 without a value).
 */
import { Json } from './assembly';

/** AWS KMS rotates a key every 365 days unless `RotationPeriodInDays` says otherwise. */
const DEFAULT_ROTATION_DAYS = 365;

/** How the key is rotated, from `EnableKeyRotation` and `RotationPeriodInDays`. */
export function keyRotationText(properties: Json, render: (value: Json) => string): string {
  const enabled = properties?.EnableKeyRotation;
  if (enabled === undefined || enabled === false) {
    return 'not rotated';
  }
  if (enabled !== true) {
    return `rotation not known at synth: ${render(enabled)}`;
  }
  const period = properties.RotationPeriodInDays;
  if (period === undefined || Number(period) === DEFAULT_ROTATION_DAYS) {
    return 'rotated yearly';
  }
  return typeof period === 'number' || typeof period === 'string' ? `rotated every ${period} days` : `rotated, every ${render(period)} days (not known at synth)`;
}

/** The pending window of a key KMS schedules for deletion, in words. */
export function pendingWindowText(pendingWindowInDays: Json, render: (value: Json) => string): string {
  if (pendingWindowInDays === undefined) {
    return '30 days (no PendingWindowInDays: the KMS default)';
  }
  return typeof pendingWindowInDays === 'number' || typeof pendingWindowInDays === 'string'
    ? `${pendingWindowInDays} days (PendingWindowInDays)`
    : `a pending window not known at synth (${render(pendingWindowInDays)})`;
}

/** A key that is disabled in its template (`Enabled: false`), or whose state is a token. */
export function keyStateText(properties: Json, render: (value: Json) => string): string | undefined {
  const enabled = properties?.Enabled;
  if (enabled === undefined || enabled === true) {
    return undefined;
  }
  return enabled === false
    ? 'DISABLED (Enabled: false): what it encrypts cannot be read until it is enabled'
    : `whether it is enabled is not known at synth: ${render(enabled)}`;
}
