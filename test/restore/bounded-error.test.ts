import { DOCUMENT_OVERHEAD, boundedError } from '../../core/restore-workflows/bounded-error';

/** The error document the Node.js Lambda runtime writes for an error. */
const documentOf = (error: Error) => JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: error.stack!.split('\n') });

/** Throws as a step does, from a function of its own, so that the trace can name where. */
function readTags(): never {
  throw Object.assign(new Error('tags of s3://data/restored/a.txt: Access Denied'), { name: 'AccessDenied' });
}

test('a short error keeps its name and message; its trace names it and where it was thrown, not the message again', () => {
  let thrown: unknown;
  try {
    readTags();
  } catch (error) {
    thrown = error;
  }
  const bounded = boundedError(thrown, 6_500);
  expect(bounded.name).toBe('AccessDenied');
  expect(bounded.message).toBe('tags of s3://data/restored/a.txt: Access Denied');
  const [first, ...frames] = bounded.stack!.split('\n');
  expect(first).toBe('AccessDenied');
  // Where it was thrown: the thrower's frame first, not where boundedError made its own error.
  expect(frames[0]).toMatch(/^\s+at readTags \(.*bounded-error\.test\.ts:\d+:\d+/);
  expect(frames.every((line) => /^\s+at /.test(line))).toBe(true);
});

test('a long error is cut to its limit in JSON, says so, and is logged whole; its document stays within the limit and the overhead', () => {
  // `"` takes two characters in JSON: 20,000 of them take 40,000.
  const text = `listing s3://data/restored/: ${'"'.repeat(20_000)}`;
  const thrown = Object.assign(new Error(text), { name: 'InternalError' });
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const bounded = boundedError(thrown, 6_500);
  const lines = logged.mock.calls.map(([line]) => JSON.parse(String(line)));
  logged.mockRestore();
  expect(bounded.name).toBe('InternalError');
  expect(bounded.message).toMatch(/^listing s3:\/\/data\/restored\/: "+ \.\.\. \(cut at 6500 characters, a Step Functions cause being limited to 32,768: the function's log has the whole error\)$/);
  expect(JSON.stringify(bounded.message).length - 2).toBeLessThanOrEqual(6_500);
  expect(JSON.stringify(bounded.message).length - 2).toBeGreaterThan(6_400);
  expect(documentOf(bounded).length).toBeLessThanOrEqual(6_500 + DOCUMENT_OVERHEAD + 2 * 'InternalError'.length);
  expect(lines).toEqual([{ message: 'error cut in the failure\'s cause', name: 'InternalError', error: text }]);
});

test('a thrown value that is not an Error becomes one named Error', () => {
  const bounded = boundedError('boom', 6_500);
  expect(bounded).toBeInstanceOf(Error);
  expect(bounded.name).toBe('Error');
  expect(bounded.message).toBe('boom');
  expect(bounded.stack).toBe('Error');
});
