/**
 * What `restore` adds after a dump restore's result when the dump, taken from a replica, brought
 * back events disabled (`DISABLE ON SLAVE`): they never run on the new instance until enabled,
 * which the JSON alone leaves easy to miss.
 */
export function disabledEventsNotice(output: unknown): string | undefined {
  const verification = (output as {
    verification?: { disabledEvents?: { total?: unknown; events?: unknown; enableAfterCutover?: unknown; listAll?: unknown }; disabledEventsUnknown?: unknown };
  } | undefined)?.verification;
  if (typeof verification?.disabledEventsUnknown === 'string') {
    return `Note: ${verification.disabledEventsUnknown}. Check the events of the restored instance (information_schema.EVENTS, STATUS SLAVESIDE_DISABLED) before cutting over.`;
  }
  const events = verification?.disabledEvents?.events;
  const statements = verification?.disabledEvents?.enableAfterCutover;
  if (!Array.isArray(events) || events.length === 0 || !Array.isArray(statements)) {
    return undefined;
  }
  const total = typeof verification?.disabledEvents?.total === 'number' ? verification.disabledEvents.total : events.length;
  const listAll = verification?.disabledEvents?.listAll;
  if (typeof listAll === 'string' && total > events.length) {
    return [
      `Note: ${total} events are disabled on the restored instance (DISABLE ON SLAVE: the dump was taken from a replica) and will not run; the first ${events.length}: ${events.join(', ')}.`,
      'The restore left them disabled. After cutting over to the restored instance, run on it the statements this query writes:',
      `  ${listAll}`,
    ].join('\n');
  }
  return [
    `Note: ${total} events are disabled on the restored instance (DISABLE ON SLAVE: the dump was taken from a replica) and will not run: ${events.join(', ')}.`,
    'The restore left them disabled. After cutting over to the restored instance, run on it:',
    ...statements.map((statement) => `  ${String(statement)}`),
  ].join('\n');
}
