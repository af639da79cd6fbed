import { Histogram, Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram';

describe('FastHistogram', () => {
  it('exposes exactly what prom-client\'s Histogram exposes for the same observations', async () => {
    const fastRegistry = new Registry();
    const referenceRegistry = new Registry();
    const options = { name: 'rpc_seconds', help: 'calls', labelNames: ['method', 'code'], buckets: [0.01, 0.1, 1] };
    const fast = new FastHistogram({ ...options, registers: [fastRegistry] });
    const reference = new Histogram({ ...options, registers: [referenceRegistry] });
    const observations: [string, string, number][] = [
      ['Reserve', 'OK', 0.005],
      ['Reserve', 'OK', 0.01],
      ['Reserve', 'OK', 0.5],
      ['Reserve', 'UNAVAILABLE', 3],
      ['Charge', 'OK', 0.05],
    ];
    for (const [method, code, seconds] of observations) {
      fast.labels(method, code).observe(seconds);
      reference.labels(method, code).observe(seconds);
    }
    const lines = (text: string) => text.split('\n').filter(Boolean).sort();
    expect(lines(await fastRegistry.metrics())).toEqual(lines(await referenceRegistry.metrics()));
  });

  it('ignores a value that is not a finite number, and resets to zero', async () => {
    const registry = new Registry();
    const histogram = new FastHistogram({ name: 'x_seconds', help: 'x', labelNames: ['a'], buckets: [1], registers: [registry] });
    histogram.labels('v').observe(Number.NaN);
    histogram.labels('v').observe(0.5);
    expect(await registry.metrics()).toContain('x_seconds_count{a="v"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('x_seconds_count{a="v"} 0');
  });
});
