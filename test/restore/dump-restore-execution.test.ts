/**
 * The synthesized dump restore state machine, run locally with the real function: S3, RDS
 * and Secrets Manager are mocked, the "new instance" is a real MariaDB server and the dump
 * is the real `mariadb-dump` output of a real server.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  CreateDBInstanceCommand, DBInstance, DBInstanceNotFoundFault, DeleteDBInstanceCommand, DescribeDBInstancesCommand, ModifyDBInstanceCommand, RDSClient,
} from '@aws-sdk/client-rds';
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { sdkStreamMixin } from '@smithy/core/serde';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { tableChecksum } from '../../core/consistency/table-checksum';
import { DumpManifest, serializeManifest } from '../../core/dump/manifest';
import { EXECUTION_TAG, WORKFLOW_ID_TAG, WORKFLOW_TAG } from '../../core/restore-workflows/common';
import { handler } from '../../lambda/restore-dump';
import { DumpRestoreWorkflow } from '../../lib/restore/dump-restore-workflow';
import { LocalStateMachine, localStateMachine } from '../support/local-state-machine';
import { ADMIN_PASSWORD, ADMIN_USER, MariaDbServer, startMariaDb, startReplicatedPair, stopStartedServers } from '../support/mariadb';
import { waitForRows } from '../support/wait-for-rows';
import { restoreTestStack } from './workflow-fixture';

const s3 = mockClient(S3Client);
const rds = mockClient(RDSClient);
const secrets = mockClient(SecretsManagerClient);

const MANIFEST_KEY = 'daily/2026-11-21/20261121T020000Z-abc123/manifest.json';
const DUMP_KEY = 'daily/2026-11-21/20261121T020000Z-abc123/dump.sql.gz';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-abcdef';

let source: MariaDbServer;
let target: MariaDbServer;
let dump: Buffer;
let manifest: DumpManifest;
let machine: LocalStateMachine;
/** The synthesized workflow's id (its WORKFLOW_ID), tagged on the instances it creates. */
let workflowId: string;

