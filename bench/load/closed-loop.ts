import { performance } from 'node:perf_hooks';
import { LatencyRecorder } from './latency-recorder';

export interface LoadSpec {
  /** Calls in flight at once: each of `concurrency` workers starts its next call when its last one settled. */
  concurrency: number;
  /** Calls before the measured window (JIT, connections, caches), not counted. */
  warmupMs: number;
  /** Length of the measured window. */
  durationMs: number;
  /** When set, the calls are paced to at most this many per second in total (soak), not as fast as possible. */
  ratePerSecond?: number;
}

export interface LoadWindow {
  /** Calls that completed inside the measured window. */
  completed: number;
  errors: number;
  firstError?: string;
  /** The window's real length (timers may fire late under load). */
  elapsedMs: number;
  latencies: LatencyRecorder;
}

export interface LoadHooks {
  /** Right when the measured window opens (the orchestrator samples CPU then). */
  onWindowStart?(): void;
  /** Right when it closes, before anything else is computed. */
  onWindowEnd?(): void;
}

/**
 * A closed-loop load: warm-up, then a fixed measured window; counts the calls that complete inside the window and
 * records their latencies. Stops starting calls when the window closes and waits for those in flight.
 */
export async function runClosedLoop(spec: LoadSpec, call: () => Promise<unknown>, hooks: LoadHooks = {}): Promise<LoadWindow> {
  // A paced (soak) run lasts minutes: a bounded sample keeps the bench's own memory flat.
  const latencies = new LatencyRecorder(spec.ratePerSecond ? 1 << 16 : Infinity);
  const window: LoadWindow = { completed: 0, errors: 0, elapsedMs: 0, latencies };
  let measuring = false;
  let stopped = false;
  let windowStart = 0;
  const started = performance.now();
  const opened = setTimeout(() => {
    windowStart = performance.now();
    measuring = true;
    hooks.onWindowStart?.();
  }, spec.warmupMs);
  const closed = new Promise<void>((resolve) =>
    setTimeout(() => {
      window.elapsedMs = performance.now() - windowStart;
      measuring = false;
      stopped = true;
      hooks.onWindowEnd?.();
      resolve();
    }, spec.warmupMs + spec.durationMs),
  );
  const spacingMs = spec.ratePerSecond ? (1000 * spec.concurrency) / spec.ratePerSecond : 0;

  const worker = async (index: number) => {
    let nextAt = started + (spacingMs * index) / spec.concurrency;
    while (!stopped) {
      if (spacingMs) {
        const wait = nextAt - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        nextAt += spacingMs;
        if (stopped) break;
      }
      const begin = performance.now();
      try {
        await call();
        if (measuring) {
          window.completed++;
          latencies.record(performance.now() - begin);
        }
      } catch (error) {
        if (measuring) {
          window.errors++;
          window.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
      }
    }
  };
  await Promise.all([closed, ...Array.from({ length: spec.concurrency }, (_, i) => worker(i))]);
  clearTimeout(opened);
  return window;
}
