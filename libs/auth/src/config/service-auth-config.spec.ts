import { DEV_SERVICE_AUTH_SECRET } from './dev-secret';
import { loadServiceAuthConfig } from './service-auth-config';

const keys = { SERVICE_KEY_FILE: '/keys/{service}.key.pem', SERVICE_KEY_ID: '{service}:k1', SERVICE_JWKS_FILE: '/keys/jwks.json' };

describe('loadServiceAuthConfig', () => {
  it('falls back to the documented development secret outside production', () => {
    const config = loadServiceAuthConfig('orders', {});
    expect(config.keys).toEqual({ mode: 'dev-hs256', secret: DEV_SERVICE_AUTH_SECRET });
    expect(config.defaultsInUse).toEqual(['SERVICE_AUTH_SECRET']);
    expect(config.tokenTtlSeconds).toBe(60);
  });

  it('takes SERVICE_AUTH_SECRET in development, 32 characters or more', () => {
    const secret = 'a-development-secret-of-32-chars!';
    expect(loadServiceAuthConfig('orders', { SERVICE_AUTH_SECRET: secret }).keys).toEqual({ mode: 'dev-hs256', secret });
    expect(() => loadServiceAuthConfig('orders', { SERVICE_AUTH_SECRET: 'short-canary-secret' })).toThrow(/at least 32/);
  });

  it('reads RS256 keys, with {service} replaced by the service name', () => {
    const config = loadServiceAuthConfig('payments', keys);
    expect(config.keys).toEqual({ mode: 'rs256', keyFile: '/keys/payments.key.pem', keyId: 'payments:k1', jwks: { file: '/keys/jwks.json' } });
    expect(config.defaultsInUse).toEqual([]);
  });

  it('refuses the development defaults and any shared secret in production', () => {
    expect(() => loadServiceAuthConfig('orders', { NODE_ENV: 'production' })).toThrow(/production needs asymmetric service keys.*SERVICE_KEY_FILE/);
    expect(() => loadServiceAuthConfig('orders', { NODE_ENV: 'production', SERVICE_AUTH_SECRET: DEV_SERVICE_AUTH_SECRET })).toThrow(
      /documented development default/,
    );
    expect(() => loadServiceAuthConfig('orders', {}, { production: true, secret: 'x'.repeat(40) })).toThrow(/development only/);
    expect(loadServiceAuthConfig('orders', { ...keys, NODE_ENV: 'production' }).keys.mode).toBe('rs256');
  });

  it('never puts a secret in its errors', () => {
    const canary = 'CANARY-secret-value-0123456789-abcdefgh';
    for (const env of [{ NODE_ENV: 'production', SERVICE_AUTH_SECRET: canary }, { ...keys, SERVICE_AUTH_SECRET: canary }]) {
      expect(() => loadServiceAuthConfig('orders', env)).toThrow();
      try {
        loadServiceAuthConfig('orders', env);
      } catch (error) {
        expect((error as Error).message).not.toContain('CANARY');
      }
    }
  });

  it('wants the key settings together, one JWKS source, and a key id of the service', () => {
    expect(() => loadServiceAuthConfig('orders', { SERVICE_KEY_FILE: '/k.pem' })).toThrow(/missing SERVICE_KEY_ID, SERVICE_JWKS_FILE or SERVICE_JWKS_URL/);
    expect(() => loadServiceAuthConfig('orders', { ...keys, SERVICE_JWKS_URL: 'https://keys.example/jwks.json' })).toThrow(/not both/);
    expect(() => loadServiceAuthConfig('orders', { ...keys, SERVICE_KEY_ID: 'payments:k1' })).toThrow(/SERVICE_KEY_ID must be "orders:<label>"/);
    expect(() => loadServiceAuthConfig('orders', { ...keys, SERVICE_AUTH_SECRET: 'x'.repeat(40) })).toThrow(/not both/);
  });

  it('accepts an http JWKS URL only outside production', () => {
    const env = { ...keys, SERVICE_JWKS_FILE: undefined, SERVICE_JWKS_URL: 'http://127.0.0.1:8080/jwks.json' };
    expect(loadServiceAuthConfig('orders', env).keys).toMatchObject({ jwks: { url: 'http://127.0.0.1:8080/jwks.json' } });
    expect(() => loadServiceAuthConfig('orders', { ...env, NODE_ENV: 'production' })).toThrow(/must be https when NODE_ENV=production/);
    expect(() => loadServiceAuthConfig('orders', { ...env, SERVICE_JWKS_URL: 'ftp://x/jwks' })).toThrow(/https or http/);
  });

  it('bounds the token lifetime and the refresh period', () => {
    expect(loadServiceAuthConfig('orders', { SERVICE_TOKEN_TTL_SECONDS: '120', SERVICE_JWKS_REFRESH_SECONDS: '60' })).toMatchObject({
      tokenTtlSeconds: 120,
      jwksRefreshMs: 60_000,
    });
    expect(() => loadServiceAuthConfig('orders', { SERVICE_TOKEN_TTL_SECONDS: '5' })).toThrow(/SERVICE_TOKEN_TTL_SECONDS must be an integer between 10 and 3600/);
  });

  it('adds extra grants (test callers) to the policy and to the known services', () => {
    const config = loadServiceAuthConfig('conformance', {}, { extraGrants: { 'conformance-test': { conformance: ['conformance:call'] } } });
    expect(config.policy['conformance-test']).toEqual({ conformance: ['conformance:call'] });
    expect(config.policy.orders.payments).toContain('payments:charge');
    expect([...config.knownServices]).toEqual(expect.arrayContaining(['orders', 'conformance', 'conformance-test']));
  });
});
