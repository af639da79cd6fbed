import { LabelCache } from './label-cache';

describe('LabelCache', () => {
  it('makes one child per label set and reuses it', () => {
    const made: string[][] = [];
    const cache = new LabelCache((values) => (made.push(values), { values }));
    const a = cache.get('gateway', 'orders', 'OK');
    expect(cache.get('gateway', 'orders', 'OK')).toBe(a);
    expect(cache.get('gateway', 'orders', 'NOT_FOUND')).not.toBe(a);
    expect(made).toEqual([
      ['gateway', 'orders', 'OK'],
      ['gateway', 'orders', 'NOT_FOUND'],
    ]);
  });

  it('does not confuse label sets whose joined values look alike', () => {
    const cache = new LabelCache((values) => ({ values }));
    expect(cache.get('a b', 'c')).not.toBe(cache.get('a', 'b c'));
  });

  it('bounds the label sets: beyond the limit every new set shares one "_other" child', () => {
    const cache = new LabelCache((values) => ({ values }), 2);
    cache.get('x', '1');
    cache.get('x', '2');
    const overflow = cache.get('attacker', 'random-1');
    expect(overflow).toEqual({ values: ['_other', '_other'] });
    expect(cache.get('attacker', 'random-2')).toBe(overflow);
    expect(cache.get('x', '1')).toEqual({ values: ['x', '1'] });
  });
});
