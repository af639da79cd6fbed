import { performance } from 'node:perf_hooks';
import type { EventJob } from '../events/event-stack';
import { eventStack } from '../events/stacks/registry';
import { LatencyRecorder } from '../load/latency-recorder';
import { WindowProfiler } from '../profile/window-profiler';
import { mean, quantile } from '../report/stats';
import { jobFromEnv, toParent, ToWorker } from './worker-messages';

/**
 * Child process: consumes the bench's events (ack after each) and, inside each measured window the orchestrator
 * opens and closes, counts them and records their latency from publish to consume (`t` in the body, epoch ms).
 */
async function main(): Promise<void> {
  const job = jobFromEnv<EventJob>();
  let measuring = false;
  let latencies = new LatencyRecorder();
  let windowStart = 0;
  const consumer = await eventStack(job).consume(job, (body) => {
    if (!measuring) return;
    const { t } = JSON.parse(body) as { t: number };
    latencies.record(performance.timeOrigin + performance.now() - t);
  });
  const profiler = new WindowProfiler();
  process.on('message', async (message: ToWorker) => {
    if (message.type === 'window' && message.edge === 'start') {
      latencies = new LatencyRecorder();
      windowStart = performance.now();
      measuring = true;
      profiler.start();
    }
    if (message.type === 'window' && message.edge === 'end') {
      measuring = false;
      const elapsedMs = performance.now() - windowStart;
      await profiler.stop(message.label);
      const sorted = latencies.sorted();
      toParent({
        type: 'result',
        result: { completed: sorted.length, errors: 0, elapsedMs, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), meanMs: mean(sorted) },
      });
    }
    if (message.type === 'close') {
      await consumer.close().catch(() => undefined);
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  toParent({ type: 'ready' });
}

main().catch((error: unknown) => {
  toParent({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
