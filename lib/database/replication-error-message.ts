import { Lazy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { ReplicatedMySql } from './replicated-mysql';

/**
 * The message of a replication-error event (`ReplicatedMySql.onReplicationError`) for the
 * owner: which replica, what RDS reported, what to read, and the stopped-replication alarm
 * that pages later if replication stays stopped: after the longest pause allowed
 * (`ReplicatedMySql.allowReplicationPauses`) plus 15 minutes, read at synth, so that a pause
 * allowed after this message was made counts too.
 */
export function replicationErrorMessage(database: ReplicatedMySql): events.RuleTargetInput {
  const field = (path: string) => events.EventField.fromPath(path);
  // fromText: one JSON string, which EventBridge decodes before delivery, so the owner reads plain
  // lines; fromMultilineText would encode each line on its own, and each would arrive in quotes.
  return events.RuleTargetInput.fromText([
    `Replication to the read replica ${database.replica.node.path} broke: RDS reported ${field('$.detail.EventID')} at ${field('$.time')}: ${field('$.detail.Message')}`,
    `Replica: ${field('$.detail.SourceArn')}`,
    'What to do: connect to the replica and read SHOW REPLICA STATUS: which replication thread stopped and its last error (Last_IO_Error, Last_SQL_Error).',
    `If replication stays stopped, the stopped-replication alarm ${database.replicationStoppedAlarm.node.path} pages later: ${Lazy.string({ produce: () => alarmWait(database) })}.`,
  ].join('\n'));
}

/** How long the stopped-replication alarm waits before it pages, as the alarm is configured at synth. */
function alarmWait(database: ReplicatedMySql): string {
  const pause = database.replicationPauseAllowed;
  return pause === undefined ? 'after three 5-minute periods' : `it waits out the longest pause a job may make (${pause.toHumanString()}) plus 15 minutes`;
}
