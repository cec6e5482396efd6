/**
 * The HTML report opened in headless Chromium (Debian's `chromium`, installed by
 * scripts/ensure-chromium.sh): the browser's DOM has the tables and the timeline picture,
 * and a screenshot renders.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../cli/commands/report';
import { synthSmallApp } from '../core/report/small-app';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

function chromium(args: string[], profile: string): string {
  if (!CHROMIUM) {
    throw new Error('Chromium is missing: run `bash scripts/ensure-chromium.sh` (as root it installs Debian\'s chromium)');
  }
  return execFileSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
    `--user-data-dir=${profile}`, ...args,
  ], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
}

let work: string;
let assemblyDir: string;
let htmlFile: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-html-'));
  assemblyDir = synthSmallApp();
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  expect(await run([assemblyDir, '--out', work])).toBe(0);
  log.mockRestore();
  htmlFile = join(work, 'backup-report.html');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(assemblyDir, { recursive: true, force: true });
});

test('the browser shows the tables and the timeline picture', () => {
  const dom = chromium(['--dump-dom', `file://${htmlFile}`], join(work, 'profile-dom'));
  for (const id of ['stacks', 'protected-resources', 'activities', 'notifications', 'acknowledgements']) {
    expect(dom).toContain(`<table id="${id}">`);
  }
  const resources = dom.slice(dom.indexOf('<table id="protected-resources">'), dom.indexOf('</table>', dom.indexOf('<table id="protected-resources">')));
  expect(resources.match(/<tr data-logical-id=/g)).toHaveLength(6);
  expect(resources).toContain('48 to 72 hours');
  expect(resources).toContain('kept until deleted by hand (no expiry)');
  const svg = dom.slice(dom.indexOf('<svg'), dom.indexOf('</svg>'));
  expect(svg).toContain('id="backup-timeline"');
  // One mark per run: the daily tier, the 6-hourly snapshots, the dump job and the weekly drill, among others.
  expect((svg.match(/class="t-run"/g) ?? []).length).toBeGreaterThanOrEqual(7 + 28);
  expect((svg.match(/class="t-activity"/g) ?? []).length).toBeGreaterThanOrEqual(7 + 1);
  expect((svg.match(/class="t-offsite[ "]/g) ?? []).length).toBeGreaterThanOrEqual(3);
});

test('a screenshot of the report renders', () => {
  const png = join(work, 'report.png');
  chromium([`--screenshot=${png}`, '--window-size=1400,1600', `file://${htmlFile}`], join(work, 'profile-shot'));
  const bytes = readFileSync(png);
  expect(bytes.subarray(1, 4).toString('latin1')).toEqual('PNG');
  // Width and height from the IHDR chunk.
  expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1400, 1600]);
  expect(bytes.length).toBeGreaterThan(50_000);
});