beforeAll(async () => {
  [source, target] = await Promise.all([startMariaDb({ serverId: 1 }), startMariaDb({ serverId: 2 })]);
  const connection = await source.connect();
  await connection.query(`
    CREATE DATABASE shop;
    CREATE TABLE shop.orders (id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(10,2) NOT NULL, note TEXT NULL);
    INSERT INTO shop.orders SELECT seq, CONCAT('c-', seq MOD 97), seq / 10, IF(seq MOD 5 = 0, NULL, 'ünïcödé') FROM shop.seq_1_to_20000;
    CREATE TABLE shop.customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL);
    INSERT INTO shop.customers SELECT seq, CONCAT('name-', seq) FROM shop.seq_1_to_97;
  `);
  const tables = [await tableChecksum(connection, 'shop', 'customers'), await tableChecksum(connection, 'shop', 'orders')];
  await connection.end();
  dump = gzipSync(execFileSync('mariadb-dump', [
    '--host=127.0.0.1', `--port=${source.port}`, `--user=${ADMIN_USER}`, `--password=${ADMIN_PASSWORD}`, '--single-transaction', '--databases', 'shop',
  ], { maxBuffer: 256 * 1024 * 1024 }));
  manifest = {
    version: 1,
    runId: '20261121T020000Z-abc123',
    tier: 'daily',
    createdAt: '2026-11-21T02:00:00Z',
    source: { host: 'replica.example', engine: 'mariadb', serverVersion: '10.11', gtidPosition: '0-1-42' },
    replicationPaused: true,
    databases: ['shop'],
    tables: tables.map((t) => ({ schema: t.schema, table: t.table, rows: t.rows, checksum: t.checksum, hasPrimaryKey: true })),
    files: [{ key: DUMP_KEY, bytes: dump.length, sha256: createHash('sha256').update(dump).digest('hex') }],
  };
  const app = new App();
  const { stack, vpc, key, dumpBucket } = restoreTestStack(app);
  const workflow = new DumpRestoreWorkflow(stack, 'DumpRestore', { vpc, encryptionKey: key, dumpBucket, functionSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  workflowId = workflow.node.addr;
  machine = localStateMachine(Template.fromStack(stack));
  Object.assign(process.env, {
    DAILY_BUCKET: 'dumps', ARCHIVE_BUCKET: '', IDENTIFIER_PREFIX: 'restored-', ENGINE: 'mysql', ENGINE_VERSION: '8.4.10',
    INSTANCE_CLASS: 'db.r7g.large', ALLOCATED_STORAGE: '100', SUBNET_GROUP: 'restore-subnets', SECURITY_GROUP_IDS: 'sg-0123',
    KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/k', PARAMETER_GROUP: '', BACKUP_RETENTION_DAYS: '7',
    AVAILABLE_WITHIN_MINUTES: '60', DATABASE_TLS: 'disabled', WORKFLOW_ID: workflowId,
  });
}, 180_000);

afterAll(async () => {
  await stopStartedServers();
});

/** The RDS control plane as the mocks present it: instances by identifier, available after `pollsUntilAvailable` reads. */
interface FakeAccount {
  readonly instances: Map<string, DBInstance>;
  readonly polls: Map<string, number>;
}

function body(bytes: Buffer) {
  return sdkStreamMixin(Readable.from([bytes]));
}

function mockAws(options: { manifestText?: string; pollsUntilAvailable?: number; existing?: DBInstance[]; createErrors?: Error[] } = {}): FakeAccount {
  s3.reset();
  rds.reset();
  secrets.reset();
  const account: FakeAccount = { instances: new Map(), polls: new Map() };
  for (const instance of options.existing ?? []) {
    account.instances.set(instance.DBInstanceIdentifier!, instance);
  }
  const manifestText = options.manifestText ?? serializeManifest(manifest);
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
  s3.on(GetObjectCommand, { Bucket: 'dumps', Key: MANIFEST_KEY }).callsFake(() => ({ Body: body(Buffer.from(manifestText)) }));
  s3.on(GetObjectCommand, { Bucket: 'dumps', Key: DUMP_KEY }).callsFake(() => ({ Body: body(dump) }));
  s3.on(HeadObjectCommand, { Bucket: 'dumps', Key: DUMP_KEY }).resolves({ ContentLength: dump.length, StorageClass: 'STANDARD' });
  rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier: string }) => {
    const instance = account.instances.get(input.DBInstanceIdentifier);
    if (!instance) {
      throw new DBInstanceNotFoundFault({ message: `DBInstance ${input.DBInstanceIdentifier} not found.`, $metadata: {} });
    }
    const polls = (account.polls.get(input.DBInstanceIdentifier) ?? 0) + 1;
    account.polls.set(input.DBInstanceIdentifier, polls);
    if (instance.DBInstanceStatus === 'creating' && polls > (options.pollsUntilAvailable ?? 3)) {
      account.instances.set(input.DBInstanceIdentifier, {
        ...instance,
        DBInstanceStatus: 'available',
        InstanceCreateTime: new Date(),
        Endpoint: { Address: '127.0.0.1', Port: target.port },
        MasterUserSecret: { SecretArn: SECRET_ARN, SecretStatus: 'active' },
      });
    }
    return { DBInstances: [account.instances.get(input.DBInstanceIdentifier)!] };
  });
  const createErrors = [...(options.createErrors ?? [])];
  rds.on(CreateDBInstanceCommand).callsFake((input) => {
    const error = createErrors.shift();
    if (error) {
      throw error;
    }
    account.instances.set(input.DBInstanceIdentifier, { DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: 'creating', TagList: input.Tags });
    return { DBInstance: { DBInstanceIdentifier: input.DBInstanceIdentifier } };
  });
  rds.on(ModifyDBInstanceCommand).resolves({});
  rds.on(DeleteDBInstanceCommand).callsFake((input) => {
    account.instances.set(input.DBInstanceIdentifier, { ...account.instances.get(input.DBInstanceIdentifier), DBInstanceStatus: 'deleting' });
    return {};
  });
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ username: ADMIN_USER, password: ADMIN_PASSWORD }) });
  return account;
}

async function resetTarget(): Promise<void> {
  const connection = await target.connect();
  await connection.query('DROP DATABASE IF EXISTS shop');
  await connection.end();
}

const request = { manifestKey: MANIFEST_KEY, targetInstanceIdentifier: 'restored-shop' };
const handlers = (overrides: Record<string, typeof handler> = {}) => Object.fromEntries(machine.taskStates.map((name) => [name, overrides[name] ?? handler]));

beforeEach(resetTarget);

