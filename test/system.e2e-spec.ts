import { randomBytes } from 'node:crypto';
import { InventoryV1, NotificationsV1, OrdersV1, PaymentsV1, ServiceContract } from '@app/contracts';
import {
  createDriver,
  createServiceClient,
  loadTransportConfig,
  RpcClient,
  StatusCode,
  TransportDriver,
  TransportName,
} from '@app/transport';
import { AppProcess, freePort, NatsServerProcess, RedisServerProcess } from '@app/testing';

/**
 * The built apps, each started alone as its own process (or all in one for memory), on each transport:
 * the gateway answers over HTTP, every service answers over the transport, and an order flows across them.
 */
const TRANSPORTS: TransportName[] = ['memory', 'nats', 'redis', 'tcp', 'grpc'];

describe.each(TRANSPORTS)('system on %s', (transport) => {
  const env: NodeJS.ProcessEnv = {};
  const apps: AppProcess[] = [];
  let broker: NatsServerProcess | RedisServerProcess | undefined;
  let driver: TransportDriver | undefined;
  let gateway = '';

  const client = <C extends ServiceContract>(contract: C) =>
    createServiceClient(
      contract,
      new RpcClient(driver!.client(contract), { caller: 'e2e', timeoutMs: 5000, maxPayloadBytes: 1_000_000 }),
    );
  const http = (path: string) => fetch(`${gateway}${path}`);

  beforeAll(async () => {
    env.TRANSPORT = transport;
    env.SWITCHBOARD_NAMESPACE = `e2e-${randomBytes(4).toString('hex')}`;
    env.NODE_ENV = 'test';
    if (transport === 'nats') broker = await new NatsServerProcess().start();
    if (transport === 'redis') broker = await new RedisServerProcess().start();
    if (broker) env[transport === 'nats' ? 'NATS_URL' : 'REDIS_URL'] = broker.url;
    for (const service of ['orders', 'inventory', 'payments', 'notifications']) {
      env[`${service.toUpperCase()}_ADDR`] = `127.0.0.1:${await freePort()}`;
      env[`${service.toUpperCase()}_HTTP_PORT`] = String(await freePort());
    }
    env.PORT = String(await freePort());
    gateway = `http://127.0.0.1:${env.PORT}`;

    const names = transport === 'memory' ? ['system'] : ['inventory', 'payments', 'notifications', 'orders', 'gateway'];
    for (const name of names) apps.push(new AppProcess(name, env).start());
    for (const app of apps) await app.waitForLog('HTTP on', 60_000);
    if (transport !== 'memory') driver = createDriver(loadTransportConfig(env));
  });

  afterAll(async () => {
    await driver?.close();
    const endings = await Promise.all(apps.map((app) => app.stop()));
    await broker?.dispose();
    expect(endings).toEqual(apps.map(() => 'graceful'));
  });

  it('serves stock through the gateway', async () => {
    const res = await http('/v1/inventory');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { sku: string }[] };
    expect(body.items.map((i) => i.sku)).toEqual(expect.arrayContaining(['SKU-APPLE', 'SKU-MUG']));

    const one = await http('/v1/inventory/SKU-MUG');
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ sku: 'SKU-MUG', available: expect.any(Number), reserved: 0 });
  });

  it('maps a downstream NOT_FOUND to 404 and a bad sku to 400 at the gateway', async () => {
    const missing = await http('/v1/inventory/SKU-NOPE');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      statusCode: 404,
      error: 'NOT_FOUND',
      message: 'unknown sku SKU-NOPE',
      details: { sku: 'SKU-NOPE' },
    });
    const bad = await http('/v1/inventory/%20bad%20sku');
    expect(bad.status).toBe(400);
  });

  if (transport === 'memory') return;

  it('answers every service over the transport, and an order flows across them', async () => {
    const orders = client(OrdersV1);
    const confirmed = await orders.placeOrder({
      customerId: 'alice',
      items: [{ sku: 'SKU-COFFEE', quantity: 2 }],
      paymentMethod: 'card-ok',
    });
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', totalCents: 2 * 899, customerId: 'alice' });
    await expect(orders.getOrder({ id: confirmed.id, customerId: 'alice' })).resolves.toMatchObject({ status: 'CONFIRMED' });
    await expect(orders.getOrder({ id: confirmed.id, customerId: 'bob' })).rejects.toMatchObject({ code: StatusCode.NOT_FOUND });

    const declined = await orders.placeOrder({
      customerId: 'alice',
      items: [{ sku: 'SKU-TEA', quantity: 1 }],
      paymentMethod: 'card-declined',
    });
    expect(declined).toMatchObject({ status: 'REJECTED', reason: 'payment declined' });

    const short = await orders.placeOrder({
      customerId: 'alice',
      items: [{ sku: 'SKU-MUG', quantity: 51 }],
      paymentMethod: 'card-ok',
    });
    expect(short).toMatchObject({ status: 'REJECTED', reason: 'insufficient stock for SKU-MUG' });

    await expect(client(PaymentsV1).getPayment({ orderId: confirmed.id })).resolves.toMatchObject({
      status: 'CAPTURED',
      amountCents: 2 * 899,
    });
    await expect(client(PaymentsV1).getPayment({ orderId: declined.id })).rejects.toMatchObject({ code: StatusCode.NOT_FOUND });
    await expect(client(InventoryV1).getStock({ sku: 'SKU-TEA' })).resolves.toMatchObject({ reserved: 0, available: 300 });
    await expect(client(InventoryV1).getStock({ sku: 'SKU-COFFEE' })).resolves.toMatchObject({ reserved: 2, available: 298 });
    await expect(client(NotificationsV1).listNotifications({ customerId: 'alice' })).resolves.toEqual({ items: [] });
  });

  it('rejects an invalid request at the service with INVALID_ARGUMENT', async () => {
    await expect(
      client(OrdersV1).placeOrder({ customerId: 'alice', items: [], paymentMethod: 'card-ok' }),
    ).rejects.toMatchObject({ code: StatusCode.INVALID_ARGUMENT });
  });
});
