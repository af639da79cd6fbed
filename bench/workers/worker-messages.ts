import type { LoadSpec } from '../load/closed-loop';
import type { PayloadSize } from '../load/payloads';

/** One measured run a client worker is asked for. */
export interface RunRequest {
  type: 'run';
  /** Names the cell's CPU profile. */
  label: string;
  load: LoadSpec;
  payload: PayloadSize;
}

/** What a client worker measured in one run (CPU is sampled by the orchestrator). */
export interface RunResult {
  completed: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** A process's own view of itself: memory and open handles (for the soak's leak check). */
export interface SelfSample {
  rssMiB: number;
  heapUsedMiB: number;
  handles: number;
}

/** The server side of a pair hears of the window's edges too, to profile exactly the window. */
export type ToWorker = RunRequest | { type: 'sample' } | { type: 'close' } | { type: 'window'; edge: 'start' | 'end'; label: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'window-start' }
  | { type: 'window-end' }
  | { type: 'result'; result: RunResult }
  | { type: 'sample'; sample: SelfSample }
  | { type: 'failed'; message: string };

/** Open handles and requests, by Node's own count. */
export function selfSample(): SelfSample {
  const memory = process.memoryUsage();
  return {
    rssMiB: memory.rss / 2 ** 20,
    heapUsedMiB: memory.heapUsed / 2 ** 20,
    handles: process.getActiveResourcesInfo().filter((kind) => kind !== 'Timeout' && kind !== 'Immediate').length,
  };
}

/** Sends a message to the parent process (workers only). */
export function toParent(message: FromWorker): void {
  process.send?.(message);
}

/** The job the orchestrator passed in BENCH_JOB. */
export function jobFromEnv<T>(): T {
  const raw = process.env.BENCH_JOB;
  if (!raw) throw new Error('BENCH_JOB is not set: workers are started by bench/main.ts');
  return JSON.parse(raw) as T;
}
