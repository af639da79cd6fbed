import { Logger } from '@nestjs/common';
import { metricsRegistry } from '@app/observability';
import { RpcError, StatusCode } from '@app/transport';
import { FailSafeRateLimitStore, RATE_LIMIT_STORE_UNAVAILABLE } from './fail-safe-rate-limit-store';
import type { RateLimitHit, RateLimitStore, ThrottlerStorageRecord } from './rate-limit-store';

const HIT: RateLimitHit = { name: 'ip', key: 'spec:ratelimit:ip:127.0.0.1', ttlMs: 60_000, limit: 10, blockDurationMs: 60_000 };
const RECORD: ThrottlerStorageRecord = { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };

/** A store whose next answers the test decides: ok, a rejection, or never. */
class ScriptedStore implements RateLimitStore {
  mode: 'ok' | 'error' | 'hang' = 'ok';
  hit(): Promise<ThrottlerStorageRecord[]> {
    if (this.mode === 'ok') return Promise.resolve([RECORD]);
    if (this.mode === 'error') return Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    return new Promise(() => undefined);
  }
}

async function failures(reason: string, decision: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('switchboard_rate_limit_store_failures_total')!.get();
  return metric.values.find((v) => v.labels.reason === reason && v.labels.decision === decision)?.value ?? 0;
}

describe('FailSafeRateLimitStore', () => {
  let inner: ScriptedStore;
  let logger: Logger;
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;

  beforeEach(() => {
    inner = new ScriptedStore();
    logger = new Logger('rate-limit-spec');
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(logger, 'log').mockImplementation(() => undefined);
  });

  it('answers what the store answers while it works, and logs nothing', async () => {
    const store = new FailSafeRateLimitStore(inner, 'closed', 100, logger);
    expect(await store.hit([HIT])).toEqual([RECORD]);
    expect(warn).not.toHaveBeenCalled();
  });

  describe('open', () => {
    it('lets a request through uncounted when the store fails, counting it in the metric', async () => {
      const store = new FailSafeRateLimitStore(inner, 'open', 100, logger);
      const before = await failures('error', 'allowed');
      inner.mode = 'error';
      expect(await store.hit([HIT])).toEqual([]);
      expect(await failures('error', 'allowed')).toBe(before + 1);
    });

    it('waits no longer than its timeout for a store that does not answer', async () => {
      const store = new FailSafeRateLimitStore(inner, 'open', 100, logger);
      const before = await failures('timeout', 'allowed');
      inner.mode = 'hang';
      const started = Date.now();
      expect(await store.hit([HIT])).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
      expect(Date.now() - started).toBeLessThan(400);
      expect(await failures('timeout', 'allowed')).toBe(before + 1);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('no answer within 100 ms'));
    });
  });

  describe('closed', () => {
    it('refuses a request with UNAVAILABLE saying why when the store fails', async () => {
      const store = new FailSafeRateLimitStore(inner, 'closed', 100, logger);
      const before = await failures('error', 'refused');
      inner.mode = 'error';
      const refusal = await store.hit([HIT]).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(RpcError);
      expect(refusal).toMatchObject({ code: StatusCode.UNAVAILABLE, details: { reason: RATE_LIMIT_STORE_UNAVAILABLE } });
      expect((refusal as RpcError).message).toMatch(/rate limits cannot be checked/);
      expect(await failures('error', 'refused')).toBe(before + 1);
    });

    it('refuses within its timeout when the store does not answer', async () => {
      const store = new FailSafeRateLimitStore(inner, 'closed', 100, logger);
      inner.mode = 'hang';
      const started = Date.now();
      await expect(store.hit([HIT])).rejects.toMatchObject({ code: StatusCode.UNAVAILABLE });
      expect(Date.now() - started).toBeLessThan(400);
    });
  });

  it('warns once per interval however many requests fail, then says once that the store is back', async () => {
    const store = new FailSafeRateLimitStore(inner, 'open', 100, logger);
    inner.mode = 'error';
    for (let i = 0; i < 500; i++) await store.hit([HIT]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/rate-limit store failed .*letting requests through uncounted.*RATE_LIMIT_ON_STORE_FAILURE=open/));
    inner.mode = 'ok';
    await store.hit([HIT]);
    await store.hit([HIT]);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('answers again'));
    // A new outage warns again at once.
    inner.mode = 'error';
    await store.hit([HIT]);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
