import { SAMPLE_RATIO, SPANS_PER_TRACED_CALL } from '../rpc/rpc-stack';
import type { Measurement } from './measurement';
import { ratio } from './stats';

/** A target of the issue, checked against the measurements of one run. */
export interface TargetCheck {
  target: string;
  /** The measured figure, in `unit`. */
  measured: number | null;
  /** x: a ratio; µs: microseconds of CPU; /s: per second; ms: latency; orders: a count. */
  unit: 'x' | 'µs' | '/s' | 'ms' | 'orders';
  goal: string;
  /** null: not measured in this run. */
  met: boolean | null;
  detail: string;
}

/** The measurement of one cell, if the run has it. */
export const find = (ms: readonly Measurement[], suite: string, stack: string, transport: string, concurrency: number, payload = 'small') =>
  ms.find((m) => m.suite === suite && m.stack === stack && m.transport === transport && m.concurrency === concurrency && m.payload === payload);

/** Throughput of `stack` over `base`'s (the raw client by default), same transport, concurrency and payload. */
export function throughputRatio(
  ms: readonly Measurement[],
  suite: string,
  stack: string,
  transport: string,
  concurrency: number,
  payload = 'small',
  base = 'raw',
): number | null {
  return ratio(find(ms, suite, stack, transport, concurrency, payload)?.throughput, find(ms, suite, base, transport, concurrency, payload)?.throughput);
}

/** p99 latency of `stack` over the raw client's. */
export function p99Ratio(ms: readonly Measurement[], suite: string, stack: string, transport: string, concurrency: number, payload = 'small'): number | null {
  return ratio(find(ms, suite, stack, transport, concurrency, payload)?.p99Ms, find(ms, suite, 'raw', transport, concurrency, payload)?.p99Ms);
}

export interface SpanCost {
  /** CPU µs (client + server + broker) one span costs. */
  usPerSpan: number;
  /** CPU µs per call of the fully traced row and of the production-sampled row. */
  tracedUsPerCall: number;
  sampledUsPerCall: number;
  /** Spans per call the traced row makes beyond the sampled row's. */
  extraSpansPerCall: number;
}

/**
 * The CPU cost of one span: `switchboard-traced` (every call traced: a client and a server span) against
 * `switchboard` (1% of calls traced) in the same cell, the difference in CPU per call divided by the difference in
 * spans per call (2 x (1 - 0.01) = 1.98).
 */
export function tracingCostPerSpan(ms: readonly Measurement[], transport: string, concurrency = 64, payload = 'small'): SpanCost | null {
  const traced = find(ms, 'rpc', 'switchboard-traced', transport, concurrency, payload);
  const sampled = find(ms, 'rpc', 'switchboard', transport, concurrency, payload);
  if (!traced || !sampled || !Number.isFinite(traced.cpuUsPerCall) || !Number.isFinite(sampled.cpuUsPerCall)) return null;
  const extraSpansPerCall = SPANS_PER_TRACED_CALL * ((SAMPLE_RATIO['switchboard-traced'] ?? 1) - (SAMPLE_RATIO.switchboard ?? 0));
  return {
    usPerSpan: (traced.cpuUsPerCall - sampled.cpuUsPerCall) / extraSpansPerCall,
    tracedUsPerCall: traced.cpuUsPerCall,
    sampledUsPerCall: sampled.cpuUsPerCall,
    extraSpansPerCall,
  };
}

/** CPU µs one app of the gateway suite spent per completed request (`role` as in the measurement's cpuPercent). */
export function appUsPerRequest(m: Measurement, role: string): number | null {
  const percent = m.cpuPercent[role];
  if (percent === undefined || !Number.isFinite(percent) || m.completed <= 0) return null;
  return ((percent / 100) * m.windowMs * 1000) / m.completed;
}