test('happy path: creates one new instance, waits for it, loads the dump, verifies it and protects it', async () => {
  const account = mockAws({ pollsUntilAvailable: 3 });
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-1' });
  expect(run.error ?? '').toEqual('');
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({
    status: 'SUCCEEDED',
    instanceIdentifier: 'restored-shop',
    endpoint: '127.0.0.1',
    port: target.port,
    secretArn: SECRET_ARN,
    source: `s3://dumps/${DUMP_KEY}`,
    rows: 20097,
    verification: { status: 'ok' },
    protection: { deletionProtection: true, backupRetentionDays: 7 },
  });
  const creates = rds.commandCalls(CreateDBInstanceCommand);
  expect(creates).toHaveLength(1);
  expect(creates[0].args[0].input).toMatchObject({
    DBInstanceIdentifier: 'restored-shop', StorageEncrypted: true, KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
    DBSubnetGroupName: 'restore-subnets', VpcSecurityGroupIds: ['sg-0123'], PubliclyAccessible: false, ManageMasterUserPassword: true,
    Tags: expect.arrayContaining([{ Key: EXECUTION_TAG, Value: 'dump-restored-shop-1' }, { Key: WORKFLOW_ID_TAG, Value: workflowId }]),
  });
  expect(rds.commandCalls(ModifyDBInstanceCommand)[0].args[0].input).toMatchObject({ DBInstanceIdentifier: 'restored-shop', DeletionProtection: true, BackupRetentionPeriod: 7 });
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  expect(run.visited.filter((s) => s.name === 'WaitForInstance').length).toBeGreaterThanOrEqual(2);
  expect(account.instances.get('restored-shop')?.DBInstanceStatus).toBe('available');
});

test('a load longer than one invocation continues in the next: the LoadDump loop resumes where it stopped', async () => {
  mockAws();
  let invocations = 0;
  const run = await machine.run(request, {
    executionName: 'dump-restored-shop-8',
    handlers: handlers({
      // An invocation with no time left: each applies exactly one statement and returns.
      LoadDump: async (event) => {
        invocations++;
        return handler(event, { getRemainingTimeInMillis: () => 0 } as never);
      },
    }),
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(invocations).toBeGreaterThan(20);
  expect(run.output.statements).toBe(invocations);
  expect(run.output.verification).toMatchObject({ status: 'ok' });
});

test('a failing step after the instance exists deletes that instance and fails with the step\'s error', async () => {
  const tampered = { ...manifest, tables: manifest.tables.map((t) => (t.table === 'orders' ? { ...t, rows: t.rows + 1 } : t)) };
  mockAws({ manifestText: serializeManifest(tampered) });
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-2' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreCheckError');
  expect(run.cause).toMatch(/rows shop\.orders: 20000 rows restored, 20001 in the dump/);
  expect(run.caught).toEqual(['Verify']);
  const deletes = rds.commandCalls(DeleteDBInstanceCommand);
  expect(deletes).toHaveLength(1);
  expect(deletes[0].args[0].input).toEqual({ DBInstanceIdentifier: 'restored-shop', SkipFinalSnapshot: true, DeleteAutomatedBackups: true });
  expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
});

test('a cleanup that fails too keeps the restore\'s own error, and its cause says what to look for', async () => {
  const tampered = { ...manifest, tables: manifest.tables.map((t) => (t.table === 'orders' ? { ...t, rows: t.rows + 1 } : t)) };
  mockAws({ manifestText: serializeManifest(tampered) });
  rds.on(DeleteDBInstanceCommand).rejects(Object.assign(new Error('User is not authorized to perform: rds:DeleteDBInstance'), { name: 'AccessDenied' }));
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-12' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreCheckError');
  expect(run.caught).toEqual(['Verify', 'Cleanup']);
  expect(run.cause).toMatch(/rows shop\.orders: 20000 rows restored, 20001 in the dump.* The cleanup did not finish \(AccessDenied: .*not authorized.*\): look for the RDS instance tagged cdk-backup-dr:restore-execution=dump-restored-shop-12 and delete it by hand if it is not wanted$/s);
});

test('a dump taken without pausing replication is restored with its row counts unknown, not failed, and the reason in the result', async () => {
  // The replica applied five more orders between the dump and the manifest's count.
  const unpaused = { ...manifest, replicationPaused: false, tables: manifest.tables.map((t) => (t.table === 'orders' ? { ...t, rows: t.rows + 5, checksum: '0000000000000000' } : t)) };
  mockAws({ manifestText: serializeManifest(unpaused) });
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-9' });
  expect(run.error ?? '').toEqual('');
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output.verification).toEqual({
    status: 'unknown',
    checks: 5,
    summary: '3 checks ok; the row counts of 2 tables are unknown: the dump was taken without pausing replication, so its manifest cannot verify them',
    problems: [
      expect.stringMatching(/^unknown: rows shop\.customers: 97 rows restored, 97 in the manifest: not comparable, the dump was taken without pausing replication/),
      expect.stringMatching(/^unknown: rows shop\.orders: 20000 rows restored, 20005 in the manifest: not comparable/),
    ],
  });
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(ModifyDBInstanceCommand)[0].args[0].input).toMatchObject({ DBInstanceIdentifier: 'restored-shop', DeletionProtection: true });
});

