import { performance } from 'node:perf_hooks';
import type { EventJob } from '../events/event-stack';
import { eventStack } from '../events/stacks/registry';
import { echoText } from '../load/payloads';
import { WindowProfiler } from '../profile/window-profiler';
import { measuredRun } from './measured-run';
import { jobFromEnv, toParent, ToWorker } from './worker-messages';

/** Child process: publishes events, `concurrency` at a time, each awaited until the broker stored it. */
async function main(): Promise<void> {
  const job = jobFromEnv<EventJob>();
  const publisher = await eventStack(job).publisher(job);
  const profiler = new WindowProfiler();
  process.on('message', async (message: ToWorker) => {
    if (message.type === 'close') {
      await publisher.close().catch(() => undefined);
      process.exit(0);
    }
    if (message.type === 'run') {
      const text = echoText(message.payload);
      await measuredRun(message, profiler, () =>
        publisher.publish(JSON.stringify({ t: performance.timeOrigin + performance.now(), text })),
      );
    }
  });
  process.on('disconnect', () => process.exit(0));
  toParent({ type: 'ready' });
}

main().catch((error: unknown) => {
  toParent({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