const fmt = (value: number | null | undefined, digits = 2) => (value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));
const times = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(2)}x`);
const perSecond = (m: Measurement | undefined) => (m ? `${Math.round(m.throughput)}/s` : 'not measured');
const us = (m: Measurement | undefined) => (m ? `${Math.round(m.cpuUsPerCall)} µs` : 'n/a');
const atMost = (measured: number | null, goal: number) => (measured === null ? null : measured <= goal);
const atLeast = (measured: number | null, goal: number) => (measured === null ? null : measured >= goal);

/** The peer transports: Switchboard must match Moleculer's throughput within a CPU budget per call. */
const PEER_GOALS: [transport: string, maxUsPerCall: number][] = [
  ['nats', 40],
  ['tcp', 50],
];
const RAW_GOALS: [transport: string, minRatio: number][] = [
  ['redis', 0.7],
  ['grpc', 0.85],
];
const MAX_US_PER_SPAN = 30;

/**
 * Every target of issue 13's "Done means" this run can check (c=64, small payload unless said): throughput against
 * Moleculer (NATS, TCP) or raw (Redis, gRPC), CPU per call, in-process cost at c=1, p99 against raw, the cost of a
 * span, and the gateway over NATS.
 */
export function checkTargets(ms: readonly Measurement[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const [transport, maxUs] of PEER_GOALS) {
    const sb = find(ms, 'rpc', 'switchboard', transport, 64);
    const mol = find(ms, 'rpc', 'moleculer', transport, 64);
    const raw = find(ms, 'rpc', 'raw', transport, 64);
    const vsMoleculer = throughputRatio(ms, 'rpc', 'switchboard', transport, 64, 'small', 'moleculer');
    checks.push({
      target: `${transport}: Switchboard throughput / Moleculer's`,
      measured: vsMoleculer,
      unit: 'x',
      goal: '>= 1x Moleculer',
      met: atLeast(vsMoleculer, 1),
      detail:
        `switchboard ${perSecond(sb)} (${times(throughputRatio(ms, 'rpc', 'switchboard', transport, 64))} raw), ` +
        `moleculer ${perSecond(mol)} (${times(throughputRatio(ms, 'rpc', 'moleculer', transport, 64))} raw), raw ${perSecond(raw)}`,
    });
    const cpu = sb && Number.isFinite(sb.cpuUsPerCall) ? sb.cpuUsPerCall : null;
    checks.push({
      target: `${transport}: Switchboard CPU per call (µs, client + server + broker)`,
      measured: cpu,
      unit: 'µs',
      goal: `<= ${maxUs} µs`,
      met: atMost(cpu, maxUs),
      detail: `switchboard ${us(sb)}, moleculer ${us(mol)}, raw ${us(raw)}`,
    });
  }
  for (const [transport, goal] of RAW_GOALS) {
    const sb = find(ms, 'rpc', 'switchboard', transport, 64);
    const raw = find(ms, 'rpc', 'raw', transport, 64);
    const measured = throughputRatio(ms, 'rpc', 'switchboard', transport, 64);
    checks.push({
      target: `${transport}: Switchboard throughput / raw`,
      measured,
      unit: 'x',
      goal: `>= ${goal}x raw`,
      met: atLeast(measured, goal),
      detail:
        `switchboard ${perSecond(sb)}, raw ${perSecond(raw)}, nest stock ${times(throughputRatio(ms, 'rpc', 'nest', transport, 64))} raw; ` +
        `CPU per call switchboard ${us(sb)}, raw ${us(raw)}`,
    });
  }
  const memory = find(ms, 'rpc', 'switchboard', 'memory', 1);
  const perCall = memory && Number.isFinite(memory.cpuUsPerCall) ? memory.cpuUsPerCall : null;
  checks.push({
    target: 'memory: Switchboard CPU per call at c=1 (µs)',
    measured: perCall,
    unit: 'µs',
    goal: '<= 10 µs',
    met: atMost(perCall, 10),
    detail: memory ? `${Math.round(memory.throughput)} calls/s, i.e. ${(1e6 / memory.throughput).toFixed(1)} µs per call end to end` : 'not measured (c=1 is not in --quick)',
  });
  for (const transport of ['nats', 'redis', 'grpc', 'tcp']) {
    const measured = p99Ratio(ms, 'rpc', 'switchboard', transport, 64);
    checks.push({
      target: `${transport}: Switchboard p99 / raw p99`,
      measured,
      unit: 'x',
      goal: '<= 2x raw',
      met: atMost(measured, 2),
      detail: `switchboard ${fmt(find(ms, 'rpc', 'switchboard', transport, 64)?.p99Ms)} ms, raw ${fmt(find(ms, 'rpc', 'raw', transport, 64)?.p99Ms)} ms`,
    });
  }
  for (const transport of ['nats', 'memory']) {
    const span = tracingCostPerSpan(ms, transport);
    checks.push({
      target: `${transport}: tracing cost per span (CPU µs)`,
      measured: span ? span.usPerSpan : null,
      unit: 'µs',
      goal: `<= ${MAX_US_PER_SPAN} µs`,
      met: atMost(span ? span.usPerSpan : null, MAX_US_PER_SPAN),
      detail: span
        ? `every call traced ${Math.round(span.tracedUsPerCall)} µs/call, 1% traced ${Math.round(span.sampledUsPerCall)} µs/call, ` +
          `difference over ${span.extraSpansPerCall.toFixed(2)} more spans per call (client + server)`
        : `needs the switchboard and switchboard-traced rows on ${transport}`,
    });
  }
  const gateway = (route: string) => ms.find((m) => m.suite === 'gateway' && m.stack === route && m.transport === 'nats' && m.concurrency === 64);
  /** A gateway route's throughput target, with its p99 and errors as the detail. */
  const routeThroughput = (route: string, what: string, goal: number): TargetCheck => {
    const m = gateway(route);
    return {
      target: `gateway over nats: ${route} ${what} (req/s)`,
      measured: m ? m.throughput : null,
      unit: '/s',
      goal: `>= ${goal} req/s`,
      met: atLeast(m ? m.throughput : null, goal),
      detail: m ? `p99 ${fmt(m.p99Ms)} ms, ${m.errors} errors` : 'not measured',
    };
  };
  const get = gateway('GET /v1/orders/:id');
  const getUs = get ? appUsPerRequest(get, 'gateway') : null;
  checks.push(
    routeThroughput('GET /v1/orders/:id', 'throughput', 4000),
    {
      target: 'gateway over nats: GET /v1/orders/:id gateway CPU per request (µs)',
      measured: getUs,
      unit: 'µs',
      goal: '<= 300 µs',
      met: atMost(getUs, 300),
      detail: get ? `gateway at ${fmt(get.cpuPercent.gateway, 0)}% of a core` : 'not measured',
    },
    routeThroughput('POST /v1/orders', 'accepted', 1200),
    ...flowChecks(ms),
  );
  return checks;
}

