import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineEvent } from '@app/contracts';
import { openDatabase, SqliteDatabase } from '@app/storage';
import { BrokerProcess, NatsServerProcess, RedisServerProcess } from '@app/testing';
import type { EventBus, OutgoingEvent, SubscriptionHandle, TapHandle } from '../bus/event-bus';
import { createEventBus } from '../bus/create-event-bus';
import type { EventBusConfig } from '../config/event-bus-config';
import { Inbox } from '../inbox/inbox';
import { INBOX_MIGRATION } from '../inbox/inbox.migration';
import { Outbox } from './outbox';
import { OUTBOX_MIGRATION } from './outbox.migration';
import { OutboxRelay } from './outbox-relay';

const ThingMade = defineEvent({ service: 'spec', version: 'v1', name: 'ThingMade', schema: z.object({ thing: z.string() }).strict() });
const PRODUCER = [`CREATE TABLE things (name TEXT PRIMARY KEY); ${OUTBOX_MIGRATION}`];
const CONSUMER = [`CREATE TABLE effects (thing TEXT NOT NULL); ${INBOX_MIGRATION}`];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bus whose process dies right after the broker stored the event: the relay never gets to mark the row sent. */
class DiesAfterPublish implements EventBus {
  constructor(private readonly inner: EventBus) {}
  get name() {
    return this.inner.name;
  }
  async publish(event: OutgoingEvent): Promise<void> {
    await this.inner.publish(event);
    throw new Error('the process died before it marked the row sent');
  }
  subscribe(): Promise<SubscriptionHandle> {
    throw new Error('not used');
  }
  tap(): Promise<TapHandle> {
    throw new Error('not used');
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * The outbox across the two crash points of a publisher, with a real broker and a real database file: after the
 * commit and before the publish (the event goes out when the relay starts again), and after the publish and before
 * the row is marked sent (it goes out again with the same id: the bus drops it within its window, the consumer's
 * inbox beyond it). Each "process" is its own connection to the file; a crash leaves only what was committed.
 */
describe.each(['nats', 'redis'] as const)('outbox crash points on %s', (kind) => {
  const broker: BrokerProcess = kind === 'nats' ? new NatsServerProcess() : new RedisServerProcess();
  let dir: string;
  let namespace: string;
  const closing: { close(): unknown }[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await broker.start();
  });
  afterAll(() => (broker as NatsServerProcess | RedisServerProcess).dispose());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-outbox-crash-'));
    namespace = `crash-${randomUUID().slice(0, 8)}`;
  });
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bus = (duplicateWindowMs = 120_000) => {
    const config: EventBusConfig = {
      bus: kind,
      namespace,
      natsUrl: broker.url,
      redisUrl: broker.url,
      maxDeliveries: 5,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 1000,
      concurrency: 4,
      duplicateWindowMs,
      streamReplicas: 1,
      instanceId: randomUUID().slice(0, 8),
    };
    const b = createEventBus(config);
    closing.push(b);
    return b;
  };

  /** A producer process: its own connection to the file, an outbox, and a relay over `publishVia` (not started). */
  const producer = (publishVia: EventBus) => {
    const db = openDatabase(join(dir, 'producer.sqlite'), PRODUCER);
    const relay = new OutboxRelay(db, publishVia);
    const outbox = new Outbox(db, 'spec', relay);
    closing.push({ close: () => relay.onApplicationShutdown().then(() => db.close()) });
    const make = (thing: string) =>
      db.transaction(() => {
        db.prepare('INSERT INTO things (name) VALUES (?)').run(thing);
        return outbox.add(ThingMade, { thing });
      })();
    return { db, relay, make };
  };

  /** The consuming service: deliveries counted, effects applied once through its inbox. */
  const consumer = async (via: EventBus) => {
    const db: SqliteDatabase = openDatabase(join(dir, 'consumer.sqlite'), CONSUMER);
    closing.push(db);
    const inbox = new Inbox(db);
    const deliveries: string[] = [];
    const handle = await via.subscribe({
      group: 'things',
      types: [ThingMade.type],
      maxDeliveries: 5,
      retryDelayMs: () => 100,
      concurrency: 4,
      handle: async (event) => {
        deliveries.push(event.id);
        inbox.apply('things', { eventId: event.id, type: event.type }, () =>
          db.prepare('INSERT INTO effects (thing) VALUES (?)').run(JSON.parse(event.body).thing),
        );
        return 'ack';
      },
    });
    closing.push(handle);
    const effects = () => (db.prepare('SELECT COUNT(*) AS n FROM effects').get() as { n: number }).n;
    return { deliveries, effects };
  };

  const until = async (predicate: () => boolean, what: string) => {
    for (const end = Date.now() + 15_000; !predicate(); await sleep(25)) if (Date.now() > end) throw new Error(`timed out: ${what}`);
  };
  const unsent = (db: SqliteDatabase) => (db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }).n;

  it('publishes an event committed just before a crash when the relay starts again, once', async () => {
    const seen = await consumer(bus());
    const crashed = producer(bus());
    const id = crashed.make('made-before-the-crash'); // committed; the relay never ran
    crashed.db.close();

    const restarted = producer(bus());
    expect(unsent(restarted.db)).toBe(1);
    restarted.relay.onApplicationBootstrap();
    await until(() => seen.deliveries.length === 1, 'the relayed event');
    await until(() => unsent(restarted.db) === 0, 'the row marked sent');
    await sleep(500);
    expect(seen.deliveries).toEqual([id]);
    expect(seen.effects()).toBe(1);
  });

  it('publishes again with the same id after a crash between publish and mark-sent: the bus drops the second', async () => {
    const seen = await consumer(bus());
    const dying = producer(new DiesAfterPublish(bus()));
    const id = dying.make('published-then-crashed');
    dying.relay.onApplicationBootstrap();
    await until(() => seen.deliveries.length === 1, 'the first publish');
    await dying.relay.onApplicationShutdown();
    expect(unsent(dying.db)).toBe(1);

    const restarted = producer(bus());
    restarted.relay.onApplicationBootstrap();
    await until(() => unsent(restarted.db) === 0, 'the row marked sent');
    await sleep(1000);
    expect(seen.deliveries).toEqual([id]);
    expect(seen.effects()).toBe(1);
  });

  it('has one effect when the second publish comes after the bus forgot the id: the consumer inbox drops it', async () => {
    const seen = await consumer(bus(1000));
    const dying = producer(new DiesAfterPublish(bus(1000)));
    const id = dying.make('published-then-crashed-long-ago');
    dying.relay.onApplicationBootstrap();
    await until(() => seen.deliveries.length === 1, 'the first publish');
    await dying.relay.onApplicationShutdown();
    await sleep(1500); // past the bus's de-duplication window

    const restarted = producer(bus(1000));
    restarted.relay.onApplicationBootstrap();
    await until(() => seen.deliveries.length === 2, 'the second delivery');
    expect(seen.deliveries).toEqual([id, id]);
    expect(seen.effects()).toBe(1);
  });
});
