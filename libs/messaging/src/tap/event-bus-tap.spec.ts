import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { connect } from 'nats';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerProcess, NatsServerProcess, RedisServerProcess } from '@app/testing';
import type { DeliveredEvent, EventBus, OutgoingEvent } from '../bus/event-bus';
import { ObservedEventBus } from '../bus/observed-event-bus';
import { StampedEventBus } from '../bus/stamped-event-bus';
import type { EventBusConfig } from '../config/event-bus-config';
import { JetStreamEventBus } from '../jetstream/jetstream-event-bus';
import { JetStreamNames } from '../jetstream/jetstream-names';
import { MemoryEventBroker } from '../memory/memory-event-broker';
import { MemoryEventBus } from '../memory/memory-event-bus';
import { RedisStreamsEventBus } from '../redis-streams/redis-streams-event-bus';
import { streamKey } from '../redis-streams/redis-streams-keys';

const A = 'spec.v1.Placed';
const B = 'spec.v1.Confirmed';
const OTHER = 'spec.v1.Unrelated';

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const event = (type: string, n: number): OutgoingEvent => ({ id: randomUUID(), type, body: JSON.stringify({ n }), metadata: { 'x-n': String(n) } });

async function publishRetrying(bus: EventBus, e: OutgoingEvent): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await bus.publish(e);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/** What a spec needs to see of a broker: the consumers (JetStream) or groups (Redis) on the namespace's events. */
interface BrokerView {
  /** Names of the durable and ephemeral consumers, or of the consumer groups, on the tapped types' streams. */
  consumers(namespace: string): Promise<string[]>;
  close(): Promise<void>;
}

const natsView = async (url: string): Promise<BrokerView> => {
  const nc = await connect({ servers: url });
  const jsm = await nc.jetstreamManager();
  return {
    async consumers(namespace) {
      try {
        return (await jsm.consumers.list(JetStreamNames.stream(namespace)).next()).map((c) => c.name);
      } catch {
        return []; // no stream
      }
    },
    close: () => nc.close(),
  };
};

const redisView = async (url: string): Promise<BrokerView> => {
  const redis = new Redis(url);
  return {
    async consumers(namespace) {
      const names: string[] = [];
      for (const type of [A, B, OTHER]) {
        const groups = (await redis.call('XINFO', 'GROUPS', streamKey(namespace, type)).catch(() => [])) as string[][];
        for (const group of groups) names.push(String(group[group.indexOf('name') + 1]));
      }
      return names;
    },
    close: async () => void redis.disconnect(),
  };
};

