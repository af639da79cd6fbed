import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeConnection, openConnection, RedisEndpoint, ThrottledLog, whenReady } from '@app/transport';
import { ClaimResult, IdempotencyRecord, IdempotencyStore } from './idempotency-store';

/**
 * Replaces the in-flight record of claim ARGV[1] (or a vanished one) with the final record ARGV[2] for ARGV[3] ms.
 * A record of another claim, or an already final one, is left alone.
 */
const COMPLETE = `
local current = redis.call('GET', KEYS[1])
if current then
  local record = cjson.decode(current)
  if record.claim ~= ARGV[1] or record.response ~= nil then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/** Deletes the key if claim ARGV[1] still holds it in flight. */
const RELEASE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.claim ~= ARGV[1] or record.response ~= nil then return 0 end
return redis.call('DEL', KEYS[1])
`;

/** How long start-up waits for the first connection attempt before serving anyway (requests then get 503). */
const CONNECT_WAIT_MS = 5000;

/**
 * Idempotency keys in Redis, seen by every gateway instance: a key is claimed with `SET key value NX PX lock`, then
 * overwritten with the final response (`PX ttl`), or deleted, by a small Lua script that first checks the claim is
 * still this request's: no WATCH, no read-modify-write across round trips. The connection fails fast while Redis
 * is down or does not answer within REDIS_COMMAND_TIMEOUT_MS (the request gets 503) and reconnects by itself.
 */
export class RedisIdempotencyStore implements IdempotencyStore, OnApplicationBootstrap {
  readonly kind = 'redis';
  private readonly redis: Redis;
  private readonly log = new Logger('IdempotencyKeys');

  constructor(endpoint: RedisEndpoint, instanceName: string) {
    this.redis = openConnection(endpoint, 'commands', `${instanceName}:idempotency`, new ThrottledLog(this.log), 'idempotency-key connection');
  }

  async onApplicationBootstrap(): Promise<void> {
    await whenReady(this.redis, { timeoutMs: CONNECT_WAIT_MS, attemptOnly: true }).catch((error: Error) =>
      this.log.warn(`idempotency keys: ${error.message}; requests with an Idempotency-Key get 503 until Redis is reachable`),
    );
  }

  async claim(key: string, record: IdempotencyRecord, lockMs: number): Promise<ClaimResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await this.redis.set(key, JSON.stringify(record), 'PX', lockMs, 'NX')) === 'OK') return { claimed: true };
      const current = await this.redis.get(key);
      // null: the holder expired or released it between the two commands; claim again.
      if (current !== null) return { claimed: false, existing: JSON.parse(current) as IdempotencyRecord };
    }
    throw new Error(`idempotency key ${key} keeps changing hands`);
  }

  async complete(key: string, claim: string, record: IdempotencyRecord, ttlMs: number): Promise<void> {
    await this.redis.eval(COMPLETE, 1, key, claim, JSON.stringify(record), String(ttlMs));
  }

  async release(key: string, claim: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, key, claim);
  }

  close(): Promise<void> {
    return closeConnection(this.redis);
  }
}
