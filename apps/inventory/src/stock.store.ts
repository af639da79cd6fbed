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
  /** Prepared once: preparing parses the SQL, a good part of a small transaction's cost. */
  private readonly statements;
  private readonly reserveOnce;
  private readonly releaseOnce;

  constructor(
    @Inject(DATABASE) private readonly db: SqliteDatabase,
    private readonly outbox: Outbox,
  ) {
    this.statements = {
      level: db.prepare<[string], StockRow>('SELECT * FROM stock WHERE sku = ?'),
      list: db.prepare<[], StockRow>('SELECT * FROM stock ORDER BY sku'),
      take: db.prepare('UPDATE stock SET available = available - ?, reserved = reserved + ? WHERE sku = ?'),
      give: db.prepare('UPDATE stock SET available = available + ?, reserved = reserved - ? WHERE sku = ?'),
      reservation: db.prepare<[string], { lines: string; total_cents: number; status: 'RESERVED' | 'RELEASED' }>(
        'SELECT lines, total_cents, status FROM reservations WHERE order_id = ?',
      ),
      reserved: db.prepare("INSERT INTO reservations (order_id, lines, total_cents, status, created_at) VALUES (?, ?, ?, 'RESERVED', ?)"),
      releasedMarker: db.prepare("INSERT INTO reservations (order_id, lines, total_cents, status, created_at) VALUES (?, '[]', 0, 'RELEASED', ?)"),
      released: db.prepare("UPDATE reservations SET status = 'RELEASED' WHERE order_id = ?"),
    };
    this.reserveOnce = db.transaction((orderId: string, lines: { sku: string; quantity: number }[]) => this.reserveIn(orderId, lines));
    this.releaseOnce = db.transaction((orderId: string) => this.releaseIn(orderId));
  }

  /** Seeds the catalog on first start. */
  onModuleInit(): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO stock (sku, available, reserved, unit_price_cents) VALUES (?, ?, 0, ?)');
    this.db.transaction(() => {
      for (const [sku, seed] of Object.entries(SEED_STOCK)) insert.run(sku, seed.available, seed.unitPriceCents);
    })();
  }

  level(sku: string): StockLevel {
    const row = this.statements.level.get(sku);
    if (!row) throw new RpcError(StatusCode.NOT_FOUND, `unknown sku ${sku}`, { sku });
    return toLevel(row);
  }

  list(): StockLevel[] {
    return this.statements.list.all().map(toLevel);
  }

  reserve(orderId: string, lines: { sku: string; quantity: number }[]): Reservation {
    return this.reserveOnce.immediate(orderId, lines);
  }

  private reserveIn(orderId: string, lines: { sku: string; quantity: number }[]): Reservation {
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
    for (const line of reserved) this.statements.take.run(line.quantity, line.quantity, line.sku);
    const reservation = { orderId, lines: reserved, totalCents: reserved.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0) };
    this.statements.reserved.run(orderId, JSON.stringify(reserved), reservation.totalCents, Date.now());
    this.outbox.add(InventoryEventsV1.stockReserved, { ...reservation, reservedAt: new Date().toISOString() });
    return reservation;
  }

  /**
   * Gives a reservation's stock back; false when there was nothing (left) to release. Releasing an order that has
   * no reservation yet leaves a RELEASED marker, so a Reserve for it still on its way (a call that timed out for
   * the caller) is refused instead of taking stock nobody will give back.
   */
  release(orderId: string): boolean {
    return this.releaseOnce.immediate(orderId);
  }

  private releaseIn(orderId: string): boolean {
    const existing = this.reservation(orderId);
    if (!existing) {
      this.statements.releasedMarker.run(orderId, Date.now());
      return false;
    }
    if (existing.status === 'RELEASED') return false;
    for (const line of existing.reservation.lines) this.statements.give.run(line.quantity, line.quantity, line.sku);
    this.statements.released.run(orderId);
    this.outbox.add(InventoryEventsV1.stockReleased, { orderId, releasedAt: new Date().toISOString() });
    return true;
  }

  /** The reservations kept for these orders (orders without one are left out). */
  reservations(orderIds: readonly string[]): ReservationRecord[] {
    return [...new Set(orderIds)].flatMap((orderId) => {
      const row = this.statements.reservation.get(orderId);
      return row ? [{ orderId, status: row.status, lines: JSON.parse(row.lines), totalCents: row.total_cents }] : [];
    });
  }

  private reservation(orderId: string): { reservation: Reservation; status: string } | undefined {
    const row = this.statements.reservation.get(orderId);
    return row && { reservation: { orderId, lines: JSON.parse(row.lines), totalCents: row.total_cents }, status: row.status };
  }
}
