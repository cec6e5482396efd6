import { tokenText, tokensInWords } from '../../../core/report/token-text';

test('a token reads as the parameter a Ref names, otherwise as the function that gives it, never as JSON', () => {
  expect(tokenText({ Ref: 'Days' })).toBe('Days');
  expect(tokenText({ 'Fn::ImportValue': 'Shared:Days' })).toBe('a value given by Fn::ImportValue');
  expect(tokenText({ 'Fn::If': ['Long', 365, 35] })).toBe('a value given by Fn::If');
  expect(tokenText([1, 2])).toBe('a value only the deploy resolves');
  expect(tokenText(7)).toBe('7');
});

test('a value with tokens in it reads with each token in words, at any depth; its literal values stay as they are', () => {
  expect(tokensInWords({ AWS: [{ 'Fn::GetAtt': ['Role', 'Arn'] }, 'arn:aws:iam::111111111111:root'] }))
    .toEqual({ AWS: ['a value given by Fn::GetAtt', 'arn:aws:iam::111111111111:root'] });
  expect(tokensInWords({ NumericLessThan: { age: 3600 }, Bool: { secure: false }, Null: { tag: null } })).toEqual({ NumericLessThan: { age: 3600 }, Bool: { secure: false }, Null: { tag: null } });
  expect(tokensInWords({ Ref: 'Who' })).toBe('Who');
  expect(tokensInWords(undefined)).toBeUndefined();
});
