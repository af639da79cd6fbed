import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The client (and customer) a request was authenticated as, keyed by the request object. */
const clients = new WeakMap<object, string>();

export function setAuthenticatedClient(request: object, clientId: string): void {
  clients.set(request, clientId);
}

/**
 * The id of the authenticated client, which is the customer (the `sub` of the gateway's tokens, or the customer
 * claim of an OpenID Connect token), for handlers behind BearerAuthGuard. Fails loudly when
 * a handler uses it without the guard, instead of acting for nobody.
 */
export const AuthenticatedClient = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const clientId = clients.get(context.switchToHttp().getRequest<object>());
  if (clientId === undefined) throw new Error('@AuthenticatedClient() used on a route without BearerAuthGuard');
  return clientId;
});
