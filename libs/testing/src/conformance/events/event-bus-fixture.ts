import { randomBytes } from 'node:crypto';
import type { EventBusConfig, EventBusName } from '@app/messaging';
import { MemoryEventBroker } from '@app/messaging';
import { NatsServerProcess } from '../../brokers/nats-server.process';
import { RedisServerProcess } from '../../brokers/redis-server.process';

/** What an event bus can do; a case that needs a feature runs only where it is true. */
export interface EventBusFeatures {
  /** Events live in a broker the suite can kill and restart (nats, redis). */
  brokered: boolean;
}

/** How the event-bus conformance suite runs one bus: its broker, and the settings of every bus instance. */
export interface EventBusFixture {
  readonly bus: EventBusName;
  readonly features: EventBusFeatures;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  config(): Partial<EventBusConfig>;
  stopBroker(): Promise<void>;
  startBroker(): Promise<void>;
}

const base = () => ({
  namespace: `ev-${randomBytes(4).toString('hex')}`,
  maxDeliveries: 3,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 2000,
  concurrency: 8,
  duplicateWindowMs: 120_000,
});

export function createEventBusFixture(bus: EventBusName): EventBusFixture {
  if (bus === 'memory') {
    const broker = new MemoryEventBroker();
    const shared = { ...base(), bus, memoryBroker: broker };
    return {
      bus,
      features: { brokered: false },
      setup: async () => undefined,
      teardown: async () => broker.dispose(),
      config: () => shared,
      stopBroker: async () => undefined,
      startBroker: async () => undefined,
    };
  }
  const broker = bus === 'nats' ? new NatsServerProcess() : new RedisServerProcess({ persistent: true });
  const shared = base();
  return {
    bus,
    features: { brokered: true },
    setup: async () => void (await broker.start()),
    teardown: () => broker.dispose(),
    config: () => ({ ...shared, bus, [bus === 'nats' ? 'natsUrl' : 'redisUrl']: broker.url }),
    stopBroker: () => broker.stop(),
    startBroker: async () => void (await broker.start()),
  };
}
