import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RestoreDrillBackup, RestoreDrills, RestoreDrillsProps } from '../../lib/restore/restore-drills';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';
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
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryTimeMinutes', Namespace: 'CdkBackupDr', Threshold: 240, Statistic: 'Maximum', Period: 86400 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryPointMinutes', Threshold: 1500 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DrillFailures', Threshold: 1, Statistic: 'Sum' });
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
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryTimeMinutes', Threshold: 90 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryPointMinutes', Threshold: 15 });
  });

  test.each([
    [{ recoveryTimeTarget: Duration.minutes(5) }, /Stack\/Drills: `recoveryTimeTarget` must be 15 minutes to 48 hours, got 5 minutes/],
    [{ recoveryPointTarget: Duration.days(40) }, /Stack\/Drills: `recoveryPointTarget` must be 1 minute to 35 days, got 40 days/],
    [{ instanceClass: 't3.micro' }, /Stack\/Drills: `instanceClass` must be an RDS instance class such as db.t4g.medium, got 't3.micro'/],
  ])('rejects bad props: %j', (props, message) => {
    expect(() => drills(props)).toThrow(message);
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
