import { CallContext } from '@app/transport';
import type { CallerIdentity } from '../token/service-token-claims';

const identities = new WeakMap<CallContext, CallerIdentity>();

/**
 * The verified caller of a call or event (set by ServiceAuthGuard before the handler runs), by default of the one
 * being handled; undefined outside a handler or when no guard verified it.
 */
export function callerIdentity(ctx: CallContext | undefined = CallContext.current()): CallerIdentity | undefined {
  return ctx === undefined ? undefined : identities.get(ctx);
}

export function setCallerIdentity(ctx: CallContext, identity: CallerIdentity): void {
  identities.set(ctx, identity);
}
