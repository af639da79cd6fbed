import { cpuFigures } from './measurement';

describe('cpuFigures', () => {
  it('turns CPU time samples into % of a core per process and CPU µs per call', () => {
    const figures = cpuFigures({ client: 1000, server: 2000 }, { client: 1500, server: 3000 }, 2000, 10_000);
    expect(figures.cpuPercent).toEqual({ client: 25, server: 50 });
    // 1500 ms of CPU for 10,000 calls
    expect(figures.cpuUsPerCall).toBe(150);
  });

  it('has no per-call figure without calls', () => {
    expect(cpuFigures({ a: 0 }, { a: 10 }, 1000, 0).cpuUsPerCall).toBeNaN();
  });
});
