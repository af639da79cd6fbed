import type { Metadata } from '@app/transport';
import type { EventBus, OutgoingEvent, Subscription, SubscriptionHandle, TapHandle, TapListener } from './event-bus';

/** Adds to an outgoing event's metadata as it is handed to the bus (e.g. a fresh service token). */
export type EventMetadataStamp = (metadata: Readonly<Metadata>) => Metadata;

/**
 * An event bus that stamps every event it publishes — from the EventPublisher and from the outbox relay alike — so
 * nothing stamped (such as a token) is ever stored in an outbox row, and a relayed event carries a fresh stamp.
 */
export class StampedEventBus implements EventBus {
  constructor(
    private readonly inner: EventBus,
    private readonly stamps: readonly EventMetadataStamp[],
  ) {}

  get name() {
    return this.inner.name;
  }

  publish(event: OutgoingEvent): Promise<void> {
    return this.inner.publish({ ...event, metadata: this.stamps.reduce((metadata, stamp) => stamp(metadata), event.metadata) });
  }

  subscribe(subscription: Subscription): Promise<SubscriptionHandle> {
    return this.inner.subscribe(subscription);
  }

  tap(types: readonly string[], onEvent: TapListener): Promise<TapHandle> {
    return this.inner.tap(types, onEvent);
  }

  start(): void {
    this.inner.start?.();
  }

  checkReady(): void {
    this.inner.checkReady?.();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
