import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getOptionsToken, normalizeIp, ThrottlerModuleOptions, ThrottlerOptions } from '@nestjs/throttler';
import type { IncomingMessage } from 'node:http';
import { HealthController, MetricsController } from '@app/observability';
import { RpcError, StatusCode, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { BEARER } from '../auth/bearer-auth.guard';
import { BearerTokenVerifier } from '../auth/bearer-token-verifier';
import { nodeResponse } from '../edge/node-http';
import { RateLimitHit, RateLimitStore } from './rate-limit-store';

/** The two limits: per IP address (every request) and per client (requests with a valid bearer token). */
export const IP_LIMIT = 'ip';
export const CLIENT_LIMIT = 'client';

/** The DI token of the RateLimitStore the guard counts in. */
export const RATE_LIMIT_STORE = Symbol('gateway:rate-limit-store');

/** What the guard reads of the platform's request: its peer address (`req.ip` on Express and Fastify alike). */
type Request = IncomingMessage & { ip?: string };

/** A limit as it applies to one route: the options, with the route's `@Throttle` / `@SkipThrottle` applied. */
interface RouteLimit {
  name: string;
  skip: boolean;
  limit: number;
  ttlMs: number;
  blockDurationMs: number;
}

/**
 * Routes never counted: the orchestrator's probes and the metrics scrape must answer whatever the rate-limit store
 * does (down, slow) and however busy the address they come from is.
 */
const OPERATIONAL_CONTROLLERS: ReadonlySet<unknown> = new Set([HealthController, MetricsController]);

type Resolvable = number | ((context: ExecutionContext) => number | Promise<number>) | undefined;

/**
 * The gateway's rate limits, with @nestjs/throttler's options, decorators (`@Throttle`, `@SkipThrottle`), record
 * and header semantics: `ip` keyed by the peer address, and `client` keyed by the verified token subject (a
 * request without a valid token is not counted there; the auth guard refuses it anyway). Keys are per limit and
 * subject across all routes, under `<namespace>:ratelimit:`; /health/* and /metrics are never counted. Every
 * counted response carries `X-RateLimit-{Limit,Remaining,Reset}-<limit>`; a refused one is 429 RESOURCE_EXHAUSTED
 * with `Retry-After` (seconds) in the gateway's error shape.
 *
 * Unlike ThrottlerGuard it reads a route's decorators once (not eight reflector lookups per limit per request) and
 * counts both limits in one store call: one Redis round trip per request instead of two in a row.
 */
@Injectable()
export class EdgeThrottlerGuard implements CanActivate {
  private readonly throttlers: ThrottlerOptions[];
  private readonly routes = new WeakMap<object, RouteLimit[]>();

  constructor(
    @Inject(getOptionsToken()) options: ThrottlerModuleOptions,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    private readonly reflector: Reflector,
    private readonly tokens: BearerTokenVerifier,
    @Inject(TRANSPORT_CONFIG) private readonly transport: TransportConfig,
  ) {
    // Shortest window first, as ThrottlerGuard checks them.
    const list = Array.isArray(options) ? options : options.throttlers;
    this.throttlers = [...list].sort((a, b) => (typeof a.ttl === 'number' && typeof b.ttl === 'number' ? a.ttl - b.ttl : 0));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limits = this.limitsOf(context);
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const hits: RateLimitHit[] = [];
    for (const limit of limits) {
      if (limit.skip) continue;
      const subject = limit.name === CLIENT_LIMIT ? await this.subjectOf(request) : normalizeIp(request.ip ?? '');
      if (subject === undefined) continue;
      const ttlMs = resolve(context, limit.ttlMs, 'ttl', limit.name);
      const max = resolve(context, limit.limit, 'limit', limit.name);
      const blockDurationMs = resolve(context, limit.blockDurationMs, 'blockDuration', limit.name);
      hits.push({
        name: limit.name,
        key: `${this.transport.namespace}:ratelimit:${limit.name}:${subject}`,
        ttlMs: typeof ttlMs === 'number' ? ttlMs : await ttlMs,
        limit: typeof max === 'number' ? max : await max,
        blockDurationMs: typeof blockDurationMs === 'number' ? blockDurationMs : await blockDurationMs,
      });
    }
    if (hits.length === 0) return true;
    const records = await this.store.hit(hits);
    const response = nodeResponse(http.getResponse<object>());
    for (let i = 0; i < records.length; i++) {
      const { name, limit, ttlMs } = hits[i];
      const record = records[i];
      if (record.isBlocked) {
        const retryAfterSeconds = Math.max(1, record.timeToBlockExpire);
        response.setHeader(`Retry-After-${name}`, record.timeToBlockExpire);
        response.setHeader('Retry-After', String(retryAfterSeconds));
        const windowSeconds = Math.round(ttlMs / 1000);
        throw new RpcError(
          StatusCode.RESOURCE_EXHAUSTED,
          `rate limit exceeded: ${limit} requests per ${windowSeconds} s per ${name === CLIENT_LIMIT ? 'client' : 'IP address'}; retry after ${retryAfterSeconds} s`,
          { limit: name, max: limit, windowSeconds, retryAfterSeconds },
        );
      }
      response.setHeader(`X-RateLimit-Limit-${name}`, limit);
      response.setHeader(`X-RateLimit-Remaining-${name}`, Math.max(0, limit - record.totalHits));
      response.setHeader(`X-RateLimit-Reset-${name}`, record.timeToExpire);
    }
    return true;
  }

  /** The limits of a route, its decorators read on its first request. */
  private limitsOf(context: ExecutionContext): RouteLimit[] {
    const handler = context.getHandler();
    let limits = this.routes.get(handler);
    if (limits) return limits;
    const targets = [handler, context.getClass()];
    const operational = OPERATIONAL_CONTROLLERS.has(context.getClass());
    const meta = <T>(key: string, name: string) => this.reflector.getAllAndOverride<T | undefined>(`THROTTLER:${key}${name}`, targets);
    limits = this.throttlers.map((throttler): RouteLimit => {
      const name = throttler.name ?? 'default';
      const ttl = meta<Resolvable>('TTL', name) ?? throttler.ttl;
      return {
        name,
        skip: operational || meta<boolean>('SKIP', name) === true,
        limit: (meta<Resolvable>('LIMIT', name) ?? throttler.limit) as number,
        ttlMs: ttl as number,
        blockDurationMs: (meta<Resolvable>('BLOCK_DURATION', name) ?? throttler.blockDuration ?? ttl) as number,
      };
    });
    this.routes.set(handler, limits);
    return limits;
  }

  /** The customer of a valid bearer token, or undefined (no token, or one the auth guard will refuse). */
  private async subjectOf(request: Request): Promise<string | undefined> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) return undefined;
    return this.tokens.verifyFor(request, match[1]).catch(() => undefined);
  }
}

/** A limit's number, which the options or a decorator may give as a function of the request. */
function resolve(context: ExecutionContext, value: unknown, option: string, name: string): number | Promise<number> {
  if (typeof value === 'function') {
    return Promise.resolve((value as (c: ExecutionContext) => unknown)(context)).then((v) => toNumber(v, option, name));
  }
  return toNumber(value, option, name);
}

function toNumber(value: unknown, option: string, name: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || Number.isNaN(number)) {
    throw new Error(`Invalid "${option}" for the "${name}" rate limit: expected a number, got ${JSON.stringify(value)}`);
  }
  return number;
}