test('a dump whose manifest notes it may be incomplete (the dump user\'s grants could not all be read) is restored unverified: status unknown, the reason in the summary, the notes in its verification', async () => {
  const completenessNotes = ["the dump user dumper@% may lack SHOW DATABASES (GRANT SHOW DATABASES ON *.* TO 'dumper'@'%'); whether it holds it is unknown: SHOW GRANTS FOR role 'reader' failed"];
  mockAws({ manifestText: serializeManifest({ ...manifest, completenessNotes }) });
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-13' });
  expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toEqual('');
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output.verification).toEqual({
    status: 'unknown',
    checks: expect.any(Number),
    summary: expect.stringMatching(/^\d+ checks ok: CHECK TABLE, row counts and checksums of 2 tables; whether the dump is complete is unknown \(its manifest's completenessNotes: 1 note\), and the checks compare with that manifest, so they cannot tell$/),
    completenessNotes,
  });
  // Unverified, not failed: the copy is kept and protected.
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(ModifyDBInstanceCommand)[0].args[0].input).toMatchObject({ DBInstanceIdentifier: 'restored-shop', DeletionProtection: true });
});

test('a dump with completenessNotes whose checks are also unknown (taken without pausing replication) gives both reasons', async () => {
  const completenessNotes = ['the dump user dumper@% may lack EVENT on database shop; whether it holds it is unknown: a', 'a second note'];
  const unpaused = { ...manifest, replicationPaused: false, completenessNotes };
  mockAws({ manifestText: serializeManifest(unpaused) });
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-14' });
  expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toEqual('');
  expect(run.output.verification).toMatchObject({
    status: 'unknown',
    summary: "3 checks ok; the row counts of 2 tables are unknown: the dump was taken without pausing replication, so its manifest cannot verify them; whether the dump is complete is unknown (its manifest's completenessNotes: 2 notes), and the checks compare with that manifest, so they cannot tell",
    completenessNotes,
  });
});

test('a check that cannot run (CHECK TABLE of a MEMORY table) leaves the copy unverified, not failed: it is protected and handed over with the reason', async () => {
  const connection = await source.connect();
  await connection.query('CREATE TABLE shop.sessions (id INT PRIMARY KEY, token VARCHAR(20) NOT NULL) ENGINE=MEMORY');
  await connection.query("INSERT INTO shop.sessions VALUES (1, 'a'), (2, 'b')");
  const sessions = await tableChecksum(connection, 'shop', 'sessions');
  const withMemoryTable = gzipSync(execFileSync('mariadb-dump', [
    '--host=127.0.0.1', `--port=${source.port}`, `--user=${ADMIN_USER}`, `--password=${ADMIN_PASSWORD}`, '--single-transaction', '--databases', 'shop',
  ], { maxBuffer: 256 * 1024 * 1024 }));
  await connection.query('DROP TABLE shop.sessions');
  await connection.end();
  const plain = dump;
  dump = withMemoryTable;
  try {
    const withSessions: DumpManifest = {
      ...manifest,
      tables: [...manifest.tables, { schema: 'shop', table: 'sessions', rows: sessions.rows, checksum: sessions.checksum, hasPrimaryKey: true }],
      files: [{ key: DUMP_KEY, bytes: dump.length, sha256: createHash('sha256').update(dump).digest('hex') }],
    };
    mockAws({ manifestText: serializeManifest(withSessions) });
    const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-10' });
    expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toEqual('');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output.verification).toMatchObject({
      status: 'unknown',
      summary: expect.stringMatching(/^\d+ checks ok; 1 checks could not run$/),
      problems: [expect.stringMatching(/^unknown: check-table shop\.sessions: /)],
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(ModifyDBInstanceCommand)[0].args[0].input).toMatchObject({ DBInstanceIdentifier: 'restored-shop', DeletionProtection: true });
  } finally {
    dump = plain;
  }
});

