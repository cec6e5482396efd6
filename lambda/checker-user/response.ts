/** The reply of a Lambda-backed custom resource to CloudFormation: a PUT to the pre-signed URL. */
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

export interface CustomResourceReply {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  readonly reason: string;
  readonly data?: Record<string, string>;
}

/** Sends the reply; rejects when CloudFormation's URL does not answer 2xx. */
export async function sendReply(event: CloudFormationCustomResourceEvent, reply: CustomResourceReply): Promise<void> {
  const body = JSON.stringify({
    Status: reply.status,
    // CloudFormation shows at most 4 KiB of the response; keep the reason well below.
    Reason: reply.reason.slice(0, 2000),
    PhysicalResourceId: reply.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: reply.data ?? {},
  });
  const url = new URL(event.ResponseURL);
  const send = url.protocol === 'http:' ? httpRequest : request;
  await new Promise<void>((resolve, reject) => {
    const req = send(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) {
          resolve();
        } else {
          reject(new Error(`CloudFormation response URL answered HTTP ${res.statusCode}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('CloudFormation response URL did not answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}
