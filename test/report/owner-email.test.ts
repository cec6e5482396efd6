import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BackupMetadata, BackupNotifications, BackupRole } from '../../lib';
import { isEmailAddress } from '../../lib/private/email-address';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** Whether each place that takes the backup owner's address accepts the value. */
function acceptedBy(owner: string): { [where: string]: boolean } {
  const accepts = (create: (stack: Stack) => void): boolean => {
    try {
      create(new Stack(new App(), 'S', { env: ENV }));
      return true;
    } catch {
      return false;
    }
  };
  return {
    'BackupMetadata.describe': accepts((stack) => BackupMetadata.describe(new s3.Bucket(stack, 'B'), { role: BackupRole.PROTECTED_DATA, owner })),
    'BackupMetadata.describeStack': accepts((stack) => BackupMetadata.describeStack(stack, { owner })),
    'BackupNotifications': accepts((stack) => new BackupNotifications(stack, 'Owner', { ownerEmail: owner })),
  };
}

describe('the backup owner\'s email address is checked the same way everywhere', () => {
  test.each([
    'dba@example.com',
    'dba.team+backups@db.example.co.uk',
  ])('%s is accepted by each', (owner) => {
    expect(isEmailAddress(owner)).toBe(true);
    expect(acceptedBy(owner)).toEqual({ 'BackupMetadata.describe': true, 'BackupMetadata.describeStack': true, 'BackupNotifications': true });
  });

  test.each([
    'a@b',
    'dba@localhost',
    'dba@example.',
    'dba@.com',
    'dba@example..com',
    'dba team@example.com',
    'dba@@example.com',
    'dba@exa@mple.com',
    '@example.com',
    'dba',
    '',
  ])('%j is refused by each', (owner) => {
    expect(isEmailAddress(owner)).toBe(false);
    expect(acceptedBy(owner)).toEqual({ 'BackupMetadata.describe': false, 'BackupMetadata.describeStack': false, 'BackupNotifications': false });
  });
});
