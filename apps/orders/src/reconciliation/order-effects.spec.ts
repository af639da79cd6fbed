import type { Notification, Payment, ReservationRecord } from '@app/contracts';
import { OrderEffects, reconcileOrder, ReconciledOrder } from './order-effects';

const order = (status: ReconciledOrder['status'], totalCents = 1098): ReconciledOrder => ({
  id: 'o-1',
  status,
  totalCents,
  items: [{ sku: 'SKU-TEA', quantity: 2 }],
});
const reservation = (status: ReservationRecord['status'] = 'RESERVED'): ReservationRecord => ({
  orderId: 'o-1',
  status,
  lines: status === 'RESERVED' ? [{ sku: 'SKU-TEA', quantity: 2, unitPriceCents: 549 }] : [],
  totalCents: status === 'RESERVED' ? 1098 : 0,
});
const payment = (status: Payment['status'] = 'CAPTURED', amountCents = 1098): Payment => ({
  paymentId: 'p-1',
  orderId: 'o-1',
  amountCents,
  currency: 'EUR',
  status,
});
let n = 0;
const note = (status: string): Notification => ({ id: `n-${++n}`, customerId: 'c', orderId: 'o-1', status, createdAt: '2026-11-26T08:00:00.000Z' });
const effects = (partial: Partial<OrderEffects>): OrderEffects => ({ reservations: [], payments: [], notifications: [], ...partial });
const summary = (findings: ReturnType<typeof reconcileOrder>) => findings.map((f) => `${f.kind} ${f.effect}`);

describe('reconcileOrder', () => {
  it('finds nothing wrong with a confirmed order that has each effect once', () => {
    const found = reconcileOrder(order('CONFIRMED'), effects({ reservations: [reservation()], payments: [payment()], notifications: [note('PENDING'), note('CONFIRMED')] }));
    expect(found).toEqual([]);
  });

  it('reports what a confirmed order misses, and a wrong amount or lines', () => {
    expect(summary(reconcileOrder(order('CONFIRMED'), effects({})))).toEqual([
      'missing notification:PENDING',
      'missing notification:CONFIRMED',
      'missing reservation',
      'missing payment',
    ]);
    const wrong = effects({
      reservations: [{ ...reservation(), lines: [{ sku: 'SKU-TEA', quantity: 3, unitPriceCents: 549 }] }],
      payments: [payment('CAPTURED', 999)],
      notifications: [note('PENDING'), note('CONFIRMED')],
    });
    expect(summary(reconcileOrder(order('CONFIRMED'), wrong))).toEqual(['unexpected reservation', 'unexpected payment']);
  });

  it('reports duplicated notifications', () => {
    const found = reconcileOrder(
      order('CONFIRMED'),
      effects({ reservations: [reservation()], payments: [payment()], notifications: [note('PENDING'), note('CONFIRMED'), note('CONFIRMED')] }),
    );
    expect(found).toEqual([{ orderId: 'o-1', kind: 'duplicated', effect: 'notification:CONFIRMED', detail: '2 CONFIRMED notifications' }]);
  });

  it('accepts a rejected order with its stock released and its payment voided or refunded, and flags money or stock kept', () => {
    const notes = [note('PENDING'), note('REJECTED')];
    expect(reconcileOrder(order('REJECTED', 0), effects({ reservations: [reservation('RELEASED')], notifications: notes }))).toEqual([]);
    expect(reconcileOrder(order('REJECTED', 0), effects({ payments: [payment('REFUNDED')], notifications: notes }))).toEqual([]);
    expect(summary(reconcileOrder(order('REJECTED', 0), effects({ reservations: [reservation()], payments: [payment()], notifications: notes })))).toEqual([
      'unexpected reservation',
      'unexpected payment',
    ]);
    expect(summary(reconcileOrder(order('REJECTED', 0), effects({ notifications: [note('PENDING'), note('REJECTED'), note('CONFIRMED')] })))).toEqual([
      'unexpected notification:CONFIRMED',
    ]);
  });

  it('gives a young PENDING order time for its first notification, not an old one', () => {
    expect(reconcileOrder(order('PENDING', 0), effects({}), false)).toEqual([]);
    expect(summary(reconcileOrder(order('PENDING', 0), effects({}), true))).toEqual(['missing notification:PENDING']);
  });
});
