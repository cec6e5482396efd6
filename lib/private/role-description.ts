import { fitPathDescription } from './path-description';

/** IAM's limit on a role's description. */
export const ROLE_DESCRIPTION_CHARACTERS = 1000;

/**
 * `description` within IAM's rules (1,000 characters of tab, line breaks, printable ASCII and
 * Latin-1), which aws-cdk-lib checks at synth without naming our construct: unchanged when it
 * fits; else the construct path it names (`path`, its last occurrence) keeps its end after '...'.
 */
export function fitRoleDescription(description: string, path: string): string {
  return fitPathDescription(description, path, {
    what: 'the IAM role description',
    service: 'IAM',
    maxLength: ROLE_DESCRIPTION_CHARACTERS,
    allowedCharacter: /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]$/,
  });
}
