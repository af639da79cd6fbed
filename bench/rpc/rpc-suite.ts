import { freePort } from '@app/testing/brokers/free-port';
import { payloadBytes } from '../load/payloads';
import { rssMiB, sampleCpu } from '../measure/proc-stats';
import { cpuFigures, Measurement } from '../report/measurement';
import type { BenchEnvironment } from '../run/bench-environment';
import type { BenchPlan } from '../run/bench-plan';
import { WorkerProcess } from '../workers/worker-process';
import { RpcTransport, StackName } from './rpc-stack';
import { hasStack } from './stacks/registry';

export type Log = (line: string) => void;

/**
 * Request/reply: for each transport and stack, a server worker and a client worker (separate processes; the
 * broker is the run's own), then every cell (concurrency x payload) on the same pair: warm-up, measured window,
 * CPU of client, server and broker sampled at the window's edges.
 */
export async function runRpcSuite(plan: BenchPlan, env: BenchEnvironment, log: Log): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const transport of plan.transports) {
    for (const stack of plan.stacks) {
      if (!hasStack(stack, transport)) continue;
      try {
        measurements.push(...(await measurePair(plan, env, stack, transport, log)));
      } catch (error) {
        log(`rpc ${stack}/${transport}: FAILED ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return measurements;
}

async function measurePair(plan: BenchPlan, env: BenchEnvironment, stack: StackName, transport: RpcTransport, log: Log): Promise<Measurement[]> {
  const job = env.rpcJob(stack, transport, `127.0.0.1:${await freePort()}`);
  const profile = (role: string) => ({ cpuProfDir: plan.cpuProfDir, profileName: `rpc-${stack}-${transport}-${role}` });
  const server = transport === 'memory' ? undefined : new WorkerProcess('rpc-server.worker.ts', job, profile('server'));
  let client: WorkerProcess | undefined;
  try {
    await server?.next('ready');
    client = new WorkerProcess('rpc-client.worker.ts', job, profile('client'));
    await client.next('ready');
    const pids: Record<string, number> = { client: client.pid };
    if (server) pids.server = server.pid;
    const broker = env.brokerPid(transport);
    if (broker) pids.broker = broker;
    const idle = Object.fromEntries(Object.entries(pids).map(([role, pid]) => [role, rssMiB(pid)]));

    const results: Measurement[] = [];
    for (const concurrency of plan.concurrencies) {
      for (const payload of plan.payloads) {
        let before: Record<string, number> = {};
        let after: Record<string, number> = {};
        let loadRss: Record<string, number> = {};
        const label = `c${concurrency}-${payload}`;
        const result = await client.run(
          { type: 'run', label, payload, load: { concurrency, warmupMs: plan.warmupMs, durationMs: plan.durationMs } },
          (edge) => {
            server?.send({ type: 'window', edge, label });
            if (edge === 'start') before = sampleCpu(pids);
            else {
              after = sampleCpu(pids);
              loadRss = Object.fromEntries(Object.entries(pids).map(([role, pid]) => [role, rssMiB(pid)]));
            }
          },
        );
        const m: Measurement = {
          suite: 'rpc',
          stack,
          transport,
          concurrency,
          payload,
          throughput: (1000 * result.completed) / result.elapsedMs,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          completed: result.completed,
          errors: result.errors,
          firstError: result.firstError,
          windowMs: result.elapsedMs,
          ...cpuFigures(before, after, result.elapsedMs, result.completed),
          rssMiB: Object.fromEntries(Object.keys(pids).map((role) => [role, { idle: idle[role], load: loadRss[role] }])),
        };
        log(describe(m) + ` (${payloadBytes(payload)} B)`);
        results.push(m);
      }
    }
    return results;
  } finally {
    await client?.close();
    await server?.close();
  }
}

/** One line per measurement for the console. */
export function describe(m: Measurement): string {
  const cpu = Object.entries(m.cpuPercent)
    .map(([role, percent]) => `${role} ${percent.toFixed(0)}%`)
    .join(' ');
  const errors = m.errors ? ` ERRORS ${m.errors} (${m.firstError})` : '';
  return (
    `${m.suite} ${m.stack}/${m.transport} c=${m.concurrency} ${m.payload}: ${Math.round(m.throughput)}/s ` +
    `p50 ${m.p50Ms.toFixed(2)} ms p99 ${m.p99Ms.toFixed(2)} ms, CPU ${cpu}, ${m.cpuUsPerCall.toFixed(0)} µs/call${errors}`
  );
}
