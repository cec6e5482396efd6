/**
 * The schedule text of RDS automated backups: an instance's says its transaction logs, a read
 * replica's (built without them, not by cutting them out of the instance's text) does not.
 */
import { CfnParameter } from 'aws-cdk-lib';
import { ReportModel } from '../../../core/report/model';
import { windowRuns } from '../../../core/report/schedule';
import { reportOfApp } from './report-of-app';
import { rowAt } from './model-row';
import { readReplica, smallInstance } from './db-instances';
import { describedStack } from './report-fixtures';

const LOGS = ', plus transaction logs every 5 minutes';
const PICKED = 'daily, in a 30-minute window RDS picks at random from an 8-hour block of time for the region (no PreferredBackupWindow), not known at synth';

test('without transaction logs the text is the daily backups alone; the runs, note and interval are the same', () => {
  const windows: unknown[] = [undefined, '03:00-03:30', { Ref: 'BackupWindow' }, '3:00-4:00'];
  const texts = ['daily in the window 03:00-03:30 UTC', PICKED, 'daily, in the window BackupWindow, not known at synth'];
  for (const window of windows) {
    const withLogs = windowRuns(window);
    const without = windowRuns(window, false);
    expect({ ...without, text: undefined }).toEqual({ ...withLogs, text: undefined });
    expect(without.text).not.toContain('transaction logs');
    if (window === '3:00-4:00') {
      // Not a window RDS takes: not known either way.
      expect(without.text).toBe(withLogs.text);
    } else {
      expect(withLogs.text).toBe(`${without.text}${LOGS}`);
      expect(texts).toContain(without.text);
    }
  }
});

describe('in the report of an app', () => {
  let model: ReportModel;
  beforeAll(() => {
    model = reportOfApp((app) => {
      const stack = describedStack(app, 'Replicas');
      const source = smallInstance(stack, 'Source', { preferredBackupWindow: '03:00-03:30' });
      readReplica(stack, 'Replica', source.ref, 7, { preferredBackupWindow: '04:00-04:30' });
      readReplica(stack, 'PickedReplica', source.ref, 7);
      const window = new CfnParameter(stack, 'BackupWindow', { default: '05:00-05:30' });
      readReplica(stack, 'ParameterReplica', source.ref, 7, { preferredBackupWindow: window.valueAsString });
    });
  });

  test('the instance\'s schedule says its transaction logs; each read replica\'s is its daily backups alone', () => {
    const schedule = (path: string): string => rowAt(model, path).tiers[0].schedule;
    expect(schedule('Replicas/Source')).toBe(`daily in the window 03:00-03:30 UTC${LOGS}`);
    expect(schedule('Replicas/Replica')).toBe('daily in the window 04:00-04:30 UTC');
    expect(schedule('Replicas/PickedReplica')).toBe(PICKED);
    expect(schedule('Replicas/ParameterReplica')).toBe('daily, in the window BackupWindow, not known at synth');
    expect(rowAt(model, 'Replicas/Replica').tiers[0].runs).toEqual([0, 1, 2, 3, 4, 5, 6].map((d) => d * 1440 + 240));
  });
});

test('a window of times that are not on the clock (25:00, 04:60) is not known, not drawn', () => {
  for (const window of ['25:00-26:00', '04:60-05:30', '03:00-24:30']) {
    expect(windowRuns(window)).toEqual({ minutes: [], note: 'not known', text: `not known: the window '${window}' is not hh24:mi-hh24:mi (UTC), the form RDS requires` });
  }
});
