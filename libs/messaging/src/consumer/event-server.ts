import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { CompiledHandler, HandlerCompiler, RpcError, StatusCode } from '@app/transport';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DeliveredEvent, EventBus, EventOutcome, SubscriptionHandle } from '../bus/event-bus';
import { EventBusConfig, retryDelay } from '../config/event-bus-config';
import { deadLetterOf } from '../dead-letters/dead-letter';
import type { DeadLetterStore } from '../dead-letters/dead-letter-store';
import { DeliveryFailures } from '../dead-letters/delivery-failures';
import { MemoryDeadLetterStore } from '../dead-letters/memory-dead-letter-store';
import type { ReplayOutcome, ReplayTarget } from '../dead-letters/replay-runner';
import { ReplayedEventContext } from '../dead-letters/replayed-event-context';
import { EXPIRES_AT } from '../publisher/event-publisher';
import { applyEventFault } from './event-fault';
import { EventContext } from './event-context';
import { declaredEvent } from './on-event.decorator';

/** Failures no redelivery can fix: a malformed or forged event, or one this service has no handler for. */
const PERMANENT = new Set([
  StatusCode.INVALID_ARGUMENT,
  StatusCode.UNIMPLEMENTED,
  StatusCode.UNAUTHENTICATED,
  StatusCode.PERMISSION_DENIED,
]);

/**
 * The Nest microservice strategy that feeds a service's `@OnEvent` handlers from the event bus, as one
 * consumer group named after the service. Each event runs through Nest (guards, interceptors, validation) with an
 * EventContext; success acks it, a failure has it delivered again with backoff, and an event that failed
 * `maxDeliveries` times, or that no retry can fix (invalid payload, failed service auth, no handler), is given up:
 * recorded in the DeadLetterStore first, and only then dropped from the bus (if it cannot be recorded it is
 * delivered again instead, so nothing is lost). A given-up event never holds back the ones behind it.
 * It also runs operator replays of dead letters (`replay`, through DeadLetterService), in the same pipeline.
 */
export class EventServer extends Server implements CustomTransportStrategy, ReplayTarget {
  private subscription?: SubscriptionHandle;
  private readonly log: Logger;
  private readonly failures = new DeliveryFailures();
  /** The compiled handlers of each event type, when the app's HandlerCompiler was given (see CompiledHandler). */
  private compiled = new Map<string, CompiledHandler[]>();

  /** `handlers` builds the handlers once at start; without it, events go through Nest's own per-event pipeline. */
  constructor(
    private readonly bus: EventBus,
    private readonly config: EventBusConfig,
    private readonly group: string,
    private readonly deadLetters: DeadLetterStore = new MemoryDeadLetterStore(group),
    private readonly handlers?: HandlerCompiler,
  ) {
    super();
    this.log = new Logger(`${group}:events`);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.compiled = this.handlers?.handlers('event') ?? new Map();
      const nestTypes = [...this.messageHandlers].filter(([, handler]) => handler.isEventHandler).map(([type]) => type);
      const types = [...new Set([...this.compiled.keys(), ...nestTypes])];
      if (types.length > 0) {
        this.subscription = await this.bus.subscribe({
          group: this.group,
          types,
          maxDeliveries: this.config.maxDeliveries,
          retryDelayMs: retryDelay(this.config),
          concurrency: this.config.concurrency,
          handle: (event) => this.handle(event),
        });
        this.log.log(`consuming ${types.join(', ')} from ${this.bus.name}`);
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }

  on(): never {
    throw new Error('EventServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  /** Runs a dead letter once more through the handler pipeline, in this process, with no retry. */
  async replay(event: DeliveredEvent, originallyPublishedAt: number | undefined): Promise<ReplayOutcome> {
    try {
      await this.run(event, new ReplayedEventContext(event, this.bus.name, originallyPublishedAt));
      return { handled: true };
    } catch (thrown) {
      const error = RpcError.from(thrown);
      this.log.warn(`replay of dead letter ${event.type} ${event.id} failed: ${error.codeName} ${error.message}`);
      return { handled: false, error };
    }
  }

  private async handle(event: DeliveredEvent): Promise<EventOutcome> {
    if (event.deliveryCount > this.config.maxDeliveries) {
      // Delivered again without an outcome (the instance handling it died, or its dead letter could not be
      // recorded): give up rather than loop forever.
      const error =
        this.failures.unrecordedError(event.id) ??
        new RpcError(StatusCode.UNKNOWN, `delivered ${event.deliveryCount} times without an outcome (the instance handling it stopped)`);
      return this.giveUp(event, error);
    }
    const context = new EventContext(
      event.id,
      declaredEvent(event.type),
      event.type,
      this.bus.name,
      event.metadata,
      event.deliveryCount,
      event.publishedAt,
    );
    const expiresAt = Number(event.metadata[EXPIRES_AT]);
    if (Number.isFinite(expiresAt) && Date.now() > expiresAt) {
      return this.giveUp(event, new RpcError(StatusCode.DEADLINE_EXCEEDED, `${event.type} expired ${Date.now() - expiresAt} ms before it could be handled`));
    }
    try {
      await this.run(event, context);
    } catch (thrown) {
      const error = RpcError.from(thrown);
      if (PERMANENT.has(error.code) || event.deliveryCount >= this.config.maxDeliveries) return this.giveUp(event, error);
      this.failures.failed(event.id, Date.now());
      this.log.warn(`${event.type} ${event.id} failed (delivery ${event.deliveryCount}), will retry: ${error.message}`);
      return 'retry';
    }
    this.failures.forget(event.id);
    return 'ack';
  }

  /** The handlers of the event's type (compiled, else Nest's), inside its context. */
  private async run(event: DeliveredEvent, context: EventContext): Promise<void> {
    const compiled = this.compiled.get(event.type);
    const handler = compiled ? undefined : this.messageHandlers.get(event.type);
    if (!compiled && !handler?.isEventHandler) throw new RpcError(StatusCode.UNIMPLEMENTED, `no handler for ${event.type}`);
    applyEventFault(this.config.fault, event.type, event.body);
    let payload: unknown;
    try {
      payload = JSON.parse(event.body);
    } catch {
      throw new RpcError(StatusCode.INVALID_ARGUMENT, `event ${event.id} has a body that is not JSON`);
    }
    if (compiled) {
      // Every handler of the type runs (as Nest's forkJoin of attached handlers); the event fails if one fails.
      await context.run(() => (compiled.length === 1 ? compiled[0].invoke(payload, context) : Promise.all(compiled.map((h) => h.invoke(payload, context)))));
      return;
    }
    await context.run(async () => {
      const result = await handler!(payload, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    });
  }

  /** Records the dead letter, then lets the bus drop the event; if recording fails, the event comes again. */
  private async giveUp(event: DeliveredEvent, error: RpcError): Promise<EventOutcome> {
    const now = Date.now();
    const firstFailedAt = this.failures.firstFailedAt(event.id) ?? (event.deliveryCount <= 1 ? now : (event.publishedAt ?? now));
    try {
      await this.deadLetters.record(deadLetterOf(event, this.group, error, { firstFailedAt, deadLetteredAt: now }));
    } catch (recordError) {
      this.failures.notRecorded(event.id, error);
      this.log.error(
        `cannot record dead letter ${event.type} ${event.id} (${describe(recordError)}); it will be delivered again`,
      );
      return 'retry';
    }
    this.failures.forget(event.id);
    this.log.error(
      `dead letter: ${event.type} ${event.id} after ${event.deliveryCount} deliveries: ${error.codeName} ${error.message}`,
    );
    return 'dead';
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
