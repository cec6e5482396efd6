import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { RecoveryStack } from './recovery-stack';

export interface PrimaryStackProps extends StackProps {
  /** The stack in the disaster-recovery region that receives the off-site copies. */
  readonly recovery: RecoveryStack;
}

/** The primary region of the reference app: the replicated MySQL pair and its backups. */
export class PrimaryStack extends Stack {
  constructor(scope: Construct, id: string, props: PrimaryStackProps) {
    super(scope, id, props);
  }
}
