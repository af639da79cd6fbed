import { DynamicModule, Inject, INestApplication, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { DATABASE, SqliteDatabase } from '@app/storage';
import { HandlerCompiler, SERVICE_NAME, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import type { EventBus } from '../bus/event-bus';
import { createEventBus } from '../bus/create-event-bus';
import { ObservedEventBus } from '../bus/observed-event-bus';
import { EventMetadataStamp, StampedEventBus } from '../bus/stamped-event-bus';
import { EventBusConfig, loadEventBusConfig } from '../config/event-bus-config';
import { EventServer } from '../consumer/event-server';
import type { DeadLetterStore } from '../dead-letters/dead-letter-store';
import { DeadLetterStorage, pickDeadLetterStore } from '../dead-letters/pick-dead-letter-store';
import { DeadLetterService } from '../dead-letters/dead-letter.service';
import { DEAD_LETTER_STORE, EVENT_METADATA_STAMPS } from '../dead-letters/dead-letter.tokens';
import { ReplayRunner } from '../dead-letters/replay-runner';
import { EventPublisher } from '../publisher/event-publisher';
import { EventBusReadiness } from './event-bus-readiness';
import { EVENT_BUS, EVENT_BUS_CONFIG } from './tokens';

/** The DeadLetterStorage picked for the app (the store, and the warning to log if the app consumes events). */
const DEAD_LETTER_STORAGE = Symbol('switchboard:dead-letter-storage');

class EventBusLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  /**
   * Connects a lazily connecting bus at start, without waiting for the broker: an app that only publishes is
   * ready once its broker is reachable, not only after its first publish (which an unready app never gets).
   */
  onApplicationBootstrap(): void {
    this.bus.start?.();
  }

  /** After the event server closed: events in hand are acked before the connections go. */
  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/**
 * Durable events for an app (needs SwitchboardModule for the transport settings): the bus chosen by `EVENT_BUS`,
 * an EventPublisher, and — through `eventConsumer` in startService — its `@OnEvent` handlers as one consumer group,
 * whose dead letters go to a DeadLetterStore (the app's SQLite database when it has SqliteModule with
 * DEAD_LETTERS_MIGRATION, else memory) and are managed with DeadLetterService (DeadLetterAdminModule: over HTTP).
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
        { provide: EVENT_METADATA_STAMPS, inject: [...stamps], useFactory: (...stampers: EventMetadataStamp[]) => stampers },
        {
          provide: EVENT_BUS,
          inject: [EVENT_BUS_CONFIG, EVENT_METADATA_STAMPS, SERVICE_NAME],
          useFactory: (config: EventBusConfig, stampers: readonly EventMetadataStamp[], service: string) =>
            new ObservedEventBus(
              stampers.length > 0 ? new StampedEventBus(createEventBus(config), stampers) : createEventBus(config),
              service,
            ),
        },
        {
          provide: DEAD_LETTER_STORAGE,
          inject: [SERVICE_NAME, { token: DATABASE, optional: true }],
          useFactory: (group: string, db: SqliteDatabase | undefined) => pickDeadLetterStore(group, db),
        },
        { provide: DEAD_LETTER_STORE, inject: [DEAD_LETTER_STORAGE], useFactory: (storage: DeadLetterStorage) => storage.store },
        ReplayRunner,
        DeadLetterService,
        EventBusLifecycle,
        EventBusReadiness,
        EventPublisher,
      ],
      exports: [EVENT_BUS, EVENT_BUS_CONFIG, EVENT_METADATA_STAMPS, EventPublisher, DEAD_LETTER_STORE, DeadLetterService],
    };
  }
}

/**
 * The strategy that consumes an app's `@OnEvent` handlers (and runs its dead-letter replays); pass it to
 * startService's `consumers`.
 */
export const eventConsumer = (app: INestApplication): CustomTransportStrategy => {
  const group = app.get<string>(SERVICE_NAME);
  const deadLetters = app.get<DeadLetterStore>(DEAD_LETTER_STORE);
  // Only a consuming app records dead letters: only there is a volatile store worth a warning.
  const { store, warning } = app.get<DeadLetterStorage>(DEAD_LETTER_STORAGE);
  if (warning && store === deadLetters) new Logger(`${group}:dead-letters`).warn(warning);
  const server = new EventServer(app.get(EVENT_BUS), app.get(EVENT_BUS_CONFIG), group, deadLetters, app.get(HandlerCompiler));
  app.get(ReplayRunner).attach(server);
  return server;
};
