import { JwtService } from '@nestjs/jwt';
import { verify as rsaVerify } from 'node:crypto';
import { AuthFixture } from '../testing/auth-fixture';
import { ServiceTokenIssuer } from './service-token-issuer';
import { readSigningKey } from '../keys/signing-key';
import { loadServiceAuthConfig } from '../config/service-auth-config';

const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

describe('ServiceTokenIssuer', () => {
  const fixture = new AuthFixture(['orders', 'notifications']);

  afterEach(() => jest.useRealTimers());

  it('signs RS256 with its key id: iss = sub = caller, aud = target, the granted scopes, iat/nbf/exp/jti', () => {
    const token = fixture.issuer('orders').tokenFor('payments');
    const [header, payload, signature] = token.split('.');
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'orders:k1' });
    const claims = decode(payload);
    expect(claims).toMatchObject({ iss: 'orders', sub: 'orders', aud: 'payments', scope: 'payments:charge payments:refund payments:read' });
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.nbf).toBe(claims.iat);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(2);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const signed = Buffer.from(`${header}.${payload}`);
    expect(rsaVerify('sha256', signed, fixture.keys.orders.publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('puts no scope in a token for a target the caller has no grant for', () => {
    const claims = decode(fixture.issuer('notifications').tokenFor('payments').split('.')[1]);
    expect(claims.scope).toBeUndefined();
    expect(claims.aud).toBe('payments');
  });

  it('signs once per audience and reuses the token until 10 s before it expires', () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00.000Z') });
    const jwt = new JwtService();
    const sign = jest.spyOn(jwt, 'sign');
    const issuer = fixture.issuer('orders', {}, jwt);
    const first = issuer.tokenFor('payments');
    for (let i = 0; i < 1000; i++) expect(issuer.tokenFor('payments')).toBe(first);
    expect(sign).toHaveBeenCalledTimes(1);
    expect(issuer.tokenFor('inventory')).not.toBe(first);
    expect(sign).toHaveBeenCalledTimes(2);

    jest.setSystemTime(new Date('2030-01-01T00:00:49.999Z'));
    expect(issuer.tokenFor('payments')).toBe(first);
    jest.setSystemTime(new Date('2030-01-01T00:00:50.000Z'));
    const second = issuer.tokenFor('payments');
    expect(second).not.toBe(first);
    expect(decode(second.split('.')[1]).iat).toBe(Date.parse('2030-01-01T00:00:50Z') / 1000);
    expect(sign).toHaveBeenCalledTimes(3);
  });

  it('renews a short-lived token at 80% of its lifetime', () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00.000Z') });
    const issuer = fixture.issuer('orders', { tokenTtlSeconds: 20 });
    const first = issuer.tokenFor('payments');
    jest.setSystemTime(new Date('2030-01-01T00:00:15.999Z'));
    expect(issuer.tokenFor('payments')).toBe(first);
    jest.setSystemTime(new Date('2030-01-01T00:00:16.000Z'));
    expect(issuer.tokenFor('payments')).not.toBe(first);
  });

  it('signs HS256 with the shared secret in development mode', () => {
    const config = loadServiceAuthConfig('orders', {});
    const token = new ServiceTokenIssuer(new JwtService(), readSigningKey(config), config).tokenFor('inventory');
    expect(decode(token.split('.')[0])).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'dev' });
  });
});
