/**
 * The dump workflow, run locally (aws-local-stepfunctions) from the synthesized template:
 * the real Lambda steps against a real MariaDB master/replica pair, the real dump script in
 * place of the ECS task (its environment taken from the task's container overrides), S3
 * through aws-sdk-client-mock.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand,
  S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { replicaHealth } from '../../core/consistency/replication';
import { parseManifest } from '../../core/dump/manifest';
import { pauseReplication, replicationApplying } from '../../core/dump/source';
import { DumpSettings, readSettings } from '../../lambda/database-dump/settings';
import { finalize, inspect, prepare, resume } from '../../lambda/database-dump/steps';
import { abortUploads } from '../../lambda/database-dump/uploads';
import { ReplicationPauseMethod } from '../../lib/dump/database-dump-job';
import { LocalStateMachine, localStateMachine, localStateMachineFromDefinition } from '../support/local-state-machine';
import { ADMIN_PASSWORD, ADMIN_USER, ReplicatedPair, startReplicatedPair, stopStartedServers } from '../support/mariadb';
import { dumpJobStack } from './fixtures';

const SCRIPT = join(__dirname, '..', '..', 'lib', 'dump', 'scripts', 'dump-database.sh');
const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });

let pair: ReplicatedPair;
let machine: LocalStateMachine;
let dumpDir: string;

/* eslint-disable @typescript-eslint/no-explicit-any */
function settings(): DumpSettings {
  return readSettings({
    DB_HOST: '127.0.0.1', DB_PORT: String(pair.replica.port), DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db', DB_TLS: 'off',
    DAILY_BUCKET: 'daily-bucket', ARCHIVE_BUCKET: 'archive-bucket', PAUSE_REPLICATION: 'true', REPLICATION_CONTROL: 'sql',
  });
}

/** Runs a step the way the function does: one connection per invocation. */
function step<T>(body: (connection: any) => Promise<T>): () => Promise<T> {
  return async () => {
    const connection = await pair.replica.connect();
    try {
      return await body(connection);
    } finally {
      await connection.end();
    }
  };
}

function handlers(dumpExitCode: number) {
  return {
    Prepare: (event: any) => step((c) => prepare(c, s3, settings(), event))(),
    Inspect: (event: any) => step((c) => inspect(c, settings(), event))(),
    Finalize: (event: any) => step((c) => finalize(c, s3, event))(),
    Resume: (event: any) => step((c) => resume(c, settings(), event))().then((r) => ({ ...r, event })),
    ResumeAfterFailure: (event: any) => step((c) => resume(c, settings(), event))().then((r) => ({ ...r, event })),
    AbortUploads: (event: any) => abortUploads(s3, event),
    // The ECS task: the real dump script with the environment the workflow overrides, then
    // the uploaded objects served by the S3 mock.
    Dump: (input: any) => {
      const overrides = Object.fromEntries((input.Overrides.ContainerOverrides as any[]).map((o) => [o.Name, Object.fromEntries(o.Environment.map((e: any) => [e.Name, e.Value]))]));
      const result = spawnSync('bash', [SCRIPT], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin', DUMP_BINARY: 'mariadb-dump', DB_TLS: 'off', DB_HOST: '127.0.0.1', DB_PORT: String(pair.replica.port),
          DB_USER: ADMIN_USER, DB_PASSWORD: dumpExitCode === 0 ? ADMIN_PASSWORD : 'wrong', DUMP_DATABASES: overrides.dump.DUMP_DATABASES, DUMP_DIR: dumpDir,
        },
        encoding: 'utf8',
      });
      if (result.status === 0) {
        const files: Record<string, Buffer> = {
          'dump.sql.gz': readFileSync(join(dumpDir, 'dump.sql.gz')),
          'dump.sql.gz.sha256': readFileSync(join(dumpDir, 'dump.sql.gz.sha256')),
        };
        // The task writes the daily copy only; Finalize copies it to the archive bucket (S3 answers each part copy with its SHA-256).
        expect(Object.keys(overrides.upload)).toEqual(['DAILY_PREFIX']);
        for (const [name, bytes] of Object.entries(files)) {
          s3Mock.on(GetObjectCommand, { Key: `${overrides.upload.DAILY_PREFIX}${name}` }).callsFake(() => ({
            Body: Object.assign(Readable.from([bytes]), { transformToString: async () => bytes.toString('utf8') }), ETag: '"dump"',
          }));
        }
        s3Mock.on(UploadPartCopyCommand).callsFake((copy) => {
          const [first, last] = /^bytes=(\d+)-(\d+)$/.exec(copy.CopySourceRange)!.slice(1).map(Number);
          return { CopyPartResult: { ETag: '"part"', ChecksumSHA256: createHash('sha256').update(files['dump.sql.gz'].subarray(first, last + 1)).digest('base64') } };
        });
      }
      return {
        Containers: [
          { Name: 'dump', ExitCode: result.status, Reason: result.status === 0 ? undefined : result.stderr.trim().slice(0, 200) },
          ...(result.status === 0 ? [{ Name: 'upload', ExitCode: 0 }] : []),
        ],
      };
    },
  };
}

