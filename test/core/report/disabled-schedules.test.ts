import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { rowAt } from './model-row';
import { describedStack, onDemandTable } from './report-fixtures';
import { reportOfApp } from './report-of-app';
import { scheduledRestoreDrill } from './restore-drill';

/** The state machine `Check`, a consistency check of `table`, started by the EventBridge rule `CheckRule` in `state`. */
function checkStartedByRule(stack: Stack, table: object, state: string | undefined): void {
  const check = new sfn.StateMachine(stack, 'Check', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Compare')) });
  BackupMetadata.describe(check, { role: BackupRole.CONSISTENCY_CHECK, targets: [table as never] });
  new events.CfnRule(stack, 'CheckRule', { scheduleExpression: 'cron(0 4 * * ? *)', state, targets: [{ id: 'Check', arn: check.stateMachineArn }] });
}

describe('a schedule that is disabled does not run what it starts', () => {
  test('a restore drill whose Scheduler schedule is DISABLED has no runs, and says so', () => {
    const model = reportOfApp((app) => {
      const stack = describedStack(app, 'Drills');
      scheduledRestoreDrill(stack, [onDemandTable(stack, 'Table')], 'cron(0 3 ? * MON *)', 'UTC');
      (stack.node.findChild('DrillSchedule') as scheduler.CfnSchedule).state = 'DISABLED';
    });
    const [drill] = rowAt(model, 'Drills/Table').drills;
    expect(drill.runs).toEqual([]);
    expect(drill.scheduleNote).toBe('disabled');
    expect(drill.schedule).toBe('none: its schedule Drills/DrillSchedule is disabled (State DISABLED)');
  });

  test('a consistency check whose EventBridge rule is DISABLED has no runs; one ENABLED runs', () => {
    const disabled = reportOfApp((app) => {
      const stack = describedStack(app, 'Checks');
      checkStartedByRule(stack, onDemandTable(stack, 'Table'), 'DISABLED');
    });
    const [check] = rowAt(disabled, 'Checks/Table').checks;
    expect(check.runs).toEqual([]);
    expect(check.schedule).toBe('none: its schedule Checks/CheckRule is disabled (State DISABLED)');
    const enabled = reportOfApp((app) => {
      const stack = describedStack(app, 'Checks');
      checkStartedByRule(stack, onDemandTable(stack, 'Table'), 'ENABLED');
    });
    expect(rowAt(enabled, 'Checks/Table').checks[0].schedule).toBe('daily at 04:00 UTC');
    expect(rowAt(enabled, 'Checks/Table').checks[0].runs).toHaveLength(7);
  });

  test('a schedule whose State is a token runs at times not known at synth', () => {
    const model = reportOfApp((app) => {
      const stack = describedStack(app, 'Drills');
      scheduledRestoreDrill(stack, [onDemandTable(stack, 'Table')], 'cron(0 3 ? * MON *)', 'UTC');
      (stack.node.findChild('DrillSchedule') as scheduler.CfnSchedule).state = new CfnParameter(stack, 'DrillState', { type: 'String' }).valueAsString;
    });
    const [drill] = rowAt(model, 'Drills/Table').drills;
    expect(drill.runs).toEqual([]);
    expect(drill.scheduleNote).toBe('not known');
    expect(drill.schedule).toBe('on Mondays at 03:00 UTC, only if its schedule Drills/DrillSchedule is enabled: its State is DrillState, not known at synth');
  });

  test('a backup store whose backup job\'s schedule is DISABLED is not written by the job', () => {
    const model = reportOfApp((app) => {
      const stack = describedStack(app, 'Dumps');
      const store = new s3.Bucket(stack, 'Store', { versioned: true });
      BackupMetadata.describe(store, { role: BackupRole.BACKUP_STORE, tier: 'dump' });
      const job = new sfn.StateMachine(stack, 'Job', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Dump')) });
      BackupMetadata.describe(job, { role: BackupRole.BACKUP_JOB, tier: 'dump', targets: [store] });
      new events.CfnRule(stack, 'JobRule', { scheduleExpression: 'cron(0 1 * * ? *)', state: 'DISABLED', targets: [{ id: 'Job', arn: job.stateMachineArn }] });
    });
    const [tier] = rowAt(model, 'Dumps/Store/Resource').tiers;
    expect(tier.runs).toEqual([]);
    expect(tier.scheduleNote).toBe('disabled');
    expect(tier.schedule).toBe('none: its schedule Dumps/JobRule is disabled (State DISABLED) (Dumps/Job/Resource)');
  });
});
