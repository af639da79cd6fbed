import { Counter } from 'prom-client';
import { metricsRegistry } from '@app/observability';

/** Why the store did not answer, and what the gateway did with the request. */
export type StoreFailureReason = 'timeout' | 'error';
export type StoreFailureDecision = 'allowed' | 'refused';

const failures = new Counter({
  name: 'switchboard_rate_limit_store_failures_total',
  help: 'Requests whose rate limits could not be counted because the rate-limit store failed or timed out, by reason and by what the gateway did (allowed: RATE_LIMIT_ON_STORE_FAILURE=open, refused: closed)',
  labelNames: ['reason', 'decision'],
  registers: [metricsRegistry],
});

const children = {
  timeout: { allowed: failures.labels('timeout', 'allowed'), refused: failures.labels('timeout', 'refused') },
  error: { allowed: failures.labels('error', 'allowed'), refused: failures.labels('error', 'refused') },
};

export function recordRateLimitStoreFailure(reason: StoreFailureReason, decision: StoreFailureDecision): void {
  children[reason][decision].inc();
}
