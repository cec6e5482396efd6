import {
  checksumFileContent, dailyPrefix, DumpManifest, dumpFileOf, manifestKeysNewestFirst, ManifestError, newRunId,
  parseChecksumFile, parseManifest, parseRunKey, runKeys, serializeManifest, yearlyPrefix,
} from '../../../core/dump/manifest';

const SHA = 'a'.repeat(64);

function manifest(overrides: Partial<Record<keyof DumpManifest, unknown>> = {}): Record<string, unknown> {
  return {
    version: 1,
    runId: '20261121T235300Z-3f9a1c',
    tier: 'daily',
    createdAt: '2026-11-21T23:53:00.000Z',
    source: { host: 'replica.example', engine: 'mariadb', serverVersion: '10.11.6-MariaDB', gtidPosition: '0-1-42' },
    replicationPaused: true,
    databases: ['shop'],
    tables: [{ schema: 'shop', table: 'orders', rows: 3, checksum: 'c0ffee', hasPrimaryKey: true }],
    files: [
      { key: 'daily/2026-11-21/20261121T235300Z-3f9a1c/dump.sql.gz', bytes: 1234, sha256: SHA },
      { key: 'daily/2026-11-21/20261121T235300Z-3f9a1c/dump.sql.gz.sha256', bytes: 78, sha256: 'b'.repeat(64) },
    ],
    ...overrides,
  };
}

describe('S3 layout', () => {
  const date = new Date('2026-11-21T23:53:00Z');

  test('daily and yearly prefixes carry the UTC date and the run id', () => {
    expect(dailyPrefix(date, 'run-1')).toBe('daily/2026-11-21/run-1/');
    expect(yearlyPrefix(date, 'run-1')).toBe('yearly/2026/2026-11-21/run-1/');
    expect(runKeys('daily/2026-11-21/run-1/')).toEqual({
      dump: 'daily/2026-11-21/run-1/dump.sql.gz',
      checksum: 'daily/2026-11-21/run-1/dump.sql.gz.sha256',
      manifest: 'daily/2026-11-21/run-1/manifest.json',
    });
  });

  test('a run id with a slash or a space is rejected', () => {
    expect(() => dailyPrefix(date, 'a/b')).toThrow(ManifestError);
    expect(() => yearlyPrefix(date, 'a b')).toThrow(/run id/);
    expect(() => runKeys('daily/2026-11-21/run-1')).toThrow(/end in '\/'/);
  });

  test('new run ids start with the UTC time and are valid', () => {
    const runId = newRunId(date, () => 0.5);
    expect(runId).toBe('20261121T235300Z-800000');
    expect(dailyPrefix(date, runId)).toBe('daily/2026-11-21/20261121T235300Z-800000/');
  });

  test('keys parse back to their run, and manifests sort newest first', () => {
    expect(parseRunKey('yearly/2026/2026-01-01/r1/manifest.json')).toEqual({
      tier: 'yearly', date: '2026-01-01', runId: 'r1', prefix: 'yearly/2026/2026-01-01/r1/', fileName: 'manifest.json',
    });
    expect(parseRunKey('yearly/2025/2026-01-01/r1/manifest.json')).toBeUndefined();
    expect(parseRunKey('other/manifest.json')).toBeUndefined();
    const sorted = manifestKeysNewestFirst([
      'daily/2026-11-20/20261120T010000Z-aaaaaa/manifest.json',
      'daily/2026-11-21/20261121T010000Z-aaaaaa/dump.sql.gz',
      'daily/2026-11-21/20261121T010000Z-aaaaaa/manifest.json',
      'daily/2026-11-21/20261121T020000Z-bbbbbb/manifest.json',
    ]);
    expect(sorted.map((run) => run.runId)).toEqual(['20261121T020000Z-bbbbbb', '20261121T010000Z-aaaaaa', '20261120T010000Z-aaaaaa']);
  });

  test('checksum files use the sha256sum format', () => {
    expect(checksumFileContent(SHA)).toBe(`${SHA}  dump.sql.gz\n`);
    expect(parseChecksumFile(`${SHA.toUpperCase()} *dump.sql.gz\n`)).toBe(SHA);
    expect(() => parseChecksumFile('nope')).toThrow(/sha256sum/);
    expect(() => checksumFileContent('xyz')).toThrow(/64 lower-case hex/);
  });
});

