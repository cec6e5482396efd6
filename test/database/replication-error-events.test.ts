import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ReplicatedMySql } from '../../lib';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function build() {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const database = new ReplicatedMySql(stack, 'Db', { vpc });
  return { stack, database };
}

/** The template properties of a rule. */
function propertiesOf(stack: Stack, rule: events.Rule): Record<string, unknown> {
  return Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as events.CfnRule)].Properties;
}

describe('ReplicatedMySql.onReplicationError', () => {
  test('matches the replica\'s own RDS events of replication broken by an error or terminated, and nothing else', () => {
    const { stack, database } = build();
    const rule = database.onReplicationError('ReplicationErrors');
    const properties = propertiesOf(stack, rule);
    expect(properties.EventPattern).toEqual({
      'source': ['aws.rds'],
      'detail-type': ['RDS DB Instance Event'],
      // The replica's ARN: the documented example event carries it in `resources` and `detail.SourceArn`.
      'resources': [stack.resolve(database.replica.instanceArn)],
      'detail': { EventID: ['RDS-EVENT-0045', 'RDS-EVENT-0057'] },
    });
    expect(JSON.stringify(properties.EventPattern)).toContain(stack.getLogicalId(database.replica.node.defaultChild as CfnElement));
    expect(JSON.stringify(properties.EventPattern)).not.toContain(stack.getLogicalId(database.master.node.defaultChild as CfnElement));
    // Only what RDS documents: which event mysql.rds_stop_replication (a dump's pause) emits is not documented.
    expect(properties.Description).toEqual('Stack/Db: RDS reports that replication to the replica broke: RDS-EVENT-0045 (replication stopped by an error) or RDS-EVENT-0057 (replication terminated); '
      + 'not RDS-EVENT-0062 (replication stopped by hand)');
    expect(properties.Targets).toBeUndefined();
  });

  test('does not match a manual stop (the dump\'s pause), a resume or an upgrade\'s stop of replication', () => {
    const { stack, database } = build();
    const pattern = propertiesOf(stack, database.onReplicationError('ReplicationErrors')).EventPattern as { detail: { EventID: string[] } };
    for (const notAnError of ['RDS-EVENT-0062', 'RDS-EVENT-0046', 'RDS-EVENT-0063', 'RDS-EVENT-0416', 'RDS-EVENT-0415']) {
      expect(pattern.detail.EventID).not.toContain(notAnError);
    }
  });

  test('honours the options of an aws-cdk-lib onEvent method: target, description, rule name and an extra pattern', () => {
    const { stack, database } = build();
    const topic = new sns.Topic(stack, 'Topic');
    const rule = database.onReplicationError('ReplicationErrors', {
      target: new targets.SnsTopic(topic),
      description: 'Replication of the orders replica broke',
      ruleName: 'orders-replication-errors',
      eventPattern: { region: ['eu-west-1'] },
    });
    const properties = propertiesOf(stack, rule);
    expect(properties).toMatchObject({
      Name: 'orders-replication-errors',
      Description: 'Replication of the orders replica broke',
      Targets: [{ Arn: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }, Id: 'Target0' }],
      EventPattern: { 'region': ['eu-west-1'], 'source': ['aws.rds'], 'detail': { EventID: ['RDS-EVENT-0045', 'RDS-EVENT-0057'] } },
    });
  });

  test('a description longer than EventBridge takes is refused, naming the construct, the option and the limit', () => {
    const { database } = build();
    expect(() => database.onReplicationError('ReplicationErrors', { description: 'x'.repeat(513) }))
      .toThrow('Stack/Db: the `description` of onReplicationError(\'ReplicationErrors\') must be at most 512 characters (EventBridge\'s limit for a rule description), got 513 characters');
  });

  test('a long construct path is cut in the default description to EventBridge\'s 512 characters', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
    const database = new ReplicatedMySql(stack, `Db${'x'.repeat(400)}`, { vpc });
    const description = propertiesOf(stack, database.onReplicationError('ReplicationErrors')).Description as string;
    expect(description).toHaveLength(512);
    expect(description).toMatch(/^\.\.\.x+: RDS reports that replication to the replica broke: /);
  });
});
