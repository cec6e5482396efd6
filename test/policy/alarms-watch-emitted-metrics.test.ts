/**
 * An alarm on a metric nobody emits (a typo in its name, a dimension missing or extra, another
 * value) stays OK forever. Over the reference app, every alarm's metric is matched with a metric
 * a producer emits: the functions' own code is run (the EMF lines and PutMetricData calls it
 * makes, with the environment the app gives it), the state machines' putMetricData tasks are
 * read from their definitions, and AWS's own metrics are those of the resources in the template.
 * Each alarm's metric must also be put by the producer its construct's properties say it is about
 * (the replica for the lag, the master for its storage, a backup-age alarm's own freshness check).
 * Then: a producer that does not run alarms somewhere; a check that reports unknown alarms; an
 * alarm that treats missing data as breaching has a period no shorter than its producer's
 * schedule's gap plus the producer's run time; every alarm notifies a topic with a subscriber,
 * and the README names its metric. The dashboards' graphs are held to the same producers (a
 * graph of a metric nobody puts is empty), and their alarm row to the alarms of the stack.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { buildReferenceApp } from '../../bin/reference-app';
import { BackupDisasterRecovery } from '../../lib/backup-disaster-recovery';
import { ConsistencyChecks } from '../../lib/checks/consistency-checks';
import { ReplicatedMySql } from '../../lib/database/replicated-mysql';
import { DatabaseDumpJob } from '../../lib/dump/database-dump-job';
import type { HardenedFunctionProps } from '../../lib/private/hardened-function';
import { longestGap } from '../../lib/restore/schedule-interval';
import { runChecks } from '../../lambda/backup-freshness/checks';
import { parseConfig } from '../../lambda/backup-freshness/config';
import { buildReport, metricDocuments } from '../../lambda/backup-freshness/report';
import { checkDrillAge, configFromEnvironment as drillAgeConfig } from '../../lambda/drill-age';
import { metricLine } from '../../lambda/replica-consistency/metrics';
import { readOutputs as driftOutputs } from '../../lambda/replica-consistency/config';
import { recordDrill, recordDrillFailure, type RestoreResult } from '../../lambda/restore-db-steps/result';
import { configFromEnvironment as stepsConfig } from '../../lambda/restore-db-steps/types';
import { REPOSITORY_ROOT } from '../support/sdk-commands';

/** Every HardenedFunction built, with the folder under lambda/ whose code it runs. */
const deployed: Array<{ code: string; fn: lambda.Function }> = [];

jest.mock('../../lib/private/hardened-function', () => {
  const actual = jest.requireActual('../../lib/private/hardened-function');
  class RecordedFunction extends actual.HardenedFunction {
    constructor(scope: unknown, id: string, props: HardenedFunctionProps) {
      super(scope, id, props);
      deployed.push({ code: props.code, fn: this.function });
    }
  }
  return { ...actual, HardenedFunction: RecordedFunction };
});

interface Metric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Record<string, string>;
}

interface Emitted extends Metric {
  /** The function, state machine or instance (logical id) whose runs put it. */
  readonly producer: string;
  /** Put by every run, whatever its outcome (so its absence means the producer did not run). */
  readonly everyRun: boolean;
  /** The value an unknown run puts (the check could not tell). */
  readonly unknownValue?: number;
}

/**
 * Template values as text: a string as it is, a join joined, any other intrinsic (a reference
 * to a resource or a pseudo parameter) as a marker that is the same for the same intrinsic.
 */
class Renderer {
  private readonly markers = new Map<string, string>();
  public text(value: unknown): string {
    if (typeof value === 'string' || typeof value === 'number') {
      return String(value);
    }
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) {
      return join[1].map((part) => this.text(part)).join(join[0]);
    }
    const key = JSON.stringify(value);
    if (!this.markers.has(key)) {
      this.markers.set(key, `@@cfn${this.markers.size}@@`);
    }
    return this.markers.get(key)!;
  }
  public ref(logicalId: string): string {
    return this.text({ Ref: logicalId });
  }
}

/** The metrics of EMF documents (one per dimension set). */
function emfMetrics(documents: object[]): Array<Metric & { value: number }> {
  return documents.flatMap((document) => {
    const d = document as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };
    return d._aws.CloudWatchMetrics.flatMap((directive) => directive.Dimensions.flatMap((keys) => directive.Metrics.map((m) => ({
      namespace: directive.Namespace,
      name: m.Name,
      dimensions: Object.fromEntries(keys.map((k) => [k, String(d[k])])),
      value: Number(d[m.Name]),
    }))));
  });
}

