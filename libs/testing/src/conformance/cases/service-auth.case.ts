import { ServiceAuthModule, serviceTokenInterceptor } from '@app/auth';
import { AuthFixture, claims, handMadeToken } from '@app/auth/testing/auth-fixture';
import { Metadata, MetadataKey, StatusCode } from '@app/transport';
import type { ConformanceCase } from '../conformance-case';
import { expectRpcError } from './expect-rpc-error';

/** `caller` may inspect; `intruder` is a known service with no grant on conformance. */
const GRANTS = { extraGrants: { caller: { conformance: ['conformance:inspect'] }, intruder: { conformance: [] } } };

export const serviceAuthentication: ConformanceCase = {
  name: 'service authentication',
  define(h) {
    let keys: AuthFixture;
    beforeAll(() => {
      keys = new AuthFixture(['conformance', 'caller', 'intruder']);
    });
    afterAll(() => keys.stop());

    const startGuarded = () =>
      h.startServer(0, {}, [], [ServiceAuthModule.forService({ service: 'conformance', config: keys.options('conformance', GRANTS) })]);
    const callerClient = (service: 'caller' | 'intruder') => {
      const issuer = keys.issuer(service, GRANTS);
      return h.client({}, [() => [serviceTokenInterceptor(issuer)]]);
    };

    it('lets a caller with a valid token and the scope in', async () => {
      await startGuarded();
      const seen = await callerClient('caller').inspect({});
      expect(seen.callerToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      await expect(callerClient('caller').echo({ text: 'hi' })).resolves.toMatchObject({ text: 'hi' });
    });

    it('refuses a missing, malformed, expired, misaddressed, forged or unsigned token with UNAUTHENTICATED; the handler does not run', async () => {
      const server = await startGuarded();
      const client = h.client();
      const now = Math.floor(Date.now() / 1000);
      const kid = { alg: 'RS256', typ: 'JWT', kid: 'caller:k1' };
      const tokens = [
        undefined,
        'not-a-jwt',
        handMadeToken(kid, claims('caller', 'conformance', { exp: now - 60, iat: now - 120, nbf: now - 120 }), { rsa: keys.keys.caller }),
        handMadeToken(kid, claims('caller', 'conformance', { nbf: now + 600, exp: now + 660 }), { rsa: keys.keys.caller }),
        handMadeToken(kid, claims('caller', 'payments'), { rsa: keys.keys.caller }),
        handMadeToken(kid, claims('caller', 'conformance'), { rsa: keys.keys.intruder }),
        handMadeToken({ alg: 'none', typ: 'JWT', kid: 'caller:k1' }, claims('caller', 'conformance'), 'unsigned'),
        handMadeToken({ alg: 'HS256', typ: 'JWT', kid: 'caller:k1' }, claims('caller', 'conformance'), { hmac: keys.keys.caller.publicKeyPem }),
      ];
      for (const token of tokens) {
        const metadata: Metadata = token === undefined ? {} : { [MetadataKey.authorization]: `Bearer ${token}` };
        const error = await expectRpcError(client.echo({ text: 'let me in' }, { metadata }), StatusCode.UNAUTHENTICATED);
        if (token) expect(error.message).not.toContain(token);
      }
      expect(server.state.handled).toBe(0);
    });

    it('answers PERMISSION_DENIED to a known caller without the scope', async () => {
      await startGuarded();
      await expectRpcError(callerClient('intruder').inspect({}), StatusCode.PERMISSION_DENIED);
    });
  },
};
