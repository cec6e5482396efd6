/**
 * The newest successful, measured restore drill among the executions of the restore workflow.
 */
import { DescribeExecutionCommand, ExecutionStatus, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** A drill that succeeded: restored, verified, measured and cleaned up. */
export interface LastDrill {
  readonly executionArn: string;
  readonly stoppedAt: Date;
  readonly recoveryTimeMinutes: number;
  readonly recoveryPointMinutes: number;
}

/** What the search looked at. */
export interface DrillSearch {
  /** The newest successful drill started within the look-back, if any. */
  readonly lastDrill?: LastDrill;
  /** Successful executions whose output was read (drills and other restores). */
  readonly executionsRead: number;
}

/** More than this many pages of successful executions in the look-back is not a restore workflow's history: the check gives up. */
export const MAX_PAGES = 20;

/**
 * Pages through the workflow's SUCCEEDED executions, newest first (as ListExecutions returns
 * them), back to `since`, and returns the first whose output is a successful drill with both
 * recovery times measured. An execution that failed (including a drill whose recovery point
 * could not be measured) is not a successful drill. Any API error propagates: the caller
 * reports the age as unknown.
 */
export async function findLastDrill(sfn: SFNClient, stateMachineArn: string, since: Date): Promise<DrillSearch> {
  let nextToken: string | undefined;
  let executionsRead = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: ExecutionStatus.SUCCEEDED, maxResults: 100, nextToken }));
    for (const execution of listed.executions ?? []) {
      if (!execution.startDate || execution.startDate < since) {
        return { executionsRead };
      }
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
      executionsRead++;
      const drill = successfulDrill(described.output);
      if (described.status === ExecutionStatus.SUCCEEDED && drill && described.stopDate) {
        return { lastDrill: { executionArn: execution.executionArn!, stoppedAt: described.stopDate, ...drill }, executionsRead };
      }
    }
    nextToken = listed.nextToken;
    if (!nextToken) {
      return { executionsRead };
    }
  }
  throw new Error(`more than ${MAX_PAGES * 100} successful executions of ${stateMachineArn} since ${since.toISOString()}: not searched further`);
}

/** The recovery times of a successful drill's output, or undefined for anything else. */
function successfulDrill(output: string | undefined): { recoveryTimeMinutes: number; recoveryPointMinutes: number } | undefined {
  let result: { [key: string]: unknown };
  try {
    result = JSON.parse(output ?? 'null') ?? {};
  } catch {
    return undefined;
  }
  const { status, drill, verified, recoveryTimeMinutes, recoveryPointMinutes } = result;
  if (status !== 'SUCCEEDED' || drill !== true || verified !== true || typeof recoveryTimeMinutes !== 'number' || typeof recoveryPointMinutes !== 'number') {
    return undefined;
  }
  return { recoveryTimeMinutes, recoveryPointMinutes };
}
