import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { run } from '../../../cli/commands/report';
import { ReportInputError, loadAssembly } from '../../../core/report/assembly';
import { ProtectedResource, ReportModel, buildReport } from '../../../core/report/model';
import { maxGapMinutes, rpoShortfall } from '../../../core/report/objectives';
import { NOT_ONE_DAY_FIELD_NOTE, NOT_UNDERSTOOD_NOTE, s3ExpiryRetention, weeklyRuns, zonedWeeklyRuns } from '../../../core/report/schedule';
import { LAST_IN_LIST_CRONS } from '../../support/last-in-list-crons';
import { NTH_WEEKDAY_NOT_ALONE_CRONS } from '../../support/nth-weekday-list-crons';
import { OUT_OF_RANGE_CRONS } from '../../support/out-of-range-crons';
import { ACCOUNT, OWNER, synthSmallApp } from './small-app';

let assemblyDir: string;
let outDir: string;
let model: ReportModel;

function row(pathPrefix: string): ProtectedResource {
  const found = model.resources.find((r) => r.path.startsWith(pathPrefix));
  if (!found) {
    throw new Error(`no row for ${pathPrefix}; rows: ${model.resources.map((r) => r.path).join(', ')}`);
  }
  return found;
}

beforeAll(async () => {
  assemblyDir = synthSmallApp();
  outDir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-report-'));
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const code = await run([assemblyDir, '--out', outDir]);
  log.mockRestore();
  expect(code).toBe(0);
  model = JSON.parse(readFileSync(join(outDir, 'backup-report.json'), 'utf8'));
});

