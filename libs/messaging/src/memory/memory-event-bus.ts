import { Logger } from '@nestjs/common';
import type { DeliveredEvent, EventBus, OutgoingEvent, Subscription, SubscriptionHandle, TapHandle, TapListener } from '../bus/event-bus';
import type { EventBusConfig } from '../config/event-bus-config';
import { InFlight } from '@app/transport';
import { MemoryEventBroker } from './memory-event-broker';
import { TapQueue } from '../tap/tap-queue';

/** The event bus of the one-process mode: same fan-out, competition, retries and de-duplication as the others. */
export class MemoryEventBus implements EventBus {
  readonly name = 'memory' as const;
  private readonly broker: MemoryEventBroker;
  private readonly handles = new Set<SubscriptionHandle>();
  private readonly log = new Logger('MemoryEventBus');

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

  /** A listener on the broker: events of `types` published from now on, in order; detached on close. */
  async tap(types: readonly string[], onEvent: TapListener): Promise<TapHandle> {
    const queue = new TapQueue(onEvent, this.log);
    const detach = this.broker.tap(types, (event) => queue.push(event));
    const handle: TapHandle = {
      close: async () => {
        detach();
        this.handles.delete(handle);
        await queue.close();
      },
    };
    this.handles.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    await Promise.all([...this.handles].map((h) => h.close()));
  }
}
