import { setTimeout as sleep } from 'node:timers/promises';
import { RedisSentinelCluster } from '@app/testing';
import { figures, OrderSystem } from './support/order-system';

/**
 * The system on Redis with Sentinel (a master, one replica, three sentinels on loopback; TRANSPORT=redis, so RPC,
 * events, discovery and the gateway's keys all live there): the master is killed (kill -9) under load. The sentinels
 * promote the replica, every app's connections follow it, and the old master comes back as a replica of the new
 * one. Redis replicates asynchronously, so what the master had acknowledged but not yet sent on is lost with it:
 * the apps run with REDIS_WAIT_REPLICAS=1, so an event publish counts only once the replica has it (an outbox row is
 * marked sent only then); what else may be lost (a queued request, an ack, a consumer group's position, a
 * heartbeat, an idempotency record of the gateway) is retried, redelivered to an inbox, or written again. While the
 * new master has no replica, publishes fail and the outboxes hold the events until the old master is back.
 * The claim: every accepted order ends final, once, with the stock exact.
 */
describe('Redis with Sentinel losing the master under load', () => {
  const cluster = new RedisSentinelCluster({ replicas: 1, sentinels: 3 });
  let system: OrderSystem;

  beforeAll(async () => {
    await cluster.start();
    system = new OrderSystem('redis', { ...cluster.env, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '1000' });
    await system.start();
  }, 180_000);
  afterAll(async () => {
    await system?.stop();
    await cluster.dispose();
  });

  it('keeps every accepted order: all final, none twice, stock exact', async () => {
    let failover: Promise<void> | undefined;
    let killed = 0;
    let promoted = 0;
    let failoverMs = 0;
    const placed = await system.placeMany(300, {
      prefix: 'sentinel',
      concurrency: 8,
      withinMs: 120_000,
      body: (i) => ({ items: [{ sku: 'SKU-APPLE', quantity: 1 }], paymentMethod: i % 25 === 7 ? 'card-declined' : 'visa' }),
      onAccepted: (n) => {
        if (n !== 100) return;
        failover = (async () => {
          killed = await cluster.masterPort();
          const started = Date.now();
          await cluster.server(killed).stop('SIGKILL');
          promoted = await cluster.untilFailedOver(killed);
          failoverMs = Date.now() - started;
          await sleep(2000);
          await cluster.restartAsReplica(cluster.server(killed));
        })();
      },
    });
    await failover;
    expect(promoted).not.toBe(killed);
    expect(await cluster.masterPort()).toBe(promoted);
    expect(placed.orders.size).toBe(300);
    expect(new Set(placed.orders.values()).size).toBe(300);

    const result = await system.reconciled(90_000);
    console.log(figures(`redis sentinel: master :${killed} killed, :${promoted} promoted in ${failoverMs} ms`, placed, result));
    expect(result.report.findings).toEqual([]);
    expect(result.report.stuck).toEqual([]);
    expect(result.report.orders).toMatchObject({ total: 300, PENDING: 0 });
    expect(result.report.stock?.filter((s) => !s.ok)).toEqual([]);
    expect(result.report.ok).toBe(true);
  }, 300_000);
});