test('an enabled event of the dump that the new instance runs (event_scheduler ON) leaves the rows it changed unverified, not failed: the copy is kept', async () => {
  const connection = await source.connect();
  // The source's scheduler is off: the event is dumped as enabled and has not run there. Every
  // second, so that it runs on the new instance soon after it is loaded, however long that takes.
  await connection.query('CREATE EVENT shop.purge_orders ON SCHEDULE EVERY 1 SECOND ON COMPLETION PRESERVE ENABLE DO DELETE FROM shop.orders WHERE id <= 5');
  const withEvent = gzipSync(execFileSync('mariadb-dump', [
    '--host=127.0.0.1', `--port=${source.port}`, `--user=${ADMIN_USER}`, `--password=${ADMIN_PASSWORD}`, '--single-transaction', '--events', '--databases', 'shop',
  ], { maxBuffer: 256 * 1024 * 1024 }));
  await connection.query('DROP EVENT shop.purge_orders');
  await connection.end();
  const plain = dump;
  dump = withEvent;
  const onTarget = await target.connect();
  await onTarget.query('SET GLOBAL event_scheduler = ON');
  try {
    mockAws({ manifestText: serializeManifest({ ...manifest, files: [{ key: DUMP_KEY, bytes: dump.length, sha256: createHash('sha256').update(dump).digest('hex') }] }) });
    // Verify once the event has run on the new instance.
    const afterTheEvent = async (event: Parameters<typeof handler>[0], context: Parameters<typeof handler>[1]) => {
      await waitForRows(onTarget, 'shop.orders', 19_995);
      return handler(event, context);
    };
    const run = await machine.run(request, { handlers: handlers({ Verify: afterTheEvent }), executionName: 'dump-restored-shop-11' });
    expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toEqual('');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output.verification).toEqual({
      status: 'unknown',
      checks: expect.any(Number),
      summary: expect.stringMatching(/^\d+ checks ok; 2 row counts or checksums differ from the manifest while the server runs enabled events \(event_scheduler ON\), which may have changed them since the load$/),
      problems: [
        'unknown: rows shop.orders: 19995 rows restored, 20000 in the dump: not comparable, the server runs enabled events (event_scheduler ON: shop.purge_orders), which may have changed the rows since the load',
        expect.stringMatching(/^unknown: checksum shop\.orders: restored [0-9a-f]{16}, dump [0-9a-f]{16}: not comparable/),
      ],
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(ModifyDBInstanceCommand)[0].args[0].input).toMatchObject({ DBInstanceIdentifier: 'restored-shop', DeletionProtection: true });
  } finally {
    dump = plain;
    await onTarget.query('SET GLOBAL event_scheduler = OFF');
    await onTarget.end();
  }
});

test('events the dump of a replica brings back disabled (DISABLE ON SLAVE) stay disabled and the result lists them with the statements that enable them', async () => {
  const pair = await startReplicatedPair();
  const plain = dump;
  try {
    const master = await pair.master.connect();
    await master.query(`
      CREATE DATABASE shop;
      CREATE TABLE shop.customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL);
      INSERT INTO shop.customers SELECT seq, CONCAT('name-', seq) FROM shop.seq_1_to_97;
      CREATE EVENT shop.purge_customers ON SCHEDULE EVERY 1 HOUR ON COMPLETION PRESERVE ENABLE DO DELETE FROM shop.customers WHERE id < 0;
      CREATE EVENT shop.\`nightly-report\` ON SCHEDULE EVERY 1 DAY ON COMPLETION PRESERVE ENABLE DO DELETE FROM shop.customers WHERE id < 0;
    `);
    await master.end();
    await pair.waitForReplica();
    const replica = await pair.replica.connect();
    const customers = await tableChecksum(replica, 'shop', 'customers');
    await replica.end();
    // The daily dump is taken from the replica.
    const text = execFileSync('mariadb-dump', [
      '--host=127.0.0.1', `--port=${pair.replica.port}`, `--user=${ADMIN_USER}`, `--password=${ADMIN_PASSWORD}`, '--single-transaction', '--events', '--databases', 'shop',
    ], { maxBuffer: 256 * 1024 * 1024 });
    expect(text.toString()).toMatch(/DISABLE ON SLAVE/);
    dump = gzipSync(text);
    mockAws({
      manifestText: serializeManifest({
        ...manifest,
        tables: [{ schema: 'shop', table: 'customers', rows: customers.rows, checksum: customers.checksum, hasPrimaryKey: true }],
        files: [{ key: DUMP_KEY, bytes: dump.length, sha256: createHash('sha256').update(dump).digest('hex') }],
      }),
    });
    const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-13' });
    expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toEqual('');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output.verification).toMatchObject({ status: 'ok' });
    expect(run.output.verification.disabledEvents).toEqual({
      total: 2,
      events: ['shop.nightly-report', 'shop.purge_customers'],
      enableAfterCutover: ['ALTER EVENT `shop`.`nightly-report` ENABLE;', 'ALTER EVENT `shop`.`purge_customers` ENABLE;'],
      note: expect.stringMatching(/^2 events are disabled on this instance \(DISABLE ON SLAVE: the dump was taken from a replica\) and will not run; the restore leaves them so\. After cutting over/),
    });
    // Not enabled by the restore: the copy runs beside the live master.
    const onTarget = await target.connect();
    const [events] = await onTarget.query("SELECT EVENT_NAME AS n, STATUS AS s FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'shop' ORDER BY EVENT_NAME");
    await onTarget.end();
    expect(events).toEqual([{ n: 'nightly-report', s: 'SLAVESIDE_DISABLED' }, { n: 'purge_customers', s: 'SLAVESIDE_DISABLED' }]);
  } finally {
    dump = plain;
    await pair.stop();
  }
}, 120_000);

