import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { InventoryV1, NotificationsV1, OrdersV1 } from '@app/contracts';
import { createDriver, createServiceClient, loadTransportConfig, RpcClient } from '@app/transport';

describe('order flow in one process (memory transport and bus)', () => {
  const apps: INestApplication[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-flow-'));
  const driver = createDriver(loadTransportConfig({ TRANSPORT: 'memory' }));
  const client = <C extends Parameters<typeof createServiceClient>[0]>(c: C) =>
    createServiceClient(c, new RpcClient(driver.client(c), { caller: 'test', timeoutMs: 5000, maxPayloadBytes: 1e6 }));

  beforeAll(async () => {
    Object.assign(process.env, {
      DATA_DIR: dataDir,
      ORDERS_HTTP_PORT: '0',
      INVENTORY_HTTP_PORT: '0',
      PAYMENTS_HTTP_PORT: '0',
      NOTIFICATIONS_HTTP_PORT: '0',
      EVENT_RETRY_DELAY_MS: '50',
    });
    const { startInventory } = await import('../apps/inventory/src/start-inventory');
    const { startPayments } = await import('../apps/payments/src/start-payments');
    const { startNotifications } = await import('../apps/notifications/src/start-notifications');
    const { startOrders } = await import('../apps/orders/src/start-orders');
    for (const start of [startInventory, startPayments, startNotifications, startOrders]) apps.push(await start());
  });

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await driver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const settled = async (id: string, customerId = 'alice') => {
    for (let i = 0; i < 200; i++) {
      const order = await client(OrdersV1).getOrder({ id, customerId });
      if (order.status !== 'PENDING') return order;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`order ${id} still PENDING`);
  };

  it('confirms, rejects declined and short orders, and notifies', async () => {
    const orders = client(OrdersV1);
    const ok = await orders.placeOrder({ customerId: 'alice', items: [{ sku: 'SKU-TEA', quantity: 2 }], paymentMethod: 'visa' });
    expect(ok.status).toBe('PENDING');
    expect(await settled(ok.id)).toMatchObject({ status: 'CONFIRMED', totalCents: 2 * 549 });
    const declined = await orders.placeOrder({ customerId: 'alice', items: [{ sku: 'SKU-TEA', quantity: 1 }], paymentMethod: 'card-declined' });
    expect(await settled(declined.id)).toMatchObject({ status: 'REJECTED', reason: 'payment declined' });
    const short = await orders.placeOrder({ customerId: 'alice', items: [{ sku: 'SKU-MUG', quantity: 51 }], paymentMethod: 'visa' });
    expect(await settled(short.id)).toMatchObject({ status: 'REJECTED', reason: 'insufficient stock for SKU-MUG' });
    const unknown = await orders.placeOrder({ customerId: 'alice', items: [{ sku: 'SKU-NOPE', quantity: 1 }], paymentMethod: 'visa' });
    expect(await settled(unknown.id)).toMatchObject({ status: 'REJECTED', reason: 'unknown sku SKU-NOPE' });
    expect(await client(InventoryV1).getStock({ sku: 'SKU-TEA' })).toMatchObject({ available: 298, reserved: 2 });
    await new Promise((r) => setTimeout(r, 300));
    const { items } = await client(NotificationsV1).listNotifications({ customerId: 'alice' });
    expect(items.filter((n) => n.orderId === ok.id).map((n) => n.status)).toEqual(['PENDING', 'CONFIRMED']);
    expect(items).toHaveLength(8);
  });

  it('keeps the inventory arithmetic exact under 100 concurrent orders', async () => {
    const orders = client(OrdersV1);
    const before = await client(InventoryV1).getStock({ sku: 'SKU-APPLE' });
    const placed = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        orders.placeOrder({ customerId: 'bob', items: [{ sku: 'SKU-APPLE', quantity: 3 }], paymentMethod: i % 10 === 0 ? 'card-declined' : 'visa' }),
      ),
    );
    const final = await Promise.all(placed.map((o) => settled(o.id, 'bob')));
    const confirmed = final.filter((o) => o.status === 'CONFIRMED').length;
    expect(confirmed).toBe(90);
    expect(await client(InventoryV1).getStock({ sku: 'SKU-APPLE' })).toMatchObject({
      available: before.available - 270,
      reserved: before.reserved + 270,
    });
  });
});