describe.each(['nats', 'redis'] as const)('EventBus.tap on %s', (kind) => {
  const broker: BrokerProcess = kind === 'nats' ? new NatsServerProcess() : new RedisServerProcess({ persistent: true });
  const buses: EventBus[] = [];
  let view: BrokerView;
  let namespace = '';

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await broker.start();
    view = await (kind === 'nats' ? natsView : redisView)(broker.url);
  });
  beforeEach(() => (namespace = `tap-${randomUUID().slice(0, 8)}`));
  afterEach(async () => void (await Promise.all(buses.splice(0).map((b) => b.close()))));
  afterAll(async () => {
    await view.close();
    await (broker as NatsServerProcess | RedisServerProcess).dispose();
  });

  const bus = (): EventBus => {
    const config: EventBusConfig = {
      bus: kind,
      namespace,
      natsUrl: kind === 'nats' ? broker.url : '',
      redisUrl: kind === 'redis' ? broker.url : '',
      maxDeliveries: 3,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 1000,
      concurrency: 4,
      duplicateWindowMs: 120_000,
      streamReplicas: 1,
      instanceId: 'spec',
    };
    const b = kind === 'nats' ? new JetStreamEventBus(config) : new RedisStreamsEventBus(config);
    buses.push(b);
    return b;
  };
  const ns = (e: DeliveredEvent) => Number(JSON.parse(e.body).n);

  it('delivers the events of its types published after it opened, in publish order, beside a group that still gets them all', async () => {
    const publisher = bus();
    await publisher.publish(event(A, -1)); // before the tap: not delivered
    const grouped: number[] = [];
    const group = await bus().subscribe({
      group: 'billing',
      types: [A, B],
      maxDeliveries: 3,
      retryDelayMs: () => 50,
      concurrency: 4,
      handle: async (e) => (grouped.push(ns(e)), 'ack'),
    });
    const tapped: DeliveredEvent[] = [];
    const tap = await bus().tap([A, B], (e) => void tapped.push(e));
    for (let n = 0; n < 30; n++) await publisher.publish(event(n % 3 === 2 ? OTHER : n % 2 ? B : A, n));
    const expected = [...Array(30).keys()].filter((n) => n % 3 !== 2);
    await until(() => tapped.length >= expected.length && grouped.length >= expected.length, 15_000, 'the events');
    expect(tapped.map(ns)).toEqual(expected);
    expect(tapped.map((e) => e.type)).toEqual(expected.map((n) => (n % 2 ? B : A)));
    expect(tapped[0]).toMatchObject({ deliveryCount: 1, metadata: { 'x-n': '0' } });
    expect(typeof tapped[0].publishedAt).toBe('number');
    expect(grouped.sort((x, y) => x - y)).toEqual(expected);
    await tap.close();
    await group.close();
  });

  it('leaves no consumer or group on the broker once closed (and makes no group at all)', async () => {
    const b = bus();
    await b.publish(event(A, 0));
    const before = await view.consumers(namespace);
    const tapped: number[] = [];
    const tap = await b.tap([A, B], (e) => void tapped.push(ns(e)));
    await b.publish(event(B, 1));
    await until(() => tapped.length === 1, 10_000, 'the event');
    const open = await view.consumers(namespace);
    if (kind === 'nats') expect(open.filter((c) => !before.includes(c))).toEqual([expect.stringMatching(/^tap_spec_/)]);
    else expect(open).toEqual([]);
    await tap.close();
    expect(await view.consumers(namespace)).toEqual(before);
  });

  it('opens before its streams exist and delivers from the first event on', async () => {
    const tapped: number[] = [];
    const tap = await bus().tap([A], (e) => void tapped.push(ns(e)));
    const publisher = bus();
    for (let n = 0; n < 3; n++) await publisher.publish(event(A, n));
    await until(() => tapped.length === 3, 10_000, 'the events');
    expect(tapped).toEqual([0, 1, 2]);
    await tap.close();
  });

  it('skips an event its listener throws on and goes on', async () => {
    const tapped: number[] = [];
    const tap = await bus().tap([A], (e) => {
      if (ns(e) === 1) throw new Error('boom');
      tapped.push(ns(e));
    });
    const publisher = bus();
    for (let n = 0; n < 3; n++) await publisher.publish(event(A, n));
    await until(() => tapped.length === 2, 10_000, 'the events');
    expect(tapped).toEqual([0, 2]);
    await tap.close();
  });

  it('resumes after a broker restart from the last event seen: nothing the broker stored meanwhile is missed, nothing twice', async () => {
    const tapped: number[] = [];
    const tapBus = bus();
    const tap = await tapBus.tap([A, B], (e) => void tapped.push(ns(e)));
    const publisher = bus();
    for (let n = 0; n < 5; n++) await publisher.publish(event(n % 2 ? B : A, n));
    await until(() => tapped.length === 5, 10_000, 'the first events');
    await broker.stop();
    await sleep(300);
    await broker.start();
    // Published by the other bus as soon as the broker takes them: most before the tap is back.
    for (let n = 5; n < 15; n++) await publishRetrying(publisher, event(n % 2 ? B : A, n));
    await until(() => tapped.length >= 15, 30_000, 'the events after the restart');
    await sleep(300);
    expect(tapped).toEqual([...Array(15).keys()]);
    await tap.close();
    const left = await view.consumers(namespace);
    expect(left).toEqual([]);
  });
});

describe('EventBus.tap in memory, through the wrappers the app injects', () => {
  it('delivers through StampedEventBus and ObservedEventBus, in order, and close detaches the listener', async () => {
    const broker = new MemoryEventBroker();
    const bus = new ObservedEventBus(new StampedEventBus(new MemoryEventBus({ memoryBroker: broker } as EventBusConfig), [(m) => ({ ...m, stamped: 'yes' })]), 'spec');
    const tapped: DeliveredEvent[] = [];
    const tap = await bus.tap([A, B], async (e) => {
      await sleep(Number(JSON.parse(e.body).n) % 2 ? 5 : 0); // a slow listener does not reorder
      tapped.push(e);
    });
    for (let n = 0; n < 10; n++) await bus.publish(event(n % 3 === 2 ? OTHER : n % 2 ? B : A, n));
    await until(() => tapped.length === 7, 5_000, 'the events');
    expect(tapped.map((e) => Number(JSON.parse(e.body).n))).toEqual([0, 1, 3, 4, 6, 7, 9]);
    expect(tapped[0]).toMatchObject({ deliveryCount: 1, metadata: { stamped: 'yes' } });
    expect(broker.tapCount).toBe(1);
    await tap.close();
    expect(broker.tapCount).toBe(0);
    await bus.publish(event(A, 10));
    await sleep(20);
    expect(tapped).toHaveLength(7);
    await bus.close();
  });
});
