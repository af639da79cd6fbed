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
  private readonly handlers = new WeakMap<object, HandlerFacts>();
  private readonly callExpectations: VerifyExpectations;

  constructor(
    private readonly verifier: ServiceTokenVerifier,
    private readonly reflector: Reflector,
    @Inject(SERVICE_AUTH_CONFIG) private readonly config: Pick<ServiceAuthConfig, 'service'>,
  ) {
    this.callExpectations = Object.freeze({ audience: config.service });
  }

  /** Synchronous when the caller's token was verified before (the common case): no promise on the hot path. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'rpc') return true;
    const ctx = context.switchToRpc().getContext<unknown>();
    if (!(ctx instanceof CallContext)) throw new RpcError(StatusCode.UNAUTHENTICATED, 'no call context to authenticate');

    const handler = this.handlerOf(context);
    const expected = this.expectations(handler, ctx);
    let token: string | undefined;
    try {
      token = bearerToken(ctx);
    } catch (error) {
      throw refusal(error, ctx);
    }
    const known = this.verifier.verifiedBefore(token, expected);
    if (known) return this.admit(handler, ctx, known);
    return this.verifyAndAdmit(handler, ctx, token, expected);
  }

  private async verifyAndAdmit(handler: HandlerFacts, ctx: CallContext, token: string | undefined, expected: VerifyExpectations): Promise<boolean> {
    let identity: CallerIdentity;
    try {
      identity = await this.verifier.verify(token, expected);
    } catch (error) {
      throw refusal(error, ctx);
    }
    return this.admit(handler, ctx, identity);
  }

  /** Records the verified caller, then checks the scopes the handler requires. */
  private admit(handler: HandlerFacts, ctx: CallContext, identity: CallerIdentity): boolean {
    setCallerIdentity(ctx, identity);
    for (const scope of handler.requiredScopes) {
      if (!identity.scopes.includes(scope)) {
        const missing = handler.requiredScopes.filter((required) => !identity.scopes.includes(required));
        throw new RpcError(StatusCode.PERMISSION_DENIED, `${identity.service} may not call ${ctx.method}: missing scope ${missing.join(' ')}`);
      }
    }
    return true;
  }

  /** What the guard needs to know of a handler, read from its metadata once. */
  private handlerOf(context: ExecutionContext): HandlerFacts {
    const handler = context.getHandler();
    let facts = this.handlers.get(handler);
    if (!facts) {
      facts = {
        isEventHandler: isEventHandler(handler),
        requiredScopes: this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, [handler, context.getClass()]),
      };
      this.handlers.set(handler, facts);
    }
    return facts;
  }

  private expectations(handler: HandlerFacts, ctx: CallContext): VerifyExpectations {
    return !handler.isEventHandler
      ? this.callExpectations
      : ctx instanceof ReplayedEventContext
        ? // An operator's replay of a dead letter: only this process creates such a context (never the bus), and
          // it carries a fresh event token of this service itself, checked now.
          { audience: EVENTS_AUDIENCE, issuer: this.config.service }
        : { audience: EVENTS_AUDIENCE, issuer: ctx.method.split('.')[0], at: publishedAt(ctx) };
  }
}

/** A token's rejection as the caller sees it: UNAUTHENTICATED (UNAVAILABLE while no key set could be loaded). */
function refusal(error: unknown, ctx: CallContext): unknown {
  if (!(error instanceof TokenRejection)) return error;
  const code = error.reason === 'keys-unavailable' ? StatusCode.UNAVAILABLE : StatusCode.UNAUTHENTICATED;
  return new RpcError(code, `${ctx.method}: ${error.message}`);
}

interface HandlerFacts {
  isEventHandler: boolean;
  requiredScopes: readonly string[];
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