beforeAll(async () => {
  pair = await startReplicatedPair();
  dumpDir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-workflow-'));
  const master = await pair.master.connect();
  await master.query(`
    CREATE DATABASE crm CHARACTER SET utf8mb4;
    CREATE TABLE crm.contacts (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL, notes JSON NULL);
    INSERT INTO crm.contacts VALUES (1, 'Ünal', '{"vip": true}'), (2, 'Kim', NULL);
  `);
  await master.end();
  await pair.waitForReplica();
  const stack = new Stack(undefined, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  dumpJobStack(stack, { pauseReplication: true, pauseMethod: ReplicationPauseMethod.SQL_STATEMENTS });
  machine = localStateMachine(Template.fromStack(stack));
});

afterAll(async () => {
  await stopStartedServers();
  if (dumpDir) {
    rmSync(dumpDir, { recursive: true, force: true });
  }
});

beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
  s3Mock.on(PutObjectCommand).resolves({});
  s3Mock.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
  s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'copy-1' });
  s3Mock.on(CompleteMultipartUploadCommand).resolves({});
});

test('a run dumps the paused replica, writes both manifests, resumes replication and says where the copies landed', async () => {
  const run = await machine.run({}, { handlers: handlers(0), executionName: 'scheduled-1' });
  expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toBe('');
  expect(run.status).toBe('SUCCEEDED');
  expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'Dump', 'Finalize', 'Resume', 'WhereTheCopiesLanded']);
  expect(run.output).toMatchObject({
    runId: expect.stringMatching(/^\d{8}T\d{6}Z-scheduled-1$/),
    dailyBucket: 'daily-bucket',
    dailyPrefix: expect.stringMatching(/^daily\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{6}Z-scheduled-1\/$/),
    archiveBucket: 'archive-bucket',
    archivePrefix: expect.stringMatching(/^yearly\/\d{4}\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{6}Z-scheduled-1\/$/),
    dailyManifest: expect.stringMatching(/^s3:\/\/daily-bucket\/daily\/.*\/manifest\.json$/),
    archiveManifest: expect.stringMatching(/^s3:\/\/archive-bucket\/yearly\/.*\/manifest\.json$/),
    archiveCopySkipped: '',
    sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    tables: 1,
    gtidPosition: expect.stringMatching(/^0-1-\d+$/),
    replicationPaused: true,
  });
  const manifest = parseManifest(String(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body));
  expect(s3Mock.commandCalls(CompleteMultipartUploadCommand).map((call) => call.args[0].input.Key)).toEqual([expect.stringMatching(/^yearly\/.*\/dump\.sql\.gz$/)]);
  expect(manifest.tables).toEqual([expect.objectContaining({ schema: 'crm', table: 'contacts', rows: 2, hasPrimaryKey: true })]);
  const replica = await pair.replica.connect();
  try {
    expect(await replicationApplying(replica)).toBe(true);
  } finally {
    await replica.end();
  }
});

