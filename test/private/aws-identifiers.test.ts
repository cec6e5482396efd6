/**
 * REGION_NAME, the one shape of a region name the constructs and the report check: a partition
 * prefix of 2 to 4 letters (eu, cn, us-gov, us-iso, eusc of the AWS European Sovereign Cloud),
 * words, and a number.
 */
import { REGION_NAME } from '../../lib/private/aws-identifiers';

test.each([
  'eu-central-1', 'us-east-1', 'ap-southeast-5', 'cn-northwest-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'eusc-de-east-1',
])('%s is a region name', (region) => {
  expect(REGION_NAME.test(region)).toBe(true);
});

test.each([
  'Frankfurt', 'eu-central', 'EU-central-1', 'eu-central-1a', 'eu_central_1', 'e-central-1', 'europe-central-1', 'eu-central-1 ', '-eu-central-1', 'eu--1', '123-east-1', '',
])('%j is not a region name', (region) => {
  expect(REGION_NAME.test(region)).toBe(false);
});
