import { ERROR_CODES, RpcError, StatusCode } from '@app/transport';
import type { ConformanceCase } from '../conformance-case';
import { expectRpcError } from './expect-rpc-error';

export const errorModel: ConformanceCase = {
  name: 'error model',
  define(h) {
    it('delivers every status code with its message and details', async () => {
      await h.startServer();
      const client = h.client();
      for (const code of ERROR_CODES) {
        const details = { code, reason: `because ${StatusCode[code]}`, fields: ['a', 'b'], nested: { n: 1.5, ok: false } };
        const error = await expectRpcError(
          client.fail({ code, message: `failed with ${StatusCode[code]} — ünïcode`, detailsJson: JSON.stringify(details) }),
          code,
        );
        expect(error).toBeInstanceOf(RpcError);
        expect(error.message).toBe(`failed with ${StatusCode[code]} — ünïcode`);
        expect(error.details).toEqual(details);
      }
    });

    it('sends no details when the handler gives none', async () => {
      await h.startServer();
      const error = await expectRpcError(
        h.client().fail({ code: StatusCode.NOT_FOUND, message: 'no such thing', detailsJson: '' }),
        StatusCode.NOT_FOUND,
      );
      expect(error.details).toBeUndefined();
    });

    it('maps a plain Error to UNKNOWN with its message, never "Internal server error"', async () => {
      await h.startServer();
      const error = await expectRpcError(h.client().throw({ message: 'disk on fire', kind: 'error' }), StatusCode.UNKNOWN);
      expect(error.message).toBe('disk on fire');
    });

    it('maps a Nest HTTP exception to its status code', async () => {
      await h.startServer();
      const error = await expectRpcError(h.client().throw({ message: 'no order 7', kind: 'not-found' }), StatusCode.NOT_FOUND);
      expect(error.message).toBe('no order 7');
    });

    it('rejects a request that breaks the contract schema with INVALID_ARGUMENT and the issues', async () => {
      const server = await h.startServer();
      const error = await expectRpcError(h.client().sleep({ ms: -5 }), StatusCode.INVALID_ARGUMENT);
      expect(error.message).toContain('ms');
      expect(error.details).toEqual({ issues: [expect.objectContaining({ path: 'ms' })] });
      expect(server.state.completedSleeps + server.state.abortedSleeps).toBe(0);
    });
  },
};
