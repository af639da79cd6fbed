import { Inject, Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { getOptionsToken, ThrottlerModuleOptions, seconds } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { closeConnection, openConnection, ThrottledLog, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway-config';
import { CLIENT_LIMIT, EdgeThrottlerGuard, IP_LIMIT, RATE_LIMIT_STORE } from './edge-throttler.guard';
import { FailSafeRateLimitStore } from './fail-safe-rate-limit-store';
import { MemoryRateLimitStore, RateLimitStore, RedisRateLimitStore } from './rate-limit-store';

const RATE_LIMIT_REDIS = Symbol('gateway:rate-limit-redis');

/** Closes the rate limits' Redis connection (when there is one) with the app. */
@Injectable()
class RateLimitRedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis) await closeConnection(this.redis);
  }
}

/**
 * The rate limits (RATE_LIMIT_*): @nestjs/throttler's options, the store of the counts — Redis at REDIS_URL, shared
 * by every gateway instance (one atomic Lua script per request for both limits, on the keys of
 * @nest-lab/throttler-storage-redis; each wait bounded, failures answered as RATE_LIMIT_ON_STORE_FAILURE says), or
 * memory for a single instance — and EdgeThrottlerGuard as a global guard, so every route counts except the
 * operational ones (/health/*, /metrics).
 */
export const RATE_LIMIT_PROVIDERS: Provider[] = [
  {
    provide: RATE_LIMIT_REDIS,
    inject: [GATEWAY_CONFIG, TRANSPORT_CONFIG],
    useFactory: (config: GatewayConfig, transport: TransportConfig): Redis | null => {
      const { store, perClient, perIp, windowSeconds, onStoreFailure, storeTimeoutMs } = config.edge.rateLimit;
      const failure = `; if Redis fails or takes over ${storeTimeoutMs} ms: ${onStoreFailure === 'open' ? 'let through uncounted' : 'refused with 503'}`;
      new Logger('RateLimits').log(
        `${perClient} requests per client and ${perIp} per IP every ${windowSeconds} s, counted in ` +
          (store === 'redis' ? `Redis${failure}` : 'memory (this instance only)'),
      );
      if (store !== 'redis') return null;
      return openConnection({ url: transport.redisUrl, tls: transport.tls, sentinel: transport.redisSentinel, commandTimeoutMs: transport.redisCommandTimeoutMs }, 'commands', `${transport.instanceId}:ratelimit`,
        new ThrottledLog(new Logger('RateLimits')), 'rate-limit connection');
    },
  },
  RateLimitRedisLifecycle,
  {
    provide: RATE_LIMIT_STORE,
    inject: [RATE_LIMIT_REDIS, GATEWAY_CONFIG],
    useFactory: (redis: Redis | null, config: GatewayConfig): RateLimitStore => {
      if (!redis) return new MemoryRateLimitStore();
      const { onStoreFailure, storeTimeoutMs } = config.edge.rateLimit;
      return new FailSafeRateLimitStore(new RedisRateLimitStore(redis), onStoreFailure, storeTimeoutMs);
    },
  },
  {
    provide: getOptionsToken(),
    inject: [GATEWAY_CONFIG],
    useFactory: (config: GatewayConfig): ThrottlerModuleOptions => {
      const { windowSeconds, perClient, perIp } = config.edge.rateLimit;
      return [
        { name: IP_LIMIT, ttl: seconds(windowSeconds), limit: perIp },
        { name: CLIENT_LIMIT, ttl: seconds(windowSeconds), limit: perClient },
      ];
    },
  },
  { provide: APP_GUARD, useClass: EdgeThrottlerGuard },
];
