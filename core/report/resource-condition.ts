/**
 * A resource with a CloudFormation `Condition` is created only where the condition holds, which
 * only the deploy tells: a backup it makes (an AWS Backup plan or selection, a DLM policy) may not run.
 */
import type { Located } from './located';

/** Why `r`, described as `what`, may not exist; undefined for a resource without a `Condition`. */
export function conditionText(what: string, r: Located): string | undefined {
  const condition = r.resource.Condition;
  return condition === undefined ? undefined : `${what} ${r.path} is created only where the condition ${condition} holds`;
}

/** The end of a tier's schedule text that says why it may not run (`mayNotRun`); empty when it runs. */
export function mayNotRunText(mayNotRun: string): string {
  return mayNotRun ? `; it may not run: ${mayNotRun}` : '';
}
