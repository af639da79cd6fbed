import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sampleCpu } from '../measure/proc-stats';
import { offerAtRate } from '../load/open-loop';
import { cpuFigures, Measurement } from '../report/measurement';
import type { Log } from '../rpc/rpc-suite';
import type { BenchEnvironment } from '../run/bench-environment';
import type { BenchPlan } from '../run/bench-plan';
import { accessToken, ORDER_BODY, orderStatus, placeOrder } from '../gateway/gateway-client';
import { GatewaySystem } from '../gateway/gateway-system';
import { everyOrderFinal, flowOutcome, FlowOutcome, OfferedOrder } from './flow-outcome';
import { OrderPushWatcher } from './order-push-watcher';
import { restock } from './restock';

/** How long accepted orders get, after the last POST, to reach their final state. */
const SETTLE_MS = 30_000;
/** Unanswered POSTs at once before the offer counts the next ones as overflow (the system fell behind). */
const MAX_IN_FLIGHT = 2_000;
/** Keep-alive connections the POSTs share. */
const POOL_CONNECTIONS = 64;
export const FLOW_STACK = 'POST /v1/orders -> CONFIRMED';

/** One POST /v1/orders over a keep-alive connection, recorded into `order`. */
function post(url: URL, agent: Agent, token: string, order: OfferedOrder): Promise<void> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        timeout: 30_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(ORDER_BODY), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          order.answeredAt = performance.now();
          order.httpStatus = res.statusCode;
          if (res.statusCode === 202) order.orderId = (JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id;
          resolve();
        });
        res.on('error', () => resolve());
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve());
    req.end(ORDER_BODY);
  });
}

/** Waits until every accepted order has a final status on the push socket, or `ms` passed. */
async function settle(orders: readonly OfferedOrder[], watcher: OrderPushWatcher, ms: number): Promise<void> {
  const until = Date.now() + ms;
  const open = () => orders.some((o) => o.orderId && !watcher.finals.has(o.orderId));
  while (open() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
}

/**
 * Fills in each order's final state: from the push socket, else (an order whose push never came) read over REST,
 * so "every order reached its final state" is what the orders service says, not only what was pushed.
 */
async function finalStates(url: string, token: string, orders: OfferedOrder[], watcher: OrderPushWatcher): Promise<number> {
  let readBack = 0;
  for (const order of orders) {
    if (!order.orderId) continue;
    const pushed = watcher.finals.get(order.orderId);
    if (pushed) {
      order.finalStatus = pushed.status;
      order.finalAt = pushed.at;
      continue;
    }
    const status = await orderStatus(url, token, order.orderId);
    readBack++;
    if (status === 'CONFIRMED' || status === 'REJECTED') {
      order.finalStatus = status;
      order.finalAt = performance.now();
    }
  }
  return readBack;
}

export function describeFlow(transport: string, o: FlowOutcome, readBack: number): string {
  const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');
  return (
    `flow ${transport}: ${o.offered} orders offered at ${o.offeredPerSecond}/s: ${o.accepted} accepted, ${o.refused} refused` +
    `${o.firstRefusal ? ` (${o.firstRefusal})` : ''}, ${o.failed} unanswered; ${o.confirmed} CONFIRMED, ${o.rejected} REJECTED, ` +
    `${o.notFinal} not final (${readBack} read back over REST); POST -> CONFIRMED p50 ${ms(o.confirmP50Ms)}, p99 ${ms(o.confirmP99Ms)}, ` +
    `max ${ms(o.confirmMaxMs)}; POST answered p99 ${ms(o.acceptP99Ms)}: ${everyOrderFinal(o) ? 'every order final' : 'NOT every order final'}`
  );
}

/**
 * The order flow (`--only flow`): the built system as a user runs it, orders offered to the gateway at a steady
 * rate (open loop: 300/s for 60 s by default), each followed on the WebSocket push until CONFIRMED or REJECTED.
 * Reports how many reached their final state and the latency POST -> CONFIRMED, with each app's CPU.
 */
export async function runOrderFlow(plan: BenchPlan, env: BenchEnvironment, log: Log): Promise<Measurement[]> {
  const { ratePerSecond, seconds, transports } = plan.flow;
  const measurements: Measurement[] = [];
  for (const transport of transports) {
    // With --cpu-prof, each app's profile of its whole life (start, warm-up, the flow) lands in <profiles>/flow-<transport>.
    const system = new GatewaySystem(env, transport, false, plan.cpuProfDir && `${plan.cpuProfDir}/flow-${transport}`);
    const agent = new Agent({ keepAlive: true, maxSockets: POOL_CONNECTIONS });
    let watcher: OrderPushWatcher | undefined;
    try {
      await system.start();
      const total = ratePerSecond * seconds;
      restock(system.dataDir, 'SKU-TEA', total * 2);
      const token = await accessToken(system.url);
      watcher = await OrderPushWatcher.open(system.url, token);
      // Warm-up: a few orders through the whole saga before the clock starts.
      const warm = await Promise.all(Array.from({ length: 20 }, () => placeOrder(system.url, token)));
      await settle(warm.map((orderId) => ({ postedAt: 0, orderId })), watcher, 15_000);

      const pids: Record<string, number> = { bench: process.pid, ...system.pids() };
      const broker = env.brokerPid(transport);
      if (broker) pids.broker = broker;
      const target = new URL('/v1/orders', system.url);
      const orders: OfferedOrder[] = [];
      const before = sampleCpu(pids);
      const offer = await offerAtRate({ ratePerSecond, durationMs: seconds * 1000, maxInFlight: MAX_IN_FLIGHT }, (index) => {
        const order: OfferedOrder = { postedAt: performance.now() };
        orders[index] = order;
        return post(target, agent, token, order);
      });
      await settle(orders, watcher, SETTLE_MS);
      const windowMs = performance.now() - orders[0].postedAt;
      const after = sampleCpu(pids);
      const readBack = await finalStates(system.url, token, orders, watcher);
      const outcome = flowOutcome(orders, ratePerSecond, offer.overflow);
      log(describeFlow(transport, outcome, readBack));
      measurements.push({
        suite: 'flow',
        stack: FLOW_STACK,
        transport,
        concurrency: POOL_CONNECTIONS,
        payload: `${ratePerSecond}/s offered`,
        throughput: (1000 * outcome.confirmed) / windowMs,
        p50Ms: outcome.confirmP50Ms,
        p99Ms: outcome.confirmP99Ms,
        completed: outcome.confirmed,
        errors: outcome.offered - outcome.confirmed,
        firstError: outcome.firstRefusal,
        windowMs,
        ...cpuFigures(before, after, windowMs, outcome.confirmed),
        flow: outcome,
      });
    } catch (error) {
      log(`flow on ${transport}: FAILED ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      watcher?.close();
      agent.destroy();
      await system.stop();
    }
  }
  return measurements;
}
