import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { connect } from 'nats';
import { NatsServerProcess, RedisServerProcess } from '@app/testing';
import type { ServedInstance, ServiceEndpoint } from '@app/transport';
import type { DiscoveryConfig, RegistryTransportConfig } from '../registry/discovery-config';
import type { InstanceRecord } from '../registry/instance-record';
import { NatsKvRegistry } from './nats-kv.registry';
import { RedisRegistry } from './redis.registry';

type Mode = 'nats' | 'redis';
const TTL_MS = 1200;
const config: DiscoveryConfig = { mode: 'nats', ttlMs: TTL_MS, replicas: 1, heartbeatMs: 300, dnsName: '_rpc._tcp.{service}', dnsRefreshMs: 5000 };

const served = (over: Partial<ServedInstance> = {}): ServedInstance => ({
  service: 'inventory',
  versions: ['v1'],
  transport: 'tcp',
  listenAddress: '127.0.0.1:7001',
  stats: () => ({ handled: 42, inFlight: 3 }),
  ...over,
});

/** Waits until `probe` returns true (polling), or fails after `withinMs`. Resolves with the time it took. */
async function until(probe: () => boolean | Promise<boolean>, withinMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms: ${what}`);
    await sleep(25);
  }
  return Date.now() - started;
}

describe.each<Mode>(['nats', 'redis'])('%s registry', (mode) => {
  let broker: NatsServerProcess | RedisServerProcess;
  let transport: RegistryTransportConfig;
  const registries: (NatsKvRegistry | RedisRegistry)[] = [];

  /** A registry of this backend; `instanceId` names the instance it announces. */
  function registry(instanceId: string) {
    const r = mode === 'nats' ? new NatsKvRegistry({ ...config, mode }, { ...transport, instanceId }) : new RedisRegistry({ ...config, mode }, { ...transport, instanceId });
    registries.push(r);
    return r;
  }

  /** Writes one heartbeat of a record and stops, as an instance that was killed -9 right after it. */
  async function heartbeatOnce(record: InstanceRecord) {
    const r = registry(record.instanceId) as unknown as { write(record: InstanceRecord, first: boolean): Promise<void> };
    await r.write(record, true);
  }

  beforeAll(async () => {
    Logger.overrideLogger(false);
    broker = await (mode === 'nats' ? new NatsServerProcess() : new RedisServerProcess()).start();
  });
  afterAll(() => broker.dispose());
  beforeEach(() => {
    const namespace = `reg-${randomBytes(4).toString('hex')}`;
    transport = { natsUrl: broker.url, redisUrl: broker.url, namespace, instanceId: 'client', addresses: {} };
  });
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()));
  });

  it('registers an instance with its versions, address and load, and lists it', async () => {
    const a = registry('inv-a');
    await a.announce(served({ listenAddress: '0.0.0.0:7001' }));
    const [record] = await a.list('inventory');
    expect(record).toMatchObject({ service: 'inventory', instanceId: 'inv-a', versions: ['v1'], transport: 'tcp', handled: 42, inFlight: 3 });
    // A wildcard listen address is advertised with this host's name.
    expect(record.address).toMatch(/^[^0][^:]*:7001$/);
    expect(await a.list('payments')).toEqual([]);
  });

  it('tells watchers about a joining instance and, at once, about one that withdraws', async () => {
    const client = registry('client');
    const seen: (readonly ServiceEndpoint[])[] = [];
    const stop = client.watch('inventory', (endpoints) => seen.push(endpoints));
    const a = registry('inv-a');
    const b = registry('inv-b');
    await a.announce(served({ listenAddress: '127.0.0.1:7001', versions: ['v1', 'v2'] }));
    await b.announce(served({ listenAddress: '127.0.0.1:7002' }));
    await until(() => seen.at(-1)?.length === 2, 3000, 'two instances watched');
    expect(seen.at(-1)).toEqual([
      { instanceId: 'inv-a', address: '127.0.0.1:7001', versions: ['v1', 'v2'] },
      { instanceId: 'inv-b', address: '127.0.0.1:7002', versions: ['v1'] },
    ]);
    await b.withdraw();
    const tookMs = await until(() => seen.at(-1)?.length === 1, TTL_MS / 2, 'b withdrawn well before its TTL');
    console.log(`[${mode} registry] a withdrawal reached the watcher in ${tookMs} ms`);
    stop();
  });

  it('drops an instance that stops heartbeating within the TTL, and keeps one that heartbeats', async () => {
    const client = registry('client');
    let latest: readonly ServiceEndpoint[] = [];
    client.watch('inventory', (endpoints) => (latest = endpoints));
    const alive = registry('inv-alive');
    await alive.announce(served({ listenAddress: '127.0.0.1:7001' }));
    const now = Date.now();
    await heartbeatOnce({ service: 'inventory', instanceId: 'inv-dead', versions: ['v1'], transport: 'tcp', address: '127.0.0.1:7009', startedAt: now, heartbeatAt: now, handled: 0, inFlight: 0 });
    await until(() => latest.length === 2, 3000, 'both instances watched');
    const diedAt = Date.now();
    await until(() => latest.length === 1, TTL_MS * 2 + 500, 'the silent instance dropped');
    const goneAfterMs = Date.now() - diedAt;
    console.log(`[${mode} registry] an instance without heartbeats left the watched list ${goneAfterMs} ms after its last one (TTL ${TTL_MS} ms)`);
    expect(latest.map((e) => e.instanceId)).toEqual(['inv-alive']);
    expect((await client.list('inventory')).map((r) => r.instanceId)).toEqual(['inv-alive']);
  });

  it('ignores malformed records in the backend', async () => {
    const a = registry('inv-a');
    await a.announce(served());
    if (mode === 'redis') {
      const redis = new Redis(broker.url);
      await redis.hset(`${transport.namespace}:registry:{inventory}`, 'bogus', '{"service":1}');
      await redis.zadd(`${transport.namespace}:registry:{inventory}:alive`, Date.now() + 60_000, 'bogus');
      await redis.quit();
    } else {
      const nc = await connect({ servers: broker.url });
      const kv = await nc.jetstream().views.kv(`${transport.namespace}_registry`);
      await kv.put('inventory.bogus', new TextEncoder().encode('not json'));
      await nc.close();
    }
    const client = registry('client');
    let latest: readonly ServiceEndpoint[] = [];
    client.watch('inventory', (endpoints) => (latest = endpoints));
    await until(() => latest.length === 1, 3000, 'the valid instance watched');
    await sleep(300);
    expect(latest.map((e) => e.instanceId)).toEqual(['inv-a']);
    expect((await client.list('inventory')).map((r) => r.instanceId)).toEqual(['inv-a']);
  });
});
