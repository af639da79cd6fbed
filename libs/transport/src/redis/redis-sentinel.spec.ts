import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisSentinelCluster } from '@app/testing';
import { TestCertificates } from '@app/testing/brokers/test-certificates';
import { loadTransportConfig } from '../config/transport-config';
import { closeConnection, openConnection, redisSentinelOptions, whenReady } from './redis-connection';
import { ThrottledLog } from './throttled-log';

describe('Redis with Sentinel: settings', () => {
  it('reads REDIS_SENTINELS, REDIS_SENTINEL_NAME and REDIS_SENTINEL_PASSWORD', () => {
    const config = loadTransportConfig({
      REDIS_SENTINELS: 'sentinel-0.sentinel:26379, 10.0.0.2:26380,[::1]:26381',
      REDIS_SENTINEL_NAME: 'orders-master',
      REDIS_SENTINEL_PASSWORD: 's3cret',
    });
    expect(config.redisSentinel).toEqual({
      sentinels: [
        { host: 'sentinel-0.sentinel', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'orders-master',
      password: 's3cret',
    });
  });

  it('has no sentinels unless REDIS_SENTINELS is set, and the name defaults to mymaster', () => {
    expect(loadTransportConfig({}).redisSentinel).toBeUndefined();
    expect(loadTransportConfig({ REDIS_SENTINELS: 'a:1' }).redisSentinel).toEqual({ sentinels: [{ host: 'a', port: 1 }], name: 'mymaster' });
  });

  it('refuses a malformed list or name', () => {
    expect(() => loadTransportConfig({ REDIS_SENTINELS: 'a' })).toThrow(/REDIS_SENTINELS must be host:port/);
    expect(() => loadTransportConfig({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'a b' })).toThrow(/REDIS_SENTINEL_NAME/);
  });

  it('reaches the sentinels and the master over TLS when the URL or the TLS material says so', () => {
    const sentinel = { sentinels: [{ host: 'a', port: 1 }], name: 'm' };
    expect(redisSentinelOptions('redis://x', undefined, sentinel)).not.toHaveProperty('tls');
    expect(redisSentinelOptions('rediss://x', undefined, sentinel)).toMatchObject({ tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true });
    const options = redisSentinelOptions('redis://:pw@x', { ca: Buffer.from('ca'), cert: Buffer.from('c'), key: Buffer.from('k') }, sentinel);
    expect(options).toMatchObject({ enableTLSForSentinelMode: true, tls: { ca: Buffer.from('ca') }, sentinelTLS: { ca: Buffer.from('ca') } });
  });

  it('leaves ioredis\'s failover detector off, and reconnects on the replies of a demoted master', () => {
    const options = redisSentinelOptions('redis://x', undefined, { sentinels: [{ host: 'a', port: 1 }], name: 'm', password: 'p' });
    // Its +switch-master disconnect during a reconnect attempt ends the connection for good (status `end`).
    expect(options.failoverDetector).toBe(false);
    expect(options.sentinelPassword).toBe('p');
    expect(options.sentinelRetryStrategy!(1)).toBeGreaterThan(0);
    const reconnect = options.reconnectOnError!;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(reconnect(new Error('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)'))).toBe(true);
    expect(reconnect(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
  });
});

/** A real master, replica and three sentinels: a connection opened through the sentinels follows a failover. */
describe('Redis with Sentinel: a connection follows the master', () => {
  const cluster = new RedisSentinelCluster();
  const connections: Redis[] = [];
  const log = new ThrottledLog(new Logger('sentinel-spec'));

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await cluster.start();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(connections.map(closeConnection));
    await cluster.dispose();
  });

  const open = (role: 'commands' | 'requests') => {
    const env = cluster.env;
    const config = loadTransportConfig(env);
    const redis = openConnection({ url: config.redisUrl, sentinel: config.redisSentinel }, role, `spec-${role}`, log);
    connections.push(redis);
    return redis;
  };

  it('connects to the master the sentinels name, then to the replica they promote when the master is killed', async () => {
    const redis = open('requests');
    await whenReady(redis, { timeoutMs: 10_000 });
    const first = await cluster.masterPort();
    expect(redis.stream.remotePort).toBe(first);
    await redis.set('before', '1');
    expect(Number(await redis.call('WAIT', 1, 2000))).toBe(1);

    await cluster.server(first).stop('SIGKILL');
    const promoted = await cluster.untilFailedOver(first);
    expect(promoted).not.toBe(first);

    const deadline = Date.now() + 15_000;
    while (!(redis.status === 'ready' && redis.stream.remotePort === promoted)) {
      if (Date.now() > deadline) throw new Error(`still ${redis.status} to ${redis.stream?.remotePort}, not the promoted ${promoted}`);
      await sleep(100);
    }
    expect(await redis.get('before')).toBe('1');
    await redis.set('after', '2');

    await cluster.restartAsReplica(cluster.server(first));
    expect(Number(await redis.call('WAIT', 1, 2000))).toBe(1);
    expect(await cluster.masterPort()).toBe(promoted);
  }, 60_000);
});

/** Passwords as without Sentinel: the servers' in REDIS_URL, the sentinels' own in REDIS_SENTINEL_PASSWORD. */
describe('Redis with Sentinel: passwords', () => {
  const cluster = new RedisSentinelCluster({ password: 'p@ss word' });
  const connections: Redis[] = [];
  const log = new ThrottledLog(new Logger('sentinel-spec'));

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await cluster.start();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(connections.map(closeConnection));
    await cluster.dispose();
  });

  const open = (env: NodeJS.ProcessEnv) => {
    const config = loadTransportConfig(env);
    const redis = openConnection({ url: config.redisUrl, sentinel: config.redisSentinel }, 'commands', 'spec-auth', log);
    connections.push(redis);
    return redis;
  };

  it('reaches the master with both passwords', async () => {
    const redis = open(cluster.env);
    await whenReady(redis, { timeoutMs: 10_000 });
    await redis.set('k', 'v');
    expect(await redis.get('k')).toBe('v');
  });

  it('cannot reach it without the sentinels\' password', async () => {
    const { REDIS_SENTINEL_PASSWORD: _, ...env } = cluster.env;
    const redis = open(env);
    await expect(whenReady(redis, { timeoutMs: 1500 })).rejects.toThrow(/not ready/);
  });
});

/** TLS as without Sentinel: the TLS material reaches both the sentinels and the master over TLS. */
describe('Redis with Sentinel: TLS', () => {
  const certs = TestCertificates.make(['redis', 'client']);
  const cluster = new RedisSentinelCluster({ tls: certs.files('redis') });
  const connections: Redis[] = [];
  const log = new ThrottledLog(new Logger('sentinel-spec'));

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await cluster.start();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(connections.map(closeConnection));
    await cluster.dispose();
    certs.dispose();
  });

  it('reaches the master through the sentinels, all over mutual TLS', async () => {
    const config = loadTransportConfig(cluster.env);
    expect(config.redisUrl).toMatch(/^rediss:/);
    const redis = openConnection({ url: config.redisUrl, tls: certs.tls('client'), sentinel: config.redisSentinel }, 'commands', 'spec-tls', log);
    connections.push(redis);
    await whenReady(redis, { timeoutMs: 10_000 });
    await redis.set('k', 'v');
    expect(await redis.get('k')).toBe('v');
    expect(redis.stream.constructor.name).toBe('TLSSocket');
  });
});
