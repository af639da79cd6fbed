import { Inject, Injectable } from '@nestjs/common';
import type { Order, OrderStatus } from '@app/contracts';
import { DATABASE, SqliteDatabase } from '@app/storage';

export interface StoredOrder extends Order {
  paymentMethod: string;
  /** The Idempotency-Key the customer placed it with, if any (unique per customer). */
  idempotencyKey?: string;
}

/** The order as callers see it: without what only orders keeps (payment method, idempotency key). */
export function visibleOrder(order: StoredOrder): Order {
  const { paymentMethod: _, idempotencyKey: __, ...visible } = order;
  return visible;
}

interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  items: string;
  payment_method: string;
  total_cents: number;
  reason: string | null;
  created_at: string;
  idempotency_key: string | null;
}

const toOrder = (row: OrderRow): StoredOrder => ({
  id: row.id,
  customerId: row.customer_id,
  status: row.status,
  items: JSON.parse(row.items),
  totalCents: row.total_cents,
  ...(row.reason === null ? {} : { reason: row.reason }),
  createdAt: row.created_at,
  paymentMethod: row.payment_method,
  ...(row.idempotency_key === null ? {} : { idempotencyKey: row.idempotency_key }),
});

/** Orders in orders' SQLite database. Callers wrap writes and their outbox events in one transaction. */
@Injectable()
export class OrderRepository {
  /** Prepared once: they run for every order. */
  private readonly statements;

  constructor(@Inject(DATABASE) readonly db: SqliteDatabase) {
    this.statements = {
      insert: db.prepare(
        'INSERT INTO orders (id, customer_id, status, items, payment_method, total_cents, reason, created_at, updated_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      finish: db.prepare("UPDATE orders SET status = ?, total_cents = ?, reason = ?, updated_at = ? WHERE id = ? AND status = 'PENDING'"),
      byKey: db.prepare<[string, string], OrderRow>('SELECT * FROM orders WHERE customer_id = ? AND idempotency_key = ?'),
      byId: db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE id = ?'),
      since: db.prepare<[string], OrderRow>('SELECT * FROM orders WHERE created_at >= ? ORDER BY created_at, id'),
    };
  }

  insert(order: StoredOrder): void {
    this.statements.insert.run(
      order.id,
      order.customerId,
      order.status,
      JSON.stringify(order.items),
      order.paymentMethod,
      order.totalCents,
      order.reason ?? null,
      order.createdAt,
      Date.now(),
      order.idempotencyKey ?? null,
    );
  }

  /** Moves a PENDING order to a final status; false when it was not PENDING any more. */
  finish(id: string, status: 'CONFIRMED' | 'REJECTED', totalCents: number, reason?: string): boolean {
    return this.statements.finish.run(status, totalCents, reason ?? null, Date.now(), id).changes === 1;
  }

  /** The order a customer placed with an Idempotency-Key, if any. */
  findByIdempotencyKey(customerId: string, key: string): StoredOrder | undefined {
    const row = this.statements.byKey.get(customerId, key);
    return row && toOrder(row);
  }

  /** Every order, or those created at or after `since` (ISO time), oldest first. */
  list(since = ''): StoredOrder[] {
    return this.statements.since.all(since).map(toOrder);
  }

  find(id: string): StoredOrder | undefined {
    const row = this.statements.byId.get(id);
    return row && toOrder(row);
  }
}
