import { envInt } from '@app/transport';

export interface ResilienceConfig {
  /** Attempts of one call in all (1 = no retry), unless its contract method says otherwise. */
  retryMaxAttempts: number;
  /** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^(retry-1))]. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Retries allowed per call made (the retry budget): 0.2 = at most 20% extra load on a failing target. */
  retryBudgetRatio: number;
  /** Retries the budget starts with (and holds at most beyond the ratio), so a quiet client can still retry. */
  retryBudgetReserve: number;
  /**
   * A target's circuit breaker opens when more than this share (0..1) of its last `breakerWindow` calls failed,
   * once at least `breakerMinCalls` were made: a rate, so one instance of several dying does not open it.
   */
  breakerFailureRatio: number;
  breakerWindow: number;
  breakerMinCalls: number;
  /**
   * How long an open breaker fails fast before it lets one probe call through (half-open). Short by default (1 s):
   * one probe a second costs a dead target nothing, and a restarted one gets its calls back within a second.
   */
  breakerHalfOpenAfterMs: number;
  /** Calls in flight per target, and calls queued behind them; beyond that, RESOURCE_EXHAUSTED at once. */
  bulkheadLimit: number;
  bulkheadQueue: number;
}

export function loadResilienceConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ResilienceConfig> = {}): ResilienceConfig {
  return {
    retryMaxAttempts: envInt(env, 'RETRY_MAX_ATTEMPTS', 3, 1, 10),
    retryBaseDelayMs: envInt(env, 'RETRY_BASE_DELAY_MS', 25, 0, 60_000),
    retryMaxDelayMs: envInt(env, 'RETRY_MAX_DELAY_MS', 1000, 0, 600_000),
    retryBudgetRatio: envInt(env, 'RETRY_BUDGET_PERCENT', 20, 0, 1000) / 100,
    retryBudgetReserve: envInt(env, 'RETRY_BUDGET_RESERVE', 10, 0, 10_000),
    breakerFailureRatio: envInt(env, 'BREAKER_FAILURE_PERCENT', 50, 1, 99) / 100,
    breakerWindow: envInt(env, 'BREAKER_WINDOW', 20, 2, 10_000),
    breakerMinCalls: envInt(env, 'BREAKER_MIN_CALLS', 10, 1, 10_000),
    breakerHalfOpenAfterMs: envInt(env, 'BREAKER_HALF_OPEN_AFTER_MS', 1000, 1, 3_600_000),
    bulkheadLimit: envInt(env, 'BULKHEAD_LIMIT', 256, 1, 100_000),
    bulkheadQueue: envInt(env, 'BULKHEAD_QUEUE', 512, 0, 1_000_000),
    ...overrides,
  };
}
