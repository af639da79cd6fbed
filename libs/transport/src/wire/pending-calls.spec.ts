import { RpcError, unavailable } from '../status/rpc-error';
import { StatusCode } from '../status/status-code';
import { PendingCalls } from './pending-calls';

describe('PendingCalls', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  const outcome = (promise: Promise<unknown>) => {
    const seen: { value?: unknown; error?: RpcError } = {};
    promise.then((value) => (seen.value = value), (error: RpcError) => (seen.error = error));
    return seen;
  };

  it('settles a call with its reply, and ignores a late or unknown id', async () => {
    const calls = new PendingCalls('c-');
    const id = calls.nextId();
    expect(id).toMatch(/^c-/);
    const seen = outcome(calls.register(id, 'm', Date.now() + 1000));
    calls.settle(id, () => 42);
    calls.settle(id, () => 43);
    calls.settle('c-unknown', () => 44);
    await Promise.resolve();
    expect(seen).toEqual({ value: 42 });
    expect(calls.size).toBe(0);
  });

  it('fails each call at its own deadline, whatever order they were registered in', async () => {
    const calls = new PendingCalls();
    const late = outcome(calls.register('late', 'm.Late', Date.now() + 500));
    const early = outcome(calls.register('early', 'm.Early', Date.now() + 100));
    const middle = outcome(calls.register('middle', 'm.Middle', Date.now() + 300));
    await jest.advanceTimersByTimeAsync(99);
    expect([early.error, middle.error, late.error]).toEqual([undefined, undefined, undefined]);
    await jest.advanceTimersByTimeAsync(1);
    expect(early.error).toMatchObject({ code: StatusCode.DEADLINE_EXCEEDED, message: expect.stringContaining('m.Early') });
    expect(middle.error).toBeUndefined();
    await jest.advanceTimersByTimeAsync(200);
    expect(middle.error?.code).toBe(StatusCode.DEADLINE_EXCEEDED);
    expect(late.error).toBeUndefined();
    await jest.advanceTimersByTimeAsync(200);
    expect(late.error?.code).toBe(StatusCode.DEADLINE_EXCEEDED);
    expect(calls.size).toBe(0);
  });

  it('a call answered in time never times out; with nothing pending the timer does not hold the process', async () => {
    const calls = new PendingCalls();
    const seen = outcome(calls.register('a', 'm', Date.now() + 100));
    const timer = () => (calls as unknown as { timer?: NodeJS.Timeout }).timer;
    expect(timer()?.hasRef()).toBe(true);
    calls.settle('a', () => 'ok');
    expect(timer()?.hasRef() ?? false).toBe(false);
    const next = outcome(calls.register('b', 'm', Date.now() + 200));
    expect(timer()?.hasRef()).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual({ value: 'ok' });
    expect(next.error?.code).toBe(StatusCode.DEADLINE_EXCEEDED);
  });

  it('uses what onTimeout says at the deadline, and failAll fails every call at once', async () => {
    const calls = new PendingCalls('', () => unavailable('broker down'));
    const a = outcome(calls.register('a', 'm', Date.now() + 50));
    const b = outcome(calls.register('b', 'm', Date.now() + 5000));
    const c = outcome(calls.register('c', 'm', Date.now() + 5000));
    await jest.advanceTimersByTimeAsync(50);
    expect(a.error).toMatchObject({ code: StatusCode.UNAVAILABLE, message: 'broker down' });
    calls.failAll(new RpcError(StatusCode.CANCELLED, 'closed'));
    await Promise.resolve();
    expect([b.error?.code, c.error?.code]).toEqual([StatusCode.CANCELLED, StatusCode.CANCELLED]);
  });
});
