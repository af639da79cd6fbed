import type { Measurement } from './measurement';
import { chartGroups, svgChart } from './svg-chart';

const m = (stack: string, transport: string, throughput: number, concurrency = 64): Measurement => ({
  suite: 'rpc',
  stack,
  transport,
  concurrency,
  payload: 'small',
  throughput,
  p50Ms: 1,
  p99Ms: 2,
  completed: 1,
  errors: 0,
  windowMs: 1,
  cpuPercent: {},
  cpuUsPerCall: 1,
});

describe('svg chart', () => {
  const groups = chartGroups([m('switchboard', 'nats', 30_000), m('raw', 'nats', 60_000), m('nest', 'nats', 20_000), m('raw', 'tcp', 1, 1)]);

  it('groups c=64 measurements by transport, raw first', () => {
    expect(groups).toEqual([
      {
        label: 'rpc nats',
        bars: [
          { stack: 'raw', throughput: 60_000 },
          { stack: 'nest', throughput: 20_000 },
          { stack: 'switchboard', throughput: 30_000 },
        ],
      },
    ]);
  });

  it('draws bars as long as their ratio to raw, labelled with req/s and the ratio', () => {
    const svg = svgChart(groups, 'a <title> & more');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('a &lt;title&gt; &amp; more');
    expect(svg).toContain('30,000/s (0.50x)');
    const widths = [...svg.matchAll(/<rect x="150" y="\d+" width="([\d.]+)" height="16"/g)].map((match) => Number(match[1]));
    expect(widths).toHaveLength(3);
    expect(widths[2] / widths[0]).toBeCloseTo(0.5, 2);
    expect(widths[1] / widths[0]).toBeCloseTo(1 / 3, 2);
  });

  it('puts Moleculer between Nest and Switchboard, the fully traced Switchboard last', () => {
    const stacks = chartGroups([m('switchboard-traced', 'nats', 1), m('switchboard', 'nats', 2), m('moleculer', 'nats', 3), m('raw', 'nats', 4), m('nest', 'nats', 5)])[0].bars.map((b) => b.stack);
    expect(stacks).toEqual(['raw', 'nest', 'moleculer', 'switchboard', 'switchboard-traced']);
  });
});
