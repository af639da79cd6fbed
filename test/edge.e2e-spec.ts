import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { TransportName } from '@app/transport';
import { AppProcess, freePort, NatsServerProcess, RedisServerProcess } from '@app/testing';
import { LivePageBrowser } from './support/live-page-browser';

/**
 * The gateway's edge over the built apps, on every transport, as a client sees it: /v1 and /v2 side by side, the
 * order summary (and its `degraded` parts with a stopped payments service), rate limits shared by two gateway
 * instances through Redis, WebSocket push (fan-out to both instances, isolation between customers, refusal
 * without a token, resume after a reconnect), the OpenAPI document, edge hygiene and the live page in headless
 * Chromium. On `memory` the whole system is one process: one gateway, memory rate limits, and no stopped service.
 */
const TRANSPORTS: TransportName[] = ['memory', 'nats', 'redis', 'tcp', 'grpc'];
const CLIENTS = ['alice', 'bob', 'carol'] as const;
type Client = (typeof CLIENTS)[number];

/**
 * carol is the rate-limited client: this many requests per window pass, across both gateways. The window is short
 * so that the other clients, which poll at most 4 times a second here, stay well under the same limit.
 */
const PER_CLIENT_LIMIT = 40;
const RATE_LIMIT_WINDOW_SECONDS = 5;
const SUMMARY_DEADLINE_MS = 1000;

interface OrderStatusEvent {
  type: 'order.status';
  id: string;
  orderId: string;
  status: string;
  reason?: string;
  totalCents?: number;
  at: string;
}
interface Ready {
  type: 'ready';
  customerId: string;
  resumed: { count: number; complete: boolean };
}
type PushMessage = OrderStatusEvent | Ready;

