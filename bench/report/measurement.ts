import type { FlowOutcome } from '../flow/flow-outcome';

/** One measured cell of a suite, as it goes into latest.json. */
export interface Measurement {
  suite: 'rpc' | 'events' | 'gateway' | 'flow';
  /** rpc: raw | nest | switchboard; events: raw | switchboard; gateway: the route. */
  stack: string;
  /** rpc: nats | redis | grpc | tcp | memory; events: jetstream | redis-streams; gateway: the apps' TRANSPORT. */
  transport: string;
  concurrency: number;
  /** Request payload: small (~200 B JSON) or large (~16 KiB). */
  payload: string;
  /** Completed calls (events consumed, HTTP responses) per second in the measured window. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  completed: number;
  errors: number;
  firstError?: string;
  windowMs: number;
  /** CPU of each process in the window, in % of one core (client, server, broker, or each app). */
  cpuPercent: Record<string, number>;
  /** CPU time of all those processes per completed call, in microseconds: the fairest figure on a noisy machine. */
  cpuUsPerCall: number;
  /** flow: the orders offered, accepted and final, and POST -> CONFIRMED (p50Ms/p99Ms are that latency). */
  flow?: FlowOutcome;
  /** Resident memory (MiB) of each process, idle (before the first window) and at the end of this window. */
  rssMiB?: Record<string, { idle: number; load: number }>;
}

/** A whole run: when, where, how, and every measurement. */
export interface BenchReport {
  date: string;
  machine: { cpus: string; cores: number; memoryGiB: number; os: string; node: string; loadAverage: number[] };
  plan: { warmupMs: number; durationMs: number; quick: boolean; argv: string[] };
  measurements: Measurement[];
  notes: string[];
}

/** Makes the figures of a window from its counts and CPU samples. */
export function cpuFigures(
  before: Record<string, number>,
  after: Record<string, number>,
  windowMs: number,
  completed: number,
): { cpuPercent: Record<string, number>; cpuUsPerCall: number } {
  const cpuPercent: Record<string, number> = {};
  let totalMs = 0;
  for (const role of Object.keys(after)) {
    const usedMs = after[role] - (before[role] ?? after[role]);
    totalMs += usedMs;
    cpuPercent[role] = windowMs > 0 ? (100 * usedMs) / windowMs : NaN;
  }
  return { cpuPercent, cpuUsPerCall: completed > 0 ? (1000 * totalMs) / completed : NaN };
}
