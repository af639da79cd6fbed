import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisServerProcess } from '@app/testing';
import { RpcError, StatusCode } from '@app/transport';
import type { EventBusConfig } from '../config/event-bus-config';
import { RedisStreamsEventBus } from './redis-streams-event-bus';
import { streamKey } from './redis-streams-keys';

const TYPE = 'spec.v1.Replicated';

/**
 * Redis replicates asynchronously: a publish the master acknowledged can be missing on the replica Sentinel
 * promotes. With REDIS_WAIT_REPLICAS, a publish resolves only once that many replicas have the event.
 */
describe('RedisStreamsEventBus with REDIS_WAIT_REPLICAS', () => {
  const master = new RedisServerProcess({ persistent: true });
  let replica: RedisServerProcess;
  const buses: RedisStreamsEventBus[] = [];
  const raw: Redis[] = [];
  const namespace = `repl-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await master.start();
    replica = await new RedisServerProcess({ persistent: true, replicaOf: master.port }).start();
    await master.untilReplicasOnline(1);
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    raw.splice(0).forEach((r) => r.disconnect());
  });
  afterAll(async () => {
    await replica.dispose();
    await master.dispose();
  });

  const bus = (overrides: Partial<EventBusConfig>) => {
    const b = new RedisStreamsEventBus({
      bus: 'redis',
      namespace,
      natsUrl: '',
      redisUrl: master.url,
      maxDeliveries: 3,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 1000,
      concurrency: 4,
      duplicateWindowMs: 120_000,
      streamReplicas: 1,
      instanceId: `i-${randomBytes(3).toString('hex')}`,
      ...overrides,
    });
    buses.push(b);
    return b;
  };
  const event = (id: string) => ({ id, type: TYPE, body: '{}', metadata: {} });
  const onReplica = async (id: string) => {
    const r = new Redis(replica.url);
    raw.push(r);
    const entries = await r.xrange(streamKey(namespace, TYPE), '-', '+');
    return entries.some(([, fields]) => fields[fields.indexOf('id') + 1] === id);
  };

  it('resolves a publish once the replica has the event', async () => {
    const b = bus({ redisWaitReplicas: 1, redisWaitTimeoutMs: 2000 });
    await b.publish(event('e-1'));
    expect(await onReplica('e-1')).toBe(true);
  });

  it('fails a publish UNAVAILABLE when no replica confirms it in time, and the retry is stored once', async () => {
    const b = bus({ redisWaitReplicas: 1, redisWaitTimeoutMs: 300 });
    replica.signal('SIGSTOP');
    try {
      const failed = await b.publish(event('e-2')).then(() => undefined, (error: unknown) => error);
      expect(failed).toBeInstanceOf(RpcError);
      expect((failed as RpcError).code).toBe(StatusCode.UNAVAILABLE);
      expect((failed as RpcError).message).toMatch(/acknowledged by 0 of 1 replicas/);
    } finally {
      replica.signal('SIGCONT');
    }
    await master.untilReplicasOnline(1);
    await b.publish(event('e-2'));
    const r = new Redis(master.url);
    raw.push(r);
    const stored = (await r.xrange(streamKey(namespace, TYPE), '-', '+')).filter(([, f]) => f[f.indexOf('id') + 1] === 'e-2');
    expect(stored).toHaveLength(1);
    expect(await onReplica('e-2')).toBe(true);
  });

  it('does not wait for replicas by default', async () => {
    const b = bus({});
    replica.signal('SIGSTOP');
    try {
      await b.publish(event('e-3'));
    } finally {
      replica.signal('SIGCONT');
    }
  });
});
