import { ClientInterceptor, ClientInterceptorFactory, MetadataKey, RpcError, StatusCode } from '@app/transport';
import type { ServiceTokenIssuer } from '../token/service-token-issuer';

/**
 * The client step that carries this service's identity: `authorization: Bearer <token>` with `aud` = the called
 * service, from the issuer's cache. Put it innermost (after retries), so every attempt has a fresh-enough token.
 */
export function serviceTokenInterceptor(issuer: ServiceTokenIssuer): ClientInterceptor {
  return (call, next) => {
    let authorization: string;
    try {
      authorization = issuer.authorizationFor(call.method.service);
    } catch {
      throw new RpcError(StatusCode.INTERNAL, `cannot mint a service token for ${call.method.service}`);
    }
    // The call's metadata is its own (RpcClient makes it per call): set in place, no copy per call.
    call.metadata[MetadataKey.authorization] = authorization;
    return next(call);
  };
}

/** The same step as a ClientInterceptorFactory, for `SwitchboardModule.forService({ interceptors })`. */
export function serviceTokenInterceptors(issuer: ServiceTokenIssuer): ClientInterceptorFactory {
  const interceptor = serviceTokenInterceptor(issuer);
  return () => [interceptor];
}
