import type { MethodRef } from '@app/contracts';
import { StatusCode } from '@app/transport';
import type { ConformanceCase } from '../conformance-case';
import { ConformanceV1 } from '../conformance.contract';
import { expectRpcError, timed } from './expect-rpc-error';

const missing: MethodRef = {
  ...ConformanceV1.methods.echo,
  name: 'Missing',
  pattern: 'conformance.v1.Missing',
  grpcPath: '/conformance.v1.Conformance/Missing',
};

export const unknownMethod: ConformanceCase = {
  name: 'unknown method',
  define(h) {
    it('answers a method the service does not have with UNIMPLEMENTED, promptly', async () => {
      await h.startServer();
      const client = h.client({ timeoutMs: 5000 });
      const { ms, result } = await timed(expectRpcError(client.rpc.call(missing, { text: 'x' }), StatusCode.UNIMPLEMENTED));
      expect(result.status).toBe('fulfilled');
      expect(ms).toBeLessThan(1000);
    });
  },
};

export const missingService: ConformanceCase = {
  name: 'no instance running',
  requires: ['reportsMissingService'],
  define(h) {
    it('fails with UNAVAILABLE, well before the deadline, when no instance of the service runs', async () => {
      const client = h.client({ timeoutMs: 5000 });
      const { ms, result } = await timed(expectRpcError(client.echo({ text: 'anyone?' }), StatusCode.UNAVAILABLE));
      expect(result.status).toBe('fulfilled');
      expect(ms).toBeLessThan(2000);
    });
  },
};
