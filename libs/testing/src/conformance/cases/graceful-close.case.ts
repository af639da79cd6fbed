import { setTimeout as sleep } from 'node:timers/promises';
import type { ConformanceCase } from '../conformance-case';

export const gracefulClose: ConformanceCase = {
  name: 'graceful close',
  define(h) {
    it('finishes a call in flight when the server closes', async () => {
      const server = await h.startServer();
      const client = h.client();
      const inFlight = client.sleep({ ms: 400 });
      await sleep(150);
      await server.close();
      await expect(inFlight).resolves.toMatchObject({ sleptMs: expect.any(Number) });
    });
  },
};
