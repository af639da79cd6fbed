import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, SqliteDatabase } from '@app/storage';
import { RpcError, StatusCode } from '@app/transport';
import { OrderRepository } from './order.repository';
import { ORDERS_MIGRATIONS } from './orders.migrations';
import { PlaceOrderService } from './place-order.service';
import { SagaStore } from './saga/saga.store';
import { unpublishedOutbox } from './testing/unpublished-outbox';

describe('PlaceOrderService with idempotency keys (a real SQLite file)', () => {
  let dir: string;
  let file: string;
  const open: SqliteDatabase[] = [];

  /** One orders process: its own connection to the shared database file. */
  const service = () => {
    const db = openDatabase(file, ORDERS_MIGRATIONS);
    open.push(db);
    const outbox = unpublishedOutbox(db);
    return { db, orders: new PlaceOrderService(new OrderRepository(db), outbox, new SagaStore(db)) };
  };
  const count = (db: SqliteDatabase, sql: string, ...params: string[]) => (db.prepare(sql).get(...params) as { n: number }).n;
  const request = (customerId = 'alice', quantity = 1) => ({
    customerId,
    items: [{ sku: 'SKU-TEA', quantity }],
    paymentMethod: 'visa',
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-orders-idem-'));
    file = join(dir, 'orders.sqlite');
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the stored order for a second PlaceOrder with the same customer and key: one row, one OrderPlaced', () => {
    const { db, orders } = service();
    const first = orders.place(request(), 'key-1');
    const second = orders.place(request(), 'key-1');
    expect(second).toEqual(first);
    expect(first).not.toHaveProperty('idempotencyKey');
    expect(count(db, 'SELECT COUNT(*) AS n FROM orders')).toBe(1);
    expect(count(db, "SELECT COUNT(*) AS n FROM outbox WHERE type = 'orders.v1.OrderPlaced'")).toBe(1);
    expect(count(db, 'SELECT COUNT(*) AS n FROM orders WHERE idempotency_key = ?', 'key-1')).toBe(1);
  });

  it('sees the order placed by another process (another connection to the file)', () => {
    const a = service();
    const b = service();
    const first = a.orders.place(request(), 'shared');
    expect(b.orders.place(request(), 'shared').id).toBe(first.id);
    expect(count(b.db, 'SELECT COUNT(*) AS n FROM orders')).toBe(1);
  });

  it('keeps keys per customer, and orders without a key are never merged', () => {
    const { db, orders } = service();
    const alice = orders.place(request('alice'), 'same-key');
    const bob = orders.place(request('bob'), 'same-key');
    expect(bob.id).not.toBe(alice.id);
    expect(orders.place(request()).id).not.toBe(orders.place(request()).id);
    expect(count(db, 'SELECT COUNT(*) AS n FROM orders')).toBe(4);
  });

  it('refuses the same key for a different order with FAILED_PRECONDITION, storing nothing', () => {
    const { db, orders } = service();
    const first = orders.place(request('alice', 1), 'key-2');
    let error: unknown;
    try {
      orders.place(request('alice', 2), 'key-2');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: StatusCode.FAILED_PRECONDITION, details: { reason: 'IDEMPOTENCY_KEY_REUSED', orderId: first.id } });
    expect(count(db, 'SELECT COUNT(*) AS n FROM orders')).toBe(1);
    expect(count(db, 'SELECT COUNT(*) AS n FROM outbox')).toBe(1);
  });

  it('has a UNIQUE index on (customer_id, idempotency_key) for keyed orders only', () => {
    const { db } = service();
    const insert = db.prepare(
      "INSERT INTO orders (id, customer_id, status, items, payment_method, created_at, updated_at, idempotency_key) VALUES (?, ?, 'PENDING', '[]', 'visa', '', 0, ?)",
    );
    insert.run('o1', 'alice', 'k');
    expect(() => insert.run('o2', 'alice', 'k')).toThrow(/UNIQUE/);
    insert.run('o3', 'bob', 'k');
    insert.run('o4', 'alice', null);
    insert.run('o5', 'alice', null);
  });

  it('upgrades a database of the previous version in place (a new migration, existing orders keep no key)', () => {
    const old = openDatabase(file, ORDERS_MIGRATIONS.slice(0, -1));
    old.prepare(
      "INSERT INTO orders (id, customer_id, status, items, payment_method, created_at, updated_at) VALUES ('old', 'alice', 'CONFIRMED', '[]', 'visa', '', 0)",
    ).run();
    old.close();
    const { db, orders } = service();
    expect(db.pragma('user_version', { simple: true })).toBe(ORDERS_MIGRATIONS.length);
    expect(count(db, 'SELECT COUNT(*) AS n FROM orders WHERE id = ? AND idempotency_key IS NULL', 'old')).toBe(1);
    expect(orders.place(request(), 'new-key').id).toBe(orders.place(request(), 'new-key').id);
  });
});
