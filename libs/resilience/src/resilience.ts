import type { ServiceContract } from '@app/contracts';
import { recordRetry } from '@app/observability';
import { ClientInterceptor, ClientInterceptorFactory, StatusCode } from '@app/transport';
import { BreakerState, TargetBreaker } from './breaker/circuit-breaker.interceptor';
import { bulkheadInterceptor } from './bulkhead/bulkhead.interceptor';
import { loadResilienceConfig, ResilienceConfig } from './config/resilience-config';
import { RetryBudget } from './retry/retry-budget';
import { retryInterceptor } from './retry/retry.interceptor';

/**
 * An app's client-side resilience: for each target service a bulkhead, a retry policy with its budget, and a
 * circuit breaker, chained outermost first — bulkhead(retry(breaker(call))): excess calls are refused before
 * any work, each retry passes the breaker, and an open breaker stops retries at once.
 */
export class Resilience {
  private readonly breakers = new Map<string, TargetBreaker>();
  private readonly budgets = new Map<string, RetryBudget>();
  retries = 0;

  constructor(readonly config: ResilienceConfig = loadResilienceConfig()) {}

  /** Pass to `SwitchboardModule.forService({ interceptors: [resilience.interceptors] })`. */
  readonly interceptors: ClientInterceptorFactory = (target: ServiceContract): readonly ClientInterceptor[] => {
    const name = target.service;
    const breaker = this.breakers.get(name) ?? new TargetBreaker(name, this.config);
    const budget = this.budgets.get(name) ?? new RetryBudget(this.config.retryBudgetRatio, this.config.retryBudgetReserve);
    this.breakers.set(name, breaker);
    this.budgets.set(name, budget);
    return [
      bulkheadInterceptor(name, this.config),
      retryInterceptor(this.config, budget, (retry) => {
        this.retries++;
        recordRetry(retry.caller ?? 'unknown', name, retry.method, StatusCode[retry.code] ?? String(retry.code));
      }),
      breaker.interceptor(),
    ];
  };

  /** Each target's breaker state, for health and metrics. */
  breakerStates(): Record<string, BreakerState> {
    return Object.fromEntries([...this.breakers].map(([target, breaker]) => [target, breaker.state]));
  }
}