const cloudwatch = mockClient(CloudWatchClient);
const sfn = mockClient(SFNClient);

/** The metrics put through PutMetricData since the last reset. */
function putMetrics(): Metric[] {
  return cloudwatch.commandCalls(PutMetricDataCommand).flatMap((call) => (call.args[0].input.MetricData ?? []).map((datum) => ({
    namespace: call.args[0].input.Namespace!,
    name: datum.MetricName!,
    dimensions: Object.fromEntries((datum.Dimensions ?? []).map((d) => [d.Name!, d.Value!])),
  })));
}

type Producer = (env: Record<string, string>, region: string, id: string) => Promise<Emitted[]>;

const NOW = new Date('2026-03-02T10:00:00Z');

/** What each function under lambda/ that puts metrics puts, run with the function's environment. */
const PRODUCERS: Record<string, Producer> = {
  'replica-consistency': async (env, _region, producer) => {
    const { metricNamespace, resourceName } = driftOutputs(env);
    // An unknown run with the lag unknown puts what every run puts.
    const everyRun = emfMetrics([JSON.parse(metricLine(metricNamespace!, resourceName!, 'unknown', 0, null, NOW))]);
    const all = emfMetrics([JSON.parse(metricLine(metricNamespace!, resourceName!, 'drift', 3, 400, NOW))]);
    return all.map((m) => {
      const unknown = everyRun.find((e) => e.name === m.name);
      return { ...m, producer, everyRun: unknown !== undefined, ...(unknown ? { unknownValue: unknown.value } : {}) };
    });
  },
  'backup-freshness': async (env, region, producer) => {
    const config = parseConfig(env.FRESHNESS_CONFIG);
    // No AWS call can be made: every check is unknown, with the dimensions the function gives it.
    const unknown = await runChecks(config.checks, () => {
      throw new Error('no AWS call in this test');
    }, region, NOW);
    expect(unknown.map((r) => r.status)).toEqual(config.checks.map(() => 'unknown'));
    const everyRun = emfMetrics(metricDocuments(config, buildReport(config, unknown, NOW), NOW));
    const aged = unknown.map((r) => ({ ...r, status: 'ok' as const, ageHours: 1 }));
    const all = emfMetrics(metricDocuments(config, buildReport(config, aged, NOW), NOW));
    return all.map((m) => {
      const same = everyRun.find((e) => e.name === m.name && JSON.stringify(e.dimensions) === JSON.stringify(m.dimensions));
      return { ...m, producer, everyRun: same !== undefined, ...(same ? { unknownValue: same.value } : {}) };
    });
  },
  'restore-db-steps': async (env, _region, producer) => {
    const config = stepsConfig(env);
    cloudwatch.reset();
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const result = { source: config.sourceIdentifier, recoveryTimeMinutes: 30, recoveryPointMinutes: 10, target: { identifier: 'drill' } } as RestoreResult;
    await recordDrill(cloudwatch as unknown as CloudWatchClient, config, result, NOW);
    await recordDrillFailure(cloudwatch as unknown as CloudWatchClient, config, config.sourceIdentifier, NOW);
    return putMetrics().map((m) => ({ ...m, producer, everyRun: false }));
  },
  'drill-age': async (env, _region, producer) => {
    const config = drillAgeConfig(env);
    cloudwatch.reset();
    cloudwatch.on(PutMetricDataCommand).resolves({});
    sfn.reset();
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await checkDrillAge({ sfn: sfn as unknown as SFNClient, cloudwatch: cloudwatch as unknown as CloudWatchClient }, config, NOW).finally(() => log.mockRestore());
    // When the executions cannot be read it puts nothing: its alarm must breach on missing data.
    return putMetrics().map((m) => ({ ...m, producer, everyRun: true }));
  },
};

/** AWS's own metrics of the resources the alarms watch, with their dimension (AWS documents them). */
const AWS_METRICS: Record<string, { namespace: string; dimension: string; names: string[]; everyRun: boolean }> = {
  'AWS::RDS::DBInstance': { namespace: 'AWS/RDS', dimension: 'DBInstanceIdentifier', names: ['CPUUtilization', 'FreeStorageSpace'], everyRun: true },
  'AWS::Lambda::Function': { namespace: 'AWS/Lambda', dimension: 'FunctionName', names: ['Errors', 'Throttles', 'Invocations', 'Duration'], everyRun: false },
  'AWS::StepFunctions::StateMachine': {
    namespace: 'AWS/States', dimension: 'StateMachineArn', names: ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'], everyRun: false,
  },
};