/** A client's socket and everything it received, with a way to wait for a message. */
class PushClient {
  readonly messages: PushMessage[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as PushMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string, token: string | undefined, lastEventId?: string): Promise<PushClient> {
    const target = `${url.replace(/^http/, 'ws')}/v1/events${lastEventId ? `?lastEventId=${encodeURIComponent(lastEventId)}` : ''}`;
    const socket = new WebSocket(target, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const client = new PushClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      socket.once('error', reject);
      void client.next((m) => m.type === 'ready', 10_000).then(() => resolve(client), reject);
    });
  }

  events(): OrderStatusEvent[] {
    return this.messages.filter((m): m is OrderStatusEvent => m.type === 'order.status');
  }

  async next(match: (m: PushMessage) => boolean, withinMs = 10_000): Promise<PushMessage> {
    const until = Date.now() + withinMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no matching push message within ${withinMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  status(orderId: string, status: string, withinMs?: number): Promise<OrderStatusEvent> {
    return this.next((m) => m.type === 'order.status' && m.orderId === orderId && m.status === status, withinMs) as Promise<OrderStatusEvent>;
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

describe.each(TRANSPORTS)('the edge on %s', (transport) => {
  const env: NodeJS.ProcessEnv = {};
  const apps: AppProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), `sb-edge-${transport}-`));
  let nats: NatsServerProcess | undefined;
  let redis: RedisServerProcess | undefined;
  let payments: AppProcess | undefined;
  /** One gateway on memory (all in one process), two instances otherwise. */
  const gateways: string[] = [];
  const sockets: PushClient[] = [];
  const tokens = new Map<string, string>();
  const origin = 'https://shop.example.com';

  const http = (path: string, init: RequestInit = {}, gateway = gateways[0]) => fetch(`${gateway}${path}`, init);

  async function token(client: Client): Promise<string> {
    const cached = tokens.get(client);
    if (cached) return cached;
    const res = await http('/v1/auth/token', {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client, client_secret: `${client}-secret` }),
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    tokens.set(client, access_token);
    return access_token;
  }
  const auth = async (client: Client) => ({ authorization: `Bearer ${await token(client)}` });

  async function placeOrder(client: Client, body: unknown, gateway = gateways[0]): Promise<string> {
    const res = await http(
      '/v1/orders',
      { method: 'POST', headers: { ...(await auth(client)), 'content-type': 'application/json' }, body: JSON.stringify(body) },
      gateway,
    );
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  }

  async function settled(client: Client, id: string): Promise<{ status: string }> {
    for (const until = Date.now() + 30_000; ; ) {
      const order = (await (await http(`/v1/orders/${id}`, { headers: await auth(client) })).json()) as { status: string };
      if (order.status !== 'PENDING') return order;
      if (Date.now() > until) throw new Error(`order ${id} still PENDING`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const push = async (client: Client, gateway = gateways[0], lastEventId?: string) => {
    const socket = await PushClient.open(gateway, await token(client), lastEventId);
    sockets.push(socket);
    return socket;
  };
  const coffee = { items: [{ sku: 'SKU-COFFEE', quantity: 1 }], paymentMethod: 'visa' };

  beforeAll(async () => {
    Object.assign(env, {
      TRANSPORT: transport,
      SWITCHBOARD_NAMESPACE: `edge-${randomBytes(4).toString('hex')}`,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      AUTH_CLIENTS: CLIENTS.map((c) => `${c}:${c}-secret`).join(','),
      EVENT_RETRY_DELAY_MS: '200',
      CORS_ORIGINS: origin,
      RATE_LIMIT_WINDOW_SECONDS: String(RATE_LIMIT_WINDOW_SECONDS),
      RATE_LIMIT_PER_CLIENT: String(PER_CLIENT_LIMIT),
      RATE_LIMIT_PER_IP: '100000',
      // The rate-limit counts are what these tests check: a loaded test machine must not make them fail open.
      RATE_LIMIT_STORE_TIMEOUT_MS: '2000',
      SUMMARY_DEADLINE_MS: String(SUMMARY_DEADLINE_MS),
      BREAKER_MIN_CALLS: '3',
      BREAKER_WINDOW: '6',
      BREAKER_HALF_OPEN_AFTER_MS: '1500',
    });
    if (transport !== 'memory') {
      // Every multi-process run counts rate limits in Redis, shared by the two gateways.
      redis = await new RedisServerProcess().start();
      env.REDIS_URL = redis.url;
      env.RATE_LIMIT_STORE = 'redis';
      if (transport !== 'redis') {
        nats = await new NatsServerProcess().start();
        env.NATS_URL = nats.url;
      }
    }
    for (const service of ['orders', 'inventory', 'payments', 'notifications']) {
      env[`${service.toUpperCase()}_ADDR`] = `127.0.0.1:${await freePort()}`;
      env[`${service.toUpperCase()}_HTTP_PORT`] = String(await freePort());
    }
    if (transport === 'memory') {
      env.PORT = String(await freePort());
      gateways.push(`http://127.0.0.1:${env.PORT}`);
      apps.push(new AppProcess('system', env).start());
    } else {
      for (const name of ['inventory', 'payments', 'notifications', 'orders']) apps.push(new AppProcess(name, env).start());
      payments = apps[1];
      for (let i = 0; i < 2; i++) {
        const port = await freePort();
        gateways.push(`http://127.0.0.1:${port}`);
        apps.push(new AppProcess('gateway', { ...env, PORT: String(port), INSTANCE_ID: `gateway-${i}-${env.SWITCHBOARD_NAMESPACE}` }).start());
      }
    }
    for (const app of apps) await app.waitForLog(app.app === 'system' ? 'all apps up' : 'HTTP on', 60_000);
  });

  afterAll(async () => {
    payments?.signal('SIGCONT');
    await Promise.all(sockets.map((s) => s.close()));
    const endings = await Promise.all(apps.map((app) => app.stop()));
    await nats?.dispose();
    await redis?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    expect(endings).toEqual(apps.map(() => 'graceful'));
  });

  describe('versioning', () => {
    it('serves /v1 (integer cents) and /v2 (money and links) of the same order side by side', async () => {
      const id = await placeOrder('alice', { items: [{ sku: 'SKU-COFFEE', quantity: 2 }], paymentMethod: 'visa' });
      expect(await settled('alice', id)).toMatchObject({ status: 'CONFIRMED' });
      const v1 = await http(`/v1/orders/${id}`, { headers: await auth('alice') });
      expect(await v1.json()).toMatchObject({ id, totalCents: 1798 });
      const v2 = await http(`/v2/orders/${id}`, { headers: await auth('alice') });
      expect(v2.status).toBe(200);
      const order = (await v2.json()) as Record<string, unknown>;
      expect(order).toMatchObject({
        id,
        customerId: 'alice',
        status: 'CONFIRMED',
        items: [{ sku: 'SKU-COFFEE', quantity: 2 }],
        total: { amount: '17.98', currency: 'EUR' },
        links: { self: `/v2/orders/${id}`, summary: `/v1/orders/${id}/summary`, v1: `/v1/orders/${id}` },
      });
      expect(order).not.toHaveProperty('totalCents');
      expect((await http(`/v2/orders/${id}`, { headers: await auth('bob') })).status).toBe(404);
      expect((await http(`/v2/orders/${id}`)).status).toBe(401);
    });
  });

  describe('order summary', () => {
    it('aggregates the order, its payment and the stock of its SKUs', async () => {
      const id = await placeOrder('alice', { items: [{ sku: 'SKU-TEA', quantity: 1 }, { sku: 'SKU-MUG', quantity: 1 }], paymentMethod: 'visa' });
      await settled('alice', id);
      const res = await http(`/v1/orders/${id}/summary`, { headers: await auth('alice') });
      expect(res.status).toBe(200);
      const summary = (await res.json()) as { order: { id: string }; payment: unknown; stock: { sku: string }[]; degraded: unknown[] };
      expect(summary.order).toMatchObject({ id, status: 'CONFIRMED' });
      expect(summary.payment).toMatchObject({ orderId: id, status: 'CAPTURED', amountCents: expect.any(Number) });
      expect(summary.stock.map((s) => s.sku).sort()).toEqual(['SKU-MUG', 'SKU-TEA']);
      expect(summary.degraded).toEqual([]);
      expect((await http(`/v1/orders/${id}/summary`, { headers: await auth('bob') })).status).toBe(404);
    });

    if (transport !== 'memory') {
      it('answers within its deadline with the payment listed under degraded while payments is stopped; the breaker then fails fast', async () => {
        const id = await placeOrder('alice', coffee);
        await settled('alice', id);
        payments!.signal('SIGSTOP');
        try {
          const answers: { ms: number; degraded: { part: string; code: string; message: string }[] }[] = [];
          for (let i = 0; i < 8; i++) {
            const started = Date.now();
            const res = await http(`/v1/orders/${id}/summary`, { headers: await auth('alice') });
            expect(res.status).toBe(200);
            const body = (await res.json()) as { order: { id: string }; payment: unknown; stock: unknown[]; degraded: never[] };
            answers.push({ ms: Date.now() - started, degraded: body.degraded });
            expect(body.order.id).toBe(id);
            expect(body.payment).toBeNull();
            expect(body.stock).toHaveLength(1);
          }
          // Every answer came within the deadline (plus the way through the gateway), each one degraded.
          for (const answer of answers) {
            expect(answer.ms).toBeLessThan(SUMMARY_DEADLINE_MS + 1000);
            expect(answer.degraded).toEqual([expect.objectContaining({ part: 'payment' })]);
          }
          // The first calls waited for the stopped service; once the breaker opened, the rest failed fast.
          expect(answers[0].degraded[0].code).toMatch(/DEADLINE_EXCEEDED|UNAVAILABLE/);
          const open = answers.filter((a) => /circuit breaker for payments is open/.test(a.degraded[0].message));
          expect(open.length).toBeGreaterThanOrEqual(3);
          expect(answers.at(-1)!.degraded[0].message).toMatch(/circuit breaker for payments is open/);
        } finally {
          payments!.signal('SIGCONT');
        }
        // Back: after the breaker's half-open delay a probe call gets through and the summary is whole again.
        for (const until = Date.now() + 20_000; ; ) {
          const body = (await (await http(`/v1/orders/${id}/summary`, { headers: await auth('alice') })).json()) as { degraded: unknown[] };
          if (body.degraded.length === 0) break;
          if (Date.now() > until) throw new Error(`summary still degraded: ${JSON.stringify(body.degraded)}`);
          await new Promise((r) => setTimeout(r, 300));
        }
      });
    }
  });

  describe('WebSocket push', () => {
    it('refuses a socket without a valid token (401 at the handshake)', async () => {
      await expect(PushClient.open(gateways[0], undefined)).rejects.toThrow(/upgrade refused: 401/);
      await expect(PushClient.open(gateways[0], 'not-a-token')).rejects.toThrow(/upgrade refused: 401/);
    });

    it("pushes a customer's status changes to each of its sockets on every gateway instance, and nobody else's", async () => {
      const aliceSockets = await Promise.all(gateways.map((g) => push('alice', g)));
      const bob = await push('bob', gateways.at(-1));
      const placed = Date.now();
      const id = await placeOrder('alice', coffee);
      for (const socket of aliceSockets) {
        await socket.status(id, 'PENDING');
        const confirmed = await socket.status(id, 'CONFIRMED');
        expect(confirmed).toMatchObject({ type: 'order.status', orderId: id, totalCents: 899, id: expect.any(String) });
        // A bound on liveness, not a speed goal: the push follows the change, far within the test's patience.
        expect(Date.now() - Date.parse(confirmed.at)).toBeLessThan(5000);
      }
      process.stdout.write(`[${transport}] order placed -> CONFIRMED pushed to ${aliceSockets.length} gateway(s) in ${Date.now() - placed} ms\n`);
      const bobsOwn = await placeOrder('bob', coffee);
      await bob.status(bobsOwn, 'CONFIRMED');
      expect(bob.events().map((e) => e.orderId)).not.toContain(id);
      for (const socket of aliceSockets) expect(socket.events().map((e) => e.orderId)).not.toContain(bobsOwn);
    });

    it('resumes after a reconnect: the events missed while away, after the last event id, on any instance', async () => {
      const first = await push('alice');
      const before = await placeOrder('alice', coffee);
      const last = await first.status(before, 'CONFIRMED');
      await first.close();

      const missed = await placeOrder('alice', { ...coffee, paymentMethod: 'card-declined' });
      expect(await settled('alice', missed)).toMatchObject({ status: 'REJECTED' });
      const again = await push('alice', gateways.at(-1), last.id);
      await again.status(missed, 'REJECTED');
      const ready = again.messages[0] as Ready;
      expect(ready).toMatchObject({ type: 'ready', customerId: 'alice', resumed: { complete: true } });
      expect(ready.resumed.count).toBeGreaterThanOrEqual(2);
      expect(again.events().filter((e) => e.orderId === missed).map((e) => e.status)).toEqual(['PENDING', 'REJECTED']);
      expect(again.events().map((e) => e.orderId)).not.toContain(before);
    });
  });

  describe('rate limits', () => {
    it(`lets ${PER_CLIENT_LIMIT} requests of a client through per window${transport === 'memory' ? '' : ', counted across both gateways in Redis'}, then 429 with Retry-After`, async () => {
      const headers = await auth('carol'); // its token request is counted by IP only
      // All at once, so they fall in one window; spread over the gateways.
      const answers = await Promise.all(
        Array.from({ length: PER_CLIENT_LIMIT }, (_, i) => http('/v1/orders/none-such', { headers }, gateways[i % gateways.length])),
      );
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => 404));
      for (const res of answers) expect(res.headers.get('x-ratelimit-limit-client')).toBe(String(PER_CLIENT_LIMIT));
      const remaining = answers.map((r) => Number(r.headers.get('x-ratelimit-remaining-client')));
      expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: PER_CLIENT_LIMIT }, (_, i) => i));
      const refused = await http('/v1/orders/none-such', { headers }, gateways.at(-1));
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(RATE_LIMIT_WINDOW_SECONDS);
      expect(await refused.json()).toMatchObject({
        code: 'RESOURCE_EXHAUSTED',
        message: expect.stringMatching(/rate limit/),
        details: { limit: 'client', max: PER_CLIENT_LIMIT },
        requestId: expect.any(String),
      });
      // Another client is not affected; carol is let through again once the window has passed.
      expect((await http('/v1/orders/none-such', { headers: await auth('bob') })).status).toBe(404);
      await new Promise((r) => setTimeout(r, (retryAfter + 0.5) * 1000));
      expect((await http('/v1/orders/none-such', { headers }, gateways[0])).status).toBe(404);
    });
  });

  describe('OpenAPI and edge hygiene', () => {
    it('serves the OpenAPI document at /docs-json (and Swagger UI at /docs) with every API route', async () => {
      const ui = await http('/docs');
      expect(ui.status).toBe(200);
      expect(await ui.text()).toMatch(/swagger/i);
      const doc = (await (await http('/docs-json')).json()) as { paths: Record<string, Record<string, unknown>>; components: { securitySchemes: unknown } };
      expect(Object.keys(doc.paths).sort()).toEqual([
        '/health/live',
        '/health/ready',
        '/metrics',
        '/v1/auth/token',
        '/v1/health',
        '/v1/inventory',
        '/v1/inventory/{sku}',
        '/v1/orders',
        '/v1/orders/{id}',
        '/v1/orders/{id}/summary',
        '/v2/orders/{id}',
      ]);
      expect(doc.components.securitySchemes).toHaveProperty('bearer');
    });

    it('answers every error in one shape with the request id, echoed in X-Request-Id', async () => {
      const mine = await http('/v1/orders/x', { headers: { 'x-request-id': 'my-request-1' } });
      expect(mine.status).toBe(401);
      expect(mine.headers.get('x-request-id')).toBe('my-request-1');
      expect(await mine.json()).toEqual({
        code: 'UNAUTHENTICATED',
        message: expect.any(String),
        details: null,
        requestId: 'my-request-1',
        statusCode: 401,
        error: 'UNAUTHENTICATED',
      });
      const missing = await http('/v1/nothing-here', { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(missing.status).toBe(404);
      const generated = missing.headers.get('x-request-id')!;
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND', requestId: generated });
      const strict = await http('/v1/orders', {
        method: 'POST',
        headers: { ...(await auth('bob')), 'content-type': 'application/json' },
        body: '"just a string"',
      });
      expect(strict.status).toBe(400);
      expect(await strict.json()).toMatchObject({ code: 'INVALID_ARGUMENT', requestId: strict.headers.get('x-request-id') });
    });

    it('sends security headers, and CORS headers to the configured origin only', async () => {
      const res = await http('/v1/inventory', { headers: { origin } });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      const preflight = await http('/v1/orders', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
      const other = await http('/v1/inventory', { headers: { origin: 'https://evil.example.com' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('live page', () => {
    it('in headless Chromium: signs in, places orders and sees them CONFIRMED / REJECTED over the WebSocket, with every service up', async () => {
      const browser = await LivePageBrowser.launch();
      try {
        const page = await browser.open(gateways[0]);
        await page.fill('#client-id', 'alice');
        await page.fill('#client-secret', 'alice-secret');
        await page.click('#signin-button');
        await page.waitForSelector('#place:not([disabled])');
        await page.waitForSelector('text=socket: open');
        await page.selectOption('#sku', 'SKU-COFFEE');
        await page.click('#place');
        const row = page.locator('#orders tbody tr').first();
        await row.locator('.status.CONFIRMED').waitFor({ timeout: 15_000 });
        expect(await row.locator('.status').textContent()).toBe('CONFIRMED');
        await page.selectOption('#payment', 'card-declined');
        await page.click('#place');
        await page.locator('#orders tbody tr .status.REJECTED').waitFor({ timeout: 15_000 });
        expect(await page.locator('#orders tbody tr').count()).toBe(2);
        for (const service of ['orders', 'inventory', 'payments', 'notifications']) {
          await page.locator(`#health-${service} .up`).waitFor({ timeout: 15_000 });
        }
        const screenshot = await browser.screenshot(page, transport);
        expect(screenshot.subarray(1, 4).toString()).toBe('PNG');
      } finally {
        await browser.close();
      }
    });
  });
});
