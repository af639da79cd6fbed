import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  createEventBus,
  EventBus,
  eventConsumer,
  EventMetadataStamp,
  StampedEventBus,
  EventPublisher,
  loadEventBusConfig,
  MessagingModule,
  PublishOptions,
} from '@app/messaging';
import { loadTransportConfig, MemoryBroker, SwitchboardModule } from '@app/transport';
import type { EventBusFixture } from './event-bus-fixture';
import { ConformanceEventsV1 } from './conformance.events';
import { EventConsumerController } from './event-consumer.controller';
import { EventRecorder } from './event-recorder';

export interface RunningConsumer {
  readonly instanceId: string;
  close(): Promise<void>;
}

export interface TestPublisher {
  readonly bus: EventBus;
  publish(n: number, options?: PublishOptions): Promise<string>;
  /** Publishes an ExpiringPing (expires 300 ms after publishing). */
  publishExpiring(n: number): Promise<string>;
}

/**
 * What an event-bus conformance case works with: consumer instances started as real Nest apps (a group is a
 * service name), publishers, and the fixture's broker. Everything started is closed after each test.
 */
export class EventHarness {
  private readonly apps = new Set<INestApplication>();
  private readonly buses = new Set<EventBus>();
  private serial = 0;
  /** Groups are named per test, so events a group kept from an earlier test never reach a later one. */
  private testRun = 1;

  constructor(readonly fixture: EventBusFixture) {}

  private transportConfig(instanceId: string) {
    const bus = this.fixture.config();
    return loadTransportConfig(
      { TRANSPORT: 'memory' },
      { namespace: bus.namespace, natsUrl: bus.natsUrl, redisUrl: bus.redisUrl, instanceId, memoryBroker: new MemoryBroker() },
    );
  }

  /** Starts one instance of consumer group `name` (within the current test), recording into `recorder`. */
  async startConsumer(name: string, recorder: EventRecorder, imports: readonly DynamicModule[] = []): Promise<RunningConsumer> {
    const group = `${name}-t${this.testRun}`;
    const instanceId = `${group}-${++this.serial}`;
    @Module({
      imports: [
        SwitchboardModule.forService({ service: group, config: this.transportConfig(instanceId) }),
        MessagingModule.forService({ config: this.fixture.config() }),
        ...imports,
      ],
      controllers: [EventConsumerController],
      providers: [{ provide: EventRecorder, useValue: recorder }],
    })
    class ConsumerAppModule {}

    const app = await NestFactory.create(ConsumerAppModule, { logger: ['error'], abortOnError: false });
    app.connectMicroservice({ strategy: eventConsumer(app) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.init();
    this.apps.add(app);
    return {
      instanceId,
      close: async () => {
        if (this.apps.delete(app)) await app.close();
      },
    };
  }

  /** A publisher of conformance events; `stamps` are applied to each (e.g. an event token). */
  publisher(stamps: readonly EventMetadataStamp[] = []): TestPublisher {
    const config = loadEventBusConfig(this.transportConfig('publisher'), {}, this.fixture.config());
    const raw = createEventBus(config);
    const bus = stamps.length > 0 ? new StampedEventBus(raw, stamps) : raw;
    this.buses.add(bus);
    const publisher = new EventPublisher(bus, 'conformance-publisher');
    return {
      bus,
      publish: (n, options) => publisher.publish(ConformanceEventsV1.ping, { n, note: `event ${n}` }, options),
      publishExpiring: (n) => publisher.publish(ConformanceEventsV1.expiringPing, { n, note: `expiring ${n}` }),
    };
  }

  async cleanup(): Promise<void> {
    this.testRun++;
    await Promise.all([...this.apps].map((app) => app.close()));
    this.apps.clear();
    await Promise.all([...this.buses].map((bus) => bus.close()));
    this.buses.clear();
  }
}
