import { Injectable } from '@nestjs/common';
import { InventoryV1, NotificationsV1, OrderStatus, PaymentsV1 } from '@app/contracts';
import { InjectClient, ServiceClient } from '@app/transport';
import { OrderRepository } from '../order.repository';
import { SagaStore } from '../saga/saga.store';
import { Finding, OrderEffects, reconcileOrder } from './order-effects';

/** Order ids per batch call to another service (the contracts' limit). */
const BATCH = 100;
/** Batches in flight at once. */
const PARALLEL_BATCHES = 4;
/** Findings listed in a report; the counts cover all of them. */
const MAX_LISTED = 1000;

export interface ReconciliationOptions {
  /** Only orders created at or after this ISO time; the stock check needs every order, so it runs only without it. */
  since?: string;
  /** A PENDING order younger than this is in progress, not missing anything yet. */
  graceMs: number;
}

export interface StockCheck {
  sku: string;
  /** What inventory counts as reserved. */
  reserved: number;
  /** The sum of the RESERVED reservations of orders' items. */
  heldByOrders: number;
  ok: boolean;
}

export interface ReconciliationReport {
  checkedAt: string;
  orders: Record<OrderStatus, number> & { total: number };
  /** PENDING orders past the grace period: still in progress when they should have finished. */
  stuck: { orderId: string; createdAt: string; sagaState?: string; lastError?: string }[];
  missing: number;
  duplicated: number;
  unexpected: number;
  findings: Finding[];
  findingsTruncated: boolean;
  stock?: StockCheck[];
  ok: boolean;
}

/**
 * Counts, per order, what every service holds for it (its reservation in inventory, its payment in payments, its
 * notifications) against what the order's status calls for (reconcileOrder), and checks that inventory's reserved
 * stock is exactly what orders hold. The pass criterion of the consistency tests, and an operator's check.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly sagas: SagaStore,
    @InjectClient(InventoryV1) private readonly inventory: ServiceClient<typeof InventoryV1>,
    @InjectClient(PaymentsV1) private readonly payments: ServiceClient<typeof PaymentsV1>,
    @InjectClient(NotificationsV1) private readonly notifications: ServiceClient<typeof NotificationsV1>,
  ) {}

  async reconcile(options: ReconciliationOptions): Promise<ReconciliationReport> {
    const started = Date.now();
    const orders = this.orders.list(options.since);
    const effects = await this.effectsOf(orders.map((o) => o.id));
    const counts = { total: orders.length, PENDING: 0, CONFIRMED: 0, REJECTED: 0 };
    const findings: Finding[] = [];
    const stuck: ReconciliationReport['stuck'] = [];
    const held = new Map<string, number>();
    for (const order of orders) {
      counts[order.status]++;
      const settled = started - Date.parse(order.createdAt) > options.graceMs;
      const mine = effects.get(order.id)!;
      findings.push(...reconcileOrder(order, mine, settled));
      if (order.status === 'PENDING' && settled) {
        const saga = this.sagas.get(order.id);
        stuck.push({ orderId: order.id, createdAt: order.createdAt, sagaState: saga?.state, lastError: saga?.lastError });
      }
      for (const reservation of mine.reservations) {
        if (reservation.status !== 'RESERVED') continue;
        for (const line of reservation.lines) held.set(line.sku, (held.get(line.sku) ?? 0) + line.quantity);
      }
    }
    const stock = options.since === undefined ? await this.checkStock(held) : undefined;
    const tally = (kind: Finding['kind']) => findings.filter((f) => f.kind === kind).length;
    const report: ReconciliationReport = {
      checkedAt: new Date(started).toISOString(),
      orders: counts,
      stuck,
      missing: tally('missing'),
      duplicated: tally('duplicated'),
      unexpected: tally('unexpected'),
      findings: findings.slice(0, MAX_LISTED),
      findingsTruncated: findings.length > MAX_LISTED,
      ...(stock ? { stock } : {}),
      ok: false,
    };
    report.ok = findings.length === 0 && stuck.length === 0 && (stock ?? []).every((s) => s.ok);
    return report;
  }

  /** Every order's effects, fetched in batches from the three services. */
  private async effectsOf(orderIds: string[]): Promise<Map<string, OrderEffects>> {
    const effects = new Map<string, OrderEffects>(orderIds.map((id) => [id, { reservations: [], payments: [], notifications: [] }]));
    const batches: string[][] = [];
    for (let i = 0; i < orderIds.length; i += BATCH) batches.push(orderIds.slice(i, i + BATCH));
    const fetchBatch = async (ids: string[]) => {
      const [reservations, payments, notifications] = await Promise.all([
        this.inventory.listReservations({ orderIds: ids }),
        this.payments.listPayments({ orderIds: ids }),
        this.notifications.listOrderNotifications({ orderIds: ids }),
      ]);
      for (const r of reservations.items) effects.get(r.orderId)?.reservations.push(r);
      for (const p of payments.items) effects.get(p.orderId)?.payments.push(p);
      for (const n of notifications.items) effects.get(n.orderId)?.notifications.push(n);
    };
    for (let i = 0; i < batches.length; i += PARALLEL_BATCHES) {
      await Promise.all(batches.slice(i, i + PARALLEL_BATCHES).map(fetchBatch));
    }
    return effects;
  }

  private async checkStock(held: Map<string, number>): Promise<StockCheck[]> {
    const { items } = await this.inventory.listStock({});
    return items.map((level) => {
      const heldByOrders = held.get(level.sku) ?? 0;
      return { sku: level.sku, reserved: level.reserved, heldByOrders, ok: level.reserved === heldByOrders };
    });
  }
}
