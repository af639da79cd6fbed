import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { loadServiceAuthConfig } from '../config/service-auth-config';
import { SharedSecretKeys } from '../keys/verification-keys';
import { AuthFixture, claims, handMadeToken } from '../testing/auth-fixture';
import { urlJwksSource } from '../keys/jwks-source';
import { TrustedKeys } from '../keys/trusted-keys';
import { JwksTestServer } from '../testing/jwks-test-server';
import { jwksOf, makeTestKey, TestServiceKey } from '../testing/test-keys';
import { EVENTS_AUDIENCE } from './service-token-claims';
import { ServiceTokenIssuer } from './service-token-issuer';
import { ServiceTokenVerifier } from './service-token-verifier';
import { RejectionReason, TokenRejection } from './token-rejection';

/** Key-set loading logs are asserted in trusted-keys.spec; here they would only be noise. */
Logger.overrideLogger(false);

const fixture = new AuthFixture(['orders', 'payments', 'notifications', 'gateway', 'mallory']);
const orders = fixture.keys.orders;
const rs = (kid = orders.kid) => ({ alg: 'RS256', typ: 'JWT', kid });
let verifier: ServiceTokenVerifier;

beforeAll(async () => {
  verifier = await fixture.verifier('payments');
});
afterAll(() => fixture.stop());

async function rejection(token: string | undefined, expected = { audience: 'payments' }): Promise<TokenRejection> {
  const error = await verifier.verify(token, expected).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TokenRejection)) throw new Error(`expected a TokenRejection, got ${String(error)}`);
  if (token) for (const part of token.split('.').filter((p) => p.length > 8)) expect(error.message).not.toContain(part);
  return error;
}
const reasonOf = async (token: string | undefined, expected?: { audience: string; issuer?: string; at?: number }) =>
  (await rejection(token, expected)).reason;

