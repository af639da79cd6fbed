import { StatusCode } from '@app/transport';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConformanceCase } from '../conformance-case';
import { expectRpcError, timed } from './expect-rpc-error';

export const deadlines: ConformanceCase = {
  name: 'timeouts and deadlines',
  define(h) {
    it('fails a call that outlives its per-call timeout with DEADLINE_EXCEEDED, on time', async () => {
      await h.startServer();
      const { ms, result } = await timed(expectRpcError(h.client().sleep({ ms: 3000 }, { timeoutMs: 300 }), StatusCode.DEADLINE_EXCEEDED));
      expect(result.status).toBe('fulfilled');
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(800);
    });

    it('uses the configured default timeout, and a per-call override beats it', async () => {
      await h.startServer();
      const client = h.client({ timeoutMs: 400 });
      const { ms } = await timed(expectRpcError(client.sleep({ ms: 3000 }), StatusCode.DEADLINE_EXCEEDED));
      expect(ms).toBeGreaterThanOrEqual(390);
      expect(ms).toBeLessThan(900);
      await expect(client.sleep({ ms: 600 }, { timeoutMs: 3000 })).resolves.toMatchObject({ sleptMs: expect.any(Number) });
    });

    it('tells the server the deadline, which stops work nobody waits for', async () => {
      const server = await h.startServer();
      await expectRpcError(h.client().sleep({ ms: 5000 }, { timeoutMs: 300 }), StatusCode.DEADLINE_EXCEEDED);
      for (let i = 0; i < 40 && server.state.abortedSleeps === 0; i++) await sleep(25);
      expect(server.state.abortedSleeps).toBe(1);
      expect(server.state.completedSleeps).toBe(0);
    });

    it('refuses a call whose deadline has already passed without sending it', async () => {
      const server = await h.startServer();
      await expectRpcError(h.client().echo({ text: 'late' }, { deadline: Date.now() - 1 }), StatusCode.DEADLINE_EXCEEDED);
      expect(server.state.handled).toBe(0);
    });
  },
};
