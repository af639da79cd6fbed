import { MemoryBroker } from '@app/transport';
import { get } from 'node:http';
import WebSocket from 'ws';
import { HttpPlatform } from '../config/edge-config';
import { FakeOrders, startFakeOrders } from '../testing/fake-orders-service';
import { startTestGateway, TEST_ENV, TestGateway } from '../testing/test-gateway';

const ORIGIN = 'https://shop.example.com';

function plainGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

/**
 * What the HTTP platform under Nest decides, on each platform whatever HTTP_PLATFORM the run has: the other gateway
 * specs run on the platform of the environment (`HTTP_PLATFORM=express npx jest apps/gateway` for Express).
 */
describe.each<HttpPlatform>(['express', 'fastify'])('the gateway on %s', (platform) => {
  let gateway: TestGateway;
  let orders: FakeOrders;
  let alice: string;

  beforeAll(async () => {
    const broker = new MemoryBroker();
    orders = await startFakeOrders(broker);
    gateway = await startTestGateway(broker, { ...TEST_ENV, HTTP_PLATFORM: platform, CORS_ORIGINS: ORIGIN });
    alice = await gateway.token('alice');
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.app.close();
  });

  const auth = () => ({ authorization: `Bearer ${alice}` });
  const place = async (): Promise<string> => {
    const res = await gateway.fetch('/v1/orders', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ sku: 'SKU-MUG', quantity: 1 }], paymentMethod: 'card-ok' }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };

  it('runs on it', () => {
    expect(gateway.app.getHttpAdapter().getType()).toBe(platform);
  });

  it.each<[string, () => Promise<Response>]>([
    ['an answer', () => gateway.fetch('/v1/inventory', { headers: { origin: ORIGIN } })],
    ['an error of a guard', () => gateway.fetch('/v1/orders/x', { headers: { origin: ORIGIN } })],
    ['an unknown path', () => gateway.fetch('/v1/nothing-here', { headers: { origin: ORIGIN } })],
    ['a body refused before any route', () =>
      gateway.fetch('/v1/orders', {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ pad: 'x'.repeat(65 * 1024) }),
      })],
    ['a CORS preflight', () =>
      gateway.fetch('/v1/orders', {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      })],
  ])('sends the request id, security and CORS headers with %s', async (_, send) => {
    const res = await send();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/);
  });

  it('answers a body too large with 413 in the error shape', async () => {
    const res = await gateway.fetch('/v1/orders', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(65 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'RESOURCE_EXHAUSTED', error: 'PAYLOAD_TOO_LARGE', requestId: res.headers.get('x-request-id') });
  });

  it.each([
    ['text/xml', '<order/>'],
    ['text/plain', '{"items":[{"sku":"SKU-MUG","quantity":1}],"paymentMethod":"card-ok"}'],
    ['', 'items'],
  ])('leaves a body of type %p unread: 400 INVALID_ARGUMENT from validation (not 415)', async (type, body) => {
    const res = await gateway.fetch('/v1/orders', {
      method: 'POST',
      headers: { ...auth(), ...(type ? { 'content-type': type } : {}) },
      body: type ? body : new Blob([body]),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^invalid order/) });
  });

  it('answers 415 to a JSON body in another charset than UTF-8', async () => {
    const res = await gateway.fetch('/v1/orders', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json; charset=latin1' },
      body: '{}',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported charset "LATIN1"' });
  });

  it('matches paths as Express does: any case, a trailing slash, an id of 128 characters reaching the handler', async () => {
    const id = await place();
    const upper = await gateway.fetch(`/V1/Orders/${id}/`, { headers: auth() });
    expect(upper.status).toBe(200);
    expect(await upper.json()).toMatchObject({ id });
    const long = await gateway.fetch(`/v1/orders/${'a'.repeat(128)}`, { headers: auth() });
    expect(long.status).toBe(404);
    expect(await long.json()).toMatchObject({ code: 'NOT_FOUND' });
    const tooLong = await gateway.fetch(`/v1/orders/${'a'.repeat(129)}`, { headers: auth() });
    expect(await tooLong.json()).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'invalid order id: 1-128 characters' });
  });

  it('tags a response body with a weak ETag and answers 304 to a GET that names it', async () => {
    const id = await place();
    const first = await gateway.fetch(`/v1/orders/${id}`, { headers: auth() });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    // node:http, not fetch: fetch adds `Cache-Control: no-cache` to a conditional request.
    const again = await plainGet(`${gateway.url}/v1/orders/${id}`, { ...auth(), 'if-none-match': etag });
    expect(again).toEqual({ status: 304, body: '' });
    const noCache = await plainGet(`${gateway.url}/v1/orders/${id}`, { ...auth(), 'if-none-match': etag, 'cache-control': 'no-cache' });
    expect(noCache.status).toBe(200);
    const other = await plainGet(`${gateway.url}/v1/orders/${id}`, { ...auth(), 'if-none-match': 'W/"1-x", "2-y"' });
    expect(other.status).toBe(200);
  });

  it('serves Swagger UI and its files at /docs', async () => {
    const page = await gateway.fetch('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const script = /src="\.?\/?(?:docs\/)?(swagger-ui-bundle\.js)"/.exec(html)?.[1];
    expect(script).toBe('swagger-ui-bundle.js');
    const bundle = await gateway.fetch(`/docs/${script}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await gateway.fetch('/docs/swagger-ui-init.js')).status).toBe(200);
    expect((await gateway.fetch('/docs/none-such.js')).status).toBe(404);
  });

  it('upgrades /v1/events to a WebSocket on the same port', async () => {
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/events`, 'switchboard.v1', { headers: auth() });
    const first = await new Promise<unknown>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse(String(data))));
      socket.once('error', reject);
    });
    socket.close();
    expect(first).toMatchObject({ type: 'ready', customerId: 'alice' });
  });
});
