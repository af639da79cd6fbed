import type Redis from 'ioredis';
import { closeConnection, openConnection, ThrottledLog, whenReady } from '@app/transport';
import type { DiscoveryConfig, RegistryTransportConfig } from '../registry/discovery-config';
import { HeartbeatRegistry } from '../registry/heartbeat-registry';
import { InstanceRecord, parseInstanceRecord } from '../registry/instance-record';
import type { WatchedService } from '../registry/watched-service';

const READY_WAIT_MS = 2000;

/** Redis's own clock in ms, so expiry never compares the clocks of two hosts. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: records hash, alive sorted set. ARGV: instance id, record JSON, TTL ms. */
const HEARTBEAT = `${NOW}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return now`;

/** KEYS: records hash, alive sorted set. Drops the expired instances, returns the records of the others. */
const LIVE = `${NOW}
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
if #gone > 0 then
  redis.call('ZREM', KEYS[2], unpack(gone))
  redis.call('HDEL', KEYS[1], unpack(gone))
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf')
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[1], unpack(ids))`;

/**
 * The registry in Redis: per service a hash of JSON records by instance id and a sorted set of instance ids
 * scored by when each expires (Redis's clock + TTL at each heartbeat); both keys share a hash tag, so they live
 * in one slot of a Redis Cluster. Reads drop expired instances in the same script. Registering and withdrawing
 * publish the service's name on `<ns>:registry:changed`, so watchers read again at once; they also read every
 * heartbeat interval, which catches instances that expired.
 */
export class RedisRegistry extends HeartbeatRegistry {
  readonly mode = 'redis' as const;
  private readonly commands: Redis;
  private subscriber?: Redis;
  private readonly followers = new Map<string, () => void>();
  private readonly throttled: ThrottledLog;

  constructor(config: DiscoveryConfig, transport: RegistryTransportConfig) {
    super(config, transport);
    this.throttled = new ThrottledLog(this.log, 30_000);
    const endpoint = { url: transport.redisUrl, tls: transport.tls, sentinel: transport.redisSentinel };
    // Heartbeats and lists never block: bounded, so a frozen Redis cannot stall them (the subscriber waits by design).
    this.commands = openConnection({ ...endpoint, commandTimeoutMs: transport.redisCommandTimeoutMs }, 'requests', `${transport.instanceId}:discovery`, this.throttled, 'registry connection');
  }

  private get channel(): string {
    return `${this.transport.namespace}:registry:changed`;
  }

  private keys(service: string): [string, string] {
    const base = `${this.transport.namespace}:registry:{${service}}`;
    return [base, `${base}:alive`];
  }

  protected async write(record: InstanceRecord, first: boolean): Promise<void> {
    await this.ready();
    await this.commands.eval(HEARTBEAT, 2, ...this.keys(record.service), record.instanceId, JSON.stringify(record), this.config.ttlMs);
    if (first) await this.commands.publish(this.channel, record.service);
  }

  protected async erase(service: string, instanceId: string): Promise<void> {
    const [records, alive] = this.keys(service);
    await this.ready();
    await this.commands.multi().zrem(alive, instanceId).hdel(records, instanceId).publish(this.channel, service).exec();
  }

  async list(service: string): Promise<InstanceRecord[]> {
    await this.ready();
    const values = (await this.commands.eval(LIVE, 2, ...this.keys(service))) as (string | null)[];
    return values.flatMap((value) => {
      const record = value === null ? undefined : parseInstanceRecord(value);
      return record && record.service === service ? [record] : [];
    });
  }

  protected follow(target: WatchedService): () => void {
    const refresh = () =>
      this.list(target.service).then(
        (records) => {
          target.replace(records);
          target.publish();
        },
        (error: Error) => this.throttled.warn(`read:${target.service}`, `cannot read the instances of ${target.service}: ${error.message}`),
      );
    this.followers.set(target.service, refresh);
    this.subscribe();
    void refresh();
    const timer = setInterval(refresh, this.config.heartbeatMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      this.followers.delete(target.service);
    };
  }

  /** Waits briefly for the connection (it fails commands while down rather than queueing them). */
  private ready(): Promise<void> {
    return whenReady(this.commands, { timeoutMs: READY_WAIT_MS });
  }

  protected async closeBackend(): Promise<void> {
    await Promise.all([closeConnection(this.commands), this.subscriber && closeConnection(this.subscriber)]);
  }

  /** One subscriber connection for every watched service: a change message reads that service again. */
  private subscribe(): void {
    if (this.subscriber) return;
    const endpoint = { url: this.transport.redisUrl, tls: this.transport.tls, sentinel: this.transport.redisSentinel };
    this.subscriber = openConnection(endpoint, 'replies', `${this.transport.instanceId}:discovery-watch`, this.throttled, 'registry subscriber');
    this.subscriber.on('message', (_channel: string, service: string) => void this.followers.get(service)?.());
    void this.subscriber.subscribe(this.channel).catch(() => undefined);
  }
}
