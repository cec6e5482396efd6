import * as common from '../../core/restore-workflows/common';
import * as dbSteps from '../../lambda/restore-db-steps/types';
import * as shell from '../../lib/restore/workflow-shell';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DatabaseRestore } from '../../lib/restore/database-restore';
import { DumpRestoreWorkflow } from '../../lib/restore/dump-restore-workflow';
import { ObjectRestoreWorkflow } from '../../lib/restore/object-restore-workflow';
import { VolumeRestoreWorkflow } from '../../lib/restore/volume-restore-workflow';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';
import { restoreTestStack } from './workflow-fixture';

test('the dump, volume and object restore workflows pass every compliance gate', () => {
  const app = appWithComplianceGates();
  const { stack, vpc, key, dumpBucket, archiveBucket } = restoreTestStack(app);
  const functionSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  new DumpRestoreWorkflow(stack, 'DumpRestore', { vpc, encryptionKey: key, dumpBucket, archiveBucket, functionSubnets });
  new VolumeRestoreWorkflow(stack, 'VolumeRestore', { vpc, encryptionKey: key, functionSubnets });
  new ObjectRestoreWorkflow(stack, 'ObjectRestore', { vpc, encryptionKey: key, functionSubnets, buckets: [dumpBucket, archiveBucket], targetBuckets: [dumpBucket] });
  const findings = complianceFindings(app);
  expect(describeFindings(findings.filter((f) => /^Stack\/(DumpRestore|VolumeRestore|ObjectRestore)/.test(f.path)))).toEqual('');
});

test('the names the constructs and the functions share agree (jsii compiles lib/ alone, so lib repeats them)', () => {
  expect(shell.WORKFLOW_TAG).toBe(common.WORKFLOW_TAG);
  expect(shell.EXECUTION_TAG).toBe(common.EXECUTION_TAG);
  expect(shell.THROTTLING_ERRORS).toEqual(common.THROTTLING_ERRORS);
  expect(shell.WORKFLOW_ID_TAG).toBe(common.WORKFLOW_ID_TAG);
});

test('the database restore tags what it creates with the same keys as the other workflows, in the construct and in its steps', () => {
  expect(DatabaseRestore.TAG_RESTORE_EXECUTION).toBe('cdk-backup-dr:restore-execution');
  expect(DatabaseRestore.TAG_WORKFLOW_ID).toBe('cdk-backup-dr:workflow-id');
  expect(DatabaseRestore.TAG_RESTORE_EXECUTION).toBe(common.EXECUTION_TAG);
  expect(DatabaseRestore.TAG_WORKFLOW_ID).toBe(common.WORKFLOW_ID_TAG);
  expect(dbSteps.EXECUTION_TAG).toBe(common.EXECUTION_TAG);
  expect(dbSteps.WORKFLOW_ID_TAG).toBe(common.WORKFLOW_ID_TAG);
  expect(DatabaseRestore.TAG_RESTORED_FROM).toBe(dbSteps.TAG_SOURCE);
  expect(DatabaseRestore.TAG_DRILL).toBe(dbSteps.TAG_DRILL);
  expect(DatabaseRestore.TAG_CREATED_BY_EXECUTION).toBe(dbSteps.TAG_CREATED_BY_EXECUTION);
});
