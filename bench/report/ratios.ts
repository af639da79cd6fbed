import type { Measurement } from './measurement';
import { ratio } from './stats';

/** A target of the issue, checked against the measurements of one run. */
export interface TargetCheck {
  target: string;
  /** The measured figure (a ratio, or microseconds for the in-process cost). */
  measured: number | null;
  goal: string;
  met: boolean | null;
  detail: string;
}

const find = (ms: readonly Measurement[], suite: string, stack: string, transport: string, concurrency: number, payload = 'small') =>
  ms.find((m) => m.suite === suite && m.stack === stack && m.transport === transport && m.concurrency === concurrency && m.payload === payload);

/** Throughput of `stack` over the raw client's, same transport, concurrency and payload. */
export function throughputRatio(ms: readonly Measurement[], suite: string, stack: string, transport: string, concurrency: number, payload = 'small'): number | null {
  return ratio(find(ms, suite, stack, transport, concurrency, payload)?.throughput, find(ms, suite, 'raw', transport, concurrency, payload)?.throughput);
}

/** p99 latency of `stack` over the raw client's. */
export function p99Ratio(ms: readonly Measurement[], suite: string, stack: string, transport: string, concurrency: number, payload = 'small'): number | null {
  return ratio(find(ms, suite, stack, transport, concurrency, payload)?.p99Ms, find(ms, suite, 'raw', transport, concurrency, payload)?.p99Ms);
}

const THROUGHPUT_GOALS: [transport: string, goal: number][] = [
  ['nats', 0.65],
  ['redis', 0.85],
  ['grpc', 0.9],
  ['tcp', 0.65],
];

const fmt = (value: number | null, digits = 2) => (value === null ? 'n/a' : value.toFixed(digits));

/** Every target of the issue (c=64, small payload) against this run. */
export function checkTargets(ms: readonly Measurement[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const atLeast = (target: string, measured: number | null, goal: number, detail: string) =>
    checks.push({ target, measured, goal: `>= ${goal}x raw`, met: measured === null ? null : measured >= goal, detail });
  for (const [transport, goal] of THROUGHPUT_GOALS) {
    const sb = find(ms, 'rpc', 'switchboard', transport, 64);
    const raw = find(ms, 'rpc', 'raw', transport, 64);
    const nest = throughputRatio(ms, 'rpc', 'nest', transport, 64);
    atLeast(
      `${transport}: Switchboard throughput / raw`,
      throughputRatio(ms, 'rpc', 'switchboard', transport, 64),
      goal,
      `switchboard ${Math.round(sb?.throughput ?? NaN)}/s, raw ${Math.round(raw?.throughput ?? NaN)}/s, nest stock ${fmt(nest)}x raw; ` +
        `CPU per call switchboard ${Math.round(sb?.cpuUsPerCall ?? NaN)} µs, raw ${Math.round(raw?.cpuUsPerCall ?? NaN)} µs`,
    );
  }
  for (const transport of ['nats', 'redis', 'grpc', 'tcp']) {
    const measured = p99Ratio(ms, 'rpc', 'switchboard', transport, 64);
    checks.push({
      target: `${transport}: Switchboard p99 / raw p99`,
      measured,
      goal: '<= 2x raw',
      met: measured === null ? null : measured <= 2,
      detail: `switchboard ${fmt(find(ms, 'rpc', 'switchboard', transport, 64)?.p99Ms ?? null)} ms, raw ${fmt(find(ms, 'rpc', 'raw', transport, 64)?.p99Ms ?? null)} ms`,
    });
  }
  const memory = find(ms, 'rpc', 'switchboard', 'memory', 1);
  const perCall = memory ? memory.cpuUsPerCall : null;
  checks.push({
    target: 'memory: full call path cost per call at c=1 (CPU µs)',
    measured: perCall,
    goal: '<= 10 µs',
    met: perCall === null ? null : perCall <= 10,
    detail: memory ? `${Math.round(memory.throughput)} calls/s, i.e. ${(1e6 / memory.throughput).toFixed(1)} µs per call end to end` : 'not measured',
  });
  for (const bus of ['jetstream', 'redis-streams']) {
    atLeast(
      `events ${bus}: Switchboard publish+consume+ack / raw`,
      throughputRatio(ms, 'events', 'switchboard', bus, 64),
      0.8,
      `switchboard ${Math.round(find(ms, 'events', 'switchboard', bus, 64)?.throughput ?? NaN)}/s, raw ${Math.round(find(ms, 'events', 'raw', bus, 64)?.throughput ?? NaN)}/s; ` +
        `CPU per event switchboard ${Math.round(find(ms, 'events', 'switchboard', bus, 64)?.cpuUsPerCall ?? NaN)} µs, raw ${Math.round(find(ms, 'events', 'raw', bus, 64)?.cpuUsPerCall ?? NaN)} µs`,
    );
  }
  return checks;
}