/**
 * The job counts AWS Backup puts in every region for the whole account, without a dimension
 * (besides their breakdowns by resource type and vault), as AWS documents them.
 */
const AWS_BACKUP_JOB_METRICS = [
  'NumberOfBackupJobsCreated', 'NumberOfBackupJobsPending', 'NumberOfBackupJobsRunning', 'NumberOfBackupJobsAborted', 'NumberOfBackupJobsCompleted',
  'NumberOfBackupJobsFailed', 'NumberOfBackupJobsExpired', 'NumberOfCopyJobsCreated', 'NumberOfCopyJobsRunning', 'NumberOfCopyJobsCompleted',
  'NumberOfCopyJobsFailed', 'NumberOfRestoreJobsPending', 'NumberOfRestoreJobsRunning', 'NumberOfRestoreJobsCompleted', 'NumberOfRestoreJobsFailed',
];

/* eslint-disable @typescript-eslint/no-explicit-any -- template properties are read by path, as CloudFormation defines them */
type Properties = Record<string, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

interface Resource {
  readonly Type: string;
  readonly Properties?: Properties;
}

interface Alarm {
  readonly id: string;
  readonly stack: string;
  readonly properties: Properties;
  readonly metrics: Metric[];
}

interface TemplateMetric {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions?: Array<{ readonly Name: string; readonly Value: unknown }>;
}

interface State {
  readonly Resource?: string;
  readonly Parameters?: { readonly Namespace: string; readonly MetricData: Array<{ readonly MetricName: string; readonly Dimensions?: Array<{ readonly Name: string; readonly Value: string }> }> };
  readonly Branches?: Definition[];
  readonly Iterator?: Definition;
  readonly ItemProcessor?: Definition;
}

interface Definition {
  readonly States?: Record<string, State>;
}

/** A widget of a CloudWatch dashboard of the app, its tokens rendered as text. */
interface Widget {
  readonly stack: string;
  readonly dashboard: string;
  readonly type: string;
  readonly properties: { title?: string; region?: string; metrics?: unknown[][]; alarms?: string[] };
  /** The texts the stack's own region renders to (`AWS::Region`, or the region the stack is given). */
  readonly regions: string[];
  /** Alarm ARN as rendered -> the alarm's id, for the alarms of the stack. */
  readonly alarmArns: Map<string, string>;
}

interface Audit {
  readonly alarms: Alarm[];
  readonly widgets: Widget[];
  readonly emitted: Emitted[];
  /** Producer -> the producers whose every run would notice that it did not run. */
  readonly watchers: Map<string, string[]>;
  /** Producer -> the schedule expressions (with their time zone) that start it. */
  readonly schedules: Map<string, Array<{ expression: string; zone?: string; state?: string }>>;
  readonly resources: Map<string, Resource>;
  /** Stack name and logical id -> the construct path of the resource. */
  readonly paths: Map<string, string>;
  /** Alarm -> the producers whose metrics it is about, as its construct's API names them. */
  readonly intended: Map<string, Intended>;
}

interface Intended {
  readonly producers: string[];
  /** A backup-age alarm: the freshness check it is about, by its place in the construct's list. */
  readonly freshnessCheck?: number;
}

/**
 * What each alarm is about, read from the public properties of the constructs that create it
 * (the replica for the lag, the master for its storage, the drift check for drift): matching
 * a metric some producer emits does not tell a swapped instance or check.
 */
function intendedProducers(app: App): Map<string, Intended> {
  const key = (construct: IConstruct): string => {
    const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild as CfnResource;
    return `${Stack.of(resource).stackName}/${Stack.of(resource).getLogicalId(resource)}`;
  };
  const intended = new Map<string, Intended>();
  const about = (alarms: IConstruct[], producers: IConstruct[]): void => alarms.forEach((alarm) => intended.set(key(alarm), { producers: producers.map(key) }));
  for (const construct of app.node.findAll()) {
    if (construct instanceof ReplicatedMySql) {
      about([construct.replicaLagAlarm, construct.replicationStoppedAlarm, construct.replicaFreeStorageSpaceAlarm], [construct.replica]);
      about([construct.freeStorageSpaceAlarm, construct.cpuUtilizationAlarm], [construct.master]);
    }
    if (construct instanceof ConsistencyChecks) {
      about([construct.driftStatusAlarm, construct.driftedRowsAlarm, construct.replicaLagAlarm, construct.functionErrorAlarms[0]], [construct.driftCheckFunction]);
      about([construct.freshnessStatusAlarm, construct.functionErrorAlarms[1]], [construct.freshnessCheckFunction]);
      construct.backupAgeAlarms.forEach((alarm, index) => intended.set(key(alarm), { producers: [key(construct.freshnessCheckFunction)], freshnessCheck: index }));
    }
    if (construct instanceof DatabaseDumpJob) {
      about([construct.failureAlarm], [construct.stateMachine]);
    }
    if (construct instanceof BackupDisasterRecovery) {
      const { restoreDrills: drills, databaseRestore: restore } = construct;
      about([drills.recoveryTimeAlarm, drills.recoveryPointAlarm], [restore.stepsFunction]);
      about([drills.drillFailureAlarm], [restore.stateMachine, restore.stepsFunction]);
      about([drills.missedDrillAlarm], [drills.drillAgeFunction]);
    }
  }
  return intended;
}

