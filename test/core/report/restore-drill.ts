/**
 * A restore drill as the report tests schedule it: a state machine described as the drill of
 * `targets`, started by an EventBridge Scheduler schedule. Each test passes the schedule its case is about.
 */
import { IConstruct } from 'constructs';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';

/** The state machine `Drill`, a restore drill of `targets`, started on `scheduleExpression` in `scheduleExpressionTimezone` by the schedule `DrillSchedule`. */
export function scheduledRestoreDrill(stack: Stack, targets: IConstruct[], scheduleExpression: string, scheduleExpressionTimezone: string): void {
  const drill = new sfn.StateMachine(stack, 'Drill', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Restore')) });
  BackupMetadata.describe(drill, { role: BackupRole.RESTORE_DRILL, targets });
  new scheduler.CfnSchedule(stack, 'DrillSchedule', {
    scheduleExpression,
    scheduleExpressionTimezone,
    flexibleTimeWindow: { mode: 'OFF' },
    target: { arn: drill.stateMachineArn, roleArn: new iam.Role(stack, 'SchedulerRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') }).roleArn },
  });
}
