import type { MethodRef } from '@app/contracts';
import { OutboundCall, RpcError, StatusCode } from '@app/transport';
import { loadResilienceConfig } from '../config/resilience-config';
import { RetryBudget } from './retry-budget';
import { fullJitterDelay, retryInterceptor } from './retry.interceptor';

const method = (idempotent: boolean, maxAttempts?: number) =>
  ({ pattern: 'inventory.v1.Reserve', service: 'inventory', idempotent, retry: maxAttempts ? { maxAttempts } : undefined }) as unknown as MethodRef;
const call = (m: MethodRef, deadlineIn = 10_000): OutboundCall => ({ method: m, payload: {}, body: '{}', metadata: {}, deadline: Date.now() + deadlineIn });
const config = loadResilienceConfig({}, { retryMaxAttempts: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 1000 });
const fail = (code: StatusCode, noRetry = false) => new RpcError(code, 'boom', undefined, noRetry);

describe('retryInterceptor', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  async function run(m: MethodRef, errors: RpcError[], budget = new RetryBudget(0.2, 10), deadlineIn?: number) {
    let attempts = 0;
    const next = jest.fn(async () => {
      const error = errors[attempts++];
      if (error) throw error;
      return 'ok';
    });
    const outcome = retryInterceptor(config, budget)(call(m, deadlineIn), next).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await jest.runAllTimersAsync();
    return { outcome: await outcome, attempts: next.mock.calls.length };
  }

  it('retries UNAVAILABLE until it succeeds, within the attempt limit', async () => {
    const { outcome, attempts } = await run(method(false), [fail(StatusCode.UNAVAILABLE), fail(StatusCode.UNAVAILABLE)]);
    expect(outcome).toEqual({ value: 'ok' });
    expect(attempts).toBe(3);
  });

  it('gives up after maxAttempts, with the last error', async () => {
    const errors = [1, 2, 3, 4].map(() => fail(StatusCode.UNAVAILABLE));
    const { outcome, attempts } = await run(method(false), errors);
    expect(outcome).toEqual({ error: errors[2] });
    expect(attempts).toBe(3);
  });

  it("honours the method's own attempt limit", async () => {
    const { attempts } = await run(method(true, 5), [1, 2, 3, 4, 5, 6].map(() => fail(StatusCode.UNAVAILABLE)));
    expect(attempts).toBe(5);
  });

  it('retries DEADLINE_EXCEEDED only for idempotent methods', async () => {
    expect((await run(method(true), [fail(StatusCode.DEADLINE_EXCEEDED)])).attempts).toBe(2);
    expect((await run(method(false), [fail(StatusCode.DEADLINE_EXCEEDED)])).attempts).toBe(1);
  });

  it.each([StatusCode.INVALID_ARGUMENT, StatusCode.NOT_FOUND, StatusCode.FAILED_PRECONDITION, StatusCode.PERMISSION_DENIED, StatusCode.INTERNAL])(
    'never retries code %s',
    async (code) => {
      expect((await run(method(true), [fail(code)])).attempts).toBe(1);
    },
  );

  it('never retries a failure with retry pushback (already retried downstream)', async () => {
    expect((await run(method(true), [fail(StatusCode.UNAVAILABLE, true)])).attempts).toBe(1);
  });

  it('stops when the retry budget is spent', async () => {
    const budget = new RetryBudget(0, 1);
    expect((await run(method(true), [1, 2, 3].map(() => fail(StatusCode.UNAVAILABLE)), budget)).attempts).toBe(2);
    expect((await run(method(true), [1, 2, 3].map(() => fail(StatusCode.UNAVAILABLE)), budget)).attempts).toBe(1);
  });

  it('does not start a retry whose backoff would end after the deadline', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.99);
    try {
      expect((await run(method(true), [1, 2, 3].map(() => fail(StatusCode.UNAVAILABLE)), undefined, 50)).attempts).toBe(1);
    } finally {
      jest.spyOn(Math, 'random').mockRestore();
    }
  });

  it('backs off with full jitter: uniform up to base * 2^(retry-1), capped', () => {
    expect(fullJitterDelay(1, 100, 1000, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, 100, 1000, () => 0.5)).toBe(200);
    expect(fullJitterDelay(10, 100, 1000, () => 0.999)).toBe(999);
    expect(fullJitterDelay(2, 100, 1000, () => 0)).toBe(0);
  });
});

describe('RetryBudget', () => {
  it('allows retries up to the ratio of calls, plus the reserve', () => {
    const budget = new RetryBudget(0.2, 10);
    let retries = 0;
    for (let calls = 0; calls < 1000; calls++) {
      budget.deposit();
      while (budget.tryWithdraw()) retries++;
    }
    expect(retries).toBeLessThanOrEqual(0.2 * 1000 + 10);
    expect(retries).toBeGreaterThanOrEqual(0.2 * 1000);
  });
});
