import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisServerProcess } from '@app/testing';
import { RpcError, StatusCode } from '@app/transport';
import type { DeliveredEvent, EventOutcome, Subscription } from '../bus/event-bus';
import type { EventBusConfig } from '../config/event-bus-config';
import { RedisStreamsEventBus } from './redis-streams-event-bus';
import { consumerName, retryConsumerName, streamKey } from './redis-streams-keys';
import type { RedisStreamsTiming } from './redis-streams-timing';
import { compareIds } from './stream-trimmer';

const TYPE = 'spec.v1.Thing';
const OTHER = 'spec.v1.Other';

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** What the conformance suite cannot see: dead instances, retries outliving an instance, limits, trimming, lost groups. */
describe('RedisStreamsEventBus', () => {
  const broker = new RedisServerProcess({ persistent: true });
  const buses: RedisStreamsEventBus[] = [];
  const raw: Redis[] = [];
  let namespace = '';

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await broker.start();
  });
  beforeEach(() => (namespace = `spec-${randomBytes(3).toString('hex')}`));
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    raw.splice(0).forEach((r) => r.disconnect());
  });
  afterAll(() => broker.dispose());

  const config = (overrides: Partial<EventBusConfig> = {}): EventBusConfig => ({
    bus: 'redis',
    namespace,
    natsUrl: '',
    redisUrl: broker.url,
    maxDeliveries: 3,
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 1000,
    concurrency: 4,
    duplicateWindowMs: 120_000,
    streamReplicas: 1,
    instanceId: `i-${randomBytes(3).toString('hex')}`,
    ...overrides,
  });
  const bus = (overrides: Partial<EventBusConfig> = {}, timing: Partial<RedisStreamsTiming> = {}) => {
    const b = new RedisStreamsEventBus(config(overrides), timing);
    buses.push(b);
    return b;
  };
  const redis = () => {
    const r = new Redis(broker.url);
    raw.push(r);
    return r;
  };
  const subscription = (
    handle: (event: DeliveredEvent) => Promise<EventOutcome>,
    overrides: Partial<Subscription> = {},
  ): Subscription => ({
    group: 'billing',
    types: [TYPE],
    maxDeliveries: 3,
    retryDelayMs: (n) => 100 * 2 ** (n - 1),
    concurrency: 4,
    handle,
    ...overrides,
  });
  let serial = 0;
  const publish = (b: RedisStreamsEventBus, n: number, type = TYPE) =>
    b.publish({ id: `e-${++serial}-${n}`, type, body: JSON.stringify({ n }), metadata: { 'x-n': String(n) } });
  const numberOf = (event: DeliveredEvent): number => JSON.parse(event.body).n;

  it('keeps a failed event in Redis: another instance retries it after the one that failed it has closed', async () => {
    const seen: { instance: string; count: number; at: number }[] = [];
    const first = await bus().subscribe(
      subscription(async (e) => {
        seen.push({ instance: 'a', count: e.deliveryCount, at: Date.now() });
        return 'retry';
      }, { retryDelayMs: () => 600 }),
    );
    await publish(bus(), 1);
    await until(() => seen.length === 1);
    await first.close();
    await bus().subscribe(
      subscription(async (e) => {
        seen.push({ instance: 'b', count: e.deliveryCount, at: Date.now() });
        return 'ack';
      }, { retryDelayMs: () => 600 }),
    );
    await until(() => seen.length === 2);
    expect(seen.map(({ instance, count }) => ({ instance, count }))).toEqual([
      { instance: 'a', count: 1 },
      { instance: 'b', count: 2 },
    ]);
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(550);
  });

  it('gives the events a dead instance took to another instance once they have been idle long enough', async () => {
    const r = redis();
    const key = streamKey(namespace, TYPE);
    await r.xgroup('CREATE', key, 'billing', '$', 'MKSTREAM');
    const publisher = bus();
    for (const n of [1, 2, 3]) await publish(publisher, n);
    const taken = await r.xreadgroup('GROUP', 'billing', 'dead-instance', 'COUNT', 10, 'STREAMS', key, '>');
    expect(taken).not.toBeNull();
    const startedAt = Date.now();
    const seen: DeliveredEvent[] = [];
    await bus({}, { abandonedAfterMs: 800, abandonedScanEveryMs: 100 }).subscribe(
      subscription(async (e) => {
        seen.push(e);
        return 'ack';
      }),
    );
    await until(() => seen.length === 3);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(700);
    expect(seen.map(numberOf).sort()).toEqual([1, 2, 3]);
    expect(seen.map((e) => e.deliveryCount)).toEqual([2, 2, 2]);
    expect(seen[0].metadata).toEqual({ 'x-n': expect.any(String) });
    await until(async () => (await r.xpending(key, 'billing'))[0] === 0, 2000, 'the acks');
  });

  it('does not let another instance take an event whose handler is still running, however long it runs', async () => {
    const timing = { abandonedAfterMs: 500, keepAliveAfterMs: 150, abandonedScanEveryMs: 50 };
    const seen: string[] = [];
    const slow = (instance: string) => async () => {
      seen.push(instance);
      await sleep(2000);
      return 'ack' as const;
    };
    await bus({}, timing).subscribe(subscription(slow('a')));
    await publish(bus(), 1);
    await until(() => seen.length === 1);
    await bus({}, timing).subscribe(subscription(slow('b')));
    await sleep(2500);
    expect(seen).toEqual(['a']);
  });

  it('takes back at once what its own consumer holds but has not in hand (a read whose reply was lost)', async () => {
    const r = redis();
    const key = streamKey(namespace, TYPE);
    const instanceId = 'same-instance';
    await r.xgroup('CREATE', key, 'billing', '$', 'MKSTREAM');
    await publish(bus(), 1);
    await r.xreadgroup('GROUP', 'billing', consumerName(namespace, instanceId, 1), 'COUNT', 10, 'STREAMS', key, '>');
    const seen: DeliveredEvent[] = [];
    await bus({ instanceId }).subscribe(
      subscription(async (e) => {
        seen.push(e);
        return 'ack';
      }),
    );
    await until(() => seen.length === 1, 2000, 'the orphan');
    expect(seen[0].deliveryCount).toBe(2);
  });

  it('has at most `concurrency` events in hand, over several streams', async () => {
    let running = 0;
    let most = 0;
    const handled: number[] = [];
    await bus().subscribe(
      subscription(
        async (e) => {
          most = Math.max(most, ++running);
          await sleep(30);
          running--;
          handled.push(numberOf(e));
          return 'ack';
        },
        { types: [TYPE, OTHER], concurrency: 3 },
      ),
    );
    const publisher = bus();
    await Promise.all(Array.from({ length: 30 }, (_, i) => publish(publisher, i, i % 2 ? TYPE : OTHER)));
    await until(() => handled.length === 30);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
  });

  it('with concurrency 1 over two streams still reads both', async () => {
    const handled: string[] = [];
    await bus().subscribe(
      subscription(
        async (e) => {
          handled.push(e.type);
          return 'ack';
        },
        { types: [TYPE, OTHER], concurrency: 1 },
      ),
    );
    const publisher = bus();
    for (let i = 0; i < 6; i++) await publish(publisher, i, i % 2 ? TYPE : OTHER);
    await until(() => handled.length === 6);
    expect(handled.filter((t) => t === TYPE)).toHaveLength(3);
  });

  it('rejects a publish at once while Redis is down, and publishes again once it is back', async () => {
    const publisher = bus();
    await publish(publisher, 1);
    await broker.stop();
    try {
      const startedAt = Date.now();
      const error = await publish(publisher, 2).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(RpcError);
      expect((error as RpcError).code).toBe(StatusCode.UNAVAILABLE);
      expect(Date.now() - startedAt).toBeLessThan(500);
    } finally {
      await broker.start();
    }
    await until(() => publish(publisher, 3).then(() => true, () => false), 10_000, 'a publish after the restart');
  });

  it('close waits for the handler in hand, settles it, and leaves no consumer behind', async () => {
    const r = redis();
    const key = streamKey(namespace, TYPE);
    let finished = false;
    let started = false;
    const handle = await bus().subscribe(
      subscription(async () => {
        started = true;
        await sleep(300);
        finished = true;
        return 'ack';
      }),
    );
    await publish(bus(), 1);
    await until(() => started);
    await handle.close();
    expect(finished).toBe(true);
    expect((await r.xpending(key, 'billing'))[0]).toBe(0);
    expect(await r.xinfo('CONSUMERS', key, 'billing')).toEqual([]);
  });

  it('keeps a retried event pending with the retry consumer between deliveries', async () => {
    const r = redis();
    const key = streamKey(namespace, TYPE);
    const counts: number[] = [];
    await bus().subscribe(
      subscription(async (e) => {
        counts.push(e.deliveryCount);
        return e.deliveryCount < 3 ? 'retry' : 'ack';
      }, { retryDelayMs: () => 400 }),
    );
    await publish(bus(), 1);
    await until(() => counts.length === 1);
    await sleep(100);
    const pending = await r.xpending(key, 'billing', '-', '+', 10);
    expect(pending).toEqual([[expect.any(String), retryConsumerName(namespace), expect.any(Number), 1]]);
    await until(() => counts.length === 3);
    expect(counts).toEqual([1, 2, 3]);
  });

  it('trims what every group has acked, and keeps what some group still needs', async () => {
    const r = redis();
    const key = streamKey(namespace, TYPE);
    let handled = 0;
    await bus({}, { trimEveryMs: 100 }).subscribe(
      subscription(async () => {
        handled++;
        return 'ack';
      }, { concurrency: 32 }),
    );
    const publisher = bus();
    for (let i = 0; i < 250; i++) await publish(publisher, i);
    await until(() => handled === 250);
    await until(async () => (await r.xlen(key)) < 150, 5000, 'the stream to be trimmed');

    await r.xgroup('CREATE', key, 'lagging', '$');
    for (let i = 0; i < 250; i++) await publish(publisher, i);
    await until(() => handled === 500);
    await sleep(400);
    expect(await r.xlen(key)).toBeGreaterThanOrEqual(250);
  });

  it('keeps consuming across a Redis kill -9: settles the event in hand once Redis is back, and reads new ones', async () => {
    const r = redis();
    const key = streamKey(namespace, TYPE);
    const seen: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await bus().subscribe(
      subscription(async (e) => {
        seen.push(numberOf(e));
        if (numberOf(e) === 1) await released;
        return 'ack';
      }),
    );
    const publisher = bus();
    await publish(publisher, 1);
    await until(() => seen.length === 1);
    await broker.stop();
    release();
    await sleep(300);
    await broker.start();
    await until(() => publish(publisher, 2).then(() => true, () => false), 10_000, 'a publish after the restart');
    await until(() => seen.length === 2, 10_000, 'the event published after the restart');
    await until(async () => (await r.xpending(key, 'billing'))[0] === 0, 5000, 'the ack left over from the outage');
    await sleep(300);
    expect(seen).toEqual([1, 2]);
  });

  it('waits for Redis to subscribe, and closes promptly while Redis is down', async () => {
    await broker.stop();
    let subscribed = false;
    const seen: number[] = [];
    const pending = bus()
      .subscribe(
        subscription(async (e) => {
          seen.push(numberOf(e));
          return 'ack';
        }),
      )
      .then((handle) => {
        subscribed = true;
        return handle;
      });
    await sleep(500);
    expect(subscribed).toBe(false);
    await broker.start();
    const handle = await pending;
    await publish(bus(), 1);
    await until(() => seen.length === 1);
    await broker.stop();
    try {
      const startedAt = Date.now();
      await handle.close();
      await Promise.all(buses.splice(0).map((b) => b.close()));
      expect(Date.now() - startedAt).toBeLessThan(1000);
    } finally {
      await broker.start();
    }
  });

  it('orders stream ids by time, then sequence', () => {
    expect(compareIds('1-2', '1-10')).toBe(-1);
    expect(compareIds('10-0', '9-99')).toBe(1);
    expect(compareIds('5-5', '5-5')).toBe(0);
  });
});

