import { fitPathDescription } from './path-description';

/** IAM's limit on a managed policy's description. */
export const MANAGED_POLICY_DESCRIPTION_CHARACTERS = 1000;

/**
 * `description` within IAM's 1,000 characters for a managed policy, which aws-cdk-lib does not
 * check (the deploy fails): unchanged when it fits, as IAM cannot change a policy's description
 * in place; else the construct path it names (`path`, its last occurrence) keeps its end after '...'.
 */
export function fitManagedPolicyDescription(description: string, path: string): string {
  return fitPathDescription(description, path, {
    what: 'the IAM managed policy description',
    service: 'IAM',
    maxLength: MANAGED_POLICY_DESCRIPTION_CHARACTERS,
  });
}
