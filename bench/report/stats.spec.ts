import { mean, quantile, ratio, round } from './stats';

describe('bench stats', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes quantiles by nearest rank', () => {
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile(sorted, 1)).toBe(100);
    expect(quantile(sorted, 0)).toBe(1);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('averages', () => {
    expect(mean(sorted)).toBe(50.5);
    expect(mean([])).toBeNaN();
  });

  it('makes a ratio only from two finite figures and a non-zero base', () => {
    expect(ratio(30, 60)).toBe(0.5);
    expect(ratio(30, 0)).toBeNull();
    expect(ratio(undefined, 60)).toBeNull();
    expect(ratio(NaN, 60)).toBeNull();
  });

  it('rounds to significant digits', () => {
    expect(round(123456, 3)).toBe(123000);
    expect(round(0.012345, 2)).toBe(0.012);
  });
});
