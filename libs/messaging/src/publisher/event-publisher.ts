import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EventOf, EventRef } from '@app/contracts';
import { CallContext, Metadata, propagatedMetadata, RpcError, SERVICE_NAME, StatusCode, validateMetadata, validationIssues } from '@app/transport';
import type { EventBus } from '../bus/event-bus';
import { EVENT_BUS } from '../nest/tokens';

export const OCCURRED_AT = 'x-occurred-at';
/** Absolute expiry (epoch ms) of an event whose type has `expiresAfterMs`. */
export const EXPIRES_AT = 'x-expires-at';

/** The time metadata of an event published now: when it occurred and, for an expiring type, when it expires. */
export function eventTimes(event: EventRef, now = Date.now()): Record<string, string> {
  const times: Record<string, string> = { [OCCURRED_AT]: String(now) };
  if (event.expiresAfterMs !== undefined) times[EXPIRES_AT] = String(now + event.expiresAfterMs);
  return times;
}

export interface PublishOptions {
  /** The event id (default: a new UUID). Publishing the same id twice within the bus's window stores it once. */
  id?: string;
  metadata?: Metadata;
}

/**
 * Publishes a service's events: validates the payload against the event's schema, adds the metadata of the call
 * or event being handled (correlation id, trace context), and resolves once the bus has stored the event.
 */
@Injectable()
export class EventPublisher {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async publish<E extends EventRef>(event: E, payload: EventOf<E>, options: PublishOptions = {}): Promise<string> {
    const parsed = event.schema.safeParse(payload);
    if (!parsed.success) {
      throw new RpcError(StatusCode.INVALID_ARGUMENT, `invalid ${event.type} event`, { issues: validationIssues(parsed.error) });
    }
    const metadata = { ...propagatedMetadata(this.service, CallContext.current(), options.metadata), ...eventTimes(event) };
    validateMetadata(metadata);
    const id = options.id ?? randomUUID();
    await this.bus.publish({ id, type: event.type, body: JSON.stringify(parsed.data), metadata });
    return id;
  }
}
