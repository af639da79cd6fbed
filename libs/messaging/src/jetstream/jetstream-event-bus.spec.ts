import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { NatsServerProcess } from '@app/testing';
import { RpcError, StatusCode } from '@app/transport';
import type { DeliveredEvent, EventOutcome, Subscription } from '../bus/event-bus';
import type { EventBusConfig } from '../config/event-bus-config';
import { JetStreamEventBus } from './jetstream-event-bus';
import { JetStreamNames } from './jetstream-names';
import { MAX_DELIVER_MARGIN } from './jetstream-setup';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** What the conformance suite does not show: a live subscription across a broker crash, concurrency over types, close. */
describe('JetStreamEventBus', () => {
  const broker = new NatsServerProcess();
  const buses: JetStreamEventBus[] = [];
  let namespace = '';

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await broker.start();
  });
  beforeEach(() => (namespace = `spec-${randomUUID().slice(0, 8)}`));
  afterEach(async () => void (await Promise.all(buses.splice(0).map((b) => b.close()))));
  afterAll(() => broker.dispose());

  const bus = (overrides: Partial<EventBusConfig> = {}) => {
    const b = new JetStreamEventBus({
      bus: 'nats',
      namespace,
      natsUrl: broker.url,
      redisUrl: '',
      maxDeliveries: 3,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 1000,
      concurrency: 4,
      duplicateWindowMs: 120_000,
      streamReplicas: 1,
      instanceId: 'spec',
      ...overrides,
    });
    buses.push(b);
    return b;
  };
  const event = (type: string, n: number) => ({ id: randomUUID(), type, body: JSON.stringify({ n }), metadata: { 'x-n': String(n) } });
  const subscription = (
    types: string[],
    handle: (e: DeliveredEvent) => Promise<EventOutcome>,
    overrides: Partial<Subscription> = {},
  ): Subscription => ({
    group: 'billing',
    types,
    maxDeliveries: 3,
    retryDelayMs: () => 100,
    concurrency: 4,
    handle,
    ...overrides,
  });
  const publishRetrying = async (b: JetStreamEventBus, e: ReturnType<typeof event>) => {
    const until = Date.now() + 20_000;
    for (;;) {
      try {
        return await b.publish(e);
      } catch (error) {
        if (Date.now() > until) throw error;
        await sleep(200);
      }
    }
  };

  it('connects on start, with no publish or subscription, and only then reports ready', async () => {
    const b = bus();
    expect(() => b.checkReady()).toThrow(/not connected to NATS JetStream/);
    await sleep(300);
    // Lazy until started: nothing connects by itself.
    expect(() => b.checkReady()).toThrow(/not connected to NATS JetStream/);
    b.start();
    await waitFor(() => {
      try {
        b.checkReady();
        return true;
      } catch {
        return false;
      }
    }, 5000, 'ready after start');
  });

  it('leaves no timer or socket behind once closed', async () => {
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const resources = () => ({ timers: count('Timeout'), sockets: count('TCPSocketWrap') });
    await sleep(50);
    const before = resources();
    const b = bus();
    await b.subscribe(subscription(['a.v1.E', 'b.v1.E'], async () => 'ack'));
    await b.publish(event('a.v1.E', 1));
    await b.close();
    await sleep(50);
    expect(resources().timers).toBeLessThanOrEqual(before.timers);
    expect(resources().sockets).toBeLessThanOrEqual(before.sockets);
  });

  it('keeps a live subscription through a broker kill -9 and restart', async () => {
    const seen = new Set<string>();
    await bus().subscribe(subscription(['a.v1.E'], async (e) => (seen.add(e.metadata['x-n']), 'ack')));
    const publisher = bus();
    for (let n = 1; n <= 5; n++) await publisher.publish(event('a.v1.E', n));
    await waitFor(() => seen.size === 5, 10_000, 'the first 5');

    await broker.stop();
    await expect(publisher.publish(event('a.v1.E', 0))).rejects.toMatchObject({ code: StatusCode.UNAVAILABLE });
    await broker.start();

    for (let n = 6; n <= 10; n++) await publishRetrying(publisher, event('a.v1.E', n));
    await waitFor(() => seen.size === 10, 30_000, 'all 10 after the restart');
    expect([...seen].map(Number).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('starts a subscription made while the broker is down once it is up', async () => {
    await broker.stop();
    const got: string[] = [];
    let subscribed = false;
    const subscribing = bus()
      .subscribe(subscription(['a.v1.E'], async (e) => (got.push(e.metadata['x-n']), 'ack')))
      .then(() => (subscribed = true));
    await sleep(500);
    expect(subscribed).toBe(false);
    await broker.start();
    await subscribing;
    await publishRetrying(bus(), event('a.v1.E', 1));
    await waitFor(() => got.length === 1, 10_000, 'the event');
  });

  it('rejects a publish at once while the broker is down', async () => {
    const publisher = bus();
    await publisher.publish(event('a.v1.E', 1));
    await broker.stop();
    try {
      const started = Date.now();
      const error = await publisher.publish(event('a.v1.E', 2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcError);
      expect(error).toMatchObject({ code: StatusCode.UNAVAILABLE });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await broker.start();
    }
  });

  it('has at most `concurrency` events in hand over all the types of a subscription', async () => {
    let inHand = 0;
    let most = 0;
    let handled = 0;
    await bus().subscribe(
      subscription(
        ['a.v1.E', 'b.v1.E', 'c.v1.E'],
        async () => {
          most = Math.max(most, ++inHand);
          await sleep(30);
          inHand--;
          handled++;
          return 'ack';
        },
        { concurrency: 4 },
      ),
    );
    const publisher = bus();
    await Promise.all(['a.v1.E', 'b.v1.E', 'c.v1.E'].flatMap((type) => Array.from({ length: 20 }, (_, n) => publisher.publish(event(type, n)))));
    await waitFor(() => handled === 60, 20_000, '60 events');
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThan(1);
  });

  it('closes a subscription after the events in hand, and leaves the rest to the group', async () => {
    const first: string[] = [];
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    const handle = await bus().subscribe(
      subscription(['a.v1.E'], async (e) => (first.push(e.metadata['x-n']), await gate, 'ack'), { concurrency: 1 }),
    );
    const publisher = bus();
    for (let n = 1; n <= 5; n++) await publisher.publish(event('a.v1.E', n));
    await waitFor(() => first.length === 1, 10_000, 'the first event in hand');
    let closed = false;
    const closing = handle.close().then(() => (closed = true));
    await sleep(200);
    expect(closed).toBe(false);
    release();
    await closing;
    expect(first).toEqual(['1']);

    const second: string[] = [];
    await bus().subscribe(subscription(['a.v1.E'], async (e) => (second.push(e.metadata['x-n']), 'ack')));
    await waitFor(() => second.length === 4, 10_000, 'the 4 left');
    expect(second.sort()).toEqual(['2', '3', '4', '5']);
  });

  it('lets a group come back with other delivery limits, resuming where it was', async () => {
    const first = bus();
    const handle = await first.subscribe(subscription(['a.v1.E'], async () => 'ack', { maxDeliveries: 3 }));
    await handle.close();
    const publisher = bus();
    await publisher.publish(event('a.v1.E', 1));
    const got: string[] = [];
    await bus().subscribe(subscription(['a.v1.E'], async (e) => (got.push(e.metadata['x-n']), 'ack'), { maxDeliveries: 6 }));
    await waitFor(() => got.length === 1, 10_000, 'the event kept for the group');
    expect(got).toEqual(['1']);
    const nc = await connect({ servers: broker.url });
    const jsm = await nc.jetstreamManager();
    const info = await jsm.consumers.info(JetStreamNames.stream(namespace), JetStreamNames.durable(namespace, 'billing', 'a.v1.E'));
    await nc.close();
    expect(info.config.max_deliver).toBe(6 + MAX_DELIVER_MARGIN);
  });

  it('recreates the stream and the consumer when they are deleted under a live subscription', async () => {
    const got: string[] = [];
    await bus().subscribe(subscription(['a.v1.E'], async (e) => (got.push(e.metadata['x-n']), 'ack')));
    const publisher = bus();
    await publisher.publish(event('a.v1.E', 1));
    await waitFor(() => got.length === 1, 10_000, 'the first event');
    const nc = await connect({ servers: broker.url });
    await (await nc.jetstreamManager()).streams.delete(JetStreamNames.stream(namespace));
    await nc.close();
    // Events published before the consumer is back are not the group's (it takes what is published from then on).
    const until = Date.now() + 30_000;
    for (let n = 2; got.length === 1; n++) {
      if (Date.now() > until) throw new Error('no event delivered after the stream was deleted');
      await publisher.publish(event('a.v1.E', n)).catch(() => undefined);
      await sleep(250);
    }
  });

  it('delivers to a group only the types it subscribed to, counting deliveries from 1', async () => {
    const got: DeliveredEvent[] = [];
    await bus().subscribe(subscription(['a.v1.E'], async (e) => (got.push(e), got.length === 1 ? 'retry' : 'ack')));
    const publisher = bus();
    await publisher.publish(event('b.v1.E', 1));
    await publisher.publish(event('a.v1.E', 2));
    await waitFor(() => got.length === 2, 10_000, 'a retried delivery');
    await sleep(300);
    expect(got.map((e) => [e.type, e.metadata['x-n'], e.deliveryCount])).toEqual([
      ['a.v1.E', '2', 1],
      ['a.v1.E', '2', 2],
    ]);
  });

  const consumerInfo = async (type: string) => {
    const nc = await connect({ servers: broker.url });
    try {
      const jsm = await nc.jetstreamManager();
      return await jsm.consumers.info(JetStreamNames.stream(namespace), JetStreamNames.durable(namespace, 'billing', type));
    } finally {
      await nc.close();
    }
  };

  it.each(['confirmed', 'plain'] as const)('with %s acks, leaves nothing unacked on the server once closed', async (ackMode) => {
    let handled = 0;
    const handle = await bus().subscribe(subscription(['a.v1.E'], async () => (handled++, 'ack'), { ackMode, concurrency: 8 }));
    const publisher = bus();
    await Promise.all(Array.from({ length: 200 }, (_, n) => publisher.publish(event('a.v1.E', n))));
    await waitFor(() => handled === 200, 10_000, '200 events');
    await handle.close();
    if (ackMode === 'plain') {
      // The flush on close has the server read the acks; it applies them a moment later.
      const until = Date.now() + 2000;
      while ((await consumerInfo('a.v1.E')).num_ack_pending > 0 && Date.now() < until) await sleep(50);
    }
    const info = await consumerInfo('a.v1.E');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
  });

  it('keeps at most a buffer of its permits beside the events in hand', async () => {
    let handled = 0;
    let mostUnacked = 0;
    let release = () => undefined as void;
    let gate = new Promise<void>((r) => (release = r));
    await bus().subscribe(subscription(['a.v1.E'], async () => (await gate, handled++, 'ack'), { concurrency: 4 }));
    const publisher = bus();
    await Promise.all(Array.from({ length: 40 }, (_, n) => publisher.publish(event('a.v1.E', n))));
    while (handled < 40) {
      await sleep(150);
      mostUnacked = Math.max(mostUnacked, (await consumerInfo('a.v1.E')).num_ack_pending);
      release();
      gate = new Promise<void>((r) => (release = r));
    }
    // 4 in hand, and a buffer of 4 (6 at most: a refill asked for at half) delivered and waiting.
    expect(mostUnacked).toBeGreaterThanOrEqual(4);
    expect(mostUnacked).toBeLessThanOrEqual(10);
  });
});
