import type { Measurement } from './measurement';
import { checkTargets, p99Ratio, throughputRatio } from './ratios';

const m = (stack: string, transport: string, throughput: number, p99Ms: number, extra: Partial<Measurement> = {}): Measurement => ({
  suite: 'rpc',
  stack,
  transport,
  concurrency: 64,
  payload: 'small',
  throughput,
  p50Ms: 1,
  p99Ms,
  completed: 1000,
  errors: 0,
  windowMs: 1000,
  cpuPercent: {},
  cpuUsPerCall: 20,
  ...extra,
});

describe('ratios and targets', () => {
  const run = [
    m('raw', 'nats', 60_000, 4),
    m('nest', 'nats', 20_000, 20),
    m('switchboard', 'nats', 45_000, 6),
    m('raw', 'redis', 40_000, 5),
    m('switchboard', 'redis', 30_000, 12),
    m('switchboard', 'memory', 100_000, 0.05, { concurrency: 1, cpuUsPerCall: 8 }),
  ];

  it('compares a stack with the raw client of the same transport, concurrency and payload', () => {
    expect(throughputRatio(run, 'rpc', 'switchboard', 'nats', 64)).toBe(0.75);
    expect(p99Ratio(run, 'rpc', 'switchboard', 'nats', 64)).toBe(1.5);
    expect(throughputRatio(run, 'rpc', 'switchboard', 'nats', 1)).toBeNull();
    expect(throughputRatio(run, 'rpc', 'switchboard', 'grpc', 64)).toBeNull();
  });

  it('checks each target and says when one was not measured', () => {
    const checks = Object.fromEntries(checkTargets(run).map((c) => [c.target, c]));
    expect(checks['nats: Switchboard throughput / raw']).toMatchObject({ measured: 0.75, met: true });
    expect(checks['redis: Switchboard throughput / raw']).toMatchObject({ measured: 0.75, met: false });
    expect(checks['redis: Switchboard p99 / raw p99']).toMatchObject({ measured: 2.4, met: false });
    expect(checks['grpc: Switchboard throughput / raw']).toMatchObject({ measured: null, met: null });
    expect(checks['memory: full call path cost per call at c=1 (CPU µs)']).toMatchObject({ measured: 8, met: true });
  });
});
