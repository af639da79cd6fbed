import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { connect } from 'nats';
import { createEventBus, DUPLICATE_WINDOW_MS, OUTBOX_MIGRATION, OutboxRelay } from '@app/messaging';
import { ObservedEventBus } from '@app/messaging/bus/observed-event-bus';
import { JetStreamNames } from '@app/messaging/jetstream/jetstream-names';
import { streamKey } from '@app/messaging/redis-streams/redis-streams-keys';
import { openDatabase } from '@app/storage';
import { echoText } from '../load/payloads';
import { sampleCpu } from '../measure/proc-stats';
import { cpuFigures, Measurement } from '../report/measurement';
import type { Log } from '../rpc/rpc-suite';
import { describe } from '../rpc/rpc-suite';
import type { BenchEnvironment } from '../run/bench-environment';
import type { BenchPlan } from '../run/bench-plan';
import type { BenchBus, EventJob } from './event-stack';
import { rawJetStream } from './stacks/raw-jetstream.stack';
import { rawRedisStreams } from './stacks/raw-redis-streams.stack';

const TYPE = 'bench.v1.Pinged';
/** Publishes the raw client keeps in flight at once: the relay's batch. */
const WINDOW = 100;
const BUS_OF: Record<string, BenchBus> = { nats: 'jetstream', redis: 'redis-streams' };
export const OUTBOX_STACK = 'outbox relay';
/** The raw client publishing as many events: named `raw` so the table gives the relay's ratio to it. */
export const RAW_PUBLISH_STACK = 'raw';

/** Events of one bus stored now (JetStream: the namespace's stream; Redis: the type's stream). */
async function storedEvents(bus: BenchBus, env: BenchEnvironment, namespace: string): Promise<number> {
  if (bus === 'jetstream') {
    const nc = await connect({ servers: env.nats.url });
    try {
      return (await (await nc.jetstreamManager()).streams.info(JetStreamNames.stream(namespace))).state.messages;
    } finally {
      await nc.close();
    }
  }
  const redis = new Redis(env.redis.url);
  try {
    return await redis.xlen(streamKey(namespace, TYPE));
  } finally {
    redis.disconnect();
  }
}

/** An orders-like database with `rows` committed, unsent outbox rows. */
function pendingOutbox(dir: string, rows: number) {
  const db = openDatabase(join(dir, 'outbox.sqlite'), [OUTBOX_MIGRATION]);
  const insert = db.prepare('INSERT INTO outbox (id, type, body, metadata, created_at) VALUES (?, ?, ?, ?, ?)');
  const body = JSON.stringify({ text: echoText('small') });
  const metadata = JSON.stringify({ 'x-caller': 'bench-orders' });
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(randomUUID(), TYPE, body, metadata, Date.now());
  })();
  return db;
}

/**
 * The outbox drain (issue 14): a database with N pending outbox rows (50,000; 10,000 with --quick) drained by the
 * apps' OutboxRelay through the traced EventBus, against the raw client publishing as many events, WINDOW at a time.
 * Checks that every row was marked sent and that the broker holds exactly N events (de-duplication by the row id).
 */
export async function runOutboxDrain(plan: BenchPlan, env: BenchEnvironment, log: Log): Promise<Measurement[]> {
  const rows = plan.quick ? 10_000 : 50_000;
  const measurements: Measurement[] = [];
  let serial = 0;
  for (const transport of plan.transports) {
    const bus = BUS_OF[transport];
    if (!bus) continue;
    const pids = { bench: process.pid, broker: env.brokerPid(bus)! };
    const cell = (stack: string, completed: number, errors: number, elapsedMs: number, before: Record<string, number>, firstError?: string): Measurement => {
      const m: Measurement = {
        suite: 'events',
        stack,
        transport: bus,
        concurrency: WINDOW,
        payload: `${rows} outbox rows`,
        throughput: (1000 * completed) / elapsedMs,
        p50Ms: NaN,
        p99Ms: NaN,
        completed,
        errors,
        firstError,
        windowMs: elapsedMs,
        ...cpuFigures(before, sampleCpu(pids), elapsedMs, completed),
      };
      log(describe(m));
      return m;
    };

    // The raw client: N publishes, WINDOW in flight at a time.
    const rawJob: EventJob = { stack: 'raw', bus, natsUrl: env.nats.url, redisUrl: env.redis.url, namespace: `${env.namespace}o${++serial}`, concurrency: WINDOW };
    const raw = bus === 'jetstream' ? rawJetStream : rawRedisStreams;
    await (await raw.consume(rawJob, () => undefined)).close(); // makes the raw stream (a consumer would add CPU)
    const publisher = await raw.publisher(rawJob);
    const body = JSON.stringify({ text: echoText('small') });
    let before = sampleCpu(pids);
    let started = performance.now();
    for (let sent = 0; sent < rows; sent += WINDOW) {
      await Promise.all(Array.from({ length: Math.min(WINDOW, rows - sent) }, () => publisher.publish(body)));
    }
    measurements.push(cell(RAW_PUBLISH_STACK, rows, 0, performance.now() - started, before));
    await publisher.close();

    // The relay, as the apps run it, on a database with every row pending.
    const namespace = `${env.namespace}o${++serial}`;
    const dir = mkdtempSync(join(tmpdir(), 'sb-bench-outbox-'));
    const db = pendingOutbox(dir, rows);
    const eventBus = new ObservedEventBus(
      createEventBus({
        bus: bus === 'jetstream' ? 'nats' : 'redis',
        namespace,
        natsUrl: env.nats.url,
        redisUrl: env.redis.url,
        maxDeliveries: 5,
        retryBaseDelayMs: 500,
        retryMaxDelayMs: 30_000,
        concurrency: 16,
        duplicateWindowMs: DUPLICATE_WINDOW_MS,
        streamReplicas: 1,
        instanceId: `bench-relay-${process.pid}`,
      }),
      'bench-orders',
    );
    const relay = new OutboxRelay(db, eventBus);
    try {
      before = sampleCpu(pids);
      started = performance.now();
      relay.onApplicationBootstrap();
      while (relay.backlog() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const elapsed = performance.now() - started;
      const stored = await storedEvents(bus, env, namespace);
      const unsent = relay.backlog();
      const errors = Math.abs(stored - rows) + unsent;
      measurements.push(cell(OUTBOX_STACK, rows, errors, elapsed, before, errors ? `broker holds ${stored} events for ${rows} rows, ${unsent} unsent` : undefined));
    } finally {
      await relay.onApplicationShutdown();
      await eventBus.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return measurements;
}
