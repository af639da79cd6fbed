import type { MethodRef } from '@app/contracts';
import { OutboundCall, RpcError, StatusCode } from '@app/transport';
import { loadResilienceConfig } from '../config/resilience-config';
import { TargetBreaker } from './circuit-breaker.interceptor';

const call: OutboundCall = { method: { pattern: 'payments.v1.Charge' } as MethodRef, payload: {}, body: '{}', metadata: {}, deadline: 0 };
const config = loadResilienceConfig({}, { breakerFailureRatio: 0.5, breakerWindow: 6, breakerMinCalls: 3, breakerHalfOpenAfterMs: 1000 });

describe('TargetBreaker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('opens when most recent calls failed, fails fast without calling, half-opens, closes on a good probe', async () => {
    const breaker = new TargetBreaker('payments', config);
    const intercept = breaker.interceptor();
    const down = jest.fn(async () => {
      throw new RpcError(StatusCode.UNAVAILABLE, 'down');
    });
    for (let i = 0; i < 3; i++) await expect(intercept(call, down)).rejects.toMatchObject({ message: 'down' });
    expect(breaker.state).toBe('open');

    const up = jest.fn(async () => 'ok');
    const error = await intercept(call, up).catch((e: RpcError) => e);
    expect(error).toMatchObject({ code: StatusCode.UNAVAILABLE, noRetry: true, details: { breaker: 'open' } });
    expect(up).not.toHaveBeenCalled();

    jest.advanceTimersByTime(1000);
    await expect(intercept(call, up)).resolves.toBe('ok');
    expect(up).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('closed');
  });

  it('reopens when the half-open probe fails', async () => {
    const breaker = new TargetBreaker('payments', config);
    const intercept = breaker.interceptor();
    const down = async () => {
      throw new RpcError(StatusCode.DEADLINE_EXCEEDED, 'slow');
    };
    for (let i = 0; i < 3; i++) await intercept(call, down).catch(() => undefined);
    jest.advanceTimersByTime(1000);
    await expect(intercept(call, down)).rejects.toMatchObject({ message: 'slow' });
    expect(breaker.state).toBe('open');
  });

  it('stays closed when only a few of the recent calls failed (one instance of several going away)', async () => {
    const breaker = new TargetBreaker('payments', config);
    const intercept = breaker.interceptor();
    const ok = async () => 'ok';
    const down = async () => {
      throw new RpcError(StatusCode.UNAVAILABLE, 'instance gone');
    };
    for (const next of [ok, ok, down, ok, down, ok]) await intercept(call, next).catch(() => undefined);
    expect(breaker.state).toBe('closed');
  });

  it('does not count business answers as failures', async () => {
    const breaker = new TargetBreaker('payments', config);
    const intercept = breaker.interceptor();
    for (let i = 0; i < 10; i++) {
      await intercept(call, async () => {
        throw new RpcError(StatusCode.FAILED_PRECONDITION, 'declined');
      }).catch(() => undefined);
    }
    expect(breaker.state).toBe('closed');
  });
});
