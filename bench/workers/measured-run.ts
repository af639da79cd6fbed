import { runClosedLoop } from '../load/closed-loop';
import type { WindowProfiler } from '../profile/window-profiler';
import { mean, quantile } from '../report/stats';
import { RunRequest, toParent } from './worker-messages';

/**
 * Runs one measured load of a client worker (`call` is one request, publish...): tells the parent when the window
 * starts and ends (it samples CPU then), profiles the window only, and reports what was measured.
 */
export async function measuredRun(request: RunRequest, profiler: WindowProfiler, call: () => Promise<unknown>): Promise<void> {
  const window = await runClosedLoop(request.load, call, {
    onWindowStart: () => {
      toParent({ type: 'window-start' });
      profiler.start();
    },
    onWindowEnd: () => toParent({ type: 'window-end' }),
  });
  await profiler.stop(request.label);
  const sorted = window.latencies.sorted();
  toParent({
    type: 'result',
    result: {
      completed: window.completed,
      errors: window.errors,
      firstError: window.firstError,
      elapsedMs: window.elapsedMs,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      meanMs: mean(sorted),
    },
  });
}