test('Finalize\'s invocation fails with a Lambda service error after the function wrote the archive copy: the retry locks no second copy in the archive bucket', async () => {
  // The archive bucket as S3 keeps it: each write without If-None-Match adds a version (each locked by
  // Object Lock for a year); one with If-None-Match: * is refused (412) while the key has a current object.
  const versions = new Map<string, Array<{ bytes: number; checksum?: string }>>();
  const write = (input: { Bucket?: string; Key?: string; IfNoneMatch?: string }, stored: { bytes: number; checksum?: string }): void => {
    const key = `${input.Bucket}/${input.Key}`;
    if (input.IfNoneMatch === '*' && versions.has(key)) {
      throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    }
    versions.set(key, [...(versions.get(key) ?? []), stored]);
  };
  s3Mock.on(CompleteMultipartUploadCommand).callsFake((input) => {
    const parts = input.MultipartUpload.Parts as Array<{ ChecksumSHA256: string }>;
    const composite = createHash('sha256').update(Buffer.concat(parts.map((part) => Buffer.from(part.ChecksumSHA256, 'base64')))).digest('base64');
    write(input, { bytes: readFileSync(join(dumpDir, 'dump.sql.gz')).length, checksum: `${composite}-${parts.length}` });
    return { ChecksumSHA256: `${composite}-${parts.length}` };
  });
  s3Mock.on(PutObjectCommand).callsFake((input) => {
    write(input, { bytes: Buffer.byteLength(input.Body), checksum: input.ChecksumSHA256 });
    return {};
  });
  s3Mock.on(HeadObjectCommand).callsFake((input) => {
    const current = versions.get(`${input.Bucket}/${input.Key}`)?.at(-1);
    if (!current) {
      throw Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    }
    return { ContentLength: current.bytes, ...(input.ChecksumMode === 'ENABLED' && current.checksum ? { ChecksumSHA256: current.checksum } : {}) };
  });
  s3Mock.on(ListObjectsV2Command).callsFake((input) => ({
    Contents: [...versions.entries()].filter(([key]) => key.startsWith(`${input.Bucket}/${input.Prefix}`)).map(([key, written]) => ({ Key: key.slice(`${input.Bucket}/`.length), Size: written.at(-1)!.bytes })),
  }));
  s3Mock.on(AbortMultipartUploadCommand).resolves({});
  let attempts = 0;
  // The function ran to its end, but Step Functions got Lambda's service error instead of its result.
  const finalizedThenServiceError = async (event: any) => {
    attempts += 1;
    const result = await handlers(0).Finalize(event);
    if (attempts > 1) {
      return result;
    }
    throw Object.assign(new Error('Lambda was unable to process the request'), { name: 'Lambda.ServiceException' });
  };
  const run = await machine.run({ forceYearly: true }, { handlers: { ...handlers(0), Finalize: finalizedThenServiceError }, executionName: 'finalize-service-error' });
  expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toBe('');
  expect(run.status).toBe('SUCCEEDED');
  expect(run.retried).toEqual(['Finalize']);
  const archive = [...versions.entries()].filter(([key]) => key.startsWith('archive-bucket/'));
  expect(archive.map(([key, written]) => `${key.replace(/^.*\//, '')}: ${written.length}`).sort()).toEqual(['dump.sql.gz.sha256: 1', 'dump.sql.gz: 1', 'manifest.json: 1']);
  // The retry found the verified copy there before copying: it copied nothing again (no upload to abort).
  expect(s3Mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
  expect(s3Mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
});

test('forceYearly reaches Finalize: a forced run copies although another run copied the year after its Prepare', async () => {
  s3Mock.on(ListObjectsV2Command).callsFake((input) => ({
    Contents: /^yearly\/\d{4}\/$/.test(input.Prefix) ? [{ Key: `${input.Prefix}2027-01-01/20270101T030000Z-scheduled/manifest.json` }] : [],
  }));
  const run = await machine.run({ forceYearly: true }, { handlers: handlers(0), executionName: 'forced-1' });
  expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toBe('');
  expect(run.output).toMatchObject({
    archivePrefix: expect.stringMatching(/^yearly\/\d{4}\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{6}Z-forced-1\/$/),
    archiveManifest: expect.stringMatching(/^s3:\/\/archive-bucket\/yearly\/.*-forced-1\/manifest\.json$/),
    archiveCopySkipped: '',
  });
});

test('a run whose year another run copied after its Prepare makes no yearly copy, and its output says so with no archive prefix', async () => {
  // Prepare finds the year without a copy; by Finalize another run's manifest has landed.
  let looks = 0;
  s3Mock.on(ListObjectsV2Command).callsFake((input) => {
    if (!/^yearly\/\d{4}\/$/.test(input.Prefix)) {
      return { Contents: [] };
    }
    looks += 1;
    return { Contents: looks > 1 ? [{ Key: `${input.Prefix}2027-01-01/20270101T030000Z-scheduled/manifest.json` }] : [] };
  });
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  let run;
  try {
    run = await machine.run({}, { handlers: handlers(0), executionName: 'overlapping-1' });
  } finally {
    warn.mockRestore();
  }
  expect(`${run.error ?? ''} ${run.cause ?? ''}`.trim()).toBe('');
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({
    dailyManifest: expect.stringMatching(/^s3:\/\/daily-bucket\/daily\/.*-overlapping-1\/manifest\.json$/),
    archiveBucket: '',
    archivePrefix: '',
    archiveManifest: '',
    archiveCopySkipped: expect.stringMatching(/^the archive bucket already holds this year's copy \(s3:\/\/archive-bucket\/yearly\/\d{4}\/2027-01-01\/20270101T030000Z-scheduled\/manifest\.json\), made by another run since this run's Prepare; this run made no yearly copy$/),
  });
  expect(s3Mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
});

test('a failed dump resumes replication first, then aborts the run\'s open uploads, and fails the run with the container\'s reason', async () => {
  // The failed task left an upload open under each of the run's prefixes.
  s3Mock.on(ListMultipartUploadsCommand).callsFake((input) => ({ Uploads: [{ Key: `${input.Prefix}dump.sql.gz`, UploadId: `open-${input.Bucket}` }] }));
  s3Mock.on(AbortMultipartUploadCommand).resolves({});
  // AbortUploads may take its retries' 45 minutes: the replica must not wait paused for it.
  let applyingDuringAbort: boolean | undefined;
  const abortAfterResume = async (event: any) => {
    applyingDuringAbort = await step((c) => replicationApplying(c))();
    return abortUploads(s3, event);
  };
  const run = await machine.run({ forceYearly: true }, { handlers: { ...handlers(1), AbortUploads: abortAfterResume }, executionName: 'scheduled-2' });
  expect(run.status).toBe('FAILED');
  expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'Dump', 'Finalize', 'ResumeAfterFailure', 'UploadsMayBeOpen', 'AbortUploads', 'HowTheRunFails', 'DumpFailed']);
  expect(applyingDuringAbort).toBe(true);
  expect(run.cause).toMatch(/container 'dump' exited with \d+ \(.*Access denied/);
  expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  expect(s3Mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([
    { Bucket: 'daily-bucket', Key: expect.stringMatching(/^daily\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{6}Z-scheduled-2\/dump\.sql\.gz$/), UploadId: 'open-daily-bucket' },
    { Bucket: 'archive-bucket', Key: expect.stringMatching(/^yearly\/\d{4}\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{6}Z-scheduled-2\/dump\.sql\.gz$/), UploadId: 'open-archive-bucket' },
  ]);
  const replica = await pair.replica.connect();
  try {
    expect(await replicationApplying(replica)).toBe(true);
  } finally {
    await replica.end();
  }
});

test('replication that cannot be started again after a failed dump: the run\'s open uploads are still aborted, and the run fails saying to start it by hand', async () => {
  s3Mock.on(ListMultipartUploadsCommand).callsFake((input) => ({ Uploads: [{ Key: `${input.Prefix}dump.sql.gz`, UploadId: `open-${input.Bucket}` }] }));
  s3Mock.on(AbortMultipartUploadCommand).resolves({});
  const refused = async () => {
    throw Object.assign(new Error('Access denied; you need (at least one of) the REPLICATION SLAVE ADMIN privilege(s) for this operation'), { name: 'Error' });
  };
  const replica = await pair.replica.connect();
  try {
    const run = await machine.run({}, { handlers: { ...handlers(1), ResumeAfterFailure: refused }, executionName: 'scheduled-5' });
    expect(run.status).toBe('FAILED');
    expect(run.retried).toEqual(Array(5).fill('ResumeAfterFailure'));
    expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'Dump', 'Finalize', 'ResumeAfterFailure', 'UploadsMayBeOpen', 'AbortUploads', 'HowTheRunFails', 'ResumeFailed']);
    expect(run.error).toBe('ReplicationNotResumed');
    expect(run.cause).toContain('The dump failed and starting replication again failed too: start it by hand');
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.Bucket)).toEqual(['daily-bucket', 'archive-bucket']);
    expect(await replicationApplying(replica)).toBe(false);
  } finally {
    await replica.query('START SLAVE');
    await replica.end();
  }
});

