import type { Metadata } from '@app/transport';

export interface RecordedDelivery {
  n: number;
  eventId: string;
  deliveryCount: number;
  instance: string;
  at: number;
  metadata: Metadata;
  correlationId?: string;
  traceparent?: string;
  callerToken?: string;
}

/**
 * What the consumers of one test saw, and how they should behave: fail the first deliveries of some events,
 * or every delivery of others.
 */
export class EventRecorder {
  readonly deliveries: RecordedDelivery[] = [];
  /** Event n -> how many of its first deliveries fail. */
  readonly failFirst = new Map<number, number>();
  readonly alwaysFail = new Set<number>();

  record(delivery: RecordedDelivery): void {
    this.deliveries.push(delivery);
    const failures = this.failFirst.get(delivery.n) ?? 0;
    if (this.alwaysFail.has(delivery.n) || delivery.deliveryCount <= failures) {
      throw new Error(`induced failure of event ${delivery.n} (delivery ${delivery.deliveryCount})`);
    }
  }

  /** Deliveries that succeeded (the handler returned), one per handled event. */
  handled(): RecordedDelivery[] {
    return this.deliveries.filter(
      (d) => !this.alwaysFail.has(d.n) && d.deliveryCount > (this.failFirst.get(d.n) ?? 0),
    );
  }

  of(n: number): RecordedDelivery[] {
    return this.deliveries.filter((d) => d.n === n);
  }

  async waitFor(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.deliveries.length} deliveries`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
