import { fitPathDescription } from './path-description';

/** EventBridge Scheduler's limit on a schedule's description. */
export const SCHEDULE_DESCRIPTION_CHARACTERS = 512;

/**
 * `description` within EventBridge Scheduler's 512 characters, which aws-cdk-lib does not check
 * (the deploy fails): unchanged when it fits; else the construct path it names (`path`, its last
 * occurrence) keeps its end, the most specific part, after '...', and the rest stays whole.
 */
export function fitScheduleDescription(description: string, path: string): string {
  return fitPathDescription(description, path, {
    what: 'the EventBridge Scheduler schedule description',
    service: 'EventBridge Scheduler',
    maxLength: SCHEDULE_DESCRIPTION_CHARACTERS,
  });
}