test('replication that cannot be started again after a good dump fails the run saying so, after the copies landed', async () => {
  const refused = async () => {
    throw Object.assign(new Error("Access denied; you need (at least one of) the REPLICATION SLAVE ADMIN privilege(s) for this operation"), { name: 'Error' });
  };
  const replica = await pair.replica.connect();
  try {
    const run = await machine.run({}, { handlers: { ...handlers(0), Resume: refused }, executionName: 'scheduled-4' });
    expect(run.status).toBe('FAILED');
    expect(run.retried).toEqual(Array(5).fill('Resume'));
    expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'Dump', 'Finalize', 'Resume', 'ResumeFailedAfterDump']);
    expect(run.error).toBe('ReplicationNotResumed');
    expect(run.cause).toContain('The dump landed and its manifests are written, but starting replication again failed: start it by hand');
    expect(s3Mock.commandCalls(PutObjectCommand).length).toBeGreaterThan(0);
    expect(await replicationApplying(replica)).toBe(false);
  } finally {
    await replica.query('START SLAVE');
    await replica.end();
  }
});

describe('replication stopped by someone else during the dump window (a whole STOP SLAVE)', () => {
  const LEFT_STOPPED = "resuming replication on 127.0.0.1 failed: replication was stopped by someone else after this run paused it: the IO thread of the default channel is stopped too "
    + "(the pause leaves IO threads running), so it is left as it is; start it with 'START REPLICA ''' when it should run again";

  /** The dump task, with an operator's `STOP SLAVE` on the replica while it runs. */
  function stoppedDuringDump(dumpExitCode: number) {
    return async (input: any) => {
      const operator = await pair.replica.connect();
      try {
        await operator.query('STOP SLAVE');
      } finally {
        await operator.end();
      }
      return handlers(dumpExitCode).Dump(input);
    };
  }

  afterEach(async () => {
    const replica = await pair.replica.connect();
    await replica.query('START SLAVE').finally(() => replica.end());
  });

  test('after a good dump: Resume leaves it stopped, is not retried, and the run fails saying so and how to start it', async () => {
    const run = await machine.run({}, { handlers: { ...handlers(0), Dump: stoppedDuringDump(0) }, executionName: 'stopped-during-dump' });
    expect(run.status).toBe('FAILED');
    expect(run.retried).toEqual([]);
    expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'Dump', 'Finalize', 'Resume', 'ReplicationLeftStoppedAfterDump']);
    expect(run.error).toBe('ReplicationStoppedElsewhere');
    expect(run.cause).toContain(LEFT_STOPPED);
    expect(s3Mock.commandCalls(PutObjectCommand).length).toBeGreaterThan(0);
    const replica = await pair.replica.connect();
    try {
      expect((await replicaHealth(replica, 'mariadb')).channels.map((channel) => [channel.ioThreadRunning, channel.sqlThreadRunning])).toEqual([[false, false]]);
    } finally {
      await replica.end();
    }
  });

  test('after a failed dump: ResumeAfterFailure leaves it stopped, is not retried, and the run fails saying so', async () => {
    const run = await machine.run({}, { handlers: { ...handlers(1), Dump: stoppedDuringDump(1) }, executionName: 'stopped-during-failed-dump' });
    expect(run.status).toBe('FAILED');
    expect(run.retried).toEqual([]);
    expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'Dump', 'Finalize', 'ResumeAfterFailure', 'UploadsMayBeOpen', 'AbortUploads', 'HowTheRunFails', 'ReplicationLeftStopped']);
    expect(run.error).toBe('ReplicationStoppedElsewhere');
    expect(run.cause).toContain(LEFT_STOPPED);
    const replica = await pair.replica.connect();
    try {
      expect((await replicaHealth(replica, 'mariadb')).channels.map((channel) => [channel.ioThreadRunning, channel.sqlThreadRunning])).toEqual([[false, false]]);
    } finally {
      await replica.end();
    }
  });
});

