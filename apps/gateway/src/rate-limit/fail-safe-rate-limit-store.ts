import { Logger } from '@nestjs/common';
import { RpcError, StatusCode, ThrottledLog } from '@app/transport';
import type { RateLimitHit, RateLimitStore, ThrottlerStorageRecord } from './rate-limit-store';
import { recordRateLimitStoreFailure, StoreFailureReason } from './rate-limit-store-failures.metric';

/** What the gateway does with a request whose limits cannot be counted (RATE_LIMIT_ON_STORE_FAILURE). */
export type StoreFailurePolicy = 'open' | 'closed';

/** The `details.reason` of the 503 a request gets when the store fails and the policy is `closed`. */
export const RATE_LIMIT_STORE_UNAVAILABLE = 'RATE_LIMIT_STORE_UNAVAILABLE';

/** At most one warning per this interval while the store keeps failing (with the count held back). */
const WARN_EVERY_MS = 10_000;

class StoreTimeout extends Error {}

/**
 * A rate-limit store (Redis) with a bounded wait and a stated answer when it fails. Every `hit` settles within
 * `timeoutMs`; when the store rejects or does not answer in time:
 * - `open`: the request passes uncounted (`hit` answers no records, so no X-RateLimit headers);
 * - `closed`: the request is refused with UNAVAILABLE (503, Retry-After: 1, details.reason
 *   RATE_LIMIT_STORE_UNAVAILABLE).
 * Each failure counts in `switchboard_rate_limit_store_failures_total{reason,decision}`; a warning is logged at most
 * every 10 s while failures last, and one line when the store answers again.
 */
export class FailSafeRateLimitStore implements RateLimitStore {
  private readonly log: ThrottledLog;
  private failing = false;

  constructor(
    private readonly store: RateLimitStore,
    private readonly policy: StoreFailurePolicy,
    private readonly timeoutMs: number,
    logger = new Logger('RateLimits'),
  ) {
    this.log = new ThrottledLog(logger, WARN_EVERY_MS);
  }

  async hit(hits: readonly RateLimitHit[]): Promise<ThrottlerStorageRecord[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StoreTimeout()), this.timeoutMs);
      });
      const records = await Promise.race([this.store.hit(hits), timeout]);
      if (this.failing) this.recovered();
      return records;
    } catch (error) {
      return this.failed(error instanceof StoreTimeout ? 'timeout' : 'error', error);
    } finally {
      clearTimeout(timer);
    }
  }

  private failed(reason: StoreFailureReason, error: unknown): ThrottlerStorageRecord[] {
    this.failing = true;
    const allowed = this.policy === 'open';
    recordRateLimitStoreFailure(reason, allowed ? 'allowed' : 'refused');
    const why = reason === 'timeout' ? `no answer within ${this.timeoutMs} ms` : messageOf(error);
    const what = allowed ? 'letting requests through uncounted' : 'refusing requests with 503';
    this.log.warn('store', `the rate-limit store failed (${why}): ${what} (RATE_LIMIT_ON_STORE_FAILURE=${this.policy})`);
    if (allowed) return [];
    throw new RpcError(
      StatusCode.UNAVAILABLE,
      'rate limits cannot be checked right now (the rate-limit store is unavailable); try again shortly',
      { reason: RATE_LIMIT_STORE_UNAVAILABLE },
    );
  }

  private recovered(): void {
    this.failing = false;
    this.log.reset('store');
    this.log.logger.log('the rate-limit store answers again: counting requests');
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
