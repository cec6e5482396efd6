import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The folder of the package: `lib/private` in the repository and `dist/private` in the
 * published package both sit two levels below it.
 */
const PACKAGE_ROOT = join(__dirname, '..', '..');

/** The pre-bundled code of the function `lambda/<name>`, shipped in `assets/<name>`. */
export function functionCode(name: string): lambda.Code {
  const folder = join(PACKAGE_ROOT, 'assets', name);
  if (!existsSync(join(folder, 'index.js'))) {
    throw new Error(`cdk-backup-dr: the bundled code of function '${name}' is missing at ${folder}; run \`npm run build:functions\` in the cdk-backup-dr repository`);
  }
  return lambda.Code.fromAsset(folder);
}