test('a replica whose replication was stopped by someone else: the run fails at Prepare and leaves replication stopped', async () => {
  const replica = await pair.replica.connect();
  try {
    await replica.query('STOP SLAVE');
    const run = await machine.run({}, { handlers: handlers(0), executionName: 'scheduled-3' });
    expect(run.status).toBe('FAILED');
    expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'DumpFailed']);
    expect(run.cause).toMatch(/the replica is not current: replication is not running/);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(await replicationApplying(replica)).toBe(false);
  } finally {
    await replica.query('START SLAVE');
    await replica.end();
  }
});

test('replication stopped by someone else between Prepare and Inspect: the run fails at Inspect without resuming, and replication stays stopped', async () => {
  const replica = await pair.replica.connect();
  try {
    const stoppedAfterPrepare = async (event: any) => {
      const plan = await handlers(0).Prepare(event);
      // An operator (or a failover) stops the applier after Prepare found it running.
      await replica.query('STOP SLAVE SQL_THREAD');
      return plan;
    };
    const run = await machine.run({}, { handlers: { ...handlers(0), Prepare: stoppedAfterPrepare }, executionName: 'stopped-elsewhere' });
    expect(run.status).toBe('FAILED');
    expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'DumpFailed']);
    expect(run.error).toBe('ReplicationStoppedElsewhere');
    expect(run.cause).toMatch(/inspect failed on 127\.0\.0\.1: replication was stopped by someone else before this run paused it \(the SQL thread is not running\); it is left stopped/);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(await replicationApplying(replica)).toBe(false);
  } finally {
    await replica.query('START SLAVE');
    await replica.end();
  }
});

