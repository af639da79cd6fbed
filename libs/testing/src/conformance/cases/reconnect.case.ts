import { RpcError, StatusCode } from '@app/transport';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConformanceHarness, ConformanceClient } from '../conformance-harness';
import type { ConformanceCase } from '../conformance-case';
import { timed } from './expect-rpc-error';

async function eventuallyAnswers(client: ConformanceClient, withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      await client.echo({ text: 'back?' }, { timeoutMs: 1000 });
      return;
    } catch (error) {
      last = error;
      await sleep(200);
    }
  }
  throw new Error(`no answer within ${withinMs} ms after the restart: ${String(last)}`);
}

async function expectUnavailableWithinDeadline(client: ConformanceClient): Promise<void> {
  const { ms, result } = await timed(client.echo({ text: 'down?' }, { timeoutMs: 1500 }));
  expect(result.status).toBe('rejected');
  const error = (result as PromiseRejectedResult).reason;
  expect(error).toBeInstanceOf(RpcError);
  expect([StatusCode.UNAVAILABLE]).toContain((error as RpcError).code);
  expect(ms).toBeLessThanOrEqual(1700);
}

export const brokerRestart: ConformanceCase = {
  name: 'broker restart',
  requires: ['brokered'],
  define(h: ConformanceHarness) {
    it('fails calls with UNAVAILABLE while the broker is down, and recovers when it is back', async () => {
      await h.startServer();
      const client = h.client();
      await expect(client.echo({ text: 'before' })).resolves.toMatchObject({ text: 'before' });
      await h.fixture.stopBroker();
      await sleep(200);
      await expectUnavailableWithinDeadline(client);
      await h.fixture.startBroker();
      await eventuallyAnswers(client, 15_000);
    });
  },
};

export const peerRestart: ConformanceCase = {
  name: 'server restart',
  requires: ['reconnects'],
  define(h: ConformanceHarness) {
    it('fails calls with UNAVAILABLE while no server runs, and reconnects to a new one', async () => {
      const first = await h.startServer();
      const client = h.client();
      await expect(client.echo({ text: 'before' })).resolves.toMatchObject({ text: 'before' });
      await first.close();
      await sleep(100);
      if (h.fixture.features.reportsMissingService) await expectUnavailableWithinDeadline(client);
      const second = await h.startServer();
      await eventuallyAnswers(client, 15_000);
      expect(second.state.handled).toBeGreaterThan(0);
    });
  },
};

export const brokerLater: ConformanceCase = {
  name: 'broker comes up later',
  requires: ['brokered'],
  define(h: ConformanceHarness) {
    it('starts a server while the broker is down, and serves once the broker is up', async () => {
      await h.fixture.stopBroker();
      let listening = false;
      const starting = h.startServer().then((server) => {
        listening = true;
        return server;
      });
      await sleep(1500);
      expect(listening).toBe(false);
      await h.fixture.startBroker();
      const server = await starting;
      const client = h.client();
      await eventuallyAnswers(client, 10_000);
      expect(server.state.handled).toBeGreaterThan(0);
    });
  },
};
