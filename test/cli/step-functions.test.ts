import { executionCause } from '../../cli/step-functions';

const document = (errorMessage: string, errorType = 'AccessDenied') => JSON.stringify({ errorType, errorMessage, trace: ['AccessDenied: x', '    at copyVersion (index.js:1:2)'] });

describe('the readable part of a failure cause', () => {
  test('a Lambda error document alone is its errorMessage', () => {
    expect(executionCause(document('copying s3://data/app/d.txt: Access Denied'))).toBe('copying s3://data/app/d.txt: Access Denied');
  });

  test('text the workflow added after the document is kept after its errorMessage', () => {
    const note = " 1 multipart upload started under s3://data/restored/app/ since the restore began is open (the restore aborts none): aws s3api abort-multipart-upload --bucket data --key 'restored/app/{big}.bin' --upload-id 'u-1'";
    expect(executionCause(`${document('copying s3://data/app/d.txt: Access Denied {and "braces"}')}${note}`))
      .toBe(`copying s3://data/app/d.txt: Access Denied {and "braces"}${note}`);
  });

  test('a cleanup error document inside the added text is shown as its errorMessage too', () => {
    const cleanup = document('listing s3://data/restored/app/: We encountered an internal error.', 'InternalError');
    expect(executionCause(`${document('d.txt: Access Denied')} The cleanup did not finish (InternalError: ${cleanup}): the copies may remain`))
      .toBe('d.txt: Access Denied The cleanup did not finish (InternalError: listing s3://data/restored/app/: We encountered an internal error.): the copies may remain');
  });

  test('JSON that is not a Lambda error document, and braces that never close, are shown as they are', () => {
    const cause = `${document('d.txt: Access Denied')} Open multipart uploads unknown (the step failed: {"Error":"Sandbox.Timedout","Cause":"{\\"errorMessage\\":\\"timed out\\"}"}) {`;
    expect(executionCause(cause)).toBe(`d.txt: Access Denied Open multipart uploads unknown (the step failed: {"Error":"Sandbox.Timedout","Cause":"{\\"errorMessage\\":\\"timed out\\"}"}) {`);
    expect(executionCause('volume vol-1 failed')).toBe('volume vol-1 failed');
    expect(executionCause(undefined)).toBe('');
  });
});
