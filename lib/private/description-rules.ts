import { DescriptionRules } from './path-description';

/*
 * The services' rules for the descriptions this library writes, for `fitPathDescription`. A
 * description that already fits is never changed, so none of these may be tightened without
 * changing deployed descriptions (some replace their resource, as a security group's does).
 */

/** Lambda: 256 characters (Lambda API reference, CreateFunction Description). */
export const FUNCTION: DescriptionRules = { what: 'the function description', service: 'Lambda', maxLength: 256 };

/** IAM: 1,000 characters of tab, line breaks, printable ASCII and Latin-1 (IAM API reference, CreateRole Description); aws-cdk-lib checks the length at synth without naming the construct. */
export const ROLE: DescriptionRules = {
  what: 'the IAM role description',
  service: 'IAM',
  maxLength: 1000,
  allowedCharacter: /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]$/,
};

/** IAM: 1,000 characters (IAM API reference, CreatePolicy Description); unchecked at synth, and IAM cannot change it in place. */
export const MANAGED_POLICY: DescriptionRules = { what: 'the IAM managed policy description', service: 'IAM', maxLength: 1000 };

/** EventBridge Scheduler: 512 characters (Scheduler API reference, CreateSchedule Description); unchecked at synth. */
export const SCHEDULE: DescriptionRules = { what: 'the EventBridge Scheduler schedule description', service: 'EventBridge Scheduler', maxLength: 512 };

/** EventBridge: 512 characters (EventBridge API reference, PutRule Description); unchecked at synth. */
export const EVENT_RULE: DescriptionRules = { what: 'the EventBridge rule description', service: 'EventBridge', maxLength: 512 };

/** CloudWatch: 1,024 characters (CloudWatch API reference, PutMetricAlarm AlarmDescription); unchecked at synth. */
export const ALARM: DescriptionRules = { what: 'the alarm description', service: 'CloudWatch', maxLength: 1024 };

/** EC2: 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* (EC2 API reference, CreateSecurityGroup GroupDescription); a new one replaces the group. */
export const SECURITY_GROUP: DescriptionRules = {
  what: 'the security group description',
  service: 'EC2',
  maxLength: 255,
  allowedCharacter: /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]$/,
};

/** EC2: a security group rule's description, as a group's but without '&' (EC2 API reference, IpRange Description). */
export const SECURITY_GROUP_RULE: DescriptionRules = {
  what: 'the security group rule description',
  service: 'EC2',
  maxLength: 255,
  allowedCharacter: /^[A-Za-z0-9 ._\-:/()#,@[\]+=;{}!$*]$/,
};

/** SNS: a topic's display name, 100 characters (aws-cdk-lib's Topic checks it at synth, without naming the construct). */
export const TOPIC_DISPLAY_NAME: DescriptionRules = { what: 'the SNS topic display name', service: 'SNS', maxLength: 100 };

/** KMS: 8,192 characters (KMS API reference, UpdateKeyDescription Description; CloudFormation's AWS::KMS::Key schema). */
export const KMS_KEY: DescriptionRules = { what: 'the KMS key description', service: 'KMS', maxLength: 8192 };

/** Secrets Manager: 2,048 characters (CloudFormation's AWS::SecretsManager::Secret schema, which aws-cdk-lib's template validation applies). */
export const SECRET: DescriptionRules = { what: 'the secret description', service: 'Secrets Manager', maxLength: 2048 };
