import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { connect, NatsConnection } from 'nats';
import type { TransportName } from '@app/transport';
import { AppProcess, freePort, NatsServerProcess, RedisServerProcess } from '@app/testing';

/**
 * The built apps, each started as its own process (all in one for memory), driven over HTTP only, as a user
 * would: tokens, orders that end CONFIRMED or REJECTED, validation and auth errors, 100 concurrent orders with the
 * stock arithmetic exact afterwards, and a look at the broker to see the traffic really went over it.
 */
const TRANSPORTS: TransportName[] = ['memory', 'nats', 'redis', 'tcp', 'grpc'];

interface OrderView {
  id: string;
  status: string;
  totalCents: number;
  reason?: string;
  items: { sku: string; quantity: number }[];
}

describe.each(TRANSPORTS)('system on %s', (transport) => {
  const env: NodeJS.ProcessEnv = {};
  const apps: AppProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), `sb-e2e-${transport}-`));
  let nats: NatsServerProcess | undefined;
  let redis: RedisServerProcess | undefined;
  let spy: NatsConnection | undefined;
  const natsSubjects: string[] = [];
  let gateway = '';
  const tokens = new Map<string, string>();

  const http = (path: string, init: RequestInit = {}) => fetch(`${gateway}${path}`, init);
  const json = async <T>(res: Response) => (await res.json()) as T;

  async function token(client: 'alice' | 'bob'): Promise<string> {
    const cached = tokens.get(client);
    if (cached) return cached;
    const res = await http('/v1/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client, client_secret: `${client}-secret` }),
    });
    expect(res.status).toBe(200);
    const body = await json<{ access_token: string }>(res);
    tokens.set(client, body.access_token);
    return body.access_token;
  }

  async function placeOrder(client: 'alice' | 'bob', body: unknown): Promise<Response> {
    return http('/v1/orders', {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(client)}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function settled(id: string, client: 'alice' | 'bob' = 'alice', withinMs = 30_000): Promise<OrderView> {
    const until = Date.now() + withinMs;
    for (;;) {
      const res = await http(`/v1/orders/${id}`, { headers: { authorization: `Bearer ${await token(client)}` } });
      expect(res.status).toBe(200);
      const order = await json<OrderView>(res);
      if (order.status !== 'PENDING') return order;
      if (Date.now() > until) throw new Error(`order ${id} still PENDING after ${withinMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const stock = async (sku: string) => json<{ available: number; reserved: number }>(await http(`/v1/inventory/${sku}`));

  beforeAll(async () => {
    Object.assign(env, {
      TRANSPORT: transport,
      SWITCHBOARD_NAMESPACE: `e2e-${randomBytes(4).toString('hex')}`,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      AUTH_CLIENTS: 'alice:alice-secret,bob:bob-secret',
      EVENT_RETRY_DELAY_MS: '200',
      // 100 concurrent orders polled every 50 ms: far more than a client's default rate limit allows.
      RATE_LIMIT_PER_CLIENT: '1000000',
      RATE_LIMIT_PER_IP: '1000000',
    });
    if (transport === 'redis') {
      redis = await new RedisServerProcess().start();
      env.REDIS_URL = redis.url;
    } else if (transport !== 'memory') {
      nats = await new NatsServerProcess().start();
      env.NATS_URL = nats.url;
      spy = await connect({ servers: nats.url });
      spy.subscribe(`${env.SWITCHBOARD_NAMESPACE}.>`, { callback: (_, msg) => natsSubjects.push(msg.subject) });
    }
    for (const service of ['orders', 'inventory', 'payments', 'notifications']) {
      env[`${service.toUpperCase()}_ADDR`] = `127.0.0.1:${await freePort()}`;
      env[`${service.toUpperCase()}_HTTP_PORT`] = String(await freePort());
    }
    env.PORT = String(await freePort());
    gateway = `http://127.0.0.1:${env.PORT}`;

    const names = transport === 'memory' ? ['system'] : ['inventory', 'payments', 'notifications', 'orders', 'gateway'];
    for (const name of names) apps.push(new AppProcess(name, env).start());
    for (const app of apps) await app.waitForLog(app.app === 'system' ? 'all apps up' : 'HTTP on', 60_000);
  });

  afterAll(async () => {
    const endings = await Promise.all(apps.map((app) => app.stop()));
    await spy?.close();
    await nats?.dispose();
    await redis?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    expect(endings).toEqual(apps.map(() => 'graceful'));
  });

  it('issues tokens for form and JSON client credentials, and refuses a wrong secret', async () => {
    const asJson = await http('/v1/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'bob', client_secret: 'bob-secret' }),
    });
    expect(asJson.status).toBe(200);
    expect(await asJson.json()).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number), access_token: expect.any(String) });
    const wrong = await http('/v1/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=alice&client_secret=guess',
    });
    expect(wrong.status).toBe(401);
    expect(await token('alice')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('refuses /v1/orders without a valid bearer token', async () => {
    const body = JSON.stringify({ items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: 'visa' });
    const post = (authorization?: string) =>
      http('/v1/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body,
      });
    const good = await token('alice');
    const tampered = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const authorization of [undefined, 'Bearer', 'Bearer not-a-jwt', `Bearer ${tampered}`, `Basic ${good}`]) {
      const res = await post(authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect((await http('/v1/orders/some-id')).status).toBe(401);
  });

  it('confirms an order: 202 PENDING with Location, then CONFIRMED with its total, stock reserved', async () => {
    const before = await stock('SKU-COFFEE');
    const res = await placeOrder('alice', { items: [{ sku: 'SKU-COFFEE', quantity: 2 }], paymentMethod: 'visa' });
    expect(res.status).toBe(202);
    const accepted = await json<{ id: string; status: string }>(res);
    expect(accepted.status).toBe('PENDING');
    expect(res.headers.get('location')).toBe(`/v1/orders/${accepted.id}`);
    const order = await settled(accepted.id);
    expect(order).toMatchObject({ status: 'CONFIRMED', totalCents: 2 * 899, items: [{ sku: 'SKU-COFFEE', quantity: 2 }] });
    expect(await stock('SKU-COFFEE')).toMatchObject({ available: before.available - 2, reserved: before.reserved + 2 });
  });

  it('rejects a declined card, short stock and an unknown SKU, giving back what was taken', async () => {
    const before = await stock('SKU-MUG');
    const declined = await json<{ id: string }>(
      await placeOrder('alice', { items: [{ sku: 'SKU-MUG', quantity: 1 }], paymentMethod: 'card-declined' }),
    );
    const short = await json<{ id: string }>(
      await placeOrder('alice', { items: [{ sku: 'SKU-MUG', quantity: before.available + 1 }], paymentMethod: 'visa' }),
    );
    const unknown = await json<{ id: string }>(
      await placeOrder('alice', { items: [{ sku: 'SKU-UNKNOWN', quantity: 1 }], paymentMethod: 'visa' }),
    );
    expect(await settled(declined.id)).toMatchObject({ status: 'REJECTED', reason: 'payment declined' });
    expect(await settled(short.id)).toMatchObject({ status: 'REJECTED', reason: 'insufficient stock for SKU-MUG' });
    expect(await settled(unknown.id)).toMatchObject({ status: 'REJECTED', reason: 'unknown sku SKU-UNKNOWN' });
    expect(await stock('SKU-MUG')).toEqual(before);
  });

  it("answers 404 for another customer's order", async () => {
    const { id } = await json<{ id: string }>(await placeOrder('alice', { items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: 'visa' }));
    const res = await http(`/v1/orders/${id}`, { headers: { authorization: `Bearer ${await token('bob')}` } });
    expect(res.status).toBe(404);
    expect((await http(`/v1/orders/${id}`, { headers: { authorization: `Bearer ${await token('alice')}` } })).status).toBe(200);
    await settled(id); // its reservation must not land in the next test's stock snapshot
  });

  it('refuses every malformed order with 400 and a clear message, creating nothing', async () => {
    const inventoryBefore = await json<unknown>(await http('/v1/inventory'));
    const cases: [unknown, RegExp][] = [
      ['{"items": [', /json/i],
      [{ items: 'SKU-TEA', paymentMethod: 'visa' }, /items/],
      [{ items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: 'visa', discount: 50 }, /discount/],
      [{ items: [], paymentMethod: 'visa' }, /items/],
      [{ items: [{ sku: 'SKU-TEA', quantity: 1 }] }, /paymentMethod/],
      [{ items: [{ sku: 'SKU-TEA', quantity: 0 }], paymentMethod: 'visa' }, /quantity/],
      [{ items: [{ sku: 'SKU-TEA', quantity: 1.5 }], paymentMethod: 'visa' }, /quantity/],
      [{ items: [{ sku: 'SKU-TEA', quantity: '1' }], paymentMethod: 'visa' }, /quantity/],
      [{ items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: '' }, /paymentMethod/],
    ];
    for (const [body, message] of cases) {
      const res = await placeOrder('alice', body);
      expect(res.status).toBe(400);
      const error = await json<{ error: string; message: string }>(res);
      expect(error.error).toBe('INVALID_ARGUMENT');
      expect(error.message).toMatch(message);
    }
    const huge = await placeOrder('alice', { items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: 'x'.repeat(65 * 1024) });
    expect(huge.status).toBe(413);
    await new Promise((r) => setTimeout(r, 300));
    expect(await json<unknown>(await http('/v1/inventory'))).toEqual(inventoryBefore);
  });

  it('keeps the stock arithmetic exact under 100 concurrent orders', async () => {
    const before = await stock('SKU-BREAD');
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        placeOrder(i % 2 ? 'alice' : 'bob', {
          items: [{ sku: 'SKU-BREAD', quantity: 2 }],
          paymentMethod: i % 10 === 0 ? 'card-declined' : 'visa',
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 202));
    const accepted = await Promise.all(responses.map((r) => json<{ id: string }>(r)));
    const final = await Promise.all(accepted.map(({ id }, i) => settled(id, i % 2 ? 'alice' : 'bob', 60_000)));
    expect(final.filter((o) => o.status === 'CONFIRMED')).toHaveLength(90);
    expect(final.filter((o) => o.status === 'REJECTED')).toHaveLength(10);
    expect(await stock('SKU-BREAD')).toEqual(
      expect.objectContaining({ available: before.available - 180, reserved: before.reserved + 180 }),
    );
  });

  it('the same Idempotency-Key sent 20 times concurrently -> exactly one order', async () => {
    const key = `e2e-${randomBytes(8).toString('hex')}`;
    const before = await stock('SKU-APPLE');
    const body = JSON.stringify({ items: [{ sku: 'SKU-APPLE', quantity: 1 }], paymentMethod: 'visa' });
    const authorization = `Bearer ${await token('alice')}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        http('/v1/orders', {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', 'idempotency-key': key },
          body,
        }),
      ),
    );
    const bodies = await Promise.all(responses.map((r) => json<{ id?: string; error?: string }>(r)));
    for (const res of responses) expect([202, 409]).toContain(res.status);
    const accepted = bodies.filter((_, i) => responses[i].status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    const ids = new Set(accepted.map((b) => b.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await settled(id!)).toMatchObject({ status: 'CONFIRMED', items: [{ sku: 'SKU-APPLE', quantity: 1 }] });
    // One order took stock: any second order would have reserved another apple.
    await new Promise((r) => setTimeout(r, 300));
    expect(await stock('SKU-APPLE')).toMatchObject({ available: before.available - 1, reserved: before.reserved + 1 });
    // Once the first has finished, the key replays that order.
    const again = await http('/v1/orders', {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', 'idempotency-key': key },
      body,
    });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await json<{ id: string }>(again)).id).toBe(id);
  });

  if (transport === 'nats' || transport === 'tcp' || transport === 'grpc') {
    it('sent the events through JetStream (and, on nats, the calls through NATS subjects)', async () => {
      const ns = env.SWITCHBOARD_NAMESPACE!;
      const confirmedEvents = () => natsSubjects.filter((s) => s.startsWith(`${ns}.events.orders.v1.OrderConfirmed`)).length;
      // The outbox relay publishes right after the order's commit, so the last events may trail the last GET.
      for (let i = 0; i < 100 && confirmedEvents() < 91; i++) await new Promise((r) => setTimeout(r, 50));
      expect(confirmedEvents()).toBeGreaterThanOrEqual(91);
      const rpc = natsSubjects.filter((s) => s.startsWith(`${ns}.rpc.`)).length;
      if (transport === 'nats') expect(rpc).toBeGreaterThan(300);
      else expect(rpc).toBe(0);
    });
  }

  if (transport === 'redis') {
    it('sent the calls through Redis lists and the events through Redis Streams', async () => {
      const client = new Redis(redis!.url);
      const stats = await client.info('commandstats');
      await client.quit();
      const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
      // Only calls use lists (events use streams). One LPUSH carries the requests of one event-loop turn
      // (REDIS_BATCH_WRITES), so there are fewer pushes than calls.
      expect(calls('lpush')).toBeGreaterThan(0);
      expect(calls('xadd') + calls('evalsha') + calls('eval')).toBeGreaterThan(300);
    });
  }
});
