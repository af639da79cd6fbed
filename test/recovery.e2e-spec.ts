import { setTimeout as sleep } from 'node:timers/promises';
import { BusTransport, figures, OrderSystem } from './support/order-system';

/**
 * Recovery after a crash: orders is killed (kill -9) under a steady stream of orders and started again 2 s later.
 * Once the new orders process reports ready (`/health/ready` 200), the gateway must accept an order again within
 * 2 s on every network transport (its breaker probes soon, its connections come back at once), and afterwards every
 * accepted order is final, once, with the stock exact.
 */
const RECOVERY_MS = 2000;

describe.each<BusTransport>(['nats', 'redis', 'grpc', 'tcp'])('orders killed and restarted under load on %s', (transport) => {
  const system = new OrderSystem(transport);

  beforeAll(() => system.start());
  afterAll(() => system.stop());

  it('accepts orders again within 2 s of the restarted orders being ready, and loses none', async () => {
    const accepted: { key: string; id: string; at: number }[] = [];
    let stop = false;
    let sequence = 0;
    const poster = async () => {
      while (!stop) {
        const key = `recovery-${transport}-${sequence++}`;
        // One attempt per key: a refused or failed attempt is simply not accepted; a lost answer leaves at most
        // an order the reconciliation still counts (it must end final).
        const { status, body } = await system.placeOrder('alice', key, { items: [{ sku: 'SKU-BREAD', quantity: 1 }], paymentMethod: 'visa' });
        if (status === 202 && body.id) accepted.push({ key, id: body.id, at: Date.now() });
        await sleep(20);
      }
    };
    const load = Promise.all([poster(), poster(), poster(), poster()]);

    await sleep(2000);
    await system.kill('orders');
    await sleep(2000);
    await system.restart('orders');
    const readyAt = await untilReady(system, 30_000);
    const firstAfter = await until(() => accepted.find((a) => a.at >= readyAt), 15_000);
    await sleep(1000);
    stop = true;
    await load;

    const recoveredMs = firstAfter ? firstAfter.at - readyAt : Infinity;
    console.log(`[${transport}] orders killed, restarted 2 s later: first accepted order ${recoveredMs} ms after it was ready; ${accepted.length} accepted`);
    expect(recoveredMs).toBeLessThanOrEqual(RECOVERY_MS);

    const result = await system.reconciled(90_000);
    console.log(figures(`${transport}: orders restarted`, { orders: new Map(accepted.map((a) => [a.key, a.id])), retried: {} }, result));
    expect(new Set(accepted.map((a) => a.id)).size).toBe(accepted.length);
    expect(result.report.findings).toEqual([]);
    expect(result.report.stuck).toEqual([]);
    expect(result.report.orders.PENDING).toBe(0);
    expect(result.report.stock?.filter((s) => !s.ok)).toEqual([]);
    expect(result.report.ok).toBe(true);
  });
});

/** When orders' `/health/ready` first answers 200. */
async function untilReady(system: OrderSystem, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const res = await system.admin('orders', '/health/ready').catch(() => undefined);
    if (res?.status === 200) return Date.now();
    await sleep(25);
  }
  throw new Error(`orders was not ready within ${withinMs} ms`);
}

async function until<T>(find: () => T | undefined, withinMs: number): Promise<T | undefined> {
  const deadline = Date.now() + withinMs;
  for (let found = find(); Date.now() < deadline; found = find()) {
    if (found !== undefined) return found;
    await sleep(10);
  }
  return find();
}
