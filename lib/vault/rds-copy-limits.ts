import { Annotations, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { Construct } from 'constructs';
import { OffSiteCopy } from '../policy/retention-policy';
import { describeAtDeploy, equalityAtDeploy } from '../private/deploy-time-equality';
import { SynthWarnings } from '../synth-warnings';

/**
 * AWS Backup copies an RDS or Aurora recovery point to another account or to another
 * region, not to both in one copy action:
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html
 */
const ALLOWED = 'another region in the same account, or the same region in another account';

/** Off-site copies that may name both another account and another region than `scope`'s stack. */
function crossAccountAndRegion(scope: Construct, copies: OffSiteCopy[]): { certain: OffSiteCopy[]; possible: OffSiteCopy[] } {
  const stack = Stack.of(scope);
  const certain: OffSiteCopy[] = [];
  const possible: OffSiteCopy[] = [];
  for (const copy of copies) {
    if (copy.account === undefined) {
      continue;
    }
    const account = equalityAtDeploy(stack, copy.account, stack.account);
    const region = equalityAtDeploy(stack, copy.region, stack.region);
    if (account === 'different' && region === 'different') {
      certain.push(copy);
    } else if (account !== 'same' && region !== 'same') {
      possible.push(copy);
    }
  }
  return { certain, possible };
}

/** The copy's account and region for a message: a token as the template expression it resolves to. */
function destinationOf(scope: Construct, copy: OffSiteCopy): string {
  const stack = Stack.of(scope);
  return `account ${describeAtDeploy(stack, copy.account!)} in ${describeAtDeploy(stack, copy.region)}`;
}

/** The resources selected by an RDS ARN (the ARNs), as far as synth can read them. */
export function rdsArnsOf(resources: backup.BackupResource[]): string[] {
  return resources.flatMap((r) => (r.resource !== undefined && /:rds:/.test(r.resource) ? [r.resource] : []));
}

/**
 * Fails, naming `scope`'s path and `prop`, when RDS resources (`rds`, described for the
 * message) are selected and the copies are known to go to another account in another region.
 */
export function failOnRdsCopies(scope: Construct, prop: string, copies: OffSiteCopy[], rds: string[]): void {
  const { certain } = crossAccountAndRegion(scope, copies);
  if (rds.length > 0 && certain.length > 0) {
    throw new Error(`${scope.node.path}: \`${prop}\` copies to ${destinationOf(scope, certain[0])}, another account and another region, `
      + `which AWS Backup cannot do for the RDS resources selected (${rds.join(', ')}); allowed: ${ALLOWED}`);
  }
}

/** Where the off-site copies were set: the construct the user configured, and its prop. */
export interface CopiesSetting {
  readonly scope: Construct;
  readonly prop: string;
}

/**
 * Fails, naming the `addSelection` call on `vaults`, the RDS resources it selects (`rds`) and
 * the setting of the copies, when the copies are known to go to another account in another region.
 */
export function failOnSelectedRdsCopies(vaults: Construct, selectionId: string, setting: CopiesSetting, copies: OffSiteCopy[], rds: string[]): void {
  const { certain } = crossAccountAndRegion(vaults, copies);
  if (rds.length > 0 && certain.length > 0) {
    const where = setting.scope === vaults ? `\`${setting.prop}\`` : `\`${setting.prop}\` of ${setting.scope.node.path}`;
    throw new Error(`${vaults.node.path}: \`addSelection('${selectionId}')\` selects RDS resources (${rds.join(', ')}), which ${where} would copy to ${destinationOf(vaults, certain[0])}, `
      + `another account and another region, which AWS Backup cannot do for RDS; allowed: ${ALLOWED}`);
  }
}

/**
 * Fails when the plan is known to select RDS resources (`rds`) and copies to another account
 * in another region (`failOnRdsCopies`); warns when the copies may do so and the plan may hold
 * RDS resources that synth cannot see (tags, constructs, later selections).
 */
export function checkRdsCopies(scope: Construct, prop: string, copies: OffSiteCopy[], rds: string[]): void {
  failOnRdsCopies(scope, prop, copies, rds);
  const { certain, possible } = crossAccountAndRegion(scope, copies);
  for (const copy of [...certain, ...possible]) {
    Annotations.of(scope).addWarningV2(SynthWarnings.RDS_COPY_ACCOUNT_AND_REGION,
      `\`${prop}\` copies to ${destinationOf(scope, copy)}: AWS Backup cannot copy RDS or Aurora recovery points to another account and another region in one copy action (${ALLOWED}); RDS or Aurora resources on this plan would not be copied there`);
  }
}
