import type { EventBusConfig } from '../config/event-bus-config';
import { JetStreamEventBus } from '../jetstream/jetstream-event-bus';
import { MemoryEventBus } from '../memory/memory-event-bus';
import { RedisStreamsEventBus } from '../redis-streams/redis-streams-event-bus';
import type { EventBus, EventBusName } from './event-bus';

/** One string picks the event bus. */
const BUSES: Record<EventBusName, new (config: EventBusConfig) => EventBus> = {
  memory: MemoryEventBus,
  nats: JetStreamEventBus,
  redis: RedisStreamsEventBus,
};

export function createEventBus(config: EventBusConfig): EventBus {
  return new BUSES[config.bus](config);
}
