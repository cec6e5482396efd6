import { BackupClient } from '@aws-sdk/client-backup';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { checksumFileContent, serializeManifest } from '../../../core/dump/manifest';
import { runCheck, RegionClients } from '../../../lambda/backup-freshness/checks';
import { CheckConfig } from '../../../lambda/backup-freshness/config';
import { parseRecord, recordKey, s3VerificationStore, VerificationStore } from '../../../lambda/backup-freshness/verification-record';
import { awsError, eTagOf, manifestFor, serveObjects, sha256, storeRun } from './support';

const s3Mock = mockClient(S3Client);
const clients: RegionClients = {
  rds: new RDSClient({ region: 'eu-west-1' }),
  backup: new BackupClient({ region: 'eu-west-1' }),
  ec2: new EC2Client({ region: 'eu-west-1' }),
  s3: new S3Client({ region: 'eu-west-1' }),
};
const clientsFor = (): RegionClients => clients;

const FIRST = new Date('2026-11-21T04:00:00Z');
const LATER = new Date('2026-11-21T09:00:00Z');
const PREFIX = 'daily/2026-11-21/20261121T030000Z-bbbbbb/';
const DUMP_KEY = `${PREFIX}dump.sql.gz`;
const CHECKSUM_KEY = `${PREFIX}dump.sql.gz.sha256`;
const RECORD_KEY = 'checks/dump-verifications/dumps-48h/daily/2026-11-21/20261121T030000Z-bbbbbb/verified.json';
const check: CheckConfig = { kind: 'daily-dump', tier: 'daily-dump', resource: 'dumps', intervalHours: 24, graceHours: 2, bucket: 'dumps-48h' };
const dump = Buffer.from('-- MariaDB dump\nINSERT INTO orders VALUES (1),(2),(3);\n'.repeat(50));

let objects: Map<string, Buffer>;
let reports: Map<string, Buffer>;
let versions: Map<string, string>;
let store: VerificationStore;

