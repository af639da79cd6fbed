import { MetadataKey } from '@app/transport';
import type { ConformanceCase } from '../conformance-case';

export const metadataRoundTrip: ConformanceCase = {
  name: 'call metadata',
  define(h) {
    it('carries correlation id, deadline, caller token, trace context and idempotency key out of band', async () => {
      await h.startServer();
      const client = h.client();
      const before = Date.now();
      const seen = await client.inspect(
        {},
        {
          timeoutMs: 3000,
          correlationId: 'corr-42',
          idempotencyKey: 'idem-7',
          metadata: {
            [MetadataKey.authorization]: 'Bearer header.payload.signature',
            [MetadataKey.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
            [MetadataKey.tracestate]: 'vendor=value',
            'x-custom': 'custom value',
          },
        },
      );
      expect(seen).toMatchObject({
        method: 'conformance.v1.Inspect',
        transport: h.transport,
        correlationId: 'corr-42',
        idempotencyKey: 'idem-7',
        callerToken: 'header.payload.signature',
        caller: 'conformance-test',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        tracestate: 'vendor=value',
      });
      expect(seen.deadline).toBeGreaterThanOrEqual(before + 3000);
      expect(seen.deadline).toBeLessThanOrEqual(Date.now() + 3000);
      expect(JSON.parse(seen.metadataJson)).toMatchObject({ 'x-custom': 'custom value' });
    });

    it('gives every call a correlation id when the caller sets none', async () => {
      await h.startServer();
      const client = h.client();
      const [a, b] = await Promise.all([client.inspect({}), client.inspect({})]);
      expect(a.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.correlationId).not.toEqual(b.correlationId);
      expect(a.idempotencyKey).toBe('');
    });

    it('refuses malformed metadata before sending', async () => {
      const client = h.client();
      await expect(client.inspect({}, { metadata: { 'Bad Key': 'x' } })).rejects.toMatchObject({ code: 3 });
      await expect(client.inspect({}, { metadata: { 'x-a': 'line\nbreak' } })).rejects.toMatchObject({ code: 3 });
      await expect(client.inspect({}, { metadata: { 'x-big': 'v'.repeat(9000) } })).rejects.toMatchObject({ code: 8 });
    });
  },
};
