import { Money, moneyOfCents } from './orders.v2';

describe('orders.v2 money', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [99, '0.99'],
    [1798, '17.98'],
    [2_000_000_000, '20000000.00'],
  ])('%i cents -> "%s" EUR, a valid Money', (cents, amount) => {
    const money = moneyOfCents(cents);
    expect(money).toEqual({ amount, currency: 'EUR' });
    expect(Money.safeParse(money).success).toBe(true);
  });

  it('refuses what is not a whole number of cents', () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => moneyOfCents(bad)).toThrow(RangeError);
  });
});
