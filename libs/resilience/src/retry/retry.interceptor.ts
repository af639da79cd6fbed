import { ClientInterceptor, MetadataKey } from '@app/transport';
import type { ResilienceConfig } from '../config/resilience-config';
import type { RetryBudget } from './retry-budget';
import { isRetryable } from './retryable';

export interface RetryListener {
  (event: { method: string; attempt: number; delayMs: number; code: number; caller?: string }): void;
}

/** Full jitter (AWS architecture blog): uniform in [0, min(max, base * 2^(retry-1))]. */
export const fullJitterDelay = (retry: number, baseMs: number, maxMs: number, random = Math.random) =>
  Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (retry - 1)));

/**
 * Retries a failed call with full-jitter exponential backoff, only when `isRetryable` says so, at most
 * `retryMaxAttempts` attempts (or the method's own `retry.maxAttempts`), within the retry budget, and never past
 * the call's deadline (a retry whose backoff would end after it is not started). Each attempt keeps the call's
 * absolute deadline.
 */
export function retryInterceptor(config: ResilienceConfig, budget: RetryBudget, onRetry?: RetryListener): ClientInterceptor {
  return async (call, next) => {
    budget.deposit();
    const maxAttempts = call.method.retry?.maxAttempts ?? config.retryMaxAttempts;
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(call);
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryable(error, call.method)) throw error;
        const delayMs = fullJitterDelay(attempt, config.retryBaseDelayMs, config.retryMaxDelayMs);
        if (Date.now() + delayMs >= call.deadline || !budget.tryWithdraw()) throw error;
        onRetry?.({ method: call.method.pattern, attempt, delayMs, code: (error as { code: number }).code, caller: call.metadata[MetadataKey.caller] });
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  };
}