const MAX_CONFIRM_P99_MS = 1000;

/** The order flow over NATS (300 orders/s for 60 s): every order final, and p99 POST -> CONFIRMED <= 1 s. */
function flowChecks(ms: readonly Measurement[]): TargetCheck[] {
  const m = ms.find((x) => x.suite === 'flow' && x.transport === 'nats');
  const o = m?.flow;
  const offered = o ? `${o.offered} orders offered at ${o.offeredPerSecond}/s` : 'not measured';
  const unfinished = o ? o.offered - o.confirmed - o.rejected : null;
  return [
    {
      target: 'order flow over nats: orders offered that did not reach a final state',
      measured: unfinished,
      unit: 'orders',
      goal: '0',
      met: o ? unfinished === 0 && o.offered > 0 : null,
      detail: o ? `${offered}: ${o.accepted} accepted, ${o.confirmed} confirmed, ${o.rejected} rejected, ${o.refused} refused, ${o.failed} unanswered` : offered,
    },
    {
      target: 'order flow over nats: p99 POST -> CONFIRMED (ms)',
      measured: o ? o.confirmP99Ms : null,
      unit: 'ms',
      goal: `<= ${MAX_CONFIRM_P99_MS} ms`,
      met: atMost(o ? o.confirmP99Ms : null, MAX_CONFIRM_P99_MS),
      detail: o ? `${offered}; p50 ${fmt(o.confirmP50Ms, 0)} ms, max ${fmt(o.confirmMaxMs, 0)} ms; POST answered p99 ${fmt(o.acceptP99Ms, 0)} ms` : offered,
    },
  ];
}

/** The measured figure with its unit: `0.52x`, `38.4 µs`, `4210/s`, or `n/a`. */
export function measuredText(check: TargetCheck): string {
  if (check.measured === null || !Number.isFinite(check.measured)) return 'n/a';
  if (check.unit === 'x') return `${check.measured.toFixed(2)}x`;
  if (check.unit === 'µs') return `${check.measured.toFixed(1)} µs`;
  if (check.unit === 'ms') return `${Math.round(check.measured)} ms`;
  if (check.unit === 'orders') return `${check.measured} orders`;
  return `${Math.round(check.measured)}/s`;
}

/** What a target's verdict reads as: met, not met, or not measured. */
export function verdict(check: TargetCheck): string {
  return check.met === null ? 'not measured' : check.met ? 'met' : 'not met';
}

/**
 * One console line per cell and transport once all its stacks were measured: Switchboard beside Moleculer, raw and
 * Nest (throughput, ratio, CPU per call), so every run shows where Switchboard stands against its peer.
 */
export function cellSummary(ms: readonly Measurement[]): string | undefined {
  const sb = ms.find((m) => m.stack === 'switchboard');
  if (!sb) return undefined;
  const { suite, transport, concurrency, payload } = sb;
  const cell = ms.filter((m) => m.suite === suite && m.transport === transport && m.concurrency === concurrency && m.payload === payload);
  const parts = cell.map((m) => `${m.stack} ${Math.round(m.throughput)}/s ${Math.round(m.cpuUsPerCall)} µs/call`);
  const vs = (base: string) => {
    const r = throughputRatio(cell, suite, 'switchboard', transport, concurrency, payload, base);
    return r === null ? undefined : `${r.toFixed(2)}x ${base}`;
  };
  const ratios = [vs('moleculer'), vs('raw'), vs('nest')].filter(Boolean).join(', ');
  const span = tracingCostPerSpan(cell, transport, concurrency, payload);
  const spanText = span ? `; tracing ${span.usPerSpan.toFixed(1)} µs CPU per span` : '';
  return `=> ${suite} ${transport} c=${concurrency} ${payload}: switchboard ${ratios || 'alone'}${spanText} | ${parts.join(' | ')}`;
}
