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
