import { quantile } from '../report/stats';
import { LatencyRecorder } from './latency-recorder';

describe('LatencyRecorder', () => {
  it('keeps every latency when unbounded, growing as needed', () => {
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 200_000; i++) recorder.record(i);
    expect(recorder.count).toBe(200_000);
    expect(recorder.sorted()).toHaveLength(200_000);
  });

  it('keeps a uniform sample of a bounded size, good enough for percentiles', () => {
    const recorder = new LatencyRecorder(10_000);
    for (let i = 0; i < 1_000_000; i++) recorder.record(i % 1000);
    const sample = recorder.sorted();
    expect(recorder.count).toBe(1_000_000);
    expect(sample).toHaveLength(10_000);
    expect(quantile(sample, 0.5)).toBeGreaterThan(450);
    expect(quantile(sample, 0.5)).toBeLessThan(550);
    expect(quantile(sample, 0.99)).toBeGreaterThan(970);
  });
});
