import type { ConformanceCase } from '../conformance-case';

export const concurrency: ConformanceCase = {
  name: 'concurrency',
  define(h) {
    it('answers 200 concurrent calls, each with its own reply', async () => {
      const server = await h.startServer();
      const client = h.client();
      const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => client.echo({ text: `call-${i}` })));
      replies.forEach((reply, i) => expect(reply.text).toBe(`call-${i}`));
      expect(server.state.handled).toBe(200);
    });
  },
};

export const sharedWork: ConformanceCase = {
  name: 'scale-out',
  define(h) {
    it('has two instances share the work, each call handled by exactly one', async () => {
      const a = await h.startServer(0);
      const b = await h.startServer(1);
      const client = h.client();
      const calls = 200;
      const replies = [];
      for (let batch = 0; batch < calls / 20; batch++) {
        replies.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => client.echo({ text: `${batch}-${i}` })))));
      }
      const byInstance = new Map<string, number>();
      for (const r of replies) byInstance.set(r.instance, (byInstance.get(r.instance) ?? 0) + 1);
      expect([...byInstance.keys()].sort()).toEqual([a.instanceId, b.instanceId].sort());
      expect(a.state.handled + b.state.handled).toBe(calls);
      expect(a.state.handled).toBe(byInstance.get(a.instanceId));
      expect(a.state.handled).toBeGreaterThan(calls * 0.1);
      expect(b.state.handled).toBeGreaterThan(calls * 0.1);
    });
  },
};
