/** Where notifications go: the library's topics, their subscribers, and the alarms, rules and vaults that send to them. */
import type { AssemblyIndex } from './assembly-index';
import { keyText } from './kms-key-refs';
import { meta } from './located';
import type { NotificationEntry } from './model';
import { referencedIds } from './template-references';

export function notificationEntries(index: AssemblyIndex): NotificationEntry[] {
  return index.ofType('AWS::SNS::Topic').filter((t) => meta(t)?.role === 'notification').map((topic) => {
    const subscribers = index.ofType('AWS::SNS::Subscription')
      .filter((s) => s.stack.id === topic.stack.id && referencedIds(s.resource.Properties?.TopicArn).has(topic.logicalId))
      .map((s) => `${index.render(s.resource.Properties?.Protocol, s.stack)}: ${index.render(s.resource.Properties?.Endpoint, s.stack)}`);
    const sources = [
      ...index.ofType('AWS::CloudWatch::Alarm')
        .filter((a) => a.stack.id === topic.stack.id && [...referencedIds([a.resource.Properties?.AlarmActions, a.resource.Properties?.OKActions])].includes(topic.logicalId))
        .map((a) => `alarm ${a.path}${a.resource.Properties?.AlarmDescription ? `: ${index.render(a.resource.Properties.AlarmDescription, a.stack)}` : ''}`),
      ...index.ofType('AWS::Events::Rule')
        .filter((e) => e.stack.id === topic.stack.id && referencedIds(e.resource.Properties?.Targets).has(topic.logicalId))
        .map((e) => `event rule ${e.path}${e.resource.Properties?.Description ? `: ${index.render(e.resource.Properties.Description, e.stack)}` : ''}`),
      // A vault's own notifications (events AWS Backup sends to the topic directly).
      ...index.ofType('AWS::Backup::BackupVault')
        .filter((v) => v.stack.id === topic.stack.id && referencedIds(v.resource.Properties?.Notifications?.SNSTopicArn).has(topic.logicalId))
        .map((v) => `vault ${v.path}: ${index.render(v.resource.Properties?.Notifications?.BackupVaultEvents, v.stack)}`),
    ];
    return {
      stack: topic.stack.id,
      topic: topic.path,
      encryptionKey: topic.resource.Properties?.KmsMasterKeyId !== undefined ? keyText(index, topic.resource.Properties.KmsMasterKeyId, topic.stack, '') : 'not encrypted',
      subscribers,
      sources,
    };
  });
}
