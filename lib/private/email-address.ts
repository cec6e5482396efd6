// Internal: what the library takes as an email address, for every prop that names the backup owner.

/**
 * Whether the text is an email address as SNS email subscriptions need it: a local part,
 * `@` and a domain with at least one dot, no spaces and no second `@`.
 */
export function isEmailAddress(text: string): boolean {
  return /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(text);
}
