/**
 * Synth-time checks of the ReplicatedMySql settings that RDS and Secrets Manager would
 * otherwise reject at deploy, or take silently with another meaning than the one asked for
 * (a rotation interval of 0 turns rotation off).
 */
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { warnUncheckedToken } from '../private/unchecked-token';

type Fail = (message: string) => never;

/** The user RDS keeps for itself on every MySQL and MariaDB instance. */
const RDS_ADMIN_USER = 'rdsadmin';

export function validatePort(scope: IConstruct, port: number, fail: Fail): void {
  if (Token.isUnresolved(port)) {
    warnUncheckedToken(scope, 'port', 'that it is a whole number from 1150 to 65535', 'RDS rejects another port at deploy');
  } else if (!Number.isInteger(port) || port < 1150 || port > 65535) {
    fail(`\`port\` must be a whole number from 1150 to 65535 (the ports RDS accepts), got ${port}`);
  }
}

export function validateMasterUsername(scope: IConstruct, username: string, fail: Fail): void {
  if (Token.isUnresolved(username)) {
    warnUncheckedToken(scope, 'masterUsername', 'that it is 1 to 16 letters, digits or \'_\' starting with a letter',
      'RDS rejects another user name at deploy, after the secret was created');
  } else if (!/^[A-Za-z][A-Za-z0-9_]{0,15}$/.test(username)) {
    fail(`\`masterUsername\` must be 1 to 16 letters, digits or '_' starting with a letter, got '${username}'`);
  } else if (username.toLowerCase() === RDS_ADMIN_USER) {
    fail(`\`masterUsername\` must not be '${RDS_ADMIN_USER}' (the user RDS keeps for itself), got '${username}'`);
  }
}

export function validateCredentialsRotation(rotation: Duration, fail: Fail): void {
  if (rotation.isUnresolved()) {
    fail('`credentialsRotation` must be a concrete duration (the rate expression of the rotation schedule is computed from it at synth), got an unresolved token');
  }
  const millis = rotation.toMilliseconds();
  // Zero would turn rotation off (the RotationSchedule of aws-cdk-lib reads 0 as "never").
  if (millis % Duration.hours(1).toMilliseconds() !== 0 || millis < Duration.hours(4).toMilliseconds() || millis > Duration.days(1000).toMilliseconds()) {
    fail(`\`credentialsRotation\` must be a whole number of hours from 4 hours to 1000 days (the rotation intervals Secrets Manager accepts; the credentials are always rotated), got ${rotation.toHumanString()}`);
  }
}
