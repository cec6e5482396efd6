import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { ReplicatedMySql } from './replicated-mysql';

/**
 * The message of a replication-error event (`ReplicatedMySql.onReplicationError`) for the
 * owner: which replica, what RDS reported, what to read, and the stopped-replication alarm
 * that pages later if replication stays stopped, after the longest pause `pauseLimit` of the
 * job that pauses replication plus 15 minutes.
 */
export function replicationErrorMessage(database: ReplicatedMySql, pauseJob: string, pauseLimit: Duration): events.RuleTargetInput {
  const field = (path: string) => events.EventField.fromPath(path);
  // fromText: one JSON string, which EventBridge decodes before delivery, so the owner reads plain
  // lines; fromMultilineText would encode each line on its own, and each would arrive in quotes.
  return events.RuleTargetInput.fromText([
    `Replication to the read replica ${database.replica.node.path} broke: RDS reported ${field('$.detail.EventID')} at ${field('$.time')}: ${field('$.detail.Message')}`,
    `Replica: ${field('$.detail.SourceArn')}`,
    'What to do: connect to the replica and read SHOW REPLICA STATUS: which replication thread stopped and its last error (Last_IO_Error, Last_SQL_Error).',
    `If replication stays stopped, the stopped-replication alarm ${database.replicationStoppedAlarm.node.path} pages later: it waits out the longest pause ${pauseJob} may make (${pauseLimit.toHumanString()}) plus 15 minutes.`,
  ].join('\n'));
}