test('events that cannot be listed (the server cannot read mysql.event) leave the copy as verified, and disabledEventsUnknown says why instead of claiming no events are disabled', async () => {
  mockAws();
  // The table behind information_schema.EVENTS, moved away just before Verify and put back after it.
  const withoutEventTable = async (event: Parameters<typeof handler>[0], context: Parameters<typeof handler>[1]) => {
    const admin = await target.connect();
    try {
      await admin.query('RENAME TABLE mysql.event TO mysql.event_moved_by_test');
      return await handler(event, context);
    } finally {
      await admin.query('RENAME TABLE mysql.event_moved_by_test TO mysql.event');
      await admin.end();
    }
  };
  const run = await machine.run(request, { handlers: handlers({ Verify: withoutEventTable }), executionName: 'dump-restored-shop-15' });
  expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toEqual('');
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output.verification).toMatchObject({ status: 'ok' });
  expect(run.output.verification).not.toHaveProperty('disabledEvents');
  expect(run.output.verification.disabledEventsUnknown).toMatch(
    /^the events of the restored databases could not be listed, so whether any are disabled \(DISABLE ON SLAVE\) is unknown: .*mysql.*event/);
});

test('keepOnFailure keeps the failed instance for investigation', async () => {
  const tampered = { ...manifest, tables: manifest.tables.map((t) => ({ ...t, checksum: '0000000000000000' })) };
  mockAws({ manifestText: serializeManifest(tampered) });
  const run = await machine.run({ ...request, keepOnFailure: true }, { handlers: handlers(), executionName: 'dump-restored-shop-3' });
  expect(run.status).toBe('FAILED');
  expect(run.cause).toMatch(/checksum shop\.orders: restored [0-9a-f]{16}, dump 0000000000000000/);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
});

test('a throttled create is retried and creates one instance', async () => {
  const throttle = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} });
  mockAws({ createErrors: [throttle] });
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-4' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.retried).toEqual(['CreateInstance']);
  expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(2);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
});

test('a create step repeated after its response was lost finds its instance instead of creating a second', async () => {
  mockAws();
  let first = true;
  const run = await machine.run(request, {
    executionName: 'dump-restored-shop-5',
    handlers: handlers({
      CreateInstance: async (event, context) => {
        const result = await handler(event, context);
        if (first) {
          first = false;
          throw Object.assign(new Error('the invocation timed out after the instance was requested'), { name: 'Lambda.ServiceException' });
        }
        return result;
      },
    }),
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.retried).toEqual(['CreateInstance']);
  expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(1);
});

test('the same request started again after it finished fails at validation and creates nothing', async () => {
  mockAws({ existing: [{ DBInstanceIdentifier: 'restored-shop', DBInstanceStatus: 'available', TagList: [{ Key: EXECUTION_TAG, Value: 'dump-restored-shop-6' }] }] });
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-6' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreInputError');
  expect(run.cause).toMatch(/an instance 'restored-shop' already exists/);
  expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
});

test('an instance a database restore created under the same execution name is not taken as its own', async () => {
  mockAws();
  rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier: string }) => {
    if (rds.commandCalls(CreateDBInstanceCommand).length === 0 && rds.commandCalls(DescribeDBInstancesCommand).length <= 1) {
      throw new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} });
    }
    return { DBInstances: [{ DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: 'available',
      TagList: [{ Key: EXECUTION_TAG, Value: 'dump-restored-shop-8' }, { Key: WORKFLOW_TAG, Value: 'database' }] }] };
  });
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-8' });
  expect(run.status).toBe('FAILED');
  expect(run.cause).toMatch(/already exists and was not created by this restore \(dump-restored-shop-8, started /);
  expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
});

