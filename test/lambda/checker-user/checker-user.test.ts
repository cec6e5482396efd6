import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import * as mysql from 'mysql2/promise';
import { replicaHealth } from '../../../core/consistency/replication';
import { checkUserName, ensureCheckerUser } from '../../../lambda/checker-user/user';
import { ADMIN_PASSWORD, ADMIN_USER, ReplicatedPair, startReplicatedPair, stopStartedServers } from '../../support/mariadb';

let pair: ReplicatedPair;

beforeAll(async () => {
  pair = await startReplicatedPair();
  const master = await pair.master.connect();
  await master.query('CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, total DECIMAL(10,2)); INSERT INTO shop.orders VALUES (1, 9.99)');
  await master.end();
  await pair.waitForReplica();
}, 120_000);

afterAll(async () => {
  await stopStartedServers();
});

async function connectAs(port: number, user: string, password: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port, user, password });
}

test('the checker user is created on the master, reaches the replica, and can read but not write', async () => {
  const master = await pair.master.connect();
  const privileges = await ensureCheckerUser(master, 'backup_checker', 'first-password');
  await master.end();
  expect(privileges).toEqual(['SELECT', 'REPLICATION CLIENT', 'PROCESS', 'SLAVE MONITOR']);
  await pair.waitForReplica();

  const onReplica = await connectAs(pair.replica.port, 'backup_checker', 'first-password');
  const [rows] = await onReplica.query('SELECT total FROM shop.orders WHERE id = 1');
  expect(rows).toEqual([{ total: '9.99' }]);
  const [status] = await onReplica.query('SHOW REPLICA STATUS');
  expect((status as Array<{ Slave_SQL_Running: string }>)[0].Slave_SQL_Running).toBe('Yes');
  // What the drift check reads on MariaDB: every named connection.
  expect(await replicaHealth(onReplica, 'mariadb')).toMatchObject({ configured: true, sqlThreadRunning: true, channels: [{ channel: '' }] });
  // The replica refuses writes twice over: read_only, and the user's grants.
  await expect(onReplica.query('INSERT INTO shop.orders VALUES (2, 1.00)')).rejects.toThrow(/command denied|read-only/i);
  await onReplica.end();

  const onMaster = await connectAs(pair.master.port, 'backup_checker', 'first-password');
  const [position] = await onMaster.query('SELECT @@gtid_binlog_pos AS pos');
  expect((position as Array<{ pos: string }>)[0].pos).toMatch(/^0-1-\d+/);
  await expect(onMaster.query('UPDATE shop.orders SET total = 0')).rejects.toThrow(/command denied/i);
  await expect(onMaster.query('CREATE DATABASE other')).rejects.toThrow(/access denied/i);
  await onMaster.end();
});

test('running again changes the password and keeps the grants', async () => {
  const master = await pair.master.connect();
  await ensureCheckerUser(master, 'backup_checker', 'second-password');
  await master.end();
  await pair.waitForReplica();
  await expect(connectAs(pair.replica.port, 'backup_checker', 'first-password')).rejects.toThrow(/access denied/i);
  const onReplica = await connectAs(pair.replica.port, 'backup_checker', 'second-password');
  const [grants] = await onReplica.query('SHOW GRANTS');
  expect(JSON.stringify(grants)).toContain('GRANT SELECT, PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.*');
  await onReplica.end();
});

test('user names that could inject SQL are refused', () => {
  expect(() => checkUserName("x'@'%'; DROP DATABASE shop; --")).toThrow('the checker user name must be 1 to 32 letters, digits or \'_\', got "x\'@\'%\'; DROP DATABASE shop; --"');
  expect(() => checkUserName('a'.repeat(33))).toThrow(`the checker user name must be 1 to 32 letters, digits or '_', got "${'a'.repeat(33)}"`);
  expect(checkUserName('backup_checker')).toBe('backup_checker');
});

