import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmsOfThisAccountAndRegion, allowAlarmsToPublish } from '../private/alarm-publishing';
import { isEmailAddress } from '../private/email-address';
import { denyGrantsExceptForAwsResources } from '../private/key-policy';
import { BackupMetadata, BackupRole } from './metadata';

/**
 * Anything that can send its alarm to the owner: a CloudWatch alarm, or a construct of this
 * library that exposes `addAlarmAction` for its own alarms (stale backups, drift, failed drills).
 */
export interface INotificationSource {
  /** Adds actions that run when the source goes into alarm. */
  addAlarmAction(...actions: cloudwatch.IAlarmAction[]): void;
}

/** Properties of `BackupNotifications`. */
export interface BackupNotificationsProps {
  /** The email address of the person or team responsible for the backups. */
  readonly ownerEmail: string;
  /**
   * An existing topic to use as the owner's topic (for example the alarm topic of the app);
   * the owner is subscribed to it. Its key must let `cloudwatch.amazonaws.com` (for the
   * alarms of its account and region) and `events.amazonaws.com` use it; when that key is
   * given as `encryptionKey` the statements are added for you.
   * @default - a new KMS-encrypted, TLS-only topic
   */
  readonly topic?: sns.ITopic;
  /**
   * The key that encrypts the topic. Its key policy must let `cloudwatch.amazonaws.com` (for
   * the alarms of its account and region) and `events.amazonaws.com` use it.
   * @default - a new key with yearly rotation, retained when the stack is deleted
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Whether failed, aborted or expired AWS Backup backup, copy and restore jobs of this
   * account and region are sent to the owner (an EventBridge rule).
   * @default true
   */
  readonly notifyOnFailedBackupJobs?: boolean;
  /**
   * Alarms (or constructs with alarms) whose alarm state is sent to the owner.
   * @default - none; add them with `notify()`
   */
  readonly sources?: INotificationSource[];
}

/** Options of `BackupNotifications.forwardEvents`. */
export interface ForwardEventsOptions {
  /**
   * The message the owner receives, for example text with the event's fields
   * (`events.RuleTargetInput.fromMultilineText` with `events.EventField.fromPath`).
   * @default - the matched event, as JSON
   */
  readonly message?: events.RuleTargetInput;
  /**
   * One sentence on what the rule reports, for the backup report.
   * @default - none
   */
  readonly description?: string;
}

/**
 * The backup owner and the SNS topic through which failed jobs, drift, stale backups and
 * failed drills reach them: KMS-encrypted, TLS-only, with an email subscription.
 */
export class BackupNotifications extends Construct {
  /** The topic every backup notification goes to. */
  public readonly topic: sns.ITopic;
  /** The email address of the owner. */
  public readonly ownerEmail: string;
  /** The alarm action that publishes to the owner's topic. */
  public readonly alarmAction: cloudwatch.IAlarmAction;
  /** The key of the topic, which also encrypts the dead-letter queue of the forwarded events. */
  private readonly key: kms.IKey;
  /** The dead-letter queue of every rule that sends events to the owner, made on first use. */
  private deadLetters?: sqs.Queue;

  constructor(scope: Construct, id: string, props: BackupNotificationsProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.ownerEmail) && !isEmailAddress(props.ownerEmail)) {
      throw new Error(`${this.node.path}: \`ownerEmail\` must be an email address, got '${props.ownerEmail}'`);
    }
    this.ownerEmail = props.ownerEmail;
    const key = props.encryptionKey ?? props.topic?.masterKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the backup notifications of ${props.ownerEmail}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!props.encryptionKey && !props.topic) {
      key.addToResourcePolicy(denyGrantsExceptForAwsResources());
      BackupMetadata.describe(key, { role: BackupRole.ENCRYPTION_KEY, owner: props.ownerEmail, description: 'Encrypts the backup owner\'s notification topic' });
    }
    // CloudWatch alarms and EventBridge publish to an encrypted topic only with the key. Only
    // the alarms of this account and region; EventBridge's use carries no source condition,
    // which SNS does not support in a key policy for EventBridge-to-encrypted topics (SNS
    // developer guide, "Enable compatibility between event sources from AWS services and
    // encrypted topics").
    key.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      resources: ['*'],
      conditions: alarmsOfThisAccountAndRegion(key),
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      resources: ['*'],
    }));
    const topic = props.topic ?? new sns.Topic(this, 'Resource', {
      displayName: 'Backup and disaster recovery notifications',
      masterKey: key,
      enforceSSL: true,
    });
    allowAlarmsToPublish(topic);
    topic.addSubscription(new subscriptions.EmailSubscription(props.ownerEmail));
    BackupMetadata.describe(topic, {
      role: BackupRole.NOTIFICATION,
      owner: props.ownerEmail,
      description: 'Failed backup jobs, drift, stale backups and failed restore drills reach the backup owner here',
    });
    this.topic = topic;
    this.alarmAction = new cloudwatchActions.SnsAction(topic);
    this.key = key;

    if (props.notifyOnFailedBackupJobs ?? true) {
      // The queue before the rule, so that the template keeps the order it had.
      this.undeliveredEvents();
      const rule = new events.Rule(this, 'FailedBackupJobs', {
        description: 'Sends failed, aborted or expired AWS Backup backup, copy and restore jobs to the backup owner',
        eventPattern: {
          source: ['aws.backup'],
          detailType: ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
          // Backup and copy job events carry `state`; restore job events carry `status` instead.
          detail: { $or: [{ state: ['FAILED', 'ABORTED', 'EXPIRED'] }, { status: ['FAILED', 'ABORTED'] }] },
        },
      });
      this.forwardEvents(rule, { description: 'Failed AWS Backup jobs' });
    }
    for (const source of props.sources ?? []) {
      this.notify(source);
    }
  }

  /** Sends the alarm state of an alarm, or of a construct's alarms, to the owner. */
  public notify(source: INotificationSource): void {
    source.addAlarmAction(this.alarmAction);
  }

  /**
   * Sends the events an EventBridge rule matches to the owner, as the failed AWS Backup jobs
   * are sent: to the topic, retried up to 10 times, and kept for 14 days in the one dead-letter
   * queue of this construct when they cannot be delivered. The rule is recorded for the backup
   * report as an alarm of the owner.
   */
  public forwardEvents(rule: events.Rule, options: ForwardEventsOptions = {}): void {
    rule.addTarget(new targets.SnsTopic(this.topic, { deadLetterQueue: this.undeliveredEvents(), retryAttempts: 10, message: options.message }));
    BackupMetadata.describe(rule, { role: BackupRole.ALARM, owner: this.ownerEmail, description: options.description });
  }

  private undeliveredEvents(): sqs.Queue {
    if (this.deadLetters === undefined) {
      this.deadLetters = new sqs.Queue(this, 'UndeliveredEvents', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        // The only record of the events for the owner that never reached the topic.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(this.deadLetters).acknowledge(
        { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the EventBridge rules that send events to the owner (failed backup jobs, and the rules given to forwardEvents).' },
        { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: 'This queue is itself a dead-letter queue (of EventBridge targets); a dead-letter queue of it would only move the same events again.' },
      );
    }
    return this.deadLetters;
  }
}
