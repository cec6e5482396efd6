import { App } from 'aws-cdk-lib';

/** Where the reference app deploys: from context (`-c key=value`), then the environment, then these defaults. */
export interface ReferenceSettings {
  readonly account: string;
  readonly primaryRegion: string;
  readonly recoveryRegion: string;
}

/** A placeholder account so that synth works offline with no credentials. */
export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_PRIMARY_REGION = 'eu-west-1';
export const DEFAULT_RECOVERY_REGION = 'eu-central-1';

export function referenceSettings(app: App): ReferenceSettings {
  const context = (key: string): string | undefined => app.node.tryGetContext(key);
  const settings = {
    account: context('account') ?? process.env.CDK_DEFAULT_ACCOUNT ?? DEFAULT_ACCOUNT,
    primaryRegion: context('primaryRegion') ?? process.env.CDK_DEFAULT_REGION ?? DEFAULT_PRIMARY_REGION,
    recoveryRegion: context('recoveryRegion') ?? DEFAULT_RECOVERY_REGION,
  };
  if (settings.primaryRegion === settings.recoveryRegion) {
    throw new Error(`reference app: context 'recoveryRegion' must differ from the primary region, got ${settings.recoveryRegion} for both`);
  }
  return settings;
}