describe('the custom resource handler', () => {
  let server: Server;
  let replies: Array<Record<string, unknown>>;
  let url: string;

  beforeAll(async () => {
    replies = [];
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        replies.push({ method: req.method, ...JSON.parse(body) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  type Handler = typeof import('../../../lambda/checker-user/index')['handler'];
  type Sm = typeof import('@aws-sdk/client-secrets-manager');

  function load(checkerSecret: object): Handler {
    const saved = { ...process.env };
    Object.assign(process.env, {
      ADMIN_SECRET_ARN: 'arn:admin', CHECKER_SECRET_ARN: 'arn:checker', DATABASE_HOST: '127.0.0.1', DATABASE_PORT: String(pair.master.port), DATABASE_TLS: 'off', AWS_REGION: 'eu-west-1',
    });
    try {
      let handler: Handler | undefined;
      jest.isolateModules(() => {
        /* eslint-disable @typescript-eslint/no-require-imports */
        const sm: Sm = require('@aws-sdk/client-secrets-manager');
        const smMock = mockClient(sm.SecretsManagerClient);
        smMock.on(sm.GetSecretValueCommand, { SecretId: 'arn:admin' }).resolves({ SecretString: JSON.stringify({ username: ADMIN_USER, password: ADMIN_PASSWORD, host: 'ignored' }) });
        smMock.on(sm.GetSecretValueCommand, { SecretId: 'arn:checker' }).resolves({ SecretString: JSON.stringify(checkerSecret) });
        handler = require('../../../lambda/checker-user/index').handler;
        /* eslint-enable @typescript-eslint/no-require-imports */
      });
      return handler!;
    } finally {
      process.env = saved;
    }
  }

  function event(requestType: 'Create' | 'Update' | 'Delete', physicalResourceId?: string): CloudFormationCustomResourceEvent {
    const common = {
      ServiceToken: 'arn:fn', ResponseURL: url, StackId: 'arn:stack', RequestId: `req-${replies.length}`, LogicalResourceId: 'ChecksCheckerUser1234', ResourceType: 'Custom::CheckerUser',
      ResourceProperties: { ServiceToken: 'arn:fn' },
    };
    if (requestType === 'Create') {
      return { ...common, RequestType: 'Create' };
    }
    if (requestType === 'Update') {
      return { ...common, RequestType: 'Update', PhysicalResourceId: physicalResourceId!, OldResourceProperties: { ServiceToken: 'arn:fn' } };
    }
    return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalResourceId! };
  }

  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test('Create makes the user and replies SUCCESS; Delete drops it', async () => {
    const handler = load({ username: 'cr_checker', password: 'cr-password' });
    await handler(event('Create'));
    expect(replies.at(-1)).toMatchObject({ method: 'PUT', Status: 'SUCCESS', PhysicalResourceId: 'checker-user:cr_checker', RequestId: 'req-0', Data: { Username: 'cr_checker' } });
    const connection = await connectAs(pair.master.port, 'cr_checker', 'cr-password');
    await connection.end();

    await handler(event('Delete', 'checker-user:cr_checker'));
    expect(replies.at(-1)).toMatchObject({ Status: 'SUCCESS', Reason: 'dropped user cr_checker' });
    await expect(connectAs(pair.master.port, 'cr_checker', 'cr-password')).rejects.toThrow(/access denied/i);
  });

  test('a bad checker secret replies FAILED with the reason, and its rollback deletes nothing', async () => {
    const handler = load({ username: 'bad name', password: 'x' });
    await handler(event('Create'));
    expect(replies.at(-1)).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'checker-user-failed:ChecksCheckerUser1234' });
    expect(String(replies.at(-1)!.Reason)).toContain('the checker user name must be 1 to 32 letters');
    await handler(event('Delete', 'checker-user-failed:ChecksCheckerUser1234'));
    expect(replies.at(-1)).toMatchObject({ Status: 'SUCCESS', Reason: 'no user was created by this resource' });
  });
});