describe('manifest parser', () => {
  test('a valid manifest round-trips', () => {
    const text = serializeManifest(manifest() as unknown as DumpManifest);
    const parsed = parseManifest(text);
    expect(parsed).toEqual(manifest());
    expect(dumpFileOf(parsed).bytes).toBe(1234);
  });

  test('the replica\'s lag is kept when recorded, and a manifest written before it was recorded still parses', () => {
    const source = { host: 'replica.example', engine: 'mariadb', serverVersion: '10.11.6-MariaDB', gtidPosition: '0-1-42', lagSeconds: 42 };
    expect(parseManifest(serializeManifest(manifest({ source }) as unknown as DumpManifest)).source.lagSeconds).toBe(42);
    expect(parseManifest(JSON.stringify(manifest())).source).not.toHaveProperty('lagSeconds');
  });

  test("the notes on a dump whose completeness is not known survive the round trip", () => {
    const notes = ['the dump user u@% may lack TRIGGER on database shop; whether it holds it is unknown: the grants of role `r` could not be read'];
    expect(parseManifest(serializeManifest(manifest({ completenessNotes: notes }) as unknown as DumpManifest)).completenessNotes).toEqual(notes);
    expect(parseManifest(serializeManifest(manifest() as unknown as DumpManifest))).not.toHaveProperty('completenessNotes');
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['another version', { version: 2 }, /manifest\.version: expected 1/],
    ['a bad tier', { tier: 'weekly' }, /manifest\.tier/],
    ['a local time', { createdAt: '2026-11-21 23:53:00' }, /manifest\.createdAt/],
    ['no source host', { source: { engine: 'mysql', serverVersion: '8.4.3', gtidPosition: '' } }, /manifest\.source\.host/],
    ['a lag of a fraction of a second', { source: { host: 'h', engine: 'mysql', serverVersion: '8.4.3', gtidPosition: '', lagSeconds: 1.5 } }, /manifest\.source\.lagSeconds: expected a whole number of 0 or more, got 1\.5/],
    ['a lag that is not a number', { source: { host: 'h', engine: 'mysql', serverVersion: '8.4.3', gtidPosition: '', lagSeconds: null } }, /manifest\.source\.lagSeconds/],
    ['a string for replicationPaused', { replicationPaused: 'yes' }, /manifest\.replicationPaused: expected true or false/],
    ['a negative row count', { tables: [{ schema: 'shop', table: 't', rows: -1, checksum: 'x', hasPrimaryKey: true }] }, /manifest\.tables\[0\]\.rows/],
    ['a table outside the databases', { tables: [{ schema: 'other', table: 't', rows: 1, checksum: 'x', hasPrimaryKey: true }] }, /manifest\.tables\[0\]\.schema/],
    ['a table twice', { tables: [
      { schema: 'shop', table: 't', rows: 1, checksum: 'x', hasPrimaryKey: true },
      { schema: 'shop', table: 't', rows: 1, checksum: 'x', hasPrimaryKey: true },
    ] }, /each table once/],
    ['an upper-case digest', { files: [{ key: 'p/dump.sql.gz', bytes: 1, sha256: SHA.toUpperCase() }] }, /manifest\.files\[0\]\.sha256/],
    ['no dump file', { files: [] }, /manifest\.files: expected an entry for dump\.sql\.gz/],
    ['an empty completeness note', { completenessNotes: [''] }, /manifest\.completenessNotes\[0\]: expected a note/],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => parseManifest(JSON.stringify(manifest(overrides)))).toThrow(message);
  });

  test('rejects text that is not JSON', () => {
    expect(() => parseManifest('{')).toThrow(/not JSON/);
  });
});
