import { SoakSample, soakVerdict } from './soak-verdict';

const samples = (rss: (i: number) => number, handles: (i: number) => number): SoakSample[] =>
  Array.from({ length: 30 }, (_, i) => ({ atS: i * 10, serverRssMiB: rss(i), clientRssMiB: 100, serverHandles: handles(i), clientHandles: 5 }));

describe('soak verdict', () => {
  it('passes a flat RSS with GC noise and steady handles', () => {
    const verdict = soakVerdict(samples((i) => 100 + (i % 3) * 4, () => 7));
    expect(verdict.leakFree).toBe(true);
    expect(verdict.serverRssGrowthPercent).toBeLessThanOrEqual(10);
  });

  it('fails RSS that keeps growing, or handles that pile up', () => {
    expect(soakVerdict(samples((i) => 100 + i * 2, () => 7))).toMatchObject({ leakFree: false });
    expect(soakVerdict(samples(() => 100, (i) => 7 + Math.floor(i / 5)))).toMatchObject({ leakFree: false, serverHandleGrowth: 5 });
  });
});
