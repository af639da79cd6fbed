import type { OrderStatus } from '@app/contracts';

/** What a client's socket receives when one of its orders changes status. */
export interface OrderStatusEvent {
  type: 'order.status';
  /** The event's id on the bus: the resume point to send back as `lastEventId` after a reconnect. */
  id: string;
  orderId: string;
  status: OrderStatus;
  reason?: string;
  totalCents?: number;
  /** When it happened (the event's own time). */
  at: string;
}

/**
 * The last events of each customer, so a socket that reconnects with `lastEventId` gets what it missed. Bounded
 * twice: `perCustomer` events per customer (oldest dropped), and `customers` customers (the least recently
 * active dropped). Every gateway instance receives every event (its own tap), so any instance can resume
 * any client. A resume point that is no longer (or never was) in the buffer cannot be honoured exactly: the
 * caller then gets all that is kept and is told it may have missed older events.
 */
export class RecentOrderEvents {
  private readonly byCustomer = new Map<string, OrderStatusEvent[]>();

  constructor(
    private readonly perCustomer: number,
    private readonly customers: number,
  ) {}

  /** Records an event; false when it was already there (a redelivery), so it is not pushed twice. */
  add(customerId: string, event: OrderStatusEvent): boolean {
    const events = this.byCustomer.get(customerId) ?? [];
    if (events.some((e) => e.id === event.id)) return false;
    events.push(event);
    if (events.length > this.perCustomer) events.splice(0, events.length - this.perCustomer);
    // Map order is insertion order: re-inserting makes this customer the most recently active.
    this.byCustomer.delete(customerId);
    this.byCustomer.set(customerId, events);
    if (this.byCustomer.size > this.customers) this.byCustomer.delete(this.byCustomer.keys().next().value!);
    return true;
  }

  /**
   * The customer's events after `lastEventId`. `complete` is false when the id is not in the buffer: then
   * `events` is everything kept, and older events may be missing.
   */
  since(customerId: string, lastEventId: string): { events: OrderStatusEvent[]; complete: boolean } {
    const events = this.byCustomer.get(customerId) ?? [];
    const at = events.findIndex((e) => e.id === lastEventId);
    if (at < 0) return { events: [...events], complete: false };
    return { events: events.slice(at + 1), complete: true };
  }
}
