import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { connect } from 'nats';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { OrdersEventsV1 } from '@app/contracts';
import { EventBus, EventBusConfig, createEventBus } from '@app/messaging';
import { JetStreamNames } from '@app/messaging/jetstream/jetstream-names';
import { RedisStreamsEventBus } from '@app/messaging/redis-streams/redis-streams-event-bus';
import { streamKey } from '@app/messaging/redis-streams/redis-streams-keys';
import { AppProcess, BrokerProcess, freePort, NatsServerProcess, RedisServerProcess } from '@app/testing';

const PUSHED = [OrdersEventsV1.orderPlaced.type, OrdersEventsV1.orderConfirmed.type, OrdersEventsV1.orderRejected.type];
const GATEWAYS = 3;

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

/**
 * Gateway rollouts leave nothing on the broker (issue 14 item 4): three built gateways, each with its own
 * INSTANCE_ID as a Kubernetes pod has, read the orders events with a tap while they run (a JetStream ephemeral
 * consumer each; on Redis a reading connection and no consumer group) and, once stopped, no consumer or group of
 * theirs is left. On Redis the event streams still trim to what the services' groups need.
 */
describe.each(['nats', 'redis'] as const)('gateway push taps on %s', (kind) => {
  let broker: NatsServerProcess | RedisServerProcess;
  let namespace = '';
  const buses: EventBus[] = [];
  const gateways: AppProcess[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    broker = await (kind === 'nats' ? new NatsServerProcess() : new RedisServerProcess()).start();
    namespace = `rollout-${randomBytes(4).toString('hex')}`;
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all(buses.map((b) => b.close()));
    await broker.dispose();
  });

  const config = (): EventBusConfig => ({
    bus: kind,
    namespace,
    natsUrl: kind === 'nats' ? broker.url : '',
    redisUrl: kind === 'redis' ? broker.url : '',
    maxDeliveries: 3,
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 1000,
    concurrency: 16,
    duplicateWindowMs: 120_000,
    streamReplicas: 1,
    instanceId: 'e2e',
  });
  const placed = (n: number) => ({
    id: randomUUID(),
    type: OrdersEventsV1.orderPlaced.type,
    body: JSON.stringify({ orderId: `o-${n}`, customerId: 'alice', placedAt: new Date().toISOString() }),
    metadata: {},
  });

  /** The JetStream consumers on the namespace's stream, or the consumer groups on the pushed types' streams. */
  async function consumersAndGroups(b: BrokerProcess): Promise<string[]> {
    if (kind === 'nats') {
      const nc = await connect({ servers: b.url });
      try {
        const jsm = await nc.jetstreamManager();
        return (await jsm.consumers.list(JetStreamNames.stream(namespace)).next()).map((c) => c.name).sort();
      } finally {
        await nc.close();
      }
    }
    const redis = new Redis(b.url);
    try {
      const names: string[] = [];
      for (const type of PUSHED) {
        const groups = (await redis.call('XINFO', 'GROUPS', streamKey(namespace, type)).catch(() => [])) as unknown[][];
        for (const group of groups) names.push(`${type}/${String(group[group.indexOf('name') + 1])}`);
      }
      return names.sort();
    } finally {
      redis.disconnect();
    }
  }

  /** Redis: the names of the connections reading for a tap (the gateways' taps are live). */
  async function tapConnections(): Promise<string[]> {
    const redis = new Redis(broker.url);
    try {
      const clients = String(await redis.call('CLIENT', 'LIST'));
      return [...clients.matchAll(/name=(\S+)/g)].map((m) => m[1]).filter((name) => name.startsWith(`${namespace}:events:tap-`));
    } finally {
      redis.disconnect();
    }
  }

  it(`starts and stops ${GATEWAYS} gateways, then lists the broker's consumers and groups: none left by the gateways`, async () => {
    // A service's own durable group, as orders' consumers have: it must stay, and (Redis) keep the stream trimmed.
    const service =
      kind === 'redis' ? new RedisStreamsEventBus(config(), { trimEveryMs: 200 }) : createEventBus(config());
    buses.push(service);
    let handled = 0;
    await service.subscribe({
      group: 'billing',
      types: PUSHED,
      maxDeliveries: 3,
      retryDelayMs: () => 100,
      concurrency: 16,
      handle: async () => (handled++, 'ack'),
    });
    await service.publish(placed(0));
    const before = await consumersAndGroups(broker);
    expect(before.length).toBeGreaterThan(0);

    const env: NodeJS.ProcessEnv = {
      TRANSPORT: kind,
      SWITCHBOARD_NAMESPACE: namespace,
      NODE_ENV: 'test',
      AUTH_CLIENTS: 'alice:alice-secret',
      ...(kind === 'nats' ? { NATS_URL: broker.url } : { REDIS_URL: broker.url }),
    };
    for (let i = 0; i < GATEWAYS; i++) {
      const instance = `gateway-${i}-${randomBytes(3).toString('hex')}`; // a pod name: new on every rollout
      gateways.push(new AppProcess('gateway', { ...env, PORT: String(await freePort()), INSTANCE_ID: instance }).start());
    }
    for (const gateway of gateways) await gateway.waitForLog('pushing order status events to WebSockets (a tap', 60_000);

    if (kind === 'nats') {
      const running = await until(() => consumersAndGroups(broker), (names) => names.length === before.length + GATEWAYS, 10_000, 'the taps');
      expect(running.filter((name) => !before.includes(name))).toEqual(running.filter((name) => name.startsWith('tap_gateway-')));
    } else {
      expect(await tapConnections()).toHaveLength(GATEWAYS);
      expect(await consumersAndGroups(broker)).toEqual(before);
    }

    const endings = await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
    expect(endings).toEqual(Array(GATEWAYS).fill('graceful'));

    const after = await consumersAndGroups(broker);
    expect(after).toEqual(before);
    expect(after.filter((name) => /gateway|tap/.test(name))).toEqual([]);
    if (kind === 'redis') {
      expect(await tapConnections()).toEqual([]);
      // With no abandoned group, the stream trims to what billing still needs once it has handled the events.
      for (let n = 1; n <= 400; n++) await service.publish(placed(n));
      const redis = new Redis(broker.url);
      try {
        const stream = streamKey(namespace, OrdersEventsV1.orderPlaced.type);
        await until(() => Promise.resolve(handled), (count) => count === 401, 20_000, 'billing to handle the events');
        await until(() => redis.xlen(stream), (length) => length < 200, 10_000, 'the stream to be trimmed');
      } finally {
        redis.disconnect();
      }
    }
  });
});