describe('ServiceTokenVerifier (RS256)', () => {
  it('accepts a token from the issuer: the caller and the scopes the policy grants it here', async () => {
    const token = fixture.issuer('orders').tokenFor('payments');
    await expect(verifier.verify(token, { audience: 'payments' })).resolves.toEqual({
      service: 'orders',
      scopes: ['payments:charge', 'payments:refund', 'payments:read'],
    });
    await expect(verifier.verify(fixture.issuer('notifications').tokenFor('payments'), { audience: 'payments' })).resolves.toEqual({
      service: 'notifications',
      scopes: [],
    });
  });

  it('refuses a missing or malformed token', async () => {
    expect(await reasonOf(undefined)).toBe<RejectionReason>('missing');
    expect(await reasonOf('')).toBe('missing');
    for (const bad of ['garbage', 'a.b', 'a.b.c.d', 'bm90IGpzb24.e30.c2ln', `${'a'.repeat(5000)}.e30.c2ln`, 'W10.e30.c2ln']) {
      expect(await reasonOf(bad)).toBe('malformed');
    }
    expect(await reasonOf(handMadeToken({ ...rs(), crit: ['exp'] }, claims('orders', 'payments'), { rsa: orders }))).toBe('malformed');
    expect(await reasonOf(handMadeToken({ alg: 'RS256' }, claims('orders', 'payments'), { rsa: orders }))).toBe('malformed');
  });

  it('refuses an expired token and one not valid yet, with a 5 s tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = (o: Record<string, unknown>) => handMadeToken(rs(), claims('orders', 'payments', o), { rsa: orders });
    expect(await reasonOf(token({ iat: now - 120, nbf: now - 120, exp: now - 60 }))).toBe('expired');
    expect(await reasonOf(token({ iat: now + 60, nbf: now + 60, exp: now + 120 }))).toBe('not-yet-valid');
    await expect(verifier.verify(token({ iat: now - 63, nbf: now - 63, exp: now - 3 }), { audience: 'payments' })).resolves.toBeDefined();
    await expect(verifier.verify(token({ iat: now + 3, nbf: now + 3, exp: now + 63 }), { audience: 'payments' })).resolves.toBeDefined();
  });

  it('refuses a token for another audience', async () => {
    const error = await rejection(fixture.issuer('orders').tokenFor('inventory'));
    expect(error.reason).toBe('wrong-audience');
    expect(error.message).toBe('service token is for another audience: expected payments');
  });

  it('refuses an issuer that is not a known service, and a key that does not belong to the issuer', async () => {
    expect(await reasonOf(fixture.issuer('mallory').tokenFor('payments'))).toBe('unknown-issuer');
    const impostor = handMadeToken(rs(fixture.keys.notifications.kid), claims('orders', 'payments', { scope: 'payments:charge' }), {
      rsa: fixture.keys.notifications,
    });
    expect(await reasonOf(impostor)).toBe('key-not-issuers');
  });

  it('refuses a bad signature: another key under the same key id, or a changed payload', async () => {
    const other = makeTestKey('orders');
    expect(await reasonOf(handMadeToken(rs(), claims('orders', 'payments'), { rsa: other }))).toBe('bad-signature');
    const [header, , signature] = fixture.issuer('notifications').tokenFor('payments').split('.');
    const widened = Buffer.from(JSON.stringify(claims('notifications', 'payments', { scope: 'payments:charge' }))).toString('base64url');
    expect(await reasonOf(`${header}.${widened}.${signature}`)).toBe('bad-signature');
  });

  it('refuses alg none and HS256 signed with the public key (algorithm confusion)', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      expect(await reasonOf(handMadeToken({ alg, kid: orders.kid }, claims('orders', 'payments'), 'unsigned'))).toBe('algorithm');
    }
    const confused = handMadeToken({ alg: 'HS256', kid: orders.kid }, claims('orders', 'payments'), { hmac: orders.publicKeyPem });
    expect(await reasonOf(confused)).toBe('algorithm');
    const rs512 = new JwtService().sign(claims('orders', 'payments'), { privateKey: orders.privateKey, algorithm: 'RS512', keyid: orders.kid });
    expect(await reasonOf(rs512)).toBe('algorithm');
  });

  it('refuses an unknown key id', async () => {
    expect(await reasonOf(handMadeToken(rs('orders:never-published'), claims('orders', 'payments'), { rsa: orders }))).toBe('unknown-key');
  });

  it('wants every claim it relies on, and a lifetime of at most an hour', async () => {
    const token = (o: Record<string, unknown>) => handMadeToken(rs(), claims('orders', 'payments', o), { rsa: orders });
    for (const missing of ['exp', 'iat', 'nbf', 'jti', 'iss']) {
      expect(await reasonOf(token({ [missing]: undefined }))).toMatch(/^(claims|unknown-issuer)$/);
    }
    expect(await reasonOf(token({ sub: 'payments' }))).toBe('claims');
    expect(await reasonOf(token({ aud: ['payments', 'inventory'] }))).toBe('claims');
    expect(await reasonOf(token({ scope: ['payments:charge'] }))).toBe('claims');
    const now = Math.floor(Date.now() / 1000);
    expect(await reasonOf(token({ exp: now + 7200 }))).toBe('lifetime');
  });

  it('keeps only the scopes the policy grants the issuer, whatever the token claims', async () => {
    const greedy = handMadeToken(rs(fixture.keys.gateway.kid), claims('gateway', 'payments', { scope: 'payments:charge payments:read payments:admin' }), {
      rsa: fixture.keys.gateway,
    });
    await expect(verifier.verify(greedy, { audience: 'payments' })).resolves.toEqual({ service: 'gateway', scopes: ['payments:read'] });
  });

  it('checks an event token against the publisher of the event type and the time the bus stored it', async () => {
    const token = fixture.issuer('orders').tokenFor(EVENTS_AUDIENCE);
    await expect(verifier.verify(token, { audience: EVENTS_AUDIENCE, issuer: 'orders' })).resolves.toMatchObject({ service: 'orders' });
    expect(await reasonOf(token, { audience: EVENTS_AUDIENCE, issuer: 'inventory' })).toBe('wrong-issuer');
    expect(await reasonOf(token, { audience: 'payments' })).toBe('wrong-audience');
    const now = Math.floor(Date.now() / 1000);
    const old = handMadeToken(rs(), claims('orders', EVENTS_AUDIENCE, { iat: now - 3600, nbf: now - 3600, exp: now - 3540 }), { rsa: orders });
    expect(await reasonOf(old, { audience: EVENTS_AUDIENCE, issuer: 'orders' })).toBe('expired');
    const storedAt = (now - 3590) * 1000;
    await expect(verifier.verify(old, { audience: EVENTS_AUDIENCE, issuer: 'orders', at: storedAt })).resolves.toMatchObject({ service: 'orders' });
  });

  it('checks a reused token once, and again when it expires or the key set changes', async () => {
    const jwt = new JwtService();
    const verify = jest.spyOn(jwt, 'verify');
    const own = await fixture.verifier('payments', {}, jwt);
    const token = fixture.issuer('orders').tokenFor('payments');
    for (let i = 0; i < 100; i++) await own.verify(token, { audience: 'payments' });
    expect(verify).toHaveBeenCalledTimes(1);
    await expect(own.verify(token, { audience: 'inventory' })).rejects.toMatchObject({ reason: 'wrong-audience' });
    jest.useFakeTimers({ now: Date.now() + 70_000 });
    try {
      await expect(own.verify(token, { audience: 'payments' })).rejects.toMatchObject({ reason: 'expired' });
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('ServiceTokenVerifier: an event token reused across events', () => {
  it('checks its signature once, and still the publisher of each event and the time the bus stored it', async () => {
    const jwt = new JwtService();
    const verify = jest.spyOn(jwt, 'verify');
    const own = await fixture.verifier('payments', {}, jwt);
    const token = fixture.issuer('orders').tokenFor(EVENTS_AUDIENCE);
    const now = Date.now();
    for (let i = 0; i < 50; i++) {
      await expect(own.verify(token, { audience: EVENTS_AUDIENCE, issuer: 'orders', at: now - i * 100 })).resolves.toMatchObject({ service: 'orders' });
    }
    expect(verify).toHaveBeenCalledTimes(1);
    expect(own.verifiedBefore(token, { audience: EVENTS_AUDIENCE, issuer: 'orders', at: now })).toMatchObject({ service: 'orders' });
    // A hit is still refused for another publisher, another audience, or a time the token was not valid at.
    expect(own.verifiedBefore(token, { audience: EVENTS_AUDIENCE, issuer: 'inventory', at: now })).toBeUndefined();
    await expect(own.verify(token, { audience: EVENTS_AUDIENCE, issuer: 'inventory', at: now })).rejects.toMatchObject({ reason: 'wrong-issuer' });
    await expect(own.verify(token, { audience: 'payments', issuer: 'orders', at: now })).rejects.toMatchObject({ reason: 'wrong-audience' });
    const backdated = now - 3600_000;
    expect(own.verifiedBefore(token, { audience: EVENTS_AUDIENCE, issuer: 'orders', at: backdated })).toBeUndefined();
    await expect(own.verify(token, { audience: EVENTS_AUDIENCE, issuer: 'orders', at: backdated })).rejects.toMatchObject({ reason: 'not-yet-valid' });
    const afterExpiry = now + 3600_000;
    await expect(own.verify(token, { audience: EVENTS_AUDIENCE, issuer: 'orders', at: afterExpiry })).rejects.toMatchObject({ reason: 'expired' });
    // The cached token still serves the events stored while it was valid.
    await expect(own.verify(token, { audience: EVENTS_AUDIENCE, issuer: 'orders', at: now })).resolves.toMatchObject({ service: 'orders' });
  });
});

describe('ServiceTokenVerifier with a rotated key (JWKS URL)', () => {
  const server = new JwksTestServer();
  const old = makeTestKey('orders', 'old');
  const next = makeTestKey('orders', 'new');
  let keys: TrustedKeys;
  let own: ServiceTokenVerifier;

  beforeAll(async () => {
    server.jwks = jwksOf(old);
    keys = new TrustedKeys(urlJwksSource(await server.start()), { refreshMs: 60_000, unknownKidRefreshMs: 0 });
    await keys.onModuleInit();
    own = new ServiceTokenVerifier(new JwtService(), keys, fixture.config('payments'));
  });
  afterAll(async () => {
    keys.onApplicationShutdown();
    await server.stop();
  });

  it('accepts the new key once published, and the old one until it is withdrawn', async () => {
    const signed = (key: TestServiceKey) => handMadeToken(rs(key.kid), claims('orders', 'payments'), { rsa: key });
    const oldToken = signed(old);
    const newToken = signed(next);
    await expect(own.verify(oldToken, { audience: 'payments' })).resolves.toMatchObject({ service: 'orders' });
    await expect(own.verify(newToken, { audience: 'payments' })).rejects.toMatchObject({ reason: 'unknown-key' });

    server.jwks = jwksOf(old, next); // 1. publish the new key next to the old one
    await expect(own.verify(newToken, { audience: 'payments' })).resolves.toMatchObject({ service: 'orders' });
    await expect(own.verify(oldToken, { audience: 'payments' })).resolves.toMatchObject({ service: 'orders' });

    server.jwks = jwksOf(next); // 2. once old tokens have expired, withdraw the old key
    await keys.refresh();
    await expect(own.verify(oldToken, { audience: 'payments' })).rejects.toMatchObject({ reason: 'unknown-key' });
    await expect(own.verify(newToken, { audience: 'payments' })).resolves.toMatchObject({ service: 'orders' });
  });
});

describe('ServiceTokenVerifier (development HS256)', () => {
  const config = loadServiceAuthConfig('payments', {});
  const dev = new ServiceTokenVerifier(new JwtService(), new SharedSecretKeys(config.keys.mode === 'dev-hs256' ? config.keys.secret : ''), config);
  const devIssuer = (service: string) => {
    const own = loadServiceAuthConfig(service, {});
    return new ServiceTokenIssuer(new JwtService(), { kid: 'dev', algorithm: 'HS256', key: SharedSecretKeys.signingKey(own.keys.mode === 'dev-hs256' ? own.keys.secret : '') }, own);
  };

  it('accepts HS256 tokens of the shared secret only', async () => {
    await expect(dev.verify(devIssuer('orders').tokenFor('payments'), { audience: 'payments' })).resolves.toMatchObject({ service: 'orders' });
    const otherSecret = handMadeToken({ alg: 'HS256', kid: 'dev' }, claims('orders', 'payments'), { hmac: 'another-secret-of-at-least-32-chars' });
    await expect(dev.verify(otherSecret, { audience: 'payments' })).rejects.toMatchObject({ reason: 'bad-signature' });
    await expect(dev.verify(fixture.issuer('orders').tokenFor('payments'), { audience: 'payments' })).rejects.toMatchObject({ reason: 'algorithm' });
    const unsigned = handMadeToken({ alg: 'none' }, claims('orders', 'payments'), 'unsigned');
    await expect(dev.verify(unsigned, { audience: 'payments' })).rejects.toMatchObject({ reason: 'algorithm' });
  });
});
