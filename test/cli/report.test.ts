/**
 * `cdk-backup-dr report` end to end: the bundled command-line tool (assets/cli/index.js) run
 * as a separate process on the reference app's cdk.out, and its argument handling.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildReferenceApp } from '../../bin/reference-app';
import { main } from '../../cli/index';
import { run } from '../../cli/commands/report';
import { ProtectedResource, ReportModel } from '../../core/report/model';
import { escapeXml } from '../../core/report/timeline';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'assets', 'cli', 'index.js');

describe('report on the reference app', () => {
  let assemblyDir: string;
  let outDir: string;
  let model: ReportModel;
  let stdout: string;

  beforeAll(() => {
    // The reference app's functions and the CLI are pre-bundled, as `npm test` does.
    execFileSync('node', [join(ROOT, 'scripts', 'bundle-functions.mjs')], { cwd: ROOT });
    const context = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
    const app = new App({ context, outdir: mkdtempSync(join(tmpdir(), 'cdk-backup-dr-reference-')) });
    buildReferenceApp(app);
    app.synth();
    assemblyDir = app.outdir;
    outDir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-reference-report-'));
    const result = spawnSync('node', [CLI, 'report', assemblyDir, '--out', outDir], { encoding: 'utf8' });
    expect(result.stderr).toEqual('');
    expect(result.status).toBe(0);
    stdout = result.stdout;
    model = JSON.parse(readFileSync(join(outDir, 'backup-report.json'), 'utf8'));
  });

  afterAll(() => {
    rmSync(assemblyDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  });

  test('summarizes what it wrote', () => {
    // Before: the off-site counts were only on the HTML's cards.
    const { summary } = model;
    expect(summary.withOffSiteCopy).toBeGreaterThan(0);
    expect(stdout).toMatch(new RegExp(`^cdk-backup-dr report: ${summary.protectedResources} protected resources \\(0 without a tier or exemption, 0 not known at synth, `
      + `${summary.withOffSiteCopy} with an off-site copy, 0 with off-site copy not known\\), ${summary.acknowledgedFindings} acknowledged findings; wrote .*backup-report.md`));
  });

  test('every protected resource of the reference app has a tier, and the master has an off-site copy', () => {
    expect(model.resources.length).toBeGreaterThan(0);
    expect(model.resources.filter((r) => r.tiers.length === 0 && r.exemptReason === undefined).map((r) => r.path)).toEqual([]);
    const master = model.resources.find((r) => r.type === 'AWS::RDS::DBInstance' && r.tiers.some((t) => t.mechanism === 'RDS automated backups'));
    expect(master).toBeDefined();
    const offSite = master!.tiers.flatMap((t) => t.copies).filter((c) => c.region !== master!.region);
    expect(offSite.length).toBeGreaterThan(0);
    expect(master!.locks).toContain('deletion protection');
  });

  test('records the owner, the objectives, the notifications and the acknowledged findings', () => {
    expect(model.owners).toContain('backup-owner@example.com');
    expect(model.objectives).toEqual(expect.arrayContaining([expect.objectContaining({ rpoMinutes: 60, rtoMinutes: 240 })]));
    // The master's transaction logs, the volume's hourly snapshots: every protected resource meets the 1-hour RPO.
    expect(model.objectives.find((o) => o.stack === 'BackupDrPrimary')!.rpoNotMetBy).toEqual([]);
    expect(model.notifications.flatMap((n) => n.subscribers)).toContain('email: backup-owner@example.com');
    // Replication that breaks reaches the owner through the replica's RDS error events, as failed backup jobs do.
    expect(model.notifications.flatMap((n) => n.sources)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^event rule BackupDrPrimary\/.+\/FailedBackupJobs(\/Resource)?: /),
      expect.stringMatching(/^event rule BackupDrPrimary\/.+\/Database\/ReplicationErrors(\/Resource)?: BackupDrPrimary\/.+\/Database: RDS reports that replication to the replica broke: RDS-EVENT-0045 /),
    ]));
    expect(model.acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of model.acknowledgements) {
      expect(acknowledgement.reason.length).toBeGreaterThan(10);
    }
  });

  test('lists the consistency checks, the restore drill and the dump job of the database, with their schedules', () => {
    expect(model.activities.map((a) => a.kind)).toEqual(expect.arrayContaining(['backup job', 'consistency check', 'restore drill']));
    const master = model.resources.find((r) => r.type === 'AWS::RDS::DBInstance' && r.tiers.some((t) => t.mechanism === 'RDS automated backups'))!;
    expect(master.checks.length).toBeGreaterThan(0);
    expect(master.drills.length).toBeGreaterThan(0);
    expect(master.backupJobs.length).toBeGreaterThan(0);
    for (const activity of [...master.checks, ...master.drills, ...master.backupJobs]) {
      expect(activity.schedule).not.toMatch(/^on demand/);
    }
    // What each one does is in the table an auditor reads.
    const markdown = readFileSync(join(outDir, 'backup-report.md'), 'utf8');
    expect(markdown).toContain('| Kind | Construct | What it does | Schedule | Targets |');
    expect(markdown).toMatch(/\| consistency check \| [^|]+ \| Compares the replica with the master row by row \| /);
    expect(readFileSync(join(outDir, 'backup-report.html'), 'utf8')).toContain('<td>Dumps the replica every day</td>');
  });

  // Before: the S3 replica key, named by the ARN of the recovery stack's alias, was a key 'not in this assembly', its rotation and deletion 'not known'.
  test('says nothing is "not known" that the assembly holds: every key is one of its keys, every copy is known on or off site', () => {
    expect(model.keys.filter((k) => k.logicalId === undefined).map((k) => k.key)).toEqual([]);
    expect(readFileSync(join(outDir, 'backup-report.md'), 'utf8')).not.toContain('not in this assembly');
    expect(readFileSync(join(outDir, 'backup-report.html'), 'utf8')).toContain('Off-site copy not known<b id="count-offsite-not-known" class="">0</b>');
  });

  test('the timeline has a lane per tier: each tier of each resource is on one tier lane, and the HTML draws every lane', () => {
    const tierLanes = model.timeline.filter((lane) => lane.kind === 'tier');
    // A tier lane's label is the tier's name, then its mechanism in parentheses.
    const lanesOf = (resource: ProtectedResource) => {
      const covering = tierLanes.filter((lane) => lane.resources!.includes(resource.path));
      return { lanes: covering.length, tiersWithoutLane: resource.tiers.map((t) => t.tier).filter((tier) => !covering.some((lane) => lane.label.startsWith(`${tier} (`))) };
    };
    const withTiers = model.resources.filter((r) => r.tiers.length > 0);
    expect(withTiers.length).toBeGreaterThan(1);
    expect(Object.fromEntries(withTiers.map((r) => [r.path, lanesOf(r)]))).toEqual(Object.fromEntries(withTiers.map((r) => [r.path, { lanes: r.tiers.length, tiersWithoutLane: [] }])));
    const html = readFileSync(join(outDir, 'backup-report.html'), 'utf8');
    expect(html).toContain('id="backup-timeline"');
    expect(model.timeline.filter((lane) => !html.includes(`<title>${escapeXml(lane.label)}</title>`)).map((lane) => lane.label)).toEqual([]);
  });
});

describe('command-line arguments', () => {
  let errors: string[];
  let logs: string[];
  beforeEach(() => {
    errors = [];
    logs = [];
    jest.spyOn(console, 'error').mockImplementation((message: string) => { errors.push(message); });
    jest.spyOn(console, 'log').mockImplementation((message: string) => { logs.push(message); });
  });
  afterEach(() => jest.restoreAllMocks());

  test('is registered as a command of the tool', async () => {
    expect(await main(['report', '--help'])).toBe(0);
    expect(logs.join('\n')).toContain('Usage: cdk-backup-dr report [cdk.out] [--out <dir>]');
    expect(logs.join('\n')).toContain('Exit codes: 0 written, 1 the folder is missing, unreadable or not from an app that uses\ncdk-backup-dr, 2 bad usage.');
    expect(await main(['--help'])).toBe(0);
    expect(logs.join('\n')).toMatch(/report\s+write the backup report/);
  });

  test('its help names every option it takes, -o among them', async () => {
    expect(await run(['--help'])).toBe(0);
    expect(logs.join('\n')).toContain('\nOptions:\n  -o, --out <dir>  the folder to write the three files to (created when missing);\n                   also --out=<dir>\n  -h, --help       this text\n');
  });

  test('takes the forms its help and the other commands take: --out <dir>, --out=<dir>, -o <dir>', async () => {
    const missing = join(tmpdir(), 'cdk-backup-dr-no-such-cdk-out');
    for (const form of [['--out', 'x'], ['--out=x'], ['-o', 'x']]) {
      // The options are read; the missing assembly is the error (exit 1), not the usage.
      expect(await run([missing, ...form])).toBe(1);
    }
    expect(errors).toHaveLength(3);
    expect(errors.every((message) => message.includes('does not exist'))).toBe(true);
  });

  test('refuses -o with its folder attached, saying which forms work, instead of calling -o unknown', async () => {
    expect(await run(['a', '-o=x'])).toBe(2);
    expect(await run(['a', '-ox'])).toBe(2);
    expect(errors).toEqual([
      "cdk-backup-dr report: -o takes the folder as the next argument (-o <dir>), or use --out=<dir>; got '-o=x'",
      "cdk-backup-dr report: -o takes the folder as the next argument (-o <dir>), or use --out=<dir>; got '-ox'",
    ]);
  });

  test('refuses --out given twice, in either spelling, instead of taking the last', async () => {
    expect(await run(['a', '-o', 'x', '--out=y'])).toBe(2);
    expect(await run(['a', '--out', 'x', '-o', 'x'])).toBe(2);
    expect(errors).toEqual(['cdk-backup-dr report: --out is given more than once; it takes one value', 'cdk-backup-dr report: --out is given more than once; it takes one value']);
  });

  test('rejects an unknown option, a second folder and --out without a folder', async () => {
    expect(await run(['--verbose'])).toBe(2);
    expect(errors[0]).toMatch(/^cdk-backup-dr report: unknown option '--verbose'/);
    expect(await run(['a', 'b'])).toBe(2);
    expect(errors[1]).toEqual("cdk-backup-dr report: one cdk.out folder only, got 'a' and 'b'");
    expect(await run(['a', '--out'])).toBe(2);
    expect(errors[2]).toEqual('cdk-backup-dr report: --out needs a folder');
    expect(await run(['a', '--out', '--verbose'])).toBe(2);
    expect(await run(['a', '--out='])).toBe(2);
    expect(errors.slice(3)).toEqual(['cdk-backup-dr report: --out needs a folder', 'cdk-backup-dr report: --out needs a folder']);
  });

  test('defaults to ./cdk.out and reports a missing one in one line', async () => {
    const cwd = process.cwd();
    const empty = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-cwd-'));
    process.chdir(empty);
    try {
      expect(await run([])).toBe(1);
    } finally {
      process.chdir(cwd);
      rmSync(empty, { recursive: true, force: true });
    }
    expect(errors).toEqual([expect.stringMatching(/^cdk-backup-dr report: \S+\/cdk\.out does not exist: run `cdk synth` first/)]);
  });
});
