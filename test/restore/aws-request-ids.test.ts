/**
 * An AWS call that fails in a restore workflow is reported with its request ids and HTTP status
 * (the SDK error's `$metadata`), which an AWS support case about it needs (EC2 mocked).
 */
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { rethrowFor } from '../../core/restore-workflows/common';
import { planVolumeRestore } from '../../core/restore-workflows/volume';

const ec2mock = mockClient(EC2Client);
const settings = { allowedZones: [], kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k', workflowId: 'w1', readyWithinMinutes: 30 };

function sdkError(name: string, message: string, $metadata: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { name, $metadata });
}

beforeEach(() => ec2mock.reset());

test('a failed call of the workflow names its request id and HTTP status in the message, keeps its name, and the SDK error as the cause', async () => {
  const denied = sdkError('UnauthorizedOperation', 'You are not authorized to perform this operation.', { requestId: 'c0ffee-req-1', httpStatusCode: 403, attempts: 1 });
  ec2mock.on(DescribeSnapshotsCommand).rejects(denied);
  const failure = await planVolumeRestore(new EC2Client({ region: 'eu-west-1' }), settings, { snapshotId: 'snap-0123456789abcdef0' }).catch((error: unknown) => error);
  expect(failure).toMatchObject({
    name: 'UnauthorizedOperation',
    message: 'snapshot snap-0123456789abcdef0: You are not authorized to perform this operation. (AWS request id c0ffee-req-1, HTTP 403)',
  });
  expect((failure as Error).cause).toBe(denied);
});

test("S3's extended request id is named with the request id", () => {
  const error = sdkError('AccessDenied', 'Access Denied', { requestId: 'R1', extendedRequestId: 'X2/abc=', httpStatusCode: 403 });
  expect(() => rethrowFor('s3://data/app/', error)).toThrow('s3://data/app/: Access Denied (AWS request id R1, extended request id X2/abc=, HTTP 403)');
});

test('an error with no request metadata keeps its message as it was', () => {
  expect(() => rethrowFor('s3://data/app/', new Error('socket hang up'))).toThrow(/^s3:\/\/data\/app\/: socket hang up$/);
});
