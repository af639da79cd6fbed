import autocannon from 'autocannon';
import { rssMiB, sampleCpu } from '../measure/proc-stats';
import { cpuFigures, Measurement } from '../report/measurement';
import type { Log } from '../rpc/rpc-suite';
import { describe } from '../rpc/rpc-suite';
import type { BenchEnvironment } from '../run/bench-environment';
import type { BenchPlan } from '../run/bench-plan';
import { accessToken, ORDER_BODY, placeOrder } from './gateway-client';
import { GatewaySystem } from './gateway-system';
import { RemoteProfiler } from './remote-profiler';

interface Route {
  name: string;
  method: 'GET' | 'POST';
  path(orderId: string): string;
  body?: string;
}

const ROUTES: Route[] = [
  { name: 'GET /v1/orders/:id', method: 'GET', path: (id) => `/v1/orders/${id}` },
  { name: 'POST /v1/orders', method: 'POST', path: () => '/v1/orders', body: ORDER_BODY },
];

function load(url: string, route: Route, token: string, orderId: string, connections: number, durationMs: number) {
  return autocannon({
    url: `${url}${route.path(orderId)}`,
    method: route.method,
    body: route.body,
    headers: { authorization: `Bearer ${token}`, ...(route.body ? { 'content-type': 'application/json' } : {}) },
    connections,
    duration: durationMs / 1000,
  });
}

/**
 * The gateway end to end over HTTP (autocannon): GET /v1/orders/:id and POST /v1/orders on each transport,
 * with the built apps as separate processes. Their CPU and memory (idle and under load) are reported per app.
 */
export async function runGatewaySuite(plan: BenchPlan, env: BenchEnvironment, log: Log): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const transport of plan.transports) {
    const system = new GatewaySystem(env, transport, plan.cpuProfDir !== undefined);
    let profiler: RemoteProfiler | undefined;
    try {
      await system.start();
      if (plan.cpuProfDir && system.inspectorUrl) profiler = new RemoteProfiler(system.inspectorUrl, plan.cpuProfDir, `gateway-${transport}`);
      const token = await accessToken(system.url);
      const orderId = await placeOrder(system.url, token);
      const pids: Record<string, number> = { autocannon: process.pid, ...system.pids() };
      const broker = env.brokerPid(transport);
      if (broker) pids.broker = broker;
      const idle = Object.fromEntries(Object.entries(pids).map(([role, pid]) => [role, rssMiB(pid)]));
      for (const route of ROUTES) {
        for (const concurrency of plan.concurrencies) {
          await load(system.url, route, token, orderId, concurrency, plan.warmupMs);
          await profiler?.start();
          const before = sampleCpu(pids);
          const result = await load(system.url, route, token, orderId, concurrency, plan.durationMs);
          const after = sampleCpu(pids);
          await profiler?.stop(`${route.method}-c${concurrency}`);
          const windowMs = result.duration * 1000;
          const loadRss = Object.fromEntries(Object.entries(pids).map(([role, pid]) => [role, rssMiB(pid)]));
          const ok = result['2xx'];
          const m: Measurement = {
            suite: 'gateway',
            stack: route.name,
            transport,
            concurrency,
            payload: route.body ? `${route.body.length} B` : '-',
            throughput: (1000 * ok) / windowMs,
            p50Ms: result.latency.p50,
            p99Ms: result.latency.p99,
            completed: ok,
            errors: result.non2xx + result.errors,
            firstError: result.non2xx ? `${result['4xx']} 4xx, ${result['5xx']} 5xx` : undefined,
            windowMs,
            ...cpuFigures(before, after, windowMs, ok),
            rssMiB: Object.fromEntries(Object.keys(pids).map((role) => [role, { idle: idle[role], load: loadRss[role] }])),
          };
          log(describe(m));
          measurements.push(m);
        }
      }
    } catch (error) {
      log(`gateway on ${transport}: FAILED ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      profiler?.close();
      await system.stop();
    }
  }
  return measurements;
}
