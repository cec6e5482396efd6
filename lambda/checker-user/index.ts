/**
 * Custom resource: creates the consistency checker's read-only database user on the master
 * (replication carries it to the replica), with the password from the checker's secret.
 *
 * Environment: `ADMIN_SECRET_ARN` (the master user's secret: JSON with `username`,
 * `password`), `CHECKER_SECRET_ARN` (JSON with `username`, `password`), `DATABASE_HOST`,
 * `DATABASE_PORT`. TLS with the Amazon RDS certificate authorities unless `DATABASE_TLS=off`.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createConnection } from 'mysql2/promise';
import { sendReply } from './response';
import { checkUserName, dropCheckerUser, ensureCheckerUser } from './user';

const secrets = new SecretsManagerClient({});

/**
 * The environment, read at cold start. A missing variable fails the request (with a reply
 * to CloudFormation), not the cold start, which would leave the stack waiting an hour.
 */
const ENVIRONMENT = {
  ADMIN_SECRET_ARN: process.env.ADMIN_SECRET_ARN,
  CHECKER_SECRET_ARN: process.env.CHECKER_SECRET_ARN,
  DATABASE_HOST: process.env.DATABASE_HOST,
  DATABASE_PORT: process.env.DATABASE_PORT,
  DATABASE_TLS: process.env.DATABASE_TLS,
};

function required(name: keyof typeof ENVIRONMENT): string {
  const value = ENVIRONMENT[name];
  if (!value) {
    throw new Error(`checker-user: the environment variable ${name} is not set`);
  }
  return value;
}

interface Credentials {
  readonly username: string;
  readonly password: string;
}

async function readCredentials(secretArn: string): Promise<Credentials> {
  const response = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.SecretString ?? '');
  } catch {
    throw new Error(`secret ${secretArn} is not JSON`);
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string' || password.length === 0) {
    throw new Error(`secret ${secretArn} lacks a string username and password`);
  }
  return { username, password };
}

async function withAdminConnection<T>(work: (connection: Awaited<ReturnType<typeof createConnection>>) => Promise<T>): Promise<T> {
  const admin = await readCredentials(required('ADMIN_SECRET_ARN'));
  const host = required('DATABASE_HOST');
  const port = Number(required('DATABASE_PORT'));
  const connection = await createConnection({
    host, port, user: admin.username, password: admin.password, connectTimeout: 10_000,
    ssl: ENVIRONMENT.DATABASE_TLS === 'off' ? undefined : 'Amazon RDS',
  }).catch((error: unknown) => {
    throw new Error(`cannot connect to ${host}:${port} as ${admin.username}: ${error instanceof Error ? error.message : String(error)}`);
  });
  try {
    return await work(connection);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

/** Creates, updates or drops the user; returns what to tell CloudFormation. Never throws. */
export async function apply(event: CloudFormationCustomResourceEvent): Promise<{ status: 'SUCCESS' | 'FAILED'; physicalResourceId: string; reason: string; data?: Record<string, string> }> {
  const fallbackId = event.RequestType === 'Create' ? `checker-user-failed:${event.LogicalResourceId}` : event.PhysicalResourceId;
  try {
    if (event.RequestType === 'Delete') {
      const username = event.PhysicalResourceId.replace(/^checker-user:/, '');
      if (!/^[A-Za-z0-9_]{1,32}$/.test(username)) {
        return { status: 'SUCCESS', physicalResourceId: event.PhysicalResourceId, reason: 'no user was created by this resource' };
      }
      try {
        await withAdminConnection((connection) => dropCheckerUser(connection, username));
        return { status: 'SUCCESS', physicalResourceId: event.PhysicalResourceId, reason: `dropped user ${username}` };
      } catch (error) {
        // Deleting the stack must not hang on a database that is already gone; the reason
        // shows in the stack's events that the user may remain.
        const reason = `user ${username} was NOT dropped: ${error instanceof Error ? error.message : String(error)}`;
        console.error(JSON.stringify({ message: reason }));
        return { status: 'SUCCESS', physicalResourceId: event.PhysicalResourceId, reason };
      }
    }
    const checker = await readCredentials(required('CHECKER_SECRET_ARN'));
    const username = checkUserName(checker.username);
    const privileges = await withAdminConnection((connection) => ensureCheckerUser(connection, username, checker.password));
    return {
      status: 'SUCCESS',
      physicalResourceId: `checker-user:${username}`,
      reason: `user ${username} has ${privileges.join(', ')} on *.*`,
      data: { Username: username, Privileges: privileges.join(', ') },
    };
  } catch (error) {
    return { status: 'FAILED', physicalResourceId: fallbackId, reason: error instanceof Error ? error.message : String(error) };
  }
}

export const handler = async (event: CloudFormationCustomResourceEvent): Promise<void> => {
  const reply = await apply(event);
  console.log(JSON.stringify({ message: `${event.RequestType} ${reply.status}: ${reply.reason}`, logicalResourceId: event.LogicalResourceId }));
  await sendReply(event, reply);
};