describe('RedisStreamsEventBus on a Redis that forgets (no persistence)', () => {
  const broker = new RedisServerProcess();
  const buses: RedisStreamsEventBus[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await broker.start();
  });
  afterEach(async () => void (await Promise.all(buses.splice(0).map((b) => b.close()))));
  afterAll(() => broker.dispose());

  it('recreates a group Redis lost, and delivers what was published since', async () => {
    const config: EventBusConfig = {
      bus: 'redis',
      namespace: `forget-${randomBytes(3).toString('hex')}`,
      natsUrl: '',
      redisUrl: broker.url,
      maxDeliveries: 3,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 1000,
      concurrency: 4,
      duplicateWindowMs: 120_000,
      streamReplicas: 1,
      instanceId: 'forgetful',
    };
    const consumer = new RedisStreamsEventBus(config);
    const publisher = new RedisStreamsEventBus({ ...config, instanceId: 'publisher' });
    buses.push(consumer, publisher);
    const seen: number[] = [];
    await consumer.subscribe({
      group: 'billing',
      types: [TYPE],
      maxDeliveries: 3,
      retryDelayMs: () => 100,
      concurrency: 4,
      handle: async (e) => {
        seen.push(JSON.parse(e.body).n);
        return 'ack';
      },
    });
    const send = (n: number) => publisher.publish({ id: `f-${n}`, type: TYPE, body: JSON.stringify({ n }), metadata: {} });
    await send(1);
    await until(() => seen.length === 1);
    await broker.stop();
    await broker.start();
    await until(() => send(2).then(() => true, () => false), 10_000, 'a publish after the restart');
    await until(() => seen.length === 2, 10_000, 'the event published after the restart');
    expect(seen).toEqual([1, 2]);
  });
});
