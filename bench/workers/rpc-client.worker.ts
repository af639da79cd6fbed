import { echoText } from '../load/payloads';
import { WindowProfiler } from '../profile/window-profiler';
import type { EchoServer, RpcJob } from '../rpc/rpc-stack';
import { loadRpcStack, prepareWorker } from '../rpc/stacks/registry';
import { measuredRun } from './measured-run';
import { jobFromEnv, selfSample, toParent, ToWorker } from './worker-messages';

/**
 * Child process: connects one stack's client on one transport (in-process, memory, also starts the server here),
 * then runs each measured load it is sent and reports what it measured.
 */
async function main(): Promise<void> {
  const job = jobFromEnv<RpcJob>();
  await prepareWorker(job, 'client');
  const stack = await loadRpcStack(job.stack, job.transport);
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
      await measuredRun(message, profiler, () => client.echo(text));
    }
  });
  process.on('disconnect', () => process.exit(0));
  toParent({ type: 'ready' });
}

main().catch((error: unknown) => {
  toParent({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
