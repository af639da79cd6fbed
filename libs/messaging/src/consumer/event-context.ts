import type { EventRef } from '@app/contracts';
import { CallContext, Metadata } from '@app/transport';
import type { EventBusName } from '../bus/event-bus';

/**
 * What an event handler knows about the event it handles: the CallContext view of its metadata (correlation id,
 * trace context, caller token), plus the event's id and how many times it has been delivered. Calls made while
 * handling it inherit its correlation id and trace context.
 */
export class EventContext extends CallContext {
  constructor(
    readonly eventId: string,
    readonly eventRef: EventRef | undefined,
    readonly type: string,
    readonly bus: EventBusName,
    metadata: Metadata,
    readonly deliveryCount: number,
    /** When the broker stored the event (epoch ms), if the bus tells. */
    readonly publishedAt?: number,
  ) {
    super(type, bus, metadata);
  }

  override get requestSchema() {
    return this.eventRef?.schema;
  }
}
