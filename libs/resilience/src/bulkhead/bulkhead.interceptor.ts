import { bulkhead, BulkheadRejectedError } from 'cockatiel';
import { BULKHEAD_FULL, ClientInterceptor, RpcError, StatusCode } from '@app/transport';
import type { ResilienceConfig } from '../config/resilience-config';

/**
 * Limits the calls in flight to one target (cockatiel's bulkhead): `bulkheadLimit` run, `bulkheadQueue` wait, and
 * any more fail at once with RESOURCE_EXHAUSTED instead of piling up on a slow target.
 */
export function bulkheadInterceptor(target: string, config: ResilienceConfig): ClientInterceptor {
  const policy = bulkhead(config.bulkheadLimit, config.bulkheadQueue);
  return async (call, next) => {
    try {
      return await policy.execute(() => next(call));
    } catch (error) {
      if (error instanceof BulkheadRejectedError) {
        throw new RpcError(
          StatusCode.RESOURCE_EXHAUSTED,
          `too many calls in flight to ${target}`,
          { reason: BULKHEAD_FULL, limit: config.bulkheadLimit, queue: config.bulkheadQueue },
          true,
        );
      }
      throw error;
    }
  };
}
