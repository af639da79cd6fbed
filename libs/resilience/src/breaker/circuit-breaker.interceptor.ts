import { BrokenCircuitError, CircuitBreakerPolicy, CircuitState, CountBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import { Logger } from '@nestjs/common';
import { ClientInterceptor, RpcError, StatusCode } from '@app/transport';
import type { ResilienceConfig } from '../config/resilience-config';

/** Failures that say the target is unhealthy (not business answers such as NOT_FOUND or INVALID_ARGUMENT). */
const TRIPPING = new Set([StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED, StatusCode.INTERNAL, StatusCode.UNKNOWN]);

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** The circuit breaker of one target service, on cockatiel: its state for metrics and health, and its interceptor. */
export class TargetBreaker {
  readonly policy: CircuitBreakerPolicy;
  private readonly log = new Logger('circuit-breaker');

  constructor(
    readonly target: string,
    config: ResilienceConfig,
  ) {
    this.policy = circuitBreaker(
      handleWhen((error) => error instanceof RpcError && TRIPPING.has(error.code)),
      {
        halfOpenAfter: config.breakerHalfOpenAfterMs,
        breaker: new CountBreaker({
          threshold: config.breakerFailureRatio,
          size: config.breakerWindow,
          minimumNumberOfCalls: Math.min(config.breakerMinCalls, config.breakerWindow),
        }),
      },
    );
    this.policy.onStateChange((state) => this.log.warn(`${target}: circuit ${STATE_NAMES[state]}`));
  }

  get state(): BreakerState {
    return STATE_NAMES[this.policy.state];
  }

  /**
   * Fails fast with UNAVAILABLE (and retry pushback: retrying an open circuit is pointless) while the circuit is
   * open, without calling the target; half-open lets one probe through, whose outcome closes or reopens it.
   */
  interceptor(): ClientInterceptor {
    return async (call, next) => {
      try {
        return await this.policy.execute(() => next(call));
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          throw new RpcError(StatusCode.UNAVAILABLE, `circuit breaker for ${this.target} is open`, { breaker: 'open' }, true);
        }
        throw error;
      }
    };
  }
}
