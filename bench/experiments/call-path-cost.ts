import { AuthFixture } from '@app/auth/testing/auth-fixture';
import { BENCH_CLIENT_SERVICE, BENCH_GRANTS, BenchV1 } from '../contract/bench.contract';
import { echoText } from '../load/payloads';
import { PRODUCTION_SAMPLER, RpcJob } from '../rpc/rpc-stack';
import { loadRpcStack, prepareWorker } from '../rpc/stacks/registry';

/**
 * `npm run bench:call-path [-- rounds calls concurrency]`: the CPU cost of Switchboard's whole call path (client
 * chain, server dispatch, both codecs) in one process over the in-process transport, with the apps' wiring. Runs
 * several rounds and prints the cheapest and the median CPU µs per call: the cheapest round is the one least
 * disturbed by the rest of a shared machine, so two versions of the code compare well even on a busy host.
 * The apps' log lines go to stdout as in production (send it to /dev/null); the figures go to stderr.
 * Tracing as the bench's Switchboard rows: the production sampler unless OTEL_TRACES_SAMPLER* say otherwise.
 */
async function main(): Promise<void> {
  const [rounds = 7, calls = 5000, concurrency = 1] = process.argv.slice(2).map(Number);
  const keys = new AuthFixture([BenchV1.service, BENCH_CLIENT_SERVICE]);
  const job: RpcJob = {
    stack: 'switchboard',
    transport: 'memory',
    natsUrl: '',
    redisUrl: '',
    address: '',
    namespace: `cost${Date.now().toString(36)}`,
    auth: { server: keys.options(BenchV1.service, BENCH_GRANTS), client: keys.options(BENCH_CLIENT_SERVICE, BENCH_GRANTS) },
  };
  for (const [name, value] of Object.entries(PRODUCTION_SAMPLER)) process.env[name] ??= value;
  await prepareWorker(job, 'server');
  const stack = await loadRpcStack('switchboard', 'memory');
  const server = await stack.startServer(job);
  const client = await stack.connectClient(job);
  const text = echoText('small');
  const run = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next++ < n) await client.echo(text);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await run(calls); // warm-up: JIT, caches
  const costs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    await run(calls);
    const used = process.cpuUsage(before);
    costs.push((used.user + used.system) / calls);
  }
  costs.sort((a, b) => a - b);
  console.error(
    `memory c=${concurrency}: CPU per call min ${costs[0].toFixed(1)} µs, median ${costs[Math.floor(costs.length / 2)].toFixed(1)} µs ` +
      `(${rounds} rounds of ${calls} calls)`,
  );
  await client.close();
  await server.close();
  keys.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
