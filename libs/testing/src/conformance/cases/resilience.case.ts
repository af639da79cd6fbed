import { randomUUID } from 'node:crypto';
import { Resilience, loadResilienceConfig, ResilienceConfig } from '@app/resilience';
import { StatusCode } from '@app/transport';
import type { ConformanceCase } from '../conformance-case';
import { expectRpcError, timed } from './expect-rpc-error';

const policies = (overrides: Partial<ResilienceConfig> = {}) =>
  new Resilience(
    loadResilienceConfig({}, {
      retryMaxAttempts: 3,
      retryBaseDelayMs: 5,
      retryMaxDelayMs: 20,
      retryBudgetRatio: 0.2,
      retryBudgetReserve: 10,
      breakerWindow: 10_000,
      breakerMinCalls: 10_000,
      ...overrides,
    }),
  );

export const retries: ConformanceCase = {
  name: 'retries',
  define(h) {
    it('retries UNAVAILABLE and succeeds, each attempt reaching the server', async () => {
      const server = await h.startServer();
      const client = h.client({}, [policies().interceptors]);
      await expect(client.flaky({ key: 'k1', failures: 2 })).resolves.toEqual({ attempts: 3 });
      expect(server.state.flakyCalls.get('k1')).toBe(3);
    });

    it('never retries INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED', async () => {
      const server = await h.startServer();
      const client = h.client({}, [policies().interceptors]);
      for (const code of [StatusCode.INVALID_ARGUMENT, StatusCode.NOT_FOUND, StatusCode.PERMISSION_DENIED]) {
        await expectRpcError(client.fail({ code, message: 'no', detailsJson: '' }), code);
      }
      expect(server.state.failCalls).toBe(3);
    });

    it('keeps a target that fails every call under ~1.2x the calls made (retry budget)', async () => {
      const server = await h.startServer();
      const resilience = policies();
      const client = h.client({}, [resilience.interceptors]);
      const calls = 200;
      for (let i = 0; i < calls; i++) {
        await expectRpcError(client.flaky({ key: `down-${i % 7}`, failures: 1e9 }), StatusCode.UNAVAILABLE);
      }
      const seen = server.state.flakyTotal();
      console.log(`[${h.transport}] retry budget: ${calls} calls -> ${seen} attempts at the target (${(seen / calls).toFixed(3)}x)`);
      expect(seen).toBeGreaterThan(calls);
      expect(seen).toBeLessThanOrEqual(calls * 1.2 + 10);
    });

    it('does not multiply retries across hops: only the hop next to the failure retries', async () => {
      const server = await h.startServer(0, {}, [policies().interceptors]);
      const client = h.client({}, [policies().interceptors]);
      const calls = 100;
      for (let i = 0; i < calls; i++) {
        await expectRpcError(
          client.relay({ target: 'flaky', payloadJson: JSON.stringify({ key: `hop-${i % 5}`, failures: 1e9 }) }),
          StatusCode.UNAVAILABLE,
        );
      }
      const seen = server.state.flakyTotal();
      console.log(`[${h.transport}] two hops: ${calls} calls -> ${seen} attempts at the failing target (${(seen / calls).toFixed(3)}x)`);
      expect(seen).toBeLessThanOrEqual(calls * 1.2 + 10);
    });
  },
};

export const circuitBreaker: ConformanceCase = {
  name: 'circuit breaker',
  define(h) {
    it('opens when most recent calls failed, then fails fast without calling the target, and closes on a good probe', async () => {
      const server = await h.startServer();
      const resilience = policies({ retryMaxAttempts: 1, breakerWindow: 10, breakerMinCalls: 5, breakerHalfOpenAfterMs: 500 });
      const client = h.client({}, [resilience.interceptors]);
      const key = randomUUID();
      for (let i = 0; i < 5; i++) await expectRpcError(client.flaky({ key, failures: 7 }), StatusCode.UNAVAILABLE);
      expect(resilience.breakerStates()).toEqual({ conformance: 'open' });
      const before = server.state.flakyCalls.get(key);
      const { ms } = await timed(expectRpcError(client.flaky({ key, failures: 7 }), StatusCode.UNAVAILABLE));
      expect(ms).toBeLessThan(5);
      expect(server.state.flakyCalls.get(key)).toBe(before);

      await new Promise((r) => setTimeout(r, 550));
      await expect(client.flaky({ key: randomUUID(), failures: 0 })).resolves.toEqual({ attempts: 1 });
      expect(resilience.breakerStates()).toEqual({ conformance: 'closed' });
    });
  },
};

export const bulkheadLimit: ConformanceCase = {
  name: 'bulkhead',
  define(h) {
    it('refuses calls beyond the in-flight limit and queue at once with RESOURCE_EXHAUSTED', async () => {
      const server = await h.startServer();
      const client = h.client({}, [policies({ bulkheadLimit: 2, bulkheadQueue: 1 }).interceptors]);
      const running = [client.sleep({ ms: 300 }), client.sleep({ ms: 300 }), client.sleep({ ms: 300 })];
      const { ms } = await timed(expectRpcError(client.sleep({ ms: 300 }), StatusCode.RESOURCE_EXHAUSTED));
      expect(ms).toBeLessThan(50);
      await expect(Promise.all(running)).resolves.toHaveLength(3);
      expect(server.state.completedSleeps).toBe(3);
    });
  },
};

export const nestedDeadlines: ConformanceCase = {
  name: 'nested deadlines',
  define(h) {
    it('gives a nested call what is left of the deadline, and fails the chain on time', async () => {
      await h.startServer();
      const client = h.client();
      const before = Date.now();
      const { resultJson } = await client.relay({ target: 'inspect', payloadJson: '{}' }, { timeoutMs: 2000, correlationId: 'chain-1' });
      const nested = JSON.parse(resultJson) as { deadline: number; correlationId: string };
      expect(nested.correlationId).toBe('chain-1');
      expect(nested.deadline).toBeLessThanOrEqual(before + 2000 - 10 + 50);
      expect(nested.deadline).toBeLessThan(Date.now() + 2000);

      const { ms } = await timed(
        expectRpcError(client.relay({ target: 'sleep', payloadJson: '{"ms":2000}' }, { timeoutMs: 500 }), StatusCode.DEADLINE_EXCEEDED),
      );
      expect(ms).toBeGreaterThanOrEqual(490);
      expect(ms).toBeLessThan(650);
    });
  },
};
