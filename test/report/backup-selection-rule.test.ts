import { selectionEntryNames, selectionSelects, Selects, SelectionTerms } from '../../lib/report/backup-selection-rule';

const TAGGED = { backup: 'daily', stage: 'prod-eu' };
const namedById = (entry: unknown): boolean | 'maybe' => selectionEntryNames(entry, 'AWS::RDS::DBInstance', (value) => JSON.stringify(value) === '{"Ref":"Db"}');
const selects = (terms: SelectionTerms, tags: { [key: string]: unknown } = TAGGED): Selects => selectionSelects(terms, namedById, tags);
const condition = (key: string, value: string) => ({ conditionKey: `aws:ResourceTag/${key}`, conditionValue: value });

describe('selectionSelects: AWS Backup selection rules', () => {
  test('Resources and ListOfTags: either one is enough', () => {
    expect(selects({ resources: [{ Ref: 'Db' }] }, {})).toBe(true);
    expect(selects({ resources: [{ Ref: 'Other' }] }, {})).toBe(false);
    expect(selects({ resources: [{ Ref: 'Other' }], listOfTags: [{ conditionKey: 'backup', conditionValue: 'daily' }] })).toBe(true);
    expect(selects({ listOfTags: [{ conditionKey: 'backup', conditionValue: 'weekly' }, { conditionKey: 'stage', conditionValue: 'prod-eu' }] })).toBe(true);
    expect(selects({ listOfTags: [{ conditionKey: 'backup', conditionValue: 'weekly' }] })).toBe(false);
  });

  test('Resources as * or an ARN pattern of the resource type\'s service', () => {
    expect(selects({ resources: ['*'] }, {})).toBe(true);
    expect(selects({ resources: ['arn:aws:rds:*:*:db:*'] }, {})).toBe(true);
    expect(selects({ resources: ['arn:aws:ec2:*:*:volume/*'] }, {})).toBe(false);
    expect(selects({ resources: ['arn:aws:rds:eu-west-1:111111111111:db:exact'] }, {})).toBe(false);
    expect(selects({ resources: ['arn:aws:rds:*:*:*'] }, {})).toBe(true);
    // Another type of the service, or only the names the deploy matches, is not every instance.
    expect(selects({ resources: ['arn:aws:rds:*:*:cluster:*'] }, {})).toBe(false);
    expect(selects({ resources: ['arn:aws:rds:*:*:db:scratch-*'] }, {})).toBe(false);
    expect(selects({ resources: ['arn:aws:*:*:*:db:*'] }, {})).toBe(false);
  });

  test('NotResources excludes what it may name: any ARN or pattern of the service, not another service', () => {
    expect(selects({ resources: ['*'], notResources: ['arn:aws:rds:eu-west-1:111111111111:db:exact'] }, {})).toBe(false);
    expect(selects({ resources: ['*'], notResources: ['arn:aws:rds:*:*:db:scratch-*'] }, {})).toBe(false);
    expect(selects({ resources: ['*'], notResources: ['arn:aws:s3:::scratch-*', 'arn:aws:ec2:*:*:volume/*'] }, {})).toBe(true);
  });

  test('every one of the Conditions must hold, also next to Resources', () => {
    expect(selects({ resources: ['*'], conditions: { stringEquals: [condition('backup', 'daily')] } })).toBe(true);
    expect(selects({ resources: ['*'], conditions: { stringEquals: [condition('backup', 'daily')] } }, {})).toBe(false);
    expect(selects({ resources: ['*'], conditions: { stringEquals: [condition('backup', 'daily'), condition('stage', 'test')] } })).toBe(false);
    expect(selects({ resources: [{ Ref: 'Db' }], conditions: { stringNotEquals: [condition('backup', 'daily')] } })).toBe(false);
    expect(selects({ resources: [{ Ref: 'Db' }], conditions: { stringNotEquals: [condition('backup', 'daily')] } }, {})).toBe(true);
    expect(selects({ resources: ['*'], conditions: { stringLike: [condition('stage', 'prod*')] } })).toBe(true);
    expect(selects({ resources: ['*'], conditions: { stringLike: [condition('stage', '*eu')], stringNotLike: [condition('stage', 'prod-*')] } })).toBe(false);
    expect(selects({ resources: ['*'], conditions: { stringLike: [condition('stage', 'prod.eu')] } })).toBe(false);
    expect(selects({ resources: ['*'], conditions: { stringEquals: [{ conditionKey: 'aws:RequestTag/backup', conditionValue: 'daily' }] } })).toBe(false);
  });

  test('Conditions alone select every resource that meets them; NotResources always excludes', () => {
    expect(selects({ conditions: { stringEquals: [condition('backup', 'daily')] } })).toBe(true);
    expect(selects({ conditions: { stringEquals: [condition('backup', 'daily')] } }, { backup: 'weekly' })).toBe(false);
    expect(selects({})).toBe(false);
    expect(selects({ resources: ['*'], notResources: ['arn:aws:rds:*:*:db:*'] })).toBe(false);
    expect(selects({ resources: ['*'], notResources: [{ Ref: 'Db' }] })).toBe(false);
  });

  // A token (resolved to { Ref: ... }) is compared only at deploy.
  test('a tag value or a condition value that is a token is unknown, unless the rest decides', () => {
    const token = { Ref: 'Tier' };
    const tokenValue = (key: string) => ({ conditionKey: `aws:ResourceTag/${key}`, conditionValue: token });
    expect(selects({ listOfTags: [{ conditionKey: 'backup', conditionValue: 'daily' }] }, { backup: token })).toBe('unknown');
    expect(selects({ listOfTags: [{ conditionKey: 'backup', conditionValue: token }] })).toBe('unknown');
    expect(selects({ resources: ['*'], conditions: { stringEquals: [condition('backup', 'daily')] } }, { backup: token })).toBe('unknown');
    expect(selects({ resources: ['*'], conditions: { stringNotEquals: [condition('backup', 'none')] } }, { backup: token })).toBe('unknown');
    expect(selects({ resources: ['*'], conditions: { stringLike: [tokenValue('stage')] } })).toBe('unknown');
    expect(selects({ conditions: { stringNotLike: [condition('stage', 'test*')] } }, { stage: token })).toBe('unknown');
    // A resource without the tag: a token value changes nothing.
    expect(selects({ resources: ['*'], conditions: { stringEquals: [tokenValue('backup')] } }, {})).toBe(false);
    expect(selects({ resources: ['*'], conditions: { stringNotEquals: [tokenValue('backup')] } }, {})).toBe(true);
    // Another term decides: listed by reference, or a condition that surely fails.
    expect(selects({ resources: [{ Ref: 'Db' }], listOfTags: [{ conditionKey: 'backup', conditionValue: token }] })).toBe(true);
    expect(selects({ resources: ['*'], conditions: { stringEquals: [tokenValue('backup'), condition('stage', 'test')] } })).toBe(false);
    expect(selects({ resources: ['*'], notResources: [{ Ref: 'Db' }], conditions: { stringEquals: [tokenValue('backup')] } })).toBe(false);
  });
});
