/**
 * Every publisher of every topic of the reference app can really publish: a CloudWatch alarm,
 * an EventBridge rule and an AWS Backup vault publish as their service, so the topic policy must
 * allow the service and, on an encrypted topic, the key policy must let it use the key (SNS
 * encrypts with it on the publisher's behalf); a role that publishes needs sns:Publish in its
 * policy. Every topic refuses publishing without TLS and lets no other account publish.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildReferenceApp } from '../../bin/reference-app';
import { REPOSITORY_ROOT } from '../support/sdk-commands';

/* eslint-disable @typescript-eslint/no-explicit-any -- template properties are read by path, as CloudFormation defines them */
type Resources = Record<string, { Type: string; Properties?: any }>;
interface Statement { Effect: string; Principal?: any; Action: string | string[]; Condition?: any }
/* eslint-enable @typescript-eslint/no-explicit-any */

const ACCOUNT = '123456789012';
const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const ref = (value: unknown): string | undefined => (value as { Ref?: string } | undefined)?.Ref;

function templates(): Array<{ stack: string; resources: Resources }> {
  const app = new App({ context: JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')).context });
  const stacks = Object.values(buildReferenceApp(app));
  const assembly = app.synth();
  return stacks.map((stack) => ({ stack: stack.stackName, resources: (assembly.getStackByName(stack.stackName).template as { Resources: Resources }).Resources }));
}

/** Who publishes to a topic of the template, as which service, or as which role. */
function publishersOf(resources: Resources, topic: string): Array<{ who: string; service?: string; role?: string }> {
  const found: Array<{ who: string; service?: string; role?: string }> = [];
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::CloudWatch::Alarm' && [...list(p.AlarmActions), ...list(p.OKActions), ...list(p.InsufficientDataActions)].some((a) => ref(a) === topic)) {
      found.push({ who: id, service: 'cloudwatch.amazonaws.com' });
    }
    if (r.Type === 'AWS::Events::Rule' && list(p.Targets).some((t: { Arn: unknown }) => ref(t.Arn) === topic)) {
      found.push({ who: id, service: 'events.amazonaws.com' });
    }
    if (r.Type === 'AWS::Backup::BackupVault' && ref(p.Notifications?.SNSTopicArn) === topic) {
      found.push({ who: id, service: 'backup.amazonaws.com' });
    }
    if (r.Type === 'AWS::IAM::Policy') {
      const publishes = list<Statement & { Resource: unknown }>(p.PolicyDocument.Statement)
        .some((s) => s.Effect === 'Allow' && list(s.Action).some((a) => /^sns:(Publish|\*)$/i.test(a)) && list(s.Resource).some((res) => ref(res) === topic));
      if (publishes) {
        found.push(...list(p.Roles).map((role) => ({ who: id, role: ref(role) })));
      }
    }
  }
  return found;
}

const allows = (statements: Statement[], service: string, action: RegExp): boolean => statements.some((s) => s.Effect === 'Allow'
  && list(s.Principal?.Service).includes(service) && list(s.Action).some((a) => action.test(a)));

test('every publisher of a topic of the reference app may publish to it and use its key; every topic is TLS-only and closed to other accounts', () => {
  const problems: string[] = [];
  let publishers = 0;
  for (const { stack, resources } of templates()) {
    for (const [topic, resource] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SNS::Topic')) {
      const policy = Object.values(resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy' && list(r.Properties.Topics).some((t) => ref(t) === topic));
      const statements = list<Statement>(policy?.Properties.PolicyDocument.Statement);
      const keyId = resource.Properties?.KmsMasterKeyId?.['Fn::GetAtt']?.[0] as string | undefined;
      const keyStatements = keyId ? list<Statement>(resources[keyId]?.Properties.KeyPolicy.Statement) : [];
      if (!keyId || resources[keyId]?.Type !== 'AWS::KMS::Key') {
        problems.push(`${stack}/${topic}: not encrypted with a key of the stack`);
      }
      if (!statements.some((s) => s.Effect === 'Deny' && s.Principal === '*' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')) {
        problems.push(`${stack}/${topic}: publishing without TLS is not denied`);
      }
      for (const s of statements.filter((st) => st.Effect === 'Allow')) {
        const accounts = list<string>(s.Principal?.AWS);
        const sourceAccount = s.Condition?.StringEquals?.['aws:SourceAccount'];
        if (s.Principal === '*' || accounts.some((a) => a === '*' || !a.includes(ACCOUNT)) || (sourceAccount !== undefined && sourceAccount !== ACCOUNT)) {
          problems.push(`${stack}/${topic}: the topic policy lets another account in: ${JSON.stringify(s)}`);
        }
      }
      for (const publisher of publishersOf(resources, topic)) {
        publishers++;
        if (publisher.service !== undefined) {
          if (!allows(statements, publisher.service, /^sns:(Publish|\*)$/i)) {
            problems.push(`${stack}/${topic}: ${publisher.who} publishes as ${publisher.service}, which the topic policy does not allow`);
          }
          if (keyId && !(allows(keyStatements, publisher.service, /^kms:(GenerateDataKey\*?|\*)$/) && allows(keyStatements, publisher.service, /^kms:(Decrypt|\*)$/))) {
            problems.push(`${stack}/${topic}: ${publisher.who} publishes as ${publisher.service}, which the key policy of ${keyId} does not let use the key`);
          }
        }
        if (publisher.role !== undefined && keyId) {
          const rolePolicies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && list(r.Properties.Roles).some((role) => ref(role) === publisher.role));
          const usesKey = rolePolicies.some((r) => list<Statement & { Resource: unknown }>(r.Properties.PolicyDocument.Statement).some((s) => s.Effect === 'Allow'
            && list(s.Action).some((a) => /^kms:GenerateDataKey/.test(a)) && list(s.Resource).some((res) => JSON.stringify(res).includes(keyId))));
          if (!usesKey) {
            problems.push(`${stack}/${topic}: ${publisher.role} publishes, but its policies do not let it use ${keyId}`);
          }
        }
      }
    }
  }
  // The owner's alarms and failed-job rule, and the vaults' notifications.
  expect(publishers).toBeGreaterThan(20);
  expect(problems).toEqual([]);
});
