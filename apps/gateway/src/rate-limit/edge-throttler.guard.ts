import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  getOptionsToken,
  getStorageToken,
  ThrottlerException,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RpcError, StatusCode, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { BEARER } from '../auth/bearer-auth.guard';
import { BearerTokenVerifier } from '../auth/bearer-token-verifier';

/** The two limits: per IP address (every request) and per client (requests with a valid bearer token). */
export const IP_LIMIT = 'ip';
export const CLIENT_LIMIT = 'client';

/** Carries the throttler's numbers from `throwThrottlingException` to `handleRequest`, which knows the limit's name. */
class Throttled extends ThrottlerException {
  constructor(readonly detail: ThrottlerLimitDetail) {
    super();
  }
}

/**
 * @nestjs/throttler's guard with the gateway's two limits, counted in the throttler storage (Redis, shared by every
 * gateway instance, or memory): `ip` keyed by the peer address, and `client` keyed by the verified token subject
 * (a request without a valid token is not counted there; the auth guard refuses it anyway). Keys are per limit
 * and subject across all routes, under `<namespace>:ratelimit:`. Every counted response carries
 * `X-RateLimit-{Limit,Remaining,Reset}-<limit>`; a refused one is 429 RESOURCE_EXHAUSTED with `Retry-After`
 * (seconds) in the gateway's error shape.
 */
@Injectable()
export class EdgeThrottlerGuard extends ThrottlerGuard {
  constructor(
    @Inject(getOptionsToken()) options: ThrottlerModuleOptions,
    @Inject(getStorageToken()) storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly tokens: BearerTokenVerifier,
    @Inject(TRANSPORT_CONFIG) private readonly transport: TransportConfig,
  ) {
    super(options, storage, reflector);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    let request = props;
    if (props.throttler.name === CLIENT_LIMIT) {
      const subject = await this.subjectOf(props.context.switchToHttp().getRequest<IncomingMessage>());
      if (subject === undefined) return true;
      request = { ...props, getTracker: async () => subject };
    }
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (!(error instanceof Throttled)) throw error;
      const retryAfterSeconds = Math.max(1, error.detail.timeToBlockExpire);
      props.context.switchToHttp().getResponse<ServerResponse>().setHeader('Retry-After', String(retryAfterSeconds));
      const name = props.throttler.name ?? IP_LIMIT;
      const windowSeconds = Math.round(error.detail.ttl / 1000);
      throw new RpcError(
        StatusCode.RESOURCE_EXHAUSTED,
        `rate limit exceeded: ${error.detail.limit} requests per ${windowSeconds} s per ${name === CLIENT_LIMIT ? 'client' : 'IP address'}; retry after ${retryAfterSeconds} s`,
        { limit: name, max: error.detail.limit, windowSeconds, retryAfterSeconds },
      );
    }
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new Throttled(detail);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${this.transport.namespace}:ratelimit:${name}:${tracker}`;
  }

  /** The customer of a valid bearer token, or undefined (no token, or one the auth guard will refuse). */
  private async subjectOf(request: IncomingMessage): Promise<string | undefined> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) return undefined;
    return this.tokens.verifyFor(request, match[1]).catch(() => undefined);
  }
}
