import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { describeAtDeploy, equalityAtDeploy } from './deploy-time-equality';

/**
 * Fails when the list `prop` names one `what` twice: a second entry doubles work or a grant,
 * or stands where another was meant. Entries are compared as written, as at deploy (a token
 * twice, or two tokens of the same template expression, are one value); `labels` name them in
 * the error (default: the entries themselves).
 */
export function refuseRepeatedEntries(scope: IConstruct, prop: string, entries: readonly string[], what: string, labels?: readonly string[]): void {
  const stack = Stack.of(scope);
  for (let later = 1; later < entries.length; later++) {
    for (let earlier = 0; earlier < later; earlier++) {
      if (equalityAtDeploy(stack, entries[earlier], entries[later]) === 'same') {
        const shown = labels ? labels[later] : `'${describeAtDeploy(stack, entries[later])}'`;
        throw new Error(`${scope.node.path}: \`${prop}\` may name each ${what} once, got ${shown} twice ([${earlier}] and [${later}])`);
      }
    }
  }
}