function statesOf(definition: Definition): State[] {
  return Object.values(definition.States ?? {}).flatMap((state) => [
    state,
    ...(state.Branches ?? []).flatMap(statesOf),
    ...(state.Iterator ? statesOf(state.Iterator) : []),
    ...(state.ItemProcessor ? statesOf(state.ItemProcessor) : []),
  ]);
}

async function audit(): Promise<Audit> {
  deployed.length = 0;
  const app = new App({ context: JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')).context });
  const stacks: Stack[] = Object.values(buildReferenceApp(app));
  const assembly = app.synth();
  const paths = new Map(app.node.findAll().filter(CfnResource.isCfnResource).map((r) => [`${Stack.of(r).stackName}/${Stack.of(r).getLogicalId(r)}`, r.node.path]));
  const alarms: Alarm[] = [];
  const emitted: Emitted[] = [];
  const watchers = new Map<string, string[]>();
  const schedules = new Map<string, Array<{ expression: string; zone?: string; state?: string }>>();
  const resources = new Map<string, Resource>();
  const widgets: Widget[] = [];
  for (const stack of stacks) {
    const render = new Renderer();
    const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, Resource> };
    const id = (logicalId: string): string => `${stack.stackName}/${logicalId}`;
    emitted.push(...AWS_BACKUP_JOB_METRICS.map((name) => ({ namespace: 'AWS/Backup', name, dimensions: {}, producer: `${stack.stackName}/AWS Backup`, everyRun: false })));
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      resources.set(id(logicalId), resource);
      const aws = AWS_METRICS[resource.Type];
      if (aws) {
        const names = [...aws.names, ...(resource.Type === 'AWS::RDS::DBInstance' && resource.Properties?.SourceDBInstanceIdentifier ? ['ReplicaLag'] : [])];
        emitted.push(...names.map((name) => ({
          namespace: aws.namespace, name, dimensions: { [aws.dimension]: render.ref(logicalId) }, producer: id(logicalId), everyRun: aws.everyRun,
        })));
      }
      if (resource.Type === 'AWS::StepFunctions::StateMachine') {
        const definition = JSON.parse(render.text(resource.Properties!.DefinitionString)) as Definition;
        for (const task of statesOf(definition).filter((state) => (state.Resource ?? '').endsWith(':::aws-sdk:cloudwatch:putMetricData'))) {
          emitted.push(...task.Parameters!.MetricData.map((datum) => ({
            namespace: task.Parameters!.Namespace,
            name: datum.MetricName,
            dimensions: Object.fromEntries((datum.Dimensions ?? []).map((d) => [d.Name, d.Value])),
            producer: id(logicalId),
            everyRun: false,
          })));
        }
      }
      if (resource.Type === 'AWS::Scheduler::Schedule') {
        const target = render.text(resource.Properties!.Target.Arn);
        const started = Object.keys(template.Resources).find((other) => render.text({ 'Fn::GetAtt': [other, 'Arn'] }) === target || render.ref(other) === target);
        expect(started).toBeDefined();
        const list = schedules.get(id(started!)) ?? [];
        list.push({ expression: resource.Properties!.ScheduleExpression, zone: resource.Properties!.ScheduleExpressionTimezone, state: resource.Properties!.State });
        schedules.set(id(started!), list);
      }
      if (resource.Type === 'AWS::CloudWatch::Alarm') {
        const p = resource.Properties!;
        const metric = (m: TemplateMetric): Metric => ({
          namespace: m.Namespace, name: m.MetricName, dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, render.text(d.Value)])),
        });
        const metrics = p.MetricName
          ? [metric(p as TemplateMetric)]
          : (p.Metrics as Array<{ MetricStat?: { Metric: TemplateMetric } }>).filter((m) => m.MetricStat).map((m) => metric(m.MetricStat!.Metric));
        alarms.push({ id: id(logicalId), stack: stack.stackName, properties: p, metrics });
      }
    }
    const alarmArns = new Map(Object.keys(template.Resources).filter((other) => template.Resources[other].Type === 'AWS::CloudWatch::Alarm')
      .map((other) => [render.text({ 'Fn::GetAtt': [other, 'Arn'] }), id(other)]));
    for (const [logicalId, resource] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')) {
      const body = JSON.parse(render.text(resource.Properties!.DashboardBody)) as { widgets: Array<Pick<Widget, 'type' | 'properties'>> };
      widgets.push(...body.widgets.map((w) => ({
        ...w, stack: stack.stackName, dashboard: id(logicalId), regions: [render.ref('AWS::Region'), stack.region], alarmArns,
      })));
    }
    const stackFunctions = deployed.filter((d) => Stack.of(d.fn) === stack);
    const env = (fn: lambda.Function): Record<string, string> => {
      const variables = template.Resources[stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)].Properties!.Environment?.Variables ?? {};
      return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, render.text(v)]));
    };
    const logicalIdOf = (fn: lambda.Function): string => stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    for (const { code, fn } of stackFunctions) {
      const producer = PRODUCERS[code];
      if (producer) {
        emitted.push(...await producer(env(fn), stack.region, id(logicalIdOf(fn))));
      }
    }
    // Who notices that a producer did not run: the drill-age check notices the drills (its
    // state machine and the functions it runs); a freshness check of a dump bucket notices the
    // dump workflow that writes to it.
    for (const { code, fn } of stackFunctions) {
      if (code === 'drill-age') {
        const machine = Object.keys(template.Resources).find((other) => render.ref(other) === env(fn).STATE_MACHINE_ARN)!;
        const definition = render.text(template.Resources[machine].Properties!.DefinitionString);
        const invoked = Object.keys(template.Resources).filter((other) => template.Resources[other].Type === 'AWS::Lambda::Function'
          && definition.includes(render.text({ 'Fn::GetAtt': [other, 'Arn'] })));
        for (const watched of [machine, ...invoked]) {
          watchers.set(id(watched), [...(watchers.get(id(watched)) ?? []), id(logicalIdOf(fn))]);
        }
      }
    }
    const freshness = stackFunctions.filter((d) => d.code === 'backup-freshness').map((d) => ({ id: id(logicalIdOf(d.fn)), config: parseConfig(env(d.fn).FRESHNESS_CONFIG) }));
    for (const { code, fn } of stackFunctions.filter((d) => d.code === 'database-dump')) {
      const bucket = env(fn).DAILY_BUCKET;
      const definitionOf = (machine: string): string => render.text(template.Resources[machine].Properties!.DefinitionString);
      const machines = Object.keys(template.Resources).filter((other) => template.Resources[other].Type === 'AWS::StepFunctions::StateMachine'
        && definitionOf(other).includes(render.text({ 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] })));
      expect({ code, machines: machines.length }).toEqual({ code, machines: 1 });
      const checking = freshness.filter((f) => f.config.checks.some((c) => c.kind === 'daily-dump' && c.bucket === bucket && c.region === undefined)).map((f) => f.id);
      watchers.set(id(machines[0]), [...(watchers.get(id(machines[0])) ?? []), ...checking]);
    }
  }
  return { alarms, widgets, emitted, watchers, schedules, resources, paths, intended: intendedProducers(app) };
}

