import { StepProgress } from '../../../cli/commands/restore-progress';

/** The step numbers the spinner line showed, in order. */
function stepNumbers(written: string): number[] {
  return [...written.matchAll(/\[step (\d+), /g)].map((match) => Number(match[1]));
}

test('the spinner counts distinct steps: the polling loop\'s states, entered again and again, count once each', () => {
  let written = '';
  const start = Date.parse('2026-11-22T01:00:00Z');
  const progress = new StepProgress({ write: (text) => { written += text; }, isTTY: true }, start, () => start);
  const states = ['Validate', 'StartRestore', 'WaitForInstance', 'CheckInstance', 'WaitForInstance', 'CheckInstance', 'WaitForInstance', 'CheckInstance', 'VerifyRestore'];
  states.forEach((name, index) => progress.enter(name, start + index * 1000));
  expect(stepNumbers(written)).toEqual([1, 2, 3, 4, 3, 4, 3, 4, 5]);
  expect(written).toContain('VerifyRestore  [step 5, 0:00 elapsed]');
});

test('in a pipe, a polling loop\'s states entered again print nothing: a line when a new step starts, when one ends, for a note and at the end', () => {
  let written = '';
  const start = Date.parse('2026-11-22T01:00:00Z');
  const progress = new StepProgress({ write: (text) => { written += text; }, isTTY: false }, start, () => start);
  const states = ['Validate', 'StartRestore', 'WaitForInstance', 'CheckInstance', 'WaitForInstance', 'CheckInstance', 'WaitForInstance', 'CheckInstance', 'VerifyRestore'];
  states.forEach((name, index) => {
    progress.enter(name, start + index * 1000);
    progress.render();
  });
  progress.note('Throttling: rate exceeded', start + 8500);
  progress.finish('SUCCEEDED', start + 10_000);
  expect(written.split('\n')).toEqual([
    '2026-11-22T01:00:00.000Z step  Validate',
    '2026-11-22T01:00:01.000Z done  Validate',
    '2026-11-22T01:00:01.000Z step  StartRestore',
    '2026-11-22T01:00:02.000Z done  StartRestore',
    '2026-11-22T01:00:02.000Z step  WaitForInstance',
    '2026-11-22T01:00:03.000Z done  WaitForInstance',
    '2026-11-22T01:00:03.000Z step  CheckInstance',
    '2026-11-22T01:00:08.000Z done  CheckInstance',
    '2026-11-22T01:00:08.000Z step  VerifyRestore',
    '2026-11-22T01:00:08.500Z note  Throttling: rate exceeded',
    '2026-11-22T01:00:10.000Z done  VerifyRestore',
    '',
  ]);
});
