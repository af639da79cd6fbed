import { runClosedLoop } from '../load/closed-loop';
import { echoText } from '../load/payloads';
import { WindowProfiler } from '../profile/window-profiler';
import { mean, quantile } from '../report/stats';
import type { EchoServer, RpcJob } from '../rpc/rpc-stack';
import { rpcStack } from '../rpc/stacks/registry';
import { jobFromEnv, selfSample, toParent, ToWorker } from './worker-messages';

/**
 * Child process: connects one stack's client on one transport (in-process, memory, also starts the server here),
 * then runs each measured load it is sent and reports what it measured.
 */
async function main(): Promise<void> {
  const job = jobFromEnv<RpcJob>();
  const stack = rpcStack(job.stack, job.transport);
  const inProcessServer: EchoServer | undefined = job.transport === 'memory' ? await stack.startServer(job) : undefined;
  const client = await stack.connectClient(job);
  await client.echo('hello');

  const profiler = new WindowProfiler();
  process.on('message', async (message: ToWorker) => {
    if (message.type === 'sample') toParent({ type: 'sample', sample: selfSample() });
    if (message.type === 'close') {
      await client.close().catch(() => undefined);
      await inProcessServer?.close().catch(() => undefined);
      process.exit(0);
    }
    if (message.type === 'run') {
      const text = echoText(message.payload);
      const window = await runClosedLoop(message.load, () => client.echo(text), {
        onWindowStart: () => {
          toParent({ type: 'window-start' });
          profiler.start();
        },
        onWindowEnd: () => toParent({ type: 'window-end' }),
      });
      await profiler.stop(message.label);
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
  });
  process.on('disconnect', () => process.exit(0));
  toParent({ type: 'ready' });
}

main().catch((error: unknown) => {
  toParent({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
