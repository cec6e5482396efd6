import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { SynthWarnings } from '../synth-warnings';

/** The id of the warning a synth-time check gives when a token kept it from running. */
export const UNCHECKED_TOKEN_WARNING = SynthWarnings.UNCHECKED_TOKEN;

/**
 * Warns that the synth-time check `check` of `prop` did not run because the value is an
 * unresolved token (a check that could not run is unknown, not passed), and says what AWS
 * then decides at deploy (`atDeploy`). `token` names the token when it is not `prop`'s
 * value (the stack's account, say).
 */
export function warnUncheckedToken(scope: IConstruct, prop: string, check: string, atDeploy: string, token?: string): void {
  const subject = token === undefined ? `\`${prop}\` is an unresolved token` : `${token} is an unresolved token`;
  Annotations.of(scope).addWarningV2(UNCHECKED_TOKEN_WARNING,
    `${scope.node.path}: ${subject}, so the synth-time check ${check} did not run (unknown, not passed); ${atDeploy}`);
}