/** The target instance is not there for Validate's describe, then is: available, created at `created`, with these tags. */
function appearsAfterValidate(created: Date, tags: Array<{ Key: string; Value: string }>): void {
  rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier: string }) => {
    if (rds.commandCalls(DescribeDBInstancesCommand).length <= 1) {
      throw new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} });
    }
    return { DBInstances: [{
      DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: 'available', InstanceCreateTime: created,
      Endpoint: { Address: '127.0.0.1', Port: target.port }, MasterUserSecret: { SecretArn: SECRET_ARN, SecretStatus: 'active' },
      TagList: tags,
    }] };
  });
}

test.each([
  ['another DumpRestoreWorkflow\'s (same prefix, same execution name)', [{ Key: WORKFLOW_ID_TAG, Value: 'c8another0000000000000000000000000000000' }]],
  ['one an earlier version of this workflow restored (tagged with the kind only)', []],
])('an instance %s is neither taken nor deleted: only this workflow\'s id tag makes it its own', async (_name, idTags) => {
  mockAws();
  // It appears between Validate and CreateInstance, named and tagged as this execution's would be.
  appearsAfterValidate(new Date(), [{ Key: EXECUTION_TAG, Value: 'dump-restored-shop-9' }, { Key: WORKFLOW_TAG, Value: 'dump' }, ...idTags]);
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-9' });
  expect(run.status).toBe('FAILED');
  expect(run.cause).toMatch(/an instance 'restored-shop' already exists and was not created by this restore \(dump-restored-shop-9, started /);
  expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  const cleanup = run.events.filter((e) => e.type === 'StateExited' && e.state.name === 'Cleanup').map((e) => e.state.output.cleanup);
  expect(cleanup).toEqual([{
    instanceIdentifier: 'restored-shop',
    deleted: false,
    reason: `the instance was not created by dump-restored-shop-9 of this workflow (${WORKFLOW_ID_TAG}=${workflowId}): left alone`,
  }]);
});

test('the create and cleanup steps take the execution\'s id and start time, which tell its instance from an earlier execution\'s of the same name', () => {
  for (const state of ['CreateInstance', 'Cleanup']) {
    expect(machine.definition.States[state].Parameters).toMatchObject({ 'executionId.$': '$$.Execution.Id', 'executionStartTime.$': '$$.Execution.StartTime' });
  }
});

test('an instance an earlier execution of the same name created (its history gone, the name used again) is neither taken nor deleted', async () => {
  mockAws();
  // That execution was 91 days ago: its history is gone, and its name may be used again. Its
  // instance appears between Validate and CreateInstance (as the check of both steps is meant for).
  const earlier = new Date(Date.now() - 91 * 24 * 3600_000);
  appearsAfterValidate(earlier, [{ Key: EXECUTION_TAG, Value: 'dump-restored-shop-again' }, { Key: WORKFLOW_TAG, Value: 'dump' }, { Key: WORKFLOW_ID_TAG, Value: workflowId }]);
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-again' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreInputError');
  expect(run.cause).toMatch(/an instance 'restored-shop' already exists and was not created by this restore \(dump-restored-shop-again, started /);
  expect(run.caught).toEqual(['CreateInstance']);
  expect(s3.commandCalls(GetObjectCommand).filter((call) => call.args[0].input.Key === DUMP_KEY)).toHaveLength(0);
  expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  const cleanup = run.events.filter((e) => e.type === 'StateExited' && e.state.name === 'Cleanup').map((e) => e.state.output.cleanup);
  expect(cleanup).toEqual([{
    instanceIdentifier: 'restored-shop',
    deleted: false,
    reason: expect.stringContaining(`created ${earlier.toISOString()}, before this execution started (`),
  }]);
  expect(cleanup[0].reason).toMatch(/\): an earlier execution named dump-restored-shop-again made it; left alone$/);
});

