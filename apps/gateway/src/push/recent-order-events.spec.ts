import { OrderStatusEvent, RecentOrderEvents } from './recent-order-events';

const event = (id: string, orderId = 'o1'): OrderStatusEvent => ({
  type: 'order.status',
  id,
  orderId,
  status: 'PENDING',
  at: '2026-11-26T08:00:00.000Z',
});

describe('RecentOrderEvents', () => {
  it('gives the events after a resume point, per customer', () => {
    const recent = new RecentOrderEvents(10, 10);
    recent.add('alice', event('1'));
    recent.add('bob', event('2'));
    recent.add('alice', event('3'));
    recent.add('alice', event('4'));
    expect(recent.since('alice', '1')).toEqual({ events: [event('3'), event('4')], complete: true });
    expect(recent.since('alice', '4')).toEqual({ events: [], complete: true });
    expect(recent.since('bob', '1')).toEqual({ events: [event('2')], complete: false });
  });

  it('drops a redelivered event', () => {
    const recent = new RecentOrderEvents(10, 10);
    expect(recent.add('alice', event('1'))).toBe(true);
    expect(recent.add('alice', event('1'))).toBe(false);
    expect(recent.since('alice', 'x').events).toHaveLength(1);
  });

  it('keeps at most perCustomer events and at most `customers` customers (least recently active dropped)', () => {
    const recent = new RecentOrderEvents(2, 2);
    for (const id of ['1', '2', '3']) recent.add('alice', event(id));
    expect(recent.since('alice', 'none')).toEqual({ events: [event('2'), event('3')], complete: false });
    recent.add('bob', event('4'));
    recent.add('alice', event('5'));
    recent.add('carol', event('6'));
    expect(recent.since('bob', 'none').events).toEqual([]);
    expect(recent.since('alice', '3').events).toEqual([event('5')]);
  });
});
