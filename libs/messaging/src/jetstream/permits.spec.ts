import { Permits } from './permits';

describe('Permits', () => {
  it('takes up to the asked number of free permits, at least one, and waits when none is free', async () => {
    const permits = new Permits(3);
    expect(await permits.take(2)).toBe(2);
    expect(await permits.take(5)).toBe(1);
    let got = -1;
    const waiting = permits.take(2).then((n) => (got = n));
    await Promise.resolve();
    expect(got).toBe(-1);
    permits.give(2);
    await waiting;
    expect(got).toBe(2);
  });

  it('never holds more than its capacity, and answers 0 once closed', async () => {
    const permits = new Permits(2);
    permits.give(5);
    expect(permits.available).toBe(2);
    await permits.take(2);
    const waiting = permits.take(1);
    permits.close();
    expect(await waiting).toBe(0);
    expect(await permits.take(1)).toBe(0);
  });

  it('takes one permit without waiting when one is free, and none once closed', () => {
    const permits = new Permits(1);
    expect(permits.tryTake()).toBe(true);
    expect(permits.tryTake()).toBe(false);
    permits.give(1);
    permits.close();
    expect(permits.tryTake()).toBe(false);
  });
});
