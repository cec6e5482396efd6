import { Duration, TimeZone, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { checkCronForm } from '../private/schedule-expression';
import * as RULES from '../private/description-rules';
import { fitPathDescription, fitPathsDescription } from '../private/path-description';
import { DatabaseRestore } from './database-restore';
import { DrillAgeCheck } from './drill-age-check';
import { longestGap } from './schedule-interval';
import { grantKeyIn } from './workflow-shell';

/** 04:00 UTC on the first day of each month. */
const DEFAULT_SCHEDULE = scheduler.ScheduleExpression.cron({ minute: '0', hour: '4', day: '1' });
/**
 * How far back the drill-age check reads the workflow's executions: Step Functions keeps a
 * standard workflow's execution history 90 days (an account may have it shortened to 30
 * days by a quota request, which makes the check report older drills as missing).
 */
const LOOKBACK_DAYS = 90;

/** Which backup a restore drill restores. */
export enum RestoreDrillBackup {
  /** The newest available RDS snapshot of the database (automated or manual). */
  NEWEST_SNAPSHOT = 'snapshot',
  /** The newest completed AWS Backup recovery point of the database. */
  NEWEST_RECOVERY_POINT = 'recovery-point',
  /** The latest restorable time of point-in-time recovery (the smallest data loss). */
  LATEST_RESTORABLE_TIME = 'point-in-time',
}

/** What a drill restores, as its schedule's description says it. */
const RESTORED: Record<RestoreDrillBackup, string> = {
  [RestoreDrillBackup.NEWEST_SNAPSHOT]: 'the newest snapshot',
  [RestoreDrillBackup.NEWEST_RECOVERY_POINT]: 'the newest recovery point',
  [RestoreDrillBackup.LATEST_RESTORABLE_TIME]: 'the latest restorable time',
};

/** When a schedule runs, for its description: the expression, and its zone when it has one. */
function runsWhen(schedule: scheduler.ScheduleExpression): string {
  const expression = schedule.expressionString;
  if (Token.isUnresolved(expression)) {
    return 'on its schedule';
  }
  const zone = schedule.timeZone?.timezoneName;
  return `on ${expression}${zone && !Token.isUnresolved(zone) ? ` (${zone})` : ''}`;
}

/** Properties of {@link RestoreDrills}. */
export interface RestoreDrillsProps {
  /** The restore workflow the drills run (the same one an incident restore uses). */
  readonly restore: DatabaseRestore;
  /**
   * When drills run (UTC).
   * @default - monthly: 04:00 UTC on the first day of each month
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * Which backup each drill restores.
   * @default RestoreDrillBackup.NEWEST_SNAPSHOT
   */
  readonly backup?: RestoreDrillBackup;
  /**
   * The recovery time objective, in minutes: the alarm fires when a drill takes longer from
   * its start to a verified copy (15 minutes to 48 hours).
   * @default Duration.hours(4)
   */
  readonly recoveryTimeTarget?: Duration;
  /**
   * The recovery point objective, in minutes: the alarm fires when a drill's copy is missing
   * more than this much of the newest data (1 minute to 35 days).
   * @default Duration.hours(25) - a daily snapshot plus an hour of slack
   */
  readonly recoveryPointTarget?: Duration;
  /**
   * The instance class of the scratch instance (e.g. `db.t4g.medium`).
   * @default - the source's instance class
   */
  readonly instanceClass?: string;
  /**
   * The longest time between two drills: the missed-drill alarm fires when no drill has
   * succeeded for this long plus `missedDrillGrace`. Give it when `schedule` is an `at()`
   * expression, a cron expression limited to some years or with a form of `L` or `W` AWS
   * does not document (`LW`, `L-3`, `W` in a list), or a token: its interval cannot be derived
   * then (`L`, `nW` and `#` are: 31 days for the last day of each month, 33 days for the weekday
   * nearest its 1st, 5 weeks for its last or first Friday).
   * @default - the longest gap between two runs of `schedule` (31 days for the default monthly schedule)
   */
  readonly drillInterval?: Duration;
  /**
   * How much later than `drillInterval` a successful drill may end before the missed-drill
   * alarm fires. The interval plus the grace must stay under 90 days, the time Step
   * Functions keeps an execution.
   * @default Duration.days(2)
   */
  readonly missedDrillGrace?: Duration;
  /**
   * The VPC of the function that checks the age of the last successful drill.
   * @default - the database's VPC; required when the database is imported
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Actions of the four alarms (recovery time, recovery point, failed drill, missed drill).
   * The compliance packs require an action on every alarm: give one here or with `addAlarmAction`.
   * @default - no actions
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * Restore drills: on a schedule (EventBridge Scheduler, monthly by default) the database's
 * newest backup is restored by its `DatabaseRestore` workflow into a scratch instance
 * (tagged `cdk-backup-dr:drill`), verified, measured and deleted. The recovery time (minutes
 * from the start to the verified copy) and the recovery point (minutes of data lost) are
 * CloudWatch metrics with an alarm each, and a failed drill raises a third alarm. A fourth
 * alarm fires when no drill has succeeded for the drill interval plus a grace: a check every
 * 12 hours reads the workflow's executions and puts `HoursSinceLastDrill`, and a day without
 * that metric (the check not running or failing) counts as breaching.
 */
export class RestoreDrills extends Construct {
  /** The schedule that starts the drills. */
  public readonly schedule: scheduler.ISchedule;
  /** Fires when a drill's recovery time exceeds `recoveryTimeTarget`. */
  public readonly recoveryTimeAlarm: cloudwatch.IAlarm;
  /** Fires when a drill's recovery point exceeds `recoveryPointTarget`. */
  public readonly recoveryPointAlarm: cloudwatch.IAlarm;
  /** Fires when a drill fails (restore, verification or cleanup). */
  public readonly drillFailureAlarm: cloudwatch.IAlarm;
  /** Fires when no drill has succeeded within the drill interval plus the grace, or when that cannot be checked. */
  public readonly missedDrillAlarm: cloudwatch.IAlarm;
  /** The function that puts `HoursSinceLastDrill`. */
  public readonly drillAgeFunction: lambda.IFunction;
  private readonly alarmResources: cloudwatch.Alarm[];
  private readonly sourceIdentifier: string;

  constructor(scope: Construct, id: string, props: RestoreDrillsProps) {
    super(scope, id);
    const recoveryTimeTarget = props.recoveryTimeTarget ?? Duration.hours(4);
    const recoveryPointTarget = props.recoveryPointTarget ?? Duration.hours(25);
    this.checkMinutes('recoveryTimeTarget', recoveryTimeTarget, 15, 48 * 60, '15 minutes to 48 hours');
    this.checkMinutes('recoveryPointTarget', recoveryPointTarget, 1, 35 * 24 * 60, '1 minute to 35 days');
    if (props.instanceClass !== undefined && !Token.isUnresolved(props.instanceClass) && !/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(props.instanceClass)) {
      throw new Error(`${this.node.path}: \`instanceClass\` must be an RDS instance class such as db.t4g.medium, got '${props.instanceClass}'`);
    }
    this.sourceIdentifier = props.restore.database.instanceIdentifier;
    const kind = props.backup ?? RestoreDrillBackup.NEWEST_SNAPSHOT;

    const input: { [key: string]: unknown } = { kind, drill: true };
    if (kind === RestoreDrillBackup.LATEST_RESTORABLE_TIME) {
      input.restoreTime = 'latest';
    }
    if (props.instanceClass) {
      input.instanceClass = props.instanceClass;
    }
    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: fitPathDescription(`Starts the restore drills of ${props.restore.node.path}`, props.restore.node.path, RULES.ROLE),
    });
    // The workflow's state is encrypted with the key: starting an execution encrypts its input.
    grantKeyIn(role, props.restore.encryptionKey, 'kms:GenerateDataKey', 'aws:states:stateMachineArn', props.restore.stateMachine.stateMachineArn);
    const schedule = props.schedule ?? DEFAULT_SCHEDULE;
    checkCronForm(this, 'schedule', schedule);
    const maxAgeHours = this.maxDrillAgeHours(schedule, props);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: fitPathDescription(`Restore drill of ${props.restore.database.node.path} ${runsWhen(schedule)}: restore ${RESTORED[kind]} to a scratch instance, verify, measure, delete`, props.restore.database.node.path, RULES.SCHEDULE),
      schedule,
      target: new targets.StepFunctionsStartExecution(props.restore.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject(input),
        role,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
      key: props.restore.encryptionKey,
    });

    const recoveryTimeAlarm = new cloudwatch.Alarm(this, 'RecoveryTimeAlarm', {
      alarmDescription: fitPathDescription(`A restore drill of ${props.restore.database.node.path} took more than ${recoveryTimeTarget.toMinutes()} minutes from its start to a verified copy`, props.restore.database.node.path, RULES.ALARM),
      metric: this.metricRecoveryTime(),
      threshold: recoveryTimeTarget.toMinutes(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const recoveryPointAlarm = new cloudwatch.Alarm(this, 'RecoveryPointAlarm', {
      alarmDescription: fitPathDescription(`A restore drill of ${props.restore.database.node.path} lost more than ${recoveryPointTarget.toMinutes()} minutes of data`, props.restore.database.node.path, RULES.ALARM),
      metric: this.metricRecoveryPoint(),
      threshold: recoveryPointTarget.toMinutes(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const drillFailureAlarm = new cloudwatch.Alarm(this, 'DrillFailureAlarm', {
      alarmDescription: fitPathDescription(`A restore drill of ${props.restore.database.node.path} failed: see the executions of its restore workflow`, props.restore.database.node.path, RULES.ALARM),
      metric: this.metricDrillFailures(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const drillAgeCheck = new DrillAgeCheck(this, 'DrillAgeCheck', {
      restore: props.restore,
      vpc: props.vpc,
      lookbackHours: LOOKBACK_DAYS * 24,
    });
    this.drillAgeFunction = drillAgeCheck.function;
    const missedDrillAlarm = new cloudwatch.Alarm(this, 'MissedDrillAlarm', {
      alarmDescription: fitPathsDescription(`No restore drill of ${props.restore.database.node.path} has succeeded for ${maxAgeHours} hours (drill interval plus grace), or the drill-age check could not tell: see the log group of ${drillAgeCheck.node.path}`, [props.restore.database.node.path, drillAgeCheck.node.path], RULES.ALARM),
      metric: this.metricHoursSinceLastDrill(),
      threshold: maxAgeHours,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // The check puts a value every 12 hours: a day without one means it did not run or could not read the executions.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.recoveryTimeAlarm = recoveryTimeAlarm;
    this.recoveryPointAlarm = recoveryPointAlarm;
    this.drillFailureAlarm = drillFailureAlarm;
    this.missedDrillAlarm = missedDrillAlarm;
    this.alarmResources = [recoveryTimeAlarm, recoveryPointAlarm, drillFailureAlarm, missedDrillAlarm];
    this.addAlarmAction(...(props.alarmActions ?? []));
    Validations.of(role).acknowledge(
      ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-IAMNoInlinePolicy`,
        reason: 'The inline default policy holds only what the schedule needs: states:StartExecution on the restore workflow and the use of its key.',
      })),
    );
  }

  /** The drill alarms (recovery time, recovery point, failed drill, missed drill). */
  public get alarms(): cloudwatch.IAlarm[] {
    return [this.recoveryTimeAlarm, this.recoveryPointAlarm, this.drillFailureAlarm, this.missedDrillAlarm];
  }

  /** Adds actions to the four drill alarms (e.g. the backup owner's topic). */
  public addAlarmAction(...actions: cloudwatch.IAlarmAction[]): void {
    for (const alarm of this.alarmResources) {
      alarm.addAlarmAction(...actions);
    }
  }

  /** Minutes from a drill's start to its verified copy (default: maximum over 1 day). */
  public metricRecoveryTime(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('RecoveryTimeMinutes', props);
  }

  /** Minutes of data a drill's copy lacked (default: maximum over 1 day). */
  public metricRecoveryPoint(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('RecoveryPointMinutes', props);
  }

  /** Failed drills: 1 per failed drill, 0 per successful one (default: sum over 1 day). */
  public metricDrillFailures(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('DrillFailures', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /**
   * Hours since the newest successful drill ended, put every 12 hours; 2160 (90 days, the
   * look-back) when there is none (default: maximum over 1 day).
   */
  public metricHoursSinceLastDrill(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('HoursSinceLastDrill', props);
  }

  private metric(name: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: DatabaseRestore.METRIC_NAMESPACE,
      metricName: name,
      dimensionsMap: { Database: this.sourceIdentifier },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.days(1),
      ...props,
    });
  }

  private checkMinutes(name: string, value: Duration, min: number, max: number, allowed: string): void {
    const minutes = value.toMinutes({ integral: false });
    if (!Token.isUnresolved(minutes) && (minutes < min || minutes > max)) {
      throw new Error(`${this.node.path}: \`${name}\` must be ${allowed}, got ${value.toHumanString()}`);
    }
    if (!Token.isUnresolved(minutes) && !Number.isInteger(minutes)) {
      throw new Error(`${this.node.path}: \`${name}\` must be a whole number of minutes (its alarm compares minutes), got ${value.toHumanString()}`);
    }
  }

  /** The drill interval plus the grace, in hours: the missed-drill alarm's threshold. */
  private maxDrillAgeHours(schedule: scheduler.ScheduleExpression, props: RestoreDrillsProps): number {
    const expression = schedule.expressionString;
    const gap = Token.isUnresolved(expression) ? { reason: 'it is a token' } : longestGap(expression);
    // A schedule in a zone with daylight saving time can run an hour later than the gap says.
    const zoned = schedule.timeZone !== undefined && schedule.timeZone.timezoneName !== TimeZone.ETC_UTC.timezoneName;
    const derivedHours = 'hours' in gap ? gap.hours + (zoned ? 1 : 0) : undefined;
    let intervalHours: number;
    if (props.drillInterval !== undefined) {
      intervalHours = this.hours('drillInterval', props.drillInterval);
      if (derivedHours !== undefined && intervalHours < derivedHours) {
        throw new Error(`${this.node.path}: \`drillInterval\` must be at least the longest gap between two runs of \`schedule\` '${expression}' (${derivedHours} hours), got ${props.drillInterval.toHumanString()}`);
      }
    } else if (derivedHours !== undefined) {
      intervalHours = derivedHours;
    } else {
      throw new Error(`${this.node.path}: \`drillInterval\` is required when the interval of \`schedule\` cannot be derived, got schedule '${expression}' (${'reason' in gap ? gap.reason : ''})`);
    }
    const grace = props.missedDrillGrace ?? Duration.days(2);
    const graceHours = this.hours('missedDrillGrace', grace);
    if (intervalHours + graceHours >= LOOKBACK_DAYS * 24) {
      const what = props.drillInterval !== undefined ? `\`drillInterval\` ${props.drillInterval.toHumanString()}` : `the ${intervalHours} hours between two runs of \`schedule\` '${expression}'`;
      throw new Error(`${this.node.path}: the drill interval plus \`missedDrillGrace\` must be less than ${LOOKBACK_DAYS} days (Step Functions keeps an execution ${LOOKBACK_DAYS} days), got ${what} plus ${grace.toHumanString()}`);
    }
    return Math.round((intervalHours + graceHours) * 100) / 100;
  }

  private hours(name: string, value: Duration): number {
    const hours = value.toHours({ integral: false });
    if (Token.isUnresolved(hours)) {
      throw new Error(`${this.node.path}: \`${name}\` must be a known duration (the alarm threshold is computed from it), got a token`);
    }
    if (hours < 0) {
      throw new Error(`${this.node.path}: \`${name}\` must not be negative, got ${value.toHumanString()}`);
    }
    return hours;
  }
}
