/**
 * The reference app, built the way `bin/app.ts` builds it and with the feature flags of
 * cdk.json, passes every compliance gate with zero unacknowledged findings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReferenceApp } from '../bin/reference-app';
import { appWithComplianceGates, complianceFindings, describeFindings } from './support/compliance';

/** The context `cdk synth` passes to the app: the feature flags of cdk.json. */
function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')).context;
}

describe('reference app', () => {
  test('cdk.json sets every feature flag that aws-cdk-lib recommends', () => {
    const recommended = JSON.parse(readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8'));
    expect(cdkJsonContext()).toMatchObject(recommended);
  });

  test('synthesizes both stacks with zero unacknowledged compliance findings', () => {
    const app = appWithComplianceGates({ context: cdkJsonContext() });
    const { primary, recovery } = buildReferenceApp(app);
    expect(primary.region).not.toEqual(recovery.region);
    expect(describeFindings(complianceFindings(app))).toEqual('');
  });
});
