import type { DeliveredEvent, EventBusName } from '../bus/event-bus';
import { EventContext } from '../consumer/event-context';
import { declaredEvent } from '../consumer/on-event.decorator';

/**
 * The context of an operator's replay of a dead letter: the original event (same id, so handlers that are
 * idempotent per event id stay so) run once more in this process. `publishedAt` is unset, so a guard checks the
 * replay's fresh token now; the original broker time is `originallyPublishedAt`. `replayOf` marks the replay: only
 * this process creates such a context (never the bus), after an authenticated admin asked for it.
 */
export class ReplayedEventContext extends EventContext {
  readonly replayOf: string;

  constructor(
    event: DeliveredEvent,
    bus: EventBusName,
    readonly originallyPublishedAt: number | undefined,
  ) {
    super(event.id, declaredEvent(event.type), event.type, bus, event.metadata, event.deliveryCount, undefined);
    this.replayOf = event.id;
  }
}