const same = (a: Metric, b: Metric): boolean => a.namespace === b.namespace && a.name === b.name && JSON.stringify(Object.entries(a.dimensions).sort()) === JSON.stringify(Object.entries(b.dimensions).sort());
const breaches = (alarm: Alarm, value: number): boolean => {
  const threshold = Number(alarm.properties.Threshold);
  switch (alarm.properties.ComparisonOperator) {
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'GreaterThanThreshold': return value > threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
    default: throw new Error(`${alarm.id}: comparison ${alarm.properties.ComparisonOperator} not handled here`);
  }
};
const describe_ = (m: Metric): string => `${m.namespace} ${m.name} ${JSON.stringify(m.dimensions)}`;

let found: Audit;
beforeAll(async () => {
  found = await audit();
});

test('every function under lambda/ that puts metrics is run here as a producer', () => {
  const lambdaRoot = join(REPOSITORY_ROOT, 'lambda');
  const putting = readdirSync(lambdaRoot).filter((dir) => readdirSync(join(lambdaRoot, dir))
    .some((file) => /PutMetricData|CloudWatchMetrics/.test(readFileSync(join(lambdaRoot, dir, file), 'utf8'))));
  expect(putting.sort()).toEqual(Object.keys(PRODUCERS).sort());
  // And the reference app deploys each of them, so each is tied to the alarms below.
  expect([...new Set(deployed.map((d) => d.code))].filter((code) => code in PRODUCERS).sort()).toEqual(Object.keys(PRODUCERS).sort());
});

