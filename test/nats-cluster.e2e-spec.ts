import { setTimeout as sleep } from 'node:timers/promises';
import { JetStreamNames } from '@app/messaging/jetstream/jetstream-names';
import { NatsCluster } from '@app/testing';
import { figures, OrderSystem } from './support/order-system';

/**
 * The system on a 3-node NATS cluster (routes on loopback, JetStream with the event stream and its consumers kept on
 * all three servers): the server leading the event stream is killed (kill -9) under load and started again. The
 * apps fail over to the other servers, a new leader takes over, and every accepted order ends final, once, with the
 * stock exact.
 */
describe('a 3-node NATS cluster losing the stream leader under load', () => {
  const cluster = new NatsCluster(3);
  let system: OrderSystem;

  beforeAll(async () => {
    await cluster.start();
    system = new OrderSystem('nats', { NATS_URL: cluster.url, EVENT_STREAM_REPLICAS: '3' });
    await system.start();
  });
  afterAll(async () => {
    await system?.stop();
    await cluster.dispose();
  });

  it('keeps every accepted order: all final, none twice, stock exact', async () => {
    const stream = JetStreamNames.stream(system.env.SWITCHBOARD_NAMESPACE!);
    let failover: Promise<void> | undefined;
    let killed = '';
    const placed = await system.placeMany(300, {
      prefix: 'cluster',
      concurrency: 8,
      body: (i) => ({ items: [{ sku: 'SKU-APPLE', quantity: 1 }], paymentMethod: i % 25 === 7 ? 'card-declined' : 'visa' }),
      onAccepted: (n) => {
        if (n !== 100) return;
        failover = (async () => {
          killed = await cluster.leaderOf(stream);
          await cluster.member(killed).stop('SIGKILL');
          await sleep(3000);
          await cluster.member(killed).start();
        })();
      },
    });
    await failover;
    expect(killed).toMatch(/^n[123]$/);
    expect(placed.orders.size).toBe(300);
    expect(new Set(placed.orders.values()).size).toBe(300);
    const newLeader = await cluster.leaderOf(stream);

    const result = await system.reconciled(90_000);
    console.log(`${figures(`nats cluster: stream leader ${killed} killed, now ${newLeader}`, placed, result)}`);
    expect(result.report.findings).toEqual([]);
    expect(result.report.stuck).toEqual([]);
    expect(result.report.orders).toMatchObject({ total: 300, PENDING: 0 });
    expect(result.report.stock?.filter((s) => !s.ok)).toEqual([]);
    expect(result.report.ok).toBe(true);
  });
});
