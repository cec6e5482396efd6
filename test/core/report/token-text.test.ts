import { tokenText } from '../../../core/report/token-text';

test('a token reads as the parameter a Ref names, otherwise as the function that gives it, never as JSON', () => {
  expect(tokenText({ Ref: 'Days' })).toBe('Days');
  expect(tokenText({ 'Fn::ImportValue': 'Shared:Days' })).toBe('a value given by Fn::ImportValue');
  expect(tokenText({ 'Fn::If': ['Long', 365, 35] })).toBe('a value given by Fn::If');
  expect(tokenText([1, 2])).toBe('a value only the deploy resolves');
  expect(tokenText(7)).toBe('7');
});