test('every alarm watches a metric, by namespace, name and every dimension, that a producer emits', () => {
  expect(found.alarms.length).toBeGreaterThan(20);
  const unmatched = found.alarms.flatMap((alarm) => {
    expect(alarm.metrics.length).toBeGreaterThan(0);
    return alarm.metrics.filter((m) => !found.emitted.some((e) => same(e, m))).map((m) => `${alarm.id}: ${describe_(m)}`);
  });
  expect(unmatched).toEqual([]);
});

// A second path that puts an alarmed metric (the state machine's own DrillFailures beside the
// function's) with another dimension would count nothing. A breakdown of an alarmed metric by
// more dimensions, put by the same producer, needs no alarm of its own (each copy's CheckStatus
// beside the run's).
test('every metric of this library that is alarmed on is alarmed on as each producer puts it, or is a breakdown of one that is', () => {
  const own = found.emitted.filter((e) => !e.namespace.startsWith('AWS/'));
  const watched = (e: Emitted): boolean => found.alarms.some((alarm) => alarm.metrics.some((m) => same(m, e)));
  const alarmedNames = new Set(own.filter(watched).map((e) => `${e.namespace} ${e.name}`));
  const breakdown = (e: Emitted): boolean => own.some((total) => total.producer === e.producer && total.name === e.name && total.namespace === e.namespace && watched(total)
    && Object.keys(total.dimensions).length < Object.keys(e.dimensions).length && Object.keys(total.dimensions).every((k) => k in e.dimensions));
  const unwatched = own.filter((e) => alarmedNames.has(`${e.namespace} ${e.name}`) && !watched(e) && !breakdown(e)).map((e) => `${e.producer}: ${describe_(e)}`);
  expect(alarmedNames.size).toBeGreaterThan(5);
  expect(unwatched).toEqual([]);
});

function producersOf(alarm: Alarm): Emitted[] {
  return found.emitted.filter((e) => alarm.metrics.some((m) => same(e, m)));
}

/** The alarm fires when its producer does not run: missing data breaches, on a metric every run puts. */
function firesWhenAbsent(alarm: Alarm): boolean {
  return alarm.properties.TreatMissingData === 'breaching' && producersOf(alarm).some((e) => e.everyRun);
}

test('when a producer does not run, an alarm fires: its own (missing data breaching) or one of the same producer or of one that watches it', () => {
  const uncovered = found.alarms.filter((alarm) => {
    const producers = producersOf(alarm);
    // AWS puts an instance's metrics every minute while it exists: there is no run to miss.
    if (producers.every((e) => e.namespace === 'AWS/RDS')) {
      return false;
    }
    if (firesWhenAbsent(alarm)) {
      return false;
    }
    const noticing = new Set(producers.flatMap((e) => [e.producer, ...(found.watchers.get(e.producer) ?? [])]));
    return !found.alarms.some((other) => other !== alarm && firesWhenAbsent(other) && producersOf(other).some((e) => noticing.has(e.producer)));
  }).map((alarm) => `${alarm.id} (${alarm.metrics.map(describe_).join(', ')}, missing data ${alarm.properties.TreatMissingData ?? 'missing'})`);
  expect(uncovered).toEqual([]);
  // The dump workflow is one of those watched by another producer: its failure alarm stays silent when it never starts.
  const dumpAlarm = found.alarms.find((alarm) => producersOf(alarm).some((e) => e.namespace === 'AWS/States' && (found.watchers.get(e.producer) ?? []).length > 0));
  expect(dumpAlarm?.id).toMatch(/DatabaseDumpFailureAlarm/);
});