test('an instance that fails to start is deleted', async () => {
  mockAws();
  rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier: string }) => {
    const created = rds.commandCalls(CreateDBInstanceCommand).length > 0;
    if (!created) {
      throw new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} });
    }
    return { DBInstances: [{ DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: 'incompatible-parameters',
      TagList: [{ Key: EXECUTION_TAG, Value: 'dump-restored-shop-7' }, { Key: WORKFLOW_TAG, Value: 'dump' }, { Key: WORKFLOW_ID_TAG, Value: workflowId }] }] };
  });
  const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-restored-shop-7' });
  expect(run.status).toBe('FAILED');
  expect(run.cause).toMatch(/is 'incompatible-parameters' instead of becoming available/);
  expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
});

describe('bad input fails before anything is created, naming the input and what is allowed', () => {
  test.each([
    ['a manifest that does not exist', { ...request, manifestKey: 'daily/2026-11-20/20261120T020000Z-ffffff/manifest.json' }, /no dump manifest at s3:\/\/dumps\/daily\/2026-11-20/],
    ['a key that is not a manifest', { ...request, manifestKey: 'daily/2026-11-21/x/dump.sql.gz' }, /`manifestKey` must be daily\/YYYY-MM-DD\/<run id>\/manifest.json/],
    ['a yearly dump without an archive bucket', { ...request, manifestKey: 'yearly/2026/2026-01-01/r1/manifest.json' }, /no archive bucket; allowed: daily/],
    ['a target without the prefix', { ...request, targetInstanceIdentifier: 'orders' }, /`targetInstanceIdentifier` must start with 'restored-'/],
    ['a target that is not an identifier', { ...request, targetInstanceIdentifier: 'restored--x' }, /`targetInstanceIdentifier` must be 1 to 63 letters/],
    ['an instance class that is not one', { ...request, instanceClass: 'huge' }, /`instanceClass` must be an RDS instance class such as db.r7g.large; got 'huge'/],
    ['storage out of range', { ...request, allocatedStorage: 5 }, /`allocatedStorage` must be a whole number of GiB from 20 to 65536; got 5/],
    ['no target', { manifestKey: MANIFEST_KEY }, /`targetInstanceIdentifier` is required/],
    ['a manifest key with a space at its start', { ...request, manifestKey: ` ${MANIFEST_KEY}` }, /input `manifestKey` \\" daily\/2026-11-21\/.*\/manifest\.json\\" begins with whitespace: S3 keeps whitespace in a key, so the restore neither trims it/],
    ['a bucket other than the workflow\'s', { ...request, bucket: 'other' }, /input `bucket` is 'other', but this workflow reads daily\/ dumps only from dumps: give 'dumps' \(s3:\/\/dumps\/daily\/2026-11-21\/20261121T020000Z-abc123\/manifest.json\) or no bucket/],
  ])('%s', async (_name, input, message) => {
    mockAws();
    const run = await machine.run(input, { handlers: handlers(), executionName: 'dump-bad-input' });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RestoreInputError');
    expect(run.cause).toMatch(message);
    expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  });

  test('a target that already exists', async () => {
    mockAws({ existing: [{ DBInstanceIdentifier: 'restored-shop', DBInstanceStatus: 'available' }] });
    const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-bad-input' });
    expect(run.error).toBe('RestoreInputError');
    expect(run.cause).toMatch(/an instance 'restored-shop' already exists; choose an identifier that does not exist/);
    expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  });

  test('a dump whose size differs from its manifest', async () => {
    mockAws();
    s3.on(HeadObjectCommand, { Bucket: 'dumps', Key: DUMP_KEY }).resolves({ ContentLength: 12, StorageClass: 'STANDARD' });
    const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-bad-input' });
    expect(run.cause).toMatch(/has 12 bytes but its manifest records/);
    expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  });

  test('a manifest that lists another run\'s dump: that dump would be loaded as this run\'s', async () => {
    const otherKey = 'daily/2026-11-20/20261120T020000Z-def456/dump.sql.gz';
    mockAws({ manifestText: serializeManifest({ ...manifest, files: [{ ...manifest.files[0], key: otherKey }] }) });
    s3.on(HeadObjectCommand, { Bucket: 'dumps', Key: otherKey }).resolves({ ContentLength: manifest.files[0].bytes, StorageClass: 'STANDARD' });
    const run = await machine.run(request, { handlers: handlers(), executionName: 'dump-bad-input' });
    expect(run.error).toBe('RestoreInputError');
    expect(run.cause).toContain(`the manifest s3://dumps/${MANIFEST_KEY} lists ${otherKey}, which is not a file of its run (not directly under daily/2026-11-21/20261121T020000Z-abc123/)`);
    expect(rds.commandCalls(CreateDBInstanceCommand)).toHaveLength(0);
  });
});
