/**
 * The library as its users consume it: build it (bundled functions and jsii), pack it,
 * install the tarball into a fresh CDK app outside the repository and synthesize that app
 * with plain `node` (no esbuild, ts-node or any dev dependency of this repository).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(15 * 60 * 1000);

const ROOT = join(__dirname, '..');
const repoPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const installedVersion = (name: string): string => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}

const CONSUMER_APP = `
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createRequire } from 'node:module';
import { ReplicatedMySql } from 'cdk-backup-dr';

const require = createRequire(import.meta.url);
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'us-east-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
const database = new ReplicatedMySql(stack, 'Database', { vpc });
// The pre-bundled function code ships in the package and is found from dist/.
const { functionCode } = require('cdk-backup-dr/dist/private/function-code.js');
new lambda.Function(stack, 'FreshnessCheck', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: functionCode('backup-freshness') });
console.log(JSON.stringify({ replicaZone: database.replicaAvailabilityZone }));
app.synth();
`;

describe('packaging', () => {
  let workDir: string;
  let consumer: string;
  let packedFiles: string[];

  beforeAll(() => {
    run('npm', ['run', '--silent', 'build'], ROOT);
    workDir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-pack-'));
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', workDir], ROOT));
    packedFiles = packed[0].files.map((f: { path: string }) => f.path);
    const tarball = join(workDir, packed[0].filename);
    consumer = join(workDir, 'consumer');
    run('mkdir', ['-p', consumer], workDir);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true, type: 'module' }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball,
      `aws-cdk-lib@${installedVersion('aws-cdk-lib')}`, `constructs@${installedVersion('constructs')}`], consumer);
    writeFileSync(join(consumer, 'app.mjs'), CONSUMER_APP);
  });

  afterAll(() => {
    if (workDir) {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  test('the tarball holds the compiled library, its jsii assembly and the bundled code, not the sources', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/database/replicated-mysql.js', 'dist/private/function-code.js', '.jsii', 'README.md', 'package.json', 'assets/backup-freshness/index.js']));
    // The function that exists only for the tests stays out of the package.
    expect(packedFiles.filter((f) => f.startsWith('assets/self-test/'))).toEqual([]);
    expect(packedFiles.filter((f) => /^(lib|test|bin|lambda|core|cli|scripts)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    expect(repoPackage.bin).toBeDefined();
    for (const target of Object.values(repoPackage.bin as Record<string, string>)) {
      expect(packedFiles).toContain(target);
    }
  });

  test('the jsii assembly describes the public API', () => {
    const assembly = JSON.parse(readFileSync(join(consumer, 'node_modules', 'cdk-backup-dr', '.jsii'), 'utf8'));
    expect(assembly.name).toBe('cdk-backup-dr');
    expect(Object.keys(assembly.types)).toEqual(expect.arrayContaining(['cdk-backup-dr.ReplicatedMySql', 'cdk-backup-dr.ReplicatedMySqlProps', 'cdk-backup-dr.ReplicatedMySqlEngine']));
  });

  test('the consumer app installs no build tool or dev dependency of this repository', () => {
    const installed = readdirSync(join(consumer, 'node_modules'));
    for (const tool of ['esbuild', 'ts-node', 'tsx', 'typescript', 'jsii', 'jest', 'cdk-nag']) {
      expect(installed).not.toContain(tool);
    }
  });

  test('a fresh CDK app imports ReplicatedMySql from the tarball and synthesizes with plain node', () => {
    const output = run(process.execPath, ['app.mjs'], consumer);
    expect(JSON.parse(output.trim().split('\n').pop()!)).toEqual({ replicaZone: 'us-east-1c' });
    const template = JSON.parse(readFileSync(join(consumer, 'cdk.out', 'Consumer.template.json'), 'utf8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::RDS::DBInstance')).toHaveLength(2);
    expect(types).toContain('AWS::Lambda::Function');
    const assetFolders = readdirSync(join(consumer, 'cdk.out')).filter((f) => f.startsWith('asset.'));
    expect(assetFolders.some((folder) => existsSync(join(consumer, 'cdk.out', folder, 'index.js')))).toBe(true);
  });
});
