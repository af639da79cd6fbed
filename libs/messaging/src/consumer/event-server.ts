import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { RpcError, StatusCode } from '@app/transport';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DeliveredEvent, EventBus, EventOutcome, SubscriptionHandle } from '../bus/event-bus';
import { EventBusConfig, retryDelay } from '../config/event-bus-config';
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
 * `maxDeliveries` times, or whose payload is invalid (no retry can fix it), is given up as a dead letter.
 */
export class EventServer extends Server implements CustomTransportStrategy {
  private subscription?: SubscriptionHandle;
  private readonly log: Logger;

  constructor(
    private readonly bus: EventBus,
    private readonly config: EventBusConfig,
    private readonly group: string,
  ) {
    super();
    this.log = new Logger(`${group}:events`);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const types = [...this.messageHandlers].filter(([, handler]) => handler.isEventHandler).map(([type]) => type);
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

  private async handle(event: DeliveredEvent): Promise<EventOutcome> {
    if (event.deliveryCount > this.config.maxDeliveries) {
      // Delivered again without an outcome (the instance handling it died): give up rather than loop forever.
      this.log.error(`dead letter: ${event.type} ${event.id} after ${event.deliveryCount} deliveries without an outcome`);
      return 'dead';
    }
    const handler = this.messageHandlers.get(event.type);
    const context = new EventContext(
      event.id,
      declaredEvent(event.type),
      event.type,
      this.bus.name,
      event.metadata,
      event.deliveryCount,
      event.publishedAt,
    );
    try {
      if (!handler?.isEventHandler) throw new RpcError(StatusCode.UNIMPLEMENTED, `no handler for ${event.type}`);
      let payload: unknown;
      try {
        payload = JSON.parse(event.body);
      } catch {
        throw new RpcError(StatusCode.INVALID_ARGUMENT, `event ${event.id} has a body that is not JSON`);
      }
      await context.run(async () => {
        const result = await handler(payload, context);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      });
      return 'ack';
    } catch (thrown) {
      const error = RpcError.from(thrown);
      const permanent = PERMANENT.has(error.code);
      if (permanent || event.deliveryCount >= this.config.maxDeliveries) {
        this.log.error(
          `dead letter: ${event.type} ${event.id} after ${event.deliveryCount} deliveries: ${error.codeName} ${error.message}`,
        );
        return 'dead';
      }
      this.log.warn(`${event.type} ${event.id} failed (delivery ${event.deliveryCount}), will retry: ${error.message}`);
      return 'retry';
    }
  }
}