afterAll(() => {
  rmSync(assemblyDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

describe('report of a small app that uses only some constructs', () => {
  test('records the owner, the recovery objectives and each stack', () => {
    expect(model.owners).toEqual([OWNER]);
    // The stack claims an RPO of 1 hour; the table is backed up daily, the volume every 6 hours.
    expect(model.objectives).toEqual([{
      stack: 'SmallPrimary',
      rpoMinutes: 60,
      rtoMinutes: 240,
      rpoNotMetBy: [
        { path: 'SmallPrimary/Orders/Resource', maxGapMinutes: 1440, reason: 'its most frequent backups are up to 1 day apart' },
        { path: 'SmallPrimary/Volume/Resource', maxGapMinutes: 360, reason: 'its most frequent backups are up to 6 hours apart' },
      ],
    }]);
    const markdown = readFileSync(join(outDir, 'backup-report.md'), 'utf8');
    expect(markdown).toContain('  - **RPO not met** by SmallPrimary/Orders/Resource: its most frequent backups are up to 1 day apart');
    expect(readFileSync(join(outDir, 'backup-report.html'), 'utf8')).toContain('<li class="alert">RPO not met by SmallPrimary/Volume/Resource: its most frequent backups are up to 6 hours apart</li>');
    expect(model.stacks).toEqual(expect.arrayContaining([
      { id: 'SmallPrimary', account: ACCOUNT, region: 'eu-west-1', description: 'small app: a table, a volume and SQL dumps' },
      expect.objectContaining({ id: 'SmallRecovery', region: 'eu-central-1' }),
    ]));
  });

  test('gives one row per protected resource, including the exempted one', () => {
    expect(model.resources.map((r) => r.path).sort()).toEqual([
      'SmallPrimary/Archive/Resource',
      'SmallPrimary/Dumps/Resource',
      'SmallPrimary/Orders/Resource',
      'SmallPrimary/Scratch/Resource',
      'SmallPrimary/Volume/Resource',
      'SmallRecovery/DumpReplicas/Resource',
    ]);
    const scratch = row('SmallPrimary/Scratch');
    expect(scratch.tiers).toEqual([]);
    expect(scratch.exemptReason).toEqual('Temporary files rebuilt from the table on every deploy');
  });

  test('an S3 expiry of 2 days is reported as its effective window, 48 to 72 hours', () => {
    const dumps = row('SmallPrimary/Dumps');
    expect(dumps.type).toEqual('AWS::S3::Bucket');
    expect(dumps.logicalId).toMatch(/^Dumps/);
    expect(dumps.tiers).toHaveLength(2);
    const [tier, earlierVersions] = dumps.tiers;
    expect(tier.tier).toEqual('dump');
    // Earlier versions are a tier of their own: their expiry is not the current objects'.
    expect(earlierVersions).toMatchObject({ tier: 'dump (earlier versions)', mechanism: 'S3 lifecycle rule KeepOldVersions (noncurrent versions)', minHours: 30 * 24 });
    expect(tier.retention).toMatch(/^48 to 72 hours/);
    expect([tier.minHours, tier.maxHours]).toEqual([48, 72]);
    // The schedule of the tier is the schedule of the job that writes it.
    expect(tier.schedule).toMatch(/^daily at 01:15 UTC/);
    expect(tier.copies).toEqual([expect.objectContaining({ destination: 'bucket SmallRecovery/DumpReplicas/Resource (copy of the whole bucket)', region: 'eu-central-1', account: ACCOUNT })]);
    expect(tier.copies[0].retention).toMatch(/^30 to 31 days/);
    expect(dumps.locks).toEqual(expect.arrayContaining(['Object Lock GOVERNANCE 1 day', 'versioning', 'retained on stack deletion']));
    expect(dumps.encryption).toMatch(/aws:kms: KMS key SmallPrimary\/Key\/Resource, rotated yearly/);
    expect(dumps.drills).toEqual([expect.objectContaining({ path: 'SmallPrimary/Drill/Resource', schedule: 'on Mondays at 09:00 UTC', targets: ['SmallPrimary/Dumps'] })]);
  });

  test('a table selected by tag gets the plan rule, its vault, and the locked off-site copy', () => {
    const orders = row('SmallPrimary/Orders');
    expect(orders.tiers).toHaveLength(1);
    const [tier] = orders.tiers;
    expect(tier).toMatchObject({ tier: 'Daily', schedule: 'daily at 03:00 UTC', retention: '35 days' });
    expect(tier.storedIn).toMatch(/^vault SmallPrimary\/LocalVault\/Resource \(eu-west-1\)/);
    expect(tier.copies).toEqual([expect.objectContaining({
      destination: 'SmallRecovery/Vault/Resource',
      region: 'eu-central-1',
      account: ACCOUNT,
      retention: '90 days',
      encryptionKey: 'KMS key SmallRecovery/Key/Resource, rotated yearly',
    })]);
    expect(tier.copies[0].locks).toContain('vault lock (compliance mode, fixed after 3 days; min 7 days, max 400 days)');
    expect(orders.locks).toContain('deletion protection');
    expect(orders.backupJobs.map((a) => a.path)).toEqual(['SmallPrimary/DumpJob/Resource']);
  });

  test('a volume targeted by a DLM policy gets its schedules, retention and cross-region copy', () => {
    const volume = row('SmallPrimary/Volume');
    expect(volume.tiers).toHaveLength(2);
    const [tier, monthly] = volume.tiers;
    expect(tier).toMatchObject({ tier: 'hourly', schedule: 'every 6 hours from 00:30 UTC', minHours: 48 });
    expect(tier.runs).toHaveLength(28);
    expect(tier.copies).toEqual([expect.objectContaining({ region: 'eu-central-1', retention: '7 days', maxHours: 168 })]);
    // A snapshot DLM moves to the archive tier lives both retentions.
    expect(monthly).toMatchObject({ tier: 'monthly', retention: '30 days in the standard tier, then 365 days in the snapshot archive', minHours: 395 * 24, maxHours: 395 * 24 });
  });

  test('lists every acknowledged finding with its reason, and the owner notifications', () => {
    expect(model.acknowledgements).toEqual(expect.arrayContaining([
      { stack: 'SmallPrimary', path: 'SmallPrimary/Dumps', rule: 'AwsSolutions-S1', reason: 'Access logs of the dump bucket go to CloudTrail data events instead.' },
      expect.objectContaining({ path: 'SmallPrimary/Owner/UndeliveredEvents', rule: 'cdk-validator-cfnguard::sqs_dlq_check' }),
    ]));
    expect(model.acknowledgements).toHaveLength(3);
    expect(model.notifications).toHaveLength(1);
    expect(model.notifications[0].subscribers).toEqual([`email: ${OWNER}`]);
    expect(model.notifications[0].sources).toEqual(expect.arrayContaining([
      'alarm SmallPrimary/DrillFailed/Resource: A restore drill failed',
      expect.stringMatching(/^event rule SmallPrimary\/Owner\/FailedBackupJobs/),
    ]));
  });

  test('draws a timeline lane per tier and activity, with off-site copies marked', () => {
    const labels = model.timeline.map((lane) => lane.label);
    expect(labels).toEqual(expect.arrayContaining(['Daily (AWS Backup)', 'hourly (DLM)', 'dump (S3 SmallPrimary/Dumps)', 'restore drill: SmallPrimary/Drill']));
    const daily = model.timeline.find((lane) => lane.label === 'Daily (AWS Backup)')!;
    expect(daily.runs).toHaveLength(7);
    expect(daily.lifetimes).toEqual([
      expect.objectContaining({ minHours: 35 * 24, offsite: false }),
      expect.objectContaining({ minHours: 90 * 24, offsite: true }),
    ]);
  });

  test('a backup bucket without an expiry rule keeps its objects until deleted by hand', () => {
    const archive = row('SmallPrimary/Archive');
    expect(archive.tiers[0]).toMatchObject({ tier: 'archive', retention: 'kept until deleted by hand (no expiry)' });
    expect(archive.tiers[1]).toMatchObject({ tier: 'archive (earlier versions)', minHours: 365 * 24 });
  });

  test('writes Markdown, and a self-contained HTML page with the tables and the picture inline', () => {
    const markdown = readFileSync(join(outDir, 'backup-report.md'), 'utf8');
    expect(markdown).toContain('| Resource | Tiers | Schedule | Retention | Copies | Encryption | Locks | Checks and drills |');
    expect(markdown).toContain('48 to 72 hours');
    expect(markdown).toContain('EXEMPT: Temporary files rebuilt from the table on every deploy');
    const html = readFileSync(join(outDir, 'backup-report.html'), 'utf8');
    expect(html).toContain('<table id="protected-resources">');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" id="backup-timeline"');
    expect(html).toContain('<style>');
    // Self-contained: no scripts, stylesheets, images or fonts from elsewhere.
    expect(html).not.toMatch(/<script|<link|<img|url\(|@import/);
  });
});

describe('bad input gives a clear one-line error', () => {
  let scratch: string;
  let errors: string[];
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-bad-'));
    errors = [];
    jest.spyOn(console, 'error').mockImplementation((message: string) => { errors.push(message); });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function expectOneLineError(args: string[], pattern: RegExp): Promise<void> {
    expect(await run([...args, '--out', join(scratch, 'out')])).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).not.toContain('\n');
    expect(errors[0]).toMatch(pattern);
  }

  test('a missing folder', async () => {
    await expectOneLineError([join(scratch, 'nope')], /^cdk-backup-dr report: .*nope does not exist: run `cdk synth` first/);
  });

  test('a file instead of a folder', async () => {
    writeFileSync(join(scratch, 'file'), 'x');
    await expectOneLineError([join(scratch, 'file')], /is not a folder/);
  });

  test('a folder that is not a cloud assembly', async () => {
    await expectOneLineError([scratch], /is not a cloud assembly \(no manifest.json\)/);
  });

  test('an unreadable manifest', async () => {
    writeFileSync(join(scratch, 'manifest.json'), '{ not json');
    await expectOneLineError([scratch], /manifest .*manifest.json is not valid JSON/);
  });

  test('a missing template', async () => {
    writeFileSync(join(scratch, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: { S: { type: 'aws:cloudformation:stack', environment: 'aws://1/eu-west-1', properties: { templateFile: 'S.template.json' } } } }));
    await expectOneLineError([scratch], /cannot read the template of stack S .*S.template.json: ENOENT/);
  });

  test('an app that does not use the library', async () => {
    const app = new App({ outdir: join(scratch, 'cdk.out') });
    new s3.Bucket(new Stack(app, 'Plain'), 'Bucket');
    app.synth();
    await expectOneLineError([join(scratch, 'cdk.out')], /is not from an app that uses cdk-backup-dr/);
  });

  test('loadAssembly throws a ReportInputError, not a stack trace', () => {
    mkdirSync(join(scratch, 'empty'));
    expect(() => loadAssembly(join(scratch, 'empty'))).toThrow(ReportInputError);
    writeFileSync(join(scratch, 'empty', 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: {} }));
    expect(() => buildReport(loadAssembly(join(scratch, 'empty')))).toThrow(/holds no CloudFormation stacks/);
  });
});

describe('schedule and retention arithmetic', () => {
  test('S3 rounds expiry to the next midnight UTC', () => {
    expect(s3ExpiryRetention(2)).toMatchObject({ minHours: 48, maxHours: 72 });
    expect(s3ExpiryRetention(2).text).toMatch(/^48 to 72 hours/);
    expect(s3ExpiryRetention(30).text).toMatch(/^30 to 31 days/);
  });

  test('AWS cron and rate expressions become the runs of one week', () => {
    expect(weeklyRuns('cron(0 5 ? * * *)')).toMatchObject({ text: 'daily at 05:00 UTC' });
    expect(weeklyRuns('cron(0 5 ? * * *)').minutes).toEqual([300, 1740, 3180, 4620, 6060, 7500, 8940]);
    // AWS day-of-week 1 is Sunday; the report's week starts on Monday.
    expect(weeklyRuns('cron(30 2 ? * 1 *)')).toEqual({ minutes: [6 * 1440 + 150], text: 'on Sundays at 02:30 UTC' });
    expect(weeklyRuns('cron(0 * * * ? *)').minutes).toHaveLength(168);
    expect(weeklyRuns('cron(0 4 1 * ? *)')).toMatchObject({ minutes: [], note: 'does not run every week' });
    expect(weeklyRuns('rate(12 hours)')).toMatchObject({ text: 'every 12 hours' });
    expect(weeklyRuns('rate(12 hours)').minutes).toHaveLength(14);
    // L alone in the day of the week: the last day of the week, Saturday (7 in 1-7 = SUN-SAT).
    expect(weeklyRuns('cron(0 5 ? * L *)')).toEqual({ minutes: [5 * 1440 + 300], text: 'on Saturdays at 05:00 UTC' });
  });

  test('a cron expression that does not run every week says its days of the month and its months in words', () => {
    expect(weeklyRuns('cron(15 3 L * ? *)')).toEqual({ minutes: [], text: 'on the last day of every month at 03:15 UTC', note: 'does not run every week' });
    expect(weeklyRuns('cron(30 3 31 12 ? *)').text).toBe('on December 31 at 03:30 UTC');
    expect(weeklyRuns('cron(0 3 L 3,6,9,12 ? *)').text).toBe('on the last day of March, June, September and December at 03:00 UTC');
    expect(weeklyRuns('cron(0 3 L JUN,DEC ? *)').text).toBe('on the last day of June and December at 03:00 UTC');
    expect(weeklyRuns('cron(0 4 1 * ? *)').text).toBe('on day 1 of every month at 04:00 UTC');
    expect(weeklyRuns('cron(0 4 1,15 * ? *)').text).toBe('on days 1 and 15 of every month at 04:00 UTC');
    expect(weeklyRuns('cron(0 4 1 1,7 ? *)').text).toBe('on day 1 of January and July at 04:00 UTC');
  });

  test('W in the day of the month is the weekday nearest that day; forms of L and W AWS does not document are not understood, with why', () => {
    // Before: 'on day 15W of every month at 04:00 UTC'.
    expect(weeklyRuns('cron(0 4 15W * ? *)')).toEqual({ minutes: [], text: 'on the weekday nearest day 15 of every month at 04:00 UTC', note: 'does not run every week' });
    expect(weeklyRuns('cron(0 4 1W 2,8 ? *)').text).toBe('on the weekday nearest day 1 of February and August at 04:00 UTC');
    expect(weeklyRuns('cron(0 4 28W 2 ? *)').text).toBe('on the weekday nearest February 28 at 04:00 UTC');
    expect(zonedWeeklyRuns('cron(30 0 15W * ? *)', 'Europe/Berlin').text)
      .toBe('on the weekday nearest day 15 of every month at 00:30 Europe/Berlin (23:30 UTC the day before in January, 22:30 UTC the day before in July)');
    const notDocumented = (problem: string) => `${NOT_UNDERSTOOD_NOTE}: ${problem}`;
    // Before: 'on day LW of every month at 04:00 UTC', 'on day L-3 of every month at 04:00 UTC', read as running.
    expect(weeklyRuns('cron(0 4 LW * ? *)')).toEqual({ minutes: [], text: 'cron(0 4 LW * ? *)', note: notDocumented('AWS documents W after a single day of the month (3W, the weekday closest to the 3rd), not LW') });
    expect(weeklyRuns('cron(0 4 L-3 * ? *)').note).toBe(notDocumented('AWS documents L alone in the day of the month (its last day), not L-3'));
    expect(weeklyRuns('cron(0 4 1W,15W * ? *)').note).toBe(notDocumented('AWS documents W after a single day of the month (3W, the weekday closest to the 3rd), not 1W,15W'));
    expect(weeklyRuns('cron(0 4 31W * ? *)').note).toBe(notDocumented('AWS does not document which day 31W names in a month without day 31 (February, April, June, September, November)'));
    expect(weeklyRuns('cron(0 4 31W 1,5 ? *)').text).toBe('on the weekday nearest day 31 of January and May at 04:00 UTC');
    // Not read, so no times in UTC either.
    expect(zonedWeeklyRuns('cron(0 4 LW * ? *)', 'Europe/Berlin')).toEqual(weeklyRuns('cron(0 4 LW * ? *)'));
  });

  test('a day-of-week schedule restricted to some months or years keeps its weekdays', () => {
    expect(weeklyRuns('cron(0 3 ? 1 MON *)')).toEqual({ minutes: [], text: 'on Mondays in January at 03:00 UTC', note: 'does not run every week' });
    expect(weeklyRuns('cron(0 3 ? JAN,JUL 2,6 *)').text).toBe('on Mondays, Fridays in January and July at 03:00 UTC');
    expect(weeklyRuns('cron(0 3 ? 3 * *)').text).toBe('daily in March at 03:00 UTC');
    expect(weeklyRuns('cron(0 3 ? * SUN 2027)')).toEqual({ minutes: [], text: 'on Sundays in 2027 at 03:00 UTC', note: 'does not run every week' });
    expect(weeklyRuns('cron(30 3 31 12 ? 2026-2027)').text).toBe('on December 31 in 2026 and 2027 at 03:30 UTC');
    // In a zone: the local weekday, and the same times in UTC, which may fall on the day before.
    expect(zonedWeeklyRuns('cron(30 0 ? 1 MON *)', 'Europe/Berlin').text).toBe('on Mondays in January at 00:30 Europe/Berlin (23:30 UTC the day before in January, 22:30 UTC the day before in July)');
    // One weekday of the month, by `#` or `L`.
    expect(weeklyRuns('cron(0 5 ? * 2#1 *)')).toEqual({ minutes: [], text: 'on the first Monday of every month at 05:00 UTC', note: 'does not run every week' });
    expect(weeklyRuns('cron(0 3 ? 1,7 FRIL *)').text).toBe('on the last Friday of January and July at 03:00 UTC');
    expect(weeklyRuns('cron(0 3 ? DEC 1#3 *)').text).toBe('on the third Sunday of December at 03:00 UTC');
    expect(weeklyRuns('cron(0 3 ? * 8#1 *)').note).toBe('schedule not understood by the report: AWS rejects it, the day-of-week field takes 1-7 or SUN-SAT, not 8 (in 8#1)');
    // AWS takes a day of the month or a day of the week, not both: the report does not pick one.
    expect(weeklyRuns('cron(0 3 1 * MON *)')).toEqual({ minutes: [], text: 'cron(0 3 1 * MON *)', note: NOT_ONE_DAY_FIELD_NOTE });
  });

  test('a cron expression without the 6 fields AWS reads is not understood, with why', () => {
    // Before: 5 fields were read with the year as *, and a 7th field was ignored: both daily at 03:00.
    expect(weeklyRuns('cron(0 3 * * ?)')).toEqual({
      minutes: [],
      text: 'cron(0 3 * * ?)',
      note: 'schedule not understood by the report: AWS rejects it, a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one 5',
    });
    expect(weeklyRuns('cron(0 3 * * ? * 2026)').note).toBe('schedule not understood by the report: AWS rejects it, a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one 7');
    expect(zonedWeeklyRuns('cron(0 3 * * ?)', 'Europe/Berlin')).toEqual(weeklyRuns('cron(0 3 * * ?)'));
  });

  // Before: `cron(0 3 32 * ? *)` read 'on day 32 of every month at 03:00 UTC', 'does not run
  // every week'; the others were not understood without why, or read ('in year 2200').
  test.each(OUT_OF_RANGE_CRONS)('%s, out of its field\'s range, is not understood: AWS rejects it, %s', (expression, why) => {
    expect(weeklyRuns(expression)).toEqual({ minutes: [], text: expression, note: `${NOT_UNDERSTOOD_NOTE}: AWS rejects it, ${why}` });
  });

  // Before: not understood, without why.
  test.each(NTH_WEEKDAY_NOT_ALONE_CRONS)('%s, with # not alone in the day of the week, is not understood: AWS rejects it, %s', (expression, why) => {
    expect(weeklyRuns(expression)).toEqual({ minutes: [], text: expression, note: `${NOT_UNDERSTOOD_NOTE}: AWS rejects it, ${why}` });
  });

  // Before: not understood, without why (6L,2), or as a form AWS does not document (L,15).
  test.each(LAST_IN_LIST_CRONS)('%s, with L in a list of a day field, is not understood: AWS rejects it, %s', (expression, why) => {
    expect(weeklyRuns(expression)).toEqual({ minutes: [], text: expression, note: `${NOT_UNDERSTOOD_NOTE}: AWS rejects it, ${why}` });
  });

  // Before: each not understood, without why.
  test.each([
    ['cron(0 3 5-1 * ? *)', 'AWS does not document a range from a larger value to a smaller one (5-1 in the day-of-month field): write it as two ranges, 5-31,1'],
    ['cron(0 3 1 1 ? 2027-2026)', 'AWS does not document a range from a larger value to a smaller one (2027-2026 in the year field)'],
    ['cron(0 3 ? * FRI-MON *)', 'AWS does not document a range from a larger value to a smaller one (FRI-MON in the day-of-week field): write it as two ranges, FRI-SAT,SUN-MON'],
  ])('AWS does not document a range from a larger value to a smaller one, a range from a larger value to a smaller one, is not understood, saying why', (expression, why) => {
    expect(weeklyRuns(expression)).toEqual({ minutes: [], text: expression, note: `${NOT_UNDERSTOOD_NOTE}: ${why}` });
  });

  test('the RPO against the tiers: continuous backups and RDS transaction logs are 5 minutes apart, a monthly tier alone runs not every week', () => {
    expect(maxGapMinutes({ mechanism: 'RDS automated backups', runs: [120] })).toBe(5);
    expect(maxGapMinutes({ mechanism: 'AWS Backup plan P, rule PointInTime', scheduleNote: 'continuous backup', runs: [] })).toBe(5);
    // Runs on Monday 02:00 and Thursday 02:00: the longest gap wraps over the week's end.
    expect(maxGapMinutes({ mechanism: 'DLM', runs: [3 * 1440 + 120, 120] })).toBe(4 * 1440);
    expect(rpoShortfall('S/Db', [{ mechanism: 'AWS Backup', runs: [], scheduleNote: 'does not run every week' }], 60)).toEqual({ path: 'S/Db', reason: 'no backup tier runs every week' });
    expect(rpoShortfall('S/Db', [{ mechanism: 'AWS Backup', runs: Array.from({ length: 14 }, (_, i) => i * 720) }], 720)).toBeUndefined();
    expect(rpoShortfall('S/Db', [], 60)).toEqual({ path: 'S/Db', reason: 'no backup tier' });
  });

  test('a cron expression read in a time zone names the zone; UTC by any of its names is UTC; an unknown zone places no run', () => {
    expect(zonedWeeklyRuns('cron(0 5 ? * * *)', 'Etc/UTC')).toEqual(weeklyRuns('cron(0 5 ? * * *)'));
    expect(zonedWeeklyRuns('cron(0 5 ? * * *)', undefined)).toEqual(weeklyRuns('cron(0 5 ? * * *)'));
    expect(zonedWeeklyRuns('rate(12 hours)', 'Europe/Berlin')).toEqual(weeklyRuns('rate(12 hours)'));
    // 00:30 on Monday in New York is 05:30 on Monday UTC in January (UTC-05:00), 04:30 in July (UTC-04:00).
    expect(zonedWeeklyRuns('cron(30 0 ? * MON *)', 'America/New_York')).toEqual({
      minutes: [5 * 60 + 30],
      minutesInJuly: [4 * 60 + 30],
      daylightSavingMinutes: 60,
      text: 'on Mondays at 00:30 America/New_York (05:30 UTC in January, 04:30 UTC in July)',
    });
    // 00:30 on Monday in Tokyo (UTC+09:00) is 15:30 on Sunday UTC: the run wraps to the end of the week.
    expect(zonedWeeklyRuns('cron(30 0 ? * MON *)', 'Asia/Tokyo').minutes).toEqual([6 * 1440 + 15 * 60 + 30]);
    expect(zonedWeeklyRuns('cron(0 5 ? * * *)', 'Mars/Olympus_Mons')).toMatchObject({
      minutes: [],
      text: 'daily at 05:00 Mars/Olympus_Mons (time zone not known to the report)',
      note: 'time zone not known to the report',
    });
  });
});