describe('a failure after Inspect paused replication resumes it and fails the run with Inspect\'s error', () => {
  async function expectApplying(): Promise<void> {
    const replica = await pair.replica.connect();
    try {
      expect(await replicationApplying(replica)).toBe(true);
    } finally {
      await replica.end();
    }
  }

  afterEach(async () => {
    const replica = await pair.replica.connect();
    await replica.query('START SLAVE').finally(() => replica.end());
  });

  test('Inspect throws after the pause', async () => {
    const missing = { ...settings(), databases: ['crm', 'missing_db'] };
    const run = await machine.run({}, {
      handlers: { ...handlers(0), Inspect: (event: any) => step((c) => inspect(c, missing, event))() },
      executionName: 'inspect-throws',
    });
    expect(run.status).toBe('FAILED');
    expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'ResumeAfterFailure', 'UploadsMayBeOpen', 'HowTheRunFails', 'DumpFailed']);
    expect(run.error).toBe('Error');
    expect(run.cause).toMatch(/inspect failed on 127\.0\.0\.1: the database\(s\) missing_db to dump do not exist/);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    await expectApplying();
  });

  test('Inspect\'s invocation fails with a Lambda service error after the function paused replication: not retried (a retry would take the run\'s own pause for someone else\'s)', async () => {
    let attempts = 0;
    // The function ran and paused, but Step Functions got Lambda's service error instead of its result.
    const pausedThenServiceError = async (event: any) => {
      attempts += 1;
      if (attempts > 1) {
        return handlers(0).Inspect(event);
      }
      await step((c) => pauseReplication(c, 'sql'))();
      throw Object.assign(new Error('Lambda was unable to process the request'), { name: 'Lambda.ServiceException' });
    };
    const run = await machine.run({}, { handlers: { ...handlers(0), Inspect: pausedThenServiceError }, executionName: 'inspect-service-error' });
    expect(run.status).toBe('FAILED');
    expect(run.retried).toEqual([]);
    expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'ResumeAfterFailure', 'UploadsMayBeOpen', 'HowTheRunFails', 'DumpFailed']);
    expect(run.error).toBe('Lambda.ServiceException');
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    await expectApplying();
  });

  test('Inspect times out after the pause (the function never returns)', async () => {
    // The synthesized definition with Inspect's 15-minute timeout cut to 1 second.
    const definition = JSON.parse(JSON.stringify(machine.definition));
    expect(definition.States.Inspect.TimeoutSeconds).toBe(900);
    definition.States.Inspect.TimeoutSeconds = 1;
    const hanging = async (): Promise<never> => {
      await step((c) => pauseReplication(c, 'sql'))();
      return new Promise<never>(() => undefined);
    };
    const run = await localStateMachineFromDefinition(definition).run({}, { handlers: { ...handlers(0), Inspect: hanging }, executionName: 'inspect-hangs' });
    expect(run.status).toBe('FAILED');
    expect(run.visited.map((state) => state.name)).toEqual(['Defaults', 'Prepare', 'Inspect', 'ResumeAfterFailure', 'UploadsMayBeOpen', 'HowTheRunFails', 'DumpFailed']);
    expect(run.error).toBe('States.Timeout');
    await expectApplying();
  });
});
