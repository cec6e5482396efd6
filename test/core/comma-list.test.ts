import { commaList } from '../../core/comma-list';

describe('commaList', () => {
  test('splits at commas, trims each entry and drops empty ones', () => {
    expect(commaList(' shop.orders, billing.invoices ,,shop.sessions ')).toEqual(['shop.orders', 'billing.invoices', 'shop.sessions']);
  });

  test('an absent, empty or blank text is an empty list', () => {
    expect(commaList(undefined)).toEqual([]);
    expect(commaList('')).toEqual([]);
    expect(commaList(' , ')).toEqual([]);
  });

  test('keeps spaces inside an entry', () => {
    expect(commaList('a b, c')).toEqual(['a b', 'c']);
  });
});
