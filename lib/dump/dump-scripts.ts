import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shell scripts of the dump task's containers (internal). */
export type DumpScriptName = 'dump-database.sh' | 'upload-dump.sh';

/**
 * The text of a dump script. In the repository the scripts live in `lib/dump/scripts/`;
 * the published package carries them in `assets/dump-scripts/` (copied there by
 * `npm run build:functions`), because the jsii build ships only compiled JavaScript.
 */
export function dumpScript(name: DumpScriptName): string {
  const candidates = [
    join(__dirname, 'scripts', name),
    join(__dirname, '..', '..', 'assets', 'dump-scripts', name),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(`cdk-backup-dr: the dump script '${name}' is missing (looked in ${candidates.join(', ')}); run \`npm run build:functions\` in the cdk-backup-dr repository`);
  }
  return readFileSync(found, 'utf8');
}
