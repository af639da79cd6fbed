import type { MethodRef, RequestOf, ResponseOf, ServiceContract } from '@app/contracts';
import type { CallOptions, RpcClient } from './rpc-client';

/** A typed client of one service: one async function per contract method. */
export type ServiceClient<C extends ServiceContract> = {
  readonly [K in keyof C['methods']]: (
    request: RequestOf<C['methods'][K]>,
    options?: CallOptions,
  ) => Promise<ResponseOf<C['methods'][K]>>;
};

export function createServiceClient<C extends ServiceContract>(contract: C, rpc: RpcClient): ServiceClient<C> {
  const client: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(contract.methods) as [string, MethodRef][]) {
    client[key] = (request: unknown, options?: CallOptions) => rpc.call(method, request, options);
  }
  return Object.freeze(client) as ServiceClient<C>;
}
