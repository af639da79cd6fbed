import * as grpc from '@grpc/grpc-js';
import { fork } from 'node:child_process';
import { freePort } from '@app/testing/brokers/free-port';
import { runClosedLoop } from '../load/closed-loop';
import { echoText } from '../load/payloads';
import { cpuTimeMs } from '../measure/proc-stats';
import { benchService, rawGrpc } from '../rpc/stacks/raw/raw-grpc.stack';

/** One way to set up the raw grpc-js client: how many channels, with which channel options. */
interface Variant {
  name: string;
  channels: number;
  options: grpc.ChannelOptions;
}

const VARIANTS: Variant[] = [
  { name: '1 channel, defaults', channels: 1, options: {} },
  { name: '1 channel, no retries, no channelz', channels: 1, options: { 'grpc.enable_retries': 0, 'grpc.enable_channelz': 0 } },
  { name: '4 channels (own subchannels), round robin', channels: 4, options: { 'grpc.use_local_subchannel_pool': 1 } },
  { name: '8 channels (own subchannels), round robin', channels: 8, options: { 'grpc.use_local_subchannel_pool': 1 } },
];

/**
 * `npm run bench:grpc`: can grpc-js itself go faster? The same raw echo server (its own process), and clients
 * with one or several channels and different channel options, c=64, ~200 B; throughput and CPU per call of
 * client and server, in one run.
 */
async function main(): Promise<void> {
  if (process.argv[2] === 'server') {
    await rawGrpc.startServer({ address: process.argv[3] } as Parameters<typeof rawGrpc.startServer>[0]);
    process.send?.('ready');
    return;
  }
  const address = `127.0.0.1:${await freePort()}`;
  const server = fork(__filename, ['server', address], { execArgv: ['-r', '@swc-node/register'] });
  try {
    await new Promise((resolve, reject) => server.once('message', resolve).once('exit', reject));
    const Service = benchService();
    const text = echoText('small');
    // The first round warms the process up (JIT) and is not reported.
    for (const [round, variant] of [VARIANTS[0], ...VARIANTS].entries()) {
      const clients = Array.from({ length: variant.channels }, () => new Service(address, grpc.credentials.createInsecure(), variant.options));
      await Promise.all(clients.map((c) => new Promise<void>((resolve, reject) => c.waitForReady(Date.now() + 10_000, (e) => (e ? reject(e) : resolve())))));
      let next = 0;
      const call = () =>
        new Promise((resolve, reject) => {
          const client = clients[next++ % clients.length] as unknown as Record<string, Function>;
          client.echo({ text }, (error: Error | null, response: unknown) => (error ? reject(error) : resolve(response)));
        });
      let cpu0 = { client: 0, server: 0 };
      let cpu1 = { client: 0, server: 0 };
      const sample = () => ({ client: cpuTimeMs(process.pid), server: cpuTimeMs(server.pid!) });
      const window = await runClosedLoop({ concurrency: 64, warmupMs: 1000, durationMs: 3000 }, call, {
        onWindowStart: () => (cpu0 = sample()),
        onWindowEnd: () => (cpu1 = sample()),
      });
      const perCall = (ms: number) => Math.round((1000 * ms) / window.completed);
      for (const client of clients) client.close();
      if (round === 0) continue;
      console.log(
        `${variant.name}: ${Math.round((1000 * window.completed) / window.elapsedMs)}/s, CPU per call client ` +
          `${perCall(cpu1.client - cpu0.client)} µs, server ${perCall(cpu1.server - cpu0.server)} µs`,
      );
    }
  } finally {
    server.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
