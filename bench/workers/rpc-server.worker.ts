import { WindowProfiler } from '../profile/window-profiler';
import type { RpcJob } from '../rpc/rpc-stack';
import { loadRpcStack, prepareWorker } from '../rpc/stacks/registry';
import { FromWorker, jobFromEnv, selfSample, toParent, ToWorker } from './worker-messages';

/** Child process: serves bench.v1.Echo with one stack on one transport until told to close. */
async function main(): Promise<void> {
  const job = jobFromEnv<RpcJob>();
  await prepareWorker(job, 'server');
  const server = await (await loadRpcStack(job.stack, job.transport)).startServer(job);
  const profiler = new WindowProfiler();
  process.on('message', async (message: ToWorker) => {
    if (message.type === 'window' && message.edge === 'start') profiler.start();
    if (message.type === 'window' && message.edge === 'end') await profiler.stop(message.label);
    if (message.type === 'sample') toParent({ type: 'sample', sample: selfSample() });
    if (message.type === 'close') {
      await server.close().catch(() => undefined);
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  toParent({ type: 'ready' } satisfies FromWorker);
}

main().catch((error: unknown) => {
  toParent({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
