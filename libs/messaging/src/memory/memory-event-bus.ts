import type { DeliveredEvent, EventBus, OutgoingEvent, Subscription, SubscriptionHandle } from '../bus/event-bus';
import type { EventBusConfig } from '../config/event-bus-config';
import { InFlight } from '@app/transport';
import { MemoryEventBroker } from './memory-event-broker';

/** The event bus of the one-process mode: same fan-out, competition, retries and de-duplication as the others. */
export class MemoryEventBus implements EventBus {
  readonly name = 'memory' as const;
  private readonly broker: MemoryEventBroker;
  private readonly handles = new Set<SubscriptionHandle>();

  constructor(config: EventBusConfig) {
    this.broker = config.memoryBroker ?? MemoryEventBroker.shared;
  }

  async publish(event: OutgoingEvent): Promise<void> {
    this.broker.publish(event);
  }

  async subscribe(subscription: Subscription): Promise<SubscriptionHandle> {
    const { broker } = this;
    const inFlight = new InFlight();
    let closed = false;
    const run = async (event: DeliveredEvent) => {
      const outcome = await subscription.handle(event).catch(() => 'retry' as const);
      if (outcome === 'retry') broker.retry(subscription.group, event, subscription.retryDelayMs(event.deliveryCount));
    };
    const detach = broker.attach(subscription.group, subscription.types, {
      hasRoom: () => !closed && inFlight.size < subscription.concurrency,
      deliver: (event) =>
        void inFlight.track(() => run(event)).then(() => {
          if (!closed) broker.pumpGroup(subscription.group);
        }),
    });
    const handle: SubscriptionHandle = {
      close: async () => {
        if (closed) return;
        closed = true;
        detach();
        this.handles.delete(handle);
        await inFlight.drain();
      },
    };
    this.handles.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    await Promise.all([...this.handles].map((h) => h.close()));
  }
}
