import type { Measurement } from './measurement';
import { appUsPerRequest, cellSummary, checkTargets, measuredText, p99Ratio, throughputRatio, tracingCostPerSpan, verdict } from './ratios';

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
    m('raw', 'nats', 60_000, 4, { cpuUsPerCall: 30 }),
    m('nest', 'nats', 20_000, 20),
    m('moleculer', 'nats', 40_000, 7, { cpuUsPerCall: 38 }),
    m('switchboard', 'nats', 45_000, 6, { cpuUsPerCall: 36 }),
    m('switchboard-traced', 'nats', 30_000, 9, { cpuUsPerCall: 75.6 }),
    m('raw', 'tcp', 50_000, 3),
    m('moleculer', 'tcp', 30_000, 5),
    m('switchboard', 'tcp', 24_000, 7, { cpuUsPerCall: 80 }),
    m('raw', 'redis', 40_000, 5),
    m('switchboard', 'redis', 30_000, 12),
    m('switchboard', 'memory', 100_000, 0.05, { concurrency: 1, cpuUsPerCall: 8 }),
  ];

  it('compares a stack with the raw client, or another stack, of the same transport, concurrency and payload', () => {
    expect(throughputRatio(run, 'rpc', 'switchboard', 'nats', 64)).toBe(0.75);
    expect(throughputRatio(run, 'rpc', 'switchboard', 'nats', 64, 'small', 'moleculer')).toBe(1.125);
    expect(throughputRatio(run, 'rpc', 'switchboard', 'redis', 64, 'small', 'moleculer')).toBeNull();
    expect(p99Ratio(run, 'rpc', 'switchboard', 'nats', 64)).toBe(1.5);
    expect(throughputRatio(run, 'rpc', 'switchboard', 'nats', 1)).toBeNull();
    expect(throughputRatio(run, 'rpc', 'switchboard', 'grpc', 64)).toBeNull();
  });

  it('prices a span: the CPU per call of every call traced over 1% traced, per extra span (2 x 0.99 per call)', () => {
    const cost = tracingCostPerSpan(run, 'nats');
    expect(cost?.extraSpansPerCall).toBeCloseTo(1.98, 10);
    expect(cost?.usPerSpan).toBeCloseTo((75.6 - 36) / 1.98, 10);
    expect(tracingCostPerSpan(run, 'tcp')).toBeNull();
    expect(tracingCostPerSpan([...run.filter((x) => x.stack !== 'switchboard-traced'), m('switchboard-traced', 'nats', 1, 1, { cpuUsPerCall: NaN })], 'nats')).toBeNull();
  });

  it('gives an app CPU per request from its share of a core in the window', () => {
    const get = m('GET /v1/orders/:id', 'nats', 4000, 30, { suite: 'gateway', completed: 8000, windowMs: 2000, cpuPercent: { gateway: 100 } });
    expect(appUsPerRequest(get, 'gateway')).toBe(250);
    expect(appUsPerRequest(get, 'orders')).toBeNull();
  });

  it('checks each target of the issue and says when one was not measured', () => {
    const checks = Object.fromEntries(checkTargets(run).map((c) => [c.target, c]));
    expect(checks["nats: Switchboard throughput / Moleculer's"]).toMatchObject({ measured: 1.125, met: true });
    expect(checks['nats: Switchboard CPU per call (µs, client + server + broker)']).toMatchObject({ measured: 36, met: true });
    expect(checks["tcp: Switchboard throughput / Moleculer's"]).toMatchObject({ measured: 0.8, met: false });
    expect(checks['tcp: Switchboard CPU per call (µs, client + server + broker)']).toMatchObject({ measured: 80, met: false });
    expect(checks['redis: Switchboard throughput / raw']).toMatchObject({ measured: 0.75, met: true });
    expect(checks['redis: Switchboard p99 / raw p99']).toMatchObject({ measured: 2.4, met: false });
    expect(checks['grpc: Switchboard throughput / raw']).toMatchObject({ measured: null, met: null });
    expect(checks['memory: Switchboard CPU per call at c=1 (µs)']).toMatchObject({ measured: 8, met: true });
    expect(checks['nats: tracing cost per span (CPU µs)']).toMatchObject({ met: true });
    expect(checks['nats: tracing cost per span (CPU µs)'].measured).toBeCloseTo(20, 10);
    expect(checks['memory: tracing cost per span (CPU µs)']).toMatchObject({ measured: null, met: null });
    expect(checks['gateway over nats: GET /v1/orders/:id throughput (req/s)']).toMatchObject({ measured: null, met: null });
  });

  it('checks the order flow over nats: every order offered final, and p99 POST -> CONFIRMED within 1 s', () => {
    const outcome = { offeredPerSecond: 300, offered: 18_000, accepted: 18_000, refused: 0, failed: 0, confirmed: 17_990, rejected: 10, notFinal: 0 };
    const flow = (extra: object) =>
      m('POST /v1/orders -> CONFIRMED', 'nats', 290, 640, {
        suite: 'flow',
        payload: '300/s offered',
        flow: { ...outcome, confirmP50Ms: 90, confirmP99Ms: 640, confirmMaxMs: 900, acceptP99Ms: 40, ...extra },
      });
    const byTarget = (ms: Measurement[]) => Object.fromEntries(checkTargets(ms).map((c) => [c.target, c]));
    const met = byTarget([flow({})]);
    expect(met['order flow over nats: orders offered that did not reach a final state']).toMatchObject({ measured: 0, met: true });
    expect(met['order flow over nats: p99 POST -> CONFIRMED (ms)']).toMatchObject({ measured: 640, met: true });
    expect(measuredText(met['order flow over nats: p99 POST -> CONFIRMED (ms)'])).toBe('640 ms');
    const missed = byTarget([flow({ accepted: 17_995, refused: 5, confirmed: 17_980, notFinal: 5, confirmP99Ms: 1400 })]);
    expect(missed['order flow over nats: orders offered that did not reach a final state']).toMatchObject({ measured: 10, met: false });
    expect(measuredText(missed['order flow over nats: orders offered that did not reach a final state'])).toBe('10 orders');
    expect(missed['order flow over nats: p99 POST -> CONFIRMED (ms)']).toMatchObject({ measured: 1400, met: false });
    expect(byTarget(run)['order flow over nats: p99 POST -> CONFIRMED (ms)']).toMatchObject({ measured: null, met: null });
  });

  it('reads each verdict and figure with its unit', () => {
    const checks = checkTargets(run);
    const byTarget = (target: string) => checks.find((c) => c.target === target)!;
    expect(verdict(byTarget("nats: Switchboard throughput / Moleculer's"))).toBe('met');
    expect(verdict(byTarget("tcp: Switchboard throughput / Moleculer's"))).toBe('not met');
    expect(verdict(byTarget('grpc: Switchboard throughput / raw'))).toBe('not measured');
    expect(measuredText(byTarget("tcp: Switchboard throughput / Moleculer's"))).toBe('0.80x');
    expect(measuredText(byTarget('nats: tracing cost per span (CPU µs)'))).toBe('20.0 µs');
    expect(measuredText(byTarget('grpc: Switchboard throughput / raw'))).toBe('n/a');
    expect(byTarget('grpc: Switchboard throughput / raw').detail).toBe('switchboard not measured, raw not measured, nest stock n/a raw; CPU per call switchboard n/a, raw n/a');
    expect(byTarget("nats: Switchboard throughput / Moleculer's").detail).toBe('switchboard 45000/s (0.75x raw), moleculer 40000/s (0.67x raw), raw 60000/s');
  });

  it('sums up a cell for the console: Switchboard against Moleculer, raw and Nest, and the price of a span', () => {
    const nats = run.filter((x) => x.transport === 'nats');
    expect(cellSummary(nats)).toBe(
      '=> rpc nats c=64 small: switchboard 1.13x moleculer, 0.75x raw, 2.25x nest; tracing 20.0 µs CPU per span | ' +
        'raw 60000/s 30 µs/call | nest 20000/s 20 µs/call | moleculer 40000/s 38 µs/call | switchboard 45000/s 36 µs/call | switchboard-traced 30000/s 76 µs/call',
    );
    expect(cellSummary(run.filter((x) => x.transport === 'memory'))).toBe('=> rpc memory c=1 small: switchboard alone | switchboard 100000/s 8 µs/call');
    expect(cellSummary(run.filter((x) => x.stack === 'raw'))).toBeUndefined();
  });
});
