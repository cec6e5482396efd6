import { App, Duration, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { REQUEST_FIELDS } from '../../lambda/restore-db-steps/types';
import { RestoreDrillBackup, RestoreDrills, RestoreDrillsProps } from '../../lib/restore/restore-drills';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';
import { LAST_IN_LIST_ALLOWED, LAST_IN_LIST_CRONS } from '../support/last-in-list-crons';
import { NTH_WEEKDAY_NOT_ALONE_CRONS } from '../support/nth-weekday-list-crons';
import { ALLOWED_CRON_VALUES, OUT_OF_RANGE_CRONS } from '../support/out-of-range-crons';
import { restoreFixture } from './db-fixture';

function drills(props: Partial<RestoreDrillsProps> = {}, app: App = new App()) {
  const fixture = restoreFixture(app);
  const construct = new RestoreDrills(fixture.stack, 'Drills', { restore: fixture.restore, ...props });
  return { ...fixture, drills: construct };
}

describe('RestoreDrills', () => {
  test('defaults: a monthly schedule that starts a drill of the newest snapshot', () => {
    const template = Template.fromStack(drills().stack);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 4 1 * ? *)',
      Target: Match.objectLike({ Input: JSON.stringify({ kind: 'snapshot', drill: true }), Arn: { Ref: Match.stringLikeRegexp('^Restore') } }),
      Description: 'Restore drill of Stack/Db on cron(0 4 1 * ? *) (Etc/UTC): restore the newest snapshot to a scratch instance, verify, measure, delete',
    });
    // The schedule's role starts the drill and encrypts its input only for that state machine
    // (the schedule itself is encrypted with the key too: CDK grants its role kms:Decrypt).
    const scheduleRole = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^DrillsScheduleRole') }] } }));
    expect(scheduleRole).toHaveLength(1);
    expect(scheduleRole[0].Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: expect.stringMatching(/^Restore/) } },
      {
        Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': { Ref: expect.stringMatching(/^Restore/) } } },
      },
    ]));
    expect(scheduleRole[0].Properties.PolicyDocument.Statement.filter((statement: { Action: unknown }) => [statement.Action].flat().includes('kms:GenerateDataKey'))).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryTimeMinutes', Namespace: 'CdkBackupDr', Threshold: 240, Statistic: 'Maximum', Period: 86400 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryPointMinutes', Threshold: 1500 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DrillFailures', Threshold: 1, Statistic: 'Sum' });
  });

  test('the schedule\'s description names when it runs, in its zone', () => {
    const zoned = scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', weekDay: 'MON-FRI', timeZone: TimeZone.EUROPE_BERLIN });
    Template.fromStack(drills({ schedule: zoned }).stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Description: Match.stringLikeRegexp('^Restore drill of Stack/Db on cron\\(0 3 \\? \\* MON-FRI \\*\\) \\(Europe/Berlin\\): '),
    });
    const fortnightly = drills({ schedule: scheduler.ScheduleExpression.rate(Duration.days(14)), backup: RestoreDrillBackup.NEWEST_RECOVERY_POINT });
    Template.fromStack(fortnightly.stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Description: 'Restore drill of Stack/Db on rate(14 days) (Etc/UTC): restore the newest recovery point to a scratch instance, verify, measure, delete',
    });
  });

  test('overrides: point in time, targets, schedule and scratch instance class', () => {
    const template = Template.fromStack(drills({
      backup: RestoreDrillBackup.LATEST_RESTORABLE_TIME,
      recoveryTimeTarget: Duration.minutes(90),
      recoveryPointTarget: Duration.minutes(15),
      schedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '2', weekDay: 'SUN' }),
      instanceClass: 'db.t4g.medium',
    }).stack);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 2 ? * SUN *)',
      Target: Match.objectLike({ Input: JSON.stringify({ kind: 'point-in-time', drill: true, restoreTime: 'latest', instanceClass: 'db.t4g.medium' }) }),
      Description: 'Restore drill of Stack/Db on cron(30 2 ? * SUN *) (Etc/UTC): restore the latest restorable time to a scratch instance, verify, measure, delete',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryTimeMinutes', Threshold: 90 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryPointMinutes', Threshold: 15 });
  });

  test.each(Object.values(RestoreDrillBackup))('a drill of %s starts the workflow with only fields it takes (Validate refuses any other)', (backup) => {
    const template = Template.fromStack(drills({ backup, instanceClass: 'db.t4g.medium' }).stack);
    const drillSchedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).filter((schedule) => /^Restore/.test(schedule.Properties.Target.Arn.Ref ?? ''));
    const inputs = drillSchedules.map((schedule) => JSON.parse(schedule.Properties.Target.Input));
    expect(inputs).toHaveLength(1);
    expect(Object.keys(inputs[0]).filter((field) => !(REQUEST_FIELDS as readonly string[]).includes(field))).toEqual([]);
    expect(inputs[0]).toMatchObject({ drill: true, instanceClass: 'db.t4g.medium' });
  });

  test.each([
    [{ recoveryTimeTarget: Duration.minutes(5) }, /Stack\/Drills: `recoveryTimeTarget` must be 15 minutes to 48 hours, got 5 minutes/],
    [{ recoveryPointTarget: Duration.days(40) }, /Stack\/Drills: `recoveryPointTarget` must be 1 minute to 35 days, got 40 days/],
    [{ recoveryTimeTarget: Duration.seconds(930) }, /Stack\/Drills: `recoveryTimeTarget` must be a whole number of minutes \(its alarm compares minutes\), got 15 minutes 30 seconds/],
    [{ recoveryPointTarget: Duration.seconds(90) }, /Stack\/Drills: `recoveryPointTarget` must be a whole number of minutes \(its alarm compares minutes\), got 1 minute 30 seconds/],
    [{ instanceClass: 't3.micro' }, /Stack\/Drills: `instanceClass` must be an RDS instance class such as db.t4g.medium, got 't3.micro'/],
  ])('rejects bad props: %j', (props, message) => {
    expect(() => drills(props)).toThrow(message);
  });

  describe('missed drills', () => {
    const missedThreshold = (props: Partial<RestoreDrillsProps>) => {
      const alarms = Template.fromStack(drills(props).stack).findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'HoursSinceLastDrill' } });
      expect(Object.keys(alarms)).toHaveLength(1);
      return Object.values(alarms)[0].Properties.Threshold;
    };

    test('an alarm on the hours since the last successful drill, missing data breaching, fed by a check every 12 hours', () => {
      const { stack, drills: construct } = drills();
      const template = Template.fromStack(stack);
      // The default schedule runs on the 1st: at most 31 days apart, plus 2 days of grace.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'HoursSinceLastDrill', Namespace: 'CdkBackupDr', Dimensions: [{ Name: 'Database', Value: { Ref: Match.stringLikeRegexp('^Db') } }],
        Statistic: 'Maximum', Period: 86400, EvaluationPeriods: 1,
        Threshold: 31 * 24 + 48, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching',
      });
      expect(construct.alarms).toContain(construct.missedDrillAlarm);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(12 hours)',
        Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillsDrillAgeCheck'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } }),
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { STATE_MACHINE_ARN: { Ref: Match.stringLikeRegexp('^Restore') }, DATABASE: { Ref: Match.stringLikeRegexp('^Db') }, METRIC_NAMESPACE: 'CdkBackupDr', LOOKBACK_HOURS: '2160' } },
      });
    });

    test('least privilege: list and read this workflow\'s executions, decrypt only its state, put only the drill metrics', () => {
      const template = Template.fromStack(drills().stack);
      const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('drill-age check') } });
      expect(Object.keys(policies)).toHaveLength(1);
      const restoreArn = { Ref: Match.stringLikeRegexp('^Restore') };
      expect(Object.values(policies)[0].Properties).toMatchObject({
        Roles: [{ Ref: expect.stringMatching(/^DrillsDrillAgeCheckFunctionRole/) }],
      });
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Description: Match.stringLikeRegexp('drill-age check'),
        PolicyDocument: {
          Statement: [
            { Action: 'states:ListExecutions', Effect: 'Allow', Resource: restoreArn },
            {
              Action: 'states:DescribeExecution', Effect: 'Allow',
              Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:eu-west-1:123456789012:execution:', { 'Fn::Select': [6, { 'Fn::Split': [':', restoreArn] }] }, ':*']] },
            },
            {
              Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
              Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': restoreArn } },
            },
            { Action: 'cloudwatch:PutMetricData', Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'CdkBackupDr' } } },
          ],
        },
      });
    });

    test.each<[string, Partial<RestoreDrillsProps>, number]>([
      ['a weekly cron schedule', { schedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '2', weekDay: 'SUN' }) }, 168 + 48],
      ['a rate schedule and a grace', { schedule: scheduler.ScheduleExpression.rate(Duration.days(14)), missedDrillGrace: Duration.hours(12) }, 336 + 12],
      ['a schedule in a zone with daylight saving time (an hour more)', { schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '4', day: '1', timeZone: TimeZone.EUROPE_BERLIN }) }, 744 + 1 + 48],
      ['an explicit interval for a schedule that cannot be derived', { schedule: scheduler.ScheduleExpression.expression('cron(0 4 LW * ? *)'), drillInterval: Duration.days(33) }, 792 + 48],
      // Before: W was not derived, and this schedule required a drillInterval.
      ['the weekday nearest the 1st of each month (Wednesday July 1 to Monday August 3, 2026)', { schedule: scheduler.ScheduleExpression.expression('cron(0 4 1W * ? *)') }, 792 + 48],
      // Before: L was not derived, and this schedule required a drillInterval.
      ['the last day of each month (31 days at most from one to the next)', { schedule: scheduler.ScheduleExpression.expression('cron(0 4 L * ? *)') }, 744 + 48],
      ['the last Friday of each month (5 weeks at most)', { schedule: scheduler.ScheduleExpression.expression('cron(0 4 ? * 6L *)') }, 840 + 48],
      ['an explicit interval longer than the schedule\'s', { drillInterval: Duration.days(40) }, 960 + 48],
    ])('the threshold follows %s', (_name, props, threshold) => {
      expect(missedThreshold(props)).toBe(threshold);
    });

    test.each<[string, Partial<RestoreDrillsProps>, string]>([
      ['a last-weekday cron, which AWS does not document, without an interval', { schedule: scheduler.ScheduleExpression.expression('cron(0 4 LW * ? *)') },
        "Stack/Drills: `drillInterval` is required when the interval of `schedule` cannot be derived, got schedule 'cron(0 4 LW * ? *)' (AWS documents W after a single day of the month (3W, the weekday closest to the 3rd), not LW)"],
      ['an interval shorter than a nearest-weekday schedule\'s', { schedule: scheduler.ScheduleExpression.expression('cron(0 4 15W * ? *)'), drillInterval: Duration.days(31) },
        "Stack/Drills: `drillInterval` must be at least the longest gap between two runs of `schedule` 'cron(0 4 15W * ? *)' (768 hours), got 31 days"],
      ['an interval shorter than a last-day-of-month schedule\'s', { schedule: scheduler.ScheduleExpression.expression('cron(0 4 L * ? *)'), drillInterval: Duration.days(30) },
        "Stack/Drills: `drillInterval` must be at least the longest gap between two runs of `schedule` 'cron(0 4 L * ? *)' (744 hours), got 30 days"],
      // Before: '(its fields could not be read (numbers, names, *, ?, ranges, lists, steps, L, W and # are understood))'.
      ['a weekday range that wraps past Saturday without an interval', { schedule: scheduler.ScheduleExpression.expression('cron(0 4 ? * FRI-MON *)') },
        "Stack/Drills: `drillInterval` is required when the interval of `schedule` cannot be derived, got schedule 'cron(0 4 ? * FRI-MON *)' (AWS does not document a range from a larger value to a smaller one (FRI-MON in the day-of-week field): write it as two ranges, FRI-SAT,SUN-MON)"],
      ['a one-time schedule without an interval', { schedule: scheduler.ScheduleExpression.at(new Date('2026-12-24T10:00:00Z')) },
        "Stack/Drills: `drillInterval` is required when the interval of `schedule` cannot be derived, got schedule 'at(2026-12-24T10:00:00)' (only rate() and cron() expressions repeat)"],
      ['an interval shorter than the schedule\'s', { drillInterval: Duration.days(7) },
        "Stack/Drills: `drillInterval` must be at least the longest gap between two runs of `schedule` 'cron(0 4 1 * ? *)' (744 hours), got 7 days"],
      ['a quarterly schedule, longer than the executions are kept', { schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '4', day: '1', month: '1,4,7,10' }) },
        "Stack/Drills: the drill interval plus `missedDrillGrace` must be less than 90 days (Step Functions keeps an execution 90 days), got the 2208 hours between two runs of `schedule` 'cron(0 4 1 1,4,7,10 ? *)' plus 2 days"],
      ['an interval and grace of 90 days', { drillInterval: Duration.days(60), missedDrillGrace: Duration.days(30) },
        'Stack/Drills: the drill interval plus `missedDrillGrace` must be less than 90 days (Step Functions keeps an execution 90 days), got `drillInterval` 60 days plus 30 days'],
    ])('rejects %s', (_name, props, message) => {
      expect(() => drills(props)).toThrow(message);
    });
  });

  test('passes every compliance gate', () => {
    const app = appWithComplianceGates();
    const { stack, key } = drills({}, app);
    const topic = new sns.Topic(stack, 'Alarms', { masterKey: key, enforceSSL: true });
    (stack.node.findChild('Drills') as RestoreDrills).addAlarmAction(new cloudwatchActions.SnsAction(topic));
    const findings = complianceFindings(app).filter((f) => f.path.startsWith('Stack/Drills'));
    expect(describeFindings(findings)).toEqual('');
  });
});

