import type { ServiceContract } from '@app/contracts';
import type { OutboundCall } from '../driver/transport-driver';

export type ClientCallHandler = (call: OutboundCall) => Promise<unknown>;

/**
 * One step of the client call chain (token minting, tracing, retry, breaker...): it may set entries of the call's
 * metadata in place (the metadata object is made per call and belongs to it), call `next` zero or more times, and
 * map the outcome. The chain runs outermost first.
 */
export type ClientInterceptor = (call: OutboundCall, next: ClientCallHandler) => Promise<unknown>;

export function composeInterceptors(interceptors: readonly ClientInterceptor[], last: ClientCallHandler): ClientCallHandler {
  return interceptors.reduceRight<ClientCallHandler>((next, interceptor) => (call) => interceptor(call, next), last);
}

/** Makes the interceptors of the client of one target service (outermost first), e.g. its retry and breaker. */
export type ClientInterceptorFactory = (target: ServiceContract) => readonly ClientInterceptor[];
