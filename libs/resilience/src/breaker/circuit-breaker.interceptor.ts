import { BrokenCircuitError, CircuitBreakerPolicy, CircuitState, CountBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import { Logger } from '@nestjs/common';
import { recordBreakerState } from '@app/observability';
import { ClientInterceptor, MetadataKey, RpcError, StatusCode } from '@app/transport';
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
  /** The calling service (known from the first call), the label of this breaker's metric. */
  private caller?: string;

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
    this.policy.onStateChange((state) => {
      this.log.warn(`${target}: circuit ${STATE_NAMES[state]}`);
      if (this.caller !== undefined) recordBreakerState(this.caller, target, STATE_NAMES[state]);
    });
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
      if (this.caller === undefined) {
        this.caller = call.metadata[MetadataKey.caller] ?? 'unknown';
        recordBreakerState(this.caller, this.target, this.state);
      }
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
