import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

/**
 * The compliance gates every synth of the reference app passes through: four cdk-nag packs
 * and the AWS Control Tower proactive controls (cfn-guard). aws-cdk-lib adds its own
 * CloudFormation validation to every app. A finding of severity error fails the synth.
 */
export function addComplianceGates(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
    new CfnGuardValidator({ controlTowerRulesEnabled: true, maxBuffer: 64 * 1024 * 1024 }),
  );
}
