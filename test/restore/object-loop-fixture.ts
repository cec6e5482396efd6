/**
 * What the object restore's loop-budget tests share: the restore time and target prefix of their
 * point-in-time runs, S3 holding one object to copy, and the history events a local run wrote.
 */
import {
  CopyObjectCommand, GetObjectTaggingCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, S3Client,
} from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { LocalExecution } from '../support/local-state-machine';

/** The point in time the tests restore to, and the target prefix the workflow derives from it for `app/`. */
export const T = '2026-11-20T12:00:00.000Z';
export const TARGET = 'restored/20261120T120000Z/app/';

/** How many times a run entered the state `name`. */
export const timesVisited = (run: LocalExecution, name: string): number => run.visited.filter((state) => state.name === name).length;

/**
 * The history events Step Functions writes for the states a run entered (all, or those named): a
 * Lambda task 5 (entered, scheduled, started, succeeded, exited), a Choice, Pass or Wait 2 (entered, exited).
 */
export function historyEventsOf(run: LocalExecution, states?: string[]): number {
  return run.visited.filter((state) => states === undefined || states.includes(state.name)).reduce((sum, state) => sum + (state.type === 'Task' ? 5 : 2), 0);
}

/** S3 (the test's mock) with one version under app/, an hour before T, not yet under the target prefix, and copies that succeed. */
export function arrangeOneObjectToCopy(s3: AwsClientStub<S3Client>): void {
  s3.reset();
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListObjectVersionsCommand, { Bucket: 'data', Prefix: 'app/' }).resolves({
    Versions: [{ Key: 'app/a.txt', VersionId: 'a1', LastModified: new Date(Date.parse(T) - 3600_000), Size: 100, IsLatest: true }], IsTruncated: false,
  });
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
  s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
  s3.on(GetObjectTaggingCommand, { Key: `${TARGET}a.txt` }).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} }));
  s3.on(CopyObjectCommand).resolves({});
}

