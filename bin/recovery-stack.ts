import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The disaster-recovery region of the reference app: it receives the off-site copies. */
export class RecoveryStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
  }
}
