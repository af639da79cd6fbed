import { Injectable } from '@nestjs/common';
import type { Reservation, StockLevel } from '@app/contracts';
import { RpcError, StatusCode } from '@app/transport';

interface Item {
  available: number;
  reserved: number;
  unitPriceCents: number;
}

/** The SKUs a fresh inventory starts with: ample stock, so a demo order succeeds. */
export const SEED_STOCK: Record<string, { available: number; unitPriceCents: number }> = {
  'SKU-APPLE': { available: 1000, unitPriceCents: 120 },
  'SKU-BREAD': { available: 500, unitPriceCents: 250 },
  'SKU-COFFEE': { available: 300, unitPriceCents: 899 },
  'SKU-TEA': { available: 300, unitPriceCents: 549 },
  'SKU-MUG': { available: 50, unitPriceCents: 1200 },
};

/**
 * Stock levels and reservations, in memory. Reserve is all-or-nothing and idempotent per order; release gives a
 * reservation back once. (Durable storage comes with the order-flow issue.)
 */
@Injectable()
export class StockStore {
  private readonly items = new Map<string, Item>(
    Object.entries(SEED_STOCK).map(([sku, s]) => [sku, { available: s.available, reserved: 0, unitPriceCents: s.unitPriceCents }]),
  );
  private readonly reservations = new Map<string, Reservation>();

  level(sku: string): StockLevel {
    const item = this.items.get(sku);
    if (!item) throw new RpcError(StatusCode.NOT_FOUND, `unknown sku ${sku}`, { sku });
    return { sku, ...item };
  }

  list(): StockLevel[] {
    return [...this.items.keys()].sort().map((sku) => this.level(sku));
  }

  reserve(orderId: string, lines: { sku: string; quantity: number }[]): Reservation {
    const existing = this.reservations.get(orderId);
    if (existing) return existing;
    const wanted = new Map<string, number>();
    for (const line of lines) wanted.set(line.sku, (wanted.get(line.sku) ?? 0) + line.quantity);
    for (const [sku, quantity] of wanted) {
      const item = this.items.get(sku);
      if (!item) throw new RpcError(StatusCode.NOT_FOUND, `unknown sku ${sku}`, { sku });
      if (item.available < quantity) {
        throw new RpcError(StatusCode.FAILED_PRECONDITION, `insufficient stock for ${sku}`, {
          sku,
          requested: quantity,
          available: item.available,
        });
      }
    }
    const reserved = [...wanted].map(([sku, quantity]) => {
      const item = this.items.get(sku)!;
      item.available -= quantity;
      item.reserved += quantity;
      return { sku, quantity, unitPriceCents: item.unitPriceCents };
    });
    const reservation = {
      orderId,
      lines: reserved,
      totalCents: reserved.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
    };
    this.reservations.set(orderId, reservation);
    return reservation;
  }

  /** Gives a reservation's stock back; false when there was nothing (left) to release. */
  release(orderId: string): boolean {
    const reservation = this.reservations.get(orderId);
    if (!reservation) return false;
    this.reservations.delete(orderId);
    for (const line of reservation.lines) {
      const item = this.items.get(line.sku)!;
      item.available += line.quantity;
      item.reserved -= line.quantity;
    }
    return true;
  }
}