test('an unknown run puts only values its alarms fire on (never one that turns an alarm OK); the drill-age check, when it cannot tell, puts nothing and its alarm breaches on missing data', () => {
  const statuses = found.emitted.filter((e) => e.unknownValue !== undefined);
  const alarmed = statuses.flatMap((status) => found.alarms.filter((alarm) => alarm.metrics.some((m) => same(m, status))).map((alarm) => ({ alarm, status })));
  // The drift check's and the freshness check's overall status (the per-copy statuses have no alarm of their own).
  expect(new Set(alarmed.map((a) => a.status.producer)).size).toBe(2);
  expect(new Set(alarmed.map((a) => a.status.name))).toEqual(new Set(['CheckStatus']));
  expect(alarmed.filter((a) => !breaches(a.alarm, a.status.unknownValue!)).map((a) => a.alarm.id)).toEqual([]);
  const drillAge = found.emitted.filter((e) => e.name === 'HoursSinceLastDrill');
  const drillAgeAlarms = found.alarms.filter((alarm) => alarm.metrics.some((m) => drillAge.some((e) => same(e, m))));
  expect(drillAgeAlarms.length).toBeGreaterThan(0);
  expect(drillAgeAlarms.filter((alarm) => alarm.properties.TreatMissingData !== 'breaching').map((a) => a.id)).toEqual([]);
});

// A run's value is stamped at its start and arrives when it ends: an alarm's sliding window of just
// the gap holds no value between the next run's start and its report (CloudWatch's "Alarm evaluation
// window": a daily alarm "can enter ALARM if consecutive backups are more than 24 hours apart").
test('an alarm that treats missing data as breaching has a period no shorter than the longest gap between two runs of its producer plus its timeout, whose schedules are enabled', () => {
  const problems: string[] = [];
  for (const alarm of found.alarms.filter((a) => a.properties.TreatMissingData === 'breaching')) {
    for (const producer of new Set(producersOf(alarm).filter((e) => e.everyRun && e.namespace !== 'AWS/RDS').map((e) => e.producer))) {
      const runs = found.schedules.get(producer) ?? [];
      if (runs.length === 0) {
        problems.push(`${alarm.id}: ${producer} has no schedule`);
      }
      for (const run of runs) {
        const gap = longestGap(run.expression);
        const hours = 'hours' in gap ? gap.hours + (run.zone && run.zone !== 'Etc/UTC' && run.zone !== 'UTC' ? 1 : 0) : Infinity;
        const period = Number(alarm.properties.Period);
        const resource = found.resources.get(producer);
        const timeout = resource?.Type === 'AWS::Lambda::Function' ? Number(resource.Properties!.Timeout ?? 3) : 0;
        if (run.state === 'DISABLED' || !(period >= hours * 3600 + timeout)) {
          problems.push(`${alarm.id}: period ${period} s, ${producer} runs on ${run.expression} (${hours} hours between runs, ${run.state ?? 'ENABLED'}) for up to ${timeout} s`);
        }
      }
    }
  }
  expect(problems).toEqual([]);
});

test('every alarm notifies a topic with an email subscriber, and the README names the metric of every alarm on this library\'s own metrics', () => {
  const readme = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
  const problems: string[] = [];
  for (const alarm of found.alarms) {
    const actions = (alarm.properties.AlarmActions ?? []) as unknown[];
    if (actions.length === 0) {
      problems.push(`${alarm.id}: no alarm action`);
    }
    for (const action of actions) {
      const topic = (action as { Ref?: string }).Ref;
      const resource = topic ? found.resources.get(`${alarm.stack}/${topic}`) : undefined;
      const subscribed = [...found.resources.entries()].some(([key, r]) => key.startsWith(`${alarm.stack}/`) && r.Type === 'AWS::SNS::Subscription'
        && r.Properties?.Protocol === 'email' && (r.Properties.TopicArn as { Ref?: string })?.Ref === topic);
      if (resource?.Type !== 'AWS::SNS::Topic' || !subscribed) {
        problems.push(`${alarm.id}: action ${JSON.stringify(action)} is not a topic of the stack with an email subscription`);
      }
    }
    for (const m of alarm.metrics.filter((metric) => !metric.namespace.startsWith('AWS/'))) {
      if (!readme.includes(`\`${m.name}`)) {
        problems.push(`${alarm.id}: README does not name \`${m.name}\``);
      }
    }
  }
  expect(problems).toEqual([]);
});


