// Internal: the names of UTC itself, shared by the construct checks and the report.

/** Names of UTC itself, as AWS schedules and the IANA database spell it. */
export const UTC_NAMES: readonly string[] = ['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu', 'Etc/GMT', 'GMT', 'Etc/GMT0', 'GMT0', 'Etc/GMT+0', 'Etc/GMT-0', 'Etc/Greenwich', 'Greenwich'];

/** Whether a time zone name is a name of UTC. */
export function isUtcZoneName(zone: string): boolean {
  return UTC_NAMES.includes(zone);
}
