import type { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { whenReady } from '@app/transport';

/** A limit's count after a hit (@nestjs/throttler's record): times in seconds, rounded up. */
export interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/** One limit to count a hit against. */
export interface RateLimitHit {
  /** The limit's name (`ip`, `client`). */
  name: string;
  /** `<namespace>:ratelimit:<name>:<subject>`. */
  key: string;
  ttlMs: number;
  limit: number;
  blockDurationMs: number;
}

/**
 * Where the rate-limit counts live. `hit` counts a request against its limits in order and stops at the first one
 * that refuses it (the later ones are not counted, as when the limits are checked one after the other); it answers
 * one record per limit counted (none: the request passed uncounted, e.g. the store is down and fails open). Times
 * in the records are in seconds, rounded up (@nestjs/throttler's records).
 */
export interface RateLimitStore {
  hit(hits: readonly RateLimitHit[]): Promise<ThrottlerStorageRecord[]>;
}

/**
 * Every limit of a request in one Redis round trip: one Lua script (EVALSHA, loaded once) that does for each limit
 * in turn what @nest-lab/throttler-storage-redis's script does for one, on the same keys
 * (`{<key>:<name>}:hits` and `{<key>:<name>}:blocked`), so gateways of either version count together.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private static readonly SCRIPT = `
local out = {}
for i = 1, #KEYS / 2 do
  local hits_key, block_key = KEYS[2 * i - 1], KEYS[2 * i]
  local ttl, limit, block_ms = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local hits = redis.call('INCR', hits_key)
  local expires = redis.call('PTTL', hits_key)
  if expires <= 0 then
    redis.call('PEXPIRE', hits_key, ttl)
    expires = ttl
  end
  local blocked = redis.call('GET', block_key) ~= false
  local block_expires = 0
  if blocked then
    block_expires = redis.call('PTTL', block_key)
  elseif hits > limit then
    redis.call('SET', block_key, 1, 'PX', block_ms)
    blocked = true
    block_expires = block_ms
  end
  if blocked and block_expires <= 0 then
    redis.call('DEL', block_key)
    redis.call('SET', hits_key, 1, 'PX', ttl)
    hits, expires, blocked = 1, ttl, false
  end
  out[#out + 1] = hits
  out[#out + 1] = expires
  out[#out + 1] = blocked and 1 or 0
  out[#out + 1] = block_expires
  if blocked then break end
end
return out`;

  private readonly redis: Redis & { switchboardRateLimit(...args: (string | number)[]): Promise<number[]> };
  private corked = false;
  /** The connection attempt under way that hits wait for (one wait shared by all of them). */
  private attempt?: Promise<void>;

  constructor(redis: Redis) {
    if (!('switchboardRateLimit' in redis)) redis.defineCommand('switchboardRateLimit', { lua: RedisRateLimitStore.SCRIPT });
    this.redis = redis as RedisRateLimitStore['redis'];
  }

  async hit(hits: readonly RateLimitHit[]): Promise<ThrottlerStorageRecord[]> {
    const args: (string | number)[] = [hits.length * 2];
    for (const { key, name } of hits) args.push(`{${key}:${name}}:hits`, `{${key}:${name}}:blocked`);
    for (const { ttlMs, limit, blockDurationMs } of hits) args.push(ttlMs, limit, blockDurationMs);
    if (this.redis.status !== 'ready') await this.connecting();
    this.coalesceWrites();
    const reply = await this.redis.switchboardRateLimit(...args);
    if (!Array.isArray(reply) || reply.length === 0 || reply.length % 4 !== 0 || reply.some((n) => typeof n !== 'number')) {
      throw new TypeError(`unexpected reply of the rate-limit script: ${JSON.stringify(reply)}`);
    }
    const records: ThrottlerStorageRecord[] = [];
    for (let i = 0; i < reply.length; i += 4) {
      records.push({
        totalHits: reply[i],
        timeToExpire: Math.ceil(reply[i + 1] / 1000),
        isBlocked: reply[i + 2] === 1,
        timeToBlockExpire: Math.ceil(reply[i + 3] / 1000),
      });
    }
    return records;
  }

  /**
   * While a connection attempt is under way (at start, or a reconnect in progress), waits for its outcome: the
   * connection has no offline queue, so a hit sent before it is ready would fail although Redis is there. Between
   * attempts (Redis down) it does not wait: the hit fails at once. The caller bounds the wait.
   */
  private connecting(): Promise<void> {
    const { status } = this.redis;
    if (status !== 'wait' && status !== 'connecting' && status !== 'connect') return Promise.resolve();
    return (this.attempt ??= whenReady(this.redis, { attemptOnly: true })
      .catch(() => undefined)
      .finally(() => (this.attempt = undefined)));
  }

  /**
   * Holds this connection's writes until the end of this turn of the event loop (setImmediate: after the turn's
   * I/O callbacks, no timer), so the scripts of the requests read in one turn leave in one write instead of one
   * syscall each. Cheaper than an ioredis pipeline, which costs more CPU than it saves.
   */
  private coalesceWrites(): void {
    if (this.corked) return;
    const stream = (this.redis as unknown as { stream?: { cork(): void; uncork(): void } }).stream;
    if (!stream || typeof stream.cork !== 'function') return;
    this.corked = true;
    stream.cork();
    setImmediate(() => {
      this.corked = false;
      stream.uncork();
    });
  }
}

/** The counts in this process (a single gateway): @nestjs/throttler's in-memory storage, limit after limit. */
export class MemoryRateLimitStore implements RateLimitStore, OnApplicationShutdown {
  readonly storage = new ThrottlerStorageService();

  onApplicationShutdown(): void {
    this.storage.onApplicationShutdown();
  }

  async hit(hits: readonly RateLimitHit[]): Promise<ThrottlerStorageRecord[]> {
    const records: ThrottlerStorageRecord[] = [];
    for (const { key, ttlMs, limit, blockDurationMs, name } of hits) {
      const record = await this.storage.increment(key, ttlMs, limit, blockDurationMs, name);
      records.push(record);
      if (record.isBlocked) break;
    }
    return records;
  }
}
