import type { EventBusConfig } from '../config/event-bus-config';
import { MemoryEventBus } from '../memory/memory-event-bus';
import type { EventBus, EventBusName } from './event-bus';

/** One string picks the event bus. */
const BUSES: Record<EventBusName, (config: EventBusConfig) => EventBus> = {
  memory: (config) => new MemoryEventBus(config),
  nats: (config) => new (require('../jetstream/jetstream-event-bus').JetStreamEventBus)(config),
  redis: (config) => new (require('../redis-streams/redis-streams-event-bus').RedisStreamsEventBus)(config),
};

export function createEventBus(config: EventBusConfig): EventBus {
  return BUSES[config.bus](config);
}