// Matching some producer is not enough: the master's storage alarm on the replica, or the drift
// status alarm on the freshness check's status, watches a metric that is emitted, but not the
// one its description and its property promise.
test('every alarm watches the resource it is about: the instance, function or state machine its construct names, and a backup-age alarm its own freshness check', () => {
  const problems: string[] = [];
  for (const alarm of found.alarms) {
    const intended = found.intended.get(alarm.id);
    if (!intended) {
      problems.push(`${alarm.id} (${found.paths.get(alarm.id)}): no construct property names what it is about; add it to intendedProducers()`);
      continue;
    }
    for (const m of alarm.metrics) {
      const producers = found.emitted.filter((e) => same(e, m)).map((e) => e.producer);
      if (!producers.some((producer) => intended.producers.includes(producer))) {
        problems.push(`${alarm.id}: ${describe_(m)} is put by ${producers.map((p) => found.paths.get(p)).join(', ') || 'nobody'}, not by ${intended.producers.map((p) => found.paths.get(p)).join(', ')}`);
      }
    }
    if (intended.freshnessCheck !== undefined) {
      const ages = found.emitted.filter((e) => e.producer === intended.producers[0] && e.name === 'BackupAgeHours');
      const own = ages[intended.freshnessCheck];
      if (!own || alarm.metrics.length !== 1 || !same(alarm.metrics[0], own)) {
        problems.push(`${alarm.id}: watches ${alarm.metrics.map(describe_).join(', ')}, not the age of freshness check ${intended.freshnessCheck} (${own ? describe_(own) : 'none'})`);
      }
    }
  }
  expect(found.intended.size).toBeGreaterThan(20);
  expect(problems).toEqual([]);
});

/** A dashboard widget's metrics (`[namespace, name, dimension, value, ..., options]`), with the region each is read in. */
function widgetMetrics(widget: Widget): Array<{ metric: Metric; region?: string; problem?: string }> {
  return (widget.properties.metrics ?? []).map((entry) => {
    const last = entry[entry.length - 1];
    const options = last !== null && typeof last === 'object' ? last as { region?: string; expression?: string } : {};
    const parts = (options === last ? entry.slice(0, -1) : entry) as string[];
    const metric: Metric = { namespace: parts[0], name: parts[1], dimensions: {} };
    for (let i = 2; i + 1 < parts.length; i += 2) {
      (metric.dimensions as Record<string, string>)[parts[i]] = parts[i + 1];
    }
    const problem = options.expression !== undefined || parts.length % 2 !== 0 || parts.some((part) => part === '...' || part === '.')
      ? `an entry this test does not read: ${JSON.stringify(entry)}` : undefined;
    return { metric, region: options.region ?? widget.properties.region, ...(problem ? { problem } : {}) };
  });
}

// A graph of a metric nobody puts (another namespace, a dimension too many or missing, another
// region) is empty, and an empty graph reads as "nothing failed". The alarm row must name alarms
// of the stack, all of them: the operator reads the row as the state of every alarm.
test('every dashboard graph shows a metric a producer emits, in the producer\'s region, and the alarm row shows every alarm of its stack', () => {
  const problems: string[] = [];
  const graphs = found.widgets.filter((w) => w.type === 'metric');
  const rows = found.widgets.filter((w) => w.type === 'alarm');
  expect(graphs.length).toBeGreaterThan(4);
  for (const widget of graphs) {
    const metrics = widgetMetrics(widget);
    if (metrics.length === 0) {
      problems.push(`${widget.dashboard} "${widget.properties.title}": no metric`);
    }
    for (const { metric, region, problem } of metrics) {
      const producers = found.emitted.filter((e) => same(e, metric) && e.producer.startsWith(`${widget.stack}/`));
      if (problem !== undefined || producers.length === 0) {
        problems.push(`${widget.dashboard} "${widget.properties.title}": ${problem ?? `${describe_(metric)} is put by nobody in ${widget.stack}`}`);
      }
      if (region === undefined || !widget.regions.includes(region)) {
        problems.push(`${widget.dashboard} "${widget.properties.title}": ${describe_(metric)} is read in region ${region}, not in ${widget.stack}'s, where it is put`);
      }
    }
  }
  for (const stack of new Set(found.widgets.map((w) => w.stack))) {
    const shown = rows.filter((w) => w.stack === stack).flatMap((w) => w.properties.alarms ?? []);
    const arns = found.widgets.find((w) => w.stack === stack)!.alarmArns;
    problems.push(...shown.filter((arn) => !arns.has(arn)).map((arn) => `${stack}: the alarm row shows ${arn}, which is no alarm of the stack`));
    const missing = [...arns].filter(([arn]) => !shown.includes(arn)).map(([, alarm]) => alarm);
    problems.push(...missing.map((alarm) => `${stack}: the alarm row does not show ${alarm} (${found.paths.get(alarm)})`));
  }
  expect(rows.length).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});
