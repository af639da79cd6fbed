import { DynamicModule, Inject, INestApplication, Module, OnApplicationShutdown } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { SERVICE_NAME, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import type { EventBus } from '../bus/event-bus';
import { createEventBus } from '../bus/create-event-bus';
import { EventMetadataStamp, StampedEventBus } from '../bus/stamped-event-bus';
import { EventBusConfig, loadEventBusConfig } from '../config/event-bus-config';
import { EventServer } from '../consumer/event-server';
import { EventPublisher } from '../publisher/event-publisher';
import { EVENT_BUS, EVENT_BUS_CONFIG } from './tokens';

class EventBusLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  /** After the event server closed: events in hand are acked before the connections go. */
  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/**
 * Durable events for an app (needs SwitchboardModule for the transport settings): the bus chosen by `EVENT_BUS`,
 * an EventPublisher, and — through `eventConsumer` in startService — its `@OnEvent` handlers as one consumer group.
 */
@Module({})
export class MessagingModule {
  /** `stamps`: DI tokens of EventMetadataStamp providers applied to every published event (e.g. EVENT_TOKEN_STAMP). */
  static forService(options: { config?: Partial<EventBusConfig>; stamps?: readonly (symbol | string)[] } = {}): DynamicModule {
    const stamps = options.stamps ?? [];
    return {
      module: MessagingModule,
      global: true,
      providers: [
        {
          provide: EVENT_BUS_CONFIG,
          inject: [TRANSPORT_CONFIG],
          useFactory: (transport: TransportConfig) => loadEventBusConfig(transport, process.env, options.config),
        },
        {
          provide: EVENT_BUS,
          inject: [EVENT_BUS_CONFIG, ...stamps],
          useFactory: (config: EventBusConfig, ...stampers: EventMetadataStamp[]) =>
            stampers.length > 0 ? new StampedEventBus(createEventBus(config), stampers) : createEventBus(config),
        },
        EventBusLifecycle,
        EventPublisher,
      ],
      exports: [EVENT_BUS, EVENT_BUS_CONFIG, EventPublisher],
    };
  }
}

/** The strategy that consumes an app's `@OnEvent` handlers; pass it to startService's `consumers`. */
export const eventConsumer = (app: INestApplication): CustomTransportStrategy =>
  new EventServer(app.get(EVENT_BUS), app.get(EVENT_BUS_CONFIG), app.get(SERVICE_NAME));
