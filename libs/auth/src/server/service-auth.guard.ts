import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PATTERN_HANDLER_METADATA } from '@nestjs/microservices/constants';
import { PatternHandler } from '@nestjs/microservices/enums/pattern-handler.enum';
import { ReplayedEventContext } from '@app/messaging';
import { CallContext, MetadataKey, RpcError, StatusCode } from '@app/transport';
import type { ServiceAuthConfig } from '../config/service-auth-config';
import { SERVICE_AUTH_CONFIG } from '../nest/tokens';
import { CallerIdentity, EVENTS_AUDIENCE } from '../token/service-token-claims';
import { ServiceTokenVerifier, VerifyExpectations } from '../token/service-token-verifier';
import { TokenRejection } from '../token/token-rejection';
import { setCallerIdentity } from './caller-identity';
import { REQUIRED_SCOPES } from './require-scopes.decorator';

/**
 * Lets an RPC call or an event reach its handler only with a valid service token (ServiceTokenVerifier):
 * UNAUTHENTICATED otherwise (UNAVAILABLE while no trusted key set could be loaded), and PERMISSION_DENIED when a
 * scope named by `@RequireScopes` is missing. A call's token must be addressed to this service; an event's to
 * `events`, issued by the service that publishes the event type (`orders` for `orders.v1.OrderPlaced`) and valid
 * when the bus stored the event (`publishedAt` of its context, if the bus tells; else now). The verified caller
 * is then `callerIdentity(ctx)`. HTTP requests pass untouched: the gateway authenticates its clients itself.
 */
@Injectable()
export class ServiceAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: ServiceTokenVerifier,
    private readonly reflector: Reflector,
    @Inject(SERVICE_AUTH_CONFIG) private readonly config: Pick<ServiceAuthConfig, 'service'>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'rpc') return true;
    const ctx = context.switchToRpc().getContext<unknown>();
    if (!(ctx instanceof CallContext)) throw new RpcError(StatusCode.UNAUTHENTICATED, 'no call context to authenticate');

    const expected: VerifyExpectations = !isEventHandler(context.getHandler())
      ? { audience: this.config.service }
      : ctx instanceof ReplayedEventContext
        ? // An operator's replay of a dead letter: only this process creates such a context (never the bus), and
          // it carries a fresh event token of this service itself, checked now.
          { audience: EVENTS_AUDIENCE, issuer: this.config.service }
        : { audience: EVENTS_AUDIENCE, issuer: ctx.method.split('.')[0], at: publishedAt(ctx) };
    let identity: CallerIdentity;
    try {
      identity = await this.verifier.verify(bearerToken(ctx), expected);
    } catch (error) {
      if (!(error instanceof TokenRejection)) throw error;
      const code = error.reason === 'keys-unavailable' ? StatusCode.UNAVAILABLE : StatusCode.UNAUTHENTICATED;
      throw new RpcError(code, `${ctx.method}: ${error.message}`);
    }
    setCallerIdentity(ctx, identity);

    const required = this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, [context.getHandler(), context.getClass()]);
    const missing = required.filter((scope) => !identity.scopes.includes(scope));
    if (missing.length > 0) {
      throw new RpcError(StatusCode.PERMISSION_DENIED, `${identity.service} may not call ${ctx.method}: missing scope ${missing.join(' ')}`);
    }
    return true;
  }
}

/** The token of `authorization: Bearer <token>`; undefined when there is no authorization at all. */
function bearerToken(ctx: CallContext): string | undefined {
  if (ctx.metadata[MetadataKey.authorization] === undefined) return undefined;
  const token = ctx.callerToken;
  if (token === undefined) throw new TokenRejection('malformed', 'authorization is not "Bearer <token>"');
  return token;
}

const isEventHandler = (handler: object) => Reflect.getMetadata(PATTERN_HANDLER_METADATA, handler) === PatternHandler.EVENT;

/** When the bus stored the event (epoch ms), if its context says so: a broker-assigned time, not a publisher's claim. */
function publishedAt(ctx: CallContext): number | undefined {
  return 'publishedAt' in ctx && typeof ctx.publishedAt === 'number' && Number.isFinite(ctx.publishedAt) ? ctx.publishedAt : undefined;
}
