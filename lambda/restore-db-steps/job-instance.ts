/**
 * Whether an untagged instance at the target is the one this execution's ended AWS Backup
 * restore job created, for the cleanup to adopt and delete it. The ARN the job names is made
 * from the identifier alone: another restore into the same identifier (another execution's job,
 * once this job's instance was deleted) makes an instance with the same ARN. So the job must have
 * completed (a failed job may name the ARN of an instance it could not create, because another
 * was there), and RDS must say the instance was created while the job ran (give or take the
 * clock skew between RDS and AWS Backup: another restore at the identifier needs this job's
 * instance deleted first, which takes RDS minutes, not one).
 */
import type { DescribeRestoreJobCommandOutput } from '@aws-sdk/client-backup';
import type { DBInstance } from '@aws-sdk/client-rds';
import { CLOCK_SKEW_MS } from '../../core/restore-workflows/common';
import { EXECUTION_TAG, TAG_CREATED_BY_EXECUTION, WORKFLOW_ID_TAG } from './types';

/** `ours`, or why the instance cannot be shown to be the job's. */
export type JobInstance = { readonly ours: true } | { readonly ours: false; readonly why: string };

/** Tags by which a restore names its instance: an instance carrying any is another restore's, not an untagged one. */
const RESTORE_TAGS = [EXECUTION_TAG, WORKFLOW_ID_TAG, TAG_CREATED_BY_EXECUTION];

/** The instance against the job's report: the ARN it names, its status, its run and the instance's tags. */
export function restoreJobInstance(instance: DBInstance, job: DescribeRestoreJobCommandOutput, jobId: string): JobInstance {
  const named = `AWS Backup restore job ${jobId}`;
  if (!job.CreatedResourceArn || job.CreatedResourceArn !== instance.DBInstanceArn) {
    return { ours: false, why: `${named} names ${job.CreatedResourceArn ?? 'no instance'} as the one it created` };
  }
  if (job.Status !== 'COMPLETED') {
    return { ours: false, why: `${named} ended ${job.Status ?? 'in an unknown state'}: it may not have created the instance at that ARN` };
  }
  const tags = (instance.TagList ?? []).filter((tag) => tag.Key !== undefined && RESTORE_TAGS.includes(tag.Key));
  if (tags.length > 0) {
    return { ours: false, why: `it carries another restore's tags (${tags.map((tag) => `${tag.Key}=${tag.Value ?? ''}`).join(', ')})` };
  }
  const created = instance.InstanceCreateTime ? new Date(instance.InstanceCreateTime) : undefined;
  if (!created) {
    return { ours: false, why: `RDS gives no creation time for it, so it cannot be told from an instance another restore made at the same identifier after ${named} ended` };
  }
  const started = job.CreationDate ? new Date(job.CreationDate) : undefined;
  const ended = job.CompletionDate ? new Date(job.CompletionDate) : undefined;
  if (!started || !ended) {
    return { ours: false, why: `${named} gives no ${!started ? 'creation' : 'completion'} time, so its instance cannot be told from another restore's at the same identifier` };
  }
  if (created.getTime() < started.getTime() - CLOCK_SKEW_MS || created.getTime() > ended.getTime() + CLOCK_SKEW_MS) {
    return { ours: false, why: `it was created ${created.toISOString()}, outside the run of ${named} (${started.toISOString()} to ${ended.toISOString()}): another restore made it at the same identifier` };
  }
  return { ours: true };
}