beforeEach(() => {
  s3Mock.reset();
  objects = new Map();
  reports = new Map();
  versions = new Map([[DUMP_KEY, 'v1'], [CHECKSUM_KEY, 'v1']]);
  storeRun(objects, PREFIX, '20261121T030000Z-bbbbbb', new Date('2026-11-21T03:00:00Z'), dump);
  serveObjects(s3Mock, { objects, reports, versions });
  store = s3VerificationStore(clients.s3, 'reports', 'checks/dump-verifications/');
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

/** The keys whose bytes were read with ranged GETs (hashed), in order. */
function hashedKeys(): string[] {
  return [...new Set(s3Mock.commandCalls(GetObjectCommand).filter((call) => call.args[0].input.Range).map((call) => call.args[0].input.Key!))];
}

function storedRecord(): ReturnType<typeof parseRecord> {
  return parseRecord(reports.get(RECORD_KEY)!.toString('utf8'), 'dumps-48h', PREFIX);
}

test('the first run hashes every file and records each one\'s key, size, ETag, version id, SHA-256 and time', async () => {
  const result = await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  expect(result.status).toBe('ok');
  expect(hashedKeys()).toEqual([DUMP_KEY, CHECKSUM_KEY]);
  expect(result.detail).toContain(`2 file(s) of run 20261121T030000Z-bbbbbb match their SHA-256 and size (hashed in this run: ${DUMP_KEY}, ${CHECKSUM_KEY})`);
  expect(recordKey('checks/dump-verifications/', 'dumps-48h', PREFIX)).toBe(RECORD_KEY);
  const put = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
  expect(put.map((input) => `${input.Bucket}/${input.Key}`)).toEqual([`reports/${RECORD_KEY}`]);
  expect(storedRecord()).toEqual({
    version: 1,
    bucket: 'dumps-48h',
    prefix: PREFIX,
    files: [
      { key: DUMP_KEY, bytes: dump.length, eTag: eTagOf(dump), versionId: 'v1', sha256: sha256(dump), verifiedAt: FIRST.toISOString() },
      { key: CHECKSUM_KEY, bytes: objects.get(CHECKSUM_KEY)!.length, eTag: eTagOf(objects.get(CHECKSUM_KEY)!), versionId: 'v1', sha256: sha256(objects.get(CHECKSUM_KEY)!), verifiedAt: FIRST.toISOString() },
    ],
  });
  expect(result.verifiedFiles?.map((file) => [file.key, file.verifiedAt, file.hashedInThisRun])).toEqual([[DUMP_KEY, FIRST.toISOString(), true], [CHECKSUM_KEY, FIRST.toISOString(), true]]);
});

test('a later run HEADs the unchanged files and reuses the record instead of reading their bytes', async () => {
  await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  s3Mock.resetHistory();
  const result = await runCheck(check, clientsFor, 'eu-west-1', LATER, store);
  expect(result.status).toBe('ok');
  expect(hashedKeys()).toEqual([]);
  expect(s3Mock.commandCalls(HeadObjectCommand).map((call) => call.args[0].input.Key)).toEqual([DUMP_KEY, CHECKSUM_KEY]);
  expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  expect(result.detail).toContain(`match their SHA-256 and size (${DUMP_KEY} verified at ${FIRST.toISOString()}, ${CHECKSUM_KEY} verified at ${FIRST.toISOString()}, unchanged since (same size, ETag and version))`);
  expect(result.verifiedFiles?.map((file) => [file.key, file.verifiedAt, file.hashedInThisRun])).toEqual([[DUMP_KEY, FIRST.toISOString(), false], [CHECKSUM_KEY, FIRST.toISOString(), false]]);
});

test('a file with another version or ETag is hashed again, and only that one; the record is renewed', async () => {
  await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  versions.set(DUMP_KEY, 'v2');
  s3Mock.resetHistory();
  const result = await runCheck(check, clientsFor, 'eu-west-1', LATER, store);
  expect(result.status).toBe('ok');
  expect(hashedKeys()).toEqual([DUMP_KEY]);
  expect(result.detail).toContain(`(hashed in this run: ${DUMP_KEY}; ${CHECKSUM_KEY} verified at ${FIRST.toISOString()}, unchanged since`);
  expect(storedRecord().files.map((file) => [file.key, file.versionId, file.verifiedAt])).toEqual([[DUMP_KEY, 'v2', LATER.toISOString()], [CHECKSUM_KEY, 'v1', FIRST.toISOString()]]);
});

test('a file replaced by other bytes of the same size is hashed again and found corrupt; the corrupt run is not recorded', async () => {
  await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  const recorded = reports.get(RECORD_KEY);
  const flipped = Buffer.from(dump);
  flipped[100] ^= 0xff;
  objects.set(DUMP_KEY, flipped);
  s3Mock.resetHistory();
  const result = await runCheck(check, clientsFor, 'eu-west-1', LATER, store);
  expect(result.status).toBe('corrupt');
  expect(result.detail).toContain(`${DUMP_KEY} has SHA-256 ${sha256(flipped)}, the manifest says ${sha256(dump)}`);
  expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  expect(reports.get(RECORD_KEY)).toBe(recorded);
});

test('a corrupt run is never recorded as verified, so the next run hashes it again', async () => {
  const flipped = Buffer.from(dump);
  flipped[7] ^= 0x01;
  objects.set(DUMP_KEY, flipped);
  expect((await runCheck(check, clientsFor, 'eu-west-1', FIRST, store)).status).toBe('corrupt');
  // A checksum file naming another digest fails the run after every file matched the manifest.
  const other = Buffer.from(checksumFileContent('0'.repeat(64)));
  const manifest = manifestFor(PREFIX, '20261121T030000Z-bbbbbb', new Date('2026-11-21T03:00:00Z'), dump);
  objects.set(DUMP_KEY, dump);
  objects.set(CHECKSUM_KEY, other);
  objects.set(`${PREFIX}manifest.json`, Buffer.from(serializeManifest({ ...manifest, files: [manifest.files[0], { key: CHECKSUM_KEY, bytes: other.length, sha256: sha256(other) }] })));
  const result = await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  expect(result.status).toBe('corrupt');
  expect(result.detail).toContain(`dump.sql.gz.sha256 says ${'0'.repeat(64)}`);
  expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  expect(reports.size).toBe(0);
});

test.each([
  ['not JSON', Buffer.from('{')],
  ['of another run', Buffer.from(JSON.stringify({ version: 1, bucket: 'dumps-48h', prefix: 'daily/2026-11-20/run-0/', files: [] }))],
  ['with a file entry that lacks its SHA-256', Buffer.from(JSON.stringify({ version: 1, bucket: 'dumps-48h', prefix: PREFIX, files: [{ key: DUMP_KEY, bytes: dump.length, eTag: eTagOf(dump), versionId: 'v1', verifiedAt: FIRST.toISOString() }] }))],
])('a record that is %s is not used: the files are hashed again', async (_what, content) => {
  reports.set(RECORD_KEY, content);
  const result = await runCheck(check, clientsFor, 'eu-west-1', LATER, store);
  expect(result.status).toBe('ok');
  expect(hashedKeys()).toEqual([DUMP_KEY, CHECKSUM_KEY]);
  expect(storedRecord().files.every((file) => file.verifiedAt === LATER.toISOString())).toBe(true);
});

test('a record that cannot be read (access denied, as for a missing one) means hashing again', async () => {
  await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  s3Mock.on(GetObjectCommand, { Bucket: 'reports' }).rejects(awsError('AccessDenied', 'Access Denied', 403));
  s3Mock.resetHistory();
  const result = await runCheck(check, clientsFor, 'eu-west-1', LATER, store);
  expect(result.status).toBe('ok');
  expect(hashedKeys()).toEqual([DUMP_KEY, CHECKSUM_KEY]);
});

test('a record whose SHA-256 is not the manifest\'s is not used, even for the same object', async () => {
  await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  const record = storedRecord();
  reports.set(RECORD_KEY, Buffer.from(JSON.stringify({ ...record, files: [{ ...record.files[0], sha256: 'f'.repeat(64) }, record.files[1]] })));
  s3Mock.resetHistory();
  expect((await runCheck(check, clientsFor, 'eu-west-1', LATER, store)).status).toBe('ok');
  expect(hashedKeys()).toEqual([DUMP_KEY]);
});

test('a record that cannot be written leaves the run ok and says the next run hashes again', async () => {
  s3Mock.on(PutObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
  const result = await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  expect(result.status).toBe('ok');
  expect(result.detail).toContain(`could not store the verification record at s3://reports/${RECORD_KEY}: AccessDenied: Access Denied, so the next run hashes them again`);
});

test('a file that changes while it is hashed makes the check unknown, and nothing is recorded', async () => {
  serveObjects(s3Mock, {
    objects, reports, versions,
    beforeRange: (key) => {
      if (key === DUMP_KEY) {
        objects.set(DUMP_KEY, Buffer.from(dump).reverse());
      }
    },
  });
  const result = await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  expect(result.status).toBe('unknown');
  expect(result.detail).toContain(`ObjectChangedError: s3://dumps-48h/${DUMP_KEY} changed while it was read`);
  expect(reports.size).toBe(0);
});

test('a failing range makes the check unknown, never ok or corrupt', async () => {
  serveObjects(s3Mock, {
    objects, reports, versions,
    beforeRange: (key) => {
      if (key === DUMP_KEY) {
        throw awsError('SlowDown', 'Please reduce your request rate.', 503);
      }
    },
  });
  const result = await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  expect(result.status).toBe('unknown');
  expect(result.detail).toContain('throttled by AWS (SlowDown: Please reduce your request rate.)');
  expect(reports.size).toBe(0);
});

test('a size that differs from the manifest is corrupt without reading the bytes', async () => {
  objects.set(DUMP_KEY, Buffer.concat([dump, Buffer.from('x')]));
  const result = await runCheck(check, clientsFor, 'eu-west-1', FIRST, store);
  expect(result.status).toBe('corrupt');
  expect(result.detail).toContain(`${DUMP_KEY} has ${dump.length + 1} bytes, the manifest says ${dump.length}`);
  expect(hashedKeys()).toEqual([]);
});
