import type { Notification, OrderStatus, Payment, ReservationRecord } from '@app/contracts';

/** An effect of an order in another service. */
export type Effect = 'reservation' | 'payment' | `notification:${OrderStatus}`;

/**
 * A discrepancy: an effect the order's status calls for that is not there (`missing`), there more than once
 * (`duplicated`), or there when the status rules it out (`unexpected`: stock still held or money still taken for a
 * rejected order).
 */
export interface Finding {
  orderId: string;
  kind: 'missing' | 'duplicated' | 'unexpected';
  effect: Effect;
  detail: string;
}

/** What the other services hold for one order. */
export interface OrderEffects {
  reservations: ReservationRecord[];
  payments: Payment[];
  notifications: Notification[];
}

export interface ReconciledOrder {
  id: string;
  status: OrderStatus;
  totalCents: number;
  items: { sku: string; quantity: number }[];
}

/**
 * The effects each final status calls for:
 * - CONFIRMED: one RESERVED reservation of the order's items, one CAPTURED payment of its total, and one PENDING
 *   and one CONFIRMED notification;
 * - REJECTED: no stock held (no reservation, or RELEASED), no money taken (no payment, or REFUNDED), one PENDING
 *   and one REJECTED notification;
 * - PENDING: in progress; only its PENDING notification is checked (it may still be on its way: `missing` only
 *   once the order is older than the caller's grace period, which the caller decides by passing `settled`).
 */
export function reconcileOrder(order: ReconciledOrder, effects: OrderEffects, settled = true): Finding[] {
  const findings: Finding[] = [];
  const found = (kind: Finding['kind'], effect: Effect, detail: string) => findings.push({ orderId: order.id, kind, effect, detail });
  const once = <T>(effect: Effect, items: T[], describe: string) => {
    if (items.length === 0) found('missing', effect, `no ${describe}`);
    else if (items.length > 1) found('duplicated', effect, `${items.length} ${describe}s`);
  };

  const notified = (status: OrderStatus) => effects.notifications.filter((n) => n.status === status);
  if (order.status !== 'PENDING' || settled) once('notification:PENDING', notified('PENDING'), 'PENDING notification');
  for (const status of ['CONFIRMED', 'REJECTED'] as const) {
    if (order.status === status) once(`notification:${status}`, notified(status), `${status} notification`);
    else if (notified(status).length > 0) found('unexpected', `notification:${status}`, `a ${status} notification for a ${order.status} order`);
  }
  if (effects.reservations.length > 1) found('duplicated', 'reservation', `${effects.reservations.length} reservations`);
  if (effects.payments.length > 1) found('duplicated', 'payment', `${effects.payments.length} payments`);
  const reservation = effects.reservations[0];
  const payment = effects.payments[0];

  if (order.status === 'CONFIRMED') {
    if (!reservation || reservation.status !== 'RESERVED') {
      found('missing', 'reservation', reservation ? `reservation is ${reservation.status}` : 'no reservation');
    } else if (!sameItems(order.items, reservation.lines)) {
      found('unexpected', 'reservation', 'reserved lines differ from the order items');
    }
    if (!payment || payment.status !== 'CAPTURED') found('missing', 'payment', payment ? `payment is ${payment.status}` : 'no captured payment');
    else if (payment.amountCents !== order.totalCents) {
      found('unexpected', 'payment', `captured ${payment.amountCents} cents for an order of ${order.totalCents}`);
    }
  } else if (order.status === 'REJECTED') {
    if (reservation?.status === 'RESERVED') found('unexpected', 'reservation', 'stock still reserved for a rejected order');
    if (payment?.status === 'CAPTURED') found('unexpected', 'payment', `${payment.amountCents} cents captured for a rejected order`);
  }
  return findings;
}

/** The same quantity per SKU. */
function sameItems(items: { sku: string; quantity: number }[], lines: { sku: string; quantity: number }[]): boolean {
  const count = (list: { sku: string; quantity: number }[]) => {
    const totals = new Map<string, number>();
    for (const { sku, quantity } of list) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
    return totals;
  };
  const a = count(items);
  const b = count(lines);
  return a.size === b.size && [...a].every(([sku, quantity]) => b.get(sku) === quantity);
}
