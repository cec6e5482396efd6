import { fitPathDescription } from './path-description';

/** SNS's limit on a topic's display name, which aws-cdk-lib checks at synth. */
export const TOPIC_DISPLAY_NAME_CHARACTERS = 100;

/**
 * `displayName` within SNS's 100 characters: unchanged when it fits; else the construct path it
 * names (`path`, its last occurrence) keeps its end after '...', so the name still tells which
 * construct's topic it is.
 */
export function fitTopicDisplayName(displayName: string, path: string): string {
  return fitPathDescription(displayName, path, {
    what: 'the SNS topic display name',
    service: 'SNS',
    maxLength: TOPIC_DISPLAY_NAME_CHARACTERS,
  });
}
