/**
 * An ISO 8601 time that says its zone (`Z` or `±hh:mm`). A time without one would be read in
 * the zone of whatever machine reads it: the operator's laptop and a Lambda function (UTC)
 * would restore to different moments.
 */
/** What a time input allows, for error messages. */
export const ZONED_TIME_ALLOWED = 'an ISO 8601 time with a zone (Z or ±hh:mm) such as 2026-11-21T10:00:00Z or 2026-11-21T11:00:00+01:00';

const ZONED_ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** True when the text is an ISO 8601 date and time with a zone, every field in range (no 30 February). */
export function isZonedIsoTime(text: string): boolean {
  const match = ZONED_ISO_TIME.exec(text);
  if (!match) {
    return false;
  }
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map((field) => Number(field ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    && hour < 24 && minute < 60 && second < 60 && offsetHours < 24 && offsetMinutes < 60;
}
