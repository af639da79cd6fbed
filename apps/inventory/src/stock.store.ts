import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InventoryEventsV1, Reservation, ReservationRecord, StockLevel } from '@app/contracts';
import { Outbox } from '@app/messaging';
import { DATABASE, SqliteDatabase } from '@app/storage';
import { RpcError, StatusCode } from '@app/transport';

/** The SKUs a fresh inventory starts with: ample stock, so a demo order succeeds. */
export const SEED_STOCK: Record<string, { available: number; unitPriceCents: number }> = {
  'SKU-APPLE': { available: 1000, unitPriceCents: 120 },
  'SKU-BREAD': { available: 500, unitPriceCents: 250 },
  'SKU-COFFEE': { available: 300, unitPriceCents: 899 },
  'SKU-TEA': { available: 300, unitPriceCents: 549 },
  'SKU-MUG': { available: 50, unitPriceCents: 1200 },
};

interface StockRow {
  sku: string;
  available: number;
  reserved: number;
  unit_price_cents: number;
}

const toLevel = (row: StockRow): StockLevel => ({
  sku: row.sku,
  available: row.available,
  reserved: row.reserved,
  unitPriceCents: row.unit_price_cents,
});

/**
 * Stock and reservations in inventory's SQLite database. Reserve is all-or-nothing and idempotent per order;
 * release gives a reservation back once. Each change and its event commit in one transaction (outbox).
 */
@Injectable()
export class StockStore implements OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: SqliteDatabase,
    private readonly outbox: Outbox,
  ) {}

  /** Seeds the catalog on first start. */
  onModuleInit(): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO stock (sku, available, reserved, unit_price_cents) VALUES (?, ?, 0, ?)');
    this.db.transaction(() => {
      for (const [sku, seed] of Object.entries(SEED_STOCK)) insert.run(sku, seed.available, seed.unitPriceCents);
    })();
  }

  level(sku: string): StockLevel {
    const row = this.db.prepare<[string], StockRow>('SELECT * FROM stock WHERE sku = ?').get(sku);
    if (!row) throw new RpcError(StatusCode.NOT_FOUND, `unknown sku ${sku}`, { sku });
    return toLevel(row);
  }

  list(): StockLevel[] {
    return this.db.prepare<[], StockRow>('SELECT * FROM stock ORDER BY sku').all().map(toLevel);
  }

  reserve(orderId: string, lines: { sku: string; quantity: number }[]): Reservation {
    return this.db.transaction(() => {
      const existing = this.reservation(orderId);
      if (existing) {
        if (existing.status === 'RELEASED') {
          throw new RpcError(StatusCode.FAILED_PRECONDITION, `reservation of order ${orderId} was released`, { orderId });
        }
        return existing.reservation;
      }
      const wanted = new Map<string, number>();
      for (const line of lines) wanted.set(line.sku, (wanted.get(line.sku) ?? 0) + line.quantity);
      const reserved = [...wanted].map(([sku, quantity]) => {
        const item = this.level(sku);
        if (item.available < quantity) {
          throw new RpcError(StatusCode.FAILED_PRECONDITION, `insufficient stock for ${sku}`, {
            sku,
            requested: quantity,
            available: item.available,
          });
        }
        return { sku, quantity, unitPriceCents: item.unitPriceCents };
      });
      const take = this.db.prepare('UPDATE stock SET available = available - ?, reserved = reserved + ? WHERE sku = ?');
      for (const line of reserved) take.run(line.quantity, line.quantity, line.sku);
      const reservation = { orderId, lines: reserved, totalCents: reserved.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0) };
      this.db
        .prepare("INSERT INTO reservations (order_id, lines, total_cents, status, created_at) VALUES (?, ?, ?, 'RESERVED', ?)")
        .run(orderId, JSON.stringify(reserved), reservation.totalCents, Date.now());
      this.outbox.add(InventoryEventsV1.stockReserved, { ...reservation, reservedAt: new Date().toISOString() });
      return reservation;
    }).immediate();
  }

  /**
   * Gives a reservation's stock back; false when there was nothing (left) to release. Releasing an order that has
   * no reservation yet leaves a RELEASED marker, so a Reserve for it still on its way (a call that timed out for
   * the caller) is refused instead of taking stock nobody will give back.
   */
  release(orderId: string): boolean {
    return this.db.transaction(() => {
      const existing = this.reservation(orderId);
      if (!existing) {
        this.db
          .prepare("INSERT INTO reservations (order_id, lines, total_cents, status, created_at) VALUES (?, '[]', 0, 'RELEASED', ?)")
          .run(orderId, Date.now());
        return false;
      }
      if (existing.status === 'RELEASED') return false;
      const give = this.db.prepare('UPDATE stock SET available = available + ?, reserved = reserved - ? WHERE sku = ?');
      for (const line of existing.reservation.lines) give.run(line.quantity, line.quantity, line.sku);
      this.db.prepare("UPDATE reservations SET status = 'RELEASED' WHERE order_id = ?").run(orderId);
      this.outbox.add(InventoryEventsV1.stockReleased, { orderId, releasedAt: new Date().toISOString() });
      return true;
    }).immediate();
  }

  /** The reservations kept for these orders (orders without one are left out). */
  reservations(orderIds: readonly string[]): ReservationRecord[] {
    const find = this.db.prepare<[string], { order_id: string; lines: string; total_cents: number; status: 'RESERVED' | 'RELEASED' }>(
      'SELECT order_id, lines, total_cents, status FROM reservations WHERE order_id = ?',
    );
    return [...new Set(orderIds)].flatMap((orderId) => {
      const row = find.get(orderId);
      return row ? [{ orderId, status: row.status, lines: JSON.parse(row.lines), totalCents: row.total_cents }] : [];
    });
  }

  private reservation(orderId: string): { reservation: Reservation; status: string } | undefined {
    const row = this.db
      .prepare<[string], { lines: string; total_cents: number; status: string }>(
        'SELECT lines, total_cents, status FROM reservations WHERE order_id = ?',
      )
      .get(orderId);
    return row && { reservation: { orderId, lines: JSON.parse(row.lines), totalCents: row.total_cents }, status: row.status };
  }
}
