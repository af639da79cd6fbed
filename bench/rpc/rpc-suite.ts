import { freePort } from '@app/testing/brokers/free-port';
import { payloadBytes, PayloadSize } from '../load/payloads';
import { rssMiB, sampleCpu } from '../measure/proc-stats';
import { cpuFigures, Measurement } from '../report/measurement';
import { cellSummary } from '../report/ratios';
import type { BenchEnvironment } from '../run/bench-environment';
import type { BenchPlan } from '../run/bench-plan';
import { WorkerProcess } from '../workers/worker-process';
import { RpcTransport, StackName } from './rpc-stack';
import { hasStack, rpcWorkerOptions } from './stacks/registry';

export type Log = (line: string) => void;

/** A running server worker and client worker of one stack on one transport. */
interface Pair {
  stack: StackName;
  transport: RpcTransport;
  server?: WorkerProcess;
  client: WorkerProcess;
  pids: Record<string, number>;
  /** RSS (MiB) of each process before the first window. */
  idle: Record<string, number>;
}

/**
 * Request/reply: for each transport, a server worker and a client worker per stack (separate processes; the broker
 * is the run's own), then each cell (concurrency x payload) measured on every stack back to back, so the stacks
 * of a cell are compared under the same load of the machine: warm-up, measured window, CPU of client, server and
 * broker sampled at the window's edges.
 */
export async function runRpcSuite(plan: BenchPlan, env: BenchEnvironment, log: Log): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const transport of plan.transports) {
    const pairs: Pair[] = [];
    try {
      for (const stack of plan.stacks) {
        if (!hasStack(stack, transport)) continue;
        try {
          pairs.push(await startPair(plan, env, stack, transport));
        } catch (error) {
          log(`rpc ${stack}/${transport}: FAILED to start: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      for (const concurrency of plan.concurrencies) {
        for (const payload of plan.payloads) {
          const cell: Measurement[] = [];
          for (const pair of pairs) {
            try {
              const m = await measureCell(plan, pair, concurrency, payload);
              log(`${describe(m)} (${payloadBytes(payload)} B)`);
              cell.push(m);
            } catch (error) {
              log(`rpc ${pair.stack}/${transport} c=${concurrency} ${payload}: FAILED ${error instanceof Error ? error.message : String(error)}`);
            }
          }
          const summary = cellSummary(cell);
          if (summary) log(summary);
          measurements.push(...cell);
        }
      }
    } finally {
      for (const pair of pairs) {
        await pair.client.close();
        await pair.server?.close();
      }
    }
  }
  return measurements;
}

async function startPair(plan: BenchPlan, env: BenchEnvironment, stack: StackName, transport: RpcTransport): Promise<Pair> {
  const job = env.rpcJob(stack, transport, `127.0.0.1:${await freePort()}`);
  const profile = (role: string) => ({ ...rpcWorkerOptions(stack), cpuProfDir: plan.cpuProfDir, profileName: `rpc-${stack}-${transport}-${role}` });
  const server = transport === 'memory' ? undefined : new WorkerProcess('rpc-server.worker.ts', job, profile('server'));
  let client: WorkerProcess | undefined;
  try {
    await server?.next('ready');
    client = new WorkerProcess('rpc-client.worker.ts', job, profile('client'));
    await client.next('ready');
  } catch (error) {
    await client?.close();
    await server?.close();
    throw error;
  }
  const pids: Record<string, number> = { client: client.pid };
  if (server) pids.server = server.pid;
  const broker = env.brokerPid(transport);
  if (broker) pids.broker = broker;
  const idle = Object.fromEntries(Object.entries(pids).map(([role, pid]) => [role, rssMiB(pid)]));
  return { stack, transport, server, client, pids, idle };
}

async function measureCell(plan: BenchPlan, pair: Pair, concurrency: number, payload: PayloadSize): Promise<Measurement> {
  const { pids, server } = pair;
  let before: Record<string, number> = {};
  let after: Record<string, number> = {};
  let loadRss: Record<string, number> = {};
  const label = `c${concurrency}-${payload}`;
  const result = await pair.client.run(
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
  return {
    suite: 'rpc',
    stack: pair.stack,
    transport: pair.transport,
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
    rssMiB: Object.fromEntries(Object.keys(pids).map((role) => [role, { idle: pair.idle[role], load: loadRss[role] }])),
  };
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
