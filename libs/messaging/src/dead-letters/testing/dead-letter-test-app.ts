import { Controller, DynamicModule, Global, INestApplication, Injectable, Module, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { defineEvent, EventOf } from '@app/contracts';
import { loadTransportConfig, MemoryBroker, Metadata, SwitchboardModule } from '@app/transport';
import type { EventBus } from '../../bus/event-bus';
import { createEventBus } from '../../bus/create-event-bus';
import type { EventMetadataStamp } from '../../bus/stamped-event-bus';
import { EventBusConfig, loadEventBusConfig } from '../../config/event-bus-config';
import { EventContext } from '../../consumer/event-context';
import { OnEvent } from '../../consumer/on-event.decorator';
import { MemoryEventBroker } from '../../memory/memory-event-broker';
import { eventConsumer, MessagingModule } from '../../nest/messaging.module';
import type { DeadLetterStore } from '../dead-letter-store';
import { DEAD_LETTER_STORE } from '../dead-letter.tokens';

/** The event of the dead-letter specs. */
export const Thing = defineEvent({ service: 'things', version: 'v1', name: 'Thing', schema: z.object({ n: z.number().int() }).strict() });

export interface SeenThing {
  n: number;
  eventId: string;
  deliveryCount: number;
  metadata: Metadata;
  replay: boolean;
}

/** What the consumer saw, and which things it fails on. */
@Injectable()
export class Things {
  readonly seen: SeenThing[] = [];
  readonly failing = new Set<number>();
  /** Thing n -> the error its handler throws (before `failing`). */
  readonly errors = new Map<number, Error>();

  of(n: number): SeenThing[] {
    return this.seen.filter((s) => s.n === n);
  }
}

@Controller()
class ThingConsumer {
  constructor(private readonly things: Things) {}

  @OnEvent(Thing)
  thing(event: EventOf<typeof Thing>, ctx: EventContext) {
    this.things.seen.push({
      n: event.n,
      eventId: ctx.eventId,
      deliveryCount: ctx.deliveryCount,
      metadata: { ...ctx.metadata },
      replay: 'replayOf' in ctx,
    });
    const error = this.things.errors.get(event.n);
    if (error) throw error;
    if (this.things.failing.has(event.n)) throw new Error(`thing ${event.n} broke`);
  }
}

export const TEST_STAMP = Symbol('test-stamp');
/** Stands for EVENT_TOKEN_STAMP: a fresh "token" on everything the app publishes or replays. */
const stamp: EventMetadataStamp = (metadata) => ({ ...metadata, authorization: 'Bearer fresh.stamped.token' });

export interface ThingsApp {
  app: INestApplication;
  things: Things;
  /** A raw bus on the same broker, to put events on it by hand. */
  bus: EventBus;
  publish(n: number, metadata?: Metadata, id?: string): Promise<string>;
  close(): Promise<void>;
}

let serial = 0;

/**
 * A consumer app of `Thing` on its own memory broker (maxDeliveries 3, fast retries), with a stamp; `store`
 * replaces its DeadLetterStore; `consume: false` starts no event consumer; `imports` adds modules (the admin one).
 */
export async function startThingsApp(
  options: { store?: DeadLetterStore; consume?: boolean; imports?: readonly DynamicModule[]; providers?: readonly Provider[] } = {},
): Promise<ThingsApp> {
  const memoryBroker = new MemoryEventBroker();
  const config: Partial<EventBusConfig> = { bus: 'memory', memoryBroker, maxDeliveries: 3, retryBaseDelayMs: 20, retryMaxDelayMs: 40 };
  const transport = loadTransportConfig({ TRANSPORT: 'memory' }, { memoryBroker: new MemoryBroker(), instanceId: `things-${++serial}` });

  @Global()
  @Module({ providers: [{ provide: TEST_STAMP, useValue: stamp }], exports: [TEST_STAMP] })
  class StampModule {}

  @Module({
    imports: [
      StampModule,
      SwitchboardModule.forService({ service: 'things-consumer', config: transport }),
      MessagingModule.forService({ config, stamps: [TEST_STAMP] }),
      ...(options.imports ?? []),
    ],
    controllers: [ThingConsumer],
    providers: [Things, ...(options.providers ?? [])],
  })
  class ThingsModule {}

  const builder = Test.createTestingModule({ imports: [ThingsModule] });
  if (options.store) builder.overrideProvider(DEAD_LETTER_STORE).useValue(options.store);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: false });
  if (options.consume !== false) {
    app.connectMicroservice({ strategy: eventConsumer(app) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.init();

  const bus = createEventBus(loadEventBusConfig(transport, {}, config));
  return {
    app,
    things: app.get(Things),
    bus,
    publish: async (n, metadata = {}, id = `thing-${n}-${Math.random().toString(36).slice(2)}`) => {
      await bus.publish({ id, type: Thing.type, body: JSON.stringify({ n }), metadata });
      return id;
    },
    close: async () => {
      await app.close();
      await bus.close();
      memoryBroker.dispose();
    },
  };
}

/** Polls until `check` returns something other than undefined/false. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
