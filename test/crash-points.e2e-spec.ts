import Database from 'better-sqlite3';
import { BusTransport, OrderSystem, PlacedOrders } from './support/order-system';

/**
 * Crashes at the exact places where two steps must both happen (CRASH_POINT: the process kills itself with SIGKILL
 * there): after an outbox row is committed and before it is published, after payments captured a charge and before
 * the saga records it, after inventory committed a reservation and before it answered. At each crash the database
 * shows the half-done state; after a restart (without the crash point) every order ends with exactly one event,
 * one charge and one reservation: the reconciliation finds nothing missing, duplicated or unexpected.
 */
const apple = { items: [{ sku: 'SKU-APPLE', quantity: 1 }], paymentMethod: 'visa' };

describe.each<BusTransport>(['nats', 'redis', 'grpc', 'tcp'])('crash points on %s', (transport) => {
  const system = new OrderSystem(transport);
  let total = 0;

  beforeAll(() => system.start());
  afterAll(() => system.stop());

  /**
   * Restarts `app` armed with `point`, places one order, and resolves once the app killed itself there, with the
   * placing still under way (wrapped: an async function returning a promise would wait for it).
   */
  async function crashAt(app: 'orders' | 'inventory', point: string, prefix: string): Promise<{ placing: Promise<PlacedOrders> }> {
    await system.app(app).stop();
    await system.restart(app, { CRASH_POINT: point });
    const placing = system.placeMany(1, { prefix: `${prefix}-${transport}`, concurrency: 1, body: () => apple, withinMs: 60_000 });
    expect(await system.exited(app)).toBe('SIGKILL');
    expect(system.app(app).logs).toContain(`CRASH_POINT ${point}`);
    return { placing };
  }

  async function restartAndReconcile(app: 'orders' | 'inventory', placing: Promise<PlacedOrders>): Promise<string> {
    await system.restart(app, { CRASH_POINT: undefined });
    const placed = await placing;
    total += 1;
    const { report } = await system.reconciled(60_000);
    expect(report.findings).toEqual([]);
    expect(report.stuck).toEqual([]);
    expect(report.orders).toMatchObject({ total, PENDING: 0, CONFIRMED: total });
    expect(report.stock?.filter((s) => !s.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    return [...placed.orders.values()][0];
  }

  const read = <T>(app: 'orders' | 'payments' | 'inventory', sql: string, ...params: unknown[]): T[] => {
    const db = new Database(system.databaseFile(app), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };

  it('orders dies after the outbox commit, before the publish: the row is unsent, then published once', async () => {
    const { placing } = await crashAt('orders', 'outbox.before-publish', 'crash-outbox');
    const unsent = read<{ type: string }>('orders', 'SELECT type FROM outbox WHERE sent_at IS NULL');
    expect(unsent.map((row) => row.type)).toContain('orders.v1.OrderPlaced');
    const orderId = await restartAndReconcile('orders', placing);
    expect(read('orders', "SELECT id FROM outbox WHERE sent_at IS NULL AND body LIKE ?", `%${orderId}%`)).toEqual([]);
  });

  it('orders dies after payments captured the charge, before the saga records it: charged once in the end', async () => {
    const { placing } = await crashAt('orders', 'saga.after-charge', 'crash-charge');
    const charging = read<{ order_id: string }>('orders', "SELECT order_id FROM order_sagas WHERE state = 'CHARGING'");
    expect(charging).toHaveLength(1);
    const orderId = charging[0].order_id;
    expect(read('payments', "SELECT order_id FROM payments WHERE order_id = ? AND status = 'CAPTURED'", orderId)).toHaveLength(1);
    expect(await restartAndReconcile('orders', placing)).toBe(orderId);
    expect(read('payments', 'SELECT order_id FROM payments WHERE order_id = ?', orderId)).toHaveLength(1);
  });

  it('inventory dies after committing the reservation, before answering: reserved once in the end', async () => {
    const { placing } = await crashAt('inventory', 'inventory.after-reserve', 'crash-reserve');
    const reserving = read<{ order_id: string }>('orders', "SELECT order_id FROM order_sagas WHERE state = 'RESERVING'");
    expect(reserving).toHaveLength(1);
    const orderId = reserving[0].order_id;
    expect(read('inventory', "SELECT order_id FROM reservations WHERE order_id = ? AND status = 'RESERVED'", orderId)).toHaveLength(1);
    expect(await restartAndReconcile('inventory', placing)).toBe(orderId);
    expect(read('inventory', 'SELECT order_id FROM reservations WHERE order_id = ?', orderId)).toHaveLength(1);
  });
});
