/**
 * The JSON report's `schemaVersion` is the one the README gives, where it also says what a
 * version promises (fields only added within it), so that the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_SCHEMA_VERSION } from '../../../core/report/render';

const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

test('the README names the schemaVersion the JSON report writes, and what a version promises', () => {
  expect([...readme.matchAll(/`schemaVersion: (\d+)`/g)].map((m) => Number(m[1]))).toEqual([REPORT_SCHEMA_VERSION]);
  expect(readme).toContain('Within one `schemaVersion` the JSON only grows');
});
