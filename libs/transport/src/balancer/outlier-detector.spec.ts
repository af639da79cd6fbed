import { OutlierDetector } from './outlier-detector';

describe('OutlierDetector', () => {
  let now = 0;
  const clock = () => now;
  const detector = () => new OutlierDetector({ consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 5000 }, clock);
  beforeEach(() => (now = 1_000_000));

  it('ejects an instance after consecutive failures, not after failures broken by a success', () => {
    const d = detector();
    d.failure('a');
    d.failure('a');
    d.success('a');
    d.failure('a');
    d.failure('a');
    expect(d.isEjected('a')).toBe(false);
    expect(d.failure('a')).toBe(true);
    expect(d.isEjected('a')).toBe(true);
    now += 999;
    expect(d.isEjected('a')).toBe(true);
    now += 2;
    expect(d.isEjected('a')).toBe(false);
  });

  it('ejects for twice as long each time, up to the maximum', () => {
    const d = detector();
    const lengths: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (let f = 0; f < 3; f++) d.failure('a');
      const start = now;
      while (d.isEjected('a')) now += 100;
      lengths.push(now - start);
    }
    expect(lengths).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('forgets past ejections after a healthy spell', () => {
    const d = detector();
    for (let f = 0; f < 3; f++) d.failure('a');
    now += 1000 + 5000 + 1;
    for (let f = 0; f < 3; f++) d.failure('a');
    now += 999;
    expect(d.isEjected('a')).toBe(true);
    now += 2;
    expect(d.isEjected('a')).toBe(false);
  });

  it('never ejects every instance: with all ejected, all are candidates', () => {
    const d = detector();
    for (const key of ['a', 'b']) for (let f = 0; f < 3; f++) d.failure(key);
    expect(d.filter(['a', 'b', 'c'], (k) => k)).toEqual(['c']);
    for (let f = 0; f < 3; f++) d.failure('c');
    expect(d.filter(['a', 'b', 'c'], (k) => k)).toEqual(['a', 'b', 'c']);
  });
});
