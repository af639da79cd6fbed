import type { ConformanceCase } from '../conformance-case';

export const requestReply: ConformanceCase = {
  name: 'request/reply',
  define(h) {
    it('answers a call with the handler result', async () => {
      const server = await h.startServer();
      const client = h.client();
      await expect(client.echo({ text: 'hello, ünïcode ✓' })).resolves.toEqual({
        text: 'hello, ünïcode ✓',
        instance: server.instanceId,
      });
    });

    it('serves every call of a sequence on one connection', async () => {
      await h.startServer();
      const client = h.client();
      for (let i = 0; i < 50; i++) await expect(client.echo({ text: `n${i}` })).resolves.toMatchObject({ text: `n${i}` });
    });
  },
};
