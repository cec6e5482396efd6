/**
 * DLM schedules whose runs the report cannot place in the day: an interval schedule without
 * `Times` (DLM picks its start time, "within the next 24 hours": DLM API Reference, CreateRule)
 * and a cron expression the report does not read. Neither is assumed to run at 00:00 nor left
 * out of the check of schedules that start together: what depends on the time of day is not known.
 * The same for an AWS Backup rule whose cron expression the overlap check does not read.
 */
import { CfnParameter } from 'aws-cdk-lib';
import { ReportModel } from '../../../core/report/model';
import { renderMarkdown } from '../../../core/report/render';
import { reportOfApp } from './report-of-app';
import { describedStack, tableInPlan, taggedVolumeWithPolicy } from './report-fixtures';
import { rowAt } from './model-row';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Starts');
    taggedVolumeWithPolicy(stack, [
      { name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { interval: 7, intervalUnit: 'DAYS' } },
      { name: 'Picked', createRule: { interval: 24, intervalUnit: 'HOURS' }, retainRule: { interval: 60, intervalUnit: 'DAYS' } },
    ], 'Picked');
    taggedVolumeWithPolicy(stack, [
      { name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { interval: 7, intervalUnit: 'DAYS' } },
      // A year field other than `*`: AWS takes it, the merge check does not read it.
      { name: 'ThisYear', createRule: { cronExpression: 'cron(0 5 * * ? 2026)' }, retainRule: { interval: 60, intervalUnit: 'DAYS' } },
    ], 'Unread');
    taggedVolumeWithPolicy(stack, [
      { name: 'Daily', createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] }, retainRule: { interval: 7, intervalUnit: 'DAYS' } },
      { name: 'Every', createRule: { interval: new CfnParameter(stack, 'Interval', { type: 'Number' }).valueAsNumber, intervalUnit: 'HOURS' }, retainRule: { interval: 60, intervalUnit: 'DAYS' } },
    ], 'TokenPicked');
    taggedVolumeWithPolicy(stack, [
      { name: 'HalfDaily', createRule: { interval: 12, intervalUnit: 'HOURS' }, retainRule: { count: 14 } },
    ], 'Alone');

    tableInPlan(stack, [
      { ruleName: 'Daily', targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? *)', lifecycle: { deleteAfterDays: 7 } },
      { ruleName: 'ThisYear', targetBackupVault: 'vault', scheduleExpression: 'cron(0 5 * * ? 2026)', lifecycle: { deleteAfterDays: 35 } },
    ]);
  });
});

test('an interval schedule without Times has no time of day: its runs are not placed at 00:00, in the tier or the timeline', () => {
  const picked = rowAt(model, 'Starts/PickedVolume').tiers.find((t) => t.tier === 'Picked')!;
  expect(picked.runs).toEqual([]);
  expect(picked.scheduleNote).toBe('the time of day is chosen by DLM');
  expect(picked.schedule).toBe('daily, at a time of day DLM picks (no Times; DLM picks one within 24 hours of the policy\'s creation), not known at synth');
  expect(picked.intervalMinutes).toBe(1440);
  const lane = model.timeline.find((l) => l.label.startsWith('Picked ('))!;
  expect(lane.runs).toEqual([]);
  expect(lane.note).toBe('the time of day is chosen by DLM');
});

test('a schedule without Times may start with any other schedule of its policy: that merge is not known', () => {
  const daily = rowAt(model, 'Starts/PickedVolume').tiers.find((t) => t.tier === 'Daily')!;
  expect(daily.takenByLongerRules).toEqual({ year: 2026, runs: 365, byRule: {}, notKnownAtSynth: { 'Daily or Picked': 365 } });
  expect(daily.schedule).toContain('the start time of Picked is picked by DLM within 24 hours of the policy\'s creation (the schedule has no Times), not known at synth');
});

// Before: the merge check said only that DLM picks the start time, the tier only that the interval is a token.
test('a schedule without Times whose interval is given by a token says both, in its tier and in the merge check', () => {
  const tiers = rowAt(model, 'Starts/TokenPickedVolume').tiers;
  const every = tiers.find((t) => t.tier === 'Every')!;
  expect(every.schedule).toBe('every Interval hours, at a time of day DLM picks (no Times; DLM picks one within 24 hours of the policy\'s creation), not known at synth');
  expect(every.runs).toEqual([]);
  const daily = tiers.find((t) => t.tier === 'Daily')!;
  expect(daily.takenByLongerRules).toEqual({ year: 2026, runs: 365, byRule: {}, notKnownAtSynth: { 'Daily or Every': 365 } });
  expect(daily.schedule).toContain('the interval of Every is given by a token and its start time is picked by DLM within 24 hours of the policy\'s creation (the schedule has no Times), not known at synth');
});

test('a cron expression the report does not read is not left out of the merge check: the merge is not checked', () => {
  const tiers = rowAt(model, 'Starts/UnreadVolume').tiers;
  const daily = tiers.find((t) => t.tier === 'Daily')!;
  expect(daily.takenByLongerRules).toEqual({ year: 2026, runs: 365, byRule: {}, notKnownAtSynth: { 'Daily or ThisYear': 365 } });
  expect(daily.schedule).toContain('the cron expression of ThisYear (cron(0 5 * * ? 2026)) is not one the merge check reads, not checked');
  expect(tiers.find((t) => t.tier === 'ThisYear')!.takenByLongerRules).toBeUndefined();
});

test('the RPO check still counts a schedule without Times: its runs are its interval apart', () => {
  const [objectives] = model.objectives;
  expect(objectives.rpoNotMetBy).toEqual([]);
  expect(objectives.rpoNotKnownFor?.map((r) => r.path) ?? []).not.toContain('Starts/AloneVolume');
  expect(renderMarkdown(model)).toContain('every 12 hours, at a time of day DLM picks');
});

test('an AWS Backup rule whose cron expression the overlap check does not read is not left out of it: how many runs it takes is not known', () => {
  const [daily, thisYear] = rowAt(model, 'Starts/Table').tiers;
  expect(daily.takenByLongerRules).toEqual({ year: 2026, runs: 365, byRule: {}, notKnown: 'ThisYear: the year field of cron(0 5 * * ? 2026) is one the overlap check does not read, not checked' });
  expect(thisYear.takenByLongerRules).toBeUndefined();
});
