/**
 * What the report can say of EBS encryption that a template leaves to the account's EBS
 * settings in a region (encryption by default, and its default KMS key), which are not in
 * any template: the report names the setting instead of guessing its value.
 */

/** A volume, snapshot or snapshot copy encrypted without a key in the template. */
export function ebsDefaultKeyText(region: string): string {
  return `the account's default EBS key in ${region} (aws/ebs unless the account set another; not in the template)`;
}

/** A volume or snapshot copy the template does not encrypt: EBS encryption by default would. */
export function ebsNotEncryptedText(region: string): string {
  return `not encrypted unless EBS encryption by default is on for the account in ${region} (not in the template)`;
}
