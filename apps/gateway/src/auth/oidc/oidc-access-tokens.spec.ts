import { createHmac, randomUUID } from 'node:crypto';
import { MemoryBroker } from '@app/transport';
import { FakeOrders, startFakeOrders } from '../../testing/fake-orders-service';
import { makeProviderKey, OidcTestProvider, PROVIDER_AUDIENCE, rawJwt } from '../../testing/oidc-test-provider';
import { startTestGateway, TEST_ENV, TestGateway, testLogs } from '../../testing/test-gateway';

/**
 * Access tokens of an external OpenID Connect provider at the gateway, over real HTTP: a local provider serves its
 * discovery document and JWKS, the test signs tokens with real keys, a fake orders service stands behind.
 */
describe('OpenID Connect access tokens at the gateway', () => {
  const provider = new OidcTestProvider();
  const rsa = makeProviderKey('rsa-1', 'RS256');
  const ec = makeProviderKey('ec-1', 'ES256');
  const pss = makeProviderKey('pss-1', 'PS256');
  const customer = randomUUID();
  const validOrder = { items: [{ sku: 'SKU-MUG', quantity: 2 }], paymentMethod: 'card-ok' };
  const now = () => Math.floor(Date.now() / 1000);
  let broker: MemoryBroker;
  let orders: FakeOrders;
  let gateway: TestGateway;

  beforeAll(async () => {
    await provider.start();
    provider.published = [rsa, ec, pss];
    broker = new MemoryBroker();
    orders = await startFakeOrders(broker);
    gateway = await startTestGateway(broker, { ...TEST_ENV, OIDC_ISSUER: provider.issuer, OIDC_AUDIENCE: PROVIDER_AUDIENCE });
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.app.close();
    await provider.stop();
  });
  beforeEach(() => {
    orders.state.placed.length = 0;
    orders.state.reads.length = 0;
  });

  const post = (token: string, on: TestGateway = gateway) =>
    on.fetch('/v1/orders', {
      method: 'POST',
      body: JSON.stringify(validOrder),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
  const get = (id: string, token: string, on: TestGateway = gateway) =>
    on.fetch(`/v1/orders/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });

  /** 401 with an invalid_token challenge naming `description`, and the token nowhere in the answer. */
  const expectRefused = async (res: Response, token: string, description: string | RegExp) => {
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="switchboard", error="invalid_token"/);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(description),
      details: null,
      requestId: expect.any(String),
      statusCode: 401,
      error: 'UNAUTHENTICATED',
    });
    expect(text).not.toContain(token);
    expect(challenge).not.toContain(token);
  };

  describe('as an OIDC customer', () => {
    it('places an order: 202, and the customer is the token\'s sub', async () => {
      const res = await post(provider.sign(rsa, { sub: customer }));
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ id: expect.any(String), status: 'PENDING' });
      expect(orders.state.placed).toEqual([{ customerId: customer, ...validOrder }]);
    });

    it('reads its own order, and no one else\'s (nor does anyone else read it)', async () => {
      const token = provider.sign(ec, { sub: customer });
      const placed = (await (await post(token)).json()) as { id: string };
      const res = await get(placed.id, token);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: placed.id, customerId: customer, status: 'PENDING' });
      expect(orders.state.reads).toEqual([{ id: placed.id, customerId: customer }]);

      expect((await get(placed.id, await gateway.token('alice'))).status).toBe(404);
      expect((await get(placed.id, provider.sign(rsa, { sub: randomUUID() }))).status).toBe(404);
    });

    it.each([['RS256', rsa], ['ES256', ec], ['PS256', pss]])('accepts %s', async (_, key) => {
      expect((await post(provider.sign(key, { sub: customer }))).status).toBe(202);
    });

    it('accepts the audience among several, and an expiry within the clock tolerance', async () => {
      const res = await post(provider.sign(rsa, { sub: customer, aud: ['account', PROVIDER_AUDIENCE], exp: now() - 2 }));
      expect(res.status).toBe(202);
    });

    it('still accepts the gateway\'s own tokens', async () => {
      const res = await post(await gateway.token('alice'));
      expect(res.status).toBe(202);
      expect(orders.state.placed).toEqual([{ customerId: 'alice', ...validOrder }]);
    });
  });

  describe('refuses, with 401 and without calling the orders service,', () => {
    const sub = randomUUID();
    const cases: [string, () => string, string | RegExp][] = [
      ['an expired token', () => provider.sign(rsa, { sub, exp: now() - 60 }), 'access token expired'],
      ['a token not valid yet', () => provider.sign(rsa, { sub, nbf: now() + 60 }), 'not valid yet'],
      ['a token without exp', () => provider.sign(rsa, { sub, exp: undefined }), 'no exp'],
      ['a token for another audience', () => provider.sign(rsa, { sub, aud: 'account' }), 'wrong audience'],
      ['a token without an audience', () => provider.sign(rsa, { sub, aud: undefined }), 'wrong audience'],
      // Another issuer goes to the gateway's own verifier, which knows only HS256 tokens.
      ['a token of another issuer', () => provider.sign(rsa, { sub, iss: `${provider.issuer}-other` }), /^access token is invalid$/],
      ['a token of the issuer with a trailing slash', () => provider.sign(rsa, { sub, iss: `${provider.issuer}/` }), /invalid/],
      ['a token with a bad signature', () => provider.sign(makeProviderKey('rsa-1'), { sub }), 'bad signature'],
      ['a token signed with an unpublished key id', () => provider.sign(makeProviderKey('nobody'), { sub }), 'unknown key id'],
      ['an unsigned token (alg none)', () => rawJwt({ alg: 'none', typ: 'JWT', kid: rsa.kid }, claims(sub)), 'algorithm not accepted'],
      ['HS256 keyed with the provider\'s public key (PEM)', () => hs256(claims(sub), rsa.publicKey.export({ type: 'spki', format: 'pem' })),
        'algorithm not accepted'],
      ['HS256 keyed with the gateway\'s own secret', () => hs256(claims(sub), TEST_ENV.JWT_SECRET!), 'algorithm not accepted'],
      ['an ES256 key used as RS256', () => rawJwt({ alg: 'RS256', kid: ec.kid }, claims(sub), () => 'c2ln'), 'does not fit the key'],
      ['an RS256 key used as PS256', () => rawJwt({ alg: 'PS256', kid: rsa.kid }, claims(sub), () => 'c2ln'), 'does not fit the key'],
      ['a token without a key id', () => rawJwt({ alg: 'RS256' }, claims(sub), () => 'c2ln'), 'no key id'],
      ['critical header parameters', () => rawJwt({ alg: 'RS256', kid: rsa.kid, crit: ['x'] }, claims(sub), () => 'c2ln'), 'critical'],
      ['no customer id (no sub)', () => provider.sign(rsa, { sub: undefined }), 'no valid customer id claim'],
      ['a customer id that is not an id', () => provider.sign(rsa, { sub: 'has space' }), 'no valid customer id claim'],
      ['a customer id over 128 characters', () => provider.sign(rsa, { sub: 'x'.repeat(129) }), 'no valid customer id claim'],
      ['a customer id that is not a string', () => provider.sign(rsa, { sub: 42 }), 'no valid customer id claim'],
      ['the customer id of an API client', () => provider.sign(rsa, { sub: 'alice' }), 'belongs to an API client'],
      ['a provider token posing as the gateway\'s own', () => provider.sign(rsa, { sub: 'alice', iss: 'switchboard-gateway' }),
        /^access token is invalid$/],
    ];
    function claims(subject: string) {
      return { iss: provider.issuer, aud: PROVIDER_AUDIENCE, sub: subject, exp: now() + 300 };
    }
    function hs256(payload: object, secret: string | Buffer) {
      return rawJwt({ alg: 'HS256', typ: 'JWT', kid: rsa.kid }, payload, (input) => createHmac('sha256', secret).update(input).digest('base64url'));
    }

    it.each(cases)('%s', async (_, make, description) => {
      const token = make();
      await expectRefused(await post(token), token, description);
      await expectRefused(await get('some-id', token), token, description);
      expect(orders.state.calls).toBe(0);
    });
  });

  it('never writes an OIDC token to a log', async () => {
    const good = provider.sign(rsa, { sub: customer });
    const expired = provider.sign(rsa, { sub: customer, exp: now() - 60 });
    await post(good);
    await post(expired);
    const logs = testLogs.lines.join('\n');
    for (const token of [good, expired]) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.split('.')[2]);
    }
  });

  describe('with the JWKS URL and a customer claim configured', () => {
    let configured: TestGateway;
    const env = {
      ...TEST_ENV,
      OIDC_ISSUER: '', // set in beforeAll
      OIDC_AUDIENCE: PROVIDER_AUDIENCE,
      OIDC_JWKS_URL: '',
      OIDC_CUSTOMER_CLAIM: 'customer_id',
    };

    beforeAll(async () => {
      configured = await startTestGateway(broker, { ...env, OIDC_ISSUER: provider.issuer, OIDC_JWKS_URL: provider.jwksUrl });
    });
    afterAll(() => configured?.close());

    it('takes the customer from that claim, and asks no discovery document', async () => {
      const discoveries = provider.requests.discovery;
      const res = await post(provider.sign(rsa, { sub: randomUUID(), customer_id: 'cust-42' }), configured);
      expect(res.status).toBe(202);
      expect(orders.state.placed).toEqual([{ customerId: 'cust-42', ...validOrder }]);
      expect(provider.requests.discovery).toBe(discoveries);
    });

    it('refuses a token without that claim', async () => {
      const token = provider.sign(rsa, { sub: randomUUID() });
      await expectRefused(await post(token, configured), token, 'no valid customer id claim');
    });
  });

  describe('key rotation', () => {
    const rotating = new OidcTestProvider();
    const old = makeProviderKey('2024', 'RS256');
    const next = makeProviderKey('2025', 'ES256');
    let rotated: TestGateway;
    // Long enough that a flood of 20 requests fits in one interval on a loaded machine.
    const minRefetchMs = 1000;
    const pastRefetchInterval = () => new Promise((resolve) => setTimeout(resolve, minRefetchMs + 50));

    beforeAll(async () => {
      await rotating.start();
      rotating.published = [old];
      rotated = await startTestGateway(
        broker,
        { ...TEST_ENV, OIDC_ISSUER: rotating.issuer, OIDC_AUDIENCE: PROVIDER_AUDIENCE },
        (config) => ({ ...config, oidc: { ...config.oidc!, minRefetchMs } }),
      );
    });
    afterAll(async () => {
      await rotated?.close();
      await rotating.stop();
    });

    it('refuses an unknown key id, then accepts it once the provider publishes it (after a refetch)', async () => {
      expect((await post(rotating.sign(old, { sub: customer }), rotated)).status).toBe(202);
      expect(rotating.requests).toEqual({ discovery: 1, jwks: 1 });

      const early = rotating.sign(next, { sub: customer });
      await expectRefused(await post(early, rotated), early, 'unknown key id');

      rotating.published = [old, next];
      await pastRefetchInterval();
      expect((await post(rotating.sign(next, { sub: customer }), rotated)).status).toBe(202);
      expect((await post(early, rotated)).status).toBe(202);
      expect((await post(rotating.sign(old, { sub: customer }), rotated)).status).toBe(202);
      expect(rotating.requests.discovery).toBe(1);
    });

    it('fetches the JWKS at most once for a flood of made-up key ids', async () => {
      await pastRefetchInterval();
      const before = rotating.requests.jwks;
      const forged = Array.from({ length: 20 }, (_, i) => rotating.sign(makeProviderKey(`made-up-${i}`, 'ES256'), { sub: customer }));
      const answers = await Promise.all(forged.map((token) => post(token, rotated)));
      expect(answers.map((res) => res.status)).toEqual(forged.map(() => 401));
      expect(rotating.requests.jwks - before).toBe(1);
    });
  });

  describe('when the provider\'s keys cannot be loaded', () => {
    const down = new OidcTestProvider();
    let lonely: TestGateway;

    beforeAll(async () => {
      await down.start();
      down.status = 500;
      lonely = await startTestGateway(broker, { ...TEST_ENV, OIDC_ISSUER: down.issuer, OIDC_AUDIENCE: PROVIDER_AUDIENCE });
    });
    afterAll(async () => {
      await lonely?.close();
      await down.stop();
    });

    it('answers 503 with Retry-After (the token may be fine), logs why, and still serves the gateway\'s own tokens', async () => {
      const token = down.sign(makeProviderKey('k'), { sub: customer });
      const res = await post(token, lonely);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ statusCode: 503, error: 'UNAVAILABLE', message: expect.stringMatching(/keys are unavailable/) });
      expect(text).not.toContain(token);
      expect(testLogs.lines.join('\n')).toContain(`cannot load the signing keys of ${down.issuer}`);

      expect((await post(await lonely.token('bob'), lonely)).status).toBe(202);
    });
  });
});
