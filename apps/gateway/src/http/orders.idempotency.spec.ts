import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { MemoryBroker, RpcError, StatusCode } from '@app/transport';
import { RedisServerProcess } from '@app/testing';
import { FakeOrders, startFakeOrders } from '../testing/fake-orders-service';
import { startTestGateway, TEST_ENV, TestGateway } from '../testing/test-gateway';

/** Idempotency-Key on POST /v1/orders, over real HTTP, against a fake orders service that counts its calls. */
describe('POST /v1/orders with an Idempotency-Key', () => {
  const broker = new MemoryBroker();
  let orders: FakeOrders;
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    orders = await startFakeOrders(broker);
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await orders?.app.close();
  });
  beforeEach(() => {
    orders.state.placed.length = 0;
    orders.state.placedKeys.length = 0;
    orders.state.placeFailures.length = 0;
    orders.state.placeDelayMs = 0;
  });

  interface Answer {
    id: string;
    status: string;
    error?: string;
  }
  const json = async (res: Response) => (await res.json()) as Answer;
  const order = { items: [{ sku: 'SKU-MUG', quantity: 2 }], paymentMethod: 'visa' };
  const newKey = () => `order-${randomUUID()}`;

  interface Client {
    post(body: unknown, key?: string, token?: string): Promise<Response>;
    token(client: 'alice' | 'bob'): Promise<string>;
  }
  const clientOf = async (gateway: TestGateway): Promise<Client> => {
    const tokens = { alice: await gateway.token('alice'), bob: await gateway.token('bob') };
    return {
      token: async (client) => tokens[client],
      post: (body, key, token = tokens.alice) =>
        gateway.fetch('/v1/orders', {
          method: 'POST',
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            ...(key === undefined ? {} : { 'idempotency-key': key }),
          },
        }),
    };
  };

  /** The cases every store must pass. */
  function storeCases(client: () => Client) {
    it('replays the first answer (status, body, Location) to a retry with the same key and body; orders is called once', async () => {
      const key = newKey();
      const first = await client().post(order, key);
      expect(first.status).toBe(202);
      const body = await json(first);
      expect(body).toEqual({ id: expect.any(String), status: 'PENDING' });
      expect(first.headers.get('location')).toBe(`/v1/orders/${body.id}`);
      expect(first.headers.get('idempotent-replayed')).toBeNull();

      // The same body with its keys in another order is the same request (canonical JSON).
      for (const again of [order, { paymentMethod: 'visa', items: [{ quantity: 2, sku: 'SKU-MUG' }] }]) {
        const replay = await client().post(again, key);
        expect(replay.status).toBe(202);
        expect(await json(replay)).toEqual(body);
        expect(replay.headers.get('location')).toBe(first.headers.get('location'));
        expect(replay.headers.get('content-type')).toMatch(/^application\/json/);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
      }
      expect(orders.state.placed).toHaveLength(1);
      expect(orders.state.placedKeys).toEqual([key]);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED to the same key with another body, creating nothing', async () => {
      const key = newKey();
      expect((await client().post(order, key)).status).toBe(202);
      const reused = await client().post({ ...order, paymentMethod: 'mastercard' }, key);
      expect(reused.status).toBe(422);
      expect(await reused.json()).toMatchObject({ statusCode: 422, error: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringMatching(/different/) });
      expect(orders.state.placed).toHaveLength(1);
    });

    it('places one order for 20 concurrent requests with one key: one 202, the others 409 or the replayed 202', async () => {
      orders.state.placeDelayMs = 150;
      const key = newKey();
      const responses = await Promise.all(Array.from({ length: 20 }, () => client().post(order, key)));
      const bodies = await Promise.all(responses.map(json));
      const original = responses.filter((r) => r.status === 202 && r.headers.get('idempotent-replayed') === null);
      expect(original).toHaveLength(1);
      const ids = new Set(bodies.filter((_, i) => responses[i].status === 202).map((b) => b.id));
      expect(ids.size).toBe(1);
      for (const [i, res] of responses.entries()) {
        expect([202, 409]).toContain(res.status);
        if (res.status === 409) {
          expect(bodies[i]).toMatchObject({ error: 'IDEMPOTENCY_KEY_IN_USE' });
          expect(res.headers.get('retry-after')).toBe('1');
        }
      }
      expect(responses.filter((r) => r.status === 409).length).toBeGreaterThan(0);
      expect(orders.state.placed).toHaveLength(1);
      const later = await client().post(order, key);
      expect(later.status).toBe(202);
      expect((await json(later)).id).toEqual([...ids][0]);
      expect(orders.state.placed).toHaveLength(1);
    });

    it('keeps the keys of two customers apart', async () => {
      const key = newKey();
      const alice = await client().post(order, key, await client().token('alice'));
      const bob = await client().post({ ...order, paymentMethod: 'other' }, key, await client().token('bob'));
      expect([alice.status, bob.status]).toEqual([202, 202]);
      const [a, b] = [await json(alice), await json(bob)];
      expect(a.id).not.toBe(b.id);
      expect(orders.state.placed.map((p) => p.customerId)).toEqual(['alice', 'bob']);
      expect((await json(await client().post(order, key, await client().token('alice')))).id).toBe(a.id);
      expect(orders.state.placed).toHaveLength(2);
    });

    it('does not keep a 503 (UNAVAILABLE): a retry with the key places the order', async () => {
      const key = newKey();
      orders.state.placeFailures.push(new RpcError(StatusCode.UNAVAILABLE, 'orders is restarting'));
      const failed = await client().post(order, key);
      expect(failed.status).toBe(503);
      const retry = await client().post(order, key);
      expect(retry.status).toBe(202);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(orders.state.placed).toHaveLength(2);
      expect((await client().post(order, key)).headers.get('idempotent-replayed')).toBe('true');
      expect(orders.state.placed).toHaveLength(2);
    });
  }

  describe('memory store (the default without TRANSPORT=redis)', () => {
    let gateway: TestGateway;
    let client: Client;
    beforeAll(async () => {
      gateway = await startTestGateway(broker);
      gateways.push(gateway);
      client = await clientOf(gateway);
    });

    storeCases(() => client);

    it('refuses a malformed key with 400 before anything runs', async () => {
      for (const bad of ['', 'x'.repeat(256), 'caf\u00e9', 'tab\there']) {
        const res = await client.post(order, bad);
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error: 'INVALID_ARGUMENT', message: expect.stringMatching(/Idempotency-Key/) });
      }
      expect(orders.state.placed).toHaveLength(0);
      const longest = `${'k'.repeat(127)} ~!${'K'.repeat(125)}`;
      expect(longest).toHaveLength(255);
      expect((await client.post(order, longest)).status).toBe(202);
      expect(orders.state.placedKeys).toEqual([longest]);
    });

    it('does not claim the key for an invalid body (400): the corrected request with that key goes through', async () => {
      const key = newKey();
      expect((await client.post({ items: [], paymentMethod: 'visa' }, key)).status).toBe(400);
      expect((await client.post(order, key)).status).toBe(202);
      expect(orders.state.placed).toHaveLength(1);
    });

    it('works as before without a key: every request places an order, no key in the metadata', async () => {
      const [a, b] = [await client.post(order), await client.post(order)];
      expect([a.status, b.status]).toEqual([202, 202]);
      expect((await json(a)).id).not.toBe((await json(b)).id);
      expect(orders.state.placedKeys).toEqual([undefined, undefined]);
    });

    it('forgets a key after IDEMPOTENCY_TTL_SECONDS', async () => {
      const shortLived = await startTestGateway(broker, { ...TEST_ENV, IDEMPOTENCY_TTL_SECONDS: '1' });
      gateways.push(shortLived);
      const short = await clientOf(shortLived);
      const key = newKey();
      const first = await json(await short.post(order, key));
      expect((await json(await short.post(order, key))).id).toBe(first.id);
      await sleep(1100);
      const after = await short.post(order, key);
      expect(after.status).toBe(202);
      expect(after.headers.get('idempotent-replayed')).toBeNull();
      expect((await json(after)).id).not.toBe(first.id);
      expect(orders.state.placed).toHaveLength(2);
    });
  });

  describe('Redis store (IDEMPOTENCY_STORE=redis, a real redis-server)', () => {
    const redis = new RedisServerProcess();
    const namespace = `idem-${randomBytes(4).toString('hex')}`;
    let gateway: TestGateway;
    let client: Client;
    let spy: Redis;
    beforeAll(async () => {
      await redis.start();
      gateway = await startTestGateway(broker, { ...TEST_ENV, IDEMPOTENCY_STORE: 'redis' }, undefined, {
        redisUrl: redis.url,
        namespace,
      });
      client = await clientOf(gateway);
      spy = new Redis(redis.url);
    });
    afterAll(async () => {
      await spy?.quit();
      await gateway?.close();
      await redis.dispose();
    });

    storeCases(() => client);

    it('keeps the key in Redis under the namespace and customer, for 24 h, shared by a second gateway', async () => {
      const key = newKey();
      const first = await json(await client.post(order, key));
      const stored = `${namespace}:idempotency:alice:${key}`;
      expect(await spy.exists(stored)).toBe(1);
      const ttl = await spy.pttl(stored);
      expect(ttl).toBeGreaterThan(86_400_000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(86_400_000);
      expect(JSON.parse((await spy.get(stored)) ?? '{}')).toMatchObject({ response: { statusCode: 202, body: first } });

      const second = await startTestGateway(broker, { ...TEST_ENV, IDEMPOTENCY_STORE: 'redis' }, undefined, {
        redisUrl: redis.url,
        namespace,
      });
      try {
        const replay = await (await clientOf(second)).post(order, key);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect((await json(replay)).id).toBe(first.id);
      } finally {
        await second.close();
      }
      expect(orders.state.placed).toHaveLength(1);
    });
  });
});
