import { envInt } from '@app/transport';

/** Settings of the gateway's edge: CORS, rate limits, WebSocket push and the order summary (see docs/gateway.md). */
export interface EdgeConfig {
  /**
   * HTTP_PLATFORM: the HTTP server under Nest, `fastify` (default, @nestjs/platform-fastify) or `express`. The
   * gateway behaves the same on both (the HTTP specs and the edge e2e suite run on each); Fastify costs the gateway
   * about half the CPU per request: docs/decisions/0004-gateway-http-platform.md.
   */
  readonly httpPlatform: HttpPlatform;
  /** CORS_ORIGINS: origins allowed to call the API from a browser; empty: no CORS headers (same origin only). */
  readonly corsOrigins: readonly string[];
  readonly rateLimit: RateLimitConfig;
  readonly push: PushConfig;
  /** SUMMARY_DEADLINE_MS: the whole budget of `GET /v1/orders/:id/summary`, downstream calls included. */
  readonly summaryDeadlineMs: number;
}

export type HttpPlatform = 'express' | 'fastify';

export interface RateLimitConfig {
  /** RATE_LIMIT_STORE; by default `redis` when REDIS_URL is set (shared by every gateway instance), else `memory`. */
  readonly store: 'memory' | 'redis';
  /** RATE_LIMIT_WINDOW_SECONDS: the fixed window the limits count in. */
  readonly windowSeconds: number;
  /** RATE_LIMIT_PER_CLIENT: requests of one authenticated client (token subject) per window, over all its IPs. */
  readonly perClient: number;
  /** RATE_LIMIT_PER_IP: requests from one IP address per window, authenticated or not. */
  readonly perIp: number;
  /**
   * RATE_LIMIT_ON_STORE_FAILURE: what a request gets when its limits cannot be counted (the Redis store is down or
   * slower than RATE_LIMIT_STORE_TIMEOUT_MS): `open` (default) lets it through uncounted, `closed` refuses it with
   * 503. Open by default: the limits guard capacity against one client's excess, and refusing every request
   * would turn an outage of the store, which no order needs, into an outage of the whole API.
   */
  readonly onStoreFailure: 'open' | 'closed';
  /** RATE_LIMIT_STORE_TIMEOUT_MS: the longest a request waits for the store's answer before that counts as a failure. */
  readonly storeTimeoutMs: number;
}

export interface PushConfig {
  /** PUSH_BUFFER_PER_CUSTOMER: recent order events kept per customer for resuming sockets. */
  readonly bufferPerCustomer: number;
  /** PUSH_BUFFER_CUSTOMERS: customers whose recent events are kept (least recently active dropped first). */
  readonly bufferCustomers: number;
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

export function loadEdgeConfig(env: NodeJS.ProcessEnv): EdgeConfig {
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of corsOrigins) {
    if (!ORIGIN.test(origin)) throw new Error(`CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com`);
  }
  const rawStore = (env.RATE_LIMIT_STORE ?? '').trim().toLowerCase();
  if (rawStore !== '' && rawStore !== 'memory' && rawStore !== 'redis') {
    throw new Error(`RATE_LIMIT_STORE must be memory or redis, got "${env.RATE_LIMIT_STORE}"`);
  }
  const onStoreFailure = (env.RATE_LIMIT_ON_STORE_FAILURE ?? 'open').trim().toLowerCase();
  if (onStoreFailure !== 'open' && onStoreFailure !== 'closed') {
    throw new Error(`RATE_LIMIT_ON_STORE_FAILURE must be open or closed, got "${env.RATE_LIMIT_ON_STORE_FAILURE}"`);
  }
  const httpPlatform = (env.HTTP_PLATFORM ?? '').trim().toLowerCase() || 'fastify';
  if (httpPlatform !== 'express' && httpPlatform !== 'fastify') {
    throw new Error(`HTTP_PLATFORM must be express or fastify, got "${env.HTTP_PLATFORM}"`);
  }
  return {
    httpPlatform,
    corsOrigins,
    rateLimit: {
      store: rawStore === '' ? ((env.REDIS_URL ?? '') === '' && !env.REDIS_SENTINELS ? 'memory' : 'redis') : (rawStore as 'memory' | 'redis'),
      windowSeconds: envInt(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
      perClient: envInt(env, 'RATE_LIMIT_PER_CLIENT', 6000, 1, 100_000_000),
      perIp: envInt(env, 'RATE_LIMIT_PER_IP', 60_000, 1, 100_000_000),
      onStoreFailure,
      storeTimeoutMs: envInt(env, 'RATE_LIMIT_STORE_TIMEOUT_MS', 250, 1, 60_000),
    },
    push: {
      bufferPerCustomer: envInt(env, 'PUSH_BUFFER_PER_CUSTOMER', 100, 1, 10_000),
      bufferCustomers: envInt(env, 'PUSH_BUFFER_CUSTOMERS', 10_000, 1, 1_000_000),
    },
    summaryDeadlineMs: envInt(env, 'SUMMARY_DEADLINE_MS', 1500, 50, 60_000),
  };
}
