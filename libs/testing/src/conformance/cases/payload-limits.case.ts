import { StatusCode } from '@app/transport';
import type { ConformanceCase } from '../conformance-case';
import { CONFORMANCE_MAX_PAYLOAD } from '../fixtures';
import { expectRpcError } from './expect-rpc-error';

/** `{"text":""}` is 11 bytes: the text that makes the request's JSON exactly `bytes` long. */
const textFor = (bytes: number) => 'x'.repeat(bytes - 11);

export const payloadLimits: ConformanceCase = {
  name: 'payload limits',
  define(h) {
    it('carries a request exactly at the limit', async () => {
      await h.startServer();
      const text = textFor(CONFORMANCE_MAX_PAYLOAD);
      await expect(h.client().measure({ text })).resolves.toEqual({ length: text.length });
    });

    it('refuses a request one byte over the limit with RESOURCE_EXHAUSTED, before sending it', async () => {
      const server = await h.startServer();
      const error = await expectRpcError(h.client().echo({ text: textFor(CONFORMANCE_MAX_PAYLOAD + 1) }), StatusCode.RESOURCE_EXHAUSTED);
      expect(error.details).toEqual({ size: CONFORMANCE_MAX_PAYLOAD + 1, limit: CONFORMANCE_MAX_PAYLOAD });
      expect(server.state.handled).toBe(0);
    });

    it('has the server refuse an oversized request from a client with a larger limit', async () => {
      const server = await h.startServer();
      const client = h.client({ maxPayloadBytes: CONFORMANCE_MAX_PAYLOAD * 4 });
      await expectRpcError(client.measure({ text: textFor(CONFORMANCE_MAX_PAYLOAD * 2) }), StatusCode.RESOURCE_EXHAUSTED);
      expect(server.state.handled).toBe(0);
      await expect(client.echo({ text: 'still fine' })).resolves.toMatchObject({ text: 'still fine' });
    });

    it('answers RESOURCE_EXHAUSTED when the response is over the limit', async () => {
      await h.startServer();
      const client = h.client();
      await expectRpcError(client.generate({ bytes: CONFORMANCE_MAX_PAYLOAD }), StatusCode.RESOURCE_EXHAUSTED);
      await expect(client.generate({ bytes: 1000 })).resolves.toEqual({ data: 'x'.repeat(1000) });
    });
  },
};