test('a cron schedule without exactly one ? in its day fields fails at synth, even with a drillInterval', () => {
  expect(() => drills({ schedule: scheduler.ScheduleExpression.expression('cron(0 4 1 * MON *)'), drillInterval: Duration.days(31) })).toThrow(
    /^Stack\/Drills: `schedule` must be cron\(minutes hours day-of-month month day-of-week year\), with exactly one of day-of-month and day-of-week \? .*got 'cron\(0 4 1 \* MON \*\)'$/);
  // Before: ? in both passed, as a daily schedule.
  expect(() => drills({ schedule: scheduler.ScheduleExpression.expression('cron(0 4 ? * ? *)') })).toThrow(
    /^Stack\/Drills: `schedule` must be cron\(minutes hours day-of-month month day-of-week year\), with exactly one of day-of-month and day-of-week \? .*got 'cron\(0 4 \? \* \? \*\)'$/);
});

// Before: each passed the synth, and AWS would refuse the schedule at deploy.
test.each(OUT_OF_RANGE_CRONS)('a cron schedule %s, out of its field\'s range, fails at synth, naming the prop, the value and what is allowed, even with a drillInterval', (expression, why) => {
  expect(() => drills({ schedule: scheduler.ScheduleExpression.expression(expression), drillInterval: Duration.days(31) })).toThrow(new Error(
    `Stack/Drills: \`schedule\` must have in each field a value EventBridge Scheduler accepts (${ALLOWED_CRON_VALUES}), got '${expression}': ${why}`));
});

// Before: each passed the synth, with a drillInterval, and AWS would refuse the schedule at deploy.
test.each(NTH_WEEKDAY_NOT_ALONE_CRONS)('a cron schedule %s, with # not alone in the day of the week, fails at synth, naming the prop, the value and what is allowed, even with a drillInterval', (expression, why) => {
  expect(() => drills({ schedule: scheduler.ScheduleExpression.expression(expression), drillInterval: Duration.days(31) })).toThrow(new Error(
    `Stack/Drills: \`schedule\` must have a day-of-week field EventBridge Scheduler accepts, got '${expression}': ${why}`));
});

// Before: each passed the synth, with a drillInterval, and AWS would refuse the schedule at deploy.
test.each(LAST_IN_LIST_CRONS)('a cron schedule %s, with L in a list of a day field, fails at synth, naming the prop, the value and what is allowed, even with a drillInterval', (expression, why) => {
  expect(() => drills({ schedule: scheduler.ScheduleExpression.expression(expression), drillInterval: Duration.days(31) })).toThrow(new Error(
    `Stack/Drills: \`schedule\` ${LAST_IN_LIST_ALLOWED}, got '${expression}': ${why}`));
});
