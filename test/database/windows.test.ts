import { dailyOverlapsWeekly, parseDailyWindow, parseWeeklyWindow } from '../../lib/database/windows';

describe('RDS windows', () => {
  test('parses a daily window, also across midnight', () => {
    expect(parseDailyWindow('22:00-23:00')).toEqual({ start: 22 * 60, length: 60 });
    expect(parseDailyWindow('23:45-00:15')).toEqual({ start: 23 * 60 + 45, length: 30 });
  });

  test.each(['22:00', '24:00-01:00', '22:00-22:00', '2200-2300', 'mon:22:00-mon:23:00'])('rejects the daily window %s', (text) => {
    expect(parseDailyWindow(text)).toBeUndefined();
  });

  test('parses a weekly window, also across the end of the week', () => {
    expect(parseWeeklyWindow('sun:23:30-mon:00:30')).toEqual({ start: 23 * 60 + 30, length: 60 });
    expect(parseWeeklyWindow('Sat:23:30-Sun:00:30')).toEqual({ start: 6 * 24 * 60 + 23 * 60 + 30, length: 60 });
  });

  test.each(['sun:23:30', 'xyz:01:00-sun:02:00', 'sun:25:00-sun:26:00', 'sun:01:00-sun:01:00'])('rejects the weekly window %s', (text) => {
    expect(parseWeeklyWindow(text)).toBeUndefined();
  });

  test('a daily window overlaps a weekly window on any day of the week', () => {
    const weekly = parseWeeklyWindow('wed:03:00-wed:04:00')!;
    expect(dailyOverlapsWeekly(parseDailyWindow('03:30-04:30')!, weekly)).toBe(true);
    expect(dailyOverlapsWeekly(parseDailyWindow('02:30-03:01')!, weekly)).toBe(true);
    expect(dailyOverlapsWeekly(parseDailyWindow('04:00-05:00')!, weekly)).toBe(false);
    expect(dailyOverlapsWeekly(parseDailyWindow('02:00-03:00')!, weekly)).toBe(false);
  });

  test('overlaps are found across midnight and across the end of the week', () => {
    const weekly = parseWeeklyWindow('sat:23:30-sun:00:30')!;
    expect(dailyOverlapsWeekly(parseDailyWindow('00:00-01:00')!, weekly)).toBe(true);
    expect(dailyOverlapsWeekly(parseDailyWindow('23:00-23:45')!, weekly)).toBe(true);
    expect(dailyOverlapsWeekly(parseDailyWindow('22:00-23:00')!, weekly)).toBe(false);
  });
});
