/**
 * How far an AWS Backup `MoveToColdStorageAfterDays` reaches. AWS Backup moves to cold
 * storage only the resource types its "Feature availability by resource" table lists (EBS
 * among them) and ignores the setting for the others; the stored documentation does not
 * say which side RDS is on, so a report must not promise that database copies go cold:
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html
 */
export const AWS_BACKUP_COLD_STORAGE_SCOPE = 'where the resource type supports it (AWS Backup ignores it for others)';
