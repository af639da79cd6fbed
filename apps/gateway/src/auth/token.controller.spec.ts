import { JwtService } from '@nestjs/jwt';
import { MemoryBroker } from '@app/transport';
import { startTestGateway, TEST_ENV, TestGateway, testLogs } from '../testing/test-gateway';
import { DEMO_CLIENT_SECRET } from '../config/gateway-config';

/** POST /v1/auth/token over real HTTP: the client credentials grant and its RFC 6749 errors. */
describe('POST /v1/auth/token', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(new MemoryBroker());
  });
  afterAll(() => gateway.close());

  const form = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    gateway.fetch('/v1/auth/token', { method: 'POST', body: new URLSearchParams(params), headers });
  const json = (body: unknown, raw?: string) =>
    gateway.fetch('/v1/auth/token', {
      method: 'POST',
      body: raw ?? JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  const expectOAuthError = async (res: Response, status: number, error: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error, error_description: expect.any(String) });
  };

  const expectToken = async (res: Response, clientId: string) => {
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600 });
    const claims = new JwtService().verify<Record<string, unknown>>(body.access_token, {
      secret: TEST_ENV.JWT_SECRET,
      algorithms: ['HS256'],
      issuer: 'switchboard-gateway',
      audience: 'switchboard-api',
    });
    expect(claims).toMatchObject({ sub: clientId, iss: 'switchboard-gateway', aud: 'switchboard-api' });
    expect(claims.exp).toBe(Number(claims.iat) + 600);
    expect(new JwtService().decode<{ header: { alg: string } }>(body.access_token, { complete: true }).header.alg).toBe('HS256');
  };

  it('issues a token for form-encoded client credentials', async () => {
    await expectToken(
      await form({ grant_type: 'client_credentials', client_id: 'alice', client_secret: 'alice-secret' }),
      'alice',
    );
  });

  it('issues a token for JSON client credentials', async () => {
    await expectToken(await json({ grant_type: 'client_credentials', client_id: 'bob', client_secret: 'bob-secret' }), 'bob');
  });

  it('issues a token for HTTP Basic client credentials', async () => {
    const res = await form({ grant_type: 'client_credentials' }, { authorization: basic('alice', 'alice-secret') });
    await expectToken(res, 'alice');
  });

  it('ignores unknown parameters (RFC 6749 §3.2)', async () => {
    await expectToken(
      await form({ grant_type: 'client_credentials', client_id: 'alice', client_secret: 'alice-secret', scope: 'x' }),
      'alice',
    );
  });

  it.each([
    ['a wrong secret', { client_id: 'alice', client_secret: 'bob-secret' }],
    ['an unknown client', { client_id: 'mallory', client_secret: 'alice-secret' }],
    ['the demo client, not configured here', { client_id: 'demo', client_secret: DEMO_CLIENT_SECRET }],
  ])('answers 401 invalid_client for %s', async (_, credentials) => {
    const res = await form({ grant_type: 'client_credentials', ...credentials });
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="switchboard"/);
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it('logs a failed client authentication with the client id, never the secret', async () => {
    await form({ grant_type: 'client_credentials', client_id: 'alice', client_secret: 'guess-QWERTY' });
    const logs = testLogs.lines.join('\n');
    expect(logs).toContain('client authentication failed for client_id "alice"');
    expect(logs).not.toContain('QWERTY');
  });

  it('does not name an unknown client_id in the log: it may be a secret typed into the wrong field', async () => {
    await form({ grant_type: 'client_credentials', client_id: 'pasted-secret-ASDFGH', client_secret: 'alice-secret' });
    const logs = testLogs.lines.join('\n');
    expect(logs).toContain('client authentication failed for an unknown client_id');
    expect(logs).not.toContain('ASDFGH');
  });

  it('answers 401 invalid_client for wrong Basic credentials', async () => {
    const res = await form({ grant_type: 'client_credentials' }, { authorization: basic('alice', 'nope') });
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it.each([
    ['password', 'password'],
    ['authorization_code', 'authorization_code'],
  ])('answers 400 unsupported_grant_type for grant_type=%s', async (_, grant) => {
    await expectOAuthError(
      await form({ grant_type: grant, client_id: 'alice', client_secret: 'alice-secret' }),
      400,
      'unsupported_grant_type',
    );
  });

  it.each<[string, () => Promise<Response>]>([
    ['no grant_type', () => form({ client_id: 'alice', client_secret: 'alice-secret' })],
    ['no client_id', () => form({ grant_type: 'client_credentials', client_secret: 'alice-secret' })],
    ['no client_secret', () => form({ grant_type: 'client_credentials', client_id: 'alice' })],
    ['an empty client_secret', () => form({ grant_type: 'client_credentials', client_id: 'alice', client_secret: '' })],
    ['a repeated parameter', () =>
      gateway.fetch('/v1/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=alice&client_id=bob&client_secret=alice-secret',
      })],
    ['a JSON secret that is not a string', () =>
      json({ grant_type: 'client_credentials', client_id: 'alice', client_secret: 1 })],
    ['a JSON array', () => json([])],
    ['malformed JSON', () => json(undefined, '{"grant_type": "client_credentials", "client_secret": "alice-se')],
    ['no body at all', () => gateway.fetch('/v1/auth/token', { method: 'POST' })],
    ['a text body', () =>
      gateway.fetch('/v1/auth/token', {
        method: 'POST',
        body: 'grant_type=client_credentials',
        headers: { 'content-type': 'text/plain' },
      })],
    ['Basic and body credentials together', () =>
      form(
        { grant_type: 'client_credentials', client_id: 'alice', client_secret: 'alice-secret' },
        { authorization: basic('alice', 'alice-secret') },
      )],
    ['malformed Basic credentials', () => form({ grant_type: 'client_credentials' }, { authorization: 'Basic !!!' })],
  ])('answers 400 invalid_request for %s', async (_, send) => {
    await expectOAuthError(await send(), 400, 'invalid_request');
  });

  it('never quotes a malformed body (it may hold a secret) in its answer or logs', async () => {
    const res = await json(undefined, '{"client_secret": "alice-secret-XYZ", oops}');
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).not.toContain('XYZ');
    expect(testLogs.lines.join('\n')).not.toContain('XYZ');
  });

  it('answers 413 to a body over 64 KiB', async () => {
    const res = await form({ grant_type: 'client_credentials', client_id: 'alice', client_secret: 'x'.repeat(65 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('POST /v1/auth/token outside production with no AUTH_CLIENTS', () => {
  it('knows the documented demo client', async () => {
    const gateway = await startTestGateway(new MemoryBroker(), {});
    try {
      const res = await gateway.fetch('/v1/auth/token', {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'demo', client_secret: DEMO_CLIENT_SECRET }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    } finally {
      await gateway.close();
    }
  });
});
