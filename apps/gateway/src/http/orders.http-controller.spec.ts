import { JwtService } from '@nestjs/jwt';
import { MemoryBroker } from '@app/transport';
import { FakeOrders, startFakeOrders } from '../testing/fake-orders-service';
import { startTestGateway, TEST_ENV, TestGateway, testLogs } from '../testing/test-gateway';

describe('/v1/orders', () => {
  let gateway: TestGateway;
  let orders: FakeOrders;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    const broker = new MemoryBroker();
    orders = await startFakeOrders(broker);
    gateway = await startTestGateway(broker);
    alice = await gateway.token('alice');
    bob = await gateway.token('bob');
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.app.close();
  });
  beforeEach(() => {
    orders.state.placed.length = 0;
    orders.state.reads.length = 0;
  });

  const post = (body: unknown, token: string | null = alice, raw?: string) =>
    gateway.fetch('/v1/orders', {
      method: 'POST',
      body: raw ?? JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    });
  const get = (id: string, token: string = alice) =>
    gateway.fetch(`/v1/orders/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });
  const validOrder = { items: [{ sku: 'SKU-MUG', quantity: 2 }], paymentMethod: 'card-ok' };

  describe('authentication', () => {
    /** A token for alice like the gateway's, but for what `options` changes; valid 10 minutes unless `exp` is given. */
    const sign = (claims: { exp?: number }, options: { secret?: string; audience?: string; issuer?: string } = {}) =>
      new JwtService().sign(claims, {
        secret: options.secret ?? TEST_ENV.JWT_SECRET,
        algorithm: 'HS256',
        issuer: options.issuer ?? 'switchboard-gateway',
        audience: options.audience ?? 'switchboard-api',
        ...(claims.exp === undefined ? { expiresIn: 600 } : {}),
        subject: 'alice',
      });
    const unsigned = (claims: object) =>
      [{ alg: 'none', typ: 'JWT' }, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.';
    const now = () => Math.floor(Date.now() / 1000);

    const cases: [string, () => Record<string, string>][] = [
      ['no Authorization header', () => ({})],
      ['another scheme', () => ({ authorization: `Basic ${Buffer.from('alice:alice-secret').toString('base64')}` })],
      ['Bearer without a token', () => ({ authorization: 'Bearer' })],
      ['a token that is no JWT', () => ({ authorization: 'Bearer not-a-jwt' })],
      ['two tokens', () => ({ authorization: `Bearer ${alice} ${alice}` })],
      ['an expired token', () => ({ authorization: `Bearer ${sign({ exp: now() - 60 })}` })],
      ['a token signed with another key', () => ({
        authorization: `Bearer ${sign({}, { secret: 'someone-else-0123456789abcdef0123' })}`,
      })],
      ['a token for another audience', () => ({ authorization: `Bearer ${sign({}, { audience: 'another-api' })}` })],
      ['a token from another issuer', () => ({ authorization: `Bearer ${sign({}, { issuer: 'someone-else' })}` })],
      ['an unsigned token (alg none)', () => ({
        authorization: `Bearer ${unsigned({ sub: 'alice', iss: 'switchboard-gateway', aud: 'switchboard-api', exp: now() + 600 })}`,
      })],
      ['a tampered token (sub changed)', () => {
        const [header, , signature] = alice.split('.');
        const claims = { ...new JwtService().decode<object>(alice), sub: 'bob' };
        return { authorization: `Bearer ${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}` };
      }],
    ];

    it.each(cases)('answers 401 UNAUTHENTICATED to %s, on every route, and calls nothing', async (_, headers) => {
      const sent = headers();
      for (const res of [
        await gateway.fetch('/v1/orders', {
          method: 'POST',
          body: JSON.stringify(validOrder),
          headers: { 'content-type': 'application/json', ...sent },
        }),
        await gateway.fetch('/v1/orders/some-id', { headers: sent }),
      ]) {
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="switchboard"/);
        const text = await res.text();
        expect(JSON.parse(text)).toEqual({
          code: 'UNAUTHENTICATED',
          message: expect.any(String),
          details: null,
          requestId: expect.any(String),
          statusCode: 401,
          error: 'UNAUTHENTICATED',
        });
        const token = sent.authorization?.split(' ')[1];
        if (token) {
          expect(text).not.toContain(token);
          expect(res.headers.get('www-authenticate')).not.toContain(token);
        }
      }
      expect(orders.state.calls).toBe(0);
    });

    it('names the problem: a bare challenge without credentials, invalid_token with expired ones', async () => {
      const missing = await post(validOrder, null);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="switchboard"');
      expect(((await missing.json()) as { message: string }).message).toMatch(/missing bearer token/);

      const expired = await post(validOrder, sign({ exp: now() - 60 }));
      expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(((await expired.json()) as { message: string }).message).toBe('access token expired');
    });

    it('refuses the token of a client that is no longer configured', async () => {
      const broker = new MemoryBroker();
      const other = await startTestGateway(broker, { ...TEST_ENV, AUTH_CLIENTS: 'alice:alice-secret' });
      try {
        const res = await other.fetch('/v1/orders/some-id', { headers: { authorization: `Bearer ${bob}` } });
        expect(res.status).toBe(401);
      } finally {
        await other.close();
      }
    });

    it('never writes a token to a log', async () => {
      const secretLooking = sign({}, { secret: 'someone-else-0123456789abcdef0123' });
      await post(validOrder, secretLooking);
      await post(validOrder, alice);
      const logs = testLogs.lines.join('\n');
      expect(logs).not.toContain(secretLooking);
      expect(logs).not.toContain(alice);
      expect(logs).not.toContain(alice.split('.')[2]);
    });
  });

  describe('POST /v1/orders', () => {
    it('places the order for the authenticated customer: 202, {id, status}, Location', async () => {
      const res = await post(validOrder);
      expect(res.status).toBe(202);
      const body = (await res.json()) as { id: string; status: string };
      expect(body).toEqual({ id: expect.any(String), status: 'PENDING' });
      expect(res.headers.get('location')).toBe(`/v1/orders/${body.id}`);
      expect(orders.state.placed).toEqual([{ customerId: 'alice', ...validOrder }]);
    });

    it('accepts an unknown SKU: the order flow rejects it later', async () => {
      const res = await post({ items: [{ sku: 'SKU-DOES-NOT-EXIST', quantity: 1 }], paymentMethod: 'card-ok' });
      expect(res.status).toBe(202);
      expect(orders.state.placed).toHaveLength(1);
    });

    it('accepts 100 items', async () => {
      const items = Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 }));
      expect((await post({ items, paymentMethod: 'card-ok' })).status).toBe(202);
    });

    const invalid: [string, unknown, string][] = [
      ['a JSON array', [validOrder], ''],
      ['an unknown field', { ...validOrder, customerId: 'bob' }, ''],
      ['an unknown item field', { ...validOrder, items: [{ sku: 'SKU-MUG', quantity: 1, price: 1 }] }, 'items.0'],
      ['no items', { paymentMethod: 'card-ok' }, 'items'],
      ['empty items', { ...validOrder, items: [] }, 'items'],
      ['items that are no array', { ...validOrder, items: { sku: 'SKU-MUG', quantity: 1 } }, 'items'],
      [
        'more than 100 items',
        { ...validOrder, items: Array.from({ length: 101 }, () => ({ sku: 'SKU-MUG', quantity: 1 })) },
        'items',
      ],
      ['no paymentMethod', { items: validOrder.items }, 'paymentMethod'],
      ['an empty paymentMethod', { ...validOrder, paymentMethod: '' }, 'paymentMethod'],
      ['a paymentMethod that is no string', { ...validOrder, paymentMethod: 42 }, 'paymentMethod'],
      ['a missing sku', { ...validOrder, items: [{ quantity: 1 }] }, 'items.0.sku'],
      ['a malformed sku', { ...validOrder, items: [{ sku: 'no spaces', quantity: 1 }] }, 'items.0.sku'],
      ['quantity 0', { ...validOrder, items: [{ sku: 'SKU-MUG', quantity: 0 }] }, 'items.0.quantity'],
      ['a negative quantity', { ...validOrder, items: [{ sku: 'SKU-MUG', quantity: -1 }] }, 'items.0.quantity'],
      ['a fractional quantity', { ...validOrder, items: [{ sku: 'SKU-MUG', quantity: 1.5 }] }, 'items.0.quantity'],
      ['a quantity as a string', { ...validOrder, items: [{ sku: 'SKU-MUG', quantity: '2' }] }, 'items.0.quantity'],
      [
        'a second item with a bad quantity',
        { ...validOrder, items: [{ sku: 'SKU-MUG', quantity: 1 }, { sku: 'SKU-TEA', quantity: 0 }] },
        'items.1.quantity',
      ],
    ];

    it.each(invalid)('answers 400 INVALID_ARGUMENT to %s, naming the field, and calls nothing', async (_, body, path) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { message: string; details: { issues: { path: string; message: string }[] } };
      expect(answer).toEqual({
        code: 'INVALID_ARGUMENT',
        requestId: expect.any(String),
        statusCode: 400,
        error: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/^invalid order: /),
        details: { issues: expect.arrayContaining([{ path, message: expect.any(String) }]) },
      });
      if (path) expect(answer.message).toContain(`${path}: `);
      if (body !== null && typeof body === 'object' && 'customerId' in body) expect(answer.message).toContain('customerId');
      expect(orders.state.calls).toBe(0);
    });

    it.each<[string, RequestInit]>([
      ['malformed JSON', { body: '{"items": [', headers: { 'content-type': 'application/json' } }],
      // Strict JSON: the top level must be an object or an array, anything else is malformed.
      ['JSON null', { body: 'null', headers: { 'content-type': 'application/json' } }],
      ['a JSON string', { body: '"order"', headers: { 'content-type': 'application/json' } }],
      ['no body', { headers: {} }],
      ['a form body', {
        body: 'items=SKU-MUG&paymentMethod=card-ok',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }],
    ])('answers 400 INVALID_ARGUMENT to %s, and calls nothing', async (_, init) => {
      const res = await gateway.fetch('/v1/orders', {
        method: 'POST',
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${alice}` },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        code: 'INVALID_ARGUMENT',
        requestId: expect.any(String),
        statusCode: 400,
        error: 'INVALID_ARGUMENT',
        message: expect.any(String),
        details: { issues: [expect.objectContaining({ path: expect.any(String), message: expect.any(String) })] },
      });
      expect(orders.state.calls).toBe(0);
    });

    it('answers malformed JSON like any invalid body, without quoting it', async () => {
      const res = await post(undefined, alice, '{"items": [{"sku": "SKU-MUG", "quantity": 1}], "paymentMethod": card-ok}');
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        code: 'INVALID_ARGUMENT',
        requestId: expect.any(String),
        statusCode: 400,
        error: 'INVALID_ARGUMENT',
        message: 'request body is not valid JSON',
        details: { issues: [{ path: '', message: 'request body is not valid JSON' }] },
      });
    });

    it('answers 413 to a body over 64 KiB, and calls nothing', async () => {
      const body = JSON.stringify({ ...validOrder, paymentMethod: 'x'.repeat(65 * 1024) });
      expect(Buffer.byteLength(body)).toBeGreaterThan(65 * 1024);
      const res = await post(undefined, alice, body);
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        code: 'RESOURCE_EXHAUSTED',
        message: 'request body is larger than 64 KiB',
        details: null,
        requestId: expect.any(String),
        statusCode: 413,
        error: 'PAYLOAD_TOO_LARGE',
      });
      expect(orders.state.calls).toBe(0);
    });

    it('reads a body just under 64 KiB (then validates it)', async () => {
      const body = JSON.stringify({ ...validOrder, paymentMethod: 'x'.repeat(63 * 1024) });
      const res = await post(undefined, alice, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain('paymentMethod');
    });
  });

  describe('GET /v1/orders/:id', () => {
    let placed: { id: string };

    beforeAll(async () => {
      placed = (await (await post(validOrder)).json()) as { id: string };
    });

    it('answers 200 with the customer\'s own order', async () => {
      const res = await get(placed.id);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        id: placed.id,
        customerId: 'alice',
        status: 'PENDING',
        items: validOrder.items,
        totalCents: 0,
        createdAt: expect.any(String),
      });
      expect(orders.state.reads).toEqual([{ id: placed.id, customerId: 'alice' }]);
    });

    it('answers 404 for another customer\'s order, as for a missing one', async () => {
      const theirs = await get(placed.id, bob);
      expect(theirs.status).toBe(404);
      expect(await theirs.json()).toEqual({
        code: 'NOT_FOUND',
        message: `order ${placed.id} not found`,
        details: null,
        requestId: expect.any(String),
        statusCode: 404,
        error: 'NOT_FOUND',
      });
      expect(orders.state.reads).toEqual([{ id: placed.id, customerId: 'bob' }]);

      const missing = await get('no-such-order');
      expect(missing.status).toBe(404);
    });

    it('answers 400 to an id longer than an Id, and calls nothing', async () => {
      const res = await get('x'.repeat(129));
      expect(res.status).toBe(400);
      expect(orders.state.calls).toBe(0);
    });
  });

  describe('when the orders service is down', () => {
    it('answers 503 UNAVAILABLE with Retry-After', async () => {
      const broker = new MemoryBroker();
      const lonely = await startTestGateway(broker);
      try {
        const res = await lonely.fetch('/v1/orders', {
          method: 'POST',
          body: JSON.stringify(validOrder),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await lonely.token('alice')}` },
        });
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(await res.json()).toMatchObject({ statusCode: 503, error: 'UNAVAILABLE' });
      } finally {
        await lonely.close();
      }
    });
  });
});
