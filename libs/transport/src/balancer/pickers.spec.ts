import { LeastOutstandingPicker } from './least-outstanding.picker';
import { RoundRobinPicker } from './round-robin.picker';

const instances = (...outstanding: number[]) => outstanding.map((n, i) => ({ name: `i${i}`, outstanding: n }));

describe('RoundRobinPicker', () => {
  it('takes each candidate in turn', () => {
    const picker = new RoundRobinPicker();
    const list = instances(0, 0, 0);
    expect(Array.from({ length: 6 }, () => picker.pick(list).name)).toEqual(['i0', 'i1', 'i2', 'i0', 'i1', 'i2']);
  });

  it('keeps going when the list shrinks', () => {
    const picker = new RoundRobinPicker();
    picker.pick(instances(0, 0, 0));
    picker.pick(instances(0, 0, 0));
    expect(picker.pick(instances(0, 0)).name).toBe('i0');
  });
});

describe('LeastOutstandingPicker', () => {
  it('takes the candidate with the fewest calls in flight', () => {
    const picker = new LeastOutstandingPicker();
    for (let i = 0; i < 5; i++) expect(picker.pick(instances(4, 1, 3)).name).toBe('i1');
  });

  it('spreads evenly among ties (round robin)', () => {
    const picker = new LeastOutstandingPicker();
    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const name = picker.pick(instances(2, 0, 0, 0)).name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect(counts.get('i0')).toBeUndefined();
    expect([counts.get('i1'), counts.get('i2'), counts.get('i3')]).toEqual([100, 100, 100]);
  });

  it('sends fewer calls to a slow instance under load (simulated)', () => {
    // Three instances; i0 takes 5 ticks per call, the others 1. Each tick starts 3 calls.
    const picker = new LeastOutstandingPicker();
    const list = instances(0, 0, 0);
    const durations = [5, 1, 1];
    const running: { index: number; until: number }[] = [];
    const sent = [0, 0, 0];
    for (let tick = 0; tick < 300; tick++) {
      for (let i = running.length - 1; i >= 0; i--) {
        if (running[i].until <= tick) {
          list[running[i].index].outstanding--;
          running.splice(i, 1);
        }
      }
      for (let c = 0; c < 3; c++) {
        const chosen = picker.pick(list);
        const index = list.indexOf(chosen);
        chosen.outstanding++;
        sent[index]++;
        running.push({ index, until: tick + durations[index] });
      }
    }
    expect(sent[0]).toBeLessThan(sent[1] / 2);
    expect(sent[0]).toBeLessThan(sent[2] / 2);
  });
});
