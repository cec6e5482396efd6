import { DescriptionRules, fitPathDescription } from './path-description';

/** CloudWatch's limit on an alarm's description. */
export const ALARM_DESCRIPTION_CHARACTERS = 1024;

const RULES: DescriptionRules = { what: 'the alarm description', service: 'CloudWatch', maxLength: ALARM_DESCRIPTION_CHARACTERS };

/**
 * `description` within CloudWatch's limit: unchanged when it fits; else each construct path it
 * names (`paths`, each by its last occurrence) keeps its end after '...', the characters cut
 * shared among the paths by their lengths. Throws when even that is too long.
 */
export function fitAlarmDescription(description: string, ...paths: string[]): string {
  const excess = description.length - ALARM_DESCRIPTION_CHARACTERS;
  const total = paths.reduce((sum, path) => sum + path.length, 0);
  let text = description;
  for (const path of paths) {
    // At least one character of each path stays after the '...'.
    const cut = Math.min(Math.ceil((excess * path.length) / total), path.length - 4);
    if (cut > 0) {
      text = fitPathDescription(text, path, { ...RULES, maxLength: text.length - cut });
    }
  }
  return fitPathDescription(text, undefined, RULES);
}
